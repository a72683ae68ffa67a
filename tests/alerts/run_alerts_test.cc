// End to end: `ctwatch run --once` against the project's test log server (in process, on
// 127.0.0.1) with planted certificates, delivering to a webhook, a JSON lines file and a
// certspotter-style hook. Every finding of the run must arrive at each sink under one key, the
// hook must see the planted certificate's identity, hashes and log position, and a second run
// must not send anything again.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "alerts_test_util.h"
#include "core/file.h"
#include "store/store.h"
#include "testlog/test_log_server.h"

namespace ctwatch {
namespace {

using alerts_testing::MakeTempDir;
using alerts_testing::Receiver;
using nlohmann::json;

std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

std::map<std::string, std::string> HookEnv(const std::string& run_dir) {
  std::map<std::string, std::string> env;
  const std::string text = *ReadFile(run_dir + "/env");
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nul = text.find('\0', pos);
    const std::string entry = text.substr(pos, nul - pos);
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    if (nul == std::string::npos) break;
    pos = nul + 1;
  }
  return env;
}

TEST(RunAlertsTest, RunOnceDeliversEveryFindingToEverySink) {
  const std::string dir = MakeTempDir("ctwatch-run-alerts");
  testlog::ServerOptions options;
  options.corpus.initial_size = 600;
  options.corpus.pool_size = 200;
  options.corpus.hash_threads = 1;
  options.corpus.planted = {{"www.example.com", "api.example.com"}, {"login.examp1e.com"}};
  options.corpus.planted_malformed = 1;
  options.corpus.manifest_path = dir + "/manifest.jsonl";
  auto server = testlog::TestLogServer::Create(options);
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  ASSERT_TRUE((*server)->Start().has_value());
  ASSERT_TRUE(WriteFileAtomic(dir + "/loglist.json", (*server)->LogListJson(true)).has_value());
  Receiver receiver;
  std::filesystem::create_directories(dir + "/runs");
  ASSERT_TRUE(
      WriteFileAtomic(dir + "/ctwatch.toml", R"([service]
database = "db/ctwatch.db"
log_level = "warn"
[logs]
list = "loglist.json"
start = "beginning"
[policy]
domains = ["example.com"]
[[alerts.sink]]
name = "soc"
type = "webhook"
url = ")" + receiver.Url("/soc") + R"("
secret = "e2e-secret"
[[alerts.sink]]
name = "file"
type = "jsonl"
path = "alerts.jsonl"
[[alerts.sink]]
name = "hook"
type = "exec"
command = ["/bin/sh", ")" + std::string(CTWATCH_SOURCE_DIR) +
                                                 R"(/tests/alerts/certspotter_hook.sh", "runs"]
)")
          .has_value());
  const std::string run = "cd " + dir + " && " + std::string(CTWATCH_BINARY_DIR) +
                          "/bin/ctwatch run --once --config ctwatch.toml";
  ASSERT_EQ(std::system(run.c_str()), 0);

  auto store = OpenSqliteStore({.path = dir + "/db/ctwatch.db", .read_only = true});
  ASSERT_TRUE(store.has_value());
  auto findings = (*store)->ListFindings({});
  ASSERT_TRUE(findings.has_value());
  ASSERT_GE(findings->size(), 2u);  // at least the owned certificate and the malformed entry
  std::map<std::string, std::map<int64_t, std::set<std::string>>> got;  // sink -> id -> keys
  for (const auto& r : receiver.accepted()) {
    const json body = json::parse(r.body);
    for (const json& f : body["findings"]) {
      got["soc"][f["id"].get<int64_t>()].insert(r.Header("idempotency-key"));
    }
  }
  for (const json& line : JsonLines(*ReadFile(dir + "/alerts.jsonl"))) {
    for (const json& f : line["findings"]) {
      got["file"][f["id"].get<int64_t>()].insert(line["idempotency_key"].get<std::string>());
    }
  }
  std::map<std::string, std::string> discovered;  // TBS_SHA256 -> run dir
  bool malformed = false;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/runs")) {
    const auto env = HookEnv(e.path().string());
    got["hook"][std::stoll(env.at("CTWATCH_FINDING_ID"))].insert(env.at("CTWATCH_IDEMPOTENCY_KEY"));
    if (env.at("EVENT") == "discovered_cert") discovered[env.at("TBS_SHA256")] = e.path().string();
    if (env.at("EVENT") == "malformed_cert") malformed = true;
  }
  for (const StoredFinding& f : *findings) {
    for (const char* sink : {"soc", "file", "hook"}) {
      EXPECT_EQ(got[sink][f.id].size(), 1u)
          << sink << " and finding " << f.id << " " << f.finding.kind;
    }
  }
  EXPECT_TRUE(malformed);
  // The planted owned certificate, as the hook saw it.
  bool checked = false;
  for (const json& planted : JsonLines(*ReadFile(dir + "/manifest.jsonl"))) {
    if (planted["malformed"].get<bool>() || planted["names"][0] != "www.example.com") continue;
    auto it = discovered.find(planted["identity"].get<std::string>());
    ASSERT_NE(it, discovered.end()) << "no discovered_cert run for the planted certificate";
    const auto env = HookEnv(it->second);
    EXPECT_EQ(env.at("WATCH_ITEM"), ".example.com");
    EXPECT_EQ(env.at("LOG_URI"), (*server)->base_url() + "rfc6962/");
    const uint64_t index = std::stoull(env.at("ENTRY_INDEX"));
    if (index == planted["index"].get<uint64_t>()) {
      EXPECT_EQ(env.at("CERT_SHA256"), planted["cert_sha256"]);
      checked = true;
    }
  }
  EXPECT_TRUE(checked) << "the hook's entry index matched no planted entry";

  // A second run finds nothing new and sends nothing again.
  const size_t requests = receiver.all().size();
  ASSERT_EQ(std::system(run.c_str()), 0);
  EXPECT_EQ(receiver.all().size(), requests);
  (*server)->Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ctwatch
