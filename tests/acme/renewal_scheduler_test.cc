// The renewal scheduler's rules with a fake backend and a manual clock: when a certificate is
// due (1/3 of the lifetime left, 1/2 under ten days), the failure retry schedule (1 min, 10 min,
// 100 min, then daily) kept in SQLite across restarts, a CA's Retry-After, the emergency mode
// and the findings, the CA fallback start after repeated failures, and parallel issuance.
#include "acme/renewal_scheduler.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <thread>

#include "acme/renewal.h"
#include "core/encoding.h"
#include "manual_clock.h"
#include "pebble_harness.h"
#include "store/store.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ManualClock;

// Issues by writing an inventory row; fails with the queued errors first.
class FakeBackend final : public RenewalBackend {
 public:
  FakeBackend(const AcmeConfig* config, InventoryStore* inventory, ManualClock* clock)
      : config_(config), inventory_(inventory), clock_(clock) {}

  Result<IssueResult> Issue(const AcmeCertificateConfig& cert, const IssueOptions& options,
                            size_t start_ca, std::vector<FallbackAttempt>* attempts) override {
    const int now_running = ++running_;
    int seen = max_running_.load();
    while (now_running > seen && !max_running_.compare_exchange_weak(seen, now_running)) {
    }
    if (work_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(work_ms));
    --running_;
    std::lock_guard lock(mu_);
    const std::vector<const AcmeCaConfig*> cas = CandidateCas(*config_, cert);
    const std::string ca = cas[start_ca % cas.size()]->name;
    calls.push_back({cert.name, start_ca, options.replaces_id});
    if (!errors.empty()) {
      Error e = errors.front();
      errors.pop_front();
      attempts->push_back({ca, e.message});
      return e;
    }
    InventoryCertificate c;
    c.name = cert.name;
    std::mt19937_64 rng(++serial_);
    for (uint8_t& b : c.identity) b = static_cast<uint8_t>(rng());
    c.cert_sha256 = c.identity;
    c.spki_sha256 = c.identity;
    c.names = IdentifierNames(*IdentifiersForNames(cert.domains));
    c.serial_hex = "0" + std::to_string(serial_);
    c.aki = {1, 2, 3};
    c.issuer_dn = "CN=fake";
    c.not_before_ms = clock_->NowMs();
    c.not_after_ms = clock_->NowMs() + lifetime_ms;
    c.ca = ca;
    c.cert_der = {0x30, 0x00};
    auto id = inventory_->AddCertificate(c);
    if (!id.has_value()) return id.error();
    c.id = *id;
    if (options.replaces_id.has_value())
      (void)inventory_->MarkReplacedBy(*options.replaces_id, c.id);
    attempts->push_back({ca, ""});
    IssueResult r;
    r.certificate = c;
    r.renewal = options.replaces_id.has_value();
    return r;
  }

  Result<RenewalInfo> FetchRenewalInfo(const AcmeCaConfig&, const std::string&) override {
    return MakeError(ErrorCode::kFailedPrecondition, "no ARI");
  }

  struct Call {
    std::string name;
    size_t start_ca;
    std::optional<int64_t> replaces_id;
  };
  std::vector<Call> calls;
  std::deque<Error> errors;
  int64_t lifetime_ms = 90 * kDayMs;
  int work_ms = 0;
  std::atomic<int> max_running_{0};

