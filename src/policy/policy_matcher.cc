// PolicyMatcher: compiling a PolicyConfig and judging certificates; see policy_matcher.h.
#include "policy/policy_matcher.h"

#include <algorithm>
#include <map>
#include <set>

#include "cert/dns_name.h"
#include "core/encoding.h"
#include "policy/confusables.h"
#include "policy/policy_defaults.h"
#include "policy/public_suffix.h"

namespace ctwatch {

struct PolicyMatcher::Private {};

namespace {

bool IsLdh(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

int MaxDistance(std::string_view label, int min_fuzzy_length) {
  if (label.rfind("xn--", 0) == 0 || static_cast<int>(label.size()) < min_fuzzy_length) return 0;
  return label.size() >= 9 ? 2 : 1;
}

Severity LookalikeSeverity(const std::string& technique) {
  static const std::set<std::string> kHigh = {"homoglyph", "idn-homograph", "tld-swap",
                                              "brand-in-subdomain", "dot-insertion"};
  return kHigh.count(technique) ? Severity::kHigh : Severity::kMedium;
}

std::string IssuerList(const std::vector<AllowedIssuer>& issuers) {
  std::string out;
  for (const AllowedIssuer& i : issuers) {
    if (!out.empty()) out += ", ";
    out += i.label;
  }
  return out;
}

}  // namespace

Result<std::vector<Brand>> PolicyBrands(const PolicyConfig& config,
                                        std::vector<std::string>* warnings) {
  const LookalikeConfig& lc = config.lookalike;
  std::map<std::string, Brand> by_label;
  std::vector<std::string> order;
  auto add = [&](const std::string& label, const std::string& display, const std::string& suffix) {
    auto [it, inserted] = by_label.try_emplace(label);
    Brand& b = it->second;
    if (inserted) {
      order.push_back(label);
      b.label = label;
      b.unicode = DomainToUnicode(label);
      b.skeleton = LabelSkeleton(b.unicode);
      b.display = display;
      b.max_distance = MaxDistance(label, lc.min_fuzzy_length);
    }
    if (!suffix.empty() &&
        std::find(b.suffixes.begin(), b.suffixes.end(), suffix) == b.suffixes.end()) {
      b.suffixes.push_back(suffix);
    }
  };
  auto split = [](std::string_view registrable, std::string* label, std::string* suffix) {
    const size_t dot = registrable.find('.');
    *label = std::string(registrable.substr(0, dot));
    *suffix = dot == std::string_view::npos ? "" : std::string(registrable.substr(dot + 1));
  };
  if (lc.brands_from_domains) {
    for (const auto* list : {&config.domains, &config.names}) {
      for (const std::string& raw : *list) {
        const std::optional<std::string> name = CanonicalDnsName(raw);
        if (!name.has_value()) continue;  // OwnedNames reports it
        const std::string_view registrable = RegistrableDomain(*name);
        if (registrable.empty()) continue;
        std::string label, suffix;
        split(registrable, &label, &suffix);
        if (static_cast<int>(label.size()) < lc.min_brand_length) {
          warnings->push_back("brand \"" + label + "\" (from " + raw + ") is shorter than " +
                              std::to_string(lc.min_brand_length) +
                              " characters: not protected against look-alikes (list it in "
                              "lookalike.brands to protect it anyway)");
          continue;
        }
        add(label, std::string(registrable), suffix);
      }
    }
  }
  for (const std::string& raw : lc.brands) {
    const std::optional<std::string> name = CanonicalDnsName(raw);
    if (!name.has_value() || name->empty() || name->find('*') != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "brand \"" + raw + "\" is not a DNS label or domain");
    }
    std::string label, suffix, display = *name;
    if (name->find('.') != std::string::npos) {
      const std::string_view registrable = RegistrableDomain(*name);
      if (registrable.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "brand \"" + raw + "\" is a public suffix");
      }
      split(registrable, &label, &suffix);
      display = std::string(registrable);
    } else {
      label = *name;
    }
    if (label.size() < 3 || !IsLdh(label)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "brand \"" + raw + "\" must be a DNS label of at least 3 characters");
    }
    add(label, display, suffix);
  }
  std::vector<Brand> out;
  for (const std::string& label : order) out.push_back(std::move(by_label[label]));
  return out;
}

