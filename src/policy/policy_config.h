// PolicyConfig: what the owner's policy says, as plain values: owned names, allowed issuers,
// key authorizations, internal-name rules and lookalike protection. The [policy] section of
// the config file is read into it (src/app/policy_config_reader.cc); PolicyMatcher compiles
// it. docs/policy.md documents every field and the built-in defaults (policy_defaults.h).
// Thread-safety: value types.
#pragma once

#include <string>
#include <vector>

#include "core/bytes.h"

namespace ctwatch {

// A CA key that may issue for the owned names, identified by the SHA-256 of the issuer's
// SubjectPublicKeyInfo. The label is for people; the issuer name in a certificate is shown but
// never trusted.
struct AllowedIssuer {
  std::string label;
  Sha256Hash spki_sha256{};
};

// An authorization (SSLMate-style key + names): certificates for this public key (SHA-256 of
// the SubjectPublicKeyInfo) are ours when every name they carry is covered by `names`: an exact
// name ("www.example.com", "*.example.com" for that wildcard, an IP address) or ".example.com"
// for the domain and every name below it. The key on any other name is still foreign issuance.
struct IssuanceAuthorization {
  std::string label;                // for people; defaults to the key's hex prefix
  Sha256Hash spki_sha256{};
  std::vector<std::string> names;   // canonical: lower case, A-labels, IPs in text form
};

// What the issuance verdict needs from the policy (docs/issuance.md).
struct IssuancePolicy {
  std::vector<AllowedIssuer> allowed_issuers;        // empty: issuers are not checked
  std::vector<IssuanceAuthorization> authorizations;
};

struct InternalNameConfig {
  bool builtin = true;                      // use the built-in rules (BuiltinInternalLabels...)
  std::vector<std::string> extra_labels;    // added to the built-in internal labels
  std::vector<std::string> ignore_labels;   // built-in internal labels that do not apply here
  std::vector<std::string> extra_suffixes;  // added to the built-in non-public suffixes
  std::vector<std::string> patterns;        // RE2 patterns, matched against the whole name
};

struct LookalikeConfig {
  bool enabled = true;
  bool brands_from_domains = true;          // the registrable labels of the owned domains
  std::vector<std::string> brands;          // more brands: "examplebank" or "examplebank.com"
  std::vector<std::string> keywords;        // replaces the built-in keywords when not empty
  std::vector<std::string> extra_keywords;  // added to the keywords
  std::vector<std::string> allow;           // known-good domains (and all below): never flagged
  int min_brand_length = 4;                 // shorter owned labels are not used as brands
  int min_fuzzy_length = 5;                 // edit-distance techniques for brands this long
};

struct PolicyConfig {
  std::vector<std::string> domains;            // owned: each domain and every name below it
  std::vector<std::string> names;              // owned: exactly these names
  std::vector<std::string> exclude;            // not ours although below an owned domain
  std::vector<AllowedIssuer> allowed_issuers;  // empty: issuers are not checked
  std::vector<IssuanceAuthorization> authorizations;  // [[policy.authorization]]
  InternalNameConfig internal;
  LookalikeConfig lookalike;
};

}  // namespace ctwatch
