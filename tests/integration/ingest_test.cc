// `ctwatch run` tails the test log over both APIs and stores exactly what was planted.
#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include "integration/harness.h"

namespace ctwatch::testing {
namespace {

TEST(IngestTest, TailsBothApisToCompletionAndStoresExactlyThePlanted) {
  IngestHarness h("ingest-complete",
                  SmallLog(3000, {{"www.example.com", "example.com"},
                                  {"mail.example.com"},
                                  {"deep.host.example.com", "other.net"},
                                  {"myexample.com"},        // label boundary: not ours
                                  {"example.com.evil.net"}},
                           /*malformed=*/2));
  CtwatchResult r = h.Run({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const auto manifest = h.Manifest();
  const auto expected = ExpectedSightings(manifest, "example.com", kBothLogs);
  ASSERT_EQ(expected.size(), 3u);  // the 3 sets under example.com, each precert + cert
  const auto certs = h.Json("certs");
  EXPECT_EQ(StoredSightings(certs), expected);
  for (const auto& c : certs) {
    EXPECT_EQ(c["entry_type"], "cert");  // the final certificate was seen
    for (const auto& s : c["sightings"]) EXPECT_TRUE(s["verified"].get<bool>());
  }

  // One owned_certificate finding per identity; every malformed entry, once per log.
  std::set<std::string> owned;
  std::multiset<std::string> malformed;
  for (const auto& f : h.Json("findings")) {
    if (f["kind"] == "owned_certificate") owned.insert(f["identity"].get<std::string>());
    if (f["kind"] == "malformed_entry") {
      malformed.insert(f["log"].get<std::string>() + "|" + std::to_string(f["index"].get<uint64_t>()));
    }
  }
  std::set<std::string> expected_identities;
  for (const auto& [identity, unused] : expected) expected_identities.insert(identity);
  EXPECT_EQ(owned, expected_identities);
  std::multiset<std::string> expected_malformed;
  for (const PlantedEntry& e : manifest) {
    if (!e.malformed) continue;
    for (const std::string& log : kBothLogs) expected_malformed.insert(log + "|" + std::to_string(e.index));
  }
  EXPECT_EQ(malformed, expected_malformed);

  for (const auto& log : h.Json("logs")) {
    EXPECT_EQ(log["verified_size"], 3000) << log.dump();
    EXPECT_EQ(log["position"], 3000);
    EXPECT_EQ(log["backlog"], 0);
    EXPECT_TRUE(log["last_error"].is_null()) << log.dump();
  }

  // A second run finds nothing new and changes nothing.
  r = h.Run({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(StoredSightings(h.Json("certs")), expected);
}

TEST(IngestTest, CertsByName) {
  IngestHarness h("ingest-names", SmallLog(600, {{"www.example.com", "example.com"},
                                                 {"a.b.example.com"},
                                                 {"*.wild.example.com"}}));
  ASSERT_EQ(h.Run({"run", "--once"}).exit_code, 0);
  auto count = [&](const std::string& name) {
    CtwatchResult r = h.Run({"certs", "--json", "--name", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Lines(r.out).size();
  };
  EXPECT_EQ(count("example.com"), 1u);
  EXPECT_EQ(count("*.example.com"), 3u);
  EXPECT_EQ(count(".example.com"), 3u);
  EXPECT_EQ(count("*.wild.example.com"), 1u);
  EXPECT_EQ(count("b.example.com"), 0u);
}

TEST(IngestTest, GrowingLogIsFollowedAndSigtermStopsCleanly) {
  IngestHarness h("ingest-growing", SmallLog(1000, {{"first.example.com"}}));
  h.WriteConfig({{"partial_tile_wait", "\"1s\""}});
  auto daemon = h.Start({"run"});
  ASSERT_TRUE(daemon->started());
  auto verified_everywhere = [&](uint64_t size) {
    const auto logs = h.Json("logs", /*must_succeed=*/false);  // no database until it starts
    for (const auto& log : logs) {
      if (log["verified_size"].get<uint64_t>() < size || log["position"].get<uint64_t>() < size) return false;
    }
    return logs.size() == 2;
  };
  auto wait_for = [&](auto predicate) {
    for (int i = 0; i < 300; ++i) {
      if (predicate()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  ASSERT_TRUE(wait_for([&] { return verified_everywhere(1000); })) << Slurp(h.dir() + "/daemon.err");

  ASSERT_EQ(h.Admin("/admin/plant", "later.example.com\n"), 200);
  ASSERT_EQ(h.Admin("/admin/grow?count=300"), 200);
  const uint64_t size = h.server().corpus().size();
  ASSERT_TRUE(wait_for([&] { return verified_everywhere(size); })) << Slurp(h.dir() + "/daemon.err");
  const auto expected = ExpectedSightings(h.Manifest(), "example.com", kBothLogs);
  EXPECT_EQ(expected.size(), 2u);
  EXPECT_EQ(StoredSightings(h.Json("certs")), expected);

  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(std::chrono::seconds(20)), 0) << Slurp(h.dir() + "/daemon.err");
}

TEST(IngestTest, StartsAtTheEndOrAtAnIndexWithoutReadingTheStart) {
  IngestHarness h("ingest-start", SmallLog(2000, {{"early.example.com"}}));
  h.WriteConfig({{"start", "\"end\""}});
  CtwatchResult r = h.Run({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& log : h.Json("logs")) EXPECT_EQ(log["verified_size"], 2000);
  EXPECT_TRUE(h.Json("certs").empty());  // the early entries were skipped

  ASSERT_EQ(h.Admin("/admin/plant", "late.example.com\n"), 200);
  ASSERT_EQ(h.Admin("/admin/grow?count=256"), 200);
  r = h.Run({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto certs = h.Json("certs");
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0]["names"][0], "late.example.com");
}

}  // namespace
}  // namespace ctwatch::testing

namespace ctwatch::testing {
namespace {

bool WaitFor(const std::function<bool()>& predicate, int tenths = 300) {
  for (int i = 0; i < tenths; ++i) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(IngestTest, LogListRefreshStartsNewLogsAndStopsRemovedOnes) {
  IngestHarness h("ingest-refresh", SmallLog(500, {{"www.example.com"}}));
  const std::string list = h.dir() + "/loglist.json";
  ASSERT_THAT(WriteFileAtomic(list, h.server().LogListJson(/*rfc6962_only=*/true)), IsOk());
  h.WriteConfig({{"refresh_interval", "\"1s\""}, {"partial_tile_wait", "\"1s\""}});
  auto daemon = h.Start({"run"});
  auto logs = [&] { return h.Json("logs", /*must_succeed=*/false); };
  auto state = [&](const std::string& api) -> std::optional<nlohmann::json> {
    for (const auto& l : logs()) {
      if (l["api"] == api) return l;
    }
    return std::nullopt;
  };
  ASSERT_TRUE(WaitFor([&] { auto l = state("rfc6962"); return l && (*l)["verified_size"] == 500; }));
  EXPECT_FALSE(state("static").has_value());

  // The tiled log joins the list: it starts.
  ASSERT_THAT(WriteFileAtomic(list, h.server().LogListJson(false)), IsOk());
  ASSERT_TRUE(WaitFor([&] { auto l = state("static"); return l && (*l)["verified_size"] == 500; }))
      << Slurp(h.dir() + "/daemon.err");
  // And leaves it again: it stops and is marked inactive; its data stays.
  ASSERT_THAT(WriteFileAtomic(list, h.server().LogListJson(true)), IsOk());
  ASSERT_TRUE(WaitFor([&] { auto l = state("static"); return l && (*l)["active"] == false; }))
      << Slurp(h.dir() + "/daemon.err");
  EXPECT_EQ((*state("rfc6962"))["active"], true);
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(std::chrono::seconds(20)), 0);
}

TEST(IngestTest, ReadonlyLogIsReadUpToItsFinalTreeHeadOnly) {
  IngestHarness h("ingest-readonly", SmallLog(1000, {{"early.example.com"}}));
  httplib::Client client("127.0.0.1", h.server().port());
  auto sth = nlohmann::json::parse(client.Get("/rfc6962/ct/v1/get-sth")->body);
  ASSERT_EQ(sth["tree_size"], 1000);
  // The list freezes both logs at size 1000; the logs themselves keep growing.
  auto list = nlohmann::json::parse(h.server().LogListJson(false));
  for (auto& op : list["operators"]) {
    for (const char* kind : {"logs", "tiled_logs"}) {
      for (auto& log : op[kind]) {
        log["state"] = {{"readonly",
                         {{"timestamp", "2026-01-01T00:00:00Z"},
                          {"final_tree_head",
                           {{"sha256_root_hash", sth["sha256_root_hash"]}, {"tree_size", 1000}}}}}};
      }
    }
  }
  ASSERT_THAT(WriteFileAtomic(h.dir() + "/loglist.json", list.dump()), IsOk());
  ASSERT_EQ(h.Admin("/admin/plant", "late.example.com\n"), 200);
  ASSERT_EQ(h.Admin("/admin/grow?count=300"), 200);

  CtwatchResult r = h.Run({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& log : h.Json("logs")) {
    EXPECT_EQ(log["verified_size"], 1000) << log.dump();
    EXPECT_EQ(log["state"], "readonly");
  }
  const auto certs = h.Json("certs");
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0]["names"][0], "early.example.com");
}

}  // namespace
}  // namespace ctwatch::testing

namespace ctwatch::testing {
namespace {

TEST(IngestTest, OnceWithNoLogToMonitorReturns) {
  IngestHarness h("ingest-nolog", SmallLog(10, {}));
  ASSERT_THAT(WriteFileAtomic(h.dir() + "/loglist.json",
                              R"({"version": "1.0", "log_list_timestamp": "2026-01-01T00:00:00Z",)"
                              R"( "operators": []})"),
              IsOk());
  CtwatchResult r = h.Run({"run", "--once"}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("no log to monitor"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ctwatch::testing
