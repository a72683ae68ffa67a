// DecideIssuance, AuthorizationCovers and IssuanceJudge: the verdict rule of
// docs/issuance.md, case by case. The rule reads what is ours through OwnershipRecords; here
// an in-memory FakeRecords stands in for the SQLite inventory so that each case states exactly
// what is known (the SQLite implementation is exercised by reconciler_test.cc and the end-to-end
// test).
#include "issuance/verdict.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "issuance/issuance_judge.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsOk;
using ::testing::HasSubstr;

Sha256Hash H(uint8_t b) {
  Sha256Hash h{};
  h.fill(b);
  return h;
}

class FakeRecords final : public OwnershipRecords {
 public:
  std::map<Sha256Hash, InventoryRef> inventory;  // by identity
  std::vector<Sha256Hash> inventory_keys;
  std::vector<ExpectationRef> expectations;
  std::map<std::string, std::vector<Sha256Hash>> ca_keys;
  std::map<Sha256Hash, int64_t> first_seen;

  Result<std::optional<InventoryRef>> InventoryByIdentity(const Sha256Hash& id) override {
    auto it = inventory.find(id);
    return it == inventory.end() ? std::optional<InventoryRef>() : std::optional(it->second);
  }
  Result<bool> InventoryHasKey(const Sha256Hash& spki) override {
    return std::find(inventory_keys.begin(), inventory_keys.end(), spki) != inventory_keys.end();
  }
  Result<std::vector<ExpectationRef>> ExpectationsForKey(const Sha256Hash& spki) override {
    std::vector<ExpectationRef> out;
    for (const ExpectationRef& e : expectations) {
      if (e.spki_sha256 == spki) out.push_back(e);
    }
    return out;
  }
  Result<std::vector<Sha256Hash>> IssuerKeysOf(const std::string& ca) override {
    return ca_keys[ca];
  }
  Result<std::optional<int64_t>> FirstSeenMs(const Sha256Hash& id) override {
    auto it = first_seen.find(id);
    return it == first_seen.end() ? std::optional<int64_t>() : std::optional(it->second);
  }
  Result<std::string> Generation() override { return std::string("g"); }
};

constexpr int64_t kT0 = 1'790'000'000'000;  // some time in 2026
const Sha256Hash kIdentity = H(1);
const Sha256Hash kOurKey = H(2);
const Sha256Hash kCaKey = H(3);
const Sha256Hash kOtherCaKey = H(4);

IssuanceSubject Subject(std::vector<std::string> names = {"example.com", "www.example.com"},
                        Sha256Hash key = kOurKey, Sha256Hash issuer = kCaKey) {
  IssuanceSubject s;
  s.identity = kIdentity;
  s.spki_sha256 = key;
  s.names = std::move(names);
  s.issuer_key_hash = issuer;
  s.issuer_dn = "CN=Test CA";
  s.not_before_ms = kT0;
  s.not_after_ms = kT0 + 90LL * 86'400'000;
  return s;
}

ExpectationRef OpenExpectation() {
  ExpectationRef e;
  e.id = 7;
  e.order_id = 3;
  e.ca = "pebble";
  e.spki_sha256 = kOurKey;
  e.names = {"example.com", "www.example.com"};
  e.window_start_ms = kT0 - 3'600'000;
  e.window_end_ms = kT0 + 3'600'000;
  return e;
}

class VerdictTest : public ::testing::Test {
 protected:
  IssuanceDecision Decide(const IssuanceSubject& s, int64_t seen = kT0 + 1000,
                          int64_t now = kT0 + 2000) {
    Result<IssuanceDecision> d = DecideIssuance(s, seen, now, policy_, &records_);
    EXPECT_THAT(d, IsOk());
    return d.has_value() ? *d : IssuanceDecision{};
  }
  FakeRecords records_;
  IssuancePolicy policy_;
};

