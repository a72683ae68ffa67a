#include "monitor/entry_judge.h"

#include "cert/tbs.h"
#include "core/log.h"

namespace ctwatch {

CertificateRecord ToCertificateRecord(const CertFacts& f, const LogEntry& e) {
  CertificateRecord r;
  r.identity = f.identity;
  r.entry_type = EntryTypeName(f.entry_type);
  if (f.cert_sha256 != Sha256Hash{}) r.cert_sha256 = f.cert_sha256;
  r.subject_dn = f.subject_dn;
  r.issuer_dn = f.issuer_dn;
  r.serial_hex = f.serial_hex;
  r.not_before_ms = f.not_before_ms;
  r.not_after_ms = f.not_after_ms;
  r.spki_sha256 = f.spki_sha256;
  r.issuer_key_hash = f.issuer_key_hash;
  r.authority_key_id = f.authority_key_id;
  r.names = AllNames(f.names);
  r.san_names = ExactNameSet(f.names);
  r.der = e.type == EntryType::kCert || e.precertificate.empty() ? e.certificate : e.precertificate;
  return r;
}

JudgedEntry JudgeEntry(LogEntry& e, const Matcher& matcher, const IssuanceJudge* issuance,
                       LogSource* source, const std::string& log_description) {
  JudgedEntry out;
  auto malformed = [&](std::string error) {
    out.kind = JudgedEntry::Kind::kMalformed;
    out.error = std::move(error);
    return out;
  };
  if (e.malformed()) return malformed(e.parse_error);
  ByteView tbs = e.certificate;
  if (e.type == EntryType::kCert) {
    Result<ByteView> t = CertificateTbs(e.certificate);
    if (!t.has_value()) return malformed("certificate: " + t.error().message);
    tbs = *t;
  }
  Result<CertNames> names = ExtractNames(tbs);
  if (!names.has_value()) return malformed("certificate: " + names.error().message);
  if (!matcher.Concerns(*names)) return out;

  // The chain (issuer key hash of a certificate; the precertificate of an RFC 6962 precert
  // entry) is needed only now; a static log's issuers may take a request the first time.
  if (!e.extra_data.empty() || (e.type == EntryType::kCert && !e.chain_fingerprints.empty())) {
    if (Status chain = source->FetchChain(&e); !chain.has_value()) {
      spdlog::warn("{}: entry {}: no chain: {}", log_description, e.index, chain.error().ToString());
    }
  }
  Result<CertFacts> facts =
      e.type == EntryType::kCert
          ? FactsFromCertificate(e.certificate, e.chain.empty() ? ByteView() : ByteView(e.chain[0]))
          : FactsFromPrecert(e.certificate, e.issuer_key_hash, e.precertificate);
  if (!facts.has_value()) return malformed("certificate: " + facts.error().message);
  out.kind = JudgedEntry::Kind::kMatched;
  out.match.index = e.index;
  out.match.timestamp_ms = e.timestamp_ms;
  out.match.certificate = ToCertificateRecord(*facts, e);
  out.match.findings = matcher.Judge(*facts);
  if (issuance != nullptr) {
    const std::vector<std::string> owned = matcher.OwnedNamesOf(*facts);
    if (!owned.empty()) {
      IssuanceOutcome verdict = issuance->Judge(*facts, owned, matcher.issuance_policy(),
                                                e.timestamp_ms, log_description, e.index);
      if (verdict.verdict.has_value()) out.match.verdict = VerdictName(*verdict.verdict);
      out.match.verdict_detail = std::move(verdict.detail);
      if (verdict.finding.has_value()) out.match.findings.push_back(std::move(*verdict.finding));
    }
  }
  return out;
}

}  // namespace ctwatch
