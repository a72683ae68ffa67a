// FetchInOrder: reads entries [start, end) of one log through a FetchPool, with up to
// `parallel` ranges in flight (one data tile per range for a static log, `batch_size` entries
// for RFC 6962), and hands them to `consume` strictly in index order. Stops at the first
// fetch or consume error, after letting the ranges in flight finish.
// Thread-safety: called from the pool owner's thread.
#pragma once

#include <functional>
#include <vector>

#include "ctlog/log_list.h"
#include "monitor/fetch_pool.h"

namespace ctwatch {

struct FetchPlan {
  LogApi api = LogApi::kRfc6962;
  uint64_t start = 0;
  uint64_t end = 0;
  int batch_size = 256;
  int parallel = 2;
  bool allow_partial = false;
};

Status FetchInOrder(FetchPool* pool, const FetchPlan& plan,
                    const std::function<Status(std::vector<LogEntry>&)>& consume);

}  // namespace ctwatch
