#include "monitor/fetch_pool.h"

#include "core/clock.h"
#include "core/log.h"

namespace ctwatch {

FetchPool::FetchPool(int workers, LogSourceFactory factory, RateLimiter* limiter,
                     Stopper* stopper, int max_attempts)
    : factory_(std::move(factory)), limiter_(limiter), stopper_(stopper), max_attempts_(max_attempts) {
  for (int i = 0; i < workers; ++i) idle_sources_.push_back(factory_());
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
}

FetchPool::~FetchPool() {
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
    cv_.notify_all();
  }
  for (std::thread& t : threads_) t.join();
  for (Task& t : tasks_) t.promise.set_value(MakeError(ErrorCode::kCancelled, "shutting down"));
}

std::future<Result<std::vector<LogEntry>>> FetchPool::Submit(FetchRange range) {
  std::lock_guard lock(mu_);
  tasks_.push_back(Task{range, {}});
  auto future = tasks_.back().promise.get_future();
  cv_.notify_all();
  return future;
}

void FetchPool::Work() {
  for (;;) {
    Task task;
    std::unique_ptr<LogSource> source;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return shutting_down_ || (!tasks_.empty() && !idle_sources_.empty()); });
      if (shutting_down_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
      source = std::move(idle_sources_.back());
      idle_sources_.pop_back();
    }
    task.promise.set_value(Fetch(source.get(), task.range));
    std::lock_guard lock(mu_);
    idle_sources_.push_back(std::move(source));
    cv_.notify_all();
  }
}

Result<std::vector<LogEntry>> FetchPool::Fetch(LogSource* source, const FetchRange& range) {
  std::vector<LogEntry> out;
  uint64_t next = range.start;
  Backoff backoff(500, 60'000);
  int failures = 0;
  while (next < range.end) {
    for (int64_t wait_ms; (wait_ms = limiter_->TryAcquire()) > 0;) {
      if (!stopper_->SleepFor(wait_ms)) return MakeError(ErrorCode::kCancelled, "stopping");
    }
    Result<std::vector<LogEntry>> got = source->FetchEntries(next, range.end, range.allow_partial);
    if (got.has_value() && !got->empty() && got->front().index == next &&
        got->back().index < range.end) {
      backoff.Reset();
      failures = 0;
      next = got->back().index + 1;
      for (LogEntry& e : *got) out.push_back(std::move(e));
      continue;
    }
    Error error = got.has_value()
                      ? MakeError(ErrorCode::kParse, "log returned entries outside the asked range")
                      : got.error();
    if (++failures >= max_attempts_ || error.code == ErrorCode::kCancelled) return error;
    ++retries_;
    if (error.retry_after_ms >= 0) {
      // Every fetcher of this log waits as the log asked; the limiter makes them.
      const int64_t delay = std::min<int64_t>(error.retry_after_ms, 3'600'000);
      limiter_->PauseUntil(MonotonicMs() + delay);
      spdlog::debug("fetch [{}, {}): {}; waiting {} ms as asked", next, range.end,
                    error.ToString(), delay);
      continue;
    }
    const int64_t delay = backoff.NextDelayMs();
    spdlog::debug("fetch [{}, {}) failed ({}), retrying in {} ms", next, range.end,
                  error.ToString(), delay);
    if (!stopper_->SleepFor(delay)) return MakeError(ErrorCode::kCancelled, "stopping");
  }
  return out;
}

}  // namespace ctwatch
