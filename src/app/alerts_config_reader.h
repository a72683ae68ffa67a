// Reads the [alerts] section of the config file (sinks, delivery, health, heartbeat) into
// AlertsConfig (src/alerts/alerts_config.h); the keys are documented in docs/alerts.md. Secrets
// may come from the file itself, a file (secret_file, password_file) or the environment
// (secret_env, password_env, url_env); they are resolved here and never logged.
// Thread-safety: used while loading, on one thread.
#pragma once

#include <string>

#include "alerts/alerts_config.h"
#include "app/toml_reader.h"
#include "core/result.h"

namespace ctwatch {

// Reads `alerts` from the root table when present (marking it as read); relative paths resolve
// against `dir`; exec sinks keep their files beside `database` unless told otherwise.
Status ReadAlertsConfig(TableReader& root, const std::string& file, const std::string& dir,
                        const std::string& database, AlertsConfig* out);

// "30/1m", "100/h", "5/10s" or a bare count (per minute) to (count, period ms).
std::optional<std::pair<int64_t, int64_t>> ParseRateLimit(std::string_view text);

}  // namespace ctwatch
