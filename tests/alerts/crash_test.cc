// Crash test: alerts_crash_driver commits findings and delivers them to four sinks (two
// webhooks served here, one of which fails every fifth request; a JSON lines file with digests;
// an exec hook) and is SIGKILLed at a random moment, twelve times; a last run drains. Then
// every finding in the database must have reached every sink whose filter matches it at least
// once, no other sink, and every copy of a finding a sink received must carry the same
// idempotency key.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "alerts/filter.h"
#include "alerts_test_util.h"
#include "core/file.h"
#include "crash_sinks.h"

extern char** environ;

namespace ctwatch {
namespace {

using alerts_testing::MakeTempDir;
using alerts_testing::Receiver;
using alerts_testing::WaitFor;
using nlohmann::json;

constexpr int kKills = 12;

pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  return pid;
}

// Received copies: (sink, finding id) -> idempotency keys, and how many copies in all.
struct Deliveries {
  std::map<std::pair<std::string, int64_t>, std::set<std::string>> keys;
  std::map<std::pair<std::string, int64_t>, int> copies;
  void Add(const std::string& sink, int64_t id, const std::string& key) {
    keys[{sink, id}].insert(key);
    ++copies[{sink, id}];
  }
};

TEST(CrashTest, SigkillAtRandomMomentsLosesNothing) {
  const std::string dir = MakeTempDir("ctwatch-crash");
  const std::string db = dir + "/ctwatch.db";
  const std::string driver = std::string(CTWATCH_BINARY_DIR) + "/bin/alerts_crash_driver";
  ASSERT_TRUE(FileExists(driver)) << driver;
  Receiver receiver;
  std::atomic<int> requests{0};
  receiver.Respond([&](const httplib::Request&, httplib::Response& res) {
    res.status = ++requests % 5 == 0 ? 500 : 200;
  });
  const std::string base = receiver.Url("");
  std::mt19937 rng(std::random_device{}());
  for (int run = 0; run < kKills; ++run) {
    const pid_t pid = Spawn({driver, "produce", db, base, dir, std::to_string(rng())});
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 500));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "run " << run << " ended before it was killed";
  }
  const pid_t drain = Spawn({driver, "drain", db, base, dir, "0"});
  int status = 0;
  ASSERT_EQ(waitpid(drain, &status, 0), drain);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "drain did not finish";
  // Orphaned hooks of killed runs may still be appending.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  // What each sink received.
  Deliveries got;
  for (const auto& r : receiver.all()) {
    const std::string key = r.Header("idempotency-key");
    EXPECT_FALSE(key.empty()) << "a request without idempotency key";
    const json body = json::parse(r.body);
    for (const json& f : body["findings"]) {
      got.Add(r.path.substr(1), f["id"].get<int64_t>(), key);
    }
  }
  std::set<std::pair<std::string, int64_t>> accepted;
  for (const auto& r : receiver.accepted()) {
    const json body = json::parse(r.body);
    for (const json& f : body["findings"]) {
      accepted.insert({r.path.substr(1), f["id"].get<int64_t>()});
    }
  }
  std::istringstream lines(*ReadFile(dir + "/alerts.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    const json j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "torn JSON line: " << line;
    for (const json& f : j["findings"]) {
      got.Add("lines", f["id"].get<int64_t>(), j["idempotency_key"]);
      accepted.insert({"lines", f["id"].get<int64_t>()});
    }
  }
  std::istringstream hook(ReadFile(dir + "/hook.log").has_value() ? *ReadFile(dir + "/hook.log")
                                                                  : "");
  while (std::getline(hook, line)) {
    const size_t space = line.find(' ');
    ASSERT_NE(space, std::string::npos) << line;
    const int64_t id = std::stoll(line.substr(0, space));
    got.Add("hook", id, line.substr(space + 1));
    accepted.insert({"hook", id});
  }

  // What each sink had to receive.
  auto store = OpenSqliteStore({.path = db, .read_only = true});
  ASSERT_TRUE(store.has_value());
  auto findings = (*store)->ListFindings({.limit = 1'000'000});
  ASSERT_TRUE(findings.has_value());
  ASSERT_GT(findings->size(), 50u) << "too few findings were produced to mean anything";
  const auto sinks = alerts_testing::CrashSinks(base, dir);
  size_t expected = 0, duplicates = 0;
  for (const StoredFinding& f : *findings) {
    for (const SinkConfig& s : sinks) {
      const std::pair<std::string, int64_t> key{s.name, f.id};
      if (!FilterMatches(s.filter, f.finding)) {
        EXPECT_EQ(accepted.count(key), 0u) << s.name << " got finding " << f.id;
        continue;
      }
      ++expected;
      EXPECT_EQ(accepted.count(key), 1u)
          << s.name << " never got finding " << f.id << " (" << f.finding.kind << ")";
      EXPECT_EQ(got.keys[key].size(), 1u)
          << s.name << " got finding " << f.id << " under different keys";
      duplicates += static_cast<size_t>(std::max(0, got.copies[key] - 1));
    }
  }
  std::printf(
      "crash test: %d kills, %zu findings, %zu (finding, sink) deliveries expected, "
      "%zu duplicate copies (same key), %d webhook requests\n",
      kKills, findings->size(), expected, duplicates, requests.load());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ctwatch