Result<std::shared_ptr<const PolicyMatcher>> PolicyMatcher::Create(const PolicyConfig& config) {
  std::vector<std::string> warnings;
  CTW_ASSIGN_OR_RETURN(OwnedNames owned, OwnedNames::Create({.domains = config.domains,
                                                             .names = config.names,
                                                             .exclude = config.exclude,
                                                             .allow = config.lookalike.allow}));
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<InternalNameRules> internal,
                       InternalNameRules::Create(config.internal));
  std::unique_ptr<LookalikeDetector> lookalikes;
  if (config.lookalike.enabled) {
    CTW_ASSIGN_OR_RETURN(std::vector<Brand> brands, PolicyBrands(config, &warnings));
    std::vector<std::string> keywords;
    if (config.lookalike.keywords.empty()) {
      for (std::string_view k : BuiltinLookalikeKeywords()) keywords.emplace_back(k);
    }
    for (const auto* list : {&config.lookalike.keywords, &config.lookalike.extra_keywords}) {
      for (const std::string& k : *list) {
        const std::string n = NormalizeDnsName(k);
        if (!IsLdh(n))
          return MakeError(ErrorCode::kInvalidArgument, "keyword \"" + k + "\" is not a DNS label");
        keywords.push_back(n);
      }
    }
    lookalikes = std::make_unique<LookalikeDetector>(std::move(brands), keywords,
                                                     LookalikeDetector::Options{});
  }
  for (size_t i = 0; i < config.allowed_issuers.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (config.allowed_issuers[i].spki_sha256 == config.allowed_issuers[j].spki_sha256) {
        warnings.push_back("allowed issuers \"" + config.allowed_issuers[j].label + "\" and \"" +
                           config.allowed_issuers[i].label + "\" have the same key");
      }
    }
  }
  for (size_t i = 0; i < config.authorizations.size(); ++i) {
    const IssuanceAuthorization& a = config.authorizations[i];
    if (a.names.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "authorization \"" + a.label + "\" lists no names");
    }
    for (const AllowedIssuer& issuer : config.allowed_issuers) {
      if (issuer.spki_sha256 == a.spki_sha256) {
        warnings.push_back("authorization \"" + a.label + "\" names the key of allowed issuer \"" +
                           issuer.label + "\": an issuer key is not a certificate key");
      }
    }
  }
  return std::shared_ptr<const PolicyMatcher>(std::make_shared<PolicyMatcher>(
      Private{}, std::move(owned), std::move(internal), std::move(lookalikes),
      IssuancePolicy{config.allowed_issuers, config.authorizations}, std::move(warnings)));
}

PolicyMatcher::PolicyMatcher(const Private&, OwnedNames owned,
                             std::unique_ptr<InternalNameRules> internal,
                             std::unique_ptr<LookalikeDetector> lookalikes,
                             IssuancePolicy issuance, std::vector<std::string> warnings)
    : owned_(std::move(owned)),
      internal_(std::move(internal)),
      lookalikes_(std::move(lookalikes)),
      issuance_(std::move(issuance)),
      warnings_(std::move(warnings)) {}

NameClass PolicyMatcher::Classify(std::string_view name) const {
  const std::optional<std::string> canonical = CanonicalDnsName(name);
  return canonical ? owned_.Classify(*canonical).name_class : NameClass::kForeign;
}

std::optional<LookalikeMatch> PolicyMatcher::Lookalike(std::string_view name) const {
  if (lookalikes_ == nullptr) return std::nullopt;
  std::optional<std::string> canonical = CanonicalDnsName(name);
  if (!canonical.has_value() || owned_.Classify(*canonical).name_class != NameClass::kForeign) {
    return std::nullopt;
  }
  if (canonical->rfind("*.", 0) == 0) canonical->erase(0, 2);
  return lookalikes_->Check(*canonical);
}

