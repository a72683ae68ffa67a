// HealthMonitor; see health_monitor.h. Thread-safety: check_mu_ serialises checks; mu_ guards
// the published state and the stop flag.
#include "alerts/health_monitor.h"

#include <algorithm>

#include "alerts/alert_model.h"
#include "core/subprocess.h"
#include "alerts/sink.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/http.h"
#include "core/log.h"

namespace ctwatch {
namespace {

constexpr int64_t kDayMs = 86'400'000;

std::string Minutes(int64_t ms) { return std::to_string(ms / 60'000) + " min"; }

}  // namespace

HealthMonitor::HealthMonitor(Store* store, AlertStore* alerts, Dispatcher* dispatcher,
                             AlertsConfig config)
    : store_(store), alerts_(alerts), dispatcher_(dispatcher), config_(std::move(config)) {}

HealthMonitor::~HealthMonitor() { Stop(); }

void HealthMonitor::Start() {
  check_thread_ = std::thread([this] {
    LowerThreadPriority();
    CheckLoop();
  });
  if (config_.heartbeat.enabled()) heartbeat_thread_ = std::thread([this] { HeartbeatLoop(); });
}

void HealthMonitor::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (check_thread_.joinable()) check_thread_.join();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
}

bool HealthMonitor::Sleep(int64_t ms) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(ms, 0)),
               [this] { return stopping_; });
  return !stopping_;
}

std::vector<std::string> HealthMonitor::problems() const {
  std::lock_guard lock(mu_);
  return problems_;
}

bool HealthMonitor::healthy() const {
  std::lock_guard lock(mu_);
  return checked_ && problems_.empty();
}

