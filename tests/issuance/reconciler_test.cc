// IssuanceReconciler and the Store's issuance records against the real SQLite store and
// inventory (SqliteOwnershipRecords, as `ctwatch run` wires them): pending becomes expected
// when the certificate reaches the inventory, a closed window raises the foreign_issuance
// finding once, an import or an authorization resolves it with a note (nothing deleted), runs
// are idempotent and a new reconciler over the same database (a restart) changes nothing.
#include "issuance/reconciler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "app/issuance_wiring.h"
#include "issuance/issuance_judge.h"
#include "policy/policy_matcher.h"
#include "subprocess.h"
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

class StepClock final : public Clock {
 public:
  int64_t now = SystemClock::Get()->NowMs();
  int64_t NowMs() const override { return now; }
  void SleepMs(int64_t ms) override { now += ms; }
};

class ReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir(
        "reconciler-" +
        std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    db_ = dir_ + "/ctwatch.db";
    auto store = OpenSqliteStore({.path = db_});
    ASSERT_THAT(store, IsOk());
    store_ = std::move(store).value();
    log_ = {.log_id = H(0xaa),
            .description = "Test Log",
            .api = "rfc6962",
            .url = "http://127.0.0.1/",
            .list_state = "usable"};
    ASSERT_THAT(store_->EnsureLog(log_, {}), IsOk());
    OpenRuntime();
    SetPolicy({});
  }
  void TearDown() override {
    runtime_.reset();
    store_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  void OpenRuntime() {
    auto rt = IssuanceRuntime::Open(db_, store_.get(), &clock_);
    ASSERT_THAT(rt, IsOk());
    runtime_ = std::move(rt).value();
  }
  void SetPolicy(std::vector<IssuanceAuthorization> authorizations) {
    PolicyConfig config;
    config.domains = {"example.com"};
    config.lookalike.enabled = false;
    config.internal.builtin = false;
    config.authorizations = std::move(authorizations);
    auto matcher = PolicyMatcher::Create(config);
    ASSERT_THAT(matcher, IsOk());
    matcher_ = *matcher;
  }

  CertFacts Facts(const Sha256Hash& identity, const Sha256Hash& key) {
    CertFacts f;
    f.identity = identity;
    f.spki_sha256 = key;
    f.names.dns_names = {"www.example.com"};
    f.issuer_key_hash = H(0xca);
    f.issuer_dn = "CN=Some CA";
    f.not_before_ms = clock_.now;
    f.not_after_ms = clock_.now + 90LL * 86'400'000;
    return f;
  }

  // Judges an entry as the tailer does and stores it as a verified sighting.
  void Sight(const CertFacts& f, uint64_t index, const std::string& entry_type = "cert") {
    const std::vector<std::string> owned = matcher_->OwnedNamesOf(f);
    ASSERT_FALSE(owned.empty());
    IssuanceOutcome o =
        runtime_->judge()->Judge(f, owned, matcher_->issuance_policy(),
                                 static_cast<uint64_t>(clock_.now), log_.description, index);
    MatchedEntry m;
    m.index = index;
    m.timestamp_ms = static_cast<uint64_t>(clock_.now);
    m.certificate.identity = f.identity;
    m.certificate.entry_type = entry_type;
    m.certificate.cert_sha256 = H(static_cast<uint8_t>(index));
    m.certificate.issuer_dn = f.issuer_dn;
    m.certificate.not_before_ms = f.not_before_ms;
    m.certificate.not_after_ms = f.not_after_ms;
    m.certificate.spki_sha256 = f.spki_sha256;
    m.certificate.issuer_key_hash = f.issuer_key_hash;
    m.certificate.names = f.names.dns_names;
    m.certificate.san_names = ExactNameSet(f.names);
    m.certificate.der = {0x30, 0x00};
    if (o.verdict) m.verdict = VerdictName(*o.verdict);
    m.verdict_detail = o.detail;
    if (o.finding) m.findings.push_back(*o.finding);
    ASSERT_THAT(store_->CommitRescan({.log_id = log_.log_id, .matches = {m}}), IsOk());
  }

  std::vector<std::string> Verdicts(const Sha256Hash& identity) {
    auto sightings = store_->SightingsOf(identity);
    EXPECT_THAT(sightings, IsOk());
    std::vector<std::string> out;
    for (const Sighting& s : *sightings) out.push_back(s.verdict);
    return out;
  }
  std::vector<StoredFinding> Foreign() {
    auto f = store_->ListFindings({.kind = "foreign_issuance"});
    EXPECT_THAT(f, IsOk());
    return *f;
  }
  ReconcileReport Reconcile(bool force = false) {
    auto r = runtime_->reconciler()->Run(*matcher_, force);
    EXPECT_THAT(r, IsOk());
    return r.has_value() ? *r : ReconcileReport{};
  }
  void AddToInventory(const Sha256Hash& identity, const Sha256Hash& key) {
    InventoryCertificate c;
    c.identity = identity;
    c.cert_sha256 = H(0x77);
    c.spki_sha256 = key;
    c.names = {"www.example.com"};
    c.serial_hex = "01";
    c.issuer_dn = "CN=Some CA";
    c.not_before_ms = clock_.now;
    c.not_after_ms = clock_.now + 90LL * 86'400'000;
    c.source = "import";
    c.cert_der = {0x30, 0x00};
    ASSERT_THAT(runtime_->inventory()->AddCertificate(c), IsOk());
  }
  int64_t Expect(const Sha256Hash& key, int64_t window_ms) {
    Expectation e;
    e.source = "manual";
    e.spki_sha256 = key;
    e.names = {"www.example.com"};
    e.window_start_ms = clock_.now - 1000;
    e.window_end_ms = clock_.now + window_ms;
    auto id = runtime_->inventory()->AddManualExpectation(e);
    EXPECT_THAT(id, IsOk());
    return id.has_value() ? *id : 0;
  }

  std::string dir_, db_;
  StepClock clock_;
  LogRecord log_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<IssuanceRuntime> runtime_;
  std::shared_ptr<const PolicyMatcher> matcher_;
};

