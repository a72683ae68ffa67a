#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdio>

namespace ctwatch {

void InitLogging(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("ctwatch");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
}

std::string SanitizeForLog(std::string_view text, size_t max_len) {
  std::string out;
  for (unsigned char c : text.substr(0, max_len)) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  if (text.size() > max_len) out += "...";
  return out;
}

}  // namespace ctwatch
