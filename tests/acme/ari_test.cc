// ARI (RFC 9773), profiles, `replaces` and alreadyReplaced against the in-test AriFixture
// (pebble 2.4.0 has none of them): the certID test vector, profiles that decide the lifetime,
// the scheduler picking a time inside the suggested window and renewing with `replaces`,
// Retry-After clamped to 1 min..1 day (6 h after errors), alreadyReplaced retried without
// `replaces`, and the ledger exempting ARI renewals.
#include <gtest/gtest.h>

#include "acme/acme_engine.h"
#include "acme/rate_limit_ledger.h"
#include "acme/renewal.h"
#include "acme/renewal_scheduler.h"
#include "acme/renewal_state_store.h"
#include "ari_fixture.h"
#include "manual_clock.h"
#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::AriFixture;
using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ManualClock;

TEST(AriFixtureTest, CertIdTestVectorFromReference) {
  // REFERENCE.md §6 / RFC 9773 §4.1: AKI 69:88:5B:..., serial 00:87:65:43:21.
  const std::vector<uint8_t> aki = {0x69, 0x88, 0x5B, 0x6B, 0x87, 0x46, 0x40, 0x41, 0xE1, 0xB3,
                                    0x7B, 0x84, 0x7B, 0xA0, 0xAE, 0x2C, 0xDE, 0x01, 0xC8, 0xD4};
  EXPECT_EQ(AriFixture::CertIdOf(aki, {0x00, 0x87, 0x65, 0x43, 0x21}),
            "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
  EXPECT_EQ(*AriCertId(aki, "0087654321"), "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
}

class AriTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = AriFixture::Start();
    ASSERT_THAT(f, IsOk());
    fixture_ = std::move(*f);
    dir_ = ::ctwatch::testing::MakeTempDir("ari");
    AcmeCaConfig ca;
    ca.name = "ari";
    ca.directory_url = fixture_->directory_url();
    config_.cas.push_back(ca);
    config_.storage = dir_ + "/acme";
    AcmeCertificateConfig cert;
    cert.name = "web";
    cert.domains = {"www.ari.test", "ari.test"};
    config_.certificates.push_back(cert);
  }

  void Open(bool with_ledger = false) {
    if (with_ledger) {
      auto ledger = RateLimitLedger::Open(dir_ + "/ctwatch.db", config_, &clock_);
      ASSERT_THAT(ledger, IsOk());
      ledger_ = std::move(*ledger);
    }
    EngineOptions options;
    options.observer = with_ledger ? ledger_.get() : nullptr;
    options.client.backoff_base_ms = 1;  // the 5xx retries of renewalInfo stay short
    options.client.backoff_max_ms = 5;
    auto engine = AcmeEngine::Open(config_, dir_ + "/ctwatch.db", options);
    ASSERT_THAT(engine, IsOk());
    engine_ = std::move(*engine);
    auto state = RenewalStateStore::Open(dir_ + "/ctwatch.db");
    ASSERT_THAT(state, IsOk());
    state_ = std::move(*state);
    backend_ = std::make_unique<EngineRenewalBackend>(engine_.get());
    scheduler_ = std::make_unique<RenewalScheduler>(config_, engine_->inventory(), state_.get(),
                                                    backend_.get(), nullptr, &clock_);
  }

  RenewalOutcome Pass() {
    auto report = scheduler_->RunPass();
    EXPECT_THAT(report, IsOk());
    if (!report.has_value() || report->outcomes.size() != 1) return {};
    return report->outcomes[0];
  }

  RenewalState State() { return *state_->Get("web"); }

  std::unique_ptr<AriFixture> fixture_;
  std::string dir_;
  AcmeConfig config_;
  ManualClock clock_;
  std::unique_ptr<RateLimitLedger> ledger_;
  std::unique_ptr<AcmeEngine> engine_;
  std::unique_ptr<RenewalStateStore> state_;
  std::unique_ptr<EngineRenewalBackend> backend_;
  std::unique_ptr<RenewalScheduler> scheduler_;
};

