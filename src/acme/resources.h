// ACME resources as the server sends them (RFC 8555 §7.1): directory, account, order,
// authorization, challenge. JSON is parsed into these wire structs with every field validated
// (status values from a whitelist, URLs http(s) and bounded, tokens base64url, list sizes
// capped) before the engine acts on it; unknown members are ignored (§7.1).
// Identifiers (§7.1.4, RFC 8738) are kept canonical: DNS names lower-case A-labels, IP
// addresses in their textual normal form, sorted and deduplicated.
// Thread-safety: value types and pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acme/problem.h"
#include "core/result.h"

namespace ctwatch {

struct AcmeIdentifier {
  std::string type;   // "dns" or "ip"
  std::string value;  // "example.com", "*.example.com", "192.0.2.1", "2001:db8::1"

  bool operator==(const AcmeIdentifier&) const = default;
  auto operator<=>(const AcmeIdentifier&) const = default;
};

// Canonical identifiers for configured names: IP literals become "ip", everything else "dns"
// (IDNA to A-labels, lower case, no trailing dot, "*." only as the whole first label).
// The result is sorted and deduplicated; invalid names fail with kInvalidArgument.
Result<std::vector<AcmeIdentifier>> IdentifiersForNames(const std::vector<std::string>& names);
// Canonical JSON text of an identifier list (the order-state key in SQLite).
std::string IdentifiersToJson(const std::vector<AcmeIdentifier>& identifiers);
Result<std::vector<AcmeIdentifier>> IdentifiersFromJson(std::string_view text);
// "example.com,*.example.com,192.0.2.1" for messages.
std::string IdentifiersToText(const std::vector<AcmeIdentifier>& identifiers);

struct AcmeDirectory {
  std::string new_nonce, new_account, new_order, revoke_cert, key_change;
  std::string new_authz;     // optional (pre-authorization)
  std::string renewal_info;  // optional (ARI, RFC 9773)
  std::string terms_of_service;
  std::string website;
  bool external_account_required = false;
  std::map<std::string, std::string> profiles;  // meta.profiles: name → description
  std::vector<std::string> caa_identities;
};

struct AcmeAccount {
  std::string status;  // valid | deactivated | revoked
  std::vector<std::string> contact;
  std::string orders;  // URL of the orders list, empty when the server has none
};

struct AcmeChallenge {
  std::string type;  // http-01 | dns-01 | tls-alpn-01 | other types are kept but unused
  std::string url;
  std::string status;  // pending | processing | valid | invalid
  std::string token;   // base64url, empty for unknown types
  std::optional<AcmeProblem> error;
};

struct AcmeAuthorization {
  AcmeIdentifier identifier;  // without "*." (wildcard says it)
  std::string status;         // pending | valid | invalid | deactivated | expired | revoked
  bool wildcard = false;
  std::string expires;
  std::vector<AcmeChallenge> challenges;
};

struct AcmeOrder {
  std::string status;  // pending | ready | processing | valid | invalid
  std::string expires;
  std::vector<AcmeIdentifier> identifiers;
  std::vector<std::string> authorizations;
  std::string finalize;
  std::string certificate;  // set once valid
  std::string profile;
  std::string replaces;
  std::optional<AcmeProblem> error;
};

struct AcmeOrderList {
  std::vector<std::string> orders;
};

Result<AcmeDirectory> ParseDirectory(std::string_view body);
Result<AcmeAccount> ParseAccount(std::string_view body);
Result<AcmeOrder> ParseOrder(std::string_view body);
Result<AcmeAuthorization> ParseAuthorization(std::string_view body);
Result<AcmeChallenge> ParseChallenge(std::string_view body);
Result<AcmeOrderList> ParseOrderList(std::string_view body);

// http:// or https:// with a host, at most 2048 bytes, no whitespace or control characters.
bool IsAcceptableUrl(std::string_view url);
// 1..256 base64url characters (RFC 8555 §8.1 tokens; safe as a file name).
bool IsAcceptableToken(std::string_view token);

}  // namespace ctwatch
