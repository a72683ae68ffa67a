// Monitor: runs one Tailer thread per monitored log, and keeps the set of logs in step with
// the log list (refreshed periodically: new logs start, removed logs stop and are marked
// inactive). With `once`, every tailer reads its log up to the current head and Run() returns
// when all are done.
// Thread-safety: Run() on one thread; Stop() from any thread (e.g. a signal watcher).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "monitor/tailer.h"

namespace ctwatch {

struct MonitoredLog {
  LogInfo info;
  TailerOptions options;
};

struct MonitorOptions {
  int64_t refresh_interval_ms = 6 * 3'600'000;
  bool once = false;  // read every log up to its head, then return (see Run)
  const IssuanceJudge* issuance = nullptr;  // issuance verdicts (null: none); outlives the Monitor
};

class Monitor {
 public:
  using LogLoader = std::function<Result<std::vector<MonitoredLog>>()>;
  using SourceFactoryMaker = std::function<LogSourceFactory(const MonitoredLog&)>;

  Monitor(MonitorOptions options, LogLoader loader, SourceFactoryMaker sources, Store* store,
          const MatcherHandle* matcher);
  ~Monitor();

  // Blocks until Stop(). In once mode returns when every log is done: OK when all were read
  // and verified (or there was none), otherwise an error naming each failed log.
  Status Run();
  void Stop() { stopper_.Stop(); }

 private:
  struct Running {
    std::unique_ptr<Tailer> tailer;
    std::thread thread;
    Status result;
  };
  void StartLog(const MonitoredLog& log);
  void StopLog(const std::string& key);
  Status RunOnce(const std::vector<MonitoredLog>& logs);

  MonitorOptions options_;
  LogLoader loader_;
  SourceFactoryMaker sources_;
  Store* store_;
  const MatcherHandle* matcher_;
  Stopper stopper_;
  std::map<std::string, std::unique_ptr<Running>> running_;  // by hex log id; Run() thread only
};

}  // namespace ctwatch
