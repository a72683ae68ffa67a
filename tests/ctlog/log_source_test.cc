// LogSource over both APIs against a loopback log: signed heads (good and bad signatures),
// entries with short answers and malformed leaves, data tiles (full, partial, fallback),
// and the issuer cache.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "core/encoding.h"
#include "core/sha256.h"
#include "ctlog/log_client.h"
#include "ctlog/merkle.h"
#include "loopback_log.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::LoopbackServer;
using ::ctwatch::testing::ReadTestData;
using ::ctwatch::testing::TestLogKey;

Sha256Hash FromB64(const std::string& b64) {
  Sha256Hash h{};
  const Bytes b = Base64Decode(b64).value();
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

// --- RFC 6962 -----------------------------------------------------------------------------

class Rfc6962SourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The log: the ten real entries of the four bodies, in order.
    for (const char* path : {"entries/ctgo-logclient/get-entries_precert_then_x509.json",
                             "entries/ctgo-scanner/four-entries.get-entries.json",
                             "entries/scrape-ct-log/get-entries_wrapped_x509_then_precert.json",
                             "entries/ctclient-rs/get-entries_wrapped_x509_then_precert.json"}) {
      auto raw = ParseGetEntries(ReadTestData(path));
      ASSERT_THAT(raw, IsOk());
      for (RawEntry& e : *raw) log_.push_back(std::move(e));
    }
    server_.Route(
        "/ct/v1/get-entries", [this](const httplib::Request& req, httplib::Response& res) {
          const size_t start = std::stoul(req.get_param_value("start"));
          const size_t end = std::min(
              {std::stoul(req.get_param_value("end")), log_.size() - 1, start + page_size_ - 1});
          std::string body = "{\"entries\":[";
          for (size_t i = start; i <= end; ++i) {
            body += std::string(i > start ? "," : "") + "{\"leaf_input\":\"" +
                    Base64Encode(log_[i].leaf_input) + "\",\"extra_data\":\"" +
                    Base64Encode(log_[i].extra_data) + "\"}";
          }
          res.set_content(body + "]}", "application/json");
        });
    info_.description = "loopback rfc6962";
    info_.api = LogApi::kRfc6962;
    info_.url = server_.Url("/");
    info_.key = key_.spki();
    info_.log_id = key_.log_id();
  }
  std::unique_ptr<LogSource> Source() {
    return MakeLogSource(info_, std::make_unique<CurlHttpClient>(), nullptr);
  }

  TestLogKey key_;
  LoopbackServer server_;
  std::vector<RawEntry> log_;
  size_t page_size_ = 3;
  LogInfo info_;
};

TEST_F(Rfc6962SourceTest, FetchHeadVerifiesTheSignature) {
  const Sha256Hash root = Sha256(AsBytes("root"));
  server_.Serve("/ct/v1/get-sth", key_.SthJson(10, 1700000000000, root), "application/json");
  auto source = Source();
  auto head = source->FetchHead();
  ASSERT_THAT(head, IsOk());
  EXPECT_EQ(head->tree_size, 10u);
  EXPECT_EQ(head->root, root);

  // The same signature over another size: a bad signature is kVerification.
  std::string forged = key_.SthJson(10, 1700000000000, root);
  forged.replace(forged.find("\"tree_size\":10"), 14, "\"tree_size\":11");
  server_.Serve("/ct/v1/get-sth", forged, "application/json");
  EXPECT_THAT(source->FetchHead(), IsErrorCode(ErrorCode::kVerification));
  // Signed by another key.
  TestLogKey other;
  server_.Serve("/ct/v1/get-sth", other.SthJson(10, 1700000000000, root), "application/json");
  EXPECT_THAT(source->FetchHead(), IsErrorCode(ErrorCode::kVerification));
}

TEST_F(Rfc6962SourceTest, BadLogKeyIsReported) {
  info_.key = {1, 2, 3};
  EXPECT_THAT(Source()->FetchHead(), IsErrorCode(ErrorCode::kParse));
}

