// SinkWorker; see sink_worker.h. Thread-safety: the loop state is owned by the worker thread;
// mu_ guards the flags and the published SinkState.
#include "alerts/sink_worker.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <set>

#include "core/clock.h"
#include "core/log.h"

namespace ctwatch {
namespace {

constexpr int64_t kNever = INT64_MAX;
constexpr int64_t kSafetyPollMs = 5'000;  // look again even when nobody woke us
// Due messages read, and recorded as delivered, at once: few write transactions during a
// storm, at the price of re-sending up to a batch (same keys) after a crash.
constexpr size_t kSendBatch = 256;
constexpr size_t kUnlimitedComposeBatch = 1000;

// Times kept in alert_state (written by us; anything else reads as absent).
std::optional<int64_t> ParseMs(const std::string& text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::string FailingSinceKey(const std::string& sink) { return "sink_failing_since:" + sink; }
std::string DigestKey(const std::string& sink) { return "digest_last:" + sink; }

}  // namespace

SinkWorker::SinkWorker(AlertStore* store, const DeliveryConfig& delivery, SinkConfig config,
                       std::unique_ptr<Sink> sink)
    : store_(store),
      delivery_(delivery),
      config_(std::move(config)),
      sink_(std::move(sink)),
      tokens_(static_cast<double>(config_.rate_limit)) {
  state_.name = config_.name;
  if (auto since = store_->GetState(FailingSinceKey(config_.name)); since.has_value() && *since) {
    state_.failing_since_ms = ParseMs(since->value());
  }
}

SinkWorker::~SinkWorker() { Stop(); }

void SinkWorker::Start() {
  thread_ = std::thread([this] {
    LowerThreadPriority();
    Loop();
  });
}

void SinkWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SinkWorker::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

SinkState SinkWorker::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

void SinkWorker::Loop() {
  for (;;) {
    const int64_t now = SystemClock::Get()->NowMs();
    const int64_t next = Pass(now);
    const int64_t wait_ms =
        std::clamp<int64_t>(next - SystemClock::Get()->NowMs(), 0, kSafetyPollMs);
    std::unique_lock lock(mu_);
    if (stopping_) return;
    cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

int64_t SinkWorker::Pass(int64_t now_ms) {
  const int64_t compose_at = Compose(now_ms);
  const int64_t send_at = SendDue(now_ms);
  return std::min(compose_at, send_at);
}

double SinkWorker::Tokens(int64_t now_ms) {
  if (config_.rate_limit <= 0) return 1e18;
  const double capacity = static_cast<double>(config_.rate_limit);
  if (tokens_at_ms_ != 0 && now_ms > tokens_at_ms_) {
    tokens_ += capacity * static_cast<double>(now_ms - tokens_at_ms_) /
               static_cast<double>(config_.rate_period_ms);
  }
  tokens_ = std::min(tokens_, capacity);
  tokens_at_ms_ = now_ms;
  return tokens_;
}

bool SinkWorker::TakeToken(int64_t now_ms) {
  if (Tokens(now_ms) < 1.0) return false;
  if (config_.rate_limit > 0) tokens_ -= 1.0;
  return true;
}

int64_t SinkWorker::Compose(int64_t now_ms) {
  const int64_t token_ms = config_.rate_limit > 0
                               ? std::max<int64_t>(1, config_.rate_period_ms / config_.rate_limit)
                               : 0;
  const size_t digest_max = static_cast<size_t>(std::max<int64_t>(1, config_.digest_max));
  const int64_t give_up_at = now_ms + delivery_.give_up_after_ms;
  std::vector<NewMessage> messages;
  std::optional<std::pair<std::string, std::string>> state;
  auto pack = [&](const std::vector<QueuedDelivery>& q, size_t from, size_t to) {
    NewMessage m{.sink = config_.name,
                 .kind = to - from == 1 ? MessageKind::kFinding : MessageKind::kDigest,
                 .give_up_at_ms = give_up_at};
    for (size_t i = from; i < to; ++i) m.delivery_ids.push_back(q[i].delivery_id);
    messages.push_back(std::move(m));
  };
  int64_t next = kNever;

  if (config_.digest_interval_ms > 0) {
    if (!last_digest_ms_.has_value()) {
      Result<std::optional<std::string>> last = store_->GetState(DigestKey(config_.name));
      if (!last.has_value()) return now_ms + delivery_.poll_interval_ms;
      last_digest_ms_ = last->has_value() ? ParseMs(**last).value_or(0) : 0;
    }
    if (now_ms < *last_digest_ms_ + config_.digest_interval_ms) {
      // Not yet; but only worth waking for when something is queued (fan-out wakes us).
      return *last_digest_ms_ + config_.digest_interval_ms;
    }
    Result<std::vector<QueuedDelivery>> queued =
        store_->QueuedDeliveries(config_.name, digest_max * 20);
    if (!queued.has_value()) {
      spdlog::warn("alerts: sink {}: {}", config_.name, queued.error().ToString());
      return now_ms + delivery_.poll_interval_ms;
    }
    if (queued->empty()) return kNever;
    if (!TakeToken(now_ms)) return now_ms + token_ms;
    for (size_t from = 0; from < queued->size(); from += digest_max) {
      pack(*queued, from, std::min(queued->size(), from + digest_max));
    }
    state = std::make_pair(DigestKey(config_.name), std::to_string(now_ms));
    next = now_ms + config_.digest_interval_ms;
  } else {
    const double tokens = Tokens(now_ms);
    const bool unlimited = config_.rate_limit <= 0;
    if (!unlimited && tokens < 1.0) {
      // Nothing can go out before the next token; whatever is queued waits for it.
      Result<std::vector<QueuedDelivery>> any = store_->QueuedDeliveries(config_.name, 1);
      return any.has_value() && !any->empty() ? now_ms + token_ms : kNever;
    }
    const size_t available = unlimited ? kUnlimitedComposeBatch : static_cast<size_t>(tokens);
    Result<std::vector<QueuedDelivery>> queued = store_->QueuedDeliveries(
        config_.name, unlimited ? kUnlimitedComposeBatch : available - 1 + digest_max);
    if (!queued.has_value()) {
      spdlog::warn("alerts: sink {}: {}", config_.name, queued.error().ToString());
      return now_ms + delivery_.poll_interval_ms;
    }
    if (queued->empty()) return kNever;
    const size_t n = queued->size();
    if (unlimited || n <= available) {
      for (size_t i = 0; i < n; ++i) pack(*queued, i, i + 1);
      if (unlimited && n == kUnlimitedComposeBatch) next = now_ms;  // more are waiting
    } else {
      // More than the limit allows: the last message this period carries the rest.
      for (size_t i = 0; i + 1 < available; ++i) pack(*queued, i, i + 1);
      pack(*queued, available - 1, n);
      next = now_ms + token_ms;
    }
    if (!unlimited) tokens_ -= static_cast<double>(messages.size());
  }
  Result<std::vector<int64_t>> created = store_->CreateMessages(messages, now_ms, state);
  if (!created.has_value()) {
    spdlog::warn("alerts: sink {}: composing messages: {}", config_.name,
                 created.error().ToString());
    return now_ms + delivery_.poll_interval_ms;
  }
  if (state.has_value()) last_digest_ms_ = now_ms;
  return next;
}

int64_t SinkWorker::SendDue(int64_t now_ms) {
  if (now_ms < blocked_until_ms_) return blocked_until_ms_;
  // Delivered messages are recorded per batch (one write transaction): after a crash the
  // unrecorded ones are sent again, under the same keys.
  std::vector<int64_t> delivered;
  auto record = [&]() -> bool {
    Status marked = store_->MarkDelivered(delivered, SystemClock::Get()->NowMs());
    delivered.clear();
    if (!marked.has_value())
      spdlog::warn("alerts: sink {}: {}", config_.name, marked.error().ToString());
    return marked.has_value();
  };
  for (;;) {
    Result<std::vector<OutgoingMessage>> due =
        store_->DueMessages(config_.name, SystemClock::Get()->NowMs(), kSendBatch);
    if (!due.has_value()) {
      spdlog::warn("alerts: sink {}: {}", config_.name, due.error().ToString());
      return now_ms + delivery_.poll_interval_ms;
    }
    if (due->empty()) break;
    for (const OutgoingMessage& m : *due) {
      bool stopping = false;
      {
        std::lock_guard lock(mu_);
        stopping = stopping_;
      }
      if (stopping) {
        record();
        return kNever;
      }
      Status sent = sink_->Deliver(m);
      const int64_t now = SystemClock::Get()->NowMs();
      if (sent.has_value()) {
        delivered.push_back(m.id);
        RecordSuccess();
        continue;
      }
      if (!record()) return now + delivery_.poll_interval_ms;
      const Error& error = sent.error();
      const std::string what = SanitizeForLog(error.message, 500);
      const int64_t delay = RetryDelayMs(delivery_, m.attempts + 1, error.retry_after_ms);
      blocked_until_ms_ = now + delay;
      RecordFailure(now, what);
      if (now >= m.give_up_at_ms) {
        spdlog::error(
            "alerts: sink {}: giving up on message {} ({} finding(s)) after {} attempts: {}",
            config_.name, m.idempotency_key, m.findings.size(), m.attempts + 1, what);
        Status failed = store_->MarkFailed(m.id, what, DeliveryFailed(m, what, now), now);
        if (!failed.has_value()) spdlog::warn("alerts: {}", failed.error().ToString());
      } else {
        spdlog::warn("alerts: sink {}: attempt {} of message {} failed: {}; next in {} ms",
                     config_.name, m.attempts + 1, m.idempotency_key, what, delay);
        Status retry = store_->MarkRetry(m.id, now + delay, what);
        if (!retry.has_value()) spdlog::warn("alerts: {}", retry.error().ToString());
      }
      return blocked_until_ms_;
    }
    // Record before reading the next batch: the unrecorded ones would be due again.
    if (!record()) return now_ms + delivery_.poll_interval_ms;
  }
  Result<std::optional<int64_t>> next = store_->NextAttemptAt(config_.name);
  if (!next.has_value()) return now_ms + delivery_.poll_interval_ms;
  return next->value_or(kNever);
}

void SinkWorker::RecordFailure(int64_t now_ms, const std::string& error) {
  bool first = false;
  {
    std::lock_guard lock(mu_);
    state_.last_error = error;
    if (!state_.failing_since_ms.has_value()) {
      state_.failing_since_ms = now_ms;
      first = true;
    }
  }
  if (first) {
    Status s = store_->SetState(FailingSinceKey(config_.name), std::to_string(now_ms));
    if (!s.has_value()) spdlog::warn("alerts: {}", s.error().ToString());
  }
}

void SinkWorker::RecordSuccess() {
  bool was_failing = false;
  {
    std::lock_guard lock(mu_);
    ++state_.delivered;
    was_failing = state_.failing_since_ms.has_value();
    state_.failing_since_ms.reset();
    state_.last_error.clear();
  }
  if (was_failing) {
    spdlog::info("alerts: sink {} delivers again", config_.name);
    Status s = store_->SetState(FailingSinceKey(config_.name), "");
    if (!s.has_value()) spdlog::warn("alerts: {}", s.error().ToString());
  }
}

FindingDraft SinkWorker::DeliveryFailed(const OutgoingMessage& m, const std::string& error,
                                        int64_t now_ms) const {
  FindingDraft f;
  f.kind = std::string(kDeliveryFailedKind);
  f.severity = Severity::kHigh;
  std::set<std::string> names;
  std::string ids;
  for (const AlertFinding& a : m.findings) {
    for (const std::string& n : a.stored.finding.names) {
      if (names.size() < 50) names.insert(n);
    }
    if (ids.size() < 300) ids += (ids.empty() ? "#" : ", #") + std::to_string(a.stored.id);
  }
  f.names.assign(names.begin(), names.end());
  f.detail = "sink " + config_.name + " gave up on " + MessageKindName(m.kind) + " message " +
             m.idempotency_key + (ids.empty() ? "" : " (findings " + ids + ")") + " after " +
             std::to_string(m.attempts + 1) + " attempts over " +
             std::to_string((now_ms - m.created_ms) / 1000) + " s; last error: " + error;
  f.dedup_key = std::string(kDeliveryFailedKind) + ":" + config_.name + ":" + m.idempotency_key;
  return f;
}

}  // namespace ctwatch
