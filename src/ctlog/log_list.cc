// Chrome CT log list v3 (https://www.gstatic.com/ct/log_list/v3/log_list_schema.json): the JSON
// is read into wire structs (types checked, nothing decoded), then converted into LogInfo
// (base64, times, URLs and keys checked). One malformed log fails the whole list, with an error
// naming the operator and the log: the list is signed and authoritative, and silently dropping a
// log would mean silently not monitoring it (the caller keeps its previous list).
// Thread-safety: pure functions.
#include "ctlog/log_list.h"

#include <nlohmann/json.hpp>
#include <set>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/openssl_util.h"
#include "core/sha256.h"

namespace ctwatch {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxListBytes = 8u << 20;
constexpr size_t kMaxLogs = 10'000;
constexpr size_t kMaxKeyBytes = 4096;
constexpr size_t kMaxSignatureBytes = 4096;

// ---- Wire types: the JSON as it is, with types checked -------------------------------------

struct WireState {
  std::string name;  // pending, qualified, usable, readonly, retired or rejected
  std::string timestamp;
  bool has_final_tree_head = false;
  std::string final_root;
  uint64_t final_size = 0;
};

struct WireLog {
  bool tiled = false;
  std::string description, log_id, key, url, submission_url, monitoring_url;
  uint64_t mmd = 0;
  std::optional<WireState> state;
  std::optional<std::pair<std::string, std::string>> temporal_interval;
};

struct WireOperator {
  std::string name;
  std::vector<WireLog> logs;
};

struct WireList {
  std::string version, log_list_timestamp;
  std::vector<WireOperator> operators;
};

// Where an error is: "operator 'X', log 'Y'".
struct Where {
  std::string text;
  Error Err(const std::string& what) const {
    return MakeError(ErrorCode::kParse, "log list: " + text + (text.empty() ? "" : ": ") + what);
  }
};

Status GetString(const Json& obj, const char* name, const Where& where, std::string* out,
                 bool required = true) {
  auto it = obj.find(name);
  if (it == obj.end()) return required ? where.Err(std::string("no ") + name) : OkStatus();
  if (!it->is_string()) return where.Err(std::string(name) + " is not a string");
  *out = it->get_ref<const std::string&>();
  return OkStatus();
}

Status GetUint(const Json& obj, const char* name, const Where& where, uint64_t* out) {
  auto it = obj.find(name);
  if (it == obj.end()) return where.Err(std::string("no ") + name);
  if (!it->is_number_unsigned()) {
    return where.Err(std::string(name) + " is not a non-negative integer");
  }
  *out = it->get<uint64_t>();
  return OkStatus();
}

Result<const Json*> GetObject(const Json& obj, const char* name, const Where& where) {
  auto it = obj.find(name);
  if (it == obj.end()) return where.Err(std::string("no ") + name);
  if (!it->is_object()) return where.Err(std::string(name) + " is not an object");
  return &*it;
}

// state: { "<name>": { "timestamp": ..., ["final_tree_head": {...}] } }, exactly one member.
Result<WireState> ReadState(const Json& state, const Where& where) {
  if (!state.is_object()) return where.Err("state is not an object");
  if (state.size() != 1) {
    return where.Err("state has " + std::to_string(state.size()) + " members, needs exactly 1");
  }
  WireState out;
  out.name = state.begin().key();
  const Json& body = state.begin().value();
  if (!body.is_object()) return where.Err("state " + out.name + " is not an object");
  CTW_RETURN_IF_ERROR(GetString(body, "timestamp", where, &out.timestamp));
  if (body.contains("final_tree_head")) {
    CTW_ASSIGN_OR_RETURN(const Json* fth, GetObject(body, "final_tree_head", where));
    out.has_final_tree_head = true;
    CTW_RETURN_IF_ERROR(GetString(*fth, "sha256_root_hash", where, &out.final_root));
    CTW_RETURN_IF_ERROR(GetUint(*fth, "tree_size", where, &out.final_size));
  }
  return out;
}

Result<WireLog> ReadLog(const Json& log, bool tiled, const Where& op_where, size_t index) {
  if (!log.is_object()) return op_where.Err("log #" + std::to_string(index) + " is not an object");
  WireLog out;
  out.tiled = tiled;
  // The description names the log in every later error, so read it first.
  CTW_RETURN_IF_ERROR(GetString(log, "description", op_where, &out.description, false));
  const Where where{op_where.text + ", log '" +
                    (out.description.empty() ? "#" + std::to_string(index) : out.description) +
                    "'"};
  if (out.description.empty()) return where.Err("no description");
  CTW_RETURN_IF_ERROR(GetString(log, "log_id", where, &out.log_id));
  CTW_RETURN_IF_ERROR(GetString(log, "key", where, &out.key));
  if (tiled) {
    CTW_RETURN_IF_ERROR(GetString(log, "submission_url", where, &out.submission_url));
    CTW_RETURN_IF_ERROR(GetString(log, "monitoring_url", where, &out.monitoring_url));
  } else {
    CTW_RETURN_IF_ERROR(GetString(log, "url", where, &out.url));
  }
  CTW_RETURN_IF_ERROR(GetUint(log, "mmd", where, &out.mmd));
  auto state = log.find("state");
  if (state == log.end()) return where.Err("no state");
  CTW_ASSIGN_OR_RETURN(out.state, ReadState(*state, where));
  if (log.contains("temporal_interval")) {
    CTW_ASSIGN_OR_RETURN(const Json* ti, GetObject(log, "temporal_interval", where));
    std::pair<std::string, std::string> interval;
    CTW_RETURN_IF_ERROR(GetString(*ti, "start_inclusive", where, &interval.first));
    CTW_RETURN_IF_ERROR(GetString(*ti, "end_exclusive", where, &interval.second));
    out.temporal_interval = std::move(interval);
  }
  return out;
}

Result<WireList> ReadWireList(std::string_view text) {
  const Where top{""};
  Json doc;
  try {  // nlohmann reports the position only through its exception; it stays in this function
    doc = Json::parse(text);
  } catch (const Json::exception& e) {
    return top.Err(std::string("invalid JSON: ") + e.what());
  }
  if (!doc.is_object()) return top.Err("not a JSON object");
  WireList out;
  CTW_RETURN_IF_ERROR(GetString(doc, "version", top, &out.version));
  CTW_RETURN_IF_ERROR(GetString(doc, "log_list_timestamp", top, &out.log_list_timestamp));
  auto operators = doc.find("operators");
  if (operators == doc.end() || !operators->is_array()) return top.Err("no operators array");
  size_t log_count = 0;
  for (size_t i = 0; i < operators->size(); ++i) {
    const Json& op = (*operators)[i];
    const Where op_index{"operator #" + std::to_string(i)};
    if (!op.is_object()) return op_index.Err("not an object");
    WireOperator wire_op;
    CTW_RETURN_IF_ERROR(GetString(op, "name", op_index, &wire_op.name));
    if (wire_op.name.empty()) return op_index.Err("empty name");
    const Where op_where{"operator '" + wire_op.name + "'"};
    for (const bool tiled : {false, true}) {
      const char* member = tiled ? "tiled_logs" : "logs";
      auto logs = op.find(member);
      if (logs == op.end()) continue;
      if (!logs->is_array()) return op_where.Err(std::string(member) + " is not an array");
      log_count += logs->size();
      if (log_count > kMaxLogs) {
        return MakeError(ErrorCode::kResourceExhausted,
                         "log list: more than " + std::to_string(kMaxLogs) + " logs");
      }
      for (size_t j = 0; j < logs->size(); ++j) {
        CTW_ASSIGN_OR_RETURN(WireLog log, ReadLog((*logs)[j], tiled, op_where, j));
        wire_op.logs.push_back(std::move(log));
      }
    }
    out.operators.push_back(std::move(wire_op));
  }
  return out;
}

// ---- Conversion into domain types -----------------------------------------------------------

// An http(s) base URL without query or fragment, returned with a trailing '/'.
Result<std::string> NormaliseUrl(std::string url, const char* field, const Where& where) {
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return where.Err(std::string(field) + " '" + url + "' is not an http(s) URL");
  }
  if (rest.empty() || rest.front() == '/') return where.Err(std::string(field) + " has no host");
  for (const char c : rest) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F || c == '?' || c == '#' || c == '\\') {
      return where.Err(std::string(field) + " '" + url + "' has a disallowed character");
    }
  }
  if (url.back() != '/') url.push_back('/');
  return url;
}

