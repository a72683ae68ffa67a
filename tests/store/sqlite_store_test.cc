#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "store/store.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;

Sha256Hash H(uint8_t fill) {
  Sha256Hash h;
  h.fill(fill);
  return h;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctwatch-store-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/sub/ctwatch.db";
    auto store = OpenSqliteStore({.path = path_});
    ASSERT_THAT(store, IsOk());
    store_ = std::move(store).value();
    log_ = {.log_id = H(1), .description = "Test Log", .api = "rfc6962",
            .url = "http://127.0.0.1/", .list_state = "usable"};
    ASSERT_THAT(store_->EnsureLog(log_, {.compact_range = {1}, .verified_range = {1}}), IsOk());
  }

  MatchedEntry Match(uint64_t index, uint8_t identity, const std::string& name) {
    MatchedEntry m;
    m.index = index;
    m.timestamp_ms = 1000 + index;
    m.certificate.identity = H(identity);
    m.certificate.entry_type = "cert";
    m.certificate.cert_sha256 = H(static_cast<uint8_t>(identity + 100));
    m.certificate.subject_dn = "CN=" + name;
    m.certificate.issuer_dn = "CN=Test CA";
    m.certificate.serial_hex = "01";
    m.certificate.names = {name};
    m.certificate.der = {0x30, 0x00};
    m.findings.push_back({.kind = "owned_certificate", .severity = Severity::kInfo,
                          .identity = H(identity), .names = {name}, .detail = "owned",
                          .dedup_key = "owned_certificate:" + std::to_string(identity)});
    return m;
  }

  std::string dir_, path_;
  std::unique_ptr<Store> store_;
  LogRecord log_;
};

TEST_F(SqliteStoreTest, ReopenKeepsStateAndMigrationsAreIdempotent) {
  IngestBatch b{.log_id = H(1), .start = 0, .end = 10, .compact_range = {7}};
  ASSERT_THAT(store_->CommitBatch(b), IsOk());
  store_.reset();
  auto again = OpenSqliteStore({.path = path_});
  ASSERT_THAT(again, IsOk());
  auto logs = (*again)->ListLogs();
  ASSERT_THAT(logs, IsOk());
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].progress.position, 10u);
  EXPECT_EQ((*logs)[0].progress.compact_range, Bytes{7});
  // EnsureLog on an existing log leaves its progress alone.
  auto progress = (*again)->EnsureLog(log_, {});
  ASSERT_THAT(progress, IsOk());
  EXPECT_EQ(progress->position, 10u);
}

TEST_F(SqliteStoreTest, RegisteredLogIsListedUntilItsStartIsSet) {
  const LogRecord other{.log_id = H(2), .description = "Other Log", .api = "static",
                        .url = "http://127.0.0.1/other/", .list_state = "usable"};
  ASSERT_THAT(store_->RegisterLog(other), IsOk());
  ASSERT_THAT(store_->RegisterLog(other), IsOk());  // idempotent
  auto progress = store_->GetLogProgress(H(2));
  ASSERT_THAT(progress, IsOk());
  EXPECT_FALSE(progress->has_value());  // no starting position yet
  auto logs = store_->ListLogs();
  ASSERT_THAT(logs, IsOk());
  ASSERT_EQ(logs->size(), 2u);
  EXPECT_EQ((*logs)[0].log.description, "Other Log");
  EXPECT_FALSE((*logs)[0].started);
  EXPECT_TRUE((*logs)[1].started);
  // The first EnsureLog sets the start; later ones (and RegisterLog) leave it alone.
  auto started = store_->EnsureLog(other, {.position = 40, .compact_range = {3},
                                           .verified_size = 40, .verified_range = {3}});
  ASSERT_THAT(started, IsOk());
  EXPECT_EQ(started->position, 40u);
  ASSERT_THAT(store_->RegisterLog(other), IsOk());
  auto again = store_->EnsureLog(other, {.position = 99});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->position, 40u);
  EXPECT_EQ(again->compact_range, Bytes{3});
  logs = store_->ListLogs();
  ASSERT_THAT(logs, IsOk());
  EXPECT_TRUE((*logs)[0].started);
}

TEST_F(SqliteStoreTest, BatchMustStartAtStoredPosition) {
  IngestBatch first{.log_id = H(1), .start = 0, .end = 5, .compact_range = {1}};
  first.matches.push_back(Match(3, 9, "a.example.com"));
  ASSERT_THAT(store_->CommitBatch(first), IsOk());
  // Replaying the same batch (as after a crash between fetch and commit) is refused whole.
  EXPECT_THAT(store_->CommitBatch(first), IsErrorCode(ErrorCode::kFailedPrecondition));
  auto certs = store_->ListCertificates({});
  ASSERT_THAT(certs, IsOk());
  ASSERT_EQ(certs->size(), 1u);
  EXPECT_EQ((*certs)[0].sightings.size(), 1u);
}

TEST_F(SqliteStoreTest, FindingsAppearOnlyOnceVerified) {
  IngestBatch b{.log_id = H(1), .start = 0, .end = 5, .compact_range = {2}};
  b.matches.push_back(Match(1, 9, "a.example.com"));
  ASSERT_THAT(store_->CommitBatch(b), IsOk());
  EXPECT_TRUE(store_->ListFindings({})->empty());
  auto certs = store_->ListCertificates({});
  EXPECT_FALSE((*certs)[0].sightings[0].verified);

  IngestBatch v{.log_id = H(1), .start = 5, .end = 8, .compact_range = {3}};
  v.matches.push_back(Match(6, 9, "a.example.com"));  // same identity in a later entry
  v.verified = VerifiedHead{.tree_size = 8, .root = H(0xaa)};
  ASSERT_THAT(store_->CommitBatch(v), IsOk());
  auto findings = store_->ListFindings({});
  ASSERT_THAT(findings, IsOk());
  ASSERT_EQ(findings->size(), 1u);  // one per identity
  EXPECT_EQ((*findings)[0].finding.kind, "owned_certificate");
  EXPECT_EQ((*findings)[0].index, 1u);  // from the first sighting
  certs = store_->ListCertificates({});
  ASSERT_EQ((*certs)[0].sightings.size(), 2u);
  EXPECT_TRUE((*certs)[0].sightings[0].verified);
  auto logs = store_->ListLogs();
  EXPECT_EQ((*logs)[0].progress.verified_size, 8u);
  EXPECT_EQ((*logs)[0].progress.verified_range, Bytes{3});
  EXPECT_EQ((*logs)[0].progress.verified_root, H(0xaa));
}

