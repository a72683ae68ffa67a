// Rfc6962Client: the read side of the RFC 6962 §4 API (get-sth §4.3, get-sth-consistency
// §4.4, get-proof-by-hash §4.5, get-entries §4.6) over an HttpClient. Responses are capped
// at ClientLimits::max_response_bytes and parsed strictly; statuses go through
// CheckHttpStatus (429/503 -> kRateLimited with Retry-After).
// Thread-safety: one instance per thread (see log_client.h).
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"
#include "core/encoding.h"
#include "ctlog/log_client.h"

namespace ctwatch {
namespace {

constexpr size_t kMaxProofNodes = 128;  // two per tree level is already more than enough

Error ParseError(const std::string& what, const std::string& message) {
  return MakeError(ErrorCode::kParse, what + ": " + message);
}

// The query-string form of standard base64 ('+', '/' and '=' percent-encoded).
std::string QueryEscapeBase64(std::string_view b64) {
  std::string out;
  for (char c : b64) {
    if (c == '+') {
      out += "%2B";
    } else if (c == '/') {
      out += "%2F";
    } else if (c == '=') {
      out += "%3D";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// A JSON array of base64 32-byte hashes (audit paths and consistency proofs).
Result<std::vector<Bytes>> ParseHashArray(const nlohmann::json& array, const std::string& what) {
  if (!array.is_array()) return ParseError(what, "not an array");
  if (array.size() > kMaxProofNodes) return ParseError(what, "too many nodes");
  std::vector<Bytes> out;
  out.reserve(array.size());
  for (const auto& node : array) {
    if (!node.is_string()) return ParseError(what, "node is not a string");
    auto hash = Base64Decode(node.get_ref<const std::string&>());
    if (!hash || hash->size() != 32) return ParseError(what, "node is not a base64 SHA-256 hash");
    out.push_back(std::move(*hash));
  }
  return out;
}

Result<nlohmann::json> ParseObject(const std::string& body, const std::string& what) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return ParseError(what, "not a JSON object");
  return json;
}

std::string EnsureSlash(std::string url) {
  if (url.empty() || url.back() != '/') url.push_back('/');
  return url;
}

}  // namespace

Rfc6962Client::Rfc6962Client(HttpClient* http, std::string base_url, ClientLimits limits)
    : http_(http), base_url_(EnsureSlash(std::move(base_url))), limits_(limits) {}

Result<std::string> Rfc6962Client::Get(const std::string& path_and_query, bool accept_gzip) {
  HttpRequest request;
  request.accept_gzip = accept_gzip;
  request.url = base_url_ + "ct/v1/" + path_and_query;
  request.timeout_ms = limits_.timeout_ms;
  request.max_body_bytes = limits_.max_response_bytes;
  request.headers.emplace_back("Accept", "application/json");
  CTW_ASSIGN_OR_RETURN(HttpResponse response, http_->Send(request));
  CTW_RETURN_IF_ERROR(CheckHttpStatus(response, request.url, SystemClock::Get()->NowMs()));
  // HttpClient implementations other than curl may not enforce the cap.
  if (response.body.size() > limits_.max_response_bytes) {
    return MakeError(ErrorCode::kResourceExhausted, request.url + ": response over the size cap");
  }
  return std::move(response.body);
}

Result<SignedTreeHead> Rfc6962Client::GetSth() {
  CTW_ASSIGN_OR_RETURN(std::string body, Get("get-sth"));
  return ParseGetSth(body);
}

Result<std::vector<RawEntry>> Rfc6962Client::GetEntries(uint64_t start, uint64_t end) {
  if (start > end) return MakeError(ErrorCode::kInvalidArgument, "get-entries: start > end");
  // Uncompressed: inflating megabytes of base64 costs the monitor more CPU than anything else it
  // does per entry, and the logs limit requests, not bytes.
  CTW_ASSIGN_OR_RETURN(std::string body, Get("get-entries?start=" + std::to_string(start) +
                                                 "&end=" + std::to_string(end),
                                             /*accept_gzip=*/false));
  CTW_ASSIGN_OR_RETURN(std::vector<RawEntry> entries, ParseGetEntries(body));
  const std::string range = "[" + std::to_string(start) + ", " + std::to_string(end) + "]";
  if (entries.empty()) return ParseError("get-entries " + range, "no entries");
  if (entries.size() - 1 > end - start) {
    return ParseError("get-entries " + range,
                      std::to_string(entries.size()) + " entries, more than asked");
  }
  return entries;
}

Result<std::vector<Bytes>> Rfc6962Client::GetConsistency(uint64_t first, uint64_t second) {
  CTW_ASSIGN_OR_RETURN(std::string body, Get("get-sth-consistency?first=" + std::to_string(first) +
                                             "&second=" + std::to_string(second)));
  CTW_ASSIGN_OR_RETURN(nlohmann::json json, ParseObject(body, "get-sth-consistency"));
  auto it = json.find("consistency");
  if (it == json.end()) return ParseError("get-sth-consistency", "no consistency member");
  return ParseHashArray(*it, "get-sth-consistency");
}

Result<Rfc6962Client::InclusionProof> Rfc6962Client::GetProofByHash(const Sha256Hash& leaf_hash,
                                                                    uint64_t tree_size) {
  CTW_ASSIGN_OR_RETURN(std::string body,
                       Get("get-proof-by-hash?hash=" + QueryEscapeBase64(Base64Encode(leaf_hash)) +
                           "&tree_size=" + std::to_string(tree_size)));
  CTW_ASSIGN_OR_RETURN(nlohmann::json json, ParseObject(body, "get-proof-by-hash"));
  auto index = json.find("leaf_index");
  auto path = json.find("audit_path");
  if (index == json.end() || !index->is_number_unsigned()) {
    return ParseError("get-proof-by-hash", "missing or bad leaf_index");
  }
  if (path == json.end()) return ParseError("get-proof-by-hash", "no audit_path member");
  InclusionProof proof;
  proof.leaf_index = index->get<uint64_t>();
  if (proof.leaf_index >= tree_size) {
    return ParseError("get-proof-by-hash", "leaf_index beyond the tree");
  }
  CTW_ASSIGN_OR_RETURN(proof.audit_path, ParseHashArray(*path, "get-proof-by-hash"));
  return proof;
}

}  // namespace ctwatch