void HealthMonitor::CheckLoop() {
  // Summaries are looked for every minute even when checks are rarer.
  const int64_t step = std::min<int64_t>(config_.health.check_interval_ms, 60'000);
  int64_t next_check = 0;
  do {
    const int64_t now = SystemClock::Get()->NowMs();
    if (now >= next_check) {
      Status s = Check(now);
      if (!s.has_value()) spdlog::warn("alerts: health check: {}", s.error().ToString());
      next_check = now + config_.health.check_interval_ms;
    }
    Result<bool> summary = MaybeSendSummary(now);
    if (!summary.has_value()) spdlog::warn("alerts: daily summary: {}", summary.error().ToString());
  } while (Sleep(step));
}

void HealthMonitor::HeartbeatLoop() {
  // The first beat waits for the first health check.
  while (Sleep(std::min<int64_t>(config_.heartbeat.interval_ms, 1'000))) {
    std::lock_guard lock(mu_);
    if (checked_) break;
  }
  do {
    if (healthy()) {
      Status s = Beat();
      if (!s.has_value()) spdlog::warn("alerts: heartbeat: {}", s.error().ToString());
    } else {
      spdlog::warn("alerts: heartbeat withheld: unhealthy");
    }
  } while (Sleep(config_.heartbeat.interval_ms));
}

Status HealthMonitor::Beat() {
  const HeartbeatConfig& h = config_.heartbeat;
  if (!h.url.empty()) {
    CurlHttpClient http(CurlOptions{.ca_file = h.ca_file});
    Result<HttpResponse> r =
        http.Send({.url = h.url,
                   .timeout_ms = h.timeout_ms,
                   .connect_timeout_ms = std::min<int64_t>(h.timeout_ms, 10'000),
                   .max_body_bytes = 64 * 1024});
    if (!r.has_value()) return RedactError(r.error(), h.url);
    Status ok = CheckHttpStatus(*r, h.url, SystemClock::Get()->NowMs());
    if (!ok.has_value()) return RedactError(ok.error(), h.url);
  }
  if (!h.command.empty()) {
    CTW_RETURN_IF_ERROR(RunProgramOk(
        {.argv = h.command, .env = {{"CTWATCH_HEALTHY", "1"}}, .timeout_ms = h.timeout_ms},
        "heartbeat command " + h.command[0]));
  }
  return OkStatus();
}

Status HealthMonitor::Check(int64_t now_ms) {
  std::lock_guard check_lock(check_mu_);
  std::vector<std::string> problems;
  Status logs = CheckLogs(now_ms, &problems);
  Status sinks = CheckSinks(now_ms, &problems);
  if (dispatcher_ != nullptr) {
    const int64_t stale = 10 * config_.delivery.poll_interval_ms + 60'000;
    if (dispatcher_->last_pass_ms() != 0 && now_ms - dispatcher_->last_pass_ms() > stale) {
      problems.push_back("the alert dispatcher has not read the outbox for " +
                         Minutes(now_ms - dispatcher_->last_pass_ms()));
    }
  }
  if (!logs.has_value()) problems.push_back("health check failed: " + logs.error().message);
  {
    std::lock_guard lock(mu_);
    problems_ = problems;
    checked_ = true;
  }
  CTW_RETURN_IF_ERROR(logs);
  return sinks;
}

Status HealthMonitor::CheckLogs(int64_t now_ms, std::vector<std::string>* problems) {
  if (store_ == nullptr) return OkStatus();
  CTW_ASSIGN_OR_RETURN(std::vector<LogStatus> logs, store_->ListLogs());
  const HealthConfig& h = config_.health;
  for (const LogStatus& log : logs) {
    if (!log.active) continue;
    const std::string& name = log.log.description;
    // Unreachable: errors since the last success, for longer than the threshold.
    if (!log.last_error_ms.has_value()) {
      error_since_.erase(name);
    } else if (h.log_unreachable_after_ms > 0) {
      int64_t since = log.last_success_ms.value_or(0);
      if (since == 0) since = error_since_.emplace(name, *log.last_error_ms).first->second;
      if (now_ms - since > h.log_unreachable_after_ms) {
        const std::string detail = name + " has not been read successfully since " +
                                   FormatTimeMs(since) + " (" + Minutes(now_ms - since) +
                                   "); last error: " + log.last_error;
        problems->push_back(detail);
        FindingDraft f{.kind = std::string(kLogUnreachableKind),
                       .severity = Severity::kHigh,
                       .detail = detail,
                       .dedup_key = std::string(kLogUnreachableKind) + ":" +
                                    Base64Encode(log.log.log_id) + ":" + std::to_string(since)};
        CTW_RETURN_IF_ERROR(store_->AddFinding(f, log.log.log_id, std::nullopt));
      }
    }
    // Backlog: above the threshold and not shrinking for longer than backlog_after.
    const uint64_t head = log.head_size.value_or(0);
    const uint64_t backlog = head > log.progress.position ? head - log.progress.position : 0;
    if (h.backlog_after_ms <= 0 || backlog <= h.backlog_entries) {
      backlogs_.erase(name);
      continue;
    }
    auto [it, added] = backlogs_.emplace(name, Backlog{now_ms, backlog});
    if (added || now_ms - it->second.since_ms <= h.backlog_after_ms) continue;
    if (backlog < it->second.at_start) {
      it->second = Backlog{now_ms, backlog};  // catching up: a new episode starts here
      continue;
    }
    const std::string detail = name + " is " + std::to_string(backlog) +
                               " entries behind its head and has not caught up for " +
                               Minutes(now_ms - it->second.since_ms) + " (" +
                               std::to_string(it->second.at_start) + " behind at " +
                               FormatTimeMs(it->second.since_ms) + ")";
    problems->push_back(detail);
    FindingDraft f{.kind = std::string(kLogBacklogKind),
                   .severity = Severity::kMedium,
                   .detail = detail,
                   .dedup_key = std::string(kLogBacklogKind) + ":" + Base64Encode(log.log.log_id) +
                                ":" + std::to_string(it->second.since_ms)};
    CTW_RETURN_IF_ERROR(store_->AddFinding(f, log.log.log_id, std::nullopt));
  }
  return OkStatus();
}

Status HealthMonitor::CheckSinks(int64_t now_ms, std::vector<std::string>* problems) {
  if (dispatcher_ == nullptr || config_.health.sink_failing_after_ms <= 0) return OkStatus();
  for (const SinkState& s : dispatcher_->SinkStates()) {
    if (!s.failing_since_ms.has_value()) continue;
    const int64_t since = *s.failing_since_ms;
    if (now_ms - since <= config_.health.sink_failing_after_ms) continue;
    const std::string detail = "alert sink " + s.name + " has failed every delivery since " +
                               FormatTimeMs(since) + " (" + Minutes(now_ms - since) +
                               "); last error: " + s.last_error;
    problems->push_back(detail);
    FindingDraft f{
        .kind = std::string(kSinkFailingKind),
        .severity = Severity::kHigh,
        .detail = detail,
        .dedup_key = std::string(kSinkFailingKind) + ":" + s.name + ":" + std::to_string(since)};
    if (store_ != nullptr) CTW_RETURN_IF_ERROR(store_->AddFinding(f, std::nullopt, std::nullopt));
  }
  return OkStatus();
}

Result<bool> HealthMonitor::MaybeSendSummary(int64_t now_ms) {
  const int minute = config_.health.daily_summary_minute;
  if (minute < 0) return false;
  const int64_t day_start = now_ms - now_ms % kDayMs;
  if (now_ms < day_start + int64_t{minute} * 60'000) return false;
  const std::string today = FormatTimeMs(day_start).substr(0, 10);
  CTW_ASSIGN_OR_RETURN(std::optional<std::string> last, alerts_->GetState("summary_day"));
  if (last.has_value() && *last == today) return false;
  CTW_ASSIGN_OR_RETURN(std::string text, SummaryText(now_ms));
  std::vector<NewMessage> messages;
  for (const SinkConfig& sink : config_.sinks) {
    if (!sink.summary) continue;
    messages.push_back({.sink = sink.name,
                        .kind = MessageKind::kSummary,
                        .payload = text,
                        .give_up_at_ms = now_ms + config_.delivery.give_up_after_ms});
  }
  CTW_RETURN_IF_ERROR(
      alerts_->CreateMessages(messages, now_ms, std::make_pair(std::string("summary_day"), today)));
  if (dispatcher_ != nullptr) dispatcher_->Wake();
  spdlog::info("alerts: daily health summary queued for {} sink(s)", messages.size());
  return true;
}

Result<std::string> HealthMonitor::SummaryText(int64_t now_ms) {
  std::string out = "ctwatch health summary, " + FormatTimeMs(now_ms - now_ms % 60'000) + "\n\n";
  const std::vector<std::string> current = problems();
  if (current.empty()) {
    out += "Status: healthy\n";
  } else {
    out += "Status: " + std::to_string(current.size()) + " problem(s)\n";
    for (const std::string& p : current) out += "  - " + p + "\n";
  }
  if (store_ != nullptr) {
    CTW_ASSIGN_OR_RETURN(std::vector<LogStatus> logs, store_->ListLogs());
    size_t active = 0;
    for (const LogStatus& l : logs) active += l.active ? 1 : 0;
    out += "\nLogs: " + std::to_string(active) + " monitored\n";
    for (const LogStatus& l : logs) {
      if (!l.active) continue;
      const uint64_t head = l.head_size.value_or(0);
      const uint64_t backlog = head > l.progress.position ? head - l.progress.position : 0;
      out += "  " + l.log.description + ": verified " + std::to_string(l.progress.verified_size) +
             " of " + std::to_string(head) + " (backlog " + std::to_string(backlog) +
             "), last success " + (l.last_success_ms ? FormatTimeMs(*l.last_success_ms) : "never");
      if (!l.last_error.empty()) out += ", error: " + l.last_error.substr(0, 200);
      out += "\n";
    }
  }
  CTW_ASSIGN_OR_RETURN(auto counts, alerts_->FindingCountsSince(now_ms - kDayMs));
  int64_t total = 0;
  for (const auto& [k, n] : counts) total += n;
  out += "\nFindings in the last 24 hours: " + std::to_string(total) + "\n";
  for (const auto& [k, n] : counts) out += "  " + std::to_string(n) + " " + k + "\n";
  CTW_ASSIGN_OR_RETURN(auto stats, alerts_->QueueStats());
  CTW_ASSIGN_OR_RETURN(int64_t outbox, alerts_->OutboxSize());
  out += "\nAlert delivery (outbox " + std::to_string(outbox) + "):\n";
  for (const auto& [sink, s] : stats) {
    out += "  " + sink + ": " + std::to_string(s.queued) + " queued, " + std::to_string(s.pending) +
           " pending, " + std::to_string(s.delivered) + " delivered, " + std::to_string(s.failed) +
           " failed, " + std::to_string(s.suppressed) + " suppressed\n";
  }
  return out;
}

}  // namespace ctwatch
