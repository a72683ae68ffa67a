// IngestHarness: the test log server (tools/testlog) in process on 127.0.0.1 and the real
// `ctwatch` binary as a child process against it, with a config written per test. Helpers
// read ctwatch's JSON-lines output and the server's manifest of planted entries.
// Thread-safety: test-thread only.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "subprocess.h"
#include "test_util.h"
#include "testlog/test_log_server.h"

namespace ctwatch::testing {

inline const std::string kCtwatch = CTWATCH_BINARY_DIR "/bin/ctwatch";

struct CtwatchResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A planted entry as the server's manifest describes it.
struct PlantedEntry {
  uint64_t index = 0;
  std::string entry_type;
  std::string identity;
  std::string cert_sha256;
  std::vector<std::string> names;
  bool malformed = false;
};

inline testlog::ServerOptions SmallLog(uint64_t size, std::vector<std::vector<std::string>> planted,
                                       uint64_t malformed = 0) {
  testlog::ServerOptions o;
  o.corpus.initial_size = size;
  o.corpus.pool_size = 64;
  o.corpus.seed = 11;
  o.corpus.planted = std::move(planted);
  o.corpus.planted_malformed = malformed;
  o.threads = 8;
  return o;
}

class IngestHarness {
 public:
  IngestHarness(const std::string& name, const testlog::ServerOptions& options)
      : dir_(TempDir(name)) {
    auto server = testlog::TestLogServer::Create(options);
    if (!server.has_value()) {
      ADD_FAILURE() << server.error().ToString();
      return;
    }
    server_ = std::move(server).value();
    Status started = server_->Start();
    if (!started.has_value()) ADD_FAILURE() << started.error().ToString();
    EXPECT_THAT(WriteFileAtomic(dir_ + "/loglist.json", server_->LogListJson(false)), IsOk());
    WriteConfig();
  }
  ~IngestHarness() {
    if (server_) server_->Stop();
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir_);
  }

  testlog::TestLogServer& server() { return *server_; }
  const std::string& dir() const { return dir_; }
  std::string config() const { return dir_ + "/ctwatch.toml"; }

  // [logs] keys (TOML values) over the defaults, which keep tests fast (no rate limit,
  // short polls, reading from the beginning).
  void WriteConfig(const std::map<std::string, std::string>& logs = {},
                   const std::string& domains = "\"example.com\"") {
    std::map<std::string, std::string> keys = {{"list", "\"loglist.json\""},
                                               {"start", "\"beginning\""},
                                               {"poll_interval", "\"1s\""},
                                               {"requests_per_second", "0"}};
    for (const auto& [k, v] : logs) keys[k] = v;
    std::string text = "[service]\ndatabase = \"ctwatch.db\"\nlog_level = \"debug\"\n[logs]\n";
    for (const auto& [k, v] : keys) text += k + " = " + v + "\n";
    // Ingestion tests judge by the owned domains alone (what certspotter's watch list means);
    // lookalikes and internal names have their own tests.
    text += "[policy]\ndomains = [" + domains + "]\n[policy.lookalike]\nenabled = false\n"
            "[policy.internal]\nbuiltin = false\n";
    EXPECT_THAT(WriteFileAtomic(config(), text), IsOk());
  }

  CtwatchResult Run(std::vector<std::string> args, std::chrono::seconds timeout = std::chrono::seconds(120)) {
    args.insert(args.begin(), kCtwatch);
    args.push_back("--config");
    args.push_back(config());
    const std::string out = dir_ + "/out." + std::to_string(runs_), err = dir_ + "/err." + std::to_string(runs_);
    ++runs_;
    Child child(args, {}, out, err);
    CtwatchResult r;
    r.exit_code = child.Wait(timeout);
    r.out = Slurp(out);
    r.err = Slurp(err);
    return r;
  }

  std::unique_ptr<Child> Start(std::vector<std::string> args) {
    args.insert(args.begin(), kCtwatch);
    args.push_back("--config");
    args.push_back(config());
    return std::make_unique<Child>(args, std::vector<std::string>{}, dir_ + "/daemon.out",
                                   dir_ + "/daemon.err");
  }

  // `ctwatch <command> --json`, one parsed object per line. With `must_succeed` false a failure
  // (e.g. no database yet) gives an empty list.
  std::vector<nlohmann::json> Json(const std::string& command, bool must_succeed = true) {
    CtwatchResult r = Run({command, "--json"});
    if (must_succeed) {
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    std::vector<nlohmann::json> out;
    for (const std::string& line : Lines(r.out)) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  std::vector<PlantedEntry> Manifest() {
    httplib::Client client("127.0.0.1", server_->port());
    auto res = client.Get("/admin/manifest");
    std::vector<PlantedEntry> out;
    if (!res || res->status != 200) {
      ADD_FAILURE() << "cannot read the manifest";
      return out;
    }
    for (const std::string& line : Lines(res->body)) {
      auto j = nlohmann::json::parse(line);
      PlantedEntry e{.index = j["index"].get<uint64_t>(),
                     .entry_type = j["entry_type"].get<std::string>(),
                     .identity = j["identity"].get<std::string>(),
                     .cert_sha256 = j["cert_sha256"].get<std::string>(),
                     .names = j["names"].get<std::vector<std::string>>(),
                     .malformed = j["malformed"].get<bool>()};
      out.push_back(std::move(e));
    }
    return out;
  }

  int Admin(const std::string& path, const std::string& body = "") {
    httplib::Client client("127.0.0.1", server_->port());
    auto res = client.Post(path.c_str(), body, "application/json");
    return res ? res->status : -1;
  }

 private:
  std::string dir_;
  std::unique_ptr<testlog::TestLogServer> server_;
  int runs_ = 0;
};

// identity -> set of "log|index|entry_type|cert_sha256" that ctwatch stored (both logs).
inline std::map<std::string, std::set<std::string>> StoredSightings(
    const std::vector<nlohmann::json>& certs) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& c : certs) {
    auto& set = out[c["identity"].get<std::string>()];
    for (const auto& s : c["sightings"]) {
      set.insert(s["log"].get<std::string>() + "|" + std::to_string(s["index"].get<uint64_t>()) +
                 "|" + s["entry_type"].get<std::string>() + "|" + s["cert_sha256"].get<std::string>());
    }
  }
  return out;
}

// What ctwatch must have stored for planted entries with a name under `domain` (label-wise):
// every such planted entry, seen in each of `logs`.
inline std::map<std::string, std::set<std::string>> ExpectedSightings(
    const std::vector<PlantedEntry>& manifest, const std::string& domain,
    const std::vector<std::string>& logs) {
  std::map<std::string, std::set<std::string>> out;
  for (const PlantedEntry& e : manifest) {
    const bool owned = std::any_of(e.names.begin(), e.names.end(), [&](const std::string& n) {
      return n == domain || n.ends_with("." + domain);
    });
    if (e.malformed || !owned) continue;
    for (const std::string& log : logs) {
      out[e.identity].insert(log + "|" + std::to_string(e.index) + "|" + e.entry_type + "|" +
                             e.cert_sha256);
    }
  }
  return out;
}

inline const std::vector<std::string> kBothLogs = {"ctwatch test log (RFC 6962)",
                                                   "ctwatch test log (static-ct-api)"};

}  // namespace ctwatch::testing
