// The issuance verdict (DESIGN.md "Expected issuance", docs/issuance.md): for a certificate that
// names an owned name, did we issue it?
//   expected          its identity is in the inventory (issued by our engine or imported);
//   expected_pending  an open expectation has the same public key, exactly the same name set,
//                     an issuer key among its CA's (accepted, and said so, while none is known)
//                     and a window that holds the certificate's first sighting and is not over;
//   authorized        a policy authorization allows its public key for every one of its names;
//   foreign           anything else: a foreign_issuance finding, high, critical when the issuer
//                     key is not among the policy's allowed issuers or the key was never ours.
// DecideIssuance is the whole rule; it reads what the inventory knows through
// OwnershipRecords (the inventory and expectations in SQLite, a fake in tests). A precertificate
// and its final certificate have the same identity, key, names and issuer key, and are judged
// with the time of the identity's first sighting, so they always get the same verdict.
// Thread-safety: pure apart from the OwnershipRecords calls (implementations are thread-safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cert/facts.h"
#include "core/bytes.h"
#include "core/result.h"
#include "policy/policy_config.h"
#include "store/records.h"

namespace ctwatch {

enum class Verdict { kExpected, kExpectedPending, kAuthorized, kForeign };
const char* VerdictName(Verdict verdict);  // "expected", "expected_pending", ...
std::optional<Verdict> ParseVerdict(std::string_view name);

// What the verdict looks at, from a log entry (CertFacts) or from the store.
struct IssuanceSubject {
  Sha256Hash identity{};
  Sha256Hash spki_sha256{};
  std::vector<std::string> names;  // the exact set: DNS and IP SANs, lower case, sorted, unique
  std::optional<Sha256Hash> issuer_key_hash;
  std::string issuer_dn;
  int64_t not_before_ms = 0;
  int64_t not_after_ms = 0;
};

// DNS and IP subjectAltNames, lower case, sorted, deduplicated (subject CNs are not part of it).
std::vector<std::string> ExactNameSet(const CertNames& names);
IssuanceSubject SubjectOf(const CertFacts& facts);

// An inventory certificate as the verdict sees it.
struct InventoryRef {
  int64_t id = 0;
  std::string name;    // lineage; may be empty
  std::string ca;      // may be empty (imports)
  std::string source;  // acme | import
};

// An expectation (acme_expectations): from an ACME order at finalize, or placed by hand.
struct ExpectationRef {
  int64_t id = 0;
  std::string source = "acme";  // acme | manual
  std::optional<int64_t> order_id;
  std::string ca;  // empty: any CA (manual)
  Sha256Hash spki_sha256{};
  std::vector<std::string> names;  // sorted exact set
  int64_t window_start_ms = 0;
  int64_t window_end_ms = 0;
  std::string state = "open";  // open | fulfilled | cancelled
  std::optional<Sha256Hash> identity;
  std::string note;
};

class OwnershipRecords {
 public:
  virtual ~OwnershipRecords() = default;
  virtual Result<std::optional<InventoryRef>> InventoryByIdentity(const Sha256Hash& identity) = 0;
  // True when some inventory certificate has this public key.
  virtual Result<bool> InventoryHasKey(const Sha256Hash& spki_sha256) = 0;
  // Every expectation (any state) for this public key, oldest first.
  virtual Result<std::vector<ExpectationRef>> ExpectationsForKey(const Sha256Hash& spki_sha256) = 0;
  // The issuer keys learned for a CA (ExpectedIssuers); empty while none is known.
  virtual Result<std::vector<Sha256Hash>> IssuerKeysOf(const std::string& ca) = 0;
  // The earliest log timestamp of a stored sighting of this identity, if any.
  virtual Result<std::optional<int64_t>> FirstSeenMs(const Sha256Hash& identity) = 0;
  // Changes whenever the inventory or the expectations change (lets a reconciliation skip
  // foreign verdicts nothing could have changed).
  virtual Result<std::string> Generation() = 0;
};

struct IssuanceDecision {
  Verdict verdict = Verdict::kForeign;
  Severity severity = Severity::kHigh;  // of the foreign_issuance finding
  std::string detail;                   // why: for the sighting, and the finding
};

// The verdict for `subject` first seen (log timestamp) at `seen_ms`, at `now_ms`.
Result<IssuanceDecision> DecideIssuance(const IssuanceSubject& subject, int64_t seen_ms,
                                        int64_t now_ms, const IssuancePolicy& policy,
                                        OwnershipRecords* records);

// True when authorization `a` covers every name of `names` (see IssuanceAuthorization).
bool AuthorizationCovers(const IssuanceAuthorization& a, const std::vector<std::string>& names,
                         std::string* uncovered = nullptr);

// The foreign_issuance finding for a decision: dedup key "foreign_issuance:<identity hex>" (one
// per certificate, precertificate and certificate alike), `owned_names` as its names, and a
// detail that says why the certificate is not ours and carries its names, issuer, key,
// validity and where it was logged.
FindingDraft ForeignIssuanceFinding(const IssuanceSubject& subject,
                                    const IssuanceDecision& decision,
                                    const std::vector<std::string>& owned_names,
                                    const std::string& log, uint64_t index);

}  // namespace ctwatch
