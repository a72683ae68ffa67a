// Chrome CT log list, version 3 schema (https://www.gstatic.com/ct/log_list/v3/): parsing
// (wire JSON first, then domain types), the RSA signature in log_list.sig, and the choice of
// logs to monitor (qualified, usable and readonly, from both `logs` and `tiled_logs`).
// Thread-safety: pure functions; LogList is a value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

enum class LogApi { kRfc6962, kStatic };
const char* LogApiName(LogApi api);  // "rfc6962" / "static"

enum class LogState { kPending, kQualified, kUsable, kReadOnly, kRetired, kRejected };
const char* LogStateName(LogState state);

struct FinalTreeHead {
  uint64_t tree_size = 0;
  Sha256Hash root{};
};

struct LogInfo {
  std::string description;
  std::string operator_name;
  Sha256Hash log_id{};        // checked to equal SHA-256(key)
  Bytes key;                  // SubjectPublicKeyInfo DER
  LogApi api = LogApi::kRfc6962;
  // RFC 6962: the base URL; static: the monitoring URL. Both end in '/'.
  std::string url;
  std::string submission_url; // static only
  int64_t mmd_seconds = 86400;
  LogState state = LogState::kUsable;
  int64_t state_timestamp_ms = 0;
  std::optional<FinalTreeHead> final_tree_head;  // readonly logs
  std::optional<int64_t> temporal_start_ms, temporal_end_ms;

  // The origin line of a static log's checkpoint: the submission URL without scheme and
  // trailing slash (C2SP static-ct-api). Empty for an RFC 6962 log.
  std::string CheckpointOrigin() const;
};

struct LogList {
  std::string version;
  int64_t timestamp_ms = 0;
  std::vector<LogInfo> logs;  // every log of every operator, RFC 6962 and tiled
};

// Limits: 8 MiB of JSON, 10,000 logs. Errors name the operator/log that is wrong.
Result<LogList> ParseLogList(std::string_view json);

// log_list.sig: RSA PKCS#1 v1.5 with SHA-256 over the exact bytes of log_list.json.
Status VerifyLogListSignature(ByteView list_json, ByteView signature, std::string_view key_pem);

// Logs to monitor: qualified, usable and readonly.
std::vector<LogInfo> MonitorableLogs(const LogList& list);

}  // namespace ctwatch
