// The test log server over HTTP, checked with ctwatch's own verification code (src/ctlog):
// signed heads and checkpoints verify, entries recompute the signed root, proofs verify,
// tiles agree with each other and with the RFC 6962 view, planted entries are what the
// manifest says.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "cert/facts.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/gzip.h"
#include "core/sha256.h"
#include "ctlog/checkpoint.h"
#include "ctlog/entry.h"
#include "ctlog/log_list.h"
#include "ctlog/merkle.h"
#include "ctlog/tree_head.h"
#include "testlog_test_util.h"

namespace ctwatch::testlog {
namespace {

using ::ctwatch::testing::IsOk;
using testing::Fetched;
using testing::Get;
using testing::Lines;
using testing::Post;

constexpr uint64_t kSize = 1000;  // 3 full tiles and a partial one of 232

std::vector<Bytes> B64List(const nlohmann::json& array) {
  std::vector<Bytes> out;
  for (const auto& item : array) out.push_back(Base64Decode(item.get<std::string>()).value());
  return out;
}

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    manifest_path_ = new std::string(::testing::TempDir() + "/testlog_api_manifest-" +
                                     std::to_string(getpid()) + ".jsonl");
    ServerOptions options = testing::SmallOptions(kSize);
    options.corpus.manifest_path = *manifest_path_;
    server_ = testing::StartServer(options).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    std::remove(manifest_path_->c_str());
    delete manifest_path_;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr); }
  int port() const { return server_->port(); }

  SignedTreeHead FetchSth() {
    Fetched f = Get(port(), "/rfc6962/ct/v1/get-sth");
    EXPECT_EQ(f.status, 200);
    auto sth = ParseGetSth(f.body);
    EXPECT_THAT(sth, IsOk());
    return sth.has_value() ? *sth : SignedTreeHead{};
  }
  LogVerifier Rfc6962Verifier() {
    return LogVerifier::FromSpki(server_->corpus().rfc6962_signer().spki()).value();
  }
  LogVerifier StaticVerifier() {
    return LogVerifier::FromSpki(server_->corpus().static_signer().spki()).value();
  }
  // Every entry [0, size) through get-entries, following short responses.
  std::vector<LogEntry> FetchAllEntries(uint64_t size) {
    std::vector<LogEntry> out;
    while (out.size() < size) {
      Fetched f = Get(port(), "/rfc6962/ct/v1/get-entries?start=" + std::to_string(out.size()) +
                                  "&end=" + std::to_string(size - 1));
      EXPECT_EQ(f.status, 200);
      if (f.status != 200) break;
      auto j = nlohmann::json::parse(f.body);
      EXPECT_LE(j["entries"].size(), 256u);
      for (const auto& e : j["entries"]) {
        const Bytes leaf = Base64Decode(e["leaf_input"].get<std::string>()).value();
        const Bytes extra = Base64Decode(e["extra_data"].get<std::string>()).value();
        auto entry = DecodeRfc6962Entry(out.size(), leaf, extra);
        EXPECT_THAT(entry, IsOk());
        if (!entry.has_value()) return out;
        out.push_back(std::move(entry).value());
      }
    }
    return out;
  }

  static TestLogServer* server_;
  static std::string* manifest_path_;
};

TestLogServer* ApiTest::server_ = nullptr;
std::string* ApiTest::manifest_path_ = nullptr;

TEST_F(ApiTest, SignedTreeHeadVerifiesWithTheServedKey) {
  const SignedTreeHead sth = FetchSth();
  EXPECT_EQ(sth.tree_size, kSize);
  EXPECT_THAT(Rfc6962Verifier().VerifyTreeHead(sth), IsOk());
  // The other log's key must not verify it: two logs, two keys.
  EXPECT_FALSE(StaticVerifier().VerifyTreeHead(sth).has_value());
}

