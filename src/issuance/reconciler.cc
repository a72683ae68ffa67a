// IssuanceReconciler; see reconciler.h. Thread-safety: Run() holds mu_.
#include "issuance/reconciler.h"

#include <algorithm>

#include "core/encoding.h"
#include "core/log.h"

namespace ctwatch {
namespace {

// Changes whenever the allowed issuers or the authorizations change.
std::string PolicyFingerprint(const IssuancePolicy& policy) {
  std::string out;
  for (const AllowedIssuer& i : policy.allowed_issuers) out += "i" + HexEncode(i.spki_sha256);
  for (const IssuanceAuthorization& a : policy.authorizations) {
    out += "a" + HexEncode(a.spki_sha256);
    for (const std::string& n : a.names) out += "," + n;
  }
  return out;
}

IssuanceSubject SubjectOfRecord(const CertificateRecord& r) {
  IssuanceSubject s;
  s.identity = r.identity;
  s.spki_sha256 = r.spki_sha256;
  s.names = !r.san_names.empty() ? r.san_names : r.names;
  s.issuer_key_hash = r.issuer_key_hash;
  s.issuer_dn = r.issuer_dn;
  s.not_before_ms = r.not_before_ms;
  s.not_after_ms = r.not_after_ms;
  return s;
}

}  // namespace

std::string ReconcileReport::Summary() const {
  return std::to_string(certificates) + " certificate(s) looked at, " + std::to_string(changed) +
         " changed (" + std::to_string(expected) + " expected, " + std::to_string(pending) +
         " expected_pending, " + std::to_string(authorized) + " authorized, " +
         std::to_string(foreign) + " foreign); " + std::to_string(raised) +
         " foreign_issuance finding(s) raised, " + std::to_string(resolved) + " resolved" +
         (errors > 0 ? "; " + std::to_string(errors) + " not decided (retried later)" : "");
}

Result<ReconcileReport> IssuanceReconciler::Run(const Matcher& matcher, bool force) {
  std::lock_guard lock(mu_);
  const IssuancePolicy& policy = matcher.issuance_policy();
  CTW_ASSIGN_OR_RETURN(std::string generation, records_->Generation());
  generation += "|" + PolicyFingerprint(policy);
  const bool include_foreign = force || generation != last_generation_;
  CTW_ASSIGN_OR_RETURN(std::vector<IssuanceCandidate> candidates,
                       store_->ListIssuanceCandidates(include_foreign));
  const int64_t now = clock_->NowMs();
  ReconcileReport report;
  for (const IssuanceCandidate& c : candidates) {
    if (c.sightings.empty()) continue;
    ++report.certificates;
    // Only certificates that still name an owned name under the policy in force.
    CertFacts facts;
    facts.names.dns_names = c.certificate.names;
    const std::vector<std::string> owned = matcher.OwnedNamesOf(facts);
    if (owned.empty()) continue;
    const IssuanceSubject subject = SubjectOfRecord(c.certificate);
    Result<IssuanceDecision> decision =
        DecideIssuance(subject, c.first_seen_ms, now, policy, records_);
    if (!decision.has_value()) {
      ++report.errors;
      spdlog::warn("issuance: {}: {}", HexEncode(subject.identity), decision.error().ToString());
      continue;
    }
    const std::string verdict = VerdictName(decision->verdict);
    const bool unchanged = std::all_of(c.sightings.begin(), c.sightings.end(),
                                       [&](const Sighting& s) { return s.verdict == verdict; });
    if (unchanged) continue;
    const bool authorized =
        std::any_of(c.sightings.begin(), c.sightings.end(),
                    [](const Sighting& s) { return s.verdict == "authorized"; });
    if (authorized && decision->verdict != Verdict::kExpected) continue;  // authorized stays

    IssuanceUpdate update{.identity = subject.identity,
                          .verdict = verdict,
                          .detail = decision->detail,
                          .now_ms = now};
    switch (decision->verdict) {
      case Verdict::kExpected:
      case Verdict::kAuthorized:
        update.resolve_note =
            "re-judged " + FormatTimeMs(now) + ": " + verdict + ": " + decision->detail;
        break;
      case Verdict::kForeign: {
        const Sighting& first = c.sightings.front();
        update.finding =
            ForeignIssuanceFinding(subject, *decision, owned, first.log_description, first.index);
        break;
      }
      case Verdict::kExpectedPending:
        break;  // an open finding (if any) stays open until the certificate is ours
    }
    Result<IssuanceUpdateResult> applied = store_->ApplyIssuanceUpdate(update);
    if (!applied.has_value()) {
      ++report.errors;
      spdlog::warn("issuance: {}: {}", HexEncode(subject.identity), applied.error().ToString());
      continue;
    }
    if (applied->sightings == 0 && applied->raised == 0 && applied->resolved == 0) continue;
    ++report.changed;
    switch (decision->verdict) {
      case Verdict::kExpected:
        ++report.expected;
        break;
      case Verdict::kExpectedPending:
        ++report.pending;
        break;
      case Verdict::kAuthorized:
        ++report.authorized;
        break;
      case Verdict::kForeign:
        ++report.foreign;
        break;
    }
    report.raised += applied->raised;
    report.resolved += applied->resolved;
    spdlog::info("issuance: certificate {} is now {}: {}", HexEncode(subject.identity), verdict,
                 decision->detail);
  }
  if (report.errors == 0) last_generation_ = generation;
  return report;
}

}  // namespace ctwatch
