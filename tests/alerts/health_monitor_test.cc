// HealthMonitor on a real database: unreachable logs, a backlog that does not shrink, a failing
// sink (reported to the other sinks only), the heartbeat (URL and command; withheld while
// unhealthy) and the daily summary.
#include "alerts/health_monitor.h"

#include <gtest/gtest.h>

#include "alerts/dispatcher.h"
#include "alerts_test_util.h"
#include "core/file.h"

namespace ctwatch {
namespace {

using alerts_testing::AlertsDb;
using alerts_testing::H;
using alerts_testing::MakeTempDir;
using alerts_testing::Receiver;
using alerts_testing::WaitFor;

class SwitchSink final : public Sink {
 public:
  explicit SwitchSink(std::shared_ptr<std::atomic<bool>> fail) : fail_(std::move(fail)) {}
  Status Deliver(const OutgoingMessage&) override {
    if (*fail_) return MakeError(ErrorCode::kNetwork, "connection refused");
    return OkStatus();
  }

 private:
  std::shared_ptr<std::atomic<bool>> fail_;
};

class HealthMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("ctwatch-health");
    db_ = std::make_unique<AlertsDb>(dir_);
    config_.health.log_unreachable_after_ms = 3'600'000;
    config_.health.backlog_entries = 1000;
    config_.health.backlog_after_ms = 3'600'000;
    config_.health.sink_failing_after_ms = 600'000;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<StoredFinding> Findings(const std::string& kind) {
    auto f = db_->store()->ListFindings({.kind = kind});
    EXPECT_TRUE(f.has_value());
    return f.has_value() ? *f : std::vector<StoredFinding>{};
  }

  std::string dir_;
  std::unique_ptr<AlertsDb> db_;
  AlertsConfig config_;
};

