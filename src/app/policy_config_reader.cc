// [policy] → PolicyConfig; see policy_config_reader.h. Entries are validated one by one with
// the same code the matcher compiles them with, so the error can point at the entry's line.
#include "app/policy_config_reader.h"

#include <functional>

#include "app/toml_reader.h"
#include "cert/dns_name.h"
#include "core/encoding.h"
#include "policy/internal_names.h"
#include "policy/owned_names.h"
#include "policy/policy_matcher.h"

namespace ctwatch {
namespace {

using Check = std::function<std::string(const std::string&)>;

// A list of strings, each passed through `check` (an empty message means valid).
Status CheckedList(TableReader& r, const toml::table& table, std::string_view key,
                   const Check& check, std::vector<std::string>* out) {
  CTW_RETURN_IF_ERROR(r.StringList(key, out));
  const toml::node* n = table.get(key);
  if (n == nullptr) return OkStatus();
  size_t i = 0;
  for (const toml::node& item : *n->as_array()) {
    const std::string message = check((*out)[i++]);
    if (!message.empty()) return r.ErrorAt(item, key, message);
  }
  return OkStatus();
}

std::string ErrorText(const Error& e) { return e.message; }

// `which`: 0 domains, 1 names, 2 exclude, 3 allow.
Check NameCheck(int which) {
  return [which](const std::string& value) -> std::string {
    OwnedNames::Spec spec;
    std::vector<std::string>* lists[] = {&spec.domains, &spec.names, &spec.exclude, &spec.allow};
    lists[which]->push_back(value);
    auto owned = OwnedNames::Create(spec);
    return owned.has_value() ? "" : ErrorText(owned.error());
  };
}

std::string LabelCheck(const std::string& value) {
  const std::string n = NormalizeDnsName(value);
  if (n.empty() || n.size() > 63 ||
      n.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
    return "\"" + value + "\" is not a DNS label";
  }
  return "";
}

std::string SuffixCheck(const std::string& value) {
  const std::optional<std::string> n = CanonicalDnsName(value);
  if (!n.has_value() || (*n)[0] == '.' || n->find('*') != std::string::npos) {
    return "\"" + value +
           "\" is not a DNS name (write \"corp.example.com\", without a leading dot)";
  }
  return "";
}

std::string PatternCheck(const std::string& value) {
  InternalNameConfig c;
  c.builtin = false;
  c.patterns = {value};
  auto rules = InternalNameRules::Create(c);
  return rules.has_value() ? "" : ErrorText(rules.error());
}

std::string BrandCheck(const std::string& value) {
  PolicyConfig c;
  c.lookalike.brands_from_domains = false;
  c.lookalike.brands = {value};
  std::vector<std::string> warnings;
  auto brands = PolicyBrands(c, &warnings);
  return brands.has_value() ? "" : ErrorText(brands.error());
}

Status ReadIssuers(TableReader& r, const std::string& file, std::vector<AllowedIssuer>* out) {
  const toml::node* n = r.Get("issuer");
  if (n == nullptr) return OkStatus();
  if (!n->is_array_of_tables()) return r.ErrorAt(*n, "issuer", "expected [[policy.issuer]] tables");
  for (const toml::node& item : *n->as_array()) {
    TableReader t(*item.as_table(), file, "policy.issuer.");
    AllowedIssuer issuer;
    std::string hex;
    CTW_RETURN_IF_ERROR(t.String("label", &issuer.label));
    CTW_RETURN_IF_ERROR(t.String("spki_sha256", &hex));
    if (issuer.label.empty()) return t.ErrorAt(item, "label", "required (a name for this CA key)");
    const std::optional<Sha256Hash> key = ParseSpkiSha256(hex);
    if (!key.has_value()) {
      const toml::node* at = item.as_table()->get("spki_sha256");
      return t.ErrorAt(at != nullptr ? *at : item, "spki_sha256",
                       "required: the SHA-256 of the issuer's SubjectPublicKeyInfo, 64 hex digits "
                       "(openssl x509 -in ca.pem -noout -pubkey | openssl pkey -pubin -outform der "
                       "| sha256sum)");
    }
    issuer.spki_sha256 = *key;
    CTW_RETURN_IF_ERROR(t.CheckNoUnknownKeys());
    out->push_back(std::move(issuer));
  }
  return OkStatus();
}

// One name of an authorization: an IP address, a DNS name (possibly "*."), or ".domain".
std::optional<std::string> AuthorizationName(const std::string& raw) {
  if (std::optional<std::string> ip = CanonicalIpAddress(raw)) return ip;
  const bool subtree = !raw.empty() && raw[0] == '.';
  std::optional<std::string> name = CanonicalDnsName(subtree ? raw.substr(1) : raw);
  if (!name.has_value() || name->empty() || (*name)[0] == '.' ||
      name->find("..") != std::string::npos ||
      name->find('*', name->rfind("*.", 0) == 0 ? 1 : 0) != std::string::npos ||
      (subtree && (*name)[0] == '*')) {
    return std::nullopt;
  }
  return subtree ? "." + *name : *name;
}

Status ReadAuthorizations(TableReader& r, const std::string& file,
                          std::vector<IssuanceAuthorization>* out) {
  const toml::node* n = r.Get("authorization");
  if (n == nullptr) return OkStatus();
  if (!n->is_array_of_tables()) {
    return r.ErrorAt(*n, "authorization", "expected [[policy.authorization]] tables");
  }
  for (const toml::node& item : *n->as_array()) {
    const toml::table& table = *item.as_table();
    TableReader t(table, file, "policy.authorization.");
    IssuanceAuthorization a;
    std::string hex;
    std::vector<std::string> names;
    CTW_RETURN_IF_ERROR(t.String("label", &a.label));
    CTW_RETURN_IF_ERROR(t.String("spki_sha256", &hex));
    const std::optional<Sha256Hash> key = ParseSpkiSha256(hex);
    if (!key.has_value()) {
      const toml::node* at = table.get("spki_sha256");
      return t.ErrorAt(at != nullptr ? *at : item, "spki_sha256",
                       "required: the SHA-256 of the certificate key's SubjectPublicKeyInfo, 64 "
                       "hex digits (openssl pkey -in key.pem -pubout -outform der | sha256sum)");
    }
    a.spki_sha256 = *key;
    if (a.label.empty()) a.label = "key " + HexEncode(a.spki_sha256).substr(0, 16);
    const Check check = [](const std::string& value) -> std::string {
      return AuthorizationName(value).has_value()
                 ? ""
                 : "\"" + value +
                       "\" is not a name (write \"www.example.com\", \"*.example.com\", "
                       "\".example.com\" for the domain and all below it, or an IP address)";
    };
    CTW_RETURN_IF_ERROR(CheckedList(t, table, "names", check, &names));
    if (names.empty()) {
      return t.ErrorAt(item, "names", "required: the names this key may be certified for");
    }
    for (const std::string& raw : names) a.names.push_back(*AuthorizationName(raw));
    CTW_RETURN_IF_ERROR(t.CheckNoUnknownKeys());
    out->push_back(std::move(a));
  }
  return OkStatus();
}

Status ReadInternal(const toml::table& table, const std::string& file, InternalNameConfig* c) {
  TableReader r(table, file, "policy.internal.");
  CTW_RETURN_IF_ERROR(r.Bool("builtin", &c->builtin));
  CTW_RETURN_IF_ERROR(CheckedList(r, table, "extra_labels", LabelCheck, &c->extra_labels));
  CTW_RETURN_IF_ERROR(CheckedList(r, table, "ignore_labels", LabelCheck, &c->ignore_labels));
  CTW_RETURN_IF_ERROR(CheckedList(r, table, "extra_suffixes", SuffixCheck, &c->extra_suffixes));
  CTW_RETURN_IF_ERROR(CheckedList(r, table, "patterns", PatternCheck, &c->patterns));
  return r.CheckNoUnknownKeys();
}

Status ReadLookalike(const toml::table& table, const std::string& file, LookalikeConfig* c) {
  TableReader r(table, file, "policy.lookalike.");
  CTW_RETURN_IF_ERROR(r.Bool("enabled", &c->enabled));
  CTW_RETURN_IF_ERROR(r.Bool("brands_from_domains", &c->brands_from_domains));
  CTW_RETURN_IF_ERROR(CheckedList(r, table, "brands", BrandCheck, &c->brands));
  CTW_RETURN_IF_ERROR(CheckedList(r, table, "keywords", LabelCheck, &c->keywords));
  CTW_RETURN_IF_ERROR(CheckedList(r, table, "extra_keywords", LabelCheck, &c->extra_keywords));
  CTW_RETURN_IF_ERROR(CheckedList(r, table, "allow", NameCheck(3), &c->allow));
  int64_t min_brand = c->min_brand_length, min_fuzzy = c->min_fuzzy_length;
  CTW_RETURN_IF_ERROR(r.Int("min_brand_length", 2, 63, &min_brand));
  CTW_RETURN_IF_ERROR(r.Int("min_fuzzy_length", 3, 63, &min_fuzzy));
  c->min_brand_length = static_cast<int>(min_brand);
  c->min_fuzzy_length = static_cast<int>(min_fuzzy);
  return r.CheckNoUnknownKeys();
}

}  // namespace

Status ReadPolicyConfig(const toml::table& table, const std::string& file, PolicyConfig* policy) {
  TableReader r(table, file, "policy.");
  CTW_RETURN_IF_ERROR(CheckedList(r, table, "domains", NameCheck(0), &policy->domains));
  CTW_RETURN_IF_ERROR(CheckedList(r, table, "names", NameCheck(1), &policy->names));
  CTW_RETURN_IF_ERROR(CheckedList(r, table, "exclude", NameCheck(2), &policy->exclude));
  CTW_RETURN_IF_ERROR(ReadIssuers(r, file, &policy->allowed_issuers));
  CTW_RETURN_IF_ERROR(ReadAuthorizations(r, file, &policy->authorizations));
  Status status;
  if (const toml::table* internal = r.Table("internal", &status)) {
    CTW_RETURN_IF_ERROR(ReadInternal(*internal, file, &policy->internal));
  }
  CTW_RETURN_IF_ERROR(status);
  if (const toml::table* lookalike = r.Table("lookalike", &status)) {
    CTW_RETURN_IF_ERROR(ReadLookalike(*lookalike, file, &policy->lookalike));
  }
  CTW_RETURN_IF_ERROR(status);
  CTW_RETURN_IF_ERROR(r.CheckNoUnknownKeys());
  // Whatever only the whole policy can tell (it compiles the same way `run` will).
  auto compiled = PolicyMatcher::Create(*policy);
  if (!compiled.has_value()) {
    return TableReader(table, file, "").ErrorAt(table.source(), "policy", compiled.error().message);
  }
  return OkStatus();
}

std::optional<Sha256Hash> ParseSpkiSha256(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c != ':' && c != ' ') digits.push_back(c);
  }
  // The prefix only ("sha256:ab..." must keep its leading hex digits a, b, 2, 5, 6).
  if (digits.rfind("sha256", 0) == 0 && digits.size() == 70) digits.erase(0, 6);
  const std::optional<Bytes> bytes = HexDecode(digits);
  Sha256Hash out{};
  if (!bytes.has_value() || bytes->size() != out.size()) return std::nullopt;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

}  // namespace ctwatch
