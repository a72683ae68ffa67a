// Stopper: a stop flag that sleeping threads can wait on, so that Stop() interrupts backoff
// sleeps and poll intervals at once.
// Thread-safety: every method is safe from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace ctwatch {

class Stopper {
 public:
  void Stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  bool stopped() const {
    std::lock_guard lock(mu_);
    return stopped_;
  }
  // Sleeps up to `ms`; returns false when woken by Stop().
  bool SleepFor(int64_t ms) {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, std::chrono::milliseconds(ms < 0 ? 0 : ms), [this] { return stopped_; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;  // GUARDED_BY(mu_)
};

}  // namespace ctwatch
