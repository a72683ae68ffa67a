// IssuanceJudge; see issuance_judge.h. Thread-safety: const; the records are thread-safe.
#include "issuance/issuance_judge.h"

#include <algorithm>

#include "core/log.h"

namespace ctwatch {

IssuanceOutcome IssuanceJudge::Judge(const CertFacts& facts,
                                     const std::vector<std::string>& owned_names,
                                     const IssuancePolicy& policy, uint64_t timestamp_ms,
                                     const std::string& log, uint64_t index) const {
  IssuanceOutcome out;
  const IssuanceSubject subject = SubjectOf(facts);
  int64_t seen_ms = static_cast<int64_t>(timestamp_ms);
  Result<std::optional<int64_t>> first = records_->FirstSeenMs(subject.identity);
  Result<IssuanceDecision> decision =
      first.has_value() ? DecideIssuance(subject, std::min(seen_ms, first->value_or(seen_ms)),
                                         clock_->NowMs(), policy, records_)
                        : Result<IssuanceDecision>(first.error());
  if (!decision.has_value()) {
    // Kept unjudged with the reason; the next reconciliation decides it.
    spdlog::warn("{}: entry {}: issuance verdict postponed: {}", log, index,
                 decision.error().ToString());
    out.detail = "not judged yet: " + decision.error().message;
    return out;
  }
  out.verdict = decision->verdict;
  out.detail = decision->detail;
  if (decision->verdict == Verdict::kForeign) {
    out.finding = ForeignIssuanceFinding(subject, *decision, owned_names, log, index);
  }
  return out;
}

}  // namespace ctwatch
