#include "acme/resources.h"

#include <arpa/inet.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "cert/dns_name.h"

namespace ctwatch {
namespace {

using nlohmann::json;

constexpr size_t kMaxBody = 1u << 20;
constexpr size_t kMaxListItems = 1000;

Result<json> ParseObject(std::string_view body, const char* what) {
  if (body.size() > kMaxBody) {
    return MakeError(ErrorCode::kResourceExhausted, std::string(what) + " larger than 1 MiB");
  }
  json j = json::parse(body, nullptr, false);
  if (!j.is_object())
    return MakeError(ErrorCode::kParse, std::string(what) + " is not a JSON object");
  return j;
}

// Optional string member; a present member of another type is an error.
Status GetString(const json& j, const char* name, size_t max_len, std::string* out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return OkStatus();
  if (!it->is_string()) return MakeError(ErrorCode::kParse, std::string(name) + " is not a string");
  const std::string& s = it->get_ref<const std::string&>();
  if (s.size() > max_len) return MakeError(ErrorCode::kParse, std::string(name) + " is too long");
  *out = s;
  return OkStatus();
}

Status GetUrl(const json& j, const char* name, bool required, std::string* out) {
  CTW_RETURN_IF_ERROR(GetString(j, name, 2048, out));
  if (out->empty()) {
    if (required) return MakeError(ErrorCode::kParse, std::string(name) + " missing");
    return OkStatus();
  }
  if (!IsAcceptableUrl(*out))
    return MakeError(ErrorCode::kParse, std::string(name) + " is not a URL");
  return OkStatus();
}

Status GetStatus(const json& j, std::initializer_list<std::string_view> allowed, std::string* out) {
  CTW_RETURN_IF_ERROR(GetString(j, "status", 32, out));
  for (std::string_view a : allowed) {
    if (*out == a) return OkStatus();
  }
  return MakeError(ErrorCode::kParse, "unexpected status \"" + *out + "\"");
}

Status GetUrlList(const json& j, const char* name, std::vector<std::string>* out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return OkStatus();
  if (!it->is_array()) return MakeError(ErrorCode::kParse, std::string(name) + " is not an array");
  if (it->size() > kMaxListItems)
    return MakeError(ErrorCode::kParse, std::string(name) + " too long");
  for (const json& u : *it) {
    if (!u.is_string() || !IsAcceptableUrl(u.get_ref<const std::string&>())) {
      return MakeError(ErrorCode::kParse, std::string(name) + " holds a non-URL");
    }
    out->push_back(u.get<std::string>());
  }
  return OkStatus();
}

std::optional<AcmeProblem> ProblemMember(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_object()) return std::nullopt;
  return ParseProblem(it->dump());
}

Result<AcmeIdentifier> ParseIdentifier(const json& j) {
  if (!j.is_object()) return MakeError(ErrorCode::kParse, "identifier is not an object");
  AcmeIdentifier id;
  CTW_RETURN_IF_ERROR(GetString(j, "type", 16, &id.type));
  CTW_RETURN_IF_ERROR(GetString(j, "value", 256, &id.value));
  if (id.type.empty() || id.value.empty())
    return MakeError(ErrorCode::kParse, "incomplete identifier");
  return id;
}

std::optional<std::string> CanonicalIp(std::string_view text) {
  const std::string s(text);
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    if (inet_ntop(AF_INET, buf, out, sizeof(out)) != nullptr) return std::string(out);
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    if (inet_ntop(AF_INET6, buf, out, sizeof(out)) != nullptr) return std::string(out);
  }
  return std::nullopt;
}

bool IsHostnameAscii(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63) return false;
      if (name[i - 1] == '-' || name[i - label] == '-') return false;
      label = 0;
      continue;
    }
    const char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    ++label;
  }
  return true;
}

}  // namespace

