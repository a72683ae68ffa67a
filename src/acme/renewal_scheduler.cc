#include "acme/renewal_scheduler.h"

#include <algorithm>
#include <chrono>

#include "acme/renewal.h"
#include "core/encoding.h"
#include "core/log.h"

namespace ctwatch {
namespace {

constexpr int64_t kMinLoopWaitMs = 200;

std::string Window(const RenewalState& s) {
  return "[" + FormatTimeMs(*s.ari_window_start_ms) + ", " + FormatTimeMs(*s.ari_window_end_ms) +
         "]";
}

bool Selected(const PassOptions& options, const std::string& name) {
  return options.names.empty() ||
         std::find(options.names.begin(), options.names.end(), name) != options.names.end();
}

}  // namespace

RenewalScheduler::RenewalScheduler(const AcmeConfig& config, InventoryStore* inventory,
                                   RenewalStateStore* state, RenewalBackend* backend,
                                   Store* findings, Clock* clock)
    : config_(config),
      inventory_(inventory),
      state_(state),
      backend_(backend),
      findings_(findings),
      clock_(clock != nullptr ? clock : SystemClock::Get()) {}

RenewalScheduler::~RenewalScheduler() { Stop(); }

void RenewalScheduler::AddFinding(const FindingDraft& finding) {
  if (findings_ == nullptr) return;
  Result<bool> added = findings_->AddFinding(finding, std::nullopt, std::nullopt);
  if (!added.has_value()) {
    spdlog::warn("acme: cannot record finding {}: {}", finding.kind, added.error().message);
  } else if (*added) {
    spdlog::warn("acme: finding {}: {}", finding.kind, finding.detail);
  }
}

void RenewalScheduler::RefreshAri(const InventoryCertificate& active, RenewalState* state,
                                  int64_t now) {
  if (state->ari_next_check_ms.has_value() && *state->ari_next_check_ms > now) return;
  const AcmeCaConfig* ca = config_.FindCa(active.ca);
  if (ca == nullptr) return;  // imported, or its CA is no longer configured: no ARI
  Result<std::string> cert_id = AriCertId(active.aki, active.serial_hex);
  if (!cert_id.has_value()) {
    state->ari_next_check_ms = now + kDayMs;
    return;
  }
  Result<RenewalInfo> info = backend_->FetchRenewalInfo(*ca, *cert_id);
  if (!info.has_value()) {
    if (info.error().code == ErrorCode::kFailedPrecondition) {
      state->ClearAri();  // the CA offers no ARI; look again tomorrow
      state->ari_next_check_ms = now + kDayMs;
      return;
    }
    // RFC 9773 §4.3.3: after an error, ask again in 6 h; meanwhile keep the last window.
    spdlog::warn("{}: renewalInfo at CA {}: {}", active.name, ca->name, info.error().message);
    state->ari_next_check_ms = now + kAriErrorRetryMs;
    return;
  }
  const bool same_window =
      state->ari_cert_id == *cert_id && state->ari_window_start_ms == info->window_start_ms &&
      state->ari_window_end_ms == info->window_end_ms && state->ari_renew_at_ms.has_value();
  state->ari_cert_id = *cert_id;
  if (!same_window) {
    state->ari_window_start_ms = info->window_start_ms;
    state->ari_window_end_ms = info->window_end_ms;
    state->ari_renew_at_ms = PickRenewalTimeMs(*info);
    spdlog::info("{}: ARI window {}; renewing at {}", active.name, Window(*state),
                 FormatTimeMs(*state->ari_renew_at_ms));
  }
  state->ari_explanation_url = info->explanation_url;
  state->ari_next_check_ms = now + ClampAriRetryAfterMs(info->retry_after_ms);
}

Result<RenewalScheduler::Plan> RenewalScheduler::PlanOne(const AcmeCertificateConfig& cert,
                                                         const PassOptions& options, int64_t now) {
  Plan plan;
  plan.cert = &cert;
  CTW_ASSIGN_OR_RETURN(plan.state, state_->Get(cert.name));
  CTW_ASSIGN_OR_RETURN(plan.active, inventory_->ActiveCertificate(cert.name));
  CTW_ASSIGN_OR_RETURN(std::optional<OrderRecord> open, inventory_->FindOpenOrder(cert.name));
  CTW_ASSIGN_OR_RETURN(std::vector<AcmeIdentifier> ids, IdentifiersForNames(cert.domains));
  RenewalState& st = plan.state;
  plan.wake_ms = now + config_.renewal.check_interval_ms;
  plan.due_ms = now;
  if (!plan.active.has_value()) {
    plan.reason = "no active certificate";
    // An expired one is still renewed as its replacement (the inventory keeps the chain).
    CTW_ASSIGN_OR_RETURN(std::vector<InventoryCertificate> newest,
                         inventory_->ListCertificates({.name = cert.name, .limit = 1}));
    if (!newest.empty() && newest[0].status == "expired") {
      plan.previous = newest[0];
      plan.emergency = true;
      plan.reason = "its certificate expired at " + FormatTimeMs(newest[0].not_after_ms);
    }
  } else if (plan.active->names != IdentifierNames(ids)) {
    plan.reason = "its names changed";
  } else if (open.has_value()) {
    plan.reason = "an order was interrupted";
  } else {
    const InventoryCertificate& active = *plan.active;
    if (st.certificate_id != active.id) {
      // A new certificate (issued elsewhere, e.g. by `acme renew`): its own schedule.
      st.ClearAri();
      st.certificate_id = active.id;
      st.failures = 0;
      st.next_attempt_ms.reset();
    }
    if (options.mode == PassMode::kSchedule) RefreshAri(active, &st, now);
    if (st.ari_renew_at_ms.has_value()) {
      plan.due_ms = *st.ari_renew_at_ms;
      plan.reason = "ARI suggested window " + Window(st);
    } else {
      plan.due_ms = RenewalTimeMs(active.not_before_ms, active.not_after_ms);
      plan.reason = active.not_after_ms - active.not_before_ms < 10 * kDayMs
                        ? "half of its (under ten days) lifetime left"
                        : "a third of its lifetime left";
    }
    const int64_t expiring = ExpiringTimeMs(active.not_before_ms, active.not_after_ms);
    if (now >= expiring) {
      plan.emergency = true;
      plan.due_ms = std::min(plan.due_ms, now);
      plan.reason = "it expires at " + FormatTimeMs(active.not_after_ms) + " (emergency renewal)";
      FindingDraft f;
      f.kind = "certificate_expiring";
      f.severity = Severity::kHigh;
      f.identity = active.identity;
      f.names = active.names;
      f.detail = "certificate " + active.serial_hex + " of " + cert.name + " expires at " +
                 FormatTimeMs(active.not_after_ms) + " and is not renewed yet" +
                 (st.last_error.empty() ? "" : " (last error: " + st.last_error + ")");
      f.dedup_key = "certificate_expiring:" + HexEncode(active.identity);
      AddFinding(f);
    } else {
      plan.wake_ms = std::min(plan.wake_ms, expiring);
    }
    if (options.mode == PassMode::kMissingOnly) {
      plan.due = false;
      plan.reason = "has an active certificate";
      return plan;
    }
  }
  if (options.mode == PassMode::kForce) {
    plan.due_ms = now;
    plan.reason = "forced";
  }
  if (options.respect_backoff && st.failures > 0 && st.next_attempt_ms.has_value()) {
    plan.due_ms = std::max(plan.due_ms, *st.next_attempt_ms);
  }
  plan.due = plan.due_ms <= now;
  if (!plan.due) {
    plan.wake_ms = std::min(plan.wake_ms, plan.due_ms);
    plan.reason = "not due before " + FormatTimeMs(plan.due_ms) + " (" +
                  (st.failures > 0 ? "retrying after " + std::to_string(st.failures) +
                                         " failure(s); " + plan.reason
                                   : plan.reason) +
                  ")";
  }
  if (st.ari_next_check_ms.has_value()) {
    plan.wake_ms = std::min(plan.wake_ms, *st.ari_next_check_ms);
  }
  return plan;
}

RenewalOutcome RenewalScheduler::RenewOne(Plan* plan, const PassOptions& options) {
  const AcmeCertificateConfig& cert = *plan->cert;
  RenewalState& st = plan->state;
  RenewalOutcome out;
  out.name = cert.name;
  out.reason = plan->reason;
  out.emergency = plan->emergency;
  out.previous = plan->active.has_value() ? plan->active : plan->previous;
  IssueOptions issue;
  issue.ca = options.ca;
  if (plan->previous.has_value()) issue.replaces_id = plan->previous->id;
  if (plan->active.has_value()) {
    issue.replaces_id = plan->active->id;
    if (!st.ari_cert_id.empty() && st.ari_window_start_ms.has_value()) {
      issue.replaces = st.ari_cert_id;  // an ARI renewal (RFC 9773 §5)
    }
  }
  // After repeated failures at one CA, start with the next one.
  size_t start = 0;
  const int fallback_after = plan->emergency ? 1 : config_.renewal.fallback_after_failures;
  if (st.failures >= fallback_after && !st.last_ca.empty()) {
    const std::vector<const AcmeCaConfig*> cas = CandidateCas(config_, cert);
    for (size_t i = 0; i < cas.size(); ++i) {
      if (cas[i]->name == st.last_ca) start = i + 1;
    }
  }
  spdlog::info("{}: {}: {}", cert.name, plan->active.has_value() ? "renewing" : "issuing",
               plan->reason);
  Result<IssueResult> r = backend_->Issue(cert, issue, start, &out.attempts);
  const int64_t now = clock_->NowMs();
  st.last_attempt_ms = now;
  if (!out.attempts.empty()) st.last_ca = out.attempts.back().ca;
  if (r.has_value()) {
    out.action = r->renewal ? RenewalOutcome::Action::kRenewed : RenewalOutcome::Action::kIssued;
    st.failures = 0;
    st.next_attempt_ms.reset();
    st.last_error.clear();
    st.ClearAri();
    st.certificate_id = r->certificate.id;
    spdlog::info("{}: {} certificate {} (serial {}, valid until {})", cert.name,
                 r->renewal ? "renewed:" : "issued:", r->certificate.id, r->certificate.serial_hex,
                 FormatTimeMs(r->certificate.not_after_ms));
    out.issued = std::move(r).value();
  } else {
    out.action = RenewalOutcome::Action::kFailed;
    out.error = r.error();
    ++st.failures;
    int64_t delay = FailureRetryDelayMs(st.failures);
    if (plan->emergency) {
      // Near expiry: an eighth of the time left at most; once expired: hourly at most.
      delay = plan->active.has_value()
                  ? EmergencyRetryDelayMs(st.failures, now, plan->active->not_after_ms)
                  : std::min(delay, kHourMs);
    }
    if (r.error().retry_after_ms > delay) delay = std::min(r.error().retry_after_ms, kDayMs);
    st.next_attempt_ms = now + delay;
    st.last_error = r.error().message;
    out.next_attempt_ms = *st.next_attempt_ms;
    spdlog::warn("{}: renewal failed (attempt {}; next at {}): {}", cert.name, st.failures,
                 FormatTimeMs(*st.next_attempt_ms), r.error().message);
    if (st.failures >= config_.renewal.finding_after_failures || plan->emergency) {
      FindingDraft f;
      f.kind = "renewal_failed";
      f.severity = plan->emergency ? Severity::kHigh : Severity::kMedium;
      const std::optional<InventoryCertificate>& current =
          plan->active.has_value() ? plan->active : plan->previous;
      if (current.has_value()) {
        f.identity = current->identity;
        f.names = current->names;
      } else {
        f.names = cert.domains;
      }
      f.detail =
          cert.name + ": " + std::to_string(st.failures) + " failed attempt(s)" +
          (current.has_value()
               ? std::string(plan->active.has_value() ? ", the current certificate expires at "
                                                      : ", the certificate expired at ") +
                     FormatTimeMs(current->not_after_ms)
               : std::string(", no certificate yet")) +
          "; next attempt at " + FormatTimeMs(*st.next_attempt_ms) + ": " + r.error().message;
      f.dedup_key = "renewal_failed:" + cert.name + ":" +
                    (current.has_value() ? std::to_string(current->id) : "new") +
                    (plan->emergency ? ":emergency" : "");
      AddFinding(f);
    }
  }
  Status saved = state_->Save(st);
  if (!saved.has_value()) {
    spdlog::error("{}: cannot save the renewal state: {}", cert.name, saved.error().message);
  }
  return out;
}

Result<PassReport> RenewalScheduler::RunPass(const PassOptions& options) {
  std::lock_guard pass_lock(pass_mu_);
  const int64_t now = clock_->NowMs();
  Result<int> expired = inventory_->MarkExpired(now);
  if (expired.has_value() && *expired > 0)
    spdlog::warn("acme: {} certificate(s) expired", *expired);
  for (const std::string& name : options.names) {
    if (config_.FindCertificate(name) == nullptr) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "no [[acme.certificate]] named \"" + name + "\"");
    }
  }
  PassReport report;
  report.next_pass_ms = now + config_.renewal.check_interval_ms;
  std::vector<Plan> plans;
  for (const AcmeCertificateConfig& cert : config_.certificates) {
    if (!Selected(options, cert.name)) continue;
    Result<Plan> plan = PlanOne(cert, options, now);
    if (!plan.has_value()) {
      RenewalOutcome failed;
      failed.name = cert.name;
      failed.action = RenewalOutcome::Action::kFailed;
      failed.error = plan.error();
      report.outcomes.push_back(std::move(failed));
      continue;
    }
    report.next_pass_ms = std::min(report.next_pass_ms, plan->wake_ms);
    if (!plan->due) (void)state_->Save(plan->state);  // ARI answers and a new certificate id
    plans.push_back(std::move(plan).value());
  }
  std::vector<size_t> due;
  for (size_t i = 0; i < plans.size(); ++i) {
    if (plans[i].due) due.push_back(i);
  }
  std::vector<std::optional<RenewalOutcome>> results(plans.size());
  std::mutex report_mu;
  auto settle = [&](size_t i, RenewalOutcome outcome) {
    std::lock_guard lock(report_mu);
    if (options.on_outcome) options.on_outcome(outcome);
    results[i] = std::move(outcome);
  };
  for (size_t i = 0; i < plans.size(); ++i) {
    if (plans[i].due) continue;
    RenewalOutcome skipped;
    skipped.name = plans[i].cert->name;
    skipped.reason = plans[i].reason;
    skipped.previous = plans[i].active;
    settle(i, std::move(skipped));
  }
  const int concurrency =
      std::max(1, options.concurrency > 0 ? options.concurrency : config_.renewal.concurrency);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (;;) {
      if (stop_flag_.load()) return;
      const size_t k = next.fetch_add(1);
      if (k >= due.size()) return;
      settle(due[k], RenewOne(&plans[due[k]], options));
    }
  };
  const size_t threads = std::min<size_t>(static_cast<size_t>(concurrency), due.size());
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (std::thread& t : pool) t.join();
  }
  for (std::optional<RenewalOutcome>& r : results) {
    if (r.has_value()) report.outcomes.push_back(std::move(*r));
  }
  if (!due.empty()) report.next_pass_ms = clock_->NowMs();  // look again at once
  completed_passes_.fetch_add(1);
  return report;
}

void RenewalScheduler::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(loop_mu_);
    stopping_ = false;
  }
  stop_flag_.store(false);
  thread_ = std::thread([this] { Loop(); });
}

void RenewalScheduler::Stop() {
  {
    std::lock_guard lock(loop_mu_);
    stopping_ = true;
  }
  stop_flag_.store(true);
  loop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RenewalScheduler::Wake() {
  {
    std::lock_guard lock(loop_mu_);
    wake_ = true;
  }
  loop_cv_.notify_all();
}

void RenewalScheduler::Loop() {
  for (;;) {
    Result<PassReport> report = RunPass();
    int64_t next = clock_->NowMs() + kMinuteMs;
    if (report.has_value()) {
      next = report->next_pass_ms;
    } else {
      spdlog::error("acme: renewal pass failed: {}", report.error().message);
    }
    const int64_t wait = std::clamp<int64_t>(next - clock_->NowMs(), kMinLoopWaitMs,
                                             config_.renewal.check_interval_ms);
    std::unique_lock lock(loop_mu_);
    loop_cv_.wait_for(lock, std::chrono::milliseconds(wait), [&] { return stopping_ || wake_; });
    if (stopping_) return;
    wake_ = false;
  }
}

}  // namespace ctwatch