TEST_F(HealthMonitorTest, UnreachableLogBecomesAFindingOncePerEpisode) {
  HealthMonitor health(db_->store(), db_->alerts(), nullptr, config_);
  const Sha256Hash log = db_->log().log_id;
  ASSERT_TRUE(db_->store()->RecordLogSuccess(log).has_value());
  ASSERT_TRUE(db_->store()->RecordLogError(log, "connect: connection refused").has_value());
  const int64_t now = SystemClock::Get()->NowMs();
  ASSERT_TRUE(health.Check(now + 60'000).has_value());
  EXPECT_TRUE(health.healthy());  // erroring, but not for long
  ASSERT_TRUE(health.Check(now + 2 * 3'600'000).has_value());
  EXPECT_FALSE(health.healthy());
  ASSERT_TRUE(health.Check(now + 3 * 3'600'000).has_value());
  const auto findings = Findings("log_unreachable");
  ASSERT_EQ(findings.size(), 1u);  // one episode, one finding
  EXPECT_EQ(findings[0].finding.severity, Severity::kHigh);
  EXPECT_NE(findings[0].finding.detail.find("connection refused"), std::string::npos);
  EXPECT_EQ(findings[0].log_id, log);
  ASSERT_TRUE(db_->store()->RecordLogSuccess(log).has_value());
  ASSERT_TRUE(health.Check(SystemClock::Get()->NowMs()).has_value());
  EXPECT_TRUE(health.healthy());
}

TEST_F(HealthMonitorTest, BacklogThatDoesNotShrink) {
  HealthMonitor health(db_->store(), db_->alerts(), nullptr, config_);
  ASSERT_TRUE(db_->store()
                  ->RecordTreeHead(db_->log().log_id,
                                   {.tree_size = 50'000, .timestamp_ms = 1, .root = H(3)})
                  .has_value());
  const int64_t now = SystemClock::Get()->NowMs();
  ASSERT_TRUE(health.Check(now).has_value());
  ASSERT_TRUE(health.Check(now + 1'800'000).has_value());
  EXPECT_TRUE(Findings("log_backlog").empty());
  ASSERT_TRUE(health.Check(now + 2 * 3'600'000).has_value());
  const auto findings = Findings("log_backlog");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].finding.detail.find("50000 entries behind"), std::string::npos)
      << findings[0].finding.detail;
  EXPECT_FALSE(health.healthy());
}

TEST_F(HealthMonitorTest, FailingSinkIsReportedToTheOthers) {
  auto fail = std::make_shared<std::atomic<bool>>(true);
  auto fine = std::make_shared<std::atomic<bool>>(false);
  SinkConfig a{.name = "pager"}, b{.name = "mail"};
  std::vector<std::unique_ptr<Sink>> impls;
  impls.push_back(std::make_unique<SwitchSink>(fail));
  impls.push_back(std::make_unique<SwitchSink>(fine));
  DeliveryConfig delivery{.poll_interval_ms = 20, .retry_base_ms = 20, .retry_max_ms = 100};
  Dispatcher dispatcher(db_->alerts(), delivery, {a, b}, std::move(impls));
  dispatcher.Start();
  HealthMonitor health(db_->store(), db_->alerts(), &dispatcher, config_);
  db_->CommitCertificateFinding({"www.example.com"});
  ASSERT_TRUE(WaitFor([&] { return dispatcher.SinkStates()[0].failing_since_ms.has_value(); }));
  ASSERT_TRUE(health.Check(SystemClock::Get()->NowMs() + 20 * 60'000).has_value());
  EXPECT_FALSE(health.healthy());
  ASSERT_EQ(Findings("sink_failing").size(), 1u);
  EXPECT_NE(Findings("sink_failing")[0].finding.detail.find("connection refused"),
            std::string::npos);
  ASSERT_TRUE(WaitFor([&] {
    auto stats = db_->alerts()->QueueStats();
    return stats.has_value() && (*stats)["mail"].delivered == 2;
  }));
  auto stats = db_->alerts()->QueueStats();
  EXPECT_EQ((*stats)["pager"].pending, 1);  // only the certificate finding, not its own failure
  dispatcher.Stop();
}

TEST_F(HealthMonitorTest, HeartbeatWhileHealthyOnly) {
  Receiver receiver;
  config_.heartbeat.url = receiver.Url("/ping/ctwatch");
  config_.heartbeat.command = {"/bin/sh", "-c", "echo beat >> '" + dir_ + "/beats'"};
  config_.heartbeat.interval_ms = 50;
  config_.health.check_interval_ms = 50;
  config_.health.log_unreachable_after_ms = 100;
  HealthMonitor health(db_->store(), db_->alerts(), nullptr, config_);
  ASSERT_TRUE(db_->store()->RecordLogSuccess(db_->log().log_id).has_value());
  health.Start();
  ASSERT_TRUE(WaitFor([&] { return receiver.gets().size() >= 3; }));
  EXPECT_EQ(receiver.gets()[0], "/ping/ctwatch");
  EXPECT_TRUE(FileExists(dir_ + "/beats"));
  // The log starts failing: after the threshold the service is unhealthy and beats stop.
  ASSERT_TRUE(db_->store()->RecordLogError(db_->log().log_id, "timeout").has_value());
  ASSERT_TRUE(WaitFor([&] { return !health.healthy(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const size_t beats = receiver.gets().size();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(receiver.gets().size(), beats);
  health.Stop();
}

TEST_F(HealthMonitorTest, DailySummaryOncePerDay) {
  config_.health.daily_summary_minute = 0;
  config_.sinks = {SinkConfig{.name = "mail"}, SinkConfig{.name = "chat", .summary = false}};
  HealthMonitor health(db_->store(), db_->alerts(), nullptr, config_);
  db_->CommitCertificateFinding({"www.example.com"});
  const int64_t now = SystemClock::Get()->NowMs();
  ASSERT_TRUE(health.Check(now).has_value());
  auto sent = health.MaybeSendSummary(now);
  ASSERT_TRUE(sent.has_value());
  EXPECT_TRUE(*sent);
  auto again = health.MaybeSendSummary(now + 1000);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(*again);
  auto due = db_->alerts()->DueMessages("mail", now + 1, 10);
  ASSERT_TRUE(due.has_value());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].kind, MessageKind::kSummary);
  const std::string& text = (*due)[0].payload;
  EXPECT_NE(text.find("Status: healthy"), std::string::npos) << text;
  EXPECT_NE(text.find("Logs: 1 monitored"), std::string::npos) << text;
  EXPECT_NE(text.find("Test Log 2026"), std::string::npos) << text;
  EXPECT_NE(text.find("1 high owned_certificate"), std::string::npos) << text;
  EXPECT_TRUE(db_->alerts()->DueMessages("chat", now + 1, 10)->empty());
}

}  // namespace
}  // namespace ctwatch