bool IsAcceptableUrl(std::string_view url) {
  if (url.size() > 2048) return false;
  size_t scheme = 0;
  if (url.rfind("https://", 0) == 0) {
    scheme = 8;
  } else if (url.rfind("http://", 0) == 0) {
    scheme = 7;
  } else {
    return false;
  }
  if (url.size() <= scheme || url[scheme] == '/') return false;
  return std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool IsAcceptableToken(std::string_view token) {
  if (token.empty() || token.size() > 256) return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

Result<std::vector<AcmeIdentifier>> IdentifiersForNames(const std::vector<std::string>& names) {
  std::set<AcmeIdentifier> out;
  for (const std::string& raw : names) {
    if (auto ip = CanonicalIp(raw)) {
      out.insert({"ip", *ip});
      continue;
    }
    std::string name = NormalizeDnsName(raw);
    std::string prefix;
    if (name.rfind("*.", 0) == 0) {
      prefix = "*.";
      name = name.substr(2);
    }
    std::optional<std::string> ascii = DomainToAscii(name);
    if (!ascii.has_value() || !IsHostnameAscii(*ascii) || ascii->find('.') == std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "\"" + raw + "\" is not a DNS name, wildcard (*.example.com) or IP address");
    }
    out.insert({"dns", prefix + *ascii});
  }
  if (out.empty()) return MakeError(ErrorCode::kInvalidArgument, "no names");
  if (out.size() > 100) return MakeError(ErrorCode::kInvalidArgument, "more than 100 names");
  return std::vector<AcmeIdentifier>(out.begin(), out.end());
}

std::string IdentifiersToJson(const std::vector<AcmeIdentifier>& identifiers) {
  json arr = json::array();
  for (const AcmeIdentifier& id : identifiers)
    arr.push_back({{"type", id.type}, {"value", id.value}});
  return arr.dump();
}

Result<std::vector<AcmeIdentifier>> IdentifiersFromJson(std::string_view text) {
  json arr = json::parse(text, nullptr, false);
  if (!arr.is_array()) return MakeError(ErrorCode::kParse, "identifiers are not a JSON array");
  std::vector<AcmeIdentifier> out;
  for (const json& j : arr) {
    CTW_ASSIGN_OR_RETURN(AcmeIdentifier id, ParseIdentifier(j));
    out.push_back(std::move(id));
  }
  return out;
}

std::string IdentifiersToText(const std::vector<AcmeIdentifier>& identifiers) {
  std::string out;
  for (const AcmeIdentifier& id : identifiers) out += (out.empty() ? "" : ",") + id.value;
  return out;
}

Result<AcmeDirectory> ParseDirectory(std::string_view body) {
  CTW_ASSIGN_OR_RETURN(json j, ParseObject(body, "directory"));
  AcmeDirectory d;
  CTW_RETURN_IF_ERROR(GetUrl(j, "newNonce", true, &d.new_nonce));
  CTW_RETURN_IF_ERROR(GetUrl(j, "newAccount", true, &d.new_account));
  CTW_RETURN_IF_ERROR(GetUrl(j, "newOrder", true, &d.new_order));
  CTW_RETURN_IF_ERROR(GetUrl(j, "revokeCert", false, &d.revoke_cert));
  CTW_RETURN_IF_ERROR(GetUrl(j, "keyChange", false, &d.key_change));
  CTW_RETURN_IF_ERROR(GetUrl(j, "newAuthz", false, &d.new_authz));
  CTW_RETURN_IF_ERROR(GetUrl(j, "renewalInfo", false, &d.renewal_info));
  if (auto meta = j.find("meta"); meta != j.end() && meta->is_object()) {
    CTW_RETURN_IF_ERROR(GetString(*meta, "termsOfService", 2048, &d.terms_of_service));
    CTW_RETURN_IF_ERROR(GetString(*meta, "website", 2048, &d.website));
    if (auto eab = meta->find("externalAccountRequired"); eab != meta->end() && eab->is_boolean()) {
      d.external_account_required = eab->get<bool>();
    }
    if (auto profiles = meta->find("profiles"); profiles != meta->end() && profiles->is_object()) {
      for (const auto& [name, description] : profiles->items()) {
        if (d.profiles.size() >= 64 || name.empty() || name.size() > 64) continue;
        d.profiles[name] =
            description.is_string() ? description.get<std::string>().substr(0, 512) : "";
      }
    }
    if (auto caa = meta->find("caaIdentities"); caa != meta->end() && caa->is_array()) {
      for (const json& c : *caa) {
        if (c.is_string() && d.caa_identities.size() < 64)
          d.caa_identities.push_back(c.get<std::string>());
      }
    }
  }
  return d;
}

Result<AcmeAccount> ParseAccount(std::string_view body) {
  CTW_ASSIGN_OR_RETURN(json j, ParseObject(body, "account"));
  AcmeAccount a;
  CTW_RETURN_IF_ERROR(GetStatus(j, {"valid", "deactivated", "revoked"}, &a.status));
  CTW_RETURN_IF_ERROR(GetUrl(j, "orders", false, &a.orders));
  if (auto contact = j.find("contact"); contact != j.end() && contact->is_array()) {
    for (const json& c : *contact) {
      if (c.is_string() && a.contact.size() < 32)
        a.contact.push_back(c.get<std::string>().substr(0, 512));
    }
  }
  return a;
}

namespace {

Result<AcmeChallenge> ParseChallengeObject(const json& j) {
  AcmeChallenge c;
  CTW_RETURN_IF_ERROR(GetString(j, "type", 64, &c.type));
  CTW_RETURN_IF_ERROR(GetUrl(j, "url", true, &c.url));
  CTW_RETURN_IF_ERROR(GetStatus(j, {"pending", "processing", "valid", "invalid"}, &c.status));
  if (c.type == "http-01" || c.type == "dns-01" || c.type == "tls-alpn-01") {
    CTW_RETURN_IF_ERROR(GetString(j, "token", 256, &c.token));
    if (!IsAcceptableToken(c.token))
      return MakeError(ErrorCode::kParse, "challenge token is not base64url");
  }
  c.error = ProblemMember(j, "error");
  return c;
}

}  // namespace

Result<AcmeChallenge> ParseChallenge(std::string_view body) {
  CTW_ASSIGN_OR_RETURN(json j, ParseObject(body, "challenge"));
  return ParseChallengeObject(j);
}

Result<AcmeAuthorization> ParseAuthorization(std::string_view body) {
  CTW_ASSIGN_OR_RETURN(json j, ParseObject(body, "authorization"));
  AcmeAuthorization a;
  auto id = j.find("identifier");
  if (id == j.end()) return MakeError(ErrorCode::kParse, "authorization without identifier");
  CTW_ASSIGN_OR_RETURN(a.identifier, ParseIdentifier(*id));
  CTW_RETURN_IF_ERROR(GetStatus(
      j, {"pending", "valid", "invalid", "deactivated", "expired", "revoked"}, &a.status));
  CTW_RETURN_IF_ERROR(GetString(j, "expires", 64, &a.expires));
  if (auto w = j.find("wildcard"); w != j.end() && w->is_boolean()) a.wildcard = w->get<bool>();
  if (auto chals = j.find("challenges"); chals != j.end()) {
    if (!chals->is_array() || chals->size() > 32)
      return MakeError(ErrorCode::kParse, "bad challenges");
    for (const json& c : *chals) {
      if (!c.is_object()) return MakeError(ErrorCode::kParse, "challenge is not an object");
      CTW_ASSIGN_OR_RETURN(AcmeChallenge challenge, ParseChallengeObject(c));
      a.challenges.push_back(std::move(challenge));
    }
  }
  return a;
}

Result<AcmeOrder> ParseOrder(std::string_view body) {
  CTW_ASSIGN_OR_RETURN(json j, ParseObject(body, "order"));
  AcmeOrder o;
  CTW_RETURN_IF_ERROR(
      GetStatus(j, {"pending", "ready", "processing", "valid", "invalid"}, &o.status));
  CTW_RETURN_IF_ERROR(GetString(j, "expires", 64, &o.expires));
  CTW_RETURN_IF_ERROR(GetUrl(j, "finalize", true, &o.finalize));
  CTW_RETURN_IF_ERROR(GetUrl(j, "certificate", false, &o.certificate));
  CTW_RETURN_IF_ERROR(GetString(j, "profile", 64, &o.profile));
  CTW_RETURN_IF_ERROR(GetString(j, "replaces", 512, &o.replaces));
  CTW_RETURN_IF_ERROR(GetUrlList(j, "authorizations", &o.authorizations));
  if (auto ids = j.find("identifiers"); ids != j.end()) {
    if (!ids->is_array() || ids->size() > kMaxListItems)
      return MakeError(ErrorCode::kParse, "bad identifiers");
    for (const json& id : *ids) {
      CTW_ASSIGN_OR_RETURN(AcmeIdentifier identifier, ParseIdentifier(id));
      o.identifiers.push_back(std::move(identifier));
    }
  }
  if (o.status == "valid" && o.certificate.empty()) {
    return MakeError(ErrorCode::kParse, "valid order without a certificate URL");
  }
  o.error = ProblemMember(j, "error");
  return o;
}

Result<AcmeOrderList> ParseOrderList(std::string_view body) {
  CTW_ASSIGN_OR_RETURN(json j, ParseObject(body, "orders list"));
  AcmeOrderList list;
  CTW_RETURN_IF_ERROR(GetUrlList(j, "orders", &list.orders));
  return list;
}

}  // namespace ctwatch
