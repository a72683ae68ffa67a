// ManualClock: a Clock the test moves by hand (Advance, Set); SleepMs advances it instead of
// sleeping. For the scheduler and the rate-limit ledger, whose rules span hours and days.
// Thread-safety: NowMs/SleepMs/Advance may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/clock.h"

namespace ctwatch::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms = SystemClock::Get()->NowMs()) : now_(now_ms) {}
  int64_t NowMs() const override { return now_.load(); }
  void SleepMs(int64_t ms) override { now_.fetch_add(ms); }
  void Advance(int64_t ms) { now_.fetch_add(ms); }
  void Set(int64_t ms) { now_.store(ms); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace ctwatch::testing