TEST_F(VerdictTest, IdentityInTheInventoryIsExpected) {
  records_.inventory[kIdentity] = {.id = 5, .name = "web", .ca = "pebble", .source = "acme"};
  const IssuanceDecision d = Decide(Subject());
  EXPECT_EQ(d.verdict, Verdict::kExpected);
  EXPECT_THAT(d.detail, HasSubstr("inventory certificate #5 (web)"));
}

TEST_F(VerdictTest, OpenExpectationWithSameKeyNamesAndIssuerInWindowIsPending) {
  records_.expectations = {OpenExpectation()};
  records_.ca_keys["pebble"] = {kCaKey};
  const IssuanceDecision d = Decide(Subject());
  EXPECT_EQ(d.verdict, Verdict::kExpectedPending);
  EXPECT_THAT(d.detail, HasSubstr("expectation #7 (ACME order #3"));
  EXPECT_THAT(d.detail, HasSubstr("is one of CA pebble's"));
}

TEST_F(VerdictTest, PendingIsAcceptedWhileNoIssuerKeyOfTheCaIsKnownAndSaysSo) {
  records_.expectations = {OpenExpectation()};
  const IssuanceDecision d = Decide(Subject());
  EXPECT_EQ(d.verdict, Verdict::kExpectedPending);
  EXPECT_THAT(d.detail, HasSubstr("no issuer key of CA pebble is known yet"));
}

TEST_F(VerdictTest, IssuerKeyOutsideTheCasKeysIsForeign) {
  records_.expectations = {OpenExpectation()};
  records_.ca_keys["pebble"] = {kCaKey};
  const IssuanceDecision d =
      Decide(Subject({"example.com", "www.example.com"}, kOurKey, kOtherCaKey));
  EXPECT_EQ(d.verdict, Verdict::kForeign);
  EXPECT_THAT(d.detail, HasSubstr("is not one of CA pebble's"));
}

TEST_F(VerdictTest, NameSetMustMatchExactly) {
  records_.expectations = {OpenExpectation()};
  for (const std::vector<std::string>& names :
       {std::vector<std::string>{"example.com"},
        std::vector<std::string>{"example.com", "mail.example.com", "www.example.com"}}) {
    const IssuanceDecision d = Decide(Subject(names));
    EXPECT_EQ(d.verdict, Verdict::kForeign) << names.size();
    EXPECT_THAT(d.detail, HasSubstr("is for exactly {example.com, www.example.com}"));
    // The key is one we expected, so this is not the "never ours" kind.
    EXPECT_EQ(d.severity, Severity::kHigh);
  }
}

TEST_F(VerdictTest, KnownKeyOnOtherNamesIsForeign) {
  // Our key (an inventory certificate has it), but a certificate we never obtained.
  records_.inventory_keys = {kOurKey};
  const IssuanceDecision d = Decide(Subject({"admin.example.com"}));
  EXPECT_EQ(d.verdict, Verdict::kForeign);
  EXPECT_EQ(d.severity, Severity::kHigh);
  EXPECT_THAT(d.detail, HasSubstr("no expectation for key"));
}

TEST_F(VerdictTest, NeverUsedKeyIsCritical) {
  const IssuanceDecision d = Decide(Subject());
  EXPECT_EQ(d.verdict, Verdict::kForeign);
  EXPECT_EQ(d.severity, Severity::kCritical);
  EXPECT_THAT(d.detail, HasSubstr("the public key was never ours"));
}

TEST_F(VerdictTest, IssuerOutsideTheAllowedIssuersIsCritical) {
  records_.inventory_keys = {kOurKey};
  policy_.allowed_issuers = {{.label = "our CA", .spki_sha256 = kCaKey}};
  EXPECT_EQ(Decide(Subject()).severity, Severity::kHigh);  // allowed issuer, known key
  const IssuanceDecision d =
      Decide(Subject({"example.com", "www.example.com"}, kOurKey, kOtherCaKey));
  EXPECT_EQ(d.verdict, Verdict::kForeign);
  EXPECT_EQ(d.severity, Severity::kCritical);
  EXPECT_THAT(d.detail, HasSubstr("not one of the allowed issuers"));
}