TEST_F(AriTest, ProfileIsSentAndDecidesTheLifetime) {
  config_.certificates[0].profile = "shortlived";
  Open();
  auto r = engine_->Issue(config_.certificates[0]);
  ASSERT_THAT(r, IsOk());
  const auto orders = fixture_->new_orders();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].profile, "shortlived");
  EXPECT_EQ(r->certificate.not_after_ms - r->certificate.not_before_ms, 6 * kDayMs);
  // The certID the CA computes with OpenSSL is the one ctwatch computes.
  EXPECT_EQ(*AriCertId(r->certificate.aki, r->certificate.serial_hex),
            fixture_->issued_cert_ids().at(0));
  EXPECT_EQ(r->certificate.serial_hex.substr(0, 2), "00");  // the leading 00 is kept

  // A profile the CA does not offer is refused before newOrder is sent.
  AcmeCertificateConfig other = config_.certificates[0];
  other.name = "other";
  other.profile = "tlsclient";
  auto refused = engine_->Issue(other);
  ASSERT_THAT(refused, IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_NE(refused.error().message.find("classic, shortlived"), std::string::npos);
  EXPECT_EQ(fixture_->new_orders().size(), 1u);
}

TEST_F(AriTest, SchedulerRenewsInsideTheSuggestedWindowWithReplaces) {
  Open();
  RenewalOutcome first = Pass();
  ASSERT_EQ(first.action, RenewalOutcome::Action::kIssued) << first.reason;
  const InventoryCertificate old = first.issued->certificate;
  const std::string cert_id = fixture_->issued_cert_ids().at(0);

  // The CA's default window lies ahead: ARI asked, a time inside it picked, nothing due.
  RenewalOutcome second = Pass();
  EXPECT_EQ(second.action, RenewalOutcome::Action::kSkipped);
  EXPECT_NE(second.reason.find("ARI suggested window"), std::string::npos) << second.reason;
  RenewalState st = State();
  EXPECT_EQ(st.ari_cert_id, cert_id);
  ASSERT_TRUE(st.ari_renew_at_ms.has_value());
  EXPECT_GE(*st.ari_renew_at_ms, *st.ari_window_start_ms);
  EXPECT_LE(*st.ari_renew_at_ms, *st.ari_window_end_ms);
  EXPECT_EQ(*st.ari_next_check_ms, clock_.NowMs() + 6 * kHourMs);  // Retry-After: 21600
  const int asked = fixture_->renewal_info_requests();
  EXPECT_EQ(asked, 1);
  // Not asked again before Retry-After has passed.
  Pass();
  EXPECT_EQ(fixture_->renewal_info_requests(), asked);

  // The CA moves the window into the past (e.g. a revocation ahead): after Retry-After the
  // scheduler asks again and renews at once, sending `replaces`.
  fixture_->SetRenewalInfo(cert_id, clock_.NowMs() - 2 * kHourMs, clock_.NowMs() - kHourMs, 60,
                           "https://ari.test/why");
  clock_.Advance(6 * kHourMs);
  RenewalOutcome renewed = Pass();
  ASSERT_EQ(renewed.action, RenewalOutcome::Action::kRenewed) << renewed.reason;
  EXPECT_NE(renewed.reason.find("ARI"), std::string::npos);
  const auto orders = fixture_->new_orders();
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[1].replaces, cert_id);
  EXPECT_EQ(orders[1].status, 201);
  auto replaced = engine_->inventory()->GetCertificate(old.id);
  EXPECT_EQ((*replaced)->status, "replaced");
  EXPECT_EQ((*replaced)->replaced_by, renewed.issued->certificate.id);
  // The new certificate starts with a clean ARI state.
  st = State();
  EXPECT_EQ(st.certificate_id, renewed.issued->certificate.id);
  EXPECT_TRUE(st.ari_cert_id.empty());
}