TEST_F(ApiTest, EntriesRecomputeTheSignedRoot) {
  const SignedTreeHead sth = FetchSth();
  const std::vector<LogEntry> entries = FetchAllEntries(sth.tree_size);
  ASSERT_EQ(entries.size(), sth.tree_size);
  std::vector<Sha256Hash> hashes;
  size_t precerts = 0, with_two_chain = 0;
  for (const LogEntry& e : entries) {
    hashes.push_back(e.leaf_hash);
    if (e.type == EntryType::kPrecert) {
      ++precerts;
      EXPECT_FALSE(e.precertificate.empty());
      EXPECT_EQ(e.issuer_key_hash, server_->corpus().factory().intermediate_key_hash());
    }
    if (e.chain.size() == 2) {
      ++with_two_chain;
      EXPECT_EQ(e.chain[0], server_->corpus().factory().intermediate_der());
      EXPECT_EQ(e.chain[1], server_->corpus().factory().root_der());
    }
    // The static-ct-api leaf_index extension names the entry's own index.
    ASSERT_EQ(e.extensions.size(), 8u);
    uint64_t index = 0;
    for (size_t i = 3; i < 8; ++i) index = (index << 8) | e.extensions[i];
    EXPECT_EQ(index, e.index);
  }
  EXPECT_EQ(RootFromLeafHashes(hashes), sth.root);
  EXPECT_GT(precerts, kSize / 3);
  EXPECT_GT(with_two_chain, kSize / 2);
  // Every leaf is distinct (timestamps differ), though certificates repeat from the pool.
  std::set<Sha256Hash> unique(hashes.begin(), hashes.end());
  EXPECT_EQ(unique.size(), hashes.size());
}

TEST_F(ApiTest, GetEntriesCapsAndRejectsBadRanges) {
  auto count = [&](const std::string& query) {
    Fetched f = Get(port(), "/rfc6962/ct/v1/get-entries?" + query);
    if (f.status != 200) return -f.status;
    return static_cast<int>(nlohmann::json::parse(f.body)["entries"].size());
  };
  EXPECT_EQ(count("start=0&end=999"), 256);
  EXPECT_EQ(count("start=10&end=10"), 1);
  EXPECT_EQ(count("start=990&end=5000"), 10);  // clipped at the tree size
  EXPECT_EQ(count("start=5&end=4"), -400);
  EXPECT_EQ(count("start=1000&end=1000"), -400);
  EXPECT_EQ(count("start=-1&end=4"), -400);
  EXPECT_EQ(count("start=0"), -400);
}

TEST_F(ApiTest, ConsistencyProofsVerify) {
  const SignedTreeHead sth = FetchSth();
  std::vector<Sha256Hash> hashes;
  for (const LogEntry& e : FetchAllEntries(sth.tree_size)) hashes.push_back(e.leaf_hash);
  for (uint64_t first : {1, 2, 7, 255, 256, 257, 500, 999, 1000}) {
    Fetched f = Get(port(), "/rfc6962/ct/v1/get-sth-consistency?first=" + std::to_string(first) +
                                "&second=" + std::to_string(sth.tree_size));
    ASSERT_EQ(f.status, 200) << first;
    const auto proof = B64List(nlohmann::json::parse(f.body)["consistency"]);
    const Sha256Hash root1 = RootFromLeafHashes(std::span(hashes).first(first));
    EXPECT_THAT(VerifyConsistency(first, sth.tree_size, proof, root1, sth.root), IsOk()) << first;
  }
  EXPECT_EQ(Get(port(), "/rfc6962/ct/v1/get-sth-consistency?first=5&second=4").status, 400);
  EXPECT_EQ(Get(port(), "/rfc6962/ct/v1/get-sth-consistency?first=5&second=1001").status, 400);
}

TEST_F(ApiTest, InclusionProofsVerify) {
  const SignedTreeHead sth = FetchSth();
  const std::vector<LogEntry> entries = FetchAllEntries(sth.tree_size);
  for (uint64_t index : {0, 1, 255, 256, 511, 767, 998, 999}) {
    Fetched f = Get(
        port(), "/rfc6962/ct/v1/get-proof-by-hash?hash=" +
                    httplib::detail::encode_query_param(Base64Encode(entries[index].leaf_hash)) +
                    "&tree_size=" + std::to_string(sth.tree_size));
    ASSERT_EQ(f.status, 200) << index;
    auto j = nlohmann::json::parse(f.body);
    EXPECT_EQ(j["leaf_index"].get<uint64_t>(), index);
    EXPECT_THAT(VerifyInclusion(index, sth.tree_size, entries[index].leaf_hash,
                                B64List(j["audit_path"]), sth.root),
                IsOk());

    Fetched g =
        Get(port(), "/rfc6962/ct/v1/get-entry-and-proof?leaf_index=" + std::to_string(index) +
                        "&tree_size=" + std::to_string(sth.tree_size));
    ASSERT_EQ(g.status, 200);
    auto k = nlohmann::json::parse(g.body);
    const Bytes leaf = Base64Decode(k["leaf_input"].get<std::string>()).value();
    EXPECT_EQ(LeafHash(leaf), entries[index].leaf_hash);
    EXPECT_THAT(
        VerifyInclusion(index, sth.tree_size, LeafHash(leaf), B64List(k["audit_path"]), sth.root),
        IsOk());
  }
  // Proof in an older tree.
  Fetched f = Get(port(), "/rfc6962/ct/v1/get-entry-and-proof?leaf_index=3&tree_size=10");
  ASSERT_EQ(f.status, 200);
  std::vector<Sha256Hash> first10;
  for (int i = 0; i < 10; ++i) first10.push_back(entries[i].leaf_hash);
  EXPECT_THAT(VerifyInclusion(3, 10, entries[3].leaf_hash,
                              B64List(nlohmann::json::parse(f.body)["audit_path"]),
                              RootFromLeafHashes(first10)),
              IsOk());
  Sha256Hash unknown = Sha256(AsBytes("not a leaf"));
  EXPECT_EQ(Get(port(), "/rfc6962/ct/v1/get-proof-by-hash?hash=" +
                            httplib::detail::encode_query_param(Base64Encode(unknown)) +
                            "&tree_size=1000")
                .status,
            404);
  EXPECT_EQ(Get(port(), "/rfc6962/ct/v1/get-entry-and-proof?leaf_index=10&tree_size=10").status,
            400);
}