TEST_F(VerdictTest, WindowClosingTurnsPendingIntoForeign) {
  records_.expectations = {OpenExpectation()};
  const ExpectationRef& e = records_.expectations[0];
  EXPECT_EQ(Decide(Subject(), kT0, e.window_end_ms).verdict, Verdict::kExpectedPending);
  const IssuanceDecision d = Decide(Subject(), kT0, e.window_end_ms + 1);
  EXPECT_EQ(d.verdict, Verdict::kForeign);
  EXPECT_THAT(d.detail, HasSubstr("closed without the certificate reaching the inventory"));
  // First logged before the window opened: foreign even while it is open.
  EXPECT_EQ(Decide(Subject(), e.window_start_ms - 1, kT0).verdict, Verdict::kForeign);
}

TEST_F(VerdictTest, CancelledOrFulfilledExpectationsExplainNothing) {
  ExpectationRef cancelled = OpenExpectation();
  cancelled.state = "cancelled";
  records_.expectations = {cancelled};
  EXPECT_EQ(Decide(Subject()).verdict, Verdict::kForeign);
  ExpectationRef fulfilled = OpenExpectation();
  fulfilled.state = "fulfilled";
  fulfilled.identity = H(9);
  records_.expectations = {fulfilled};
  const IssuanceDecision d = Decide(Subject());
  EXPECT_EQ(d.verdict, Verdict::kForeign);
  EXPECT_THAT(d.detail, HasSubstr("fulfilled by another certificate"));
}

TEST_F(VerdictTest, ManualExpectationAcceptsAnyIssuer) {
  ExpectationRef e = OpenExpectation();
  e.source = "manual";
  e.order_id.reset();
  e.ca.clear();
  e.note = "bought from a reseller";
  records_.expectations = {e};
  const IssuanceDecision d =
      Decide(Subject({"example.com", "www.example.com"}, kOurKey, kOtherCaKey));
  EXPECT_EQ(d.verdict, Verdict::kExpectedPending);
  EXPECT_THAT(d.detail, HasSubstr("placed by hand: bought from a reseller"));
}

TEST_F(VerdictTest, AuthorizationForKeyAndAllNamesIsAuthorized) {
  policy_.authorizations = {{.label = "cdn", .spki_sha256 = kOurKey, .names = {".example.com"}}};
  const IssuanceDecision d = Decide(Subject());
  EXPECT_EQ(d.verdict, Verdict::kAuthorized);
  EXPECT_THAT(d.detail, HasSubstr("authorization \"cdn\""));
  // The same key on a name outside the authorization is foreign, but not "never ours".
  const IssuanceDecision other = Decide(Subject({"example.com", "example.net"}));
  EXPECT_EQ(other.verdict, Verdict::kForeign);
  EXPECT_EQ(other.severity, Severity::kHigh);
  EXPECT_THAT(other.detail, HasSubstr("does not cover example.net"));
  // Another key on covered names is foreign.
  EXPECT_EQ(Decide(Subject({"example.com"}, H(8))).verdict, Verdict::kForeign);
}

TEST(AuthorizationCoversTest, ExactWildcardSubtreeAndIp) {
  const IssuanceAuthorization a{
      .label = "a",
      .spki_sha256 = kOurKey,
      .names = {"www.example.org", "*.cdn.example.org", ".example.com", "192.0.2.1"}};
  std::string uncovered;
  EXPECT_TRUE(AuthorizationCovers(a, {"www.example.org"}));
  EXPECT_TRUE(AuthorizationCovers(a, {"*.cdn.example.org"}));
  EXPECT_FALSE(AuthorizationCovers(a, {"x.cdn.example.org"}, &uncovered));  // exact only
  EXPECT_EQ(uncovered, "x.cdn.example.org");
  EXPECT_TRUE(AuthorizationCovers(a, {"example.com", "a.b.example.com", "*.example.com"}));
  EXPECT_FALSE(AuthorizationCovers(a, {"badexample.com"}));
  EXPECT_TRUE(AuthorizationCovers(a, {"192.0.2.1"}));
  EXPECT_FALSE(AuthorizationCovers(a, {"192.0.2.2"}));
  EXPECT_FALSE(AuthorizationCovers(a, {"www.example.org", "example.net"}, &uncovered));
  EXPECT_EQ(uncovered, "example.net");
  EXPECT_FALSE(AuthorizationCovers(a, {}));  // nothing to authorize
}

