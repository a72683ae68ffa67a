// Rfc6962Client and TileClient against a loopback HTTP server: short and oversized answers,
// rate limiting, HTTP errors, truncated bodies, gzip tiles, partial-tile fallback, issuers.
#include "ctlog/log_client.h"

#include <gtest/gtest.h>

#include <string>

#include "core/sha256.h"
#include "loopback_log.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::GzipCompress;
using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::LoopbackServer;
using ::ctwatch::testing::ReadTestData;

constexpr char kEntryJson[] = R"({"leaf_input":"AAEC","extra_data":"AwQ="})";

std::string EntriesJson(size_t n) {
  std::string out = "{\"entries\":[";
  for (size_t i = 0; i < n; ++i) out += std::string(i ? "," : "") + kEntryJson;
  return out + "]}";
}

class Rfc6962ClientTest : public ::testing::Test {
 protected:
  LoopbackServer server_;
  CurlHttpClient http_;
  Rfc6962Client client_{&http_, server_.Url("/log")};  // no trailing slash: added
};

TEST_F(Rfc6962ClientTest, GetEntriesSendsInclusiveRangeAndAcceptsShortAnswers) {
  std::string seen_start, seen_end;
  server_.Route("/log/ct/v1/get-entries", [&](const httplib::Request& req, httplib::Response& res) {
    seen_start = req.get_param_value("start");
    seen_end = req.get_param_value("end");
    res.set_content(EntriesJson(3), "application/json");  // fewer than asked
  });
  auto r = client_.GetEntries(10, 19);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->size(), 3u);
  EXPECT_EQ(seen_start, "10");
  EXPECT_EQ(seen_end, "19");
  EXPECT_EQ((*r)[2].leaf_input, (Bytes{0, 1, 2}));
  // Exactly as many as asked is fine, and so is a single entry.
  EXPECT_THAT(client_.GetEntries(5, 7), IsOk());
  EXPECT_THAT(client_.GetEntries(4, 4), IsError(ErrorCode::kParse, "more than asked"));
  EXPECT_THAT(client_.GetEntries(5, 4), IsErrorCode(ErrorCode::kInvalidArgument));
}

TEST_F(Rfc6962ClientTest, GetEntriesRejectsEmptyAndOverlongAnswers) {
  server_.Serve("/log/ct/v1/get-entries", EntriesJson(0), "application/json");
  EXPECT_THAT(client_.GetEntries(0, 9), IsError(ErrorCode::kParse, "no entries"));
  server_.Serve("/log/ct/v1/get-entries", EntriesJson(11), "application/json");
  EXPECT_THAT(client_.GetEntries(0, 9), IsError(ErrorCode::kParse, "more than asked"));
}

TEST_F(Rfc6962ClientTest, RateLimitCarriesRetryAfter) {
  for (int status : {429, 503}) {
    server_.Route("/log/ct/v1/get-entries",
                  [status](const httplib::Request&, httplib::Response& res) {
                    res.status = status;
                    res.set_header("Retry-After", "7");
                  });
    auto r = client_.GetEntries(0, 9);
    ASSERT_THAT(r, IsErrorCode(ErrorCode::kRateLimited));
    EXPECT_EQ(r.error().retry_after_ms, 7000);
  }
}

TEST_F(Rfc6962ClientTest, ServerErrorIsHttpStatus) {
  server_.Route("/log/ct/v1/get-sth", [](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content("boom", "text/plain");
  });
  EXPECT_THAT(client_.GetSth(), IsError(ErrorCode::kHttpStatus, "500"));
  EXPECT_THAT(client_.GetEntries(0, 1), IsError(ErrorCode::kHttpStatus, "404"));
}

TEST_F(Rfc6962ClientTest, TruncatedBodies) {
  // The connection closes before Content-Length bytes arrived.
  const std::string body = EntriesJson(50);
  server_.Route("/log/ct/v1/get-entries", [body](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(body.size(), "application/octet-stream",
                             [body](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset > 0)
                                 return false;  // drop the connection after the first half
                               sink.write(body.data(), body.size() / 2);
                               return true;
                             });
  });
  auto r = client_.GetEntries(0, 99);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().code == ErrorCode::kNetwork || r.error().code == ErrorCode::kParse)
      << r.error().ToString();
  // A complete HTTP response whose JSON is cut short.
  server_.Serve("/log/ct/v1/get-entries", body.substr(0, body.size() - 20), "application/json");
  EXPECT_THAT(client_.GetEntries(0, 99), IsErrorCode(ErrorCode::kParse));
}

