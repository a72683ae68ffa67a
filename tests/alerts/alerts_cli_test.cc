// The alert commands of the ctwatch binary: findings ack|resolve (and the findings listing
// beside them), alerts suppress|suppressions|unsuppress, alerts status and alerts test.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "alerts_test_util.h"
#include "core/file.h"

namespace ctwatch {
namespace {

using alerts_testing::AlertsDb;
using alerts_testing::MakeTempDir;
using nlohmann::json;

struct Output {
  int exit_code = -1;
  std::string out;
};

class AlertsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("ctwatch-alerts-cli");
    config_ = dir_ + "/ctwatch.toml";
    ASSERT_TRUE(WriteFileAtomic(config_, R"([service]
database = "ctwatch.db"
[logs]
list = "list.json"
[policy]
domains = ["example.com"]
[[alerts.sink]]
name = "file"
type = "jsonl"
path = "alerts.jsonl"
)")
                    .has_value());
    db_ = std::make_unique<AlertsDb>(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Output Run(const std::string& args) {
    const std::string cmd =
        std::string(CTWATCH_BINARY_DIR) + "/bin/ctwatch " + args + " --config " + config_ + " 2>&1";
    Output o;
    FILE* p = popen(cmd.c_str(), "r");
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) o.out.append(buf.data(), n);
    const int status = pclose(p);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return o;
  }

  std::string dir_, config_;
  std::unique_ptr<AlertsDb> db_;
};

TEST_F(AlertsCliTest, AckAndResolveBesideTheListing) {
  db_->CommitCertificateFinding({"www.example.com"});
  Output list = Run("findings --json");
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_EQ(json::parse(list.out)["state"], "open");
  Output ack = Run("findings ack 1 --note 'ours'");
  ASSERT_EQ(ack.exit_code, 0) << ack.out;
  EXPECT_EQ(ack.out, "finding #1 acknowledged\n");
  EXPECT_EQ(json::parse(Run("findings --json").out)["state"], "acknowledged");
  EXPECT_EQ(Run("findings resolve 1").exit_code, 0);
  EXPECT_EQ(json::parse(Run("findings --json").out)["state"], "resolved");
  Output again = Run("findings ack 1");
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.out.find("already resolved"), std::string::npos);
  EXPECT_EQ(Run("findings ack 42").exit_code, 1);
}

TEST_F(AlertsCliTest, Suppressions) {
  Output add =
      Run("alerts suppress --pattern '*.staging.example.com' --for 30d --reason 'staging'");
  ASSERT_EQ(add.exit_code, 0) << add.out;
  EXPECT_NE(add.out.find("suppression #1: pattern *.staging.example.com until "), std::string::npos)
      << add.out;
  EXPECT_EQ(Run("alerts suppress --issuer-key abc --reason x").exit_code, 2);
  EXPECT_EQ(Run("alerts suppress --name a.example.com --pattern b --reason x").exit_code, 2);
  Output list = Run("alerts suppressions --json");
  ASSERT_EQ(list.exit_code, 0) << list.out;
  const json rule = json::parse(list.out);
  EXPECT_EQ(rule["match"], "pattern");
  EXPECT_EQ(rule["reason"], "staging");
  EXPECT_TRUE(rule["active"].get<bool>());
  EXPECT_EQ(Run("alerts unsuppress 1").exit_code, 0);
  EXPECT_EQ(Run("alerts suppressions --json").out, "");
  EXPECT_EQ(Run("alerts unsuppress 1").exit_code, 1);
}

TEST_F(AlertsCliTest, StatusAndTest) {
  db_->CommitCertificateFinding({"www.example.com"});
  Output status = Run("alerts status --json");
  ASSERT_EQ(status.exit_code, 0) << status.out;
  const json s = json::parse(status.out);
  EXPECT_EQ(s["sink"], "file");
  EXPECT_EQ(s["outbox"], 1);  // nothing runs: the finding waits in the outbox
  Output test = Run("alerts test --sink file");
  ASSERT_EQ(test.exit_code, 0) << test.out;
  const json line = json::parse(*ReadFile(dir_ + "/alerts.jsonl"));
  EXPECT_EQ(line["type"], "test");
  EXPECT_NE(test.out.find(line["idempotency_key"].get<std::string>()), std::string::npos);
  EXPECT_EQ(Run("alerts test --sink nope").exit_code, 2);
}

}  // namespace
}  // namespace ctwatch