Result<int64_t> ParseTime(const std::string& text, const char* field, const Where& where) {
  const std::optional<int64_t> ms = ParseTimeMs(text);
  if (!ms) return where.Err(std::string(field) + " '" + text + "' is not an RFC 3339 time");
  return *ms;
}

Result<LogState> ParseState(const std::string& name, const Where& where) {
  static constexpr LogState kStates[] = {LogState::kPending, LogState::kQualified,
                                         LogState::kUsable,  LogState::kReadOnly,
                                         LogState::kRetired, LogState::kRejected};
  for (const LogState s : kStates) {
    if (name == LogStateName(s)) return s;
  }
  return where.Err("unknown state '" + name + "'");
}

Result<Sha256Hash> DecodeHash(const std::string& b64, const char* field, const Where& where) {
  const std::optional<Bytes> bytes = Base64Decode(b64);
  if (!bytes) return where.Err(std::string(field) + " is not base64");
  Sha256Hash out;
  if (bytes->size() != out.size()) {
    return where.Err(std::string(field) + " has " + std::to_string(bytes->size()) +
                     " bytes, not 32");
  }
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Result<LogInfo> ToLogInfo(const WireLog& wire, const std::string& operator_name) {
  const Where where{"operator '" + operator_name + "', log '" + wire.description + "'"};
  LogInfo log;
  log.description = wire.description;
  log.operator_name = operator_name;
  CTW_ASSIGN_OR_RETURN(log.log_id, DecodeHash(wire.log_id, "log_id", where));
  const std::optional<Bytes> key = Base64Decode(wire.key);
  if (!key || key->empty()) return where.Err("key is not base64");
  if (key->size() > kMaxKeyBytes) return where.Err("key is too large");
  log.key = *key;
  if (Sha256(log.key) != log.log_id) return where.Err("log_id is not SHA-256 of the key");
  if (auto parsed = ParsePublicKeyDer(log.key); !parsed) {
    return where.Err("key is not a SubjectPublicKeyInfo (" + parsed.error().message + ")");
  }
  if (wire.tiled) {
    log.api = LogApi::kStatic;
    CTW_ASSIGN_OR_RETURN(log.url, NormaliseUrl(wire.monitoring_url, "monitoring_url", where));
    CTW_ASSIGN_OR_RETURN(log.submission_url,
                         NormaliseUrl(wire.submission_url, "submission_url", where));
  } else {
    log.api = LogApi::kRfc6962;
    CTW_ASSIGN_OR_RETURN(log.url, NormaliseUrl(wire.url, "url", where));
  }
  if (wire.mmd == 0 || wire.mmd > static_cast<uint64_t>(INT32_MAX)) {
    return where.Err("mmd " + std::to_string(wire.mmd) + " is out of range");
  }
  log.mmd_seconds = static_cast<int64_t>(wire.mmd);

  const WireState& state = *wire.state;
  CTW_ASSIGN_OR_RETURN(log.state, ParseState(state.name, where));
  CTW_ASSIGN_OR_RETURN(log.state_timestamp_ms,
                       ParseTime(state.timestamp, "state timestamp", where));
  if (log.state == LogState::kReadOnly) {
    if (!state.has_final_tree_head) return where.Err("readonly without final_tree_head");
    FinalTreeHead fth;
    fth.tree_size = state.final_size;
    CTW_ASSIGN_OR_RETURN(fth.root, DecodeHash(state.final_root, "final_tree_head root", where));
    log.final_tree_head = fth;
  } else if (state.has_final_tree_head) {
    return where.Err("final_tree_head in a state other than readonly");
  }

  if (wire.temporal_interval) {
    CTW_ASSIGN_OR_RETURN(log.temporal_start_ms,
                         ParseTime(wire.temporal_interval->first, "start_inclusive", where));
    CTW_ASSIGN_OR_RETURN(log.temporal_end_ms,
                         ParseTime(wire.temporal_interval->second, "end_exclusive", where));
    if (*log.temporal_start_ms >= *log.temporal_end_ms) {
      return where.Err("temporal_interval is empty");
    }
  }
  return log;
}

}  // namespace