// A precertificate and its final certificate have the same identity, key, names and issuer
// key, and are judged with the time of the identity's first sighting: the same verdict
// whichever arrives first.
CertFacts Facts(const IssuanceSubject& s) {
  CertFacts f;
  f.identity = s.identity;
  f.spki_sha256 = s.spki_sha256;
  f.names.dns_names = s.names;
  f.issuer_key_hash = s.issuer_key_hash;
  f.issuer_dn = s.issuer_dn;
  f.not_before_ms = s.not_before_ms;
  f.not_after_ms = s.not_after_ms;
  return f;
}

class FixedClock final : public Clock {
 public:
  explicit FixedClock(int64_t now) : now_(now) {}
  int64_t NowMs() const override { return now_; }
  void SleepMs(int64_t) override {}

 private:
  int64_t now_;
};

TEST_F(VerdictTest, PrecertificateAndCertificateAgreeInEitherOrder) {
  records_.expectations = {OpenExpectation()};
  const ExpectationRef& e = records_.expectations[0];
  FixedClock clock(kT0 + 1000);
  IssuanceJudge judge(&records_, &clock);
  const CertFacts facts = Facts(Subject());  // precert and cert: the same facts
  const std::vector<std::string> owned = {"example.com", "www.example.com"};
  // First one logged inside the window, the other one after it: the first sighting decides.
  const uint64_t inside = static_cast<uint64_t>(kT0);
  const uint64_t after = static_cast<uint64_t>(e.window_end_ms + 5000);
  for (bool precert_first : {true, false}) {
    records_.first_seen.clear();
    IssuanceOutcome first =
        judge.Judge(facts, owned, policy_, inside, "log", precert_first ? 1 : 2);
    records_.first_seen[kIdentity] = static_cast<int64_t>(inside);  // stored with the first
    IssuanceOutcome second =
        judge.Judge(facts, owned, policy_, after, "log", precert_first ? 2 : 1);
    ASSERT_TRUE(first.verdict.has_value());
    ASSERT_TRUE(second.verdict.has_value());
    EXPECT_EQ(*first.verdict, Verdict::kExpectedPending);
    EXPECT_EQ(*second.verdict, *first.verdict);
    EXPECT_FALSE(first.finding.has_value());
  }
  // Foreign ones agree too, with one finding key for both.
  records_.expectations.clear();
  IssuanceOutcome a = judge.Judge(facts, owned, policy_, inside, "log", 1);
  IssuanceOutcome b = judge.Judge(facts, owned, policy_, after, "log", 2);
  ASSERT_TRUE(a.finding.has_value() && b.finding.has_value());
  EXPECT_EQ(a.finding->dedup_key, b.finding->dedup_key);
  EXPECT_EQ(a.finding->kind, "foreign_issuance");
  EXPECT_THAT(a.finding->detail, HasSubstr("logged in log at index 1"));
  EXPECT_THAT(a.finding->detail, HasSubstr("Issuer \"CN=Test CA\""));
}

TEST(ForeignIssuanceFindingTest, CarriesWhatIsNeededToAct) {
  IssuanceDecision d{
      .verdict = Verdict::kForeign, .severity = Severity::kCritical, .detail = "not ours: because"};
  const FindingDraft f = ForeignIssuanceFinding(Subject(), d, {"www.example.com"}, "Argon", 42);
  EXPECT_EQ(f.kind, "foreign_issuance");
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.names, std::vector<std::string>{"www.example.com"});
  for (const char* part :
       {"example.com, www.example.com", "not ours: because", "CN=Test CA",
        "public key sha256:", "valid 20", "logged in Argon at index 42", "identity "}) {
    EXPECT_THAT(f.detail, HasSubstr(part));
  }
}

}  // namespace
}  // namespace ctwatch
