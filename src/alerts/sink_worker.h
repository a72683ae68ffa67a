// SinkWorker: the delivery loop of one sink (see dispatcher.h). It composes messages from the
// sink's queued deliveries and sends the due ones, one at a time, in order of due time. After
// a failure the whole sink pauses until the failed message is due again, so a dead endpoint
// gets one request per backoff step, not one per queued message.
// Thread-safety: Start/Stop from the Dispatcher; Wake and state() from any thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "alerts/alert_store.h"
#include "alerts/alerts_config.h"
#include "alerts/dispatcher.h"
#include "alerts/sink.h"

namespace ctwatch {

class SinkWorker {
 public:
  SinkWorker(AlertStore* store, const DeliveryConfig& delivery, SinkConfig config,
             std::unique_ptr<Sink> sink);
  ~SinkWorker();
  SinkWorker(const SinkWorker&) = delete;
  SinkWorker& operator=(const SinkWorker&) = delete;

  void Start();
  void Stop();
  void Wake();
  SinkState state() const;
  const SinkConfig& config() const { return config_; }

  // One compose + send pass on the calling thread; returns when the next pass is due.
  int64_t Pass(int64_t now_ms);

 private:
  void Loop();
  // Turns queued deliveries into messages as the rate limit and digest interval allow.
  // Returns when composing should be tried again (INT64_MAX: when woken).
  int64_t Compose(int64_t now_ms);
  // Sends due messages until none is due or the sink fails. Returns the next due time.
  int64_t SendDue(int64_t now_ms);
  bool TakeToken(int64_t now_ms);
  double Tokens(int64_t now_ms);
  void RecordFailure(int64_t now_ms, const std::string& error);
  void RecordSuccess();
  FindingDraft DeliveryFailed(const OutgoingMessage& message, const std::string& error,
                              int64_t now_ms) const;

  AlertStore* const store_;
  const DeliveryConfig delivery_;
  const SinkConfig config_;
  const std::unique_ptr<Sink> sink_;

  // Owned by the worker thread (or the caller of Pass when no thread runs).
  double tokens_;
  int64_t tokens_at_ms_ = 0;
  int64_t blocked_until_ms_ = 0;
  std::optional<int64_t> last_digest_ms_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  bool woken_ = false;     // GUARDED_BY(mu_)
  SinkState state_;        // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace ctwatch
