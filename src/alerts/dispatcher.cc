// Dispatcher; see dispatcher.h. Thread-safety: the fan-out loop runs on thread_; mu_ guards
// the wake-up flags; the sink workers have their own threads.
#include "alerts/dispatcher.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "alerts/sink_worker.h"
#include "core/clock.h"
#include "core/log.h"

namespace ctwatch {
namespace {

// Outbox rows per fan-out transaction: few, short write transactions during a storm.
constexpr size_t kFanOutBatch = 2000;

}  // namespace

void LowerThreadPriority() {
#ifdef __linux__
  // On Linux, nice values are per thread: PRIO_PROCESS with the thread id.
  const pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 10) != 0) {
    spdlog::debug("alerts: setpriority: {}", std::strerror(errno));
  }
#endif
}

int64_t RetryDelayMs(const DeliveryConfig& delivery, int attempts, int64_t retry_after_ms) {
  int64_t cap = std::max<int64_t>(1, delivery.retry_base_ms);
  for (int i = 1; i < attempts && cap < delivery.retry_max_ms; ++i) cap *= 2;
  cap = std::min(cap, std::max<int64_t>(1, delivery.retry_max_ms));
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::uniform_int_distribution<int64_t> jitter(cap / 2, cap);
  int64_t delay = jitter(rng);
  if (retry_after_ms > 0) delay = std::max(delay, std::min<int64_t>(retry_after_ms, 3'600'000));
  return delay;
}

Dispatcher::Dispatcher(AlertStore* store, DeliveryConfig delivery, std::vector<SinkConfig> sinks,
                       std::vector<std::unique_ptr<Sink>> impls)
    : store_(store), delivery_(delivery), sinks_(std::move(sinks)) {
  for (size_t i = 0; i < sinks_.size() && i < impls.size(); ++i) {
    workers_.push_back(
        std::make_unique<SinkWorker>(store_, delivery_, sinks_[i], std::move(impls[i])));
  }
}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  for (auto& w : workers_) w->Start();
  thread_ = std::thread([this] {
    LowerThreadPriority();
    FanOutLoop();
  });
}

void Dispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& w : workers_) w->Stop();
}

void Dispatcher::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) w->Wake();
}

std::vector<SinkState> Dispatcher::SinkStates() const {
  std::vector<SinkState> out;
  for (const auto& w : workers_) out.push_back(w->state());
  return out;
}

Result<size_t> Dispatcher::FanOutAll(int64_t now_ms) {
  size_t total = 0;
  auto decide = [this, now_ms](const OutboxItem& item, const std::vector<SuppressionRule>& rules) {
    return Decide(item, rules, now_ms);
  };
  for (;;) {
    CTW_ASSIGN_OR_RETURN(size_t n, store_->FanOut(kFanOutBatch, now_ms, decide));
    total += n;
    if (n < kFanOutBatch) return total;
  }
}

void Dispatcher::FanOutLoop() {
  for (;;) {
    Result<size_t> n = FanOutAll(SystemClock::Get()->NowMs());
    if (!n.has_value()) {
      spdlog::warn("alerts: fan-out: {}", n.error().ToString());
    } else if (*n > 0) {
      for (auto& w : workers_) w->Wake();
    }
    last_pass_ms_ = SystemClock::Get()->NowMs();
    std::unique_lock lock(mu_);
    if (stopping_) return;
    cv_.wait_for(lock, std::chrono::milliseconds(delivery_.poll_interval_ms),
                 [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

std::vector<FanOutTarget> Dispatcher::Decide(const OutboxItem& item,
                                             const std::vector<SuppressionRule>& rules,
                                             int64_t now_ms) const {
  const StoredFinding& f = item.finding.stored;
  std::string suppressed;
  bool mute = false;
  if (!item.muted_reason.empty()) {
    suppressed = "certificate muted (" + item.muted_reason + ")";
  } else if (f.state != "open") {
    suppressed = "finding " + f.state + " before it was sent";
  } else if (const SuppressionRule* rule = FindSuppression(rules, item.finding, now_ms)) {
    suppressed = "suppression rule #" + std::to_string(rule->id) + " (" +
                 SuppressionMatchName(rule->match) + " " + rule->value + "): " + rule->reason;
    mute = true;
  }
  const std::string concerned = SinkConcerned(f.finding);
  std::vector<FanOutTarget> out;
  for (const SinkConfig& sink : sinks_) {
    if (sink.name == concerned) continue;  // never report a sink's failure to itself
    if (!FilterMatches(sink.filter, f.finding)) continue;
    out.push_back({.sink = sink.name,
                   .suppressed = !suppressed.empty(),
                   .note = suppressed,
                   .mute_certificate = mute});
  }
  return out;
}

}  // namespace ctwatch
