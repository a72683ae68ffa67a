// libFuzzer target for ctlog/log_list (Chrome CT log list v3). Properties checked on every list
// that parses: each log's id is SHA-256 of a parseable SubjectPublicKeyInfo; URLs are http(s)
// and end in '/'; tiled logs have a submission URL and a checkpoint origin without scheme or
// trailing slash; readonly logs, and only they, carry a final tree head; temporal intervals are
// non-empty; log ids are unique; MonitorableLogs keeps exactly the qualified, usable and readonly
// logs, in order.
// Seeds: fuzz/corpus/loglist/, copies of tests/data/loglist (provenance in its NOTICE.md).
// Thread-safety: libFuzzer calls it from one thread.
#include <cstdint>
#include <set>
#include <string_view>

#include "core/openssl_util.h"
#include "core/sha256.h"
#include "ctlog/log_list.h"

namespace {

using namespace ctwatch;  // NOLINT(google-build-using-namespace): a fuzz driver

void Check(bool property) {
  if (!property) __builtin_trap();
}

bool IsHttpUrl(std::string_view url) {
  return (url.starts_with("https://") || url.starts_with("http://")) && url.ends_with("/");
}

bool Monitorable(LogState s) {
  return s == LogState::kQualified || s == LogState::kUsable || s == LogState::kReadOnly;
}

void CheckLog(const LogInfo& log) {
  Check(Sha256(log.key) == log.log_id);
  Check(ParsePublicKeyDer(log.key).has_value());
  Check(!log.description.empty() && !log.operator_name.empty());
  Check(IsHttpUrl(log.url));
  Check(log.mmd_seconds > 0);
  Check(log.final_tree_head.has_value() == (log.state == LogState::kReadOnly));
  Check(log.temporal_start_ms.has_value() == log.temporal_end_ms.has_value());
  if (log.temporal_start_ms) Check(*log.temporal_start_ms < *log.temporal_end_ms);
  if (log.api == LogApi::kStatic) {
    Check(IsHttpUrl(log.submission_url));
    const std::string origin = log.CheckpointOrigin();
    Check(!origin.empty() && !origin.ends_with("/"));
    Check(origin.find("://") == std::string::npos);
  } else {
    Check(log.submission_url.empty() && log.CheckpointOrigin().empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Result<LogList> list =
      ParseLogList(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!list.has_value()) return 0;
  Check(list->logs.size() <= 10'000);
  std::set<Sha256Hash> ids;
  size_t monitorable = 0;
  for (const LogInfo& log : list->logs) {
    CheckLog(log);
    Check(ids.insert(log.log_id).second);
    monitorable += Monitorable(log.state) ? 1 : 0;
  }
  const std::vector<LogInfo> monitored = MonitorableLogs(*list);
  Check(monitored.size() == monitorable);
  size_t next = 0;
  for (const LogInfo& log : monitored) {
    Check(Monitorable(log.state));
    while (next < list->logs.size() && list->logs[next].log_id != log.log_id) ++next;
    Check(next < list->logs.size());  // same relative order as in the list
    ++next;
  }
  return 0;
}
