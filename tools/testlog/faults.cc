// FaultInjector: see faults.h. Thread-safety: one mutex guards all state.
#include "testlog/faults.h"

#include <algorithm>

namespace ctwatch::testlog {
namespace {

constexpr std::array<const char*, kFaultKindCount> kKindNames = {
    "status", "delay", "truncate", "cap_entries", "bad_signature", "split_view", "corrupt_leaf"};

Error Invalid(const std::string& message) {
  return MakeError(ErrorCode::kInvalidArgument, "fault: " + message);
}

Result<uint64_t> GetUnsigned(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = j.at(key);
  if (!v.is_number_unsigned()) return Invalid(std::string(key) + " must be a number >= 0");
  return v.get<uint64_t>();
}

}  // namespace

const char* FaultKindName(FaultKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

Result<FaultSpec> ParseFaultSpec(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Invalid("body is not a JSON object");
  if (!j.contains("type") || !j["type"].is_string()) return Invalid("missing \"type\"");
  FaultSpec spec;
  const std::string type = j["type"].get<std::string>();
  auto it = std::find(kKindNames.begin(), kKindNames.end(), type);
  if (it == kKindNames.end()) return Invalid("unknown type \"" + type + "\"");
  spec.kind = static_cast<FaultKind>(it - kKindNames.begin());
  for (const auto& [key, value] : j.items()) {
    if (key == "type") continue;
    if (key == "path_prefix") {
      if (!value.is_string()) return Invalid("path_prefix must be a string");
      spec.path_prefix = value.get<std::string>();
    } else if (key == "count") {
      CTW_ASSIGN_OR_RETURN(spec.count, GetUnsigned(j, "count"));
    } else if (key == "status") {
      CTW_ASSIGN_OR_RETURN(uint64_t status, GetUnsigned(j, "status"));
      if (status < 400 || status > 599) return Invalid("status must be 400..599");
      spec.status = static_cast<int>(status);
    } else if (key == "retry_after") {
      CTW_ASSIGN_OR_RETURN(uint64_t seconds, GetUnsigned(j, "retry_after"));
      spec.retry_after_s = static_cast<int64_t>(std::min<uint64_t>(seconds, 86400));
    } else if (key == "delay_ms") {
      CTW_ASSIGN_OR_RETURN(uint64_t ms, GetUnsigned(j, "delay_ms"));
      spec.delay_ms = static_cast<int64_t>(std::min<uint64_t>(ms, 600000));
    } else if (key == "abort") {
      if (!value.is_boolean()) return Invalid("abort must be true or false");
      spec.abort_connection = value.get<bool>();
    } else if (key == "max_entries") {
      CTW_ASSIGN_OR_RETURN(spec.max_entries, GetUnsigned(j, "max_entries"));
      if (spec.max_entries == 0) return Invalid("max_entries must be >= 1");
    } else if (key == "tree_size") {
      CTW_ASSIGN_OR_RETURN(spec.tree_size, GetUnsigned(j, "tree_size"));
    } else if (key == "index") {
      CTW_ASSIGN_OR_RETURN(spec.leaf_index, GetUnsigned(j, "index"));
    } else {
      return Invalid("unknown field \"" + key + "\"");
    }
  }
  if (spec.kind == FaultKind::kCapEntries && spec.max_entries == 0) {
    return Invalid("cap_entries needs max_entries");
  }
  if (spec.kind == FaultKind::kDelay && spec.delay_ms == 0) return Invalid("delay needs delay_ms");
  if (spec.kind == FaultKind::kCorruptLeaf && !j.contains("index")) {
    return Invalid("corrupt_leaf needs index");
  }
  return spec;
}

bool FaultInjector::Matches(const FaultSpec& spec, std::string_view path) {
  if (path.starts_with("/admin/")) return false;
  return path.starts_with(spec.path_prefix);
}

void FaultInjector::Add(const FaultSpec& spec) {
  std::lock_guard lock(mu_);
  active_.push_back(Active{spec, 0});
}

void FaultInjector::Reset() {
  std::lock_guard lock(mu_);
  active_.clear();
  fired_.fill(0);
}

void FaultInjector::RetireExhaustedLocked() {
  std::erase_if(active_,
                [](const Active& a) { return a.spec.count != 0 && a.used >= a.spec.count; });
}

std::optional<FaultSpec> FaultInjector::Take(FaultKind kind, std::string_view path) {
  std::lock_guard lock(mu_);
  for (Active& active : active_) {
    if (active.spec.kind != kind || !Matches(active.spec, path)) continue;
    ++active.used;
    ++fired_[static_cast<size_t>(kind)];
    FaultSpec spec = active.spec;
    RetireExhaustedLocked();
    return spec;
  }
  return std::nullopt;
}

std::vector<uint64_t> FaultInjector::TakeCorruptLeaves(std::string_view path, uint64_t begin,
                                                       uint64_t end) {
  std::lock_guard lock(mu_);
  std::vector<uint64_t> out;
  for (Active& active : active_) {
    if (active.spec.kind != FaultKind::kCorruptLeaf || !Matches(active.spec, path)) continue;
    if (active.spec.leaf_index < begin || active.spec.leaf_index >= end) continue;
    if (std::find(out.begin(), out.end(), active.spec.leaf_index) != out.end()) continue;
    ++active.used;
    ++fired_[static_cast<size_t>(FaultKind::kCorruptLeaf)];
    out.push_back(active.spec.leaf_index);
  }
  RetireExhaustedLocked();
  return out;
}

uint64_t FaultInjector::fired(FaultKind kind) const {
  std::lock_guard lock(mu_);
  return fired_[static_cast<size_t>(kind)];
}

nlohmann::json FaultInjector::StateJson() const {
  std::lock_guard lock(mu_);
  nlohmann::json active = nlohmann::json::array();
  for (const Active& a : active_) {
    nlohmann::json f;
    f["type"] = FaultKindName(a.spec.kind);
    f["path_prefix"] = a.spec.path_prefix;
    f["fired"] = a.used;
    if (a.spec.count == 0) {
      f["remaining"] = nullptr;
    } else {
      f["remaining"] = a.spec.count - a.used;
    }
    switch (a.spec.kind) {
      case FaultKind::kStatus:
        f["status"] = a.spec.status;
        if (a.spec.retry_after_s >= 0) f["retry_after"] = a.spec.retry_after_s;
        break;
      case FaultKind::kDelay:
        f["delay_ms"] = a.spec.delay_ms;
        break;
      case FaultKind::kTruncate:
        f["abort"] = a.spec.abort_connection;
        break;
      case FaultKind::kCapEntries:
        f["max_entries"] = a.spec.max_entries;
        break;
      case FaultKind::kSplitView:
        f["tree_size"] = a.spec.tree_size;
        break;
      case FaultKind::kCorruptLeaf:
        f["index"] = a.spec.leaf_index;
        break;
      case FaultKind::kBadSignature:
        break;
    }
    active.push_back(std::move(f));
  }
  nlohmann::json fired = nlohmann::json::object();
  for (size_t i = 0; i < kFaultKindCount; ++i) fired[kKindNames[i]] = fired_[i];
  return nlohmann::json{{"active", active}, {"fired", fired}};
}

}  // namespace ctwatch::testlog
