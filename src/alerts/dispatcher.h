// Dispatcher: moves findings from the outbox to the sinks. One fan-out thread turns outbox rows
// into per-sink deliveries (filters, suppression rules, muted certificates; one transaction per
// batch). One worker thread per sink groups its queued deliveries into messages (rate limit,
// digest interval; one transaction) and sends the due ones: delivered, or retried with capped
// exponential backoff and jitter (Retry-After honoured), or after give_up_after failed with a
// delivery_failed finding. A slow or dead sink delays only itself. Every step is committed
// before the next starts, so a restart resumes where a killed process stopped; a message may
// then be sent twice, always under the same idempotency key.
// Thread-safety: Start/Stop from one thread; Wake, SinkStates and the accessors from any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alert_store.h"
#include "alerts/alerts_config.h"
#include "alerts/sink.h"

namespace ctwatch {

struct SinkState {
  std::string name;
  std::optional<int64_t> failing_since_ms;  // first failed attempt since the last success
  std::string last_error;
  int64_t delivered = 0;  // messages delivered since start
};

class SinkWorker;

class Dispatcher {
 public:
  // `sinks` and `impls` are parallel: impls[i] delivers for sinks[i].
  Dispatcher(AlertStore* store, DeliveryConfig delivery, std::vector<SinkConfig> sinks,
             std::vector<std::unique_ptr<Sink>> impls);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Start();
  void Stop();
  // Looks at the outbox (and every sink at its queue) now instead of at the next poll.
  void Wake();

  std::vector<SinkState> SinkStates() const;
  // Seconds-resolution liveness: when the fan-out loop last completed a pass.
  int64_t last_pass_ms() const { return last_pass_ms_.load(); }

  // One fan-out pass (all of the outbox) on the calling thread; for tests and tools.
  Result<size_t> FanOutAll(int64_t now_ms);

 private:
  void FanOutLoop();
  std::vector<FanOutTarget> Decide(const OutboxItem& item,
                                   const std::vector<SuppressionRule>& rules, int64_t now_ms) const;

  AlertStore* const store_;
  const DeliveryConfig delivery_;
  const std::vector<SinkConfig> sinks_;
  std::vector<std::unique_ptr<SinkWorker>> workers_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  bool woken_ = false;     // GUARDED_BY(mu_)
  std::atomic<int64_t> last_pass_ms_{0};
  std::thread thread_;
};

// Lowers the calling thread's CPU priority (nice +10): alert delivery is background work and
// must not take CPU from ingestion during a storm. Linux only; a no-op elsewhere.
void LowerThreadPriority();

// The retry delay after `attempts` failed attempts: uniform in [cap/2, cap] with
// cap = min(max, base * 2^(attempts-1)); at least the peer's Retry-After (up to an hour).
int64_t RetryDelayMs(const DeliveryConfig& delivery, int attempts, int64_t retry_after_ms);

}  // namespace ctwatch
