// The test log server against programs: the ctwatch-testlog binary itself (command line,
// port file, log list, manifest, SIGTERM), and certspotter 0.16, an independent CT monitor,
// whose reported TBS hashes must be exactly the planted identities of the manifest.
// Everything runs on 127.0.0.1; certspotter is always given -logs (never its default URL).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/encoding.h"
#include "core/file.h"
#include "ctlog/log_list.h"
#include "ctlog/tree_head.h"
#include "subprocess.h"
#include "testlog_test_util.h"

namespace ctwatch::testlog {
namespace {

using ::ctwatch::testing::Child;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::Slurp;
using ::ctwatch::testing::TempDir;
using testing::Fetched;
using testing::Get;
using testing::Lines;

namespace fs = std::filesystem;

const char* const kTestlogBinary = CTWATCH_BINARY_DIR "/bin/ctwatch-testlog";
const char* const kCertspotter = "/usr/bin/certspotter";

TEST(BinaryTest, HelpAndLoopbackRefusal) {
  const std::string dir = TempDir("testlog-bin-help");
  Child help({kTestlogBinary, "--help"}, {}, dir + "/out", dir + "/err");
  ASSERT_TRUE(help.started());
  EXPECT_EQ(help.Wait(std::chrono::seconds(20)), 0);
  EXPECT_NE(Slurp(dir + "/out").find("--port-file"), std::string::npos);

  Child refused({kTestlogBinary, "--listen", "0.0.0.0", "--size", "1", "--pool-size", "1"}, {},
                dir + "/out2", dir + "/err2");
  EXPECT_NE(refused.Wait(std::chrono::seconds(20)), 0);
  EXPECT_NE(Slurp(dir + "/err2").find("loopback"), std::string::npos);
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(BinaryTest, ServesWritesPortLogListAndManifestAndStopsOnSigterm) {
  const std::string dir = TempDir("testlog-bin");
  Child server({kTestlogBinary,
                "--listen",
                "127.0.0.1",
                "--port",
                "0",
                "--port-file",
                dir + "/port",
                "--size",
                "3000",
                "--pool-size",
                "50",
                "--seed",
                "3",
                "--plant",
                "a.binary-test.example b.binary-test.example",
                "--manifest",
                dir + "/manifest",
                "--loglist-out",
                dir + "/loglist.json",
                "--log-level",
                "warn"},
               {}, dir + "/out", dir + "/err");
  ASSERT_TRUE(server.started());
  for (int i = 0; i < 600 && Slurp(dir + "/port").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string port_text = Slurp(dir + "/port");
  ASSERT_FALSE(port_text.empty()) << Slurp(dir + "/err");
  const int port = std::stoi(port_text);
  EXPECT_EQ(Slurp(dir + "/out"), "listening on http://127.0.0.1:" + std::to_string(port) + "/\n");

  auto list = ParseLogList(Slurp(dir + "/loglist.json"));
  ASSERT_THAT(list, IsOk());
  ASSERT_EQ(list->logs.size(), 2u);
  const LogInfo& rfc = list->logs[0].api == LogApi::kRfc6962 ? list->logs[0] : list->logs[1];
  auto verifier = LogVerifier::FromSpki(rfc.key);
  ASSERT_THAT(verifier, IsOk());
  auto sth = ParseGetSth(Get(port, "/rfc6962/ct/v1/get-sth").body);
  ASSERT_THAT(sth, IsOk());
  EXPECT_EQ(sth->tree_size, 3000u);
  EXPECT_THAT(verifier->VerifyTreeHead(*sth), IsOk());

  const auto manifest = Lines(Slurp(dir + "/manifest"));
  ASSERT_EQ(manifest.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(manifest[0])["entry_type"], "precert");
  EXPECT_EQ(nlohmann::json::parse(manifest[1])["names"][1], "b.binary-test.example");

  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(std::chrono::seconds(20)), 0);
  if (!HasFailure()) fs::remove_all(dir);
}

// certspotter 0.16 against the RFC 6962 API: what it reports for the watched domain is exactly
// the planted identities, at the planted indices, and it flags the malformed entries.
TEST(CertspotterTest, ReportsExactlyThePlantedIdentities) {
  if (access(kCertspotter, X_OK) != 0) GTEST_SKIP() << "certspotter is not installed";
  const std::string dir = TempDir("testlog-certspotter");
  ServerOptions options = testing::SmallOptions(3000);
  options.corpus.planted = {{"www.cs-watched.example", "cs-watched.example"},
                            {"api.cs-watched.example"},
                            {"deep.host.cs-watched.example"},
                            {"elsewhere.cs-unwatched.example"}};
  options.corpus.planted_malformed = 2;
  options.corpus.manifest_path = dir + "/manifest.jsonl";
  auto server = testing::StartServer(options);
  ASSERT_NE(server, nullptr);

  ASSERT_THAT(WriteFileAtomic(dir + "/loglist.json", server->LogListJson(true)), IsOk());
  ASSERT_THAT(WriteFileAtomic(dir + "/watchlist", ".cs-watched.example\n"), IsOk());
  ASSERT_THAT(WriteFileAtomic(dir + "/hook.sh",
                              "#!/bin/sh\n"
                              "echo \"$EVENT|$TBS_SHA256|$ENTRY_INDEX|$CERT_SHA256|$LOG_URI\" "
                              ">> \"$(dirname \"$0\")/events\"\n",
                              0755),
              IsOk());
  fs::create_directories(dir + "/config");  // no hooks.d, no email_recipients
  Child certspotter({kCertspotter, "-logs", dir + "/loglist.json", "-watchlist", dir + "/watchlist",
                     "-state_dir", dir + "/state", "-script", dir + "/hook.sh"},
                    {"CERTSPOTTER_CONFIG_DIR=" + dir + "/config", "HOME=" + dir},
                    dir + "/certspotter.out", dir + "/certspotter.err");
  ASSERT_TRUE(certspotter.started());

  // Done when certspotter has verified a head of the whole tree (state.json) and reported all
  // that it will: 3 watched pairs and the 2 malformed entries = 8 events.
  const uint64_t size = server->corpus().size();
  const std::string log_dir =
      dir + "/state/logs/" + Base64UrlEncode(server->corpus().rfc6962_signer().log_id());
  uint64_t verified = 0;
  size_t events = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto state = nlohmann::json::parse(Slurp(log_dir + "/state.json"), nullptr, false);
    if (!state.is_discarded() && state.contains("verified_position")) {
      verified = state["verified_position"]["size"].get<uint64_t>();
    }
    events = Lines(Slurp(dir + "/events")).size();
    if (verified == size && events >= 8) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  certspotter.Signal(SIGTERM);
  certspotter.Wait(std::chrono::seconds(10));
  ASSERT_EQ(verified, size) << Slurp(dir + "/certspotter.err");

  // What was planted for the watched domain, from the manifest file.
  std::set<std::string> planted_identities;
  std::set<std::string> planted_certs;  // "identity|index|cert_sha256"
  std::set<std::string> malformed_indices;
  for (const std::string& line : Lines(Slurp(dir + "/manifest.jsonl"))) {
    auto record = nlohmann::json::parse(line);
    if (record["malformed"].get<bool>()) {
      malformed_indices.insert(std::to_string(record["index"].get<uint64_t>()));
      continue;
    }
    if (!record["names"][0].get<std::string>().ends_with("cs-watched.example")) continue;
    planted_identities.insert(record["identity"].get<std::string>());
    planted_certs.insert(record["identity"].get<std::string>() + "|" +
                         std::to_string(record["index"].get<uint64_t>()) + "|" +
                         record["cert_sha256"].get<std::string>());
  }
  ASSERT_EQ(planted_identities.size(), 3u);
  ASSERT_EQ(malformed_indices.size(), 2u);

  std::set<std::string> reported_identities, reported_certs, reported_malformed;
  for (const std::string& line : Lines(Slurp(dir + "/events"))) {
    std::vector<std::string> f;
    size_t start = 0;
    for (size_t bar = line.find('|'); bar != std::string::npos; bar = line.find('|', start)) {
      f.push_back(line.substr(start, bar - start));
      start = bar + 1;
    }
    f.push_back(line.substr(start));
    ASSERT_EQ(f.size(), 5u) << line;
    EXPECT_EQ(f[4], server->base_url() + "rfc6962/");
    if (f[0] == "discovered_cert") {
      reported_identities.insert(f[1]);
      reported_certs.insert(f[1] + "|" + f[2] + "|" + f[3]);
    } else if (f[0] == "malformed_cert") {
      reported_malformed.insert(f[2]);
    } else {
      ADD_FAILURE() << "unexpected certspotter event: " << line;
    }
  }
  EXPECT_EQ(reported_identities, planted_identities);
  EXPECT_EQ(reported_certs, planted_certs);  // both the precertificate and the certificate
  EXPECT_EQ(reported_malformed, malformed_indices);
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace ctwatch::testlog
