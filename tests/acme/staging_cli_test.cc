// `ctwatch acme issue --staging` and `--dry-run` with the ctwatch binary: the same flow against
// each CA's staging directory (here the production directory is unreachable and pebble is the
// staging one). Staging keeps its own storage and database; a dry run leaves nothing behind and
// runs no deploy hook; production state is never touched. Also `--parallel` batch issuance.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "acme/inventory_store.h"
#include "core/file.h"
#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsOk;

const std::string kBinary = std::string(CTWATCH_BINARY_DIR) + "/bin/ctwatch";

int RunCtwatch(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv = {kBinary};
  argv.insert(argv.end(), args.begin(), args.end());
  auto pid = ::ctwatch::testing::Spawn(argv, {}, log);
  return pid.has_value() ? ::ctwatch::testing::WaitExit(*pid, 60'000) : -1;
}

std::vector<nlohmann::json> JsonLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::istringstream in(*ReadFile(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] == '{') out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

TEST(StagingCliTest, StagingAndDryRunUseTheStagingDirectory) {
  ASSERT_TRUE(FileExists(kBinary)) << kBinary;
  auto* pebble = ::ctwatch::testing::SharedPebble();
  ASSERT_NE(pebble, nullptr);
  const std::string dir = ::ctwatch::testing::MakeTempDir("staging");
  std::ostringstream c;
  c << "[service]\ndatabase = \"" << dir << "/ctwatch.db\"\n[logs]\nlist = \"list.json\"\n"
    << "[acme]\nstorage = \"" << dir << "/acme\"\n"
    << "[acme.http01]\nport = " << pebble->http_port() << "\n"
    << "[[acme.ca]]\nname = \"le\"\n"
    << "directory = \"https://127.0.0.1:" << ::ctwatch::testing::UnusedPort() << "/dir\"\n"
    << "staging_directory = \"" << pebble->directory_url() << "\"\n"
    << "ca_file = \"" << pebble->ca_file() << "\"\n"
    << "[[acme.certificate]]\nname = \"stage\"\ndomains = [\"stage.test\"]\n"
    << "deploy_hook = \"touch " << dir << "/deployed\"\n";
  const std::string config = dir + "/ctwatch.toml";
  ASSERT_THAT(WriteFileAtomic(config, c.str()), IsOk());

  ASSERT_EQ(RunCtwatch({"acme", "issue", "-c", config, "--dry-run", "--json"}, dir + "/dry.log"), 0)
      << "see " << dir << "/dry.log";
  auto dry = JsonLines(dir + "/dry.log");
  ASSERT_EQ(dry.size(), 1u);
  EXPECT_EQ(dry[0]["result"], "issued");
  EXPECT_FALSE(FileExists(dir + "/deployed"));  // no deploy hook in a dry run
  EXPECT_FALSE(FileExists(dir + "/acme/staging"));
  const std::string dry_dir = dry[0]["live_dir"].get<std::string>();
  EXPECT_FALSE(FileExists(dry_dir + "/cert.pem"));  // the throwaway directory is gone

  ASSERT_EQ(
      RunCtwatch({"acme", "issue", "-c", config, "--staging", "--json"}, dir + "/staging.log"), 0)
      << "see " << dir << "/staging.log";
  auto staged = JsonLines(dir + "/staging.log");
  ASSERT_EQ(staged.size(), 1u);
  EXPECT_EQ(staged[0]["result"], "issued");
  EXPECT_EQ(staged[0]["live_dir"], dir + "/acme/staging/acme/live/stage");
  EXPECT_TRUE(FileExists(dir + "/acme/staging/acme/live/stage/fullchain.pem"));
  EXPECT_TRUE(FileExists(dir + "/deployed"));
  auto staging_db = OpenInventoryStore(dir + "/acme/staging/ctwatch-staging.db");
  ASSERT_THAT(staging_db, IsOk());
  EXPECT_EQ((*staging_db)->ListCertificates({})->size(), 1u);
  // Production: no certificate, no account, no files.
  auto production = OpenInventoryStore(dir + "/ctwatch.db");
  ASSERT_THAT(production, IsOk());
  EXPECT_TRUE((*production)->ListCertificates({})->empty());
  EXPECT_TRUE((*production)->ListAccounts()->empty());
  EXPECT_FALSE(FileExists(dir + "/acme/live/stage"));
}

TEST(StagingCliTest, BatchIssueRunsInParallel) {
  auto* pebble = ::ctwatch::testing::SharedPebble();
  ASSERT_NE(pebble, nullptr);
  const std::string dir = ::ctwatch::testing::MakeTempDir("batch");
  std::ostringstream c;
  c << "[service]\ndatabase = \"" << dir << "/ctwatch.db\"\n[logs]\nlist = \"list.json\"\n"
    << "[acme]\nstorage = \"" << dir << "/acme\"\n"
    << "[acme.http01]\nport = " << pebble->http_port() << "\n"
    << "[acme.renewal]\nconcurrency = 4\n"
    << "[[acme.ca]]\nname = \"pebble\"\ndirectory = \"" << pebble->directory_url() << "\"\n"
    << "ca_file = \"" << pebble->ca_file() << "\"\n";
  for (int i = 0; i < 8; ++i) {
    c << "[[acme.certificate]]\nname = \"b" << i << "\"\ndomains = [\"b" << i << ".batch.test\"]\n";
  }
  ASSERT_THAT(WriteFileAtomic(dir + "/ctwatch.toml", c.str()), IsOk());
  ASSERT_EQ(
      RunCtwatch({"acme", "issue", "-c", dir + "/ctwatch.toml", "--json"}, dir + "/batch.log"), 0)
      << "see " << dir << "/batch.log";
  auto lines = JsonLines(dir + "/batch.log");
  ASSERT_EQ(lines.size(), 8u);
  for (const auto& line : lines) EXPECT_EQ(line["result"], "issued") << line.dump();
  // Orders overlapped: the log shows several "issuing" before the first "issued".
  const std::string log = *ReadFile(dir + "/batch.log");
  const size_t first_done = log.find("\"result\":\"issued\"");
  size_t started = 0;
  for (size_t pos = 0;
       (pos = log.find(": issuing: ", pos)) != std::string::npos && pos < first_done; ++pos) {
    ++started;
  }
  EXPECT_GE(started, 2u);
}

}  // namespace
}  // namespace ctwatch