 private:
  const AcmeConfig* config_;
  InventoryStore* inventory_;
  ManualClock* clock_;
  std::mutex mu_;
  std::atomic<int> running_{0};
  int serial_ = 0;
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::ctwatch::testing::MakeTempDir("scheduler");
    for (const char* name : {"a", "b"}) {
      AcmeCaConfig ca;
      ca.name = name;
      ca.directory_url = std::string("https://") + name + ".test/dir";
      config_.cas.push_back(ca);
    }
    AcmeCertificateConfig cert;
    cert.name = "web";
    cert.domains = {"www.example.com"};
    config_.certificates.push_back(cert);
    Reopen();
  }

  // A new scheduler and stores on the same database, as after a restart.
  void Reopen() {
    scheduler_.reset();
    auto store = OpenSqliteStore({.path = dir_ + "/ctwatch.db"});
    ASSERT_THAT(store, IsOk());
    findings_ = std::move(*store);
    auto inventory = OpenInventoryStore(dir_ + "/ctwatch.db");
    ASSERT_THAT(inventory, IsOk());
    inventory_ = std::move(*inventory);
    auto state = RenewalStateStore::Open(dir_ + "/ctwatch.db");
    ASSERT_THAT(state, IsOk());
    state_ = std::move(*state);
    auto errors = backend_ ? backend_->errors : std::deque<Error>();
    const int64_t lifetime = backend_ ? backend_->lifetime_ms : 90 * kDayMs;
    backend_ = std::make_unique<FakeBackend>(&config_, inventory_.get(), &clock_);
    backend_->errors = errors;
    backend_->lifetime_ms = lifetime;
    scheduler_ = std::make_unique<RenewalScheduler>(config_, inventory_.get(), state_.get(),
                                                    backend_.get(), findings_.get(), &clock_);
  }

  RenewalOutcome Pass(const std::string& name = "web") {
    auto report = scheduler_->RunPass();
    EXPECT_THAT(report, IsOk());
    last_next_pass_ms_ = report.has_value() ? report->next_pass_ms : 0;
    if (report.has_value()) {
      for (RenewalOutcome& o : report->outcomes) {
        if (o.name == name) return o;
      }
    }
    return {};
  }

  std::vector<StoredFinding> Findings(const std::string& kind) {
    return *findings_->ListFindings({.kind = kind});
  }

  static Error Failure() { return MakeError(ErrorCode::kHttpStatus, "newOrder: HTTP 400 nope"); }

  std::string dir_;
  AcmeConfig config_;
  ManualClock clock_{1'800'000'000'000};
  std::unique_ptr<Store> findings_;
  std::unique_ptr<InventoryStore> inventory_;
  std::unique_ptr<RenewalStateStore> state_;
  std::unique_ptr<FakeBackend> backend_;
  std::unique_ptr<RenewalScheduler> scheduler_;
  int64_t last_next_pass_ms_ = 0;
};

TEST_F(SchedulerTest, RenewsWithAThirdOfTheLifetimeLeft) {
  const int64_t t0 = clock_.NowMs();
  RenewalOutcome first = Pass();
  ASSERT_EQ(first.action, RenewalOutcome::Action::kIssued) << first.reason;
  // Not due before 60 of 90 days; the scheduler says when to look again.
  clock_.Set(t0 + 59 * kDayMs);
  RenewalOutcome early = Pass();
  EXPECT_EQ(early.action, RenewalOutcome::Action::kSkipped);
  EXPECT_NE(early.reason.find("a third of its lifetime left"), std::string::npos) << early.reason;
  EXPECT_EQ(last_next_pass_ms_, clock_.NowMs() + kHourMs);  // check_interval (1 h) first
  clock_.Set(t0 + 60 * kDayMs);
  RenewalOutcome renewed = Pass();
  ASSERT_EQ(renewed.action, RenewalOutcome::Action::kRenewed);
  EXPECT_EQ(backend_->calls.back().replaces_id, first.issued->certificate.id);
  EXPECT_EQ((*inventory_->GetCertificate(first.issued->certificate.id))->status, "replaced");

  // Under ten days of lifetime: half of it.
  backend_->lifetime_ms = 6 * kDayMs;
  ASSERT_EQ(scheduler_->RunPass({.mode = PassMode::kForce}).has_value(), true);
  const int64_t t1 = clock_.NowMs();
  clock_.Set(t1 + 3 * kDayMs - kMinuteMs);
  EXPECT_EQ(Pass().action, RenewalOutcome::Action::kSkipped);
  clock_.Set(t1 + 3 * kDayMs);
  EXPECT_EQ(Pass().action, RenewalOutcome::Action::kRenewed);
}

