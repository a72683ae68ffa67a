// AcmeRuntime: the ACME engine as `ctwatch run` and the `ctwatch acme` commands assemble it
// from the config: the engine, the rate-limit ledger as its order observer, the renewal state
// and the scheduler (docs/acme.md). `--staging` and `--dry-run` run the same flow against each
// CA's staging directory: staging keeps its own storage and database under
// <storage>/staging/; a dry run works in a temporary directory that is removed afterwards and
// runs no deploy hook. Production files, accounts and inventory are never touched by either.
// Thread-safety: the parts are as thread-safe as documented in their headers.
#pragma once

#include <memory>
#include <string>

#include "acme/acme_engine.h"
#include "acme/rate_limit_ledger.h"
#include "acme/renewal_scheduler.h"
#include "acme/renewal_state_store.h"
#include "app/config.h"
#include "store/store.h"

namespace ctwatch {

struct AcmeRuntimeOptions {
  bool staging = false;
  bool dry_run = false;       // implies staging, in a throwaway directory
  Store* findings = nullptr;  // where renewal_failed / certificate_expiring go (may be null)
  EngineOptions engine;       // the observer is set to the ledger
};

class AcmeRuntime {
 public:
  static Result<std::unique_ptr<AcmeRuntime>> Open(const Config& config,
                                                   AcmeRuntimeOptions options = {});
  ~AcmeRuntime();

  const AcmeConfig& acme() const { return acme_; }
  const std::string& database() const { return database_; }
  AcmeEngine* engine() { return engine_.get(); }
  RateLimitLedger* ledger() { return ledger_.get(); }
  RenewalScheduler* scheduler() { return scheduler_.get(); }

 private:
  AcmeRuntime() = default;
  AcmeConfig acme_;
  std::string database_;
  std::string throwaway_dir_;  // dry run: removed in the destructor
  std::unique_ptr<RateLimitLedger> ledger_;
  std::unique_ptr<AcmeEngine> engine_;
  std::unique_ptr<RenewalStateStore> state_;
  std::unique_ptr<EngineRenewalBackend> backend_;
  std::unique_ptr<RenewalScheduler> scheduler_;
};

// The [acme] config against the CAs' staging directories (every CA needs staging_directory),
// with storage under `storage_root` and no deploy hooks when `dry_run`.
Result<AcmeConfig> StagingAcmeConfig(const AcmeConfig& acme, const std::string& storage_root,
                                     bool dry_run);

}  // namespace ctwatch
