#include "core/backoff.h"

#include <gtest/gtest.h>

#include "core/clock.h"

namespace ctwatch {
namespace {

TEST(BackoffTest, GrowsExponentiallyWithinCap) {
  Backoff b(100, 1000);
  for (int i = 0; i < 10; ++i) {
    const int64_t cap = std::min<int64_t>(1000, int64_t{100} << i);
    const int64_t d = b.NextDelayMs();
    EXPECT_GE(d, cap / 2) << i;
    EXPECT_LE(d, cap) << i;
  }
  b.Reset();
  EXPECT_LE(b.NextDelayMs(), 100);
}

TEST(RateLimiterTest, SpacesRequests) {
  RateLimiter limiter(50.0);  // one every 20 ms after the first
  const int64_t start = MonotonicMs();
  for (int i = 0; i < 6; ++i) limiter.Acquire();
  EXPECT_GE(MonotonicMs() - start, 90);
}

TEST(RateLimiterTest, PauseBlocksUntilDeadline) {
  RateLimiter limiter(0);  // unlimited
  const int64_t start = MonotonicMs();
  limiter.PauseUntil(start + 150);
  limiter.Acquire();
  EXPECT_GE(MonotonicMs() - start, 150);
}

}  // namespace
}  // namespace ctwatch