TEST_F(SchedulerTest, FailuresAreRetriedOnScheduleAcrossRestarts) {
  for (int i = 0; i < 5; ++i) backend_->errors.push_back(Failure());
  const int64_t t0 = clock_.NowMs();
  RenewalOutcome o = Pass();
  ASSERT_EQ(o.action, RenewalOutcome::Action::kFailed);
  EXPECT_EQ(o.next_attempt_ms, t0 + kMinuteMs);
  clock_.Advance(30'000);
  EXPECT_EQ(Pass().action, RenewalOutcome::Action::kSkipped);  // backing off
  EXPECT_EQ(last_next_pass_ms_, t0 + kMinuteMs);
  clock_.Set(t0 + kMinuteMs);
  o = Pass();
  ASSERT_EQ(o.action, RenewalOutcome::Action::kFailed);
  EXPECT_EQ(o.next_attempt_ms, clock_.NowMs() + 10 * kMinuteMs);
  EXPECT_TRUE(Findings("renewal_failed").empty());  // two failures: not yet

  Reopen();  // the count survives a restart
  EXPECT_EQ(state_->Get("web")->failures, 2);
  clock_.Advance(10 * kMinuteMs - 1);
  EXPECT_EQ(Pass().action, RenewalOutcome::Action::kSkipped);
  clock_.Advance(1);
  o = Pass();
  ASSERT_EQ(o.action, RenewalOutcome::Action::kFailed);
  EXPECT_EQ(o.next_attempt_ms, clock_.NowMs() + 100 * kMinuteMs);
  auto findings = Findings("renewal_failed");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].finding.severity, Severity::kMedium);
  EXPECT_NE(findings[0].finding.detail.find("3 failed attempt(s)"), std::string::npos);
  clock_.Advance(100 * kMinuteMs);
  o = Pass();
  EXPECT_EQ(o.next_attempt_ms, clock_.NowMs() + kDayMs);
  clock_.Advance(kDayMs);
  o = Pass();
  EXPECT_EQ(o.next_attempt_ms, clock_.NowMs() + kDayMs);
  EXPECT_EQ(Findings("renewal_failed").size(), 1u);  // one per certificate being renewed
  // The errors are used up: the next attempt succeeds and the count starts again.
  clock_.Advance(kDayMs);
  EXPECT_EQ(Pass().action, RenewalOutcome::Action::kIssued);
  EXPECT_EQ(state_->Get("web")->failures, 0);
  EXPECT_EQ(backend_->calls.size(), 4u);  // since the restart
}

TEST_F(SchedulerTest, TheCasRetryAfterPostponesTheNextAttempt) {
  Error limited = MakeError(ErrorCode::kRateLimited, "newOrder: HTTP 429 rateLimited");
  limited.retry_after_ms = 3 * kHourMs;
  backend_->errors.push_back(limited);
  RenewalOutcome o = Pass();
  ASSERT_EQ(o.action, RenewalOutcome::Action::kFailed);
  EXPECT_EQ(o.next_attempt_ms, clock_.NowMs() + 3 * kHourMs);
}

TEST_F(SchedulerTest, EmergencyRenewalNearExpiry) {
  const int64_t t0 = clock_.NowMs();
  ASSERT_EQ(Pass().action, RenewalOutcome::Action::kIssued);
  for (int i = 0; i < 20; ++i) backend_->errors.push_back(Failure());
  // Due at 60 days; failing ever since (count 4: daily retries).
  clock_.Set(t0 + 60 * kDayMs);
  for (int i = 0; i < 4; ++i) {
    Pass();
    clock_.Advance(FailureRetryDelayMs(i + 1));
  }
  EXPECT_TRUE(Findings("certificate_expiring").empty());
  // 15 days (1/6 of the lifetime) before expiry: emergency.
  clock_.Set(t0 + 75 * kDayMs);
  RenewalOutcome o = Pass();
  ASSERT_EQ(o.action, RenewalOutcome::Action::kFailed);
  EXPECT_TRUE(o.emergency);
  auto expiring = Findings("certificate_expiring");
  ASSERT_EQ(expiring.size(), 1u);
  EXPECT_EQ(expiring[0].finding.severity, Severity::kHigh);
  auto failed = Findings("renewal_failed");
  ASSERT_EQ(failed.size(), 2u);  // the ordinary one and the emergency one
  // One day before expiry the retries come every eighth of the time left (3 h), not daily.
  clock_.Set(t0 + 89 * kDayMs);
  o = Pass();
  ASSERT_EQ(o.action, RenewalOutcome::Action::kFailed);
  EXPECT_EQ(o.next_attempt_ms - clock_.NowMs(), 3 * kHourMs);
  EXPECT_EQ(Findings("certificate_expiring").size(), 1u);  // once per certificate
}

