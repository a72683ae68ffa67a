// The outbox and the Dispatcher against a real database: the trigger, fan-out with filters,
// suppression rules and muted certificates, digests and rate limits, retries, giving up with
// delivery_failed, and resuming after a restart. Sinks here are in-memory recorders; the real
// sinks have their own tests against real servers.
#include "alerts/dispatcher.h"

#include <gtest/gtest.h>

#include <set>

#include "alerts/filter.h"
#include "alerts/render.h"
#include "alerts_test_util.h"
#include "core/encoding.h"

namespace ctwatch {
namespace {

using alerts_testing::AlertsDb;
using alerts_testing::H;
using alerts_testing::MakeTempDir;
using alerts_testing::WaitFor;
using ::ctwatch::testing::IsOk;

// Records what it is given; fails while `fail` is set.
class RecordingSink final : public Sink {
 public:
  struct Shared {
    std::mutex mu;
    std::vector<OutgoingMessage> messages;
    std::atomic<bool> fail{false};
    std::atomic<int> attempts{0};
    std::atomic<int64_t> retry_after_ms{-1};
  };
  explicit RecordingSink(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  Status Deliver(const OutgoingMessage& m) override {
    ++shared_->attempts;
    if (shared_->fail) {
      Error e = MakeError(ErrorCode::kHttpStatus, "receiver answered 500");
      e.retry_after_ms = shared_->retry_after_ms;
      return e;
    }
    std::lock_guard lock(shared_->mu);
    shared_->messages.push_back(m);
    return OkStatus();
  }

 private:
  std::shared_ptr<Shared> shared_;
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("ctwatch-dispatch");
    db_ = std::make_unique<AlertsDb>(dir_);
    delivery_.poll_interval_ms = 20;
    delivery_.retry_base_ms = 20;
    delivery_.retry_max_ms = 100;
  }
  void TearDown() override {
    if (dispatcher_) dispatcher_->Stop();
    std::filesystem::remove_all(dir_);
  }

  SinkConfig Sink(const std::string& name) {
    SinkConfig s;
    s.name = name;
    s.type = SinkType::kJsonLines;
    return s;
  }

  std::shared_ptr<RecordingSink::Shared> Add(const SinkConfig& config) {
    auto shared = std::make_shared<RecordingSink::Shared>();
    configs_.push_back(config);
    shared_.push_back(shared);
    return shared;
  }

  void StartDispatcher() {
    std::vector<std::unique_ptr<ctwatch::Sink>> impls;
    for (auto& s : shared_) impls.push_back(std::make_unique<RecordingSink>(s));
    dispatcher_ =
        std::make_unique<Dispatcher>(db_->alerts(), delivery_, configs_, std::move(impls));
    dispatcher_->Start();
  }

  static std::vector<int64_t> FindingIds(RecordingSink::Shared& s) {
    std::lock_guard lock(s.mu);
    std::vector<int64_t> ids;
    for (const OutgoingMessage& m : s.messages) {
      for (const AlertFinding& f : m.findings) ids.push_back(f.stored.id);
    }
    return ids;
  }
  static size_t MessageCount(RecordingSink::Shared& s) {
    std::lock_guard lock(s.mu);
    return s.messages.size();
  }