TEST_F(ApiTest, RootsAndIssuersHashToTheirFingerprint) {
  Fetched roots = Get(port(), "/rfc6962/ct/v1/get-roots");
  ASSERT_EQ(roots.status, 200);
  const auto certs = B64List(nlohmann::json::parse(roots.body)["certificates"]);
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0], server_->corpus().factory().root_der());
  for (const Bytes* issuer : server_->corpus().Issuers()) {
    const std::string hex = HexEncode(Sha256(*issuer));
    Fetched f = Get(port(), "/static/issuer/" + hex);
    ASSERT_EQ(f.status, 200);
    EXPECT_EQ(HexEncode(Sha256(AsBytes(f.body))), hex);
  }
  EXPECT_EQ(Get(port(), "/static/issuer/" + std::string(64, '0')).status, 404);
  EXPECT_EQ(Get(port(), "/static/issuer/ABC").status, 404);
}

TEST_F(ApiTest, CheckpointVerifiesAndMatchesTheRfc6962Head) {
  Fetched f = Get(port(), "/static/checkpoint");
  ASSERT_EQ(f.status, 200);
  const std::string origin = server_->static_origin();
  EXPECT_EQ(origin, "127.0.0.1:" + std::to_string(port()) + "/static");
  auto checkpoint = VerifyCheckpoint(f.body, origin, StaticVerifier());
  ASSERT_THAT(checkpoint, IsOk());
  EXPECT_EQ(checkpoint->head.tree_size, kSize);
  EXPECT_EQ(checkpoint->head.root, FetchSth().root);  // one corpus behind both APIs
  // The foreign cosignature line comes first and is ignored.
  EXPECT_NE(f.body.find("\xe2\x80\x94 witness.ctwatch-testlog.invalid "), std::string::npos);
  EXPECT_LT(f.body.find("witness.ctwatch-testlog.invalid"), f.body.find("\xe2\x80\x94 " + origin));
  EXPECT_FALSE(VerifyCheckpoint(f.body, origin, Rfc6962Verifier()).has_value());
}

