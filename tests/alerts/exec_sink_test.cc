// The exec sink with a certspotter-style hook script (tests/alerts/certspotter_hook.sh) that
// records its environment, standard input and the files it was pointed at: the variables of
// certspotter-script(8) for discovered_cert, malformed_cert and error events, the PEM / JSON /
// text files, the finding on standard input, failures and the timeout.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "alerts/alert_service.h"
#include "alerts/dispatcher.h"
#include "alerts/sink.h"
#include "alerts_test_util.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/openssl_util.h"

namespace ctwatch {
namespace {

std::string ReadOrEmpty(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  return text.has_value() ? *text : std::string();
}

using alerts_testing::AlertsDb;
using alerts_testing::H;
using alerts_testing::MakeTempDir;
using alerts_testing::WaitFor;
using nlohmann::json;

struct HookRun {
  std::map<std::string, std::string> env;
  std::string stdin_text;
  std::map<std::string, std::string> files;  // copies: cert.pem, cert.json, text.txt, entry.json
};

class ExecSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("ctwatch-exec");
    db_ = std::make_unique<AlertsDb>(dir_);
    std::filesystem::create_directories(dir_ + "/runs");
  }
  void TearDown() override {
    if (dispatcher_) dispatcher_->Stop();
    std::filesystem::remove_all(dir_);
  }

  SinkConfig Hook(std::vector<std::string> extra = {}) {
    SinkConfig s;
    s.name = "hook";
    s.type = SinkType::kExec;
    s.timeout_ms = 5000;
    s.exec.command = {"/bin/sh",
                      std::string(CTWATCH_SOURCE_DIR) + "/tests/alerts/certspotter_hook.sh",
                      dir_ + "/runs"};
    for (std::string& e : extra) s.exec.command.push_back(std::move(e));
    s.exec.files_dir = dir_ + "/files";
    return s;
  }

  void Start(const SinkConfig& sink) {
    std::vector<std::unique_ptr<Sink>> impls;
    impls.push_back(MakeExecSink(sink, MakeSinkContext(db_->alerts(), {"example.com"})));
    DeliveryConfig delivery{.poll_interval_ms = 20, .retry_base_ms = 50, .retry_max_ms = 200};
    dispatcher_ = std::make_unique<Dispatcher>(db_->alerts(), delivery,
                                               std::vector<SinkConfig>{sink}, std::move(impls));
    dispatcher_->Start();
  }

  std::vector<HookRun> Runs() {
    std::vector<std::string> dirs;
    for (const auto& e : std::filesystem::directory_iterator(dir_ + "/runs")) {
      if (FileExists(e.path().string() + "/done")) dirs.push_back(e.path().string());
    }
    std::sort(dirs.begin(), dirs.end());
    std::vector<HookRun> out;
    for (const std::string& d : dirs) {
      HookRun run;
      std::string env = ReadOrEmpty(d + "/env");
      size_t pos = 0;
      while (pos < env.size()) {
        const size_t nul = env.find('\0', pos);
        const std::string entry = env.substr(pos, nul - pos);
        const size_t eq = entry.find('=');
        if (eq != std::string::npos) run.env[entry.substr(0, eq)] = entry.substr(eq + 1);
        if (nul == std::string::npos) break;
        pos = nul + 1;
      }
      run.stdin_text = ReadOrEmpty(d + "/stdin");
      for (const char* f : {"cert.pem", "cert.json", "text.txt", "entry.json"}) {
        if (auto text = ReadFile(d + "/" + f); text.has_value()) run.files[f] = *text;
      }
      out.push_back(std::move(run));
    }
    return out;
  }

  // A real certificate (DER), so that the PEM and the JSON's subject/issuer DER can be checked.
  Bytes RealCertificate() {
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1"
        " -subj /CN=www.example.com -keyout " +
        dir_ + "/k.pem -outform DER -out " + dir_ + "/c.der 2>/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    const std::string der = ReadOrEmpty(dir_ + "/c.der");
    return Bytes(der.begin(), der.end());
  }

