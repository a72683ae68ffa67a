// FetchPool: the worker threads that fetch ranges of one log in parallel (several ranges in
// flight), each with its own LogSource and HTTP connection, sharing the log's RateLimiter.
// A fetch covers its whole range: short responses are continued from start + got, transient
// errors retried with backoff (Retry-After honoured through the rate limiter), up to a bound.
// Thread-safety: Submit and the futures it returns are used from the owning Tailer thread;
// the workers synchronise through the task queue.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/backoff.h"
#include "ctlog/log_client.h"
#include "monitor/stopper.h"

namespace ctwatch {

using LogSourceFactory = std::function<std::unique_ptr<LogSource>()>;

struct FetchRange {
  uint64_t start = 0;
  uint64_t end = 0;          // exclusive
  bool allow_partial = false;
};

class FetchPool {
 public:
  FetchPool(int workers, LogSourceFactory factory, RateLimiter* limiter, Stopper* stopper,
            int max_attempts = 8);
  ~FetchPool();
  FetchPool(const FetchPool&) = delete;
  FetchPool& operator=(const FetchPool&) = delete;

  std::future<Result<std::vector<LogEntry>>> Submit(FetchRange range);

  int retries() const { return retries_.load(); }

 private:
  struct Task {
    FetchRange range;
    std::promise<Result<std::vector<LogEntry>>> promise;
  };
  void Work();
  Result<std::vector<LogEntry>> Fetch(LogSource* source, const FetchRange& range);

  LogSourceFactory factory_;
  RateLimiter* limiter_;
  Stopper* stopper_;
  int max_attempts_;
  std::atomic<int> retries_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;                                // GUARDED_BY(mu_)
  std::vector<std::unique_ptr<LogSource>> idle_sources_;  // GUARDED_BY(mu_)
  bool shutting_down_ = false;                            // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace ctwatch
