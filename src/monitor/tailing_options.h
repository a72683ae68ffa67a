// How one log is tailed: where a new log starts and how hard it is polled. Filled from the
// [logs] section of the config (with per-log overrides).
// Thread-safety: value types.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ctwatch {

struct StartPosition {
  enum class Kind { kBeginning, kEnd, kIndex };
  Kind kind = Kind::kEnd;
  uint64_t index = 0;
};

struct TailingOptions {
  StartPosition start;
  int64_t poll_interval_ms = 60'000;
  int batch_size = 256;            // entries asked per get-entries request
  int parallel_fetches = 2;        // ranges in flight per log
  double requests_per_second = 10; // per log; 0 = unlimited
  int64_t partial_tile_wait_ms = 5 * 60'000;
  int64_t request_timeout_ms = 30'000;
  size_t max_response_bytes = 32u << 20;
};

}  // namespace ctwatch