TEST_F(Rfc6962ClientTest, OversizedBodyIsCapped) {
  Rfc6962Client small(&http_, server_.Url("/log/"), ClientLimits{.max_response_bytes = 1000});
  server_.Serve("/log/ct/v1/get-entries", EntriesJson(100), "application/octet-stream");
  EXPECT_THAT(small.GetEntries(0, 99), IsErrorCode(ErrorCode::kResourceExhausted));
  server_.Serve("/log/ct/v1/get-entries", EntriesJson(10), "application/octet-stream");
  EXPECT_THAT(small.GetEntries(0, 99), IsOk());
}

TEST_F(Rfc6962ClientTest, ConsistencyAndInclusionProofs) {
  const std::string h1 = Base64Encode(Sha256(AsBytes("a"))),
                    h2 = Base64Encode(Sha256(AsBytes("b")));
  server_.Route(
      "/log/ct/v1/get-sth-consistency", [&](const httplib::Request& req, httplib::Response& res) {
        EXPECT_EQ(req.get_param_value("first"), "3");
        EXPECT_EQ(req.get_param_value("second"), "8");
        res.set_content("{\"consistency\":[\"" + h1 + "\",\"" + h2 + "\"]}", "application/json");
      });
  auto c = client_.GetConsistency(3, 8);
  ASSERT_THAT(c, IsOk());
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ(Base64Encode((*c)[1]), h2);

  // A hash whose base64 has '+', '/' and '=' must arrive intact.
  Sha256Hash leaf;
  leaf.fill(0xfb);
  std::string seen_hash, seen_size;
  server_.Route(
      "/log/ct/v1/get-proof-by-hash", [&](const httplib::Request& req, httplib::Response& res) {
        seen_hash = req.get_param_value("hash");
        seen_size = req.get_param_value("tree_size");
        res.set_content("{\"leaf_index\":5,\"audit_path\":[\"" + h1 + "\"]}", "application/json");
      });
  auto p = client_.GetProofByHash(leaf, 8);
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(seen_hash, Base64Encode(leaf));
  EXPECT_EQ(seen_size, "8");
  EXPECT_EQ(p->leaf_index, 5u);
  ASSERT_EQ(p->audit_path.size(), 1u);
  EXPECT_THAT(client_.GetProofByHash(leaf, 5), IsError(ErrorCode::kParse, "beyond"));

  for (const char* bad : {"{}", "[]", "{\"consistency\":[\"AAEC\"]}", "{\"consistency\":[1]}",
                          "{\"consistency\":\"x\"}", "not json"}) {
    server_.Serve("/log/ct/v1/get-sth-consistency", bad, "application/json");
    EXPECT_THAT(client_.GetConsistency(3, 8), IsErrorCode(ErrorCode::kParse)) << bad;
  }
  for (const char* bad : {"{\"audit_path\":[]}", "{\"leaf_index\":-1,\"audit_path\":[]}",
                          "{\"leaf_index\":1.5,\"audit_path\":[]}", "{\"leaf_index\":1}"}) {
    server_.Serve("/log/ct/v1/get-proof-by-hash", bad, "application/json");
    EXPECT_THAT(client_.GetProofByHash(leaf, 8), IsErrorCode(ErrorCode::kParse)) << bad;
  }
}

// --- TileClient ---------------------------------------------------------------------------

const char kNavigli[] = "entries/static-ct-api/navigli2025h2/tile/";

class TileClientTest : public ::testing::Test {
 protected:
  LoopbackServer server_;
  CurlHttpClient http_;
  TileClient client_{&http_, server_.Url("/mon/")};
};

TEST_F(TileClientTest, GzipDataTileWithContentEncoding) {
  const std::string tile = ReadTestData(std::string(kNavigli) + "data/000");
  server_.Serve("/mon/tile/data/000", GzipCompress(tile), "application/octet-stream", "gzip");
  unsigned width = 0;
  auto r = client_.GetDataTile(0, 256, &width);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(width, 256u);
  EXPECT_EQ(ToString(*r), tile);
}

