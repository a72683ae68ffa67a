// Config: the TOML configuration file (see config/ctwatch.toml and docs/configuration.md).
// Loading validates everything up front; an error names the file, line and key. Unknown keys
// are errors too, so that a typo never silently falls back to a default. Relative paths are
// resolved against the directory of the config file.
// Thread-safety: Config is a value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "acme/acme_config.h"
#include "alerts/alerts_config.h"
#include "core/result.h"
#include "monitor/tailing_options.h"
#include "policy/policy_config.h"

namespace ctwatch {

struct LogOverride {
  std::string log;  // description or base64 log id
  std::optional<StartPosition> start;
  std::optional<double> requests_per_second;
  std::optional<int> parallel_fetches;
  std::optional<int> batch_size;
  bool disabled = false;
};

struct LogsConfig {
  std::string list;            // file path or https URL of a Chrome v3 log list
  std::string list_signature;  // file path or URL of log_list.sig; empty = none
  std::string list_key;        // PEM of the log-list signing key
  std::string fallback_list;   // bundled snapshot used when `list` cannot be read
  int64_t refresh_interval_ms = 6 * 3'600'000;
  std::vector<std::string> include;  // only these logs (description or log id) when non-empty
  std::vector<std::string> exclude;
  std::string ca_file;         // extra trust anchors for HTTPS
  TailingOptions tailing;
  std::vector<LogOverride> overrides;
};

struct Config {
  std::string path;            // the file it was loaded from
  std::string database;
  std::string log_level = "info";
  LogsConfig logs;
  PolicyConfig policy;          // [policy]; see docs/policy.md
  AcmeConfig acme;             // [acme]; see docs/acme.md
  AlertsConfig alerts;         // [alerts]; see docs/alerts.md
};

Result<Config> LoadConfig(const std::string& path);

// "250ms", "90s", "5m", "6h", "1d" (or a bare number of seconds) to milliseconds.
std::optional<int64_t> ParseDurationMs(std::string_view text);

// The tailing options of one log after its override (matched by description or log id).
TailingOptions TailingFor(const LogsConfig& logs, const std::string& description,
                          const std::string& log_id_b64, bool* disabled);

}  // namespace ctwatch