  std::string dir_;
  std::unique_ptr<AlertsDb> db_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(ExecSinkTest, DiscoveredCertHasCertspotterVariablesAndFiles) {
  const Bytes der = RealCertificate();
  db_->set_der(der);
  Start(Hook());
  const Sha256Hash id = db_->CommitCertificateFinding({"www.example.com", "192.0.2.7"});
  ASSERT_TRUE(WaitFor([&] { return Runs().size() == 1; }));
  const HookRun run = Runs()[0];
  const auto& env = run.env;
  EXPECT_EQ(env.at("EVENT"), "discovered_cert");
  EXPECT_EQ(env.at("SUMMARY"), "certificate discovered for .example.com");
  EXPECT_EQ(env.at("WATCH_ITEM"), ".example.com");
  EXPECT_EQ(env.at("LOG_URI"), "https://ct.example.net/2026/");
  EXPECT_EQ(env.at("ENTRY_INDEX"), "0");
  EXPECT_EQ(env.at("TBS_SHA256"), HexEncode(id));
  EXPECT_EQ(env.at("CERT_SHA256"), HexEncode(H(0x50, 1)));
  EXPECT_EQ(env.at("PUBKEY_SHA256"), HexEncode(H(0x60, 1)));
  EXPECT_EQ(env.at("NOT_BEFORE"), "2026-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(env.at("NOT_BEFORE_UNIXTIME"), "1767225600");
  EXPECT_EQ(env.at("NOT_BEFORE_RFC3339"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(env.at("NOT_AFTER"), "2026-04-01 00:00:00 +0000 UTC");
  EXPECT_EQ(env.at("NOT_AFTER_UNIXTIME"), "1775001600");
  EXPECT_EQ(env.at("NOT_AFTER_RFC3339"), "2026-04-01T00:00:00Z");
  EXPECT_EQ(env.at("SUBJECT_DN"), "CN=www.example.com");
  EXPECT_EQ(env.at("ISSUER_DN"), "C=US, O=Test CA, CN=Test Issuing CA");
  EXPECT_EQ(env.at("SERIAL"), "ab12");
  EXPECT_EQ(env.at("CTWATCH_KIND"), "owned_certificate");
  EXPECT_EQ(env.at("CTWATCH_SEVERITY"), "high");
  EXPECT_EQ(env.at("CTWATCH_FINDING_ID"), "1");
  const std::string key = env.at("CTWATCH_IDEMPOTENCY_KEY");
  EXPECT_EQ(key.rfind("ctw-", 0), 0u);
  // Files: named by the certificate's hash, kept after the hook (as certspotter keeps them).
  const std::string base =
      dir_ + "/files/" + HexEncode(H(0x50, 1)).substr(0, 2) + "/" + HexEncode(H(0x50, 1));
  EXPECT_EQ(env.at("CERT_FILENAME"), base + ".pem");
  EXPECT_EQ(env.at("JSON_FILENAME"), base + ".v1.json");
  EXPECT_EQ(env.at("TEXT_FILENAME"), base + ".txt");
  EXPECT_TRUE(FileExists(base + ".pem"));
  auto pem = PemCertificatesToDer(run.files.at("cert.pem"));
  ASSERT_TRUE(pem.has_value());
  ASSERT_EQ(pem->size(), 1u);
  EXPECT_EQ((*pem)[0], der);
  const json j = json::parse(run.files.at("cert.json"));
  EXPECT_EQ(j["tbs_sha256"], HexEncode(id));
  EXPECT_EQ(j["dns_names"], json({"www.example.com"}));
  EXPECT_EQ(j["ip_addresses"], json({"192.0.2.7"}));
  EXPECT_EQ(j["not_before"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(j["serial_number"], "ab12");
  EXPECT_TRUE(j.contains("subject_der"));
  EXPECT_NE(run.files.at("text.txt").find("www.example.com"), std::string::npos);
  // The finding on standard input.
  const json in = json::parse(run.stdin_text);
  EXPECT_EQ(in["id"], 1);
  EXPECT_EQ(in["kind"], "owned_certificate");
  EXPECT_EQ(in["idempotency_key"], key);
  EXPECT_EQ(in["certificate"]["tbs_sha256"], HexEncode(id));
}

TEST_F(ExecSinkTest, MalformedAndErrorEvents) {
  Start(Hook());
  // A malformed entry, committed and verified as the tailer does.
  MalformedEntry bad;
  bad.index = 0;
  bad.error = "TBSCertificate: trailing data";
  bad.leaf_input = {0, 0, 1, 2, 3};
  bad.extra_data = {9, 9};
  bad.finding = {.kind = "malformed_entry",
                 .severity = Severity::kMedium,
                 .detail = "entry 0: TBSCertificate: trailing data",
                 .dedup_key = "malformed:0"};
  IngestBatch b{.log_id = db_->log().log_id,
                .start = 0,
                .end = 1,
                .compact_range = {2},
                .verified = VerifiedHead{1, H(9)}};
  b.malformed.push_back(bad);
  ASSERT_TRUE(db_->store()->CommitBatch(b).has_value());
  ASSERT_TRUE(WaitFor([&] { return Runs().size() == 1; }));
  db_->AddLogFinding("log_split_view", Severity::kCritical, "split:7");
  ASSERT_TRUE(WaitFor([&] { return Runs().size() == 2; }));
  const std::vector<HookRun> runs = Runs();
  const auto& m = runs[0].env;
  EXPECT_EQ(m.at("EVENT"), "malformed_cert");
  EXPECT_EQ(m.at("LOG_URI"), "https://ct.example.net/2026/");
  EXPECT_EQ(m.at("ENTRY_INDEX"), "0");
  EXPECT_EQ(m.at("PARSE_ERROR"), "entry 0: TBSCertificate: trailing data");
  EXPECT_FALSE(m.at("LEAF_HASH").empty());
  const json entry = json::parse(runs[0].files.at("entry.json"));
  EXPECT_EQ(entry["leaf_input"], Base64Encode(bad.leaf_input));
  EXPECT_EQ(entry["extra_data"], Base64Encode(bad.extra_data));
  const auto& e = runs[1].env;
  EXPECT_EQ(e.at("EVENT"), "error");
  EXPECT_EQ(e.at("SUMMARY"), "critical log_split_view: log_split_view detail");
  EXPECT_NE(runs[1].files.at("text.txt").find("log_split_view detail"), std::string::npos);
  // Per-event files are gone once the hook has run.
  EXPECT_TRUE(WaitFor([&] { return !FileExists(e.at("TEXT_FILENAME")); }));
}

TEST_F(ExecSinkTest, FailingHookIsRetriedWithTheSameKey) {
  // The script fails while the flag file exists.
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/fail", "1").has_value());
  Start(Hook({dir_ + "/fail"}));
  db_->CommitCertificateFinding({"www.example.com"});
  ASSERT_TRUE(WaitFor([&] { return !dispatcher_->SinkStates()[0].last_error.empty(); }));
  EXPECT_NE(dispatcher_->SinkStates()[0].last_error.find("exited with status 3"),
            std::string::npos);
  std::filesystem::remove(dir_ + "/fail");
  ASSERT_TRUE(WaitFor([&] {
    auto stats = db_->alerts()->QueueStats();
    return stats.has_value() && (*stats)["hook"].delivered == 1;
  }));
  ASSERT_GE(Runs().size(), 2u);
  std::set<std::string> keys;
  for (const HookRun& r : Runs()) keys.insert(r.env.at("CTWATCH_IDEMPOTENCY_KEY"));
  EXPECT_EQ(keys.size(), 1u);
}

TEST_F(ExecSinkTest, HookIsKilledAfterTheTimeout) {
  SinkConfig sink = Hook({"", "sleep"});
  sink.timeout_ms = 300;
  auto made = MakeExecSink(sink, {});
  AlertFinding f;
  f.stored.id = 5;
  f.stored.finding = {.kind = "log_backlog", .severity = Severity::kMedium, .detail = "slow"};
  OutgoingMessage m{.sink = "hook", .idempotency_key = "ctw-timeout", .findings = {f}};
  const int64_t start = MonotonicMs();
  Status s = made->Deliver(m);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kTimeout);
  EXPECT_LT(MonotonicMs() - start, 3000);
}

}  // namespace
}  // namespace ctwatch