std::vector<std::string> PolicyMatcher::InternalRulesFor(
    const std::string& name, const OwnedNames::Coverage& coverage) const {
  std::string_view host;
  if (coverage.exact) {
    const std::string_view registrable = RegistrableDomain(name);
    if (registrable.size() + 1 < name.size())
      host = std::string_view(name).substr(0, name.size() - registrable.size() - 1);
  } else if (coverage.entry.size() + 1 < name.size()) {
    host = std::string_view(name).substr(0, name.size() - coverage.entry.size() - 1);
  }
  return internal_->Match(host, name);
}

std::vector<std::string> PolicyMatcher::InternalRules(std::string_view name) const {
  const std::optional<std::string> canonical = CanonicalDnsName(name);
  if (!canonical.has_value()) return {};
  const OwnedNames::Coverage coverage = owned_.Classify(*canonical);
  if (coverage.name_class != NameClass::kOwned) return internal_->Match(*canonical, *canonical);
  return InternalRulesFor(*canonical, coverage);
}

std::vector<std::string> PolicyMatcher::InternalRulesUnder(std::string_view name,
                                                           std::string_view domain) const {
  const std::optional<std::string> canonical = CanonicalDnsName(name);
  const std::optional<std::string> base = CanonicalDnsName(domain);
  if (!canonical.has_value()) return {};
  const OwnedNames::Coverage coverage = owned_.Classify(*canonical);
  if (coverage.name_class == NameClass::kOwned) return InternalRulesFor(*canonical, coverage);
  std::string_view host;
  if (base.has_value() && canonical->size() > base->size() + 1 &&
      IsSameOrSubdomain(*canonical, *base)) {
    host = std::string_view(*canonical).substr(0, canonical->size() - base->size() - 1);
  }
  return internal_->Match(host, *canonical);
}

bool PolicyMatcher::IsNonPublic(std::string_view name) const {
  if (name.find(':') != std::string_view::npos) return internal_->IsNonPublic(name);
  const std::optional<std::string> canonical = CanonicalDnsName(name);
  return canonical.has_value() && internal_->IsNonPublic(*canonical);
}

bool PolicyMatcher::Concerns(const CertNames& names) const {
  LookalikeDetector::ProbeMemo memo;  // the names of a certificate share most of their labels
  for (const auto* list : {&names.dns_names, &names.common_names}) {
    for (const std::string& raw : *list) {
      std::optional<std::string> name = CanonicalDnsName(raw);
      if (!name.has_value()) continue;
      const NameClass c = owned_.Classify(*name).name_class;
      if (c == NameClass::kOwned) return true;
      if (c != NameClass::kForeign || lookalikes_ == nullptr) continue;
      if (name->rfind("*.", 0) == 0) name->erase(0, 2);
      if (lookalikes_->Check(*name, &memo).has_value()) return true;
    }
  }
  return false;
}

std::vector<std::string> PolicyMatcher::OwnedNamesOf(const CertFacts& facts) const {
  std::vector<std::string> out;
  for (const auto* list : {&facts.names.dns_names, &facts.names.common_names}) {
    for (const std::string& raw : *list) {
      const std::optional<std::string> name = CanonicalDnsName(raw);
      if (!name.has_value() || owned_.Classify(*name).name_class != NameClass::kOwned) continue;
      if (std::find(out.begin(), out.end(), raw) == out.end()) out.push_back(raw);
    }
  }
  return out;
}