TEST_F(ApiTest, HashTilesEqualTheLeafHashesOfDataTiles) {
  std::vector<Sha256Hash> all_leaves;
  for (uint64_t tile = 0; tile < 4; ++tile) {
    const unsigned width = tile < 3 ? 256 : kSize - 3 * 256;
    Fetched data = Get(port(), "/static/" + DataTilePath(tile, width));
    ASSERT_EQ(data.status, 200) << tile;
    auto entries = DecodeDataTile(tile * 256, AsBytes(data.body), width);
    ASSERT_THAT(entries, IsOk());
    Fetched hashes = Get(port(), "/static/" + TilePath(0, tile, width));
    ASSERT_EQ(hashes.status, 200);
    ASSERT_EQ(hashes.body.size(), 32u * width);
    for (unsigned i = 0; i < width; ++i) {
      const LogEntry& e = (*entries)[i];
      EXPECT_EQ(e.index, tile * 256 + i);
      EXPECT_TRUE(std::equal(e.leaf_hash.begin(), e.leaf_hash.end(),
                             reinterpret_cast<const uint8_t*>(hashes.body.data()) + 32 * i));
      // Fingerprints name issuers the log serves.
      for (const Sha256Hash& fp : e.chain_fingerprints) {
        EXPECT_EQ(Get(port(), "/static/issuer/" + HexEncode(fp)).status, 200);
      }
      all_leaves.push_back(e.leaf_hash);
    }
  }
  EXPECT_EQ(RootFromLeafHashes(all_leaves), FetchSth().root);
  // Level 1: one partial tile of 3 hashes, each the root of a full level-0 tile.
  Fetched level1 = Get(port(), "/static/" + TilePath(1, 0, 3));
  ASSERT_EQ(level1.status, 200);
  ASSERT_EQ(level1.body.size(), 96u);
  for (int t = 0; t < 3; ++t) {
    const Sha256Hash root = RootFromLeafHashes(std::span(all_leaves).subspan(256 * t, 256));
    EXPECT_TRUE(std::equal(root.begin(), root.end(),
                           reinterpret_cast<const uint8_t*>(level1.body.data()) + 32 * t));
  }
}

TEST_F(ApiTest, PartialTilesExistOnlyUpToTheTreeSize) {
  EXPECT_EQ(Get(port(), "/static/" + TilePath(0, 3, 256)).status, 404);  // not full yet
  EXPECT_EQ(Get(port(), "/static/" + TilePath(0, 3, 232)).status, 200);
  EXPECT_EQ(Get(port(), "/static/" + TilePath(0, 3, 100)).status, 200);  // older partial
  EXPECT_EQ(Get(port(), "/static/" + TilePath(0, 3, 233)).status, 404);
  EXPECT_EQ(Get(port(), "/static/" + DataTilePath(3, 233)).status, 404);
  EXPECT_EQ(Get(port(), "/static/" + DataTilePath(4, 1)).status, 404);
  EXPECT_EQ(Get(port(), "/static/" + TilePath(1, 0, 256)).status, 404);
  EXPECT_EQ(Get(port(), "/static/tile/0/3").status, 404);  // not canonical
  EXPECT_EQ(Get(port(), "/static/tile/0/x000/003").status, 404);
  Fetched partial = Get(port(), "/static/" + DataTilePath(3, 10));
  ASSERT_EQ(partial.status, 200);
  EXPECT_THAT(DecodeDataTile(768, AsBytes(partial.body), 10), IsOk());
}

TEST_F(ApiTest, DataTilesAreGzippedWhenTheClientAcceptsIt) {
  Fetched plain = Get(port(), "/static/" + DataTilePath(0, 256));
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.Header("Content-Encoding"), "");
  Fetched gz = Get(port(), "/static/" + DataTilePath(0, 256), {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.Header("Content-Encoding"), "gzip");
  ASSERT_TRUE(LooksGzipped(AsBytes(gz.body)));
  auto unzipped = Gunzip(AsBytes(gz.body), 16u << 20);
  ASSERT_THAT(unzipped, IsOk());
  EXPECT_EQ(ToString(*unzipped), plain.body);
  EXPECT_LT(gz.body.size(), plain.body.size());
}

TEST(GzipWithoutHeaderTest, DataTilesAreAlwaysGzippedWithoutTheHeader) {
  ServerOptions options = testing::SmallOptions(300);
  options.gzip_tiles_without_header = true;
  auto server = testing::StartServer(options);
  ASSERT_NE(server, nullptr);
  Fetched f = Get(server->port(), "/static/" + DataTilePath(0, 256));
  ASSERT_EQ(f.status, 200);
  EXPECT_EQ(f.Header("Content-Encoding"), "");
  ASSERT_TRUE(LooksGzipped(AsBytes(f.body)));
  auto unzipped = Gunzip(AsBytes(f.body), 16u << 20);
  ASSERT_THAT(unzipped, IsOk());
  EXPECT_THAT(DecodeDataTile(0, *unzipped, 256), IsOk());
}