const char* LogApiName(LogApi api) {
  switch (api) {
    case LogApi::kRfc6962:
      return "rfc6962";
    case LogApi::kStatic:
      return "static";
  }
  return "unknown";
}

const char* LogStateName(LogState state) {
  switch (state) {
    case LogState::kPending:
      return "pending";
    case LogState::kQualified:
      return "qualified";
    case LogState::kUsable:
      return "usable";
    case LogState::kReadOnly:
      return "readonly";
    case LogState::kRetired:
      return "retired";
    case LogState::kRejected:
      return "rejected";
  }
  return "unknown";
}

std::string LogInfo::CheckpointOrigin() const {
  if (api != LogApi::kStatic) return "";
  std::string_view origin = submission_url;
  const size_t scheme = origin.find("://");
  if (scheme != std::string_view::npos) origin.remove_prefix(scheme + 3);
  while (!origin.empty() && origin.back() == '/') origin.remove_suffix(1);
  return std::string(origin);
}

Result<LogList> ParseLogList(std::string_view json) {
  if (json.size() > kMaxListBytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     "log list: " + std::to_string(json.size()) + " bytes");
  }
  CTW_ASSIGN_OR_RETURN(const WireList wire, ReadWireList(json));
  LogList list;
  list.version = wire.version;
  CTW_ASSIGN_OR_RETURN(list.timestamp_ms,
                       ParseTime(wire.log_list_timestamp, "log_list_timestamp", Where{""}));
  std::set<Sha256Hash> seen;
  for (const WireOperator& op : wire.operators) {
    for (const WireLog& wire_log : op.logs) {
      CTW_ASSIGN_OR_RETURN(LogInfo log, ToLogInfo(wire_log, op.name));
      if (!seen.insert(log.log_id).second) {
        return Where{"operator '" + op.name + "', log '" + log.description + "'"}.Err(
            "duplicate log_id " + Base64Encode(log.log_id));
      }
      list.logs.push_back(std::move(log));
    }
  }
  return list;
}

Status VerifyLogListSignature(ByteView list_json, ByteView signature, std::string_view key_pem) {
  CTW_ASSIGN_OR_RETURN(EvpPkeyPtr key, ParsePublicKeyPem(key_pem));
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return MakeError(ErrorCode::kInvalidArgument, "log list key is not an RSA key");
  }
  if (signature.empty() || signature.size() > kMaxSignatureBytes) {
    return MakeError(ErrorCode::kVerification,
                     "log list signature of " + std::to_string(signature.size()) + " bytes");
  }
  auto status = VerifySha256Signature(key.get(), list_json, signature);
  if (!status) return status.error().WithContext("log list signature");
  return OkStatus();
}

std::vector<LogInfo> MonitorableLogs(const LogList& list) {
  std::vector<LogInfo> out;
  for (const LogInfo& log : list.logs) {
    if (log.state == LogState::kQualified || log.state == LogState::kUsable ||
        log.state == LogState::kReadOnly) {
      out.push_back(log);
    }
  }
  return out;
}

}  // namespace ctwatch
