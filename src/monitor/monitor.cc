#include "monitor/monitor.h"

#include <set>

#include "core/encoding.h"
#include "core/log.h"

namespace ctwatch {

Monitor::Monitor(MonitorOptions options, LogLoader loader, SourceFactoryMaker sources,
                 Store* store, const MatcherHandle* matcher)
    : options_(options),
      loader_(std::move(loader)),
      sources_(std::move(sources)),
      store_(store),
      matcher_(matcher) {}

Monitor::~Monitor() {
  stopper_.Stop();
  while (!running_.empty()) StopLog(running_.begin()->first);
}

void Monitor::StartLog(const MonitoredLog& log) {
  auto r = std::make_unique<Running>();
  r->tailer = std::make_unique<Tailer>(log.info, log.options, store_, matcher_, sources_(log),
                                       options_.issuance);
  Running* raw = r.get();
  r->thread = std::thread([raw] { raw->result = raw->tailer->Run(); });
  spdlog::info("{}: tailing {} ({})", log.info.description, log.info.url, LogApiName(log.info.api));
  running_[HexEncode(log.info.log_id)] = std::move(r);
}

void Monitor::StopLog(const std::string& key) {
  auto it = running_.find(key);
  if (it == running_.end()) return;
  it->second->tailer->Stop();
  it->second->thread.join();
  running_.erase(it);
}

Status Monitor::RunOnce(const std::vector<MonitoredLog>& logs) {
  for (const MonitoredLog& log : logs) StartLog(log);
  std::string failures;
  for (auto& [key, r] : running_) {
    r->thread.join();
    if (!r->result.has_value()) {
      failures += "\n  " + r->tailer->log().description + ": " + r->result.error().ToString();
    }
  }
  running_.clear();
  if (!failures.empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, "some logs were not read and verified:" + failures);
  }
  return OkStatus();
}

Status Monitor::Run() {
  CTW_ASSIGN_OR_RETURN(std::vector<MonitoredLog> logs, loader_());
  if (logs.empty()) spdlog::warn("no log to monitor");
  if (options_.once) return RunOnce(logs);

  for (const MonitoredLog& log : logs) StartLog(log);
  while (stopper_.SleepFor(options_.refresh_interval_ms)) {
    Result<std::vector<MonitoredLog>> fresh = loader_();
    if (!fresh.has_value()) {
      spdlog::warn("log list refresh failed, keeping the current logs: {}", fresh.error().ToString());
      continue;
    }
    std::set<std::string> wanted;
    for (const MonitoredLog& log : *fresh) {
      const std::string key = HexEncode(log.info.log_id);
      wanted.insert(key);
      if (running_.count(key) == 0) StartLog(log);
    }
    std::vector<std::string> gone;
    for (const auto& [key, r] : running_) {
      if (wanted.count(key) == 0) gone.push_back(key);
    }
    for (const std::string& key : gone) {
      const Sha256Hash id = running_[key]->tailer->log().log_id;
      spdlog::info("{}: no longer in the log list; stopping", running_[key]->tailer->log().description);
      StopLog(key);
      (void)store_->SetLogActive(id, false);
    }
  }
  while (!running_.empty()) StopLog(running_.begin()->first);
  return OkStatus();
}

}  // namespace ctwatch
