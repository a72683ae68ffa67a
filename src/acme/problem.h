// ACME problem documents (RFC 8555 §6.7, RFC 7807): "application/problem+json" with a type
// "urn:ietf:params:acme:error:<name>", a detail, and optional subproblems per identifier.
// Parsing is bounded (detail and subproblem counts are capped) and never fails on extra members.
// Thread-safety: value types and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ctwatch {

constexpr std::string_view kAcmeErrorPrefix = "urn:ietf:params:acme:error:";

struct AcmeSubproblem {
  std::string type;
  std::string detail;
  std::string identifier_type;  // "dns" / "ip", empty when absent
  std::string identifier_value;
};

struct AcmeProblem {
  std::string type;  // full URN, or "about:blank"
  std::string detail;
  int status = 0;  // the "status" member, 0 when absent
  std::vector<AcmeSubproblem> subproblems;

  // True when type is urn:ietf:params:acme:error:<name>.
  bool Is(std::string_view name) const;
  // "<name>: <detail>" (the URN prefix dropped), printable ASCII only, bounded.
  std::string ToString() const;
};

// Parses a problem document; nullopt when `body` is not a JSON object with a string "type".
std::optional<AcmeProblem> ParseProblem(std::string_view body);

// The ErrorCode that best describes a problem: rateLimited → kRateLimited, accountDoesNotExist →
// kNotFound, badCSR/malformed/rejectedIdentifier/... → kHttpStatus (the server refused).
ErrorCode ErrorCodeForProblem(const AcmeProblem& problem, long http_status);

}  // namespace ctwatch
