#include "app/wiring.h"

#include <algorithm>

#include "core/encoding.h"
#include "core/log.h"
#include "monitor/log_list_loader.h"
#include "policy/policy_matcher.h"

namespace ctwatch {

Result<std::shared_ptr<const Matcher>> BuildMatcher(const Config& config) {
  CTW_ASSIGN_OR_RETURN(std::shared_ptr<const PolicyMatcher> policy,
                       PolicyMatcher::Create(config.policy));
  for (const std::string& w : policy->warnings()) spdlog::warn("policy: {}", w);
  if (policy->owned().empty() && policy->brand_count() == 0) {
    spdlog::warn("no [policy] domains or brands configured: nothing will match");
  }
  spdlog::info("policy: {} owned domains, {} exact names, {} brands, {} internal-name rules",
               policy->owned().domains().size(), policy->owned().names().size(),
               policy->brand_count(), policy->rule_count());
  return std::shared_ptr<const Matcher>(std::move(policy));
}

Result<std::string> ReloadMatcher(const std::string& config_path, MatcherHandle* handle) {
  Result<Config> config = LoadConfig(config_path);
  if (!config.has_value()) {
    spdlog::error("reload: keeping the current policy: {}", config.error().message);
    return config.error();
  }
  Result<std::shared_ptr<const Matcher>> matcher = BuildMatcher(*config);
  if (!matcher.has_value()) {
    spdlog::error("reload: keeping the current policy: {}", matcher.error().message);
    return matcher.error();
  }
  handle->Set(std::move(matcher).value());
  spdlog::info("reload: new policy in effect from the next batch of every log");
  const PolicyConfig& p = config->policy;
  return std::to_string(p.domains.size()) + " owned domains, " + std::to_string(p.names.size()) +
         " exact names, " + std::to_string(p.allowed_issuers.size()) + " allowed issuers, " +
         std::to_string(p.authorizations.size()) + " key authorizations";
}

std::vector<MonitoredLog> SelectLogs(const LogList& list, const LogsConfig& config, bool once) {
  std::vector<MonitoredLog> out;
  for (const LogInfo& log : MonitorableLogs(list)) {
    const std::string id = Base64Encode(log.log_id);
    auto named = [&](const std::vector<std::string>& names) {
      return std::find(names.begin(), names.end(), log.description) != names.end() ||
             std::find(names.begin(), names.end(), id) != names.end();
    };
    if (!config.include.empty() && !named(config.include)) continue;
    if (named(config.exclude)) continue;
    bool disabled = false;
    TailerOptions options;
    options.tailing = TailingFor(config, log.description, id, &disabled);
    options.once = once;
    if (disabled) continue;
    out.push_back({log, options});
  }
  return out;
}

Monitor::LogLoader MakeLogLoader(const Config& config, bool once) {
  LogsConfig logs = config.logs;
  auto last_summary = std::make_shared<std::string>();
  return [logs, once, last_summary]() -> Result<std::vector<MonitoredLog>> {
    CurlHttpClient http({.ca_file = logs.ca_file});
    CTW_ASSIGN_OR_RETURN(LoadedLogList loaded,
                         LoadLogList({.list = logs.list, .signature = logs.list_signature,
                                      .key = logs.list_key, .fallback = logs.fallback_list},
                                     &http));
    std::vector<MonitoredLog> selected = SelectLogs(loaded.list, logs, once);
    // Said once per list version; the periodic re-reads of an unchanged list are quiet.
    const std::string summary = loaded.source + " (" + loaded.list.version +
                                (loaded.signature_verified ? ", signature verified" : ", unsigned") +
                                "): " + std::to_string(loaded.list.logs.size()) + " logs, " +
                                std::to_string(selected.size()) + " monitored";
    spdlog::log(summary == *last_summary ? spdlog::level::debug : spdlog::level::info,
                "log list {}", summary);
    *last_summary = summary;
    return selected;
  };
}

Monitor::SourceFactoryMaker MakeSourceFactoryMaker(const Config& config) {
  const CurlOptions curl{.ca_file = config.logs.ca_file};
  return [curl](const MonitoredLog& log) -> LogSourceFactory {
    const ClientLimits limits{.timeout_ms = log.options.tailing.request_timeout_ms,
                              .max_response_bytes = log.options.tailing.max_response_bytes};
    auto issuers = std::make_shared<IssuerCache>();
    const LogInfo info = log.info;
    return [curl, limits, issuers, info]() {
      return MakeLogSource(info, std::make_unique<CurlHttpClient>(curl), issuers, limits);
    };
  };
}

}  // namespace ctwatch
