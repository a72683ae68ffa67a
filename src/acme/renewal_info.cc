#include "acme/renewal_info.h"

#include <nlohmann/json.hpp>
#include <random>

#include "core/clock.h"

namespace ctwatch {
namespace {

using nlohmann::json;

constexpr size_t kMaxBody = 64u << 10;

Result<int64_t> TimeMember(const json& window, const char* name) {
  auto it = window.find(name);
  if (it == window.end() || !it->is_string()) {
    return MakeError(ErrorCode::kParse, std::string("renewalInfo: suggestedWindow.") + name +
                                            " is missing or not a string");
  }
  std::optional<int64_t> t = ParseTimeMs(it->get_ref<const std::string&>());
  if (!t.has_value()) {
    return MakeError(ErrorCode::kParse,
                     std::string("renewalInfo: suggestedWindow.") + name + " is not RFC 3339");
  }
  return *t;
}

}  // namespace

Result<RenewalInfo> ParseRenewalInfo(std::string_view body) {
  if (body.size() > kMaxBody) {
    return MakeError(ErrorCode::kResourceExhausted, "renewalInfo larger than 64 KiB");
  }
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return MakeError(ErrorCode::kParse, "renewalInfo is not a JSON object");
  auto window = j.find("suggestedWindow");
  if (window == j.end() || !window->is_object()) {
    return MakeError(ErrorCode::kParse, "renewalInfo: no suggestedWindow object");
  }
  RenewalInfo info;
  CTW_ASSIGN_OR_RETURN(info.window_start_ms, TimeMember(*window, "start"));
  CTW_ASSIGN_OR_RETURN(info.window_end_ms, TimeMember(*window, "end"));
  if (info.window_end_ms <= info.window_start_ms) {
    return MakeError(ErrorCode::kParse, "renewalInfo: suggestedWindow ends before it starts");
  }
  if (auto url = j.find("explanationURL"); url != j.end() && !url->is_null()) {
    if (!url->is_string() || !IsAcceptableUrl(url->get_ref<const std::string&>())) {
      return MakeError(ErrorCode::kParse, "renewalInfo: explanationURL is not a URL");
    }
    info.explanation_url = url->get<std::string>();
  }
  return info;
}

int64_t PickRenewalTimeMs(const RenewalInfo& info) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<int64_t> pick(info.window_start_ms, info.window_end_ms);
  return pick(rng);
}

Result<RenewalInfo> FetchRenewalInfo(AcmeClient* client, const std::string& cert_id) {
  CTW_ASSIGN_OR_RETURN(AcmeDirectory dir, client->Directory());
  if (dir.renewal_info.empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, "the CA offers no renewalInfo (ARI)");
  }
  std::string url = dir.renewal_info;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/" + cert_id;
  CTW_ASSIGN_OR_RETURN(AcmeResponse r, client->Get(url));
  if (!r.ok()) return AcmeClient::ErrorFromResponse(r, "renewalInfo " + cert_id);
  Result<RenewalInfo> info = ParseRenewalInfo(r.body);
  if (!info.has_value()) return info.error().WithContext(url);
  info->retry_after_ms = r.retry_after_ms;
  return info;
}

}  // namespace ctwatch
