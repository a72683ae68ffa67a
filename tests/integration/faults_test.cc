// Every fault the test log injects, and what ctwatch must do about it: recover from transport
// faults on its own, record log misbehaviour as findings and never trust what did not verify.
#include <gtest/gtest.h>

#include "integration/harness.h"

namespace ctwatch::testing {
namespace {

std::multiset<std::string> Kinds(IngestHarness& h) {
  std::multiset<std::string> out;
  for (const auto& f : h.Json("findings")) out.insert(f["kind"].get<std::string>());
  return out;
}

uint64_t Fired(IngestHarness& h, const std::string& kind) {
  httplib::Client client("127.0.0.1", h.server().port());
  auto res = client.Get("/admin/state");
  if (!res) return 0;
  auto j = nlohmann::json::parse(res->body);
  return j["faults"]["fired"].value(kind, uint64_t{0});
}

// Transport faults: the run completes with exactly the planted set, after retrying.
class TransportFaultTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TransportFaultTest, RecoversAndStoresExactlyThePlanted) {
  IngestHarness h(std::string("fault-") + GetParam(),
                  SmallLog(1500, {{"www.example.com"}, {"api.example.com"}}));
  h.WriteConfig({{"request_timeout", "\"1s\""}, {"batch_size", "100"}});
  ASSERT_EQ(h.Admin("/admin/fault", GetParam()), 200);
  CtwatchResult r = h.Run({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(StoredSightings(h.Json("certs")),
            ExpectedSightings(h.Manifest(), "example.com", kBothLogs));
  auto spec = nlohmann::json::parse(GetParam());
  EXPECT_GT(Fired(h, spec["type"].get<std::string>()), 0u) << "the fault never fired";
  EXPECT_EQ(Kinds(h).count("log_inconsistent"), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, TransportFaultTest,
    ::testing::Values(
        R"({"type":"status","status":429,"retry_after":1,"count":3})",
        R"({"type":"status","status":503,"count":3})",
        R"({"type":"status","status":500,"count":4})",
        R"({"type":"delay","delay_ms":2500,"count":2,"path_prefix":"/rfc6962/ct/v1/get-entries"})",
        R"({"type":"delay","delay_ms":2500,"count":2,"path_prefix":"/static/tile/data"})",
        R"({"type":"cap_entries","max_entries":7,"count":0})",
        R"({"type":"truncate","count":3})",
        R"({"type":"truncate","abort":true,"count":3})"));

TEST(FaultTest, RetryAfterIsHonoured) {
  IngestHarness h("fault-retry-after", SmallLog(300, {{"www.example.com"}}));
  ASSERT_EQ(h.Admin("/admin/fault",
                    R"({"type":"status","status":429,"retry_after":3,"count":1,)"
                    R"("path_prefix":"/rfc6962/ct/v1/get-entries"})"),
            200);
  const auto start = std::chrono::steady_clock::now();
  CtwatchResult r = h.Run({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(FaultTest, BadSignatureIsAFindingAndNothingIsTrusted) {
  IngestHarness h("fault-badsig", SmallLog(800, {{"www.example.com"}}));
  ASSERT_EQ(h.Admin("/admin/fault", R"({"type":"bad_signature","count":0,"path_prefix":"/rfc6962/"})"), 200);
  CtwatchResult r = h.Run({"run", "--once"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("ctwatch test log (RFC 6962)"), std::string::npos) << r.err;
  EXPECT_EQ(Kinds(h).count("log_bad_signature"), 1u);
  for (const auto& log : h.Json("logs")) {
    if (log["api"] == "rfc6962") {
      EXPECT_EQ(log["verified_size"], 0) << log.dump();
    }
  }
  // Once the log behaves, the run completes.
  ASSERT_EQ(h.Admin("/admin/reset-faults"), 200);
  r = h.Run({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(StoredSightings(h.Json("certs")), ExpectedSightings(h.Manifest(), "example.com", kBothLogs));
}

TEST(FaultTest, SplitViewIsACriticalFinding) {
  IngestHarness h("fault-split", SmallLog(800, {{"www.example.com"}}));
  ASSERT_EQ(h.Run({"run", "--once"}).exit_code, 0);
  // The log now signs another root for the size it already signed.
  ASSERT_EQ(h.Admin("/admin/fault", R"({"type":"split_view","count":0})"), 200);
  CtwatchResult r = h.Run({"run", "--once"});
  EXPECT_NE(r.exit_code, 0);
  const auto findings = h.Json("findings");
  int split = 0;
  for (const auto& f : findings) {
    if (f["kind"] != "log_split_view") continue;
    ++split;
    EXPECT_EQ(f["severity"], "critical");
    EXPECT_EQ(f["index"], 800);  // the tree size
  }
  EXPECT_EQ(split, 2);  // both logs
}

TEST(FaultTest, CorruptedLeafIsInconsistentAndTheUnverifiedRangeIsDropped) {
  IngestHarness h("fault-corrupt", SmallLog(1200, {{"www.example.com"}, {"api.example.com"}}));
  // Entry 700 is served with another timestamp by both APIs: its hash no longer fits the tree.
  ASSERT_EQ(h.Admin("/admin/fault", R"({"type":"corrupt_leaf","index":700,"count":0})"), 200);
  CtwatchResult r = h.Run({"run", "--once"});
  EXPECT_NE(r.exit_code, 0);
  int inconsistent = 0;
  for (const auto& f : h.Json("findings")) {
    if (f["kind"] == "log_inconsistent") {
      ++inconsistent;
      EXPECT_EQ(f["severity"], "critical");
    }
    EXPECT_NE(f["kind"], "owned_certificate") << "a finding from an unverified range";
  }
  EXPECT_EQ(inconsistent, 2);
  EXPECT_TRUE(h.Json("certs").empty()) << "unverified sightings must be rolled back";
  for (const auto& log : h.Json("logs")) {
    EXPECT_EQ(log["verified_size"], 0);
    EXPECT_EQ(log["position"], 0);
  }
  ASSERT_EQ(h.Admin("/admin/reset-faults"), 200);
  r = h.Run({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(StoredSightings(h.Json("certs")), ExpectedSightings(h.Manifest(), "example.com", kBothLogs));
}

TEST(FaultTest, UnreachableLogFailsTheOnceRunWithAClearMessage) {
  IngestHarness h("fault-down", SmallLog(100, {}));
  h.server().Stop();
  CtwatchResult r = h.Run({"run", "--once"}, std::chrono::seconds(180));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("some logs were not read and verified"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ctwatch test log (static-ct-api)"), std::string::npos);
}

}  // namespace
}  // namespace ctwatch::testing

namespace ctwatch::testing {
namespace {

// A log that never answered still shows in `ctwatch logs`, with its error, and starts where
// the config says once it answers.
TEST(FaultTest, UnreachableNewLogIsListedWithItsError) {
  IngestHarness h("fault-never-up", SmallLog(300, {{"www.example.com"}}));
  h.WriteConfig({{"start", "\"end\""}});
  ASSERT_EQ(h.Admin("/admin/fault", R"({"type":"status","status":500,"count":0,"path_prefix":"/static/"})"), 200);
  EXPECT_NE(h.Run({"run", "--once"}).exit_code, 0);
  bool listed = false;
  for (const auto& log : h.Json("logs")) {
    if (log["api"] != "static") continue;
    listed = true;
    EXPECT_EQ(log["started"], false);
    EXPECT_NE(log["last_error"].get<std::string>().find("HTTP 500"), std::string::npos) << log.dump();
  }
  EXPECT_TRUE(listed);
  ASSERT_EQ(h.Admin("/admin/reset-faults"), 200);
  ASSERT_EQ(h.Run({"run", "--once"}).exit_code, 0);
  for (const auto& log : h.Json("logs")) {
    EXPECT_EQ(log["started"], true);
    EXPECT_EQ(log["verified_size"], 300);
    EXPECT_TRUE(log["last_error"].is_null());
  }
}

}  // namespace
}  // namespace ctwatch::testing
