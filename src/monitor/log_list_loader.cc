#include "monitor/log_list_loader.h"

#include "core/clock.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/log.h"

namespace ctwatch {
namespace {

constexpr size_t kMaxListBytes = 8u << 20;

bool IsUrl(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

Result<std::string> ReadFileOrUrl(const std::string& where, HttpClient* http) {
  if (!IsUrl(where)) return ReadFile(where, kMaxListBytes);
  CTW_ASSIGN_OR_RETURN(HttpResponse r, http->Send({.url = where, .max_body_bytes = kMaxListBytes}));
  CTW_RETURN_IF_ERROR(CheckHttpStatus(r, where, SystemClock::Get()->NowMs()));
  return std::move(r.body);
}

Result<LoadedLogList> LoadOne(const std::string& list_path, const std::string& sig_path,
                              const std::string& key_path, HttpClient* http) {
  LoadedLogList out;
  out.source = list_path;
  CTW_ASSIGN_OR_RETURN(std::string json, ReadFileOrUrl(list_path, http));
  if (!sig_path.empty()) {
    CTW_ASSIGN_OR_RETURN(std::string sig, ReadFileOrUrl(sig_path, http));
    CTW_ASSIGN_OR_RETURN(std::string key, ReadFile(key_path, 64 * 1024));
    Status verified = VerifyLogListSignature(AsBytes(json), AsBytes(sig), key);
    if (!verified.has_value()) {
      return verified.error().WithContext("log list " + list_path + " signature " + sig_path);
    }
    out.signature_verified = true;
  }
  Result<LogList> list = ParseLogList(json);
  if (!list.has_value()) return list.error().WithContext("log list " + list_path);
  out.list = std::move(list).value();
  return out;
}

}  // namespace

Result<LoadedLogList> LoadLogList(const LogListLocation& where, HttpClient* http) {
  Error primary_error;
  if (!where.list.empty()) {
    Result<LoadedLogList> primary = LoadOne(where.list, where.signature, where.key, http);
    if (primary.has_value() || where.fallback.empty()) return primary;
    primary_error = primary.error();
  }
  // The snapshot's signature sits beside it when it was shipped with one.
  const std::string sig = where.fallback + ".sig";
  const bool has_sig = FileExists(sig) && !where.key.empty();
  Result<LoadedLogList> fallback =
      LoadOne(where.fallback, has_sig ? sig : std::string(), where.key, http);
  if (!fallback.has_value()) return fallback.error();
  fallback->fallback = true;
  if (!where.list.empty()) {
    spdlog::warn("cannot use the log list ({}); using the bundled snapshot {} of {}",
                 primary_error.ToString(), where.fallback, FormatTimeMs(fallback->list.timestamp_ms));
  }
  return fallback;
}

}  // namespace ctwatch
