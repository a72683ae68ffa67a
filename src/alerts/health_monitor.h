// HealthMonitor: watches the service itself and turns trouble into findings (which reach the
// sinks like any other): a log unreachable longer than log_unreachable_after (log_unreachable),
// a backlog above backlog_entries that has not shrunk for backlog_after (log_backlog), a sink
// failing longer than sink_failing_after (sink_failing, sent to the other sinks). Log
// verification failures are findings of the tailer already (log_inconsistent, log_split_view,
// log_bad_signature). While everything is healthy a heartbeat URL is fetched or a command run
// every interval, so that an external monitor notices when ctwatch dies or stalls; once a day
// a health summary goes to the sinks that want it.
// Thread-safety: Start/Stop from one thread; Check, Beat, MaybeSendSummary and healthy() from
// any (one check at a time).
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alert_store.h"
#include "alerts/alerts_config.h"
#include "alerts/dispatcher.h"
#include "store/store.h"

namespace ctwatch {

class HealthMonitor {
 public:
  // `store` may be null (no log checks).
  HealthMonitor(Store* store, AlertStore* alerts, Dispatcher* dispatcher, AlertsConfig config);
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  void Start();
  void Stop();

  // One round of checks at `now_ms`; records findings for the problems found.
  Status Check(int64_t now_ms);
  // The problems of the last check (empty = healthy).
  std::vector<std::string> problems() const;
  bool healthy() const;
  // One heartbeat: fetches the URL (2xx expected) and/or runs the command.
  Status Beat();
  // Queues the daily summary for the sinks with summary = true when it is due and not yet
  // sent today (UTC). Returns true when it was queued.
  Result<bool> MaybeSendSummary(int64_t now_ms);
  Result<std::string> SummaryText(int64_t now_ms);

 private:
  struct Backlog {
    int64_t since_ms = 0;
    uint64_t at_start = 0;
  };
  void CheckLoop();
  void HeartbeatLoop();
  bool Sleep(int64_t ms);  // false when stopping
  Status CheckLogs(int64_t now_ms, std::vector<std::string>* problems);
  Status CheckSinks(int64_t now_ms, std::vector<std::string>* problems);

  Store* const store_;
  AlertStore* const alerts_;
  Dispatcher* const dispatcher_;
  const AlertsConfig config_;

  std::mutex check_mu_;                         // one Check at a time
  std::map<std::string, Backlog> backlogs_;     // GUARDED_BY(check_mu_); by log description
  std::map<std::string, int64_t> error_since_;  // GUARDED_BY(check_mu_); logs never reached

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;              // GUARDED_BY(mu_)
  bool checked_ = false;               // GUARDED_BY(mu_)
  std::vector<std::string> problems_;  // GUARDED_BY(mu_)
  std::thread check_thread_;
  std::thread heartbeat_thread_;
};

}  // namespace ctwatch
