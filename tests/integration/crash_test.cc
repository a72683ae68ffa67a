// SIGKILL at random points while ctwatch ingests, then restart: in the end exactly the planted
// set is stored, with no duplicate and no gap (the stored position always matches the
// committed entries).
#include <gtest/gtest.h>

#include <random>

#include "integration/harness.h"

namespace ctwatch::testing {
namespace {

TEST(CrashTest, SigkillAtRandomPointsLosesAndDoublesNothing) {
  std::vector<std::vector<std::string>> planted;
  for (int i = 0; i < 40; ++i) {
    planted.push_back({"host" + std::to_string(i) + (i % 3 == 0 ? ".other.org" : ".example.com")});
  }
  IngestHarness h("crash", SmallLog(8000, planted, /*malformed=*/3));
  // Slow enough (about 12 s per log) that the kills land in the middle of the ingestion, and
  // late enough after each start that batches get committed in between.
  h.WriteConfig({{"batch_size", "32"}, {"requests_per_second", "20"}});
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay_ms(300, 2000);
  std::vector<uint64_t> positions;
  for (int kill = 0; kill < 12; ++kill) {
    auto daemon = h.Start({"run"});
    ASSERT_TRUE(daemon->started());
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    daemon->Signal(SIGKILL);
    EXPECT_EQ(daemon->Wait(std::chrono::seconds(10)), 128 + SIGKILL);
    uint64_t total = 0;
    for (const auto& log : h.Json("logs")) total += log["position"].get<uint64_t>();
    positions.push_back(total);
  }
  // Several kills interrupted work in progress: something committed, not everything.
  int mid_ingestion = 0;
  for (uint64_t p : positions) mid_ingestion += p > 0 && p < 2 * 8000u ? 1 : 0;
  EXPECT_GE(mid_ingestion, 3) << "the kills did not land during ingestion";

  CtwatchResult r = h.Run({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto manifest = h.Manifest();
  EXPECT_EQ(StoredSightings(h.Json("certs")), ExpectedSightings(manifest, "example.com", kBothLogs));
  std::multiset<std::string> findings;
  for (const auto& f : h.Json("findings")) {
    findings.insert(f["kind"].get<std::string>() + "|" + f["log"].dump() + "|" + f["index"].dump() +
                    "|" + f["identity"].dump());
  }
  std::set<std::string> unique(findings.begin(), findings.end());
  EXPECT_EQ(unique.size(), findings.size()) << "a finding was recorded twice";
  // Per owned identity an owned_certificate and (no inventory here: none is ours) a
  // foreign_issuance finding; the malformed entries per log.
  EXPECT_EQ(findings.size(), 2 * 26u /* 26 owned identities */ + 2 * 3u /* malformed, per log */);
  for (const auto& log : h.Json("logs")) EXPECT_EQ(log["verified_size"], 8000);
}

}  // namespace
}  // namespace ctwatch::testing