TEST_F(SqliteStoreTest, RollbackForgetsTheUnverifiedTail) {
  IngestBatch verified{.log_id = H(1), .start = 0, .end = 4, .compact_range = {4},
                       .verified = VerifiedHead{.tree_size = 4, .root = H(2)}};
  verified.matches.push_back(Match(0, 10, "keep.example.com"));
  ASSERT_THAT(store_->CommitBatch(verified), IsOk());
  IngestBatch tail{.log_id = H(1), .start = 4, .end = 9, .compact_range = {9}};
  tail.matches.push_back(Match(5, 11, "drop.example.com"));
  tail.malformed.push_back({.index = 6, .error = "bad", .leaf_input = {1},
                            .finding = {.kind = "malformed_entry", .dedup_key = "m6"}});
  ASSERT_THAT(store_->CommitBatch(tail), IsOk());
  ASSERT_THAT(store_->RollbackUnverified(H(1)), IsOk());

  auto logs = store_->ListLogs();
  EXPECT_EQ((*logs)[0].progress.position, 4u);
  EXPECT_EQ((*logs)[0].progress.compact_range, Bytes{4});
  auto certs = store_->ListCertificates({});
  ASSERT_EQ(certs->size(), 1u);
  EXPECT_EQ((*certs)[0].certificate.names[0], "keep.example.com");
  // Re-ingesting the tail after the rollback works and verifies.
  tail.verified = VerifiedHead{.tree_size = 9, .root = H(3)};
  ASSERT_THAT(store_->CommitBatch(tail), IsOk());
  EXPECT_EQ(store_->ListFindings({})->size(), 3u);  // two owned + one malformed
}

TEST_F(SqliteStoreTest, SplitViewIsReported) {
  TreeHeadRecord a{.tree_size = 100, .timestamp_ms = 1, .root = H(5), .signature = {1}};
  auto first = store_->RecordTreeHead(H(1), a);
  ASSERT_THAT(first, IsOk());
  EXPECT_FALSE(first->has_value());
  auto same = store_->RecordTreeHead(H(1), a);
  EXPECT_FALSE(same->has_value());
  TreeHeadRecord b = a;
  b.root = H(6);
  auto split = store_->RecordTreeHead(H(1), b);
  ASSERT_THAT(split, IsOk());
  ASSERT_TRUE(split->has_value());
  EXPECT_EQ(**split, H(5));
}

TEST_F(SqliteStoreTest, NameQueriesUseLabelBoundaries) {
  IngestBatch b{.log_id = H(1), .start = 0, .end = 4, .compact_range = {1}};
  b.matches.push_back(Match(0, 20, "example.com"));
  b.matches.push_back(Match(1, 21, "www.example.com"));
  b.matches.push_back(Match(2, 22, "myexample.com"));
  b.matches.push_back(Match(3, 23, "*.deep.example.com"));
  ASSERT_THAT(store_->CommitBatch(b), IsOk());
  auto count = [&](const std::string& q) { return store_->ListCertificates({.name = q})->size(); };
  EXPECT_EQ(count("example.com"), 1u);
  EXPECT_EQ(count("WWW.Example.COM."), 1u);
  EXPECT_EQ(count("*.example.com"), 2u);
  EXPECT_EQ(count(".example.com"), 3u);
  EXPECT_EQ(count(".myexample.com"), 1u);
  EXPECT_EQ(count("nothing.test"), 0u);
}

TEST_F(SqliteStoreTest, LogFindingsDeduplicate) {
  FindingDraft f{.kind = "log_split_view", .severity = Severity::kCritical, .detail = "x",
                 .dedup_key = "split:1"};
  EXPECT_TRUE(*store_->AddFinding(f, H(1), 7));
  EXPECT_FALSE(*store_->AddFinding(f, H(1), 7));
  EXPECT_EQ(store_->ListFindings({.kind = "log_split_view"})->size(), 1u);
}

TEST_F(SqliteStoreTest, ReadOnlyStoreRefusesMissingDatabase) {
  EXPECT_THAT(OpenSqliteStore({.path = dir_ + "/none.db", .read_only = true}),
              IsErrorCode(ErrorCode::kNotFound));
  auto ro = OpenSqliteStore({.path = path_, .read_only = true});
  ASSERT_THAT(ro, IsOk());
  EXPECT_EQ((*ro)->ListLogs()->size(), 1u);
}

// `ctwatch run` and a CLI command started together both open a new database: whichever waits
// for the write lock must find the migrations applied, not apply them again ("duplicate column").
TEST_F(SqliteStoreTest, ConcurrentFirstOpensApplyEachMigrationOnce) {
  for (int round = 0; round < 5; ++round) {
    const std::string path = dir_ + "/race" + std::to_string(round) + ".db";
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        auto opened = OpenSqliteStore({.path = path});
        if (!opened.has_value()) {
          ADD_FAILURE() << opened.error().ToString();
          ++failures;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
  }
}

}  // namespace
}  // namespace ctwatch
