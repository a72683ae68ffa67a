// RenewalScheduler: renews the configured certificates on its own inside `ctwatch run`, and is
// the planner behind `ctwatch acme issue|renew` (docs/acme.md, "Renewal").
//
// Per certificate and pass: no active certificate, changed names or an interrupted order →
// due now. Otherwise ARI first (RFC 9773: GET renewalInfo when the last answer's Retry-After,
// clamped to 1 min..1 day, has passed; 6 h after errors; a uniformly random time in the
// suggested window, picked once per window; a window in the past means now), else 1/3 of the
// lifetime left (1/2 under 10 days). Past ExpiringTimeMs the renewal is an emergency: due now,
// retries capped at an eighth of the time left, the next CA after one failure, and a
// `certificate_expiring` finding (once per certificate). Failures are retried after about
// 1 min, 10 min, 100 min, then daily, the count kept in SQLite (RenewalStateStore); after
// `finding_after_failures` a `renewal_failed` finding is written (once per certificate being
// renewed), after `fallback_after_failures` the next CA is tried first. A CA's Retry-After (or
// the ledger's "frees up at") postpones the next attempt when longer.
// Due certificates are issued in parallel, up to `concurrency` at once; a renewal passes the
// certificate it replaces, so the order carries `replaces` where the CA has ARI and the
// inventory records the chain of replacements.
//
// Thread-safety: RunPass may be called from any thread; passes are serialised. Start/Stop/Wake
// from the owning thread. The backend is called from the worker threads (different lineages).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "acme/acme_config.h"
#include "acme/ca_set.h"
#include "acme/inventory_store.h"
#include "acme/renewal_info.h"
#include "acme/renewal_state_store.h"
#include "core/clock.h"
#include "store/store.h"

namespace ctwatch {

// What the scheduler drives: AcmeEngine in production (EngineRenewalBackend), fakes in tests.
class RenewalBackend {
 public:
  virtual ~RenewalBackend() = default;
  // Issues `cert` at the candidate CAs from `start_ca` on (IssueWithFallback).
  virtual Result<IssueResult> Issue(const AcmeCertificateConfig& cert, const IssueOptions& options,
                                    size_t start_ca, std::vector<FallbackAttempt>* attempts) = 0;
  // ARI at CA `ca` (kFailedPrecondition when it offers none).
  virtual Result<RenewalInfo> FetchRenewalInfo(const AcmeCaConfig& ca,
                                               const std::string& cert_id) = 0;
};

class EngineRenewalBackend final : public RenewalBackend {
 public:
  explicit EngineRenewalBackend(AcmeEngine* engine) : engine_(engine) {}
  Result<IssueResult> Issue(const AcmeCertificateConfig& cert, const IssueOptions& options,
                            size_t start_ca, std::vector<FallbackAttempt>* attempts) override {
    return IssueWithFallback(engine_, cert, options, start_ca, attempts);
  }
  Result<RenewalInfo> FetchRenewalInfo(const AcmeCaConfig& ca,
                                       const std::string& cert_id) override {
    return engine_->FetchRenewalInfo(ca, cert_id);
  }

 private:
  AcmeEngine* engine_;
};

enum class PassMode {
  kSchedule,     // the scheduler's rules (ARI, 1/3 of the lifetime, emergency)
  kMissingOnly,  // `acme issue`: only certificates without an active one (or changed names)
  kForce,        // `--force`: every selected certificate
};

struct RenewalOutcome {
  enum class Action { kSkipped, kIssued, kRenewed, kFailed };

  std::string name;
  Action action = Action::kSkipped;
  std::string reason;  // why it was due, or why it was skipped
  bool emergency = false;
  std::optional<InventoryCertificate> previous;  // the active certificate before
  std::optional<IssueResult> issued;
  std::optional<Error> error;
  std::vector<FallbackAttempt> attempts;
  int64_t next_attempt_ms = 0;  // after a failure
};

struct PassOptions {
  PassMode mode = PassMode::kSchedule;
  std::vector<std::string> names;  // empty: every configured certificate
  std::string ca;                  // pin this CA (no fallback)
  bool respect_backoff = true;     // false: a manual run does not wait for the retry schedule
  int concurrency = 0;             // 0: [acme.renewal] concurrency
  // Called (serialised) as each certificate is settled, from the worker threads.
  std::function<void(const RenewalOutcome&)> on_outcome;
};

struct PassReport {
  std::vector<RenewalOutcome> outcomes;  // in configuration order
  int64_t next_pass_ms = 0;              // when something is due next
};

class RenewalScheduler {
 public:
  // `findings` may be null (no findings written). Everything borrowed must outlive this.
  RenewalScheduler(const AcmeConfig& config, InventoryStore* inventory, RenewalStateStore* state,
                   RenewalBackend* backend, Store* findings, Clock* clock = nullptr);
  ~RenewalScheduler();
  RenewalScheduler(const RenewalScheduler&) = delete;
  RenewalScheduler& operator=(const RenewalScheduler&) = delete;

  Result<PassReport> RunPass(const PassOptions& options = {});

  // Background passes until Stop (which waits for the certificates in flight).
  void Start();
  void Stop();
  void Wake();
  int completed_passes() const { return completed_passes_.load(); }

 private:
  struct Plan {
    const AcmeCertificateConfig* cert = nullptr;
    std::optional<InventoryCertificate> active;
    std::optional<InventoryCertificate> previous;  // expired, when there is no active one
    RenewalState state;
    bool due = false;
    int64_t due_ms = 0;
    int64_t wake_ms = 0;  // the next time this certificate needs a look
    std::string reason;
    bool emergency = false;
  };
  Result<Plan> PlanOne(const AcmeCertificateConfig& cert, const PassOptions& options, int64_t now);
  void RefreshAri(const InventoryCertificate& active, RenewalState* state, int64_t now);
  RenewalOutcome RenewOne(Plan* plan, const PassOptions& options);
  void AddFinding(const FindingDraft& finding);
  void Loop();

  const AcmeConfig& config_;
  InventoryStore* inventory_;
  RenewalStateStore* state_;
  RenewalBackend* backend_;
  Store* findings_;
  Clock* clock_;
  std::mutex pass_mu_;  // one pass at a time

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;  // GUARDED_BY(loop_mu_)
  bool wake_ = false;      // GUARDED_BY(loop_mu_)
  std::atomic<bool> stop_flag_{false};
  std::atomic<int> completed_passes_{0};
  std::thread thread_;
};

}  // namespace ctwatch
