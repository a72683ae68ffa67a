#include "app/acme_runtime.h"

#include <cstdlib>
#include <filesystem>

#include "core/file.h"
#include "core/log.h"

namespace ctwatch {

Result<AcmeConfig> StagingAcmeConfig(const AcmeConfig& acme, const std::string& storage_root,
                                     bool dry_run) {
  AcmeConfig out = acme;
  for (AcmeCaConfig& ca : out.cas) {
    if (ca.staging_directory_url.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "CA " + ca.name +
                           " has no staging_directory (needed by --staging and "
                           "--dry-run)");
    }
    ca.directory_url = ca.staging_directory_url;
    ca.account_key.clear();  // a staging account of its own, under the staging storage
  }
  out.storage = storage_root;
  if (dry_run) {
    for (AcmeCertificateConfig& cert : out.certificates) cert.deploy_hook.clear();
  }
  return out;
}

Result<std::unique_ptr<AcmeRuntime>> AcmeRuntime::Open(const Config& config,
                                                       AcmeRuntimeOptions options) {
  if (!config.acme.enabled()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     config.path + ": no [[acme.ca]] configured (see docs/acme.md)");
  }
  std::unique_ptr<AcmeRuntime> rt(new AcmeRuntime());
  rt->acme_ = config.acme;
  rt->database_ = config.database;
  if (options.dry_run) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ctwatch-dry-run-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return MakeError(ErrorCode::kIo, "cannot create a temporary directory for --dry-run");
    }
    rt->throwaway_dir_ = tmpl;
    CTW_ASSIGN_OR_RETURN(rt->acme_, StagingAcmeConfig(config.acme, tmpl + "/acme", true));
    rt->database_ = tmpl + "/ctwatch-dry-run.db";
    options.findings = nullptr;
    spdlog::info("dry run against the staging directories in {}", tmpl);
  } else if (options.staging) {
    const std::string root = config.acme.storage + "/staging";
    CTW_ASSIGN_OR_RETURN(rt->acme_, StagingAcmeConfig(config.acme, root + "/acme", false));
    CTW_RETURN_IF_ERROR(MakeDirs(root, 0700));
    rt->database_ = root + "/ctwatch-staging.db";
    options.findings = nullptr;
  }
  CTW_ASSIGN_OR_RETURN(rt->ledger_,
                       RateLimitLedger::Open(rt->database_, rt->acme_, options.engine.clock));
  options.engine.observer = rt->ledger_.get();
  CTW_ASSIGN_OR_RETURN(rt->engine_, AcmeEngine::Open(rt->acme_, rt->database_, options.engine));
  CTW_ASSIGN_OR_RETURN(rt->state_, RenewalStateStore::Open(rt->database_));
  rt->backend_ = std::make_unique<EngineRenewalBackend>(rt->engine_.get());
  rt->scheduler_ = std::make_unique<RenewalScheduler>(rt->acme_, rt->engine_->inventory(),
                                                      rt->state_.get(), rt->backend_.get(),
                                                      options.findings, options.engine.clock);
  return rt;
}

AcmeRuntime::~AcmeRuntime() {
  if (scheduler_) scheduler_->Stop();
  scheduler_.reset();
  backend_.reset();
  state_.reset();
  engine_.reset();
  ledger_.reset();
  if (!throwaway_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(throwaway_dir_, ec);
  }
}

}  // namespace ctwatch
