// Every fault of the test log server over HTTP: it happens as configured, only where
// configured, and stops after its count (or at reset-faults).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "ctlog/checkpoint.h"
#include "ctlog/entry.h"
#include "ctlog/merkle.h"
#include "ctlog/tree_head.h"
#include "testlog_test_util.h"

namespace ctwatch::testlog {
namespace {

using ::ctwatch::testing::IsOk;
using testing::Fetched;
using testing::Get;
using testing::Post;

constexpr uint64_t kSize = 600;

class FaultsHttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = testing::StartServer(testing::SmallOptions(kSize)).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_EQ(Post(port(), "/admin/reset-faults", "").status, 200);
  }
  int port() const { return server_->port(); }
  void AddFault(const std::string& json) {
    Fetched f = Post(port(), "/admin/fault", json, "application/json");
    ASSERT_EQ(f.status, 200) << f.body;
  }
  nlohmann::json State() { return nlohmann::json::parse(Get(port(), "/admin/state").body); }
  uint64_t Fired(const char* type) { return State()["faults"]["fired"][type].get<uint64_t>(); }

  Status VerifySth(const std::string& body) {
    CTW_ASSIGN_OR_RETURN(SignedTreeHead sth, ParseGetSth(body));
    CTW_ASSIGN_OR_RETURN(LogVerifier verifier,
                         LogVerifier::FromSpki(server_->corpus().rfc6962_signer().spki()));
    return verifier.VerifyTreeHead(sth);
  }
  Result<Checkpoint> VerifyNote(const std::string& body) {
    CTW_ASSIGN_OR_RETURN(LogVerifier verifier,
                         LogVerifier::FromSpki(server_->corpus().static_signer().spki()));
    return VerifyCheckpoint(body, server_->static_origin(), verifier);
  }
  // Root recomputed from get-entries over the whole tree.
  Sha256Hash RecomputedRoot() {
    std::vector<Sha256Hash> hashes;
    while (hashes.size() < kSize) {
      Fetched f = Get(port(), "/rfc6962/ct/v1/get-entries?start=" + std::to_string(hashes.size()) +
                                  "&end=" + std::to_string(kSize - 1));
      EXPECT_EQ(f.status, 200);
      if (f.status != 200) break;
      const nlohmann::json body = nlohmann::json::parse(f.body);
      for (const auto& e : body["entries"]) {
        hashes.push_back(LeafHash(Base64Decode(e["leaf_input"].get<std::string>()).value()));
      }
    }
    return RootFromLeafHashes(hashes);
  }

  static TestLogServer* server_;
};

TestLogServer* FaultsHttpTest::server_ = nullptr;

TEST_F(FaultsHttpTest, StatusWithRetryAfterForNextNRequestsOnAPrefix) {
  AddFault(R"({"type":"status","status":429,"retry_after":7,"count":2,"path_prefix":"/rfc6962/"})");
  // Other prefixes and the admin API are not affected.
  EXPECT_EQ(Get(port(), "/static/checkpoint").status, 200);
  EXPECT_EQ(Get(port(), "/admin/state").status, 200);
  Fetched first = Get(port(), "/rfc6962/ct/v1/get-sth");
  EXPECT_EQ(first.status, 429);
  EXPECT_EQ(first.Header("Retry-After"), "7");
  EXPECT_EQ(Get(port(), "/rfc6962/ct/v1/get-entries?start=0&end=0").status, 429);
  EXPECT_EQ(Get(port(), "/rfc6962/ct/v1/get-sth").status, 200);
  EXPECT_EQ(Fired("status"), 2u);
  EXPECT_TRUE(State()["faults"]["active"].empty());

  AddFault(R"({"type":"status","status":503,"count":1})");
  Fetched unavailable = Get(port(), "/static/checkpoint");
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(unavailable.Header("Retry-After"), "");
  EXPECT_EQ(Get(port(), "/static/checkpoint").status, 200);

  AddFault(R"({"type":"status","status":500,"count":0})");  // until reset
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Get(port(), "/rfc6962/ct/v1/get-roots").status, 500);
  ASSERT_EQ(Post(port(), "/admin/reset-faults", "").status, 200);
  EXPECT_EQ(Get(port(), "/rfc6962/ct/v1/get-roots").status, 200);
}

