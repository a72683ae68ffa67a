// IssuanceJudge: the issuance verdict of one log entry as it is judged (JudgeEntry, for the
// Tailer and the Rescanner). Only certificates that name an owned name get one; they are rare
// among the entries, so a few inventory queries each are fine. The verdict is decided with the
// time of the identity's first sighting (the stored ones and this one), so that a
// precertificate and its certificate agree whatever order they arrive in. A foreign verdict
// comes with its foreign_issuance finding, which waits in pending_findings with the entry's
// other findings until the range is verified.
// Thread-safety: Judge() may be called from every tailer thread (the records are thread-safe).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "issuance/verdict.h"

namespace ctwatch {

struct IssuanceOutcome {
  std::optional<Verdict> verdict;  // nullopt: could not be decided (detail says why)
  std::string detail;
  std::optional<FindingDraft> finding;  // foreign_issuance
};

class IssuanceJudge {
 public:
  IssuanceJudge(OwnershipRecords* records, Clock* clock) : records_(records), clock_(clock) {}

  // `owned_names`: the certificate's owned names (Matcher::OwnedNamesOf, not empty); `log` and
  // `index`: where the entry was logged; `timestamp_ms`: its log timestamp.
  IssuanceOutcome Judge(const CertFacts& facts, const std::vector<std::string>& owned_names,
                        const IssuancePolicy& policy, uint64_t timestamp_ms, const std::string& log,
                        uint64_t index) const;

 private:
  OwnershipRecords* const records_;
  Clock* const clock_;
};

}  // namespace ctwatch