TEST_F(SchedulerTest, AnExpiredCertificateIsReplacedAtOnce) {
  const int64_t t0 = clock_.NowMs();
  RenewalOutcome first = Pass();
  ASSERT_EQ(first.action, RenewalOutcome::Action::kIssued);
  backend_->errors.push_back(Failure());
  clock_.Set(t0 + 91 * kDayMs);  // e.g. the machine was off
  RenewalOutcome failed = Pass();
  ASSERT_EQ(failed.action, RenewalOutcome::Action::kFailed);
  EXPECT_TRUE(failed.emergency);
  EXPECT_NE(failed.reason.find("expired"), std::string::npos) << failed.reason;
  EXPECT_EQ(failed.next_attempt_ms - clock_.NowMs(), kMinuteMs);
  EXPECT_EQ(Findings("renewal_failed").size(), 1u);
  clock_.Advance(kMinuteMs);
  RenewalOutcome renewed = Pass();
  ASSERT_EQ(renewed.action, RenewalOutcome::Action::kRenewed);
  EXPECT_EQ(backend_->calls.back().replaces_id, first.issued->certificate.id);
}

TEST_F(SchedulerTest, RepeatedFailuresMoveToTheNextCa) {
  for (int i = 0; i < 3; ++i) backend_->errors.push_back(Failure());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Pass().action, RenewalOutcome::Action::kFailed);
    clock_.Advance(kDayMs);
  }
  EXPECT_EQ(backend_->calls[0].start_ca, 0u);
  EXPECT_EQ(backend_->calls[2].start_ca, 0u);
  RenewalOutcome o = Pass();
  ASSERT_EQ(o.action, RenewalOutcome::Action::kIssued);
  EXPECT_EQ(backend_->calls[3].start_ca, 1u);
  EXPECT_EQ(o.issued->certificate.ca, "b");
}

TEST_F(SchedulerTest, DueCertificatesAreIssuedInParallel) {
  config_.certificates.clear();
  for (int i = 0; i < 6; ++i) {
    AcmeCertificateConfig c;
    c.name = "c" + std::to_string(i);
    c.domains = {"c" + std::to_string(i) + ".example.com"};
    config_.certificates.push_back(c);
  }
  config_.renewal.concurrency = 3;
  Reopen();
  backend_->work_ms = 50;
  auto report = scheduler_->RunPass();
  ASSERT_THAT(report, IsOk());
  ASSERT_EQ(report->outcomes.size(), 6u);
  for (const RenewalOutcome& o : report->outcomes) {
    EXPECT_EQ(o.action, RenewalOutcome::Action::kIssued) << o.name;
  }
  EXPECT_EQ(backend_->max_running_.load(), 3);
  EXPECT_EQ(report->outcomes[0].name, "c0");  // configuration order
}

TEST_F(SchedulerTest, ModesForTheCommandLine) {
  ASSERT_EQ(Pass().action, RenewalOutcome::Action::kIssued);
  auto issue = scheduler_->RunPass({.mode = PassMode::kMissingOnly});
  ASSERT_THAT(issue, IsOk());
  EXPECT_EQ(issue->outcomes[0].action, RenewalOutcome::Action::kSkipped);
  EXPECT_EQ(issue->outcomes[0].reason, "has an active certificate");
  auto forced = scheduler_->RunPass({.mode = PassMode::kForce, .names = {"web"}});
  ASSERT_THAT(forced, IsOk());
  EXPECT_EQ(forced->outcomes[0].action, RenewalOutcome::Action::kRenewed);
  EXPECT_FALSE(scheduler_->RunPass({.names = {"nosuch"}}).has_value());
}

}  // namespace
}  // namespace ctwatch
