// The rate-limit ledger (REFERENCE.md §7): every limit with a manual clock (rolling windows,
// when a limit frees up, the error naming it), the public-suffix list deciding the registered
// domain, ARI renewals exempt, staging counted apart; and against pebble the sixth order for the
// same names within seven days is refused before it is sent.
#include "acme/rate_limit_ledger.h"

#include <gtest/gtest.h>

#include "acme/acme_engine.h"
#include "acme/registered_domain.h"
#include "acme/renewal.h"
#include "manual_clock.h"
#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ManualClock;

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::ctwatch::testing::MakeTempDir("ledger");
    AcmeCaConfig le;
    le.name = "le";
    le.directory_url = "https://acme.test/dir";
    config_.cas.push_back(le);
  }
  void Open() {
    auto ledger = RateLimitLedger::Open(dir_ + "/ctwatch.db", config_, &clock_);
    ASSERT_THAT(ledger, IsOk());
    ledger_ = std::move(*ledger);
  }
  OrderRecord Order(std::vector<std::string> names, const std::string& account = "acct-1") {
    OrderRecord o;
    o.id = ++next_id_;
    o.ca = "le";
    o.directory_url = "https://acme.test/dir";
    o.account_url = account;
    o.identifiers = *IdentifiersForNames(names);
    return o;
  }
  // A whole successful order: checked, created, issued.
  Status Issue(const OrderRecord& o) {
    CTW_RETURN_IF_ERROR(ledger_->BeforeNewOrder(o));
    ledger_->OnOrderCreated(o);
    ledger_->OnIssued(o, InventoryCertificate{});
    return OkStatus();
  }

  std::string dir_;
  AcmeConfig config_;
  ManualClock clock_{1'800'000'000'000};
  std::unique_ptr<RateLimitLedger> ledger_;
  int64_t next_id_ = 0;
};

TEST_F(LedgerTest, ExactNameSetFivePerSevenDays) {
  Open();
  const int64_t t0 = clock_.NowMs();
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(Issue(Order({"www.example.com", "example.com"})), IsOk()) << i;
    clock_.Advance(kHourMs);
  }
  auto refused = ledger_->BeforeNewOrder(Order({"example.com", "www.example.com"}));
  ASSERT_THAT(refused, IsErrorCode(ErrorCode::kRateLimited));
  const std::string& m = refused.error().message;
  EXPECT_NE(m.find("certificates per exact set of names (5 per 7 days)"), std::string::npos) << m;
  EXPECT_NE(m.find("example.com,www.example.com"), std::string::npos) << m;
  // It frees up when the first of the five leaves the window.
  EXPECT_NE(m.find("frees up at " + FormatTimeMs(t0 + 7 * kDayMs)), std::string::npos) << m;
  EXPECT_EQ(refused.error().retry_after_ms, t0 + 7 * kDayMs - clock_.NowMs());
  // Another set is fine; so is this one a week after the first.
  EXPECT_THAT(ledger_->BeforeNewOrder(Order({"example.com"})), IsOk());
  clock_.Set(t0 + 7 * kDayMs + 1);
  EXPECT_THAT(ledger_->BeforeNewOrder(Order({"example.com", "www.example.com"})), IsOk());
}

TEST_F(LedgerTest, RegisteredDomainFollowsThePublicSuffixList) {
  EXPECT_EQ(RegisteredDomain({"dns", "a.b.example.co.uk"}), "example.co.uk");
  EXPECT_EQ(RegisteredDomain({"dns", "*.www.example.com"}), "example.com");
  EXPECT_EQ(RegisteredDomain({"dns", "alice.github.io"}), "alice.github.io");
  EXPECT_EQ(RegisteredDomain({"dns", "x.y.unknowntld"}), "y.unknowntld");
  EXPECT_EQ(RegisteredDomain({"ip", "192.0.2.1"}), "192.0.2.1");

  config_.cas[0].limits.certificates_per_domain = 3;
  Open();
  for (const char* name : {"a.example.co.uk", "b.example.co.uk", "c.example.co.uk"}) {
    ASSERT_THAT(Issue(Order({name})), IsOk());
  }
  auto refused = ledger_->BeforeNewOrder(Order({"d.example.co.uk"}));
  ASSERT_THAT(refused, IsErrorCode(ErrorCode::kRateLimited));
  EXPECT_NE(refused.error().message.find("certificates per registered domain (3 per 7 days)"),
            std::string::npos);
  EXPECT_NE(refused.error().message.find("for example.co.uk"), std::string::npos);
  // github.io is a public suffix: each user's site is its own registered domain.
  for (const char* name : {"alice.github.io", "www.alice.github.io", "x.alice.github.io"}) {
    ASSERT_THAT(Issue(Order({name})), IsOk());
  }
  EXPECT_THAT(ledger_->BeforeNewOrder(Order({"bob.github.io"})), IsOk());
  EXPECT_THAT(ledger_->BeforeNewOrder(Order({"y.alice.github.io"})),
              IsErrorCode(ErrorCode::kRateLimited));
}