TEST_F(ApiTest, PlantedEntriesAreWhatTheManifestSays) {
  const auto manifest = server_->corpus().Manifest();
  ASSERT_EQ(manifest.size(), 5u);  // two pairs and one malformed entry
  // The manifest file holds the same lines.
  auto text = ReadFile(*manifest_path_);
  ASSERT_THAT(text, IsOk());
  const auto lines = Lines(*text);
  ASSERT_GE(lines.size(), 5u);
  std::map<std::string, int> per_identity;
  for (size_t i = 0; i < manifest.size(); ++i) {
    const ManifestRecord& record = manifest[i];
    auto line = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(line["index"].get<uint64_t>(), record.index);
    Fetched f = Get(port(), "/rfc6962/ct/v1/get-entries?start=" + std::to_string(record.index) +
                                "&end=" + std::to_string(record.index));
    ASSERT_EQ(f.status, 200);
    auto j = nlohmann::json::parse(f.body)["entries"][0];
    auto entry =
        DecodeRfc6962Entry(record.index, Base64Decode(j["leaf_input"].get<std::string>()).value(),
                           Base64Decode(j["extra_data"].get<std::string>()).value());
    ASSERT_THAT(entry, IsOk());
    EXPECT_EQ(entry->leaf_hash, record.leaf_hash);
    EXPECT_EQ(entry->type, record.type);
    if (record.malformed) {
      EXPECT_EQ(line["malformed"], true);
      EXPECT_EQ(line["identity"], "");
      EXPECT_EQ(Sha256(entry->certificate), record.cert_sha256);
      EXPECT_FALSE(FactsFromCertificate(entry->certificate).has_value());
      continue;
    }
    EXPECT_EQ(line["identity"], HexEncode(record.identity));
    EXPECT_EQ(line["entry_type"], EntryTypeName(record.type));
    ++per_identity[HexEncode(record.identity)];
    Result<CertFacts> facts =
        record.type == EntryType::kPrecert
            ? FactsFromPrecert(entry->certificate, entry->issuer_key_hash, entry->precertificate)
            : FactsFromCertificate(entry->certificate, entry->chain.at(0));
    ASSERT_THAT(facts, IsOk());
    EXPECT_EQ(facts->identity, record.identity);
    EXPECT_EQ(facts->cert_sha256, record.cert_sha256);
    EXPECT_EQ(facts->names.dns_names, record.names);
    EXPECT_EQ(facts->issuer_key_hash, server_->corpus().factory().intermediate_key_hash());
  }
  // Each identity appears twice: the precertificate and its final certificate.
  ASSERT_EQ(per_identity.size(), 2u);
  for (const auto& [identity, n] : per_identity) EXPECT_EQ(n, 2) << identity;
}

TEST_F(ApiTest, LogListsNameTheLogsWithTheirRealKeysAndUrls) {
  Fetched full = Get(port(), "/loglist.json");
  ASSERT_EQ(full.status, 200);
  auto list = ParseLogList(full.body);
  ASSERT_THAT(list, IsOk());
  ASSERT_EQ(list->logs.size(), 2u);
  const std::string base = "http://127.0.0.1:" + std::to_string(port()) + "/";
  for (const LogInfo& log : list->logs) {
    EXPECT_EQ(log.state, LogState::kUsable);
    EXPECT_EQ(log.mmd_seconds, 86400);
    EXPECT_EQ(log.log_id, Sha256(log.key));
    if (log.api == LogApi::kRfc6962) {
      EXPECT_EQ(log.url, base + "rfc6962/");
      EXPECT_EQ(log.key, server_->corpus().rfc6962_signer().spki());
    } else {
      EXPECT_EQ(log.url, base + "static/");
      EXPECT_EQ(log.key, server_->corpus().static_signer().spki());
      EXPECT_EQ(log.CheckpointOrigin(), server_->static_origin());
    }
  }
  EXPECT_EQ(MonitorableLogs(*list).size(), 2u);
  auto rfc_only = ParseLogList(Get(port(), "/loglist-rfc6962.json").body);
  ASSERT_THAT(rfc_only, IsOk());
  ASSERT_EQ(rfc_only->logs.size(), 1u);
  EXPECT_EQ(rfc_only->logs[0].api, LogApi::kRfc6962);
}

