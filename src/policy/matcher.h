// Matcher: judges the certificates that stream out of the logs. The Tailer asks Concerns()
// on every entry (cheap, names only); for the entries that concern the owner it builds full
// CertFacts and asks Judge() for findings. OwnedNamesOf() and issuance_policy() feed the
// issuance verdict (src/issuance): a certificate with an owned name gets one. Implementations
// are immutable once built, so one instance is shared by every tailer thread and swapped
// atomically on reload.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cert/facts.h"
#include "policy/policy_config.h"
#include "store/records.h"

namespace ctwatch {

class Matcher {
 public:
  virtual ~Matcher() = default;
  // True when the certificate with these names must be stored and judged.
  virtual bool Concerns(const CertNames& names) const = 0;
  // The findings for a certificate that concerns the owner (may be empty).
  virtual std::vector<FindingDraft> Judge(const CertFacts& facts) const = 0;
  // The certificate's names that are owned (as the certificate writes them); empty when none
  // is (a look-alike-only certificate).
  virtual std::vector<std::string> OwnedNamesOf(const CertFacts& facts) const = 0;
  // Allowed issuer keys and key authorizations.
  virtual const IssuancePolicy& issuance_policy() const = 0;
};

}  // namespace ctwatch