TEST_F(ReconcilerTest, PendingBecomesExpectedWhenTheCertificateReachesTheInventory) {
  Expect(H(2), 3'600'000);
  Sight(Facts(H(1), H(2)), 10, "precert");
  Sight(Facts(H(1), H(2)), 11, "cert");
  EXPECT_THAT(Verdicts(H(1)), ::testing::ElementsAre("expected_pending", "expected_pending"));
  EXPECT_EQ(Reconcile().changed, 0u);  // nothing changed yet
  AddToInventory(H(1), H(2));
  const ReconcileReport r = Reconcile();
  EXPECT_EQ(r.expected, 1u) << r.Summary();
  EXPECT_THAT(Verdicts(H(1)), ::testing::ElementsAre("expected", "expected"));
  EXPECT_TRUE(Foreign().empty());
  EXPECT_EQ(Reconcile(true).changed, 0u);  // idempotent
}

TEST_F(ReconcilerTest, ClosedWindowRaisesTheFindingOnceAndSurvivesARestart) {
  Expect(H(2), 60'000);
  Sight(Facts(H(1), H(2)), 10);
  EXPECT_THAT(Verdicts(H(1)), ::testing::ElementsAre("expected_pending"));
  clock_.now += 59'000;
  EXPECT_EQ(Reconcile().changed, 0u);  // still open
  clock_.now += 2'000;
  const ReconcileReport r = Reconcile();
  EXPECT_EQ(r.foreign, 1u) << r.Summary();
  EXPECT_EQ(r.raised, 1u);
  EXPECT_THAT(Verdicts(H(1)), ::testing::ElementsAre("foreign"));
  ASSERT_EQ(Foreign().size(), 1u);
  EXPECT_EQ(Foreign()[0].state, "open");
  EXPECT_THAT(Foreign()[0].finding.detail, HasSubstr("closed without the certificate"));
  EXPECT_EQ(Reconcile(true).raised, 0u);
  // A restart: a new runtime and reconciler over the same database changes nothing.
  runtime_.reset();
  OpenRuntime();
  const ReconcileReport again = Reconcile(true);
  EXPECT_EQ(again.changed, 0u) << again.Summary();
  EXPECT_EQ(Foreign().size(), 1u);
  // A later sighting of the same certificate gets the same verdict straight away.
  Sight(Facts(H(1), H(2)), 12, "precert");
  EXPECT_THAT(Verdicts(H(1)), ::testing::ElementsAre("foreign", "foreign"));
  EXPECT_EQ(Foreign().size(), 1u);  // one finding per certificate
}

TEST_F(ReconcilerTest, ImportResolvesTheForeignFindingWithANote) {
  Sight(Facts(H(1), H(2)), 10);
  ASSERT_EQ(Foreign().size(), 1u);
  EXPECT_EQ(Foreign()[0].finding.severity, Severity::kCritical);  // a key never ours
  AddToInventory(H(1), H(2));
  const ReconcileReport r = Reconcile();
  EXPECT_EQ(r.resolved, 1u) << r.Summary();
  EXPECT_THAT(Verdicts(H(1)), ::testing::ElementsAre("expected"));
  const std::vector<StoredFinding> f = Foreign();
  ASSERT_EQ(f.size(), 1u);  // kept
  EXPECT_EQ(f[0].state, "resolved");
  EXPECT_THAT(f[0].note, HasSubstr("expected: ours: inventory certificate"));
  EXPECT_EQ(Reconcile(true).changed, 0u);
}

TEST_F(ReconcilerTest, AuthorizationResolvesAndAKeyOnOtherNamesStaysForeign) {
  Sight(Facts(H(1), H(2)), 10);
  CertFacts other = Facts(H(3), H(2));
  other.names.dns_names = {"www.example.com", "evil.example.com"};
  Sight(other, 11);
  ASSERT_EQ(Foreign().size(), 2u);
  EXPECT_EQ(Reconcile().changed, 0u);
  SetPolicy({{.label = "cdn", .spki_sha256 = H(2), .names = {"www.example.com"}}});
  const ReconcileReport r = Reconcile();  // the policy changed: foreign ones are looked at
  EXPECT_EQ(r.authorized, 1u) << r.Summary();
  EXPECT_EQ(r.resolved, 1u);
  EXPECT_THAT(Verdicts(H(1)), ::testing::ElementsAre("authorized"));
  EXPECT_THAT(Verdicts(H(3)), ::testing::ElementsAre("foreign"));
  const std::vector<StoredFinding> f = Foreign();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].state, "resolved");
  EXPECT_THAT(f[0].note, HasSubstr("authorization \"cdn\""));
  EXPECT_EQ(f[1].state, "open");
}