TEST_F(AriTest, RetryAfterIsClampedAndErrorsWaitSixHours) {
  Open();
  ASSERT_EQ(Pass().action, RenewalOutcome::Action::kIssued);
  const std::string cert_id = fixture_->issued_cert_ids().at(0);
  const int64_t start = clock_.NowMs() + 30 * kDayMs;
  struct Case {
    int retry_after_s;
    int64_t expected_ms;
  };
  for (const Case& c : {Case{5, kMinuteMs}, Case{3600, kHourMs}, Case{10 * 86'400, kDayMs},
                        Case{-1, 6 * kHourMs}}) {
    fixture_->SetRenewalInfo(cert_id, start, start + kDayMs, c.retry_after_s);
    clock_.Advance(2 * kDayMs);  // past any earlier Retry-After
    Pass();
    RenewalState st = State();
    EXPECT_EQ(*st.ari_next_check_ms - clock_.NowMs(), c.expected_ms)
        << "Retry-After " << c.retry_after_s;
  }
  // A server error: keep the window, ask again in 6 h.
  const RenewalState before = State();
  fixture_->SetRenewalInfoStatus(500);
  clock_.Advance(2 * kDayMs);
  Pass();
  RenewalState st = State();
  EXPECT_EQ(*st.ari_next_check_ms - clock_.NowMs(), 6 * kHourMs);
  EXPECT_EQ(st.ari_renew_at_ms, before.ari_renew_at_ms);
}

TEST_F(AriTest, AlreadyReplacedIsRetriedWithoutReplaces) {
  Open();
  auto first = engine_->Issue(config_.certificates[0]);
  ASSERT_THAT(first, IsOk());
  const std::string cert_id = fixture_->issued_cert_ids().at(0);
  fixture_->MarkReplaced(cert_id);  // e.g. another client already replaced it
  auto second = engine_->Issue(config_.certificates[0], {.replaces_id = first->certificate.id});
  ASSERT_THAT(second, IsOk());
  const auto orders = fixture_->new_orders();
  ASSERT_EQ(orders.size(), 3u);
  EXPECT_EQ(orders[1].replaces, cert_id);
  EXPECT_EQ(orders[1].status, 409);
  EXPECT_EQ(orders[2].replaces, "");
  EXPECT_EQ(orders[2].status, 201);
  // The inventory still records the replacement.
  EXPECT_EQ((*engine_->inventory()->GetCertificate(first->certificate.id))->replaced_by,
            second->certificate.id);
}

TEST_F(AriTest, LedgerExemptsAriRenewals) {
  config_.cas[0].limits.certificates_per_name_set = 1;
  Open(/*with_ledger=*/true);
  auto first = engine_->Issue(config_.certificates[0]);
  ASSERT_THAT(first, IsOk());
  // A second certificate for the same names is refused before anything is sent...
  AcmeCertificateConfig again = config_.certificates[0];
  again.name = "web2";
  auto refused = engine_->Issue(again);
  ASSERT_THAT(refused, IsErrorCode(ErrorCode::kRateLimited));
  EXPECT_NE(refused.error().message.find("certificates per exact set of names (1 per 7 days)"),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(fixture_->new_orders().size(), 1u);
  // ...but an ARI renewal (replaces) is exempt, as at the CA.
  auto renewed = engine_->Issue(config_.certificates[0], {.replaces_id = first->certificate.id});
  ASSERT_THAT(renewed, IsOk());
  EXPECT_EQ(fixture_->new_orders().back().replaces, fixture_->issued_cert_ids().at(0));
  // When the CA refuses `replaces` (alreadyReplaced), the order is no longer exempt.
  fixture_->MarkReplaced(fixture_->issued_cert_ids().at(1));
  auto again_refused =
      engine_->Issue(config_.certificates[0], {.replaces_id = renewed->certificate.id});
  ASSERT_THAT(again_refused, IsErrorCode(ErrorCode::kRateLimited));
}

}  // namespace
}  // namespace ctwatch