TEST_F(TileClientTest, GzipDataTileWithoutContentEncoding) {
  const std::string tile = ReadTestData(std::string(kNavigli) + "data/001");
  server_.Serve("/mon/tile/data/001", GzipCompress(tile));
  auto r = client_.GetDataTile(1, 256);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(ToString(*r), tile);
  // Uncompressed tiles pass through unchanged.
  server_.Serve("/mon/tile/data/001", tile);
  r = client_.GetDataTile(1, 256);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(ToString(*r), tile);
}

TEST_F(TileClientTest, GzipOverTheCapIsRejected) {
  TileClient small(&http_, server_.Url("/mon/"), ClientLimits{.max_response_bytes = 100000});
  const std::string tile = ReadTestData(std::string(kNavigli) + "data/002");  // ~400 KB
  server_.Serve("/mon/tile/data/002", GzipCompress(tile));
  EXPECT_THAT(small.GetDataTile(2, 256), IsErrorCode(ErrorCode::kResourceExhausted));
  server_.Serve("/mon/tile/data/002", GzipCompress(tile), "application/octet-stream", "gzip");
  EXPECT_THAT(small.GetDataTile(2, 256), IsErrorCode(ErrorCode::kResourceExhausted));
  server_.Serve("/mon/tile/data/002", GzipCompress(tile).substr(0, 5000));
  EXPECT_THAT(small.GetDataTile(2, 256), IsErrorCode(ErrorCode::kParse));
}

TEST_F(TileClientTest, PartialTileFallsBackToFullTileOn404) {
  const std::string partial = ReadTestData(std::string(kNavigli) + "data/003.p/10");
  const std::string full = ReadTestData(std::string(kNavigli) + "data/003");
  server_.Serve("/mon/tile/data/003.p/10", partial);
  server_.Serve("/mon/tile/data/003", full);
  unsigned width = 0;
  auto r = client_.GetDataTile(3, 10, &width);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(width, 10u);
  EXPECT_EQ(ToString(*r), partial);
  server_.Remove("/mon/tile/data/003.p/10");
  r = client_.GetDataTile(3, 10, &width);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(width, 256u);
  EXPECT_EQ(ToString(*r), full);
  EXPECT_EQ(server_.Hits("/mon/tile/data/003"), 1);
  // A full tile that is missing is an error, not a fallback loop.
  EXPECT_THAT(client_.GetDataTile(4, 256), IsError(ErrorCode::kHttpStatus, "404"));
  EXPECT_THAT(client_.GetDataTile(4, 0), IsErrorCode(ErrorCode::kInvalidArgument));
}

TEST_F(TileClientTest, HashTiles) {
  const std::string partial = ReadTestData(std::string(kNavigli) + "0/003.p/10");
  server_.Serve("/mon/tile/0/003.p/10", partial);
  auto r = client_.GetHashTile(0, 3, 10);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->size(), 320u);
  server_.Serve("/mon/tile/0/003.p/10", partial.substr(1));
  EXPECT_THAT(client_.GetHashTile(0, 3, 10), IsErrorCode(ErrorCode::kParse));
  server_.Remove("/mon/tile/0/003.p/10");
  server_.Serve("/mon/tile/0/003", ReadTestData(std::string(kNavigli) + "0/003"));
  unsigned width = 0;
  r = client_.GetHashTile(0, 3, 10, &width);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(width, 256u);
  EXPECT_EQ(r->size(), 8192u);
}

TEST_F(TileClientTest, IssuerHashIsChecked) {
  const std::string cert = "a certificate, DER in real life";
  const Sha256Hash fp = Sha256(AsBytes(cert));
  server_.Serve("/mon/issuer/" + HexEncode(fp), cert, "application/pkix-cert");
  auto r = client_.GetIssuer(fp);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(ToString(*r), cert);
  server_.Serve("/mon/issuer/" + HexEncode(fp), cert + "!", "application/pkix-cert");
  EXPECT_THAT(client_.GetIssuer(fp), IsErrorCode(ErrorCode::kVerification));
}

TEST_F(TileClientTest, Checkpoint) {
  server_.Serve("/mon/checkpoint", "origin\n1\nAAAA\n\n", "text/plain");
  auto r = client_.GetCheckpoint();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(*r, "origin\n1\nAAAA\n\n");
  server_.Remove("/mon/checkpoint");
  EXPECT_THAT(client_.GetCheckpoint(), IsErrorCode(ErrorCode::kHttpStatus));
}

}  // namespace
}  // namespace ctwatch
