// Issuance wiring (docs/issuance.md): the verdict's view of the ACME inventory and
// expectations in SQLite (SqliteOwnershipRecords), the judge and reconciler that `ctwatch run`
// builds over it (IssuanceRuntime, with a background loop that reconciles every few seconds
// and at once when asked: after a policy reload), and ReconcileIssuanceOnce for the one-shot
// commands that change what is ours (inventory import, expect add|remove, acme issue|renew).
// Thread-safety: SqliteOwnershipRecords is thread-safe (InventoryStore and Store lock);
// IssuanceRuntime::Wake/Start/Stop may be called from any thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "acme/inventory_store.h"
#include "app/config.h"
#include "issuance/issuance_judge.h"
#include "issuance/reconciler.h"
#include "monitor/matcher_handle.h"
#include "store/store.h"

namespace ctwatch {

class SqliteOwnershipRecords final : public OwnershipRecords {
 public:
  SqliteOwnershipRecords(InventoryStore* inventory, Store* store)
      : inventory_(inventory), store_(store) {}
  Result<std::optional<InventoryRef>> InventoryByIdentity(const Sha256Hash& identity) override;
  Result<bool> InventoryHasKey(const Sha256Hash& spki_sha256) override;
  Result<std::vector<ExpectationRef>> ExpectationsForKey(const Sha256Hash& spki_sha256) override;
  Result<std::vector<Sha256Hash>> IssuerKeysOf(const std::string& ca) override;
  Result<std::optional<int64_t>> FirstSeenMs(const Sha256Hash& identity) override;
  Result<std::string> Generation() override;

 private:
  InventoryStore* const inventory_;
  Store* const store_;
};

ExpectationRef ToExpectationRef(const Expectation& e);

class IssuanceRuntime {
 public:
  // `store` (the writer) outlives the runtime; the inventory gets a connection of its own.
  static Result<std::unique_ptr<IssuanceRuntime>> Open(const std::string& database, Store* store,
                                                       Clock* clock);
  ~IssuanceRuntime();

  const IssuanceJudge* judge() const { return judge_.get(); }
  IssuanceReconciler* reconciler() { return reconciler_.get(); }
  InventoryStore* inventory() { return inventory_.get(); }

  // Reconciles with the matcher in force every `interval_ms` (cheap when nothing changed) on
  // a thread of its own, and at once after Wake(force) (a policy reload).
  void Start(const MatcherHandle* matcher, int64_t interval_ms);
  void Wake(bool force);
  void Stop();

 private:
  IssuanceRuntime() = default;
  void Loop(const MatcherHandle* matcher, int64_t interval_ms);

  std::unique_ptr<InventoryStore> inventory_;
  std::unique_ptr<SqliteOwnershipRecords> records_;
  std::unique_ptr<IssuanceJudge> judge_;
  std::unique_ptr<IssuanceReconciler> reconciler_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  bool woken_ = false;     // GUARDED_BY(mu_)
  bool force_ = false;     // GUARDED_BY(mu_)
};

// One reconciliation against the database of `config` with its policy (for the commands that
// change the inventory, the expectations or the policy). Logs its summary.
Result<ReconcileReport> ReconcileIssuanceOnce(const Config& config, bool force);

}  // namespace ctwatch
