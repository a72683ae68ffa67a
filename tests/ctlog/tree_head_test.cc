// Tests for ctlog/tree_head: real signed tree heads of Google Pilot, Venafi (RSA), DigiCert
// Yeti2018 and a 2012 Google test log, their bit-flipped twins, and strict get-sth parsing.
#include "ctlog/tree_head.h"

#include <openssl/evp.h>

#include <atomic>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/encoding.h"
#include "core/sha256.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ReadTestData;
using Json = nlohmann::json;

struct RealHead {
  const char* sth_file;
  const char* key_file;
  const char* log_id_b64;
  uint64_t tree_size;
  uint8_t sig_alg;
};

// From tests/data/sth/index.json.
const RealHead kRealHeads[] = {
    {"sth/rfc6962/google-pilot_3721782.get-sth.json", "sth/keys/google-pilot.pem",
     "pLkJkLQYWBSHuxOizGdwCjw1mAT5G9+443fNDsgN3BA=", 3721782, 3},
    {"sth/rfc6962/venafi_1130.get-sth.json", "sth/keys/venafi.pem",
     "rDua7X+pZ0dXFZ5tfVdWcvnZgQCUHpve/+yhMTt1eC0=", 1130, 1},
    {"sth/rfc6962/digicert-yeti2018_90785920.get-sth.json", "sth/keys/digicert-yeti2018.pem",
     "wRZK4Kdy0tQ5LcgKwQdw1PDEm96ZGkhAwfoHUWT2M2A=", 90785920, 3},
    {"sth/rfc6962/google-2012-testlog_42.get-sth.json", "sth/keys/google-2012-testlog.pem",
     "tp2Hnj8sRAJVbc2i9rLgL/a230eJxTAA4U9LElroR6o=", 42, 3},
};

void PrintTo(const RealHead& head, std::ostream* os) { *os << head.sth_file; }

class RealHeadTest : public ::testing::TestWithParam<RealHead> {
 protected:
  void SetUp() override {
    auto sth = ParseGetSth(ReadTestData(GetParam().sth_file));
    ASSERT_THAT(sth, IsOk());
    sth_ = *sth;
    auto verifier = LogVerifier::FromPem(ReadTestData(GetParam().key_file));
    ASSERT_THAT(verifier, IsOk());
    verifier_ = std::make_unique<LogVerifier>(*verifier);
  }
  SignedTreeHead sth_;
  std::unique_ptr<LogVerifier> verifier_;
};

TEST_P(RealHeadTest, ParsesAndVerifies) {
  EXPECT_EQ(sth_.tree_size, GetParam().tree_size);
  EXPECT_EQ(Base64Encode(verifier_->log_id()), GetParam().log_id_b64);
  EXPECT_EQ(verifier_->log_id(), Sha256(verifier_->spki()));
  auto ds = ParseDigitallySigned(sth_.signature);
  ASSERT_THAT(ds, IsOk());
  EXPECT_EQ(ds->signature_algorithm, GetParam().sig_alg);
  EXPECT_THAT(verifier_->VerifyTreeHead(sth_), IsOk());
}

TEST_P(RealHeadTest, FromSpkiGivesTheSameVerifier) {
  auto again = LogVerifier::FromSpki(verifier_->spki());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->log_id(), verifier_->log_id());
  EXPECT_THAT(again->VerifyTreeHead(sth_), IsOk());
}

TEST_P(RealHeadTest, BitFlippedTwinsFail) {
  SignedTreeHead root = sth_;
  root.root[17] ^= 0x04;
  EXPECT_THAT(verifier_->VerifyTreeHead(root), IsErrorCode(ErrorCode::kVerification));

  SignedTreeHead signature = sth_;
  signature.signature.back() ^= 0x01;
  EXPECT_THAT(verifier_->VerifyTreeHead(signature), IsErrorCode(ErrorCode::kVerification));

  SignedTreeHead timestamp = sth_;
  timestamp.timestamp_ms ^= 1;
  EXPECT_THAT(verifier_->VerifyTreeHead(timestamp), IsErrorCode(ErrorCode::kVerification));

  SignedTreeHead size = sth_;
  size.tree_size ^= 1;
  EXPECT_THAT(verifier_->VerifyTreeHead(size), IsErrorCode(ErrorCode::kVerification));

  // A flip inside the signature's DER rather than its last byte.
  SignedTreeHead inner = sth_;
  inner.signature[inner.signature.size() / 2] ^= 0x10;
  EXPECT_FALSE(verifier_->VerifyTreeHead(inner).has_value());
}

TEST_P(RealHeadTest, VerifierIsShareableAcrossThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) ok += verifier_->VerifyTreeHead(sth_).has_value() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
}

