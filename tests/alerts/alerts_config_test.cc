// The [alerts] section of the config file: every sink type, filters, secrets from files and
// the environment, and errors that name file, line and key without echoing secrets.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "alerts_test_util.h"
#include "app/alerts_config_reader.h"
#include "app/config.h"
#include "core/file.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsOk;

class AlertsConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = alerts_testing::MakeTempDir("ctwatch-alerts-config"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Result<Config> Load(const std::string& alerts) {
    const std::string path = dir_ + "/ctwatch.toml";
    EXPECT_THAT(WriteFileAtomic(path, "[logs]\nlist = \"list.json\"\n" + alerts), IsOk());
    return LoadConfig(path);
  }
  std::string dir_;
};

TEST_F(AlertsConfigTest, EverySinkType) {
  ASSERT_THAT(WriteFileAtomic(dir_ + "/hmac.key", "file-secret\n", 0600), IsOk());
  setenv("CTWATCH_TEST_SMTP_PASSWORD", "env-password", 1);
  auto c = Load(R"(
[alerts]
poll_interval = "100ms"
retry_base = "1s"
retry_max = "5m"
give_up_after = "12h"
[alerts.health]
log_unreachable_after = "30m"
backlog_entries = 5000
backlog_after = "2h"
sink_failing_after = "10m"
daily_summary = "07:30"
[alerts.heartbeat]
url = "https://hc-ping.com/abc"
interval = "2m"
[[alerts.sink]]
name = "soc"
type = "webhook"
url = "https://soc.example.com/hooks/ct"
secret_file = "hmac.key"
headers = { Authorization = "Bearer t0ken", X-Team = "blue" }
min_severity = "medium"
kinds = ["owned_certificate", "lookalike"]
domains = ["example.com"]
rate_limit = "30/m"
[[alerts.sink]]
name = "chat"
type = "slack"
url = "https://hooks.slack.com/services/T/B/X"
digest_interval = "5m"
digest_max = 200
summary = false
[[alerts.sink]]
name = "mail"
type = "email"
url = "smtp://mail.example.com:587"
from = "ctwatch@example.com"
to = ["soc@example.com"]
username = "ctwatch"
password_env = "CTWATCH_TEST_SMTP_PASSWORD"
[[alerts.sink]]
name = "hook"
type = "exec"
command = ["hooks/notify.sh", "--quiet"]
[[alerts.sink]]
name = "log"
type = "jsonl"
path = "-"
)");
  ASSERT_THAT(c, IsOk());
  const AlertsConfig& a = c->alerts;
  EXPECT_EQ(a.delivery.poll_interval_ms, 100);
  EXPECT_EQ(a.delivery.retry_max_ms, 300'000);
  EXPECT_EQ(a.delivery.give_up_after_ms, 12 * 3'600'000);
  EXPECT_EQ(a.health.backlog_entries, 5000u);
  EXPECT_EQ(a.health.daily_summary_minute, 7 * 60 + 30);
  EXPECT_EQ(a.heartbeat.url, "https://hc-ping.com/abc");
  EXPECT_EQ(a.heartbeat.interval_ms, 120'000);
  ASSERT_EQ(a.sinks.size(), 5u);
  const SinkConfig& soc = a.sinks[0];
  EXPECT_EQ(soc.type, SinkType::kWebhook);
  EXPECT_EQ(soc.webhook.secret, "file-secret");
  EXPECT_EQ(soc.webhook.headers.size(), 2u);
  EXPECT_EQ(soc.filter.min_severity, Severity::kMedium);
  EXPECT_EQ(soc.filter.kinds.size(), 2u);
  EXPECT_EQ(soc.rate_limit, 30);
  EXPECT_EQ(soc.rate_period_ms, 60'000);
  EXPECT_EQ(a.sinks[1].digest_interval_ms, 300'000);
  EXPECT_FALSE(a.sinks[1].summary);
  EXPECT_EQ(a.sinks[2].email.password, "env-password");
  EXPECT_EQ(a.sinks[2].email.starttls, StartTls::kRequired);
  EXPECT_EQ(a.sinks[3].exec.command[0], dir_ + "/hooks/notify.sh");
  EXPECT_EQ(a.sinks[3].exec.files_dir, dir_ + "/alert-files/hook");
  EXPECT_EQ(a.sinks[3].timeout_ms, 30'000);
  EXPECT_EQ(a.sinks[4].jsonl.path, "-");
}

TEST_F(AlertsConfigTest, ErrorsNameTheKey) {
  EXPECT_THAT(Load("[[alerts.sink]]\nname = \"x\"\ntype = \"pager\"\n"),
              IsError(ErrorCode::kInvalidArgument, "alerts.sink.type: expected webhook"));
  EXPECT_THAT(Load("[[alerts.sink]]\nname = \"x\"\ntype = \"webhook\"\nurl = \"https://a/\"\n"
                   "password = \"p\"\n"),
              IsError(ErrorCode::kInvalidArgument, ":7:1: alerts.sink.password: unknown key"));
  EXPECT_THAT(Load("[[alerts.sink]]\nname = \"a:b\"\ntype = \"jsonl\"\npath = \"-\"\n"),
              IsError(ErrorCode::kInvalidArgument, "alerts.sink.name"));
  EXPECT_THAT(Load("[[alerts.sink]]\nname = \"x\"\ntype = \"jsonl\"\npath = \"-\"\n"
                   "[[alerts.sink]]\nname = \"x\"\ntype = \"jsonl\"\npath = \"-\"\n"),
              IsError(ErrorCode::kInvalidArgument, "defined twice"));
  EXPECT_THAT(Load("[[alerts.sink]]\nname = \"x\"\ntype = \"webhook\"\nurl = \"https://a/\"\n"
                   "min_severity = \"urgent\"\n"),
              IsError(ErrorCode::kInvalidArgument, "alerts.sink.min_severity"));
  EXPECT_THAT(Load("[[alerts.sink]]\nname = \"x\"\ntype = \"email\"\nurl = \"smtp://m/\"\n"
                   "from = \"a@b\"\nto = [\"c@d\"]\nusername = \"u\"\npassword = \"p\"\n"
                   "starttls = \"off\"\n"),
              IsError(ErrorCode::kInvalidArgument, "never sent without TLS"));
  EXPECT_THAT(Load("[alerts.health]\ndaily_summary = \"25:00\"\n"),
              IsError(ErrorCode::kInvalidArgument, "alerts.health.daily_summary"));
  EXPECT_THAT(Load("[[alerts.sink]]\nname = \"x\"\ntype = \"webhook\"\nurl = \"https://a/\"\n"
                   "rate_limit = \"lots\"\n"),
              IsError(ErrorCode::kInvalidArgument, "alerts.sink.rate_limit"));
  unsetenv("CTWATCH_TEST_UNSET");
  EXPECT_THAT(Load("[[alerts.sink]]\nname = \"x\"\ntype = \"webhook\"\nurl = \"https://a/\"\n"
                   "secret_env = \"CTWATCH_TEST_UNSET\"\n"),
              IsError(ErrorCode::kInvalidArgument, "CTWATCH_TEST_UNSET is not set"));
}

TEST_F(AlertsConfigTest, BadUrlIsNotEchoed) {
  auto c =
      Load("[[alerts.sink]]\nname = \"x\"\ntype = \"slack\"\nurl = \"hooks.slack.com/SECRET\"\n");
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().message.find("SECRET"), std::string::npos) << c.error().message;
}

TEST(RateLimitTest, Parses) {
  EXPECT_EQ(ParseRateLimit("30/m"), std::make_pair(int64_t{30}, int64_t{60'000}));
  EXPECT_EQ(ParseRateLimit("100/1h"), std::make_pair(int64_t{100}, int64_t{3'600'000}));
  EXPECT_EQ(ParseRateLimit("5/10s"), std::make_pair(int64_t{5}, int64_t{10'000}));
  EXPECT_EQ(ParseRateLimit("12"), std::make_pair(int64_t{12}, int64_t{60'000}));
  EXPECT_FALSE(ParseRateLimit("x/m").has_value());
  EXPECT_FALSE(ParseRateLimit("5/10ms").has_value());
}

}  // namespace
}  // namespace ctwatch
