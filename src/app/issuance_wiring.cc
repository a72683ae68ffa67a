// Issuance wiring; see issuance_wiring.h.
#include "app/issuance_wiring.h"

#include <chrono>

#include "app/wiring.h"
#include "core/log.h"

namespace ctwatch {

ExpectationRef ToExpectationRef(const Expectation& e) {
  ExpectationRef r;
  r.id = e.id;
  r.source = e.source;
  if (e.source != "manual") r.order_id = e.order_id;
  r.ca = e.ca;
  r.spki_sha256 = e.spki_sha256;
  r.names = e.names;
  r.window_start_ms = e.window_start_ms;
  r.window_end_ms = e.window_end_ms;
  r.state = e.state;
  r.identity = e.identity;
  r.note = e.note;
  return r;
}

Result<std::optional<InventoryRef>> SqliteOwnershipRecords::InventoryByIdentity(
    const Sha256Hash& identity) {
  CTW_ASSIGN_OR_RETURN(std::optional<InventoryCertificate> c, inventory_->FindByIdentity(identity));
  if (!c.has_value()) return std::optional<InventoryRef>();
  return std::optional<InventoryRef>(
      InventoryRef{.id = c->id, .name = c->name, .ca = c->ca, .source = c->source});
}

Result<bool> SqliteOwnershipRecords::InventoryHasKey(const Sha256Hash& spki_sha256) {
  return inventory_->HasKey(spki_sha256);
}

Result<std::vector<ExpectationRef>> SqliteOwnershipRecords::ExpectationsForKey(
    const Sha256Hash& spki_sha256) {
  CTW_ASSIGN_OR_RETURN(std::vector<Expectation> found, inventory_->ExpectationsForKey(spki_sha256));
  std::vector<ExpectationRef> out;
  for (const Expectation& e : found) out.push_back(ToExpectationRef(e));
  return out;
}

Result<std::vector<Sha256Hash>> SqliteOwnershipRecords::IssuerKeysOf(const std::string& ca) {
  CTW_ASSIGN_OR_RETURN(std::vector<IssuerRecord> issuers, inventory_->ListIssuers());
  std::vector<Sha256Hash> out;
  for (const IssuerRecord& i : issuers) {
    if (i.ca == ca) out.push_back(i.spki_sha256);
  }
  return out;
}

Result<std::optional<int64_t>> SqliteOwnershipRecords::FirstSeenMs(const Sha256Hash& identity) {
  return store_->FirstSeenMs(identity);
}

Result<std::string> SqliteOwnershipRecords::Generation() { return inventory_->Generation(); }

Result<std::unique_ptr<IssuanceRuntime>> IssuanceRuntime::Open(const std::string& database,
                                                               Store* store, Clock* clock) {
  std::unique_ptr<IssuanceRuntime> rt(new IssuanceRuntime());
  CTW_ASSIGN_OR_RETURN(rt->inventory_, OpenInventoryStore(database));
  rt->records_ = std::make_unique<SqliteOwnershipRecords>(rt->inventory_.get(), store);
  rt->judge_ = std::make_unique<IssuanceJudge>(rt->records_.get(), clock);
  rt->reconciler_ = std::make_unique<IssuanceReconciler>(store, rt->records_.get(), clock);
  return rt;
}

IssuanceRuntime::~IssuanceRuntime() { Stop(); }

void IssuanceRuntime::Start(const MatcherHandle* matcher, int64_t interval_ms) {
  thread_ = std::thread([this, matcher, interval_ms] { Loop(matcher, interval_ms); });
}

void IssuanceRuntime::Wake(bool force) {
  std::lock_guard lock(mu_);
  woken_ = true;
  force_ = force_ || force;
  cv_.notify_all();
}

void IssuanceRuntime::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void IssuanceRuntime::Loop(const MatcherHandle* matcher, int64_t interval_ms) {
  bool force = true;  // the first run looks at foreign verdicts too (the state is in SQLite)
  for (;;) {
    Result<ReconcileReport> report = reconciler_->Run(*matcher->Get(), force);
    if (!report.has_value()) {
      spdlog::warn("issuance: reconciliation failed (retried): {}", report.error().ToString());
    } else if (report->changed > 0 || report->errors > 0) {
      spdlog::info("issuance: {}", report->Summary());
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(interval_ms),
                 [this] { return stopping_ || woken_; });
    if (stopping_) return;
    force = force_;
    woken_ = force_ = false;
  }
}

Result<ReconcileReport> ReconcileIssuanceOnce(const Config& config, bool force) {
  CTW_ASSIGN_OR_RETURN(std::shared_ptr<const Matcher> matcher, BuildMatcher(config));
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore({.path = config.database}));
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<IssuanceRuntime> rt,
                       IssuanceRuntime::Open(config.database, store.get(), SystemClock::Get()));
  CTW_ASSIGN_OR_RETURN(ReconcileReport report, rt->reconciler()->Run(*matcher, force));
  spdlog::info("issuance: {}", report.Summary());
  return report;
}

}  // namespace ctwatch