TEST_F(Rfc6962SourceTest, FetchEntriesWalksShortAnswers) {
  const char* const hashes[] = {"+9w+LseH7yXT1hVQn/NsRJMFd2AZc7YSzXkTQJIKNlQ=",
                                "llzS9d1EMQTOpKxjYFV00gVSAAahEELueHGkXc+8vQM=",
                                "wDblrkBlhZ7UqimOaRS18MjqvNyt/Fc2tcy6nWONY84=",
                                "/NeD2RVJUnnzreBeKM4fCCWk+KZzG2ctHdm9LLngwJY=",
                                "h6Wo6zvO+d293qbd/5bfwMae9eh4jAZULr6i2fLAop4=",
                                "ZQTM8g4mqf80Mb7LHTEJfMWK3DlJC+ztM3WNPnYB9Yc=",
                                "zYO2bNBjjKByVh2zzONTG8FChOolfp/LZ8M27J9IyMc=",
                                "DZp09wS1MjtjoM4mHIjU8W2RGTDwAQrvP4yTWHjVGAs=",
                                "xPCLj2Qc+cEQP4O8Sh04DLQdX5KAAUuSaMWRx840Hs0=",
                                "wjLVpMUnmRBiN9booex/k5pzR/X85nj56cmRNZA1STk="};
  auto source = Source();
  uint64_t next = 0;
  int calls = 0;
  while (next < 10) {
    auto batch = source->FetchEntries(next, 10, false);
    ASSERT_THAT(batch, IsOk());
    ASSERT_FALSE(batch->empty());
    EXPECT_LE(batch->size(), page_size_);
    for (LogEntry& e : *batch) {
      EXPECT_EQ(e.index, next);
      EXPECT_FALSE(e.malformed()) << e.parse_error;
      EXPECT_EQ(Base64Encode(e.leaf_hash), hashes[next]);
      EXPECT_TRUE(e.chain.empty());  // decoded on demand
      EXPECT_THAT(source->FetchChain(&e), IsOk());
      EXPECT_FALSE(e.chain.empty());
      ++next;
    }
    ++calls;
  }
  EXPECT_EQ(calls, 4);
  EXPECT_THAT(source->FetchEntries(5, 5, false), IsErrorCode(ErrorCode::kInvalidArgument));
}

TEST_F(Rfc6962SourceTest, MalformedLeavesDoNotStopTheLog) {
  Bytes bad_leaf = log_[1].leaf_input;
  bad_leaf[0] = 1;  // unknown version
  log_[1].leaf_input = bad_leaf;
  log_[2].extra_data.push_back(0);  // trailing byte in extra_data
  page_size_ = 10;
  auto batch = Source()->FetchEntries(0, 10, false);
  ASSERT_THAT(batch, IsOk());
  ASSERT_EQ(batch->size(), 10u);
  const LogEntry& a = (*batch)[1];
  EXPECT_TRUE(a.malformed());
  EXPECT_NE(a.parse_error.find("version"), std::string::npos) << a.parse_error;
  EXPECT_EQ(a.raw_leaf, bad_leaf);
  EXPECT_EQ(a.leaf_hash, LeafHash(bad_leaf));  // the tree still gets the right leaf hash
  EXPECT_TRUE(a.certificate.empty());
  // Bad extra_data (not covered by the leaf hash) shows when the chain is needed.
  LogEntry b = (*batch)[2];
  EXPECT_FALSE(b.malformed());
  EXPECT_FALSE(b.certificate.empty());
  EXPECT_EQ(Base64Encode(b.leaf_hash), "wDblrkBlhZ7UqimOaRS18MjqvNyt/Fc2tcy6nWONY84=");
  Status chain = Source()->FetchChain(&b);
  ASSERT_FALSE(chain.has_value());
  EXPECT_NE(chain.error().message.find("extra_data"), std::string::npos) << chain.error().message;
  EXPECT_TRUE(b.chain.empty());
  for (size_t i : {0, 3, 9}) EXPECT_FALSE((*batch)[i].malformed());
}

