// The issuance verdict; see verdict.h. Thread-safety: pure apart from the records.
#include "issuance/verdict.h"

#include <algorithm>

#include "cert/dns_name.h"
#include "core/clock.h"
#include "core/encoding.h"

namespace ctwatch {
namespace {

std::string Key(const Sha256Hash& hash) { return "sha256:" + HexEncode(hash); }

std::string Join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string Time(int64_t ms) { return FormatTimeMs(ms); }

std::string ExpectationName(const ExpectationRef& e) {
  std::string out = "expectation #" + std::to_string(e.id) + " (";
  if (e.source == "manual") {
    out += "placed by hand";
    if (!e.note.empty()) out += ": " + e.note;
  } else {
    out += "ACME order #" + (e.order_id ? std::to_string(*e.order_id) : std::string("?"));
  }
  return out + ", " + (e.ca.empty() ? std::string("any CA") : "CA " + e.ca) + ")";
}

// Why `e` does not explain `s` (empty when it does); `accepted_note` says how the issuer
// was accepted.
Result<std::string> ExpectationMismatch(const ExpectationRef& e, const IssuanceSubject& s,
                                        int64_t seen_ms, int64_t now_ms, OwnershipRecords* records,
                                        std::string* accepted_note) {
  const std::string name = ExpectationName(e);
  if (e.state == "cancelled") return name + " was cancelled";
  if (e.state == "fulfilled") {
    return name + " was fulfilled by another certificate" +
           (e.identity ? " (identity " + HexEncode(*e.identity) + ")" : std::string());
  }
  if (e.names != s.names) {
    return name + " is for exactly {" + Join(e.names) + "}, the certificate names {" +
           Join(s.names) + "}";
  }
  if (!e.ca.empty()) {
    CTW_ASSIGN_OR_RETURN(std::vector<Sha256Hash> keys, records->IssuerKeysOf(e.ca));
    if (keys.empty()) {
      *accepted_note = "no issuer key of CA " + e.ca + " is known yet, so the issuer key " +
                       (s.issuer_key_hash ? Key(*s.issuer_key_hash) : std::string("(unknown)")) +
                       " was accepted";
    } else if (!s.issuer_key_hash.has_value()) {
      return name + ": the certificate's issuer key is unknown, CA " + e.ca + " issues with " +
             std::to_string(keys.size()) + " known key(s)";
    } else if (std::find(keys.begin(), keys.end(), *s.issuer_key_hash) == keys.end()) {
      std::vector<std::string> shown;
      for (const Sha256Hash& k : keys) shown.push_back(Key(k));
      return name + ": issuer key " + Key(*s.issuer_key_hash) + " is not one of CA " + e.ca +
             "'s (" + Join(shown) + ")";
    } else {
      *accepted_note = "issuer key " + Key(*s.issuer_key_hash) + " is one of CA " + e.ca + "'s";
    }
  } else {
    *accepted_note = "any issuer accepted";
  }
  const std::string window = Time(e.window_start_ms) + " .. " + Time(e.window_end_ms);
  if (seen_ms < e.window_start_ms || seen_ms > e.window_end_ms) {
    return name + ": first logged " + Time(seen_ms) + ", outside its window " + window;
  }
  if (now_ms > e.window_end_ms) {
    return name + ": its window " + window +
           " closed without the certificate reaching the inventory";
  }
  return std::string();
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kExpected:
      return "expected";
    case Verdict::kExpectedPending:
      return "expected_pending";
    case Verdict::kAuthorized:
      return "authorized";
    case Verdict::kForeign:
      return "foreign";
  }
  return "foreign";
}

std::optional<Verdict> ParseVerdict(std::string_view name) {
  for (Verdict v :
       {Verdict::kExpected, Verdict::kExpectedPending, Verdict::kAuthorized, Verdict::kForeign}) {
    if (name == VerdictName(v)) return v;
  }
  return std::nullopt;
}

std::vector<std::string> ExactNameSet(const CertNames& names) {
  std::vector<std::string> out;
  for (const std::string& n : names.dns_names) out.push_back(NormalizeDnsName(n));
  for (const std::string& ip : names.ip_addresses) out.push_back(ip);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

IssuanceSubject SubjectOf(const CertFacts& facts) {
  IssuanceSubject s;
  s.identity = facts.identity;
  s.spki_sha256 = facts.spki_sha256;
  s.names = ExactNameSet(facts.names);
  s.issuer_key_hash = facts.issuer_key_hash;
  s.issuer_dn = facts.issuer_dn;
  s.not_before_ms = facts.not_before_ms;
  s.not_after_ms = facts.not_after_ms;
  return s;
}

bool AuthorizationCovers(const IssuanceAuthorization& a, const std::vector<std::string>& names,
                         std::string* uncovered) {
  for (const std::string& name : names) {
    const bool covered = std::any_of(a.names.begin(), a.names.end(), [&](const std::string& e) {
      if (e.empty() || e[0] != '.') return e == name;
      // ".example.com": the domain and everything below it, wildcards included.
      const std::string_view domain = std::string_view(e).substr(1);
      const std::string_view n =
          name.rfind("*.", 0) == 0 ? std::string_view(name).substr(2) : std::string_view(name);
      return IsSameOrSubdomain(n, domain);
    });
    if (!covered) {
      if (uncovered != nullptr) *uncovered = name;
      return false;
    }
  }
  return !names.empty();
}

Result<IssuanceDecision> DecideIssuance(const IssuanceSubject& s, int64_t seen_ms, int64_t now_ms,
                                        const IssuancePolicy& policy, OwnershipRecords* records) {
  IssuanceDecision d;
  // (a) The identity is in the inventory.
  CTW_ASSIGN_OR_RETURN(std::optional<InventoryRef> owned, records->InventoryByIdentity(s.identity));
  if (owned.has_value()) {
    d.verdict = Verdict::kExpected;
    d.detail =
        "ours: inventory certificate #" + std::to_string(owned->id) +
        (owned->name.empty() ? std::string() : " (" + owned->name + ")") +
        (owned->source == "import" ? ", imported"
                                   : ", issued by CA " + (owned->ca.empty() ? "?" : owned->ca));
    return d;
  }
  std::vector<std::string> why;
  why.push_back("no inventory certificate has identity " + HexEncode(s.identity));

  // (b) An open expectation: same key, same names, issuer key among the CA's, in its window.
  CTW_ASSIGN_OR_RETURN(std::vector<ExpectationRef> expectations,
                       records->ExpectationsForKey(s.spki_sha256));
  std::vector<std::string> mismatches;
  for (const ExpectationRef& e : expectations) {
    std::string accepted;
    CTW_ASSIGN_OR_RETURN(std::string mismatch,
                         ExpectationMismatch(e, s, seen_ms, now_ms, records, &accepted));
    if (mismatch.empty()) {
      d.verdict = Verdict::kExpectedPending;
      d.detail = "ours once it reaches the inventory: " + ExpectationName(e) +
                 ": same key, exactly the same names, " + accepted + ", first logged " +
                 Time(seen_ms) + " inside the window " + Time(e.window_start_ms) + " .. " +
                 Time(e.window_end_ms);
      return d;
    }
    mismatches.push_back(std::move(mismatch));
  }
  if (expectations.empty()) {
    why.push_back("no expectation for key " + Key(s.spki_sha256));
  } else {
    // The newest few say the most.
    const size_t shown = std::min<size_t>(mismatches.size(), 3);
    std::vector<std::string> last(mismatches.end() - static_cast<ptrdiff_t>(shown),
                                  mismatches.end());
    why.push_back("no matching expectation: " + Join(last, "; "));
  }

  // (c) An authorization in the policy for this key and every one of these names.
  bool authorized_key = false;
  std::vector<std::string> not_covering;
  for (const IssuanceAuthorization& a : policy.authorizations) {
    if (a.spki_sha256 != s.spki_sha256) continue;
    authorized_key = true;
    std::string uncovered;
    if (AuthorizationCovers(a, s.names, &uncovered)) {
      d.verdict = Verdict::kAuthorized;
      d.detail = "authorized: authorization \"" + a.label + "\" allows key " + Key(s.spki_sha256) +
                 " for " + Join(s.names);
      return d;
    }
    not_covering.push_back("authorization \"" + a.label + "\" does not cover " + uncovered);
  }
  why.push_back(authorized_key ? Join(not_covering, "; ")
                               : "no authorization for key " + Key(s.spki_sha256));

  // Foreign. How bad: an issuer key outside the allowed issuers, or a key we never used.
  d.verdict = Verdict::kForeign;
  std::vector<std::string> critical;
  if (!policy.allowed_issuers.empty()) {
    const bool allowed =
        s.issuer_key_hash.has_value() &&
        std::any_of(policy.allowed_issuers.begin(), policy.allowed_issuers.end(),
                    [&](const AllowedIssuer& i) { return i.spki_sha256 == *s.issuer_key_hash; });
    if (!allowed) critical.push_back("the issuer key is not one of the allowed issuers");
  }
  CTW_ASSIGN_OR_RETURN(bool key_in_inventory, records->InventoryHasKey(s.spki_sha256));
  if (!key_in_inventory && expectations.empty() && !authorized_key) {
    critical.push_back("the public key was never ours");
  }
  d.severity = critical.empty() ? Severity::kHigh : Severity::kCritical;
  d.detail = "not ours: " + Join(why, "; ");
  if (!critical.empty()) d.detail += " (critical: " + Join(critical, ", ") + ")";
  return d;
}

FindingDraft ForeignIssuanceFinding(const IssuanceSubject& s, const IssuanceDecision& decision,
                                    const std::vector<std::string>& owned_names,
                                    const std::string& log, uint64_t index) {
  FindingDraft f;
  f.kind = "foreign_issuance";
  f.severity = decision.severity;
  f.identity = s.identity;
  f.names = owned_names;
  f.detail = "certificate for " + Join(s.names) + " that we did not issue: " + decision.detail +
             ". Issuer \"" + s.issuer_dn + "\" (key " +
             (s.issuer_key_hash ? Key(*s.issuer_key_hash) : std::string("unknown")) +
             "), public key " + Key(s.spki_sha256) + ", valid " + Time(s.not_before_ms) + " .. " +
             Time(s.not_after_ms) + ", logged in " + log + " at index " + std::to_string(index) +
             ", identity " + HexEncode(s.identity);
  f.dedup_key = "foreign_issuance:" + HexEncode(s.identity);
  return f;
}

}  // namespace ctwatch
