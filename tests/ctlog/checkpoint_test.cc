// Tests for ctlog/checkpoint: certspotter's checkpoint parse cases, a genuinely signed
// (synthetic) Sunlight checkpoint, the real Sycamore 2024h2 checkpoint and strictness cases.
#include "ctlog/checkpoint.h"

#include <nlohmann/json.hpp>
#include <string>

#include "core/encoding.h"
#include "ctlog/log_list.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ReadTestData;
using Json = nlohmann::json;

constexpr std::string_view kSycamore = "sycamore.ct.letsencrypt.org/2024h2";
constexpr std::string_view kSycamoreLogId = "SU2QSbivPlrKupk+TB8wVnN6qfltAPewubJRBve+Go8=";
constexpr std::string_view kSycamoreRoot = "wDpr6fEdycwgieRFpz9hQe6C6A0tg6K2ZVPUltce0hI=";
constexpr std::string_view kSycamoreSig =
    "PdkIagAAAZBa4n5EBAMASDBGAiEA0A0xkVCAYvqw+fdjYXiVK5wZIjodCMVoDtCLO3kYiIYCIQDVdK6MHR16ToBsNk"
    "aBtHyReMA/3MCrpZBAjQ72LIOpNA==";

Sha256Hash HashFromB64(std::string_view b64) {
  const std::optional<Bytes> b = Base64Decode(b64);
  Sha256Hash h{};
  EXPECT_TRUE(b && b->size() == 32);
  if (b && b->size() == 32) std::copy(b->begin(), b->end(), h.begin());
  return h;
}

std::string SycamoreNote(std::string_view size, std::string_view extra_body = "",
                         std::string_view signatures = "") {
  std::string note = std::string(kSycamore) + "\n" + std::string(size) + "\n" +
                     std::string(kSycamoreRoot) + "\n" + std::string(extra_body) + "\n";
  if (signatures.empty()) {
    note += "\xE2\x80\x94 " + std::string(kSycamore) + " " + std::string(kSycamoreSig) + "\n";
  } else {
    note += signatures;
  }
  return note;
}

Result<Checkpoint> ParseSycamore(std::string_view note) {
  return ParseCheckpoint(note, kSycamore, HashFromB64(kSycamoreLogId));
}

// ---- certspotter cttypes/checkpoint_test.go --------------------------------------------------

class CertspotterCasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cases_ = Json::parse(ReadTestData("sth/static-ct-api/certspotter-checkpoint-parse-cases.json"));
    origin_ = cases_["origin"].get<std::string>();
    log_id_ = HashFromB64(cases_["log_id_b64"].get<std::string>());
  }
  Json cases_;
  std::string origin_;
  Sha256Hash log_id_{};
};

TEST_F(CertspotterCasesTest, MustParse) {
  const Json& want = cases_["expected"];
  ASSERT_EQ(cases_["must_parse"].size(), 6u);
  for (const auto& c : cases_["must_parse"]) {
    const std::string note = c.get<std::string>();
    auto cp = ParseCheckpoint(note, origin_, log_id_);
    ASSERT_THAT(cp, IsOk()) << note;
    EXPECT_EQ(cp->origin, origin_);
    EXPECT_EQ(cp->head.tree_size, want["tree_size"].get<uint64_t>());
    EXPECT_EQ(cp->head.timestamp_ms, want["timestamp"].get<uint64_t>());
    EXPECT_EQ(Base64Encode(cp->head.root), want["root_hash_b64"].get<std::string>());
    EXPECT_THAT(ParseDigitallySigned(cp->head.signature), IsOk());
  }
}

TEST_F(CertspotterCasesTest, MustFail) {
  ASSERT_EQ(cases_["must_fail"].size(), 10u);
  for (const auto& c : cases_["must_fail"]) {
    const std::string note = c.get<std::string>();
    EXPECT_FALSE(ParseCheckpoint(note, origin_, log_id_).has_value()) << note;
  }
}

// ---- Real and synthetic checkpoints ----------------------------------------------------------

TEST(CheckpointTest, RealSycamoreCheckpointParses) {
  const std::string note = ReadTestData("sth/static-ct-api/sycamore2024h2_820495916.checkpoint");
  auto cp = ParseSycamore(note);
  ASSERT_THAT(cp, IsOk());
  EXPECT_EQ(cp->head.tree_size, 820495916u);
  EXPECT_EQ(cp->head.timestamp_ms, 1719511711300u);
  EXPECT_EQ(Base64Encode(cp->head.root), kSycamoreRoot);
  const auto key_id = CheckpointKeyId(kSycamore, HashFromB64(kSycamoreLogId));
  EXPECT_EQ(HexEncode(key_id), "3dd9086a");  // the first 4 bytes of the signature blob
}

class SkylightTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kOrigin = "rome2026h1.example.org";
  void SetUp() override {
    note_ = ReadTestData("sth/static-ct-api/skylight-rome2026h1-synthetic/checkpoint");
    log_ = Json::parse(ReadTestData("sth/static-ct-api/skylight-rome2026h1-synthetic/log.v3.json"));
    auto verifier = LogVerifier::FromSpki(*Base64Decode(log_["key"].get<std::string>()));
    ASSERT_THAT(verifier, IsOk());
    verifier_ = std::make_unique<LogVerifier>(*verifier);
  }
  std::string note_;
  Json log_;
  std::unique_ptr<LogVerifier> verifier_;
};

TEST_F(SkylightTest, Verifies) {
  EXPECT_EQ(Base64Encode(verifier_->log_id()), log_["log_id"].get<std::string>());
  LogInfo info;
  info.api = LogApi::kStatic;
  info.submission_url = log_["submission_url"].get<std::string>();
  ASSERT_EQ(info.CheckpointOrigin(), kOrigin);

  auto cp = VerifyCheckpoint(note_, kOrigin, *verifier_);
  ASSERT_THAT(cp, IsOk());
  const Json& fth = log_["final_tree_head"];
  EXPECT_EQ(cp->head.tree_size, fth["tree_size"].get<uint64_t>());
  EXPECT_EQ(Base64Encode(cp->head.root), fth["sha256_root_hash"].get<std::string>());
  EXPECT_THAT(verifier_->VerifyTreeHead(cp->head), IsOk());
}

TEST_F(SkylightTest, EveryChangedByteFails) {
  ASSERT_THAT(VerifyCheckpoint(note_, kOrigin, *verifier_), IsOk());
  for (size_t i = 0; i < note_.size(); ++i) {
    std::string changed = note_;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(VerifyCheckpoint(changed, kOrigin, *verifier_).has_value()) << "byte " << i;
  }
}

TEST_F(SkylightTest, WrongOriginOrKeyFails) {
  EXPECT_THAT(VerifyCheckpoint(note_, "rome2026h2.example.org", *verifier_),
              IsError(ErrorCode::kVerification, "origin"));
  auto other = LogVerifier::FromPem(ReadTestData("sth/keys/google-pilot.pem"));
  ASSERT_THAT(other, IsOk());
  EXPECT_THAT(VerifyCheckpoint(note_, kOrigin, *other),
              IsError(ErrorCode::kVerification, "no signature line of the log"));
}

TEST_F(SkylightTest, ExtraSignaturesAreIgnoredButTheLogLineIsChecked) {
  const std::string grease = "\xE2\x80\x94 grease.invalid AAAAAAAAAAAA\n";
  const std::string witness = "\xE2\x80\x94 witness.example.org/w1 c2lnbmF0dXJlIGJ5dGVz\n";
  EXPECT_THAT(VerifyCheckpoint(note_ + grease + witness, kOrigin, *verifier_), IsOk());
  EXPECT_THAT(
      VerifyCheckpoint(note_ + note_.substr(note_.find("\xE2\x80\x94")), kOrigin, *verifier_),
      IsError(ErrorCode::kParse, "two signature lines"));
}

// ---- Strictness ------------------------------------------------------------------------------

TEST(CheckpointStrictTest, TreeSizeIsCanonicalDecimal) {
  EXPECT_THAT(ParseSycamore(SycamoreNote("0")), IsOk());
  EXPECT_THAT(ParseSycamore(SycamoreNote("18446744073709551615")), IsOk());
  for (const char* bad : {"", "00", "0820495916", "+5", "-1", " 5", "5 ", "0x10", "1e3",
                          "18446744073709551616", "99999999999999999999"}) {
    EXPECT_THAT(ParseSycamore(SycamoreNote(bad)), IsErrorCode(ErrorCode::kParse)) << bad;
  }
}

TEST(CheckpointStrictTest, BodyShape) {
  EXPECT_THAT(ParseSycamore(SycamoreNote("5", "ext one\next two\n")), IsOk());
  std::string no_newline = SycamoreNote("5");
  no_newline.pop_back();
  EXPECT_THAT(ParseSycamore(no_newline), IsError(ErrorCode::kParse, "newline"));
  std::string crlf = SycamoreNote("5");
  crlf.insert(kSycamore.size(), "\r");
  EXPECT_THAT(ParseSycamore(crlf), IsErrorCode(ErrorCode::kParse));
  // Missing root line: the blank line comes after two lines.
  const std::string two_lines = std::string(kSycamore) + "\n5\n\n\xE2\x80\x94 " +
                                std::string(kSycamore) + " " + std::string(kSycamoreSig) + "\n";
  EXPECT_THAT(ParseSycamore(two_lines), IsError(ErrorCode::kParse, "needs 3"));
  // Empty origin.
  EXPECT_THAT(ParseCheckpoint("\n5\n" + std::string(kSycamoreRoot) + "\n\n", "",
                              HashFromB64(kSycamoreLogId)),
              IsErrorCode(ErrorCode::kParse));
  // Invalid UTF-8 in an extension line.
  EXPECT_THAT(ParseSycamore(SycamoreNote("5", "bad \xC0\xAF utf8\n")),
              IsError(ErrorCode::kParse, "UTF-8"));
  // A note over the 16 KiB cap (a long extension line).
  EXPECT_THAT(ParseSycamore(SycamoreNote("5", std::string(16 * 1024, 'x') + "\n")),
              IsErrorCode(ErrorCode::kResourceExhausted));
}