  std::string dir_;
  std::unique_ptr<AlertsDb> db_;
  DeliveryConfig delivery_;
  std::vector<SinkConfig> configs_;
  std::vector<std::shared_ptr<RecordingSink::Shared>> shared_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, TriggerWritesOutboxInTheFindingsTransaction) {
  db_->CommitCertificateFinding({"www.example.com"});
  db_->AddLogFinding("log_inconsistent", Severity::kCritical, "log_inconsistent:1");
  auto size = db_->alerts()->OutboxSize();
  ASSERT_THAT(size, IsOk());
  EXPECT_EQ(*size, 2);
  // A duplicate finding (same dedup key) is ignored and adds no outbox row.
  FindingDraft again{.kind = "log_inconsistent",
                     .severity = Severity::kCritical,
                     .detail = "again",
                     .dedup_key = "log_inconsistent:1"};
  auto added = db_->store()->AddFinding(again, std::nullopt, std::nullopt);
  ASSERT_THAT(added, IsOk());
  EXPECT_FALSE(*added);
  EXPECT_EQ(*db_->alerts()->OutboxSize(), 2);
}

TEST_F(DispatcherTest, FansOutToMatchingSinksOnly) {
  SinkConfig all = Sink("all");
  SinkConfig high = Sink("high");
  high.filter.min_severity = Severity::kHigh;
  SinkConfig lookalikes = Sink("lookalikes");
  lookalikes.filter.kinds = {"lookalike"};
  SinkConfig corp = Sink("corp");
  corp.filter.domains = {"corp.example"};
  auto a = Add(all), h = Add(high), l = Add(lookalikes), c = Add(corp);
  StartDispatcher();
  db_->CommitCertificateFinding({"www.example.com"}, Severity::kLow);
  db_->CommitCertificateFinding({"login.corp.example"}, Severity::kHigh);
  db_->CommitCertificateFinding({"examp1e.com"}, Severity::kMedium, "lookalike");
  db_->AddLogFinding("log_split_view", Severity::kCritical, "split:1");
  ASSERT_TRUE(WaitFor([&] { return FindingIds(*a).size() == 4; }));
  ASSERT_TRUE(WaitFor([&] { return FindingIds(*h).size() == 2 && FindingIds(*l).size() == 1; }));
  // corp: its domain, and the log finding (no names, so no domain to filter on).
  ASSERT_TRUE(WaitFor([&] { return FindingIds(*c).size() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(FindingIds(*a).size(), 4u);
  EXPECT_EQ(FindingIds(*h).size(), 2u);
  EXPECT_EQ(FindingIds(*l).size(), 1u);
  EXPECT_EQ(FindingIds(*c).size(), 2u);
  EXPECT_EQ(*db_->alerts()->OutboxSize(), 0);
  // Each message has its own key; each finding message carries exactly one finding.
  std::set<std::string> keys;
  for (auto* s : {a.get(), h.get(), l.get(), c.get()}) {
    std::lock_guard lock(s->mu);
    for (const OutgoingMessage& m : s->messages) {
      EXPECT_TRUE(keys.insert(m.idempotency_key).second);
      EXPECT_EQ(m.kind, MessageKind::kFinding);
      EXPECT_EQ(m.findings.size(), 1u);
    }
  }
}

TEST_F(DispatcherTest, MessagesCarryCertificateAndLogDetails) {
  auto s = Add(Sink("all"));
  StartDispatcher();
  const Sha256Hash id = db_->CommitCertificateFinding({"www.example.com", "example.com"});
  ASSERT_TRUE(WaitFor([&] { return MessageCount(*s) == 1; }));
  std::lock_guard lock(s->mu);
  const AlertFinding& f = s->messages[0].findings[0];
  EXPECT_EQ(f.stored.finding.kind, "owned_certificate");
  EXPECT_EQ(f.stored.finding.names, (std::vector<std::string>{"www.example.com", "example.com"}));
  EXPECT_EQ(f.log_description, "Test Log 2026");
  EXPECT_EQ(f.log_url, "https://ct.example.net/2026/");
  ASSERT_TRUE(f.certificate.has_value());
  EXPECT_EQ(f.certificate->identity, id);
  EXPECT_EQ(f.certificate->issuer_dn, "C=US, O=Test CA, CN=Test Issuing CA");
  ASSERT_TRUE(f.certificate->cert_sha256.has_value());
  EXPECT_EQ(*f.certificate->cert_sha256, H(0x50, 1));
  const nlohmann::json j = MessageJson(s->messages[0], "https://crt.sh/?sha256={cert_sha256}");
  EXPECT_EQ(j["type"], "finding");
  EXPECT_EQ(j["idempotency_key"], s->messages[0].idempotency_key);
  EXPECT_EQ(j["findings"][0]["certificate"]["link"],
            "https://crt.sh/?sha256=" + HexEncode(H(0x50, 1)));
  EXPECT_EQ(j["findings"][0]["log"]["url"], "https://ct.example.net/2026/");
}

TEST_F(DispatcherTest, SuppressionRulesStopAlertsButKeepFindings) {
  auto s = Add(Sink("all"));
  const int64_t now = SystemClock::Get()->NowMs();
  ASSERT_THAT(db_->alerts()->AddSuppression({.match = SuppressionMatch::kPattern,
                                             .value = "*.staging.example.com",
                                             .reason = "staging churn",
                                             .created_ms = now}),
              IsOk());
  ASSERT_THAT(db_->alerts()->AddSuppression({.match = SuppressionMatch::kIssuerKey,
                                             .value = HexEncode(H(0x77)),
                                             .reason = "our internal CA",
                                             .created_ms = now}),
              IsOk());
  ASSERT_THAT(db_->alerts()->AddSuppression({.match = SuppressionMatch::kName,
                                             .value = "old.example.com",
                                             .reason = "expired rule",
                                             .created_ms = now - 10'000,
                                             .expires_ms = now - 1}),
              IsOk());
  StartDispatcher();
  const Sha256Hash staging = db_->CommitCertificateFinding({"a.staging.example.com"});
  db_->CommitCertificateFinding({"b.staging.example.com", "www.example.com"});  // not all covered
  db_->CommitCertificateFinding({"internal.example.com"}, Severity::kHigh, "owned_certificate",
                                std::nullopt, H(0x77));
  db_->CommitCertificateFinding({"old.example.com"});  // the rule has expired
  ASSERT_TRUE(WaitFor([&] { return FindingIds(*s).size() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(FindingIds(*s).size(), 2u);
  auto findings = db_->store()->ListFindings({});
  ASSERT_THAT(findings, IsOk());
  EXPECT_EQ(findings->size(), 4u);  // every finding is kept
  auto stats = db_->alerts()->QueueStats();
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ((*stats)["all"].suppressed, 2);
  // The suppressed certificate is muted: a later finding about it stays quiet even after the
  // rule is gone.
  auto rules = db_->alerts()->ListSuppressions();
  ASSERT_THAT(rules, IsOk());
  for (const SuppressionRule& r : *rules)
    ASSERT_THAT(db_->alerts()->RemoveSuppression(r.id), IsOk());
  db_->CommitCertificateFinding({"a.staging.example.com"}, Severity::kCritical, "foreign_issuance",
                                staging);
  ASSERT_TRUE(WaitFor([&] {
    auto now_stats = db_->alerts()->QueueStats();
    return now_stats.has_value() && (*now_stats)["all"].suppressed == 3;
  }));
  EXPECT_EQ(FindingIds(*s).size(), 2u);
}

TEST_F(DispatcherTest, AcknowledgedCertificateDoesNotAlertAgain) {
  auto s = Add(Sink("all"));
  StartDispatcher();
  const Sha256Hash id = db_->CommitCertificateFinding({"www.example.com"});
  ASSERT_TRUE(WaitFor([&] { return FindingIds(*s).size() == 1; }));
  const int64_t finding = FindingIds(*s)[0];
  auto acked = db_->alerts()->SetFindingState(finding, "acknowledged", "ours, renewed by hand",
                                              SystemClock::Get()->NowMs());
  ASSERT_THAT(acked, IsOk());
  EXPECT_TRUE(*acked);
  auto f = db_->alerts()->GetFinding(finding);
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ((*f)->stored.state, "acknowledged");
  // Same certificate, another finding (e.g. its final certificate judged again): quiet.
  db_->CommitCertificateFinding({"www.example.com"}, Severity::kHigh, "owned_certificate", id);
  db_->CommitCertificateFinding({"other.example.com"});
  ASSERT_TRUE(WaitFor([&] { return FindingIds(*s).size() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(FindingIds(*s).size(), 2u);
  // resolve after ack works; ack after resolve is refused.
  EXPECT_THAT(db_->alerts()->SetFindingState(finding, "resolved", "", 0), IsOk());
  EXPECT_FALSE(db_->alerts()->SetFindingState(finding, "acknowledged", "", 0).has_value());
  auto missing = db_->alerts()->SetFindingState(99999, "resolved", "", 0);
  ASSERT_THAT(missing, IsOk());
  EXPECT_FALSE(*missing);
}

TEST_F(DispatcherTest, RetriesWithBackoffThenDelivers) {
  auto s = Add(Sink("flaky"));
  s->fail = true;
  StartDispatcher();
  db_->CommitCertificateFinding({"www.example.com"});
  ASSERT_TRUE(WaitFor([&] { return s->attempts >= 3; }));
  auto states = dispatcher_->SinkStates();
  ASSERT_EQ(states.size(), 1u);
  EXPECT_TRUE(states[0].failing_since_ms.has_value());
  EXPECT_NE(states[0].last_error.find("500"), std::string::npos);
  s->fail = false;
  ASSERT_TRUE(WaitFor([&] { return MessageCount(*s) == 1; }));
  // The sink has the message before the dispatcher records the delivery.
  EXPECT_TRUE(WaitFor([&] { return !dispatcher_->SinkStates()[0].failing_since_ms.has_value(); }));
  EXPECT_TRUE(WaitFor([&] {
    auto stats = db_->alerts()->QueueStats();
    return stats.has_value() && (*stats)["flaky"].delivered == 1;
  }));
  auto stats = db_->alerts()->QueueStats();
  EXPECT_EQ((*stats)["flaky"].delivered, 1);
  EXPECT_EQ((*stats)["flaky"].pending, 0);
  EXPECT_EQ(MessageCount(*s), 1u);
}

TEST_F(DispatcherTest, GivesUpWithDeliveryFailedFindingSentToOtherSinks) {
  delivery_.give_up_after_ms = 150;
  auto dead = Add(Sink("dead"));
  auto ops = Add(Sink("ops"));
  dead->fail = true;
  StartDispatcher();
  db_->CommitCertificateFinding({"www.example.com"});
  // ops gets the finding, then the delivery_failed finding about "dead".
  ASSERT_TRUE(WaitFor([&] { return FindingIds(*ops).size() == 2; }));
  std::lock_guard lock(ops->mu);
  const AlertFinding& failed = ops->messages[1].findings[0];
  EXPECT_EQ(failed.stored.finding.kind, "delivery_failed");
  EXPECT_EQ(failed.stored.finding.severity, Severity::kHigh);
  EXPECT_NE(failed.stored.finding.detail.find("sink dead gave up"), std::string::npos);
  EXPECT_EQ(failed.stored.finding.names, (std::vector<std::string>{"www.example.com"}));
  auto stats = db_->alerts()->QueueStats();
  EXPECT_EQ((*stats)["dead"].failed, 1);
  // The delivery_failed finding about "dead" is not queued for "dead" itself.
  EXPECT_EQ((*stats)["dead"].pending + (*stats)["dead"].queued, 0);
}

TEST_F(DispatcherTest, RetryAfterIsHonoured) {
  auto s = Add(Sink("limited"));
  s->fail = true;
  s->retry_after_ms = 400;
  StartDispatcher();
  db_->CommitCertificateFinding({"www.example.com"});
  ASSERT_TRUE(WaitFor([&] { return s->attempts >= 1; }));
  const int64_t first = MonotonicMs();
  s->fail = false;
  ASSERT_TRUE(WaitFor([&] { return MessageCount(*s) == 1; }));
  EXPECT_GE(MonotonicMs() - first, 300);
}

TEST_F(DispatcherTest, DigestBundlesABurstIntoOneMessagePerInterval) {
  SinkConfig digest = Sink("digest");
  digest.digest_interval_ms = 400;
  digest.digest_max = 1000;
  auto s = Add(digest);
  StartDispatcher();
  db_->CommitCertificateFinding({"first.example.com"});
  ASSERT_TRUE(WaitFor([&] { return MessageCount(*s) == 1; }));  // alone: sent at once
  for (int i = 0; i < 50; ++i)
    db_->CommitCertificateFinding({"n" + std::to_string(i) + ".example.com"});
  ASSERT_TRUE(WaitFor([&] { return FindingIds(*s).size() == 51; }));
  std::lock_guard lock(s->mu);
  EXPECT_LE(s->messages.size(), 3u);  // the first, then one digest per interval
  EXPECT_EQ(s->messages.back().kind, MessageKind::kDigest);
}

TEST_F(DispatcherTest, RateLimitGroupsTheOverflow) {
  SinkConfig limited = Sink("limited");
  limited.rate_limit = 3;
  limited.rate_period_ms = 60'000;
  auto s = Add(limited);
  for (int i = 0; i < 20; ++i)
    db_->CommitCertificateFinding({"n" + std::to_string(i) + ".example.com"});
  StartDispatcher();
  ASSERT_TRUE(WaitFor([&] { return FindingIds(*s).size() == 20; }));
  std::lock_guard lock(s->mu);
  ASSERT_EQ(s->messages.size(), 3u);  // two single findings, then a digest of the other 18
  EXPECT_EQ(s->messages[2].kind, MessageKind::kDigest);
  EXPECT_EQ(s->messages[2].findings.size(), 18u);
}

TEST_F(DispatcherTest, StormIsFannedOutCompletelyAndDigested) {
  SinkConfig digest = Sink("digest");
  digest.digest_interval_ms = 300;
  digest.digest_max = 1000;
  SinkConfig each = Sink("each");
  auto d = Add(digest), e = Add(each);
  db_->CommitManyFindings(2600);  // more than one fan-out transaction and read chunk
  StartDispatcher();
  ASSERT_TRUE(WaitFor([&] { return FindingIds(*d).size() == 2600; }, 30'000));
  ASSERT_TRUE(WaitFor([&] { return FindingIds(*e).size() == 2600; }, 30'000));
  const std::vector<int64_t> ids = FindingIds(*d);
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 2600u);
  EXPECT_LE(MessageCount(*d), 4u);  // ceil(2600 / 1000) digests
  EXPECT_EQ(MessageCount(*e), 2600u);
}

TEST_F(DispatcherTest, RestartResumesPendingMessagesWithTheSameKey) {
  auto s = Add(Sink("flaky"));
  s->fail = true;
  StartDispatcher();
  db_->CommitCertificateFinding({"www.example.com"});
  ASSERT_TRUE(WaitFor([&] { return s->attempts >= 1; }));
  dispatcher_->Stop();
  dispatcher_.reset();
  auto pending = db_->alerts()->QueueStats();
  ASSERT_EQ((*pending)["flaky"].pending, 1);
  // A new process: new dispatcher, new connection.
  auto reopened = OpenSqliteAlertStore(db_->path());
  ASSERT_THAT(reopened, IsOk());
  s->fail = false;
  std::vector<std::unique_ptr<ctwatch::Sink>> impls;
  impls.push_back(std::make_unique<RecordingSink>(s));
  Dispatcher again(reopened->get(), delivery_, configs_, std::move(impls));
  again.Start();
  ASSERT_TRUE(WaitFor([&] { return MessageCount(*s) == 1; }));
  again.Stop();
}

TEST(FilterTest, NamesAndGlobs) {
  EXPECT_TRUE(NameAtOrBelow("www.Example.com.", "example.com"));
  EXPECT_TRUE(NameAtOrBelow("*.example.com", "example.com"));
  EXPECT_TRUE(NameAtOrBelow("example.com", "example.com"));
  EXPECT_FALSE(NameAtOrBelow("myexample.com", "example.com"));
  EXPECT_TRUE(GlobMatches("*.staging.example.com", "a.b.staging.example.com"));
  EXPECT_FALSE(GlobMatches("*.staging.example.com", "staging.example.com"));
  EXPECT_TRUE(GlobMatches("vpn-??.example.com", "vpn-01.example.com"));
  EXPECT_FALSE(GlobMatches("vpn-??.example.com", "vpn-1.example.com"));
  EXPECT_TRUE(GlobMatches("*", ""));
  EXPECT_FALSE(NormalizeSuppressionValue(SuppressionMatch::kIssuerKey, "abcd").has_value());
  auto v = NormalizeSuppressionValue(SuppressionMatch::kName, "WWW.Example.COM.");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(*v, "www.example.com");
}

TEST(RetryDelayTest, CappedExponentialWithJitter) {
  DeliveryConfig d{.retry_base_ms = 1000, .retry_max_ms = 60'000};
  for (int i = 0; i < 50; ++i) {
    const int64_t first = RetryDelayMs(d, 1, -1);
    EXPECT_GE(first, 500);
    EXPECT_LE(first, 1000);
    const int64_t third = RetryDelayMs(d, 3, -1);
    EXPECT_GE(third, 2000);
    EXPECT_LE(third, 4000);
    const int64_t late = RetryDelayMs(d, 40, -1);
    EXPECT_GE(late, 30'000);
    EXPECT_LE(late, 60'000);
  }
  EXPECT_GE(RetryDelayMs(d, 1, 120'000), 120'000);       // Retry-After wins
  EXPECT_LE(RetryDelayMs(d, 1, 99'000'000), 3'600'000);  // but not beyond an hour
}

}  // namespace
}  // namespace ctwatch