std::vector<FindingDraft> PolicyMatcher::Judge(const CertFacts& facts) const {
  struct Name {
    std::string shown;      // as in the certificate
    std::string canonical;  // normalised (IP addresses as they are)
    OwnedNames::Coverage coverage;
    bool ip = false;
  };
  std::vector<Name> names;
  std::set<std::string> seen;
  for (const std::string& n : AllNames(facts.names)) {
    const bool ip = std::find(facts.names.ip_addresses.begin(), facts.names.ip_addresses.end(),
                              n) != facts.names.ip_addresses.end();
    std::optional<std::string> canonical = ip ? std::optional<std::string>(n) : CanonicalDnsName(n);
    if (!canonical.has_value() || !seen.insert(*canonical).second) continue;
    Name entry{.shown = n, .canonical = *canonical, .ip = ip};
    if (!ip) entry.coverage = owned_.Classify(entry.canonical);
    names.push_back(std::move(entry));
  }
  const std::string id = HexEncode(facts.identity);
  auto finding = [&](const char* kind, Severity severity, const Name& n, std::string detail) {
    return FindingDraft{.kind = kind,
                        .severity = severity,
                        .identity = facts.identity,
                        .names = {n.shown},
                        .detail = std::move(detail),
                        .dedup_key = std::string(kind) + ":" + id + ":" + n.canonical};
  };
  std::vector<FindingDraft> out;
  std::vector<const Name*> owned;
  for (const Name& n : names) {
    if (n.coverage.name_class == NameClass::kOwned) owned.push_back(&n);
  }
  if (!owned.empty()) {
    FindingDraft f{.kind = "owned_certificate",
                   .severity = Severity::kInfo,
                   .identity = facts.identity,
                   .detail = "certificate for " + std::to_string(owned.size()) +
                             " owned name(s), issued by " + facts.issuer_dn,
                   .dedup_key = "owned_certificate:" + id};
    for (const Name* n : owned) f.names.push_back(n->shown);
    out.push_back(std::move(f));
  }
  if (!owned.empty() && !issuance_.allowed_issuers.empty()) {
    const AllowedIssuer* allowed = nullptr;
    for (const AllowedIssuer& i : issuance_.allowed_issuers) {
      if (facts.issuer_key_hash.has_value() && i.spki_sha256 == *facts.issuer_key_hash)
        allowed = &i;
    }
    if (allowed == nullptr) {
      const std::string key = facts.issuer_key_hash
                                  ? "issuer key sha256:" + HexEncode(*facts.issuer_key_hash)
                                  : "an unknown issuer key (no issuer certificate)";
      for (const Name* n : owned) {
        out.push_back(finding(
            "unexpected_issuer", facts.issuer_key_hash ? Severity::kHigh : Severity::kMedium, *n,
            n->shown + " was certified by " + key + " (issuer name \"" + facts.issuer_dn +
                "\", not trusted); allowed: " + IssuerList(issuance_.allowed_issuers)));
      }
    }
  }
  for (const Name* n : owned) {
    const std::vector<std::string> rules = InternalRulesFor(n->canonical, n->coverage);
    if (rules.empty()) continue;
    std::string why;
    for (const std::string& r : rules) {
      if (!why.empty()) why += ", ";
      why += r;
    }
    out.push_back(finding("internal_name_exposed", Severity::kMedium, *n,
                          n->shown + " looks internal (" + why + ") and is now public in CT"));
  }
  if (!owned.empty()) {
    for (const Name& n : names) {
      if (n.coverage.name_class == NameClass::kOwned || !internal_->IsNonPublic(n.canonical))
        continue;
      out.push_back(finding("internal_name_exposed", Severity::kMedium, n,
                            n.shown + " is not a public name and appears in a certificate for " +
                                owned.front()->shown));
    }
  }
  if (lookalikes_ != nullptr) {
    LookalikeDetector::ProbeMemo memo;
    for (const Name& n : names) {
      if (n.ip || n.coverage.name_class != NameClass::kForeign) continue;
      std::string checked = n.canonical;
      if (checked.rfind("*.", 0) == 0) checked.erase(0, 2);
      std::optional<LookalikeMatch> m = lookalikes_->Check(checked, &memo);
      if (!m.has_value()) continue;
      out.push_back(finding("lookalike", LookalikeSeverity(m->technique), n, m->Detail(n.shown)));
    }
  }
  return out;
}

}  // namespace ctwatch
