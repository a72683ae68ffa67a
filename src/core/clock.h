// Clock: wall time and sleeping behind an interface, so that schedulers can be tested with a
// fake clock. Times are milliseconds since the Unix epoch, as CT timestamps are.
// Thread-safety: SystemClock is stateless and safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ctwatch {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() const = 0;
  virtual void SleepMs(int64_t ms) = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  void SleepMs(int64_t ms) override;
  static SystemClock* Get();
};

// Monotonic milliseconds, for intervals and deadlines.
int64_t MonotonicMs();

// "2026-11-29T09:51:34.123Z" (milliseconds only when non-zero).
std::string FormatTimeMs(int64_t unix_ms);
// RFC 3339 / ISO 8601: "2026-11-29", "2026-11-29T09:51:34Z", with optional fraction and offset.
std::optional<int64_t> ParseTimeMs(std::string_view text);

}  // namespace ctwatch
