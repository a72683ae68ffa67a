#include "acme/problem.h"

#include <nlohmann/json.hpp>

#include "core/log.h"

namespace ctwatch {
namespace {

constexpr size_t kMaxDetail = 2048;
constexpr size_t kMaxSubproblems = 128;

std::string StringMember(const nlohmann::json& j, const char* name, size_t max_len) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return "";
  std::string s = it->get<std::string>();
  if (s.size() > max_len) s.resize(max_len);
  return s;
}

}  // namespace

bool AcmeProblem::Is(std::string_view name) const {
  return type.size() == kAcmeErrorPrefix.size() + name.size() &&
         type.compare(0, kAcmeErrorPrefix.size(), kAcmeErrorPrefix) == 0 &&
         type.compare(kAcmeErrorPrefix.size(), std::string::npos, name) == 0;
}

std::string AcmeProblem::ToString() const {
  std::string name = type;
  if (name.rfind(kAcmeErrorPrefix, 0) == 0) name = name.substr(kAcmeErrorPrefix.size());
  std::string out = name + ": " + detail;
  for (const AcmeSubproblem& sub : subproblems) {
    std::string sub_name = sub.type;
    if (sub_name.rfind(kAcmeErrorPrefix, 0) == 0)
      sub_name = sub_name.substr(kAcmeErrorPrefix.size());
    out += "; " + sub.identifier_value + ": " + sub_name + ": " + sub.detail;
  }
  return SanitizeForLog(out, 1000);
}

std::optional<AcmeProblem> ParseProblem(std::string_view body) {
  if (body.size() > (1u << 20)) return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return std::nullopt;
  AcmeProblem p;
  p.type = StringMember(j, "type", 256);
  p.detail = StringMember(j, "detail", kMaxDetail);
  if (auto status = j.find("status"); status != j.end() && status->is_number_integer()) {
    const int64_t s = status->get<int64_t>();
    if (s >= 100 && s <= 599) p.status = static_cast<int>(s);
  }
  if (auto subs = j.find("subproblems"); subs != j.end() && subs->is_array()) {
    for (const auto& sub : *subs) {
      if (p.subproblems.size() >= kMaxSubproblems) break;
      if (!sub.is_object()) continue;
      AcmeSubproblem s;
      s.type = StringMember(sub, "type", 256);
      s.detail = StringMember(sub, "detail", kMaxDetail);
      if (auto id = sub.find("identifier"); id != sub.end() && id->is_object()) {
        s.identifier_type = StringMember(*id, "type", 16);
        s.identifier_value = StringMember(*id, "value", 256);
      }
      p.subproblems.push_back(std::move(s));
    }
  }
  return p;
}

ErrorCode ErrorCodeForProblem(const AcmeProblem& problem, long http_status) {
  if (problem.Is("rateLimited") || http_status == 429) return ErrorCode::kRateLimited;
  if (problem.Is("accountDoesNotExist")) return ErrorCode::kNotFound;
  if (http_status == 503) return ErrorCode::kRateLimited;
  return ErrorCode::kHttpStatus;
}

}  // namespace ctwatch