TEST(CheckpointStrictTest, RootHashIs32BytesOfBase64) {
  std::string short_root = SycamoreNote("5");
  short_root.replace(short_root.find(kSycamoreRoot), kSycamoreRoot.size(),
                     Base64Encode(Bytes(31, 1)));
  EXPECT_THAT(ParseSycamore(short_root), IsError(ErrorCode::kParse, "31 bytes"));
  std::string url_safe = SycamoreNote("5");
  url_safe.replace(url_safe.find(kSycamoreRoot), kSycamoreRoot.size(),
                   Base64UrlEncode(*Base64Decode(kSycamoreRoot)));
  EXPECT_THAT(ParseSycamore(url_safe), IsError(ErrorCode::kParse, "base64"));
}

TEST(CheckpointStrictTest, SignatureLines) {
  const std::string dash = "\xE2\x80\x94 ";
  const std::string own = dash + std::string(kSycamore) + " " + std::string(kSycamoreSig) + "\n";
  EXPECT_THAT(ParseSycamore(SycamoreNote("5", "", own)), IsOk());
  // Blank line inside the signature block, a line without the em dash, a bad key name.
  EXPECT_THAT(ParseSycamore(SycamoreNote("5", "", own + "\n")), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(ParseSycamore(SycamoreNote("5", "", own + "-- x c2ln\n")),
              IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(ParseSycamore(SycamoreNote("5", "", dash + " c2lnbmF0dXJl\n" + own)),
              IsError(ErrorCode::kParse, "key name"));
  EXPECT_THAT(ParseSycamore(SycamoreNote("5", "", dash + "a+b c2lnbmF0dXJl\n" + own)),
              IsError(ErrorCode::kParse, "key name"));
  // Another signer's signature must still be base64 of at least 5 bytes.
  EXPECT_THAT(ParseSycamore(SycamoreNote("5", "", dash + "other.example !!!!\n" + own)),
              IsError(ErrorCode::kParse, "bad signature"));
  EXPECT_THAT(ParseSycamore(SycamoreNote("5", "", dash + "other.example AAAA\n" + own)),
              IsError(ErrorCode::kParse, "bad signature"));
  // The log's own line without a signature.
  EXPECT_THAT(ParseSycamore(SycamoreNote("5", "", dash + std::string(kSycamore) + "\n")),
              IsError(ErrorCode::kParse, "no signature"));
  // No signature lines at all.
  EXPECT_THAT(ParseSycamore(std::string(kSycamore) + "\n5\n" + std::string(kSycamoreRoot) + "\n\n"),
              IsError(ErrorCode::kParse, "no signature lines"));
}

TEST(CheckpointStrictTest, LogSignatureBlobIsStrict) {
  const Bytes good = *Base64Decode(kSycamoreSig);
  auto with_blob = [](const Bytes& blob) {
    return ParseSycamore(SycamoreNote(
        "5", "", "\xE2\x80\x94 " + std::string(kSycamore) + " " + Base64Encode(blob) + "\n"));
  };
  ASSERT_THAT(with_blob(good), IsOk());
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_THAT(with_blob(trailing), IsError(ErrorCode::kParse, "trailing data"));
  EXPECT_THAT(with_blob(Bytes(good.begin(), good.begin() + 10)),
              IsError(ErrorCode::kParse, "truncated"));
  Bytes sha512 = good;
  sha512[12] = 6;
  EXPECT_THAT(with_blob(sha512), IsError(ErrorCode::kParse, "hash algorithm"));
}

TEST(CheckpointStrictTest, FieldsReserialiseToTheBody) {
  const std::string note = SycamoreNote("820495916", "ext\n");
  auto cp = ParseSycamore(note);
  ASSERT_THAT(cp, IsOk());
  const std::string body = cp->origin + "\n" + std::to_string(cp->head.tree_size) + "\n" +
                           Base64Encode(cp->head.root) + "\n";
  EXPECT_EQ(note.substr(0, body.size()), body);
}

}  // namespace
}  // namespace ctwatch