TEST_F(FaultsHttpTest, DelayMakesClientsTimeOut) {
  AddFault(R"({"type":"delay","delay_ms":400,"count":2,"path_prefix":"/static/"})");
  // A client with a 150 ms read timeout gives up...
  EXPECT_EQ(Get(port(), "/static/checkpoint", {}, 150).status, -1);
  // ...a patient one waits it out.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Get(port(), "/static/checkpoint").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(380));
  const auto after = std::chrono::steady_clock::now();
  EXPECT_EQ(Get(port(), "/static/checkpoint").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - after, std::chrono::milliseconds(300));
  EXPECT_EQ(Fired("delay"), 2u);
}

TEST_F(FaultsHttpTest, TruncateCutsBodiesThenStops) {
  const std::string path = "/rfc6962/ct/v1/get-entries?start=0&end=9";
  const std::string whole = Get(port(), path).body;
  AddFault(R"({"type":"truncate","count":2})");
  for (int i = 0; i < 2; ++i) {
    Fetched cut = Get(port(), path);
    EXPECT_EQ(cut.status, 200);
    EXPECT_EQ(cut.body, whole.substr(0, whole.size() / 2));
    EXPECT_TRUE(nlohmann::json::parse(cut.body, nullptr, false).is_discarded());
  }
  EXPECT_EQ(Get(port(), path).body, whole);
  EXPECT_EQ(Fired("truncate"), 2u);
}

TEST_F(FaultsHttpTest, TruncateWithAbortDropsTheConnection) {
  AddFault(R"({"type":"truncate","abort":true,"count":1,"path_prefix":"/static/tile/"})");
  // The full Content-Length is announced, half arrives, the connection closes: a read error.
  EXPECT_EQ(Get(port(), "/static/" + DataTilePath(0, 256)).status, -1);
  Fetched ok = Get(port(), "/static/" + DataTilePath(0, 256));
  EXPECT_EQ(ok.status, 200);
  EXPECT_THAT(DecodeDataTile(0, AsBytes(ok.body), 256), IsOk());
}

TEST_F(FaultsHttpTest, CapEntriesShortensGetEntries) {
  AddFault(R"({"type":"cap_entries","max_entries":7,"count":2})");
  auto count = [&] {
    Fetched f = Get(port(), "/rfc6962/ct/v1/get-entries?start=0&end=99");
    return nlohmann::json::parse(f.body)["entries"].size();
  };
  EXPECT_EQ(count(), 7u);
  EXPECT_EQ(count(), 7u);
  EXPECT_EQ(count(), 100u);
  // A client following short responses still gets the right root.
  AddFault(R"({"type":"cap_entries","max_entries":33,"count":0})");
  EXPECT_EQ(RecomputedRoot(), server_->corpus().RootAt(kSize));
}

TEST_F(FaultsHttpTest, BadSignatureOnNextNHeadsOfBothApis) {
  AddFault(R"({"type":"bad_signature","count":2})");
  Fetched sth = Get(port(), "/rfc6962/ct/v1/get-sth");
  ASSERT_EQ(sth.status, 200);
  auto parsed = ParseGetSth(sth.body);
  ASSERT_THAT(parsed, IsOk());  // well-formed...
  EXPECT_EQ(parsed->root, server_->corpus().RootAt(kSize));
  EXPECT_FALSE(VerifySth(sth.body).has_value());  // ...but the signature does not verify
  Fetched note = Get(port(), "/static/checkpoint");
  EXPECT_FALSE(VerifyNote(note.body).has_value());
  EXPECT_THAT(VerifySth(Get(port(), "/rfc6962/ct/v1/get-sth").body), IsOk());
  EXPECT_THAT(VerifyNote(Get(port(), "/static/checkpoint").body), IsOk());
  EXPECT_EQ(Fired("bad_signature"), 2u);
}

