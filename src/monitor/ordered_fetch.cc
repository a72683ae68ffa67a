#include "monitor/ordered_fetch.h"

#include <deque>

namespace ctwatch {

Status FetchInOrder(FetchPool* pool, const FetchPlan& plan,
                    const std::function<Status(std::vector<LogEntry>&)>& consume) {
  std::deque<std::future<Result<std::vector<LogEntry>>>> in_flight;
  uint64_t next = plan.start;       // first entry not yet asked for
  uint64_t expected = plan.start;   // first entry not yet consumed
  Status failure = OkStatus();
  while (expected < plan.end && failure.has_value()) {
    while (static_cast<int>(in_flight.size()) < plan.parallel && next < plan.end) {
      uint64_t range_end =
          std::min<uint64_t>(next + static_cast<uint64_t>(plan.batch_size), plan.end);
      if (plan.api == LogApi::kStatic) {
        range_end = std::min<uint64_t>(next - next % kTileWidth + kTileWidth, plan.end);
      }
      in_flight.push_back(
          pool->Submit({.start = next, .end = range_end, .allow_partial = plan.allow_partial}));
      next = range_end;
    }
    Result<std::vector<LogEntry>> got = in_flight.front().get();
    in_flight.pop_front();
    if (!got.has_value()) {
      failure = got.error();
      break;
    }
    if (got->empty() || got->front().index != expected) {
      failure = MakeError(ErrorCode::kInternal, "entries out of order");
      break;
    }
    expected = got->back().index + 1;
    failure = consume(*got);
  }
  for (auto& f : in_flight) f.wait();  // the workers finish before we leave
  return failure;
}

}  // namespace ctwatch