TEST_F(Rfc6962SourceTest, RateLimitPassesThrough) {
  server_.Route("/ct/v1/get-entries", [](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "3");
  });
  auto r = Source()->FetchEntries(0, 10, false);
  ASSERT_THAT(r, IsErrorCode(ErrorCode::kRateLimited));
  EXPECT_EQ(r.error().retry_after_ms, 3000);
}

// --- static-ct-api ------------------------------------------------------------------------

const char kTiles[] = "entries/static-ct-api/navigli2025h2/tile/";
const char kOrigin[] = "navigli.example/2025h2";

class StaticSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"000", "001", "002", "003", "003.p/10"}) {
      server_.Serve(std::string("/mon/tile/data/") + name,
                    ReadTestData(std::string(kTiles) + "data/" + name));
    }
    info_.description = "loopback static";
    info_.api = LogApi::kStatic;
    info_.url = server_.Url("/mon/");
    info_.submission_url = std::string("https://") + kOrigin + "/";
    info_.key = key_.spki();
    info_.log_id = key_.log_id();
  }
  std::unique_ptr<LogSource> Source() {
    return MakeLogSource(info_, std::make_unique<CurlHttpClient>(), issuers_);
  }
  Sha256Hash LevelZeroHash(uint64_t index) {
    const std::string tile =
        ReadTestData(std::string(kTiles) + "0/00" + std::to_string(index / 256));
    Sha256Hash h;
    std::copy_n(tile.begin() + static_cast<ptrdiff_t>(index % 256 * 32), 32, h.begin());
    return h;
  }

  TestLogKey key_;
  LoopbackServer server_;
  LogInfo info_;
  std::shared_ptr<IssuerCache> issuers_ = std::make_shared<IssuerCache>();
};

TEST_F(StaticSourceTest, FetchHeadVerifiesTheCheckpoint) {
  const Sha256Hash root = FromB64("+WnHOMRZl/LG1669oeskbdK9bcO4nkrY1cfVyknC52U=");
  const std::string note = key_.Checkpoint(kOrigin, 778, 1746300000000, root);
  server_.Serve("/mon/checkpoint", note, "text/plain");
  auto source = Source();
  auto head = source->FetchHead();
  ASSERT_THAT(head, IsOk());
  EXPECT_EQ(head->tree_size, 778u);
  EXPECT_EQ(head->root, root);
  EXPECT_EQ(head->timestamp_ms, 1746300000000u);

  std::string forged = note;
  forged.replace(forged.find("\n778\n"), 5, "\n779\n");
  server_.Serve("/mon/checkpoint", forged, "text/plain");
  EXPECT_THAT(source->FetchHead(), IsErrorCode(ErrorCode::kVerification));
}

TEST_F(StaticSourceTest, FetchEntriesReadsTheTileHoldingStart) {
  auto source = Source();
  auto r = source->FetchEntries(0, 778, false);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 256u);
  EXPECT_EQ(r->front().index, 0u);
  EXPECT_EQ(r->front().timestamp_ms, 1746292399101u);

  r = source->FetchEntries(700, 778, false);  // the rest of tile 002
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 68u);
  for (const LogEntry& e : *r) EXPECT_EQ(e.leaf_hash, LevelZeroHash(e.index)) << e.index;
  EXPECT_EQ(r->front().index, 700u);

  r = source->FetchEntries(300, 310, true);  // capped at end, inside a tile the tree has
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->size(), 10u);
  EXPECT_EQ(r->back().index, 309u);
}

