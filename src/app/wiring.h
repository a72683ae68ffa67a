// Wiring from the Config to the running parts: the matcher, the log loader (log list +
// selection + per-log options) and the LogSource factories.
// Thread-safety: the returned callables are safe to call from the Monitor thread.
#pragma once

#include <memory>

#include "app/config.h"
#include "monitor/monitor.h"

namespace ctwatch {

Result<std::shared_ptr<const Matcher>> BuildMatcher(const Config& config);

// Re-reads the config file and swaps in a new matcher; keeps the old one (and logs why) when
// the new config is invalid. Returns a one-line summary of the policy now in effect.
Result<std::string> ReloadMatcher(const std::string& config_path, MatcherHandle* handle);

Monitor::LogLoader MakeLogLoader(const Config& config, bool once);
Monitor::SourceFactoryMaker MakeSourceFactoryMaker(const Config& config);

// The logs of `list` the config asks to monitor: qualified, usable and readonly, minus
// exclusions and disabled overrides, restricted to `include` when that is set.
std::vector<MonitoredLog> SelectLogs(const LogList& list, const LogsConfig& config, bool once);

}  // namespace ctwatch