TEST_F(ReconcilerTest, ImportFulfilsTheManualExpectationSoASecondCertificateIsForeign) {
  const int64_t id = Expect(H(2), 3'600'000);
  Sight(Facts(H(1), H(2)), 10);
  EXPECT_THAT(Verdicts(H(1)), ::testing::ElementsAre("expected_pending"));
  AddToInventory(H(1), H(2));  // the import of the certificate we expected
  auto e = runtime_->inventory()->GetExpectation(id);
  ASSERT_THAT(e, IsOk());
  ASSERT_TRUE(e->has_value());
  EXPECT_EQ((*e)->state, "fulfilled");
  EXPECT_EQ((*e)->identity, H(1));
  EXPECT_EQ(Reconcile().expected, 1u);
  // Another certificate for the same key and names, inside the window: not pending, foreign.
  Sight(Facts(H(3), H(2)), 11);
  EXPECT_THAT(Verdicts(H(3)), ::testing::ElementsAre("foreign"));
  ASSERT_EQ(Foreign().size(), 1u);
  EXPECT_THAT(Foreign()[0].finding.detail, HasSubstr("fulfilled by another certificate"));
  EXPECT_EQ(Foreign()[0].finding.severity, Severity::kHigh);  // our key: not "never ours"
}

TEST_F(ReconcilerTest, CandidatesLeaveOutFinalVerdictsAndForeignUnlessAsked) {
  AddToInventory(H(1), H(2));
  Sight(Facts(H(1), H(2)), 10);  // expected: final
  Expect(H(5), 3'600'000);
  Sight(Facts(H(4), H(5)), 11);  // expected_pending
  Sight(Facts(H(6), H(7)), 12);  // foreign
  auto without = store_->ListIssuanceCandidates(false);
  ASSERT_THAT(without, IsOk());
  ASSERT_EQ(without->size(), 1u);
  EXPECT_EQ((*without)[0].certificate.identity, H(4));
  auto with = store_->ListIssuanceCandidates(true);
  ASSERT_THAT(with, IsOk());
  EXPECT_EQ(with->size(), 2u);
  // Applying the same verdict again changes nothing.
  auto applied = store_->ApplyIssuanceUpdate({.identity = H(4),
                                              .verdict = (*without)[0].sightings[0].verdict,
                                              .detail = (*without)[0].sightings[0].verdict_detail,
                                              .now_ms = clock_.now});
  ASSERT_THAT(applied, IsOk());
  EXPECT_EQ(applied->sightings, 0u);
}

}  // namespace
}  // namespace ctwatch