TEST_F(LedgerTest, NewOrdersPerAccountPerThreeHours) {
  config_.cas[0].limits.orders_per_account = 3;
  Open();
  const int64_t t0 = clock_.NowMs();
  for (int i = 0; i < 3; ++i) {
    OrderRecord o = Order({"n" + std::to_string(i) + ".example.com"});
    ASSERT_THAT(ledger_->BeforeNewOrder(o), IsOk());
    ledger_->OnOrderCreated(o);  // orders count when created, issued or not
    clock_.Advance(kMinuteMs);
  }
  auto refused = ledger_->BeforeNewOrder(Order({"n9.example.com"}));
  ASSERT_THAT(refused, IsErrorCode(ErrorCode::kRateLimited));
  EXPECT_NE(refused.error().message.find("new orders per account (3 per 3 h)"), std::string::npos);
  EXPECT_EQ(refused.error().retry_after_ms, t0 + 3 * kHourMs - clock_.NowMs());
  // Another account of the same CA has its own budget.
  EXPECT_THAT(ledger_->BeforeNewOrder(Order({"n9.example.com"}, "acct-2")), IsOk());
  clock_.Set(t0 + 3 * kHourMs + 1);
  EXPECT_THAT(ledger_->BeforeNewOrder(Order({"n9.example.com"})), IsOk());
}

TEST_F(LedgerTest, FailedValidationsPerNamePerHour) {
  Open();
  const int64_t t0 = clock_.NowMs();
  for (int i = 0; i < 5; ++i) {
    OrderRecord o = Order({"*.flaky.example.com"});
    ASSERT_THAT(ledger_->BeforeNewOrder(o), IsOk()) << i;
    ledger_->OnOrderCreated(o);
    ledger_->OnValidationFailed(o, {"dns", "flaky.example.com"}, "NXDOMAIN");
    ledger_->OnValidationFailed(o, {"dns", "flaky.example.com"}, "again");  // once per order
    clock_.Advance(kMinuteMs);
  }
  auto refused = ledger_->BeforeNewOrder(Order({"flaky.example.com", "ok.example.com"}));
  ASSERT_THAT(refused, IsErrorCode(ErrorCode::kRateLimited));
  EXPECT_NE(refused.error().message.find("failed validations per name (5 per 1 h)"),
            std::string::npos)
      << refused.error().message;
  clock_.Set(t0 + kHourMs + 1);
  EXPECT_THAT(ledger_->BeforeNewOrder(Order({"flaky.example.com"})), IsOk());
}

TEST_F(LedgerTest, AriRenewalsAreExemptAndLimitsAreConfigurable) {
  config_.cas[0].limits.certificates_per_name_set = 0;  // off
  config_.cas[0].limits.orders_per_account = 1;
  Open();
  ASSERT_THAT(Issue(Order({"example.com"})), IsOk());
  EXPECT_THAT(ledger_->BeforeNewOrder(Order({"example.com"})),
              IsErrorCode(ErrorCode::kRateLimited));
  OrderRecord renewal = Order({"example.com"});
  renewal.replaces = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
  EXPECT_THAT(ledger_->BeforeNewOrder(renewal), IsOk());
  // Usage still reports what is counted.
  auto usage = ledger_->Usage(Order({"example.com"}));
  ASSERT_THAT(usage, IsOk());
  EXPECT_EQ((*usage)[0].used, 1);
  EXPECT_EQ((*usage)[0].allowed, 1);
}

TEST_F(LedgerTest, StagingIsCountedApartAndRecordingIsIdempotent) {
  config_.cas[0].limits.certificates_per_name_set = 1;
  Open();
  OrderRecord o = Order({"example.com"});
  ASSERT_THAT(Issue(o), IsOk());
  ledger_->OnIssued(o, InventoryCertificate{});  // a resumed order reports again: no change
  OrderRecord staging = Order({"example.com"});
  staging.directory_url = "https://acme-staging.test/dir";
  EXPECT_THAT(ledger_->BeforeNewOrder(staging), IsOk());
  auto usage = ledger_->Usage(Order({"example.com"}));
  EXPECT_EQ((*usage)[1].used, 1);
  // The ledger survives a restart.
  ledger_.reset();
  Open();
  EXPECT_THAT(ledger_->BeforeNewOrder(Order({"example.com"})),
              IsErrorCode(ErrorCode::kRateLimited));
}

TEST(LedgerPebbleTest, SixthOrderForTheSameNamesIsRefusedBeforeItIsSent) {
  auto* pebble = ::ctwatch::testing::SharedPebble();
  ASSERT_NE(pebble, nullptr);
  const std::string dir = ::ctwatch::testing::MakeTempDir("ledger-pebble");
  AcmeConfig config = ::ctwatch::testing::PebbleAcmeConfig(*pebble, dir);
  auto ledger = RateLimitLedger::Open(dir + "/ctwatch.db", config);
  ASSERT_THAT(ledger, IsOk());
  auto engine = AcmeEngine::Open(config, dir + "/ctwatch.db", {.observer = ledger->get()});
  ASSERT_THAT(engine, IsOk());
  AcmeCertificateConfig cert;
  cert.name = "six";
  cert.domains = {"six.ledger.test", "www.six.ledger.test"};
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT((*engine)->Issue(cert, {.replaces_id = std::nullopt}), IsOk()) << i;
  }
  auto sixth = (*engine)->Issue(cert);
  ASSERT_THAT(sixth, IsErrorCode(ErrorCode::kRateLimited));
  EXPECT_NE(sixth.error().message.find("certificates per exact set of names (5 per 7 days)"),
            std::string::npos)
      << sixth.error().message;
  EXPECT_NE(sixth.error().message.find("frees up at"), std::string::npos);
  auto orders = (*engine)->inventory()->ListOrders("six", false);
  ASSERT_THAT(orders, IsOk());
  ASSERT_EQ(orders->size(), 6u);
  EXPECT_EQ((*orders)[0].state, OrderState::kFailed);  // newest first
  EXPECT_TRUE((*orders)[0].order_url.empty());         // never sent to pebble
  EXPECT_EQ((*engine)->inventory()->ListCertificates({.name = "six"})->size(), 5u);
}

}  // namespace
}  // namespace ctwatch
