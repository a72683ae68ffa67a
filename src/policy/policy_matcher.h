// PolicyMatcher: the compiled, immutable policy the tailers judge every CT entry with
// (Matcher). Concerns() is true for certificates that name an owned name or a look-alike of a
// protected brand (both must be stored). Judge() returns, for such a certificate:
//   owned_certificate      one per certificate (identity), naming its owned names (info);
//   unexpected_issuer      per owned name when allowed issuers are configured and the issuer
//                          key (SHA-256 of the issuer SPKI) is not one of them (high; medium
//                          when the issuer key is unknown);
//   internal_name_exposed  per owned name that looks internal, and per non-public name in a
//                          certificate that also names an owned name (medium);
//   lookalike              per name imitating a brand, with technique and brand (medium;
//                          high for homoglyphs, IDN homographs, TLD swaps, brand-in-subdomain).
// Dedup keys are "<kind>:<identity hex>" (owned_certificate) and "<kind>:<identity hex>:<name>"
// for the others, so a precertificate and its certificate (one identity) never give two.
// Thread-safety: immutable after Create(); every method is safe from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "policy/internal_names.h"
#include "policy/lookalike_detector.h"
#include "policy/matcher.h"
#include "policy/owned_names.h"
#include "policy/policy_config.h"

namespace ctwatch {

class PolicyMatcher final : public Matcher {
 public:
  // Validates and compiles; errors name the offending entry.
  static Result<std::shared_ptr<const PolicyMatcher>> Create(const PolicyConfig& config);

  bool Concerns(const CertNames& names) const override;
  std::vector<FindingDraft> Judge(const CertFacts& facts) const override;
  std::vector<std::string> OwnedNamesOf(const CertFacts& facts) const override;
  const IssuancePolicy& issuance_policy() const override { return issuance_; }

  // The parts, for tests, the audit and the tools. Names in any form (normalised here).
  NameClass Classify(std::string_view name) const;
  std::optional<LookalikeMatch> Lookalike(std::string_view name) const;
  std::vector<std::string> InternalRules(std::string_view name) const;  // for an owned name
  // The same for a name below `domain` (owned or not): the built-in rules see the labels left
  // of the owned domain, or else left of `domain`.
  std::vector<std::string> InternalRulesUnder(std::string_view name, std::string_view domain) const;
  bool IsNonPublic(std::string_view name) const;

  const OwnedNames& owned() const { return owned_; }
  const std::vector<std::string>& warnings() const { return warnings_; }  // e.g. skipped brands
  size_t brand_count() const { return lookalikes_ ? lookalikes_->index().size() : 0; }
  size_t rule_count() const { return internal_->rule_count(); }
  size_t index_bytes() const { return lookalikes_ ? lookalikes_->index().MemoryBytes() : 0; }

  struct Private;  // construction token

  PolicyMatcher(const Private&, OwnedNames owned, std::unique_ptr<InternalNameRules> internal,
                std::unique_ptr<LookalikeDetector> lookalikes, IssuancePolicy issuance,
                std::vector<std::string> warnings);

 private:
  std::vector<std::string> InternalRulesFor(const std::string& name,
                                            const OwnedNames::Coverage& coverage) const;

  const OwnedNames owned_;
  const std::unique_ptr<InternalNameRules> internal_;
  const std::unique_ptr<LookalikeDetector> lookalikes_;  // null when lookalikes are disabled
  const IssuancePolicy issuance_;
  const std::vector<std::string> warnings_;
};

// The brands a policy protects (exposed for the corpus generator and tests): the registrable
// labels of the owned domains and names (when brands_from_domains) and the configured brands.
Result<std::vector<Brand>> PolicyBrands(const PolicyConfig& config,
                                        std::vector<std::string>* warnings);

}  // namespace ctwatch