TEST(GrowthTest, GrowAndPlantThroughTheAdminApi) {
  const std::string manifest_path =
      ::testing::TempDir() + "/testlog_growth_manifest-" + std::to_string(getpid()) + ".jsonl";
  ServerOptions options = testing::SmallOptions(300);
  options.corpus.manifest_path = manifest_path;
  auto server = testing::StartServer(options);
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  auto sth1 = ParseGetSth(Get(port, "/rfc6962/ct/v1/get-sth").body);
  ASSERT_THAT(sth1, IsOk());

  Fetched grown = Post(port, "/admin/grow?count=700", "");
  ASSERT_EQ(grown.status, 200);
  EXPECT_EQ(nlohmann::json::parse(grown.body)["size"], 1000);
  Fetched planted = Post(port, "/admin/plant?malformed=1",
                         "new.planted-shop.example shop.planted-shop.example\n");
  ASSERT_EQ(planted.status, 200);
  const auto lines = Lines(planted.body);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["index"], 1000);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["entry_type"], "precert");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["index"], 1001);
  EXPECT_EQ(nlohmann::json::parse(lines[1])["entry_type"], "cert");
  EXPECT_EQ(nlohmann::json::parse(lines[0])["identity"],
            nlohmann::json::parse(lines[1])["identity"]);
  EXPECT_EQ(nlohmann::json::parse(lines[2])["malformed"], true);
  EXPECT_EQ(Post(port, "/admin/grow?count=x", "").status, 400);

  // The manifest file grew with the log (5 initial + 3).
  auto text = ReadFile(manifest_path);
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(Lines(*text).size(), 8u);
  EXPECT_EQ(Lines(Get(port, "/admin/manifest").body).size(), 8u);

  auto sth2 = ParseGetSth(Get(port, "/rfc6962/ct/v1/get-sth").body);
  ASSERT_THAT(sth2, IsOk());
  EXPECT_EQ(sth2->tree_size, 1003u);
  Fetched consistency = Get(port, "/rfc6962/ct/v1/get-sth-consistency?first=300&second=1003");
  ASSERT_EQ(consistency.status, 200);
  EXPECT_THAT(
      VerifyConsistency(300, 1003, B64List(nlohmann::json::parse(consistency.body)["consistency"]),
                        sth1->root, sth2->root),
      IsOk());
  auto state = nlohmann::json::parse(Get(port, "/admin/state").body);
  EXPECT_EQ(state["size"], 1003);
  EXPECT_EQ(state["planted"], 8);
  EXPECT_EQ(state["root"], HexEncode(sth2->root));
  server.reset();
  std::remove(manifest_path.c_str());
}

// Readers on several threads while the log grows and plants: every head verifies, every
// pair of heads is consistent, and get-entries never serves past a head it could have seen.
TEST(GrowthTest, ConcurrentReadersSeeConsistentHeadsWhileGrowing) {
  auto server = testing::StartServer(testing::SmallOptions(100));
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  auto verifier = LogVerifier::FromSpki(server->corpus().rfc6962_signer().spki());
  ASSERT_THAT(verifier, IsOk());
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      SignedTreeHead previous;
      while (!done) {
        auto sth = ParseGetSth(Get(port, "/rfc6962/ct/v1/get-sth").body);
        if (!sth.has_value() || !verifier->VerifyTreeHead(*sth).has_value()) {
          ++failures;
          continue;
        }
        if (previous.tree_size > 0 && previous.tree_size < sth->tree_size) {
          Fetched f = Get(port, "/rfc6962/ct/v1/get-sth-consistency?first=" +
                                    std::to_string(previous.tree_size) +
                                    "&second=" + std::to_string(sth->tree_size));
          if (f.status != 200 ||
              !VerifyConsistency(previous.tree_size, sth->tree_size,
                                 B64List(nlohmann::json::parse(f.body)["consistency"]),
                                 previous.root, sth->root)
                   .has_value()) {
            ++failures;
          }
        }
        Fetched entries =
            Get(port, "/rfc6962/ct/v1/get-entries?start=" + std::to_string(sth->tree_size - 1) +
                          "&end=" + std::to_string(sth->tree_size + 5));
        if (entries.status != 200) ++failures;
        previous = *sth;
      }
    });
  }
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(Post(port, "/admin/grow?count=" + std::to_string(37 * i + 1), "").status, 200);
    if (i % 10 == 0) {
      EXPECT_EQ(Post(port, "/admin/plant", "c" + std::to_string(i) + ".x.example").status, 200);
    }
  }
  done = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server->corpus().size(), 100u + 37 * 435 + 30 + 6);
}

TEST(GrowthTest, GrowsOnATimer) {
  ServerOptions options = testing::SmallOptions(10);
  options.grow_every_ms = 20;
  options.grow_count = 5;
  auto server = testing::StartServer(options);
  ASSERT_NE(server, nullptr);
  for (int i = 0; i < 200 && server->corpus().size() < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(server->corpus().size(), 30u);
  server->Stop();
  const uint64_t stopped_at = server->corpus().size();
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(server->corpus().size(), stopped_at);
}

}  // namespace
}  // namespace ctwatch::testlog