TEST_F(StaticSourceTest, PartialTileOnlyWhenAllowed) {
  auto source = Source();
  EXPECT_THAT(source->FetchEntries(768, 778, false), IsErrorCode(ErrorCode::kFailedPrecondition));
  EXPECT_EQ(server_.Hits("/mon/tile/data/003.p/10"), 0);
  auto r = source->FetchEntries(770, 778, true);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 8u);
  EXPECT_EQ(r->front().index, 770u);
  EXPECT_EQ(r->back().leaf_hash, LevelZeroHash(777));
  EXPECT_EQ(server_.Hits("/mon/tile/data/003.p/10"), 1);
  EXPECT_EQ(server_.Hits("/mon/tile/data/003"), 0);

  // Once the partial tile is gone, the full tile serves the same leaves.
  server_.Remove("/mon/tile/data/003.p/10");
  r = source->FetchEntries(770, 778, true);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 8u);
  EXPECT_EQ(r->back().leaf_hash, LevelZeroHash(777));
  EXPECT_EQ(server_.Hits("/mon/tile/data/003"), 1);
}

TEST_F(StaticSourceTest, CorruptTileFailsTheWholeTile) {
  std::string tile = ReadTestData(std::string(kTiles) + "data/001");
  tile.resize(tile.size() - 1);
  server_.Serve("/mon/tile/data/001", tile);
  EXPECT_THAT(Source()->FetchEntries(256, 512, false), IsError(ErrorCode::kParse, "tile/data/001"));
}

TEST_F(StaticSourceTest, FetchChainUsesTheIssuerCache) {
  const std::string a = "issuer A", b = "issuer B";
  const Sha256Hash fa = Sha256(AsBytes(a)), fb = Sha256(AsBytes(b));
  server_.Serve("/mon/issuer/" + HexEncode(fa), a, "application/pkix-cert");
  server_.Serve("/mon/issuer/" + HexEncode(fb), b, "application/pkix-cert");
  auto source = Source();
  for (int i = 0; i < 3; ++i) {
    LogEntry e;
    e.chain_fingerprints = {fa, fb};
    ASSERT_THAT(source->FetchChain(&e), IsOk());
    ASSERT_EQ(e.chain.size(), 2u);
    EXPECT_EQ(ToString(e.chain[0]), a);
    EXPECT_EQ(ToString(e.chain[1]), b);
  }
  // Another source of the same log shares the cache.
  LogEntry e;
  e.chain_fingerprints = {fb};
  ASSERT_THAT(Source()->FetchChain(&e), IsOk());
  EXPECT_EQ(server_.Hits("/mon/issuer/" + HexEncode(fa)), 1);
  EXPECT_EQ(server_.Hits("/mon/issuer/" + HexEncode(fb)), 1);
  EXPECT_EQ(issuers_->size(), 2u);
}

TEST_F(StaticSourceTest, IssuerWithWrongHashIsRejectedAndNotCached) {
  const Sha256Hash fp = Sha256(AsBytes("the real issuer"));
  server_.Serve("/mon/issuer/" + HexEncode(fp), "an impostor", "application/pkix-cert");
  LogEntry e;
  e.chain_fingerprints = {fp};
  EXPECT_THAT(Source()->FetchChain(&e), IsErrorCode(ErrorCode::kVerification));
  EXPECT_TRUE(e.chain.empty());
  EXPECT_EQ(issuers_->size(), 0u);
}

TEST(IssuerCacheTest, SharedBetweenThreads) {
  IssuerCache cache;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache] {
      for (int i = 0; i < 200; ++i) {
        const std::string cert = "issuer " + std::to_string(i % 50);
        const Sha256Hash fp = Sha256(AsBytes(cert));
        if (auto found = cache.Find(fp)) {
          EXPECT_EQ(ToString(*found), cert);
        } else {
          cache.Insert(fp, ToBytes(AsBytes(cert)));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(cache.size(), 50u);
  // The first certificate inserted for a fingerprint stays.
  const Sha256Hash fp = Sha256(AsBytes("issuer 1"));
  cache.Insert(fp, Bytes{1});
  EXPECT_EQ(ToString(*cache.Find(fp)), "issuer 1");
}

}  // namespace
}  // namespace ctwatch