TEST_F(FaultsHttpTest, SplitViewServesASignedHeadWithAnotherRoot) {
  AddFault(R"({"type":"split_view","tree_size":300,"count":1,"path_prefix":"/rfc6962/"})");
  Fetched split = Get(port(), "/rfc6962/ct/v1/get-sth");
  EXPECT_THAT(VerifySth(split.body), IsOk());  // correctly signed
  auto head = ParseGetSth(split.body);
  ASSERT_THAT(head, IsOk());
  EXPECT_EQ(head->tree_size, 300u);
  EXPECT_NE(head->root, server_->corpus().RootAt(300));
  auto normal = ParseGetSth(Get(port(), "/rfc6962/ct/v1/get-sth").body);
  ASSERT_THAT(normal, IsOk());
  EXPECT_EQ(normal->tree_size, kSize);
  EXPECT_EQ(normal->root, server_->corpus().RootAt(kSize));

  // Over the static API, at the current size (tree_size 0).
  AddFault(R"({"type":"split_view","count":1,"path_prefix":"/static/"})");
  auto checkpoint = VerifyNote(Get(port(), "/static/checkpoint").body);
  ASSERT_THAT(checkpoint, IsOk());
  EXPECT_EQ(checkpoint->head.tree_size, kSize);
  EXPECT_NE(checkpoint->head.root, server_->corpus().RootAt(kSize));
  auto good = VerifyNote(Get(port(), "/static/checkpoint").body);
  ASSERT_THAT(good, IsOk());
  EXPECT_EQ(good->head.root, server_->corpus().RootAt(kSize));
  EXPECT_EQ(Fired("split_view"), 2u);
}

TEST_F(FaultsHttpTest, CorruptLeafOverRfc6962MakesTheRootMismatch) {
  const Sha256Hash root = server_->corpus().RootAt(kSize);
  AddFault(R"({"type":"corrupt_leaf","index":123,"count":1})");
  Fetched f = Get(port(), "/rfc6962/ct/v1/get-entries?start=120&end=125");
  const auto entries = nlohmann::json::parse(f.body)["entries"];
  const Bytes leaf = Base64Decode(entries[3]["leaf_input"].get<std::string>()).value();
  auto decoded = DecodeRfc6962Entry(123, leaf, {});
  ASSERT_THAT(decoded, IsOk());  // still a well-formed entry
  EXPECT_NE(decoded->leaf_hash, server_->corpus().Entry(123).LeafHash());
  EXPECT_EQ(RecomputedRoot(), root);  // the count is used up: correct again

  AddFault(R"({"type":"corrupt_leaf","index":123,"count":0})");
  EXPECT_NE(RecomputedRoot(), root);
  Fetched proof = Get(port(), "/rfc6962/ct/v1/get-entry-and-proof?leaf_index=123&tree_size=600");
  const Bytes leaf2 =
      Base64Decode(nlohmann::json::parse(proof.body)["leaf_input"].get<std::string>()).value();
  EXPECT_NE(LeafHash(leaf2), server_->corpus().Entry(123).LeafHash());
  EXPECT_GE(Fired("corrupt_leaf"), 3u);
}

TEST_F(FaultsHttpTest, CorruptLeafOverStaticDisagreesWithTheHashTile) {
  AddFault(R"({"type":"corrupt_leaf","index":260,"count":1,"path_prefix":"/static/"})");
  const std::string data_path = "/static/" + DataTilePath(1, 256);
  const std::string hash_path = "/static/" + TilePath(0, 1, 256);
  auto leaf_hash_ok = [&](const std::string& tile) {
    auto entries = DecodeDataTile(256, AsBytes(tile), 256);
    EXPECT_THAT(entries, IsOk());
    const std::string hashes = Get(port(), hash_path).body;
    const Sha256Hash& h = (*entries)[4].leaf_hash;
    return std::equal(h.begin(), h.end(), reinterpret_cast<const uint8_t*>(hashes.data()) + 128);
  };
  EXPECT_FALSE(leaf_hash_ok(Get(port(), data_path).body));
  EXPECT_TRUE(leaf_hash_ok(Get(port(), data_path).body));
  // The RFC 6962 view was never affected.
  Fetched f = Get(port(), "/rfc6962/ct/v1/get-entries?start=260&end=260");
  const Bytes leaf =
      Base64Decode(nlohmann::json::parse(f.body)["entries"][0]["leaf_input"].get<std::string>())
          .value();
  EXPECT_EQ(LeafHash(leaf), server_->corpus().Entry(260).LeafHash());
}

TEST_F(FaultsHttpTest, BadFaultBodiesAreRejected) {
  EXPECT_EQ(Post(port(), "/admin/fault", "{\"type\":\"nope\"}", "application/json").status, 400);
  EXPECT_EQ(Post(port(), "/admin/fault", "[]", "application/json").status, 400);
  EXPECT_TRUE(State()["faults"]["active"].empty());
}

}  // namespace
}  // namespace ctwatch::testlog
