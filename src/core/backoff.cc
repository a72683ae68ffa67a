#include "core/backoff.h"

#include <algorithm>
#include <thread>

#include "core/clock.h"

namespace ctwatch {

int64_t Backoff::NextDelayMs() {
  const int shift = std::min(failures_, 30);
  ++failures_;
  const int64_t cap = std::min(max_ms_, base_ms_ << shift);
  std::uniform_int_distribution<int64_t> dist(cap / 2, std::max<int64_t>(cap, 1));
  return dist(rng_);
}

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second),
      burst_(std::max(1.0, burst)),
      tokens_(std::max(1.0, burst)),
      last_ms_(MonotonicMs()),
      paused_until_ms_(0) {}

void RateLimiter::PauseUntil(int64_t until_ms) {
  std::lock_guard lock(mu_);
  paused_until_ms_ = std::max(paused_until_ms_, until_ms);
}

int64_t RateLimiter::TryAcquire() {
  std::lock_guard lock(mu_);
  const int64_t now = MonotonicMs();
  if (now < paused_until_ms_) return paused_until_ms_ - now;
  if (per_second_ <= 0) return 0;
  tokens_ = std::min(burst_, tokens_ + static_cast<double>(now - last_ms_) * per_second_ / 1000.0);
  last_ms_ = now;
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return 0;
  }
  return static_cast<int64_t>((1.0 - tokens_) * 1000.0 / per_second_) + 1;
}

void RateLimiter::Acquire() {
  for (int64_t wait_ms; (wait_ms = TryAcquire()) > 0;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  }
}

}  // namespace ctwatch