INSTANTIATE_TEST_SUITE_P(Logs, RealHeadTest, ::testing::ValuesIn(kRealHeads),
                         [](const auto& param_info) {
                           std::string name = param_info.param.key_file;
                           name = name.substr(name.rfind('/') + 1);
                           name = name.substr(0, name.find('.'));
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(LogVerifierTest, WrongKeyFails) {
  auto pilot = ParseGetSth(ReadTestData("sth/rfc6962/google-pilot_3721782.get-sth.json"));
  auto yeti = LogVerifier::FromPem(ReadTestData("sth/keys/digicert-yeti2018.pem"));
  ASSERT_THAT(pilot, IsOk());
  ASSERT_THAT(yeti, IsOk());
  EXPECT_THAT(yeti->VerifyTreeHead(*pilot), IsErrorCode(ErrorCode::kVerification));
}

TEST(LogVerifierTest, SignatureAlgorithmMustMatchKeyType) {
  auto venafi_sth = ParseGetSth(ReadTestData("sth/rfc6962/venafi_1130.get-sth.json"));
  auto venafi = LogVerifier::FromPem(ReadTestData("sth/keys/venafi.pem"));
  auto pilot_sth = ParseGetSth(ReadTestData("sth/rfc6962/google-pilot_3721782.get-sth.json"));
  auto pilot = LogVerifier::FromPem(ReadTestData("sth/keys/google-pilot.pem"));
  ASSERT_THAT(venafi_sth, IsOk());
  ASSERT_THAT(venafi, IsOk());
  ASSERT_THAT(pilot_sth, IsOk());
  ASSERT_THAT(pilot, IsOk());
  SignedTreeHead rsa_labelled_ecdsa = *venafi_sth;
  rsa_labelled_ecdsa.signature[1] = 3;  // RSA signature labelled ECDSA
  EXPECT_THAT(venafi->VerifyTreeHead(rsa_labelled_ecdsa),
              IsError(ErrorCode::kVerification, "does not match the log's RSA key"));
  SignedTreeHead ecdsa_labelled_rsa = *pilot_sth;
  ecdsa_labelled_rsa.signature[1] = 1;
  EXPECT_THAT(pilot->VerifyTreeHead(ecdsa_labelled_rsa),
              IsError(ErrorCode::kVerification, "does not match the log's ECDSA key"));
}

Bytes GeneratedSpki(const char* type, const char* param = nullptr) {
  EVP_PKEY* raw = param ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, param)
                        : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  EvpPkeyPtr key(raw);
  EXPECT_NE(key, nullptr);
  auto der = PublicKeyToDer(key.get());
  EXPECT_THAT(der, IsOk());
  return der.has_value() ? der.value() : Bytes{};
}

TEST(LogVerifierTest, RejectsUnsupportedKeys) {
  EXPECT_THAT(LogVerifier::FromSpki(GeneratedSpki("ED25519")),
              IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(LogVerifier::FromSpki(GeneratedSpki("EC", "P-384")),
              IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(LogVerifier::FromSpki(GeneratedSpki("EC", "P-256")), IsOk());
  EXPECT_THAT(LogVerifier::FromSpki(Bytes{0x30, 0x00}), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(LogVerifier::FromPem("not a key"), IsErrorCode(ErrorCode::kParse));
}

TEST(TreeHeadTest, SignatureInputLayout) {
  Sha256Hash root;
  for (size_t i = 0; i < root.size(); ++i) root[i] = static_cast<uint8_t>(i);
  const Bytes input = TreeHeadSignatureInput(0x0102030405060708, 0x1112131415161718, root);
  ASSERT_EQ(input.size(), 50u);
  EXPECT_EQ(HexEncode(ByteView(input).first(18)), "000101020304050607081112131415161718");
  EXPECT_TRUE(std::equal(root.begin(), root.end(), input.begin() + 18));
}

// ---- get-sth strictness ----------------------------------------------------------------------

TEST(ParseGetSthTest, CtGoErrorCasesAllFail) {
  const Json cases = Json::parse(ReadTestData("sth/malformed/ctgo-get-sth-error-cases.json"));
  ASSERT_GE(cases.size(), 8u);
  for (const auto& c : cases) {
    EXPECT_THAT(ParseGetSth(c["response_body"].get<std::string>()), IsErrorCode(ErrorCode::kParse))
        << c["desc"];
  }
}

TEST(ParseGetSthTest, CtGoErrorCasesFailForTheRightReason) {
  const Json cases = Json::parse(ReadTestData("sth/malformed/ctgo-get-sth-error-cases.json"));
  const std::pair<const char*, const char*> expected[] = {
      {"empty", "invalid JSON"},
      {"bad json", "invalid JSON"},
      {"root not base64", "sha256_root_hash is not base64"},
      {"sig not base64", "sha256_root_hash has 4 bytes"},  // the root fails first
      {"invalid hash len", "sha256_root_hash has 3 bytes"},
      {"bad tls data", "DigitallySigned"},
      // Upstream fails on the trailing byte; its last base64 group ("bbb=") also has non-zero
      // padding bits, which our strict decoder rejects first. Trailing data in a well-encoded
      // signature is covered by RejectsBadDigitallySigned.
      {"trailing junk", "tree_head_signature is not base64"},
  };
  for (const auto& [desc, message] : expected) {
    bool seen = false;
    for (const auto& c : cases) {
      if (c["desc"] != desc) continue;
      seen = true;
      EXPECT_THAT(ParseGetSth(c["response_body"].get<std::string>()),
                  IsError(ErrorCode::kParse, message))
          << desc;
      break;
    }
    EXPECT_TRUE(seen) << desc;
  }
}

Json PilotJson() {
  return Json::parse(ReadTestData("sth/rfc6962/google-pilot_3721782.get-sth.json"));
}

TEST(ParseGetSthTest, RejectsMissingFieldsAndWrongTypes) {
  for (const char* field : {"tree_size", "timestamp", "sha256_root_hash", "tree_head_signature"}) {
    Json j = PilotJson();
    j.erase(field);
    EXPECT_THAT(ParseGetSth(j.dump()), IsError(ErrorCode::kParse, field)) << field;
  }
  const std::pair<const char*, Json> wrong[] = {
      {"tree_size", "3721782"},
      {"tree_size", -1},
      {"tree_size", 1.5},
      {"timestamp", nullptr},
      {"timestamp", Json::array()},
      {"sha256_root_hash", 5},
      {"tree_head_signature", true},
  };
  for (const auto& [field, value] : wrong) {
    Json j = PilotJson();
    j[field] = value;
    EXPECT_THAT(ParseGetSth(j.dump()), IsError(ErrorCode::kParse, field)) << j.dump();
  }
  EXPECT_THAT(ParseGetSth("[]"), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(ParseGetSth("{\"tree_size\": 18446744073709551616}"), IsErrorCode(ErrorCode::kParse));
}

TEST(ParseGetSthTest, AcceptsUnknownFieldsAndMaxValues) {
  Json j = PilotJson();
  j["extension"] = "ignored";
  EXPECT_THAT(ParseGetSth(j.dump()), IsOk());
  j["tree_size"] = UINT64_MAX;
  auto sth = ParseGetSth(j.dump());
  ASSERT_THAT(sth, IsOk());
  EXPECT_EQ(sth->tree_size, UINT64_MAX);
}

TEST(ParseGetSthTest, RejectsBadDigitallySigned) {
  const Bytes good = *Base64Decode(PilotJson()["tree_head_signature"].get<std::string>());
  auto with_signature = [](const Bytes& sig) {
    Json j = PilotJson();
    j["tree_head_signature"] = Base64Encode(sig);
    return ParseGetSth(j.dump());
  };
  ASSERT_THAT(with_signature(good), IsOk());
  Bytes sha1 = good;
  sha1[0] = 2;
  EXPECT_THAT(with_signature(sha1), IsError(ErrorCode::kParse, "hash algorithm 2"));
  Bytes dsa = good;
  dsa[1] = 2;
  EXPECT_THAT(with_signature(dsa), IsError(ErrorCode::kParse, "signature algorithm 2"));
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_THAT(with_signature(trailing), IsError(ErrorCode::kParse, "trailing data"));
  Bytes truncated(good.begin(), good.end() - 1);
  EXPECT_THAT(with_signature(truncated), IsError(ErrorCode::kParse, "truncated"));
  EXPECT_THAT(with_signature(Bytes{4, 3, 0, 0}), IsError(ErrorCode::kParse, "empty"));
  EXPECT_THAT(with_signature(Bytes{}), IsError(ErrorCode::kParse, "truncated"));
}

TEST(ParseGetSthTest, RejectsWrongRootLength) {
  for (size_t len : {0, 31, 33}) {
    Json j = PilotJson();
    j["sha256_root_hash"] = Base64Encode(Bytes(len, 7));
    EXPECT_THAT(ParseGetSth(j.dump()), IsError(ErrorCode::kParse, "sha256_root_hash")) << len;
  }
}

TEST(ParseGetSthTest, RejectsOversizedBody) {
  std::string body = PilotJson().dump();
  body.append(64 * 1024, ' ');
  EXPECT_THAT(ParseGetSth(body), IsErrorCode(ErrorCode::kResourceExhausted));
}

}  // namespace
}  // namespace ctwatch
