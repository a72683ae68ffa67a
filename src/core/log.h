// Logging: spdlog, configured once by the binary. Modules log with spdlog::info(...) etc.
// Never log key material or whole untrusted payloads; quote untrusted strings with
// SanitizeForLog.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace ctwatch {

// level: trace, debug, info, warn, error. Logs go to standard error.
void InitLogging(std::string_view level);

// Printable ASCII only (others as \xNN), cut to `max_len` bytes.
std::string SanitizeForLog(std::string_view text, size_t max_len = 200);

}  // namespace ctwatch
