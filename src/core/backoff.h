// Retry pacing: exponential backoff with full jitter, and a token-bucket request-rate limit.
// Thread-safety: Backoff is a value type for one caller; RateLimiter is safe to share between
// the threads that fetch from one log.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>

namespace ctwatch {

class Backoff {
 public:
  Backoff(int64_t base_ms, int64_t max_ms) : base_ms_(base_ms), max_ms_(max_ms) {}
  // The next delay: uniform in [cap/2, cap] where cap = min(max, base * 2^failures).
  int64_t NextDelayMs();
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  int64_t base_ms_, max_ms_;
  int failures_ = 0;
  std::minstd_rand rng_{std::random_device{}()};
};

class RateLimiter {
 public:
  // `per_second` <= 0 means unlimited.
  explicit RateLimiter(double per_second, double burst = 1.0);
  // Blocks until a request may be sent.
  void Acquire();
  // Takes a token when one is available and returns 0; otherwise returns how many ms to wait
  // before asking again (for callers that sleep interruptibly).
  int64_t TryAcquire();
  // Nobody may send before `until_ms` (monotonic), e.g. after Retry-After.
  void PauseUntil(int64_t until_ms);

 private:
  std::mutex mu_;
  double per_second_, burst_;
  double tokens_;            // GUARDED_BY(mu_)
  int64_t last_ms_;          // GUARDED_BY(mu_)
  int64_t paused_until_ms_;  // GUARDED_BY(mu_)
};

}  // namespace ctwatch
