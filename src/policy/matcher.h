// Matcher: judges the certificates that stream out of the logs. The Tailer asks Concerns()
// on every entry (cheap, names only); for the entries that concern the owner it builds full
// CertFacts and asks Judge() for findings. Implementations are immutable once built, so one
// instance is shared by every tailer thread and swapped atomically on reload.
#pragma once

#include <memory>
#include <vector>

#include "cert/facts.h"
#include "store/records.h"

namespace ctwatch {

class Matcher {
 public:
  virtual ~Matcher() = default;
  // True when the certificate with these names must be stored and judged.
  virtual bool Concerns(const CertNames& names) const = 0;
  // The findings for a certificate that concerns the owner (may be empty).
  virtual std::vector<FindingDraft> Judge(const CertFacts& facts) const = 0;
};

}  // namespace ctwatch
