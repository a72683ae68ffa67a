// CertFacts and certificate identity (DESIGN.md "Core definitions"); see facts.h.
// Thread-safety: pure functions.
#include "cert/facts.h"

#include "cert/names.h"
#include "cert/tbs.h"
#include "core/der.h"
#include "core/encoding.h"
#include "core/sha256.h"

namespace ctwatch {
namespace {

Result<Bytes> AuthorityKeyIdentifier(const ParsedTbs& tbs) {
  CTW_ASSIGN_OR_RETURN(const std::optional<ByteView> value,
                       tbs.FindExtension(oid::kAuthorityKeyId));
  if (!value.has_value()) return Bytes();
  // AuthorityKeyIdentifier ::= SEQUENCE {
  //      keyIdentifier             [0] KeyIdentifier           OPTIONAL,
  //      authorityCertIssuer       [1] GeneralNames            OPTIONAL,
  //      authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL  }
  // KeyIdentifier ::= OCTET STRING
  DerReader outer(*value);
  DerReader aki;
  ByteView key_id;
  bool has_key_id = false;
  if (!outer.Read(der::kSequence, &aki) || !outer.empty() ||
      !aki.ReadOptional(der::ContextPrimitive(0), &key_id, &has_key_id)) {
    return MakeError(ErrorCode::kParse, "authorityKeyIdentifier: malformed");
  }
  return ToBytes(key_id);
}

Result<bool> IsCa(const ParsedTbs& tbs) {
  CTW_ASSIGN_OR_RETURN(const std::optional<ByteView> value,
                       tbs.FindExtension(oid::kBasicConstraints));
  if (!value.has_value()) return false;
  // BasicConstraints ::= SEQUENCE {
  //      cA                      BOOLEAN DEFAULT FALSE,
  //      pathLenConstraint       INTEGER (0..MAX) OPTIONAL }
  DerReader outer(*value);
  DerReader bc;
  ByteView ca;
  bool has_ca = false;
  ByteView path_len;
  bool has_path_len = false;
  if (!outer.Read(der::kSequence, &bc) || !outer.empty() ||
      !bc.ReadOptional(der::kBoolean, &ca, &has_ca) || (has_ca && ca.size() != 1) ||
      !bc.ReadOptional(der::kInteger, &path_len, &has_path_len) || !bc.empty()) {
    return MakeError(ErrorCode::kParse, "basicConstraints: malformed");
  }
  return has_ca && ca[0] != 0;
}

// Every field that comes from the TBS alone.
Result<CertFacts> FactsFromTbs(ByteView tbs_der) {
  CTW_ASSIGN_OR_RETURN(const ParsedTbs tbs, ParseTbs(tbs_der));
  CertFacts facts;
  CTW_ASSIGN_OR_RETURN(facts.names, cert_internal::NamesFromTbs(tbs));
  CTW_ASSIGN_OR_RETURN(facts.subject_dn, FormatName(tbs.subject));
  CTW_ASSIGN_OR_RETURN(facts.issuer_dn, FormatName(tbs.issuer));
  facts.serial_hex = HexEncode(tbs.serial);
  facts.not_before_ms = tbs.not_before_ms;
  facts.not_after_ms = tbs.not_after_ms;
  facts.spki_sha256 = Sha256(tbs.spki);
  CTW_ASSIGN_OR_RETURN(facts.authority_key_id, AuthorityKeyIdentifier(tbs));
  CTW_ASSIGN_OR_RETURN(facts.is_ca, IsCa(tbs));
  return facts;
}

// SHA-256 of the SubjectPublicKeyInfo of the certificate `issuer_der`.
Result<Sha256Hash> IssuerKeyHash(ByteView issuer_der) {
  CTW_ASSIGN_OR_RETURN(const ByteView tbs_der, CertificateTbs(issuer_der));
  CTW_ASSIGN_OR_RETURN(const ParsedTbs tbs, ParseTbs(tbs_der));
  return Sha256(tbs.spki);
}

// SHA-256 of `tbs_der` without the extension `extension_oid` (of `tbs_der` when absent).
Result<Sha256Hash> HashWithoutExtension(ByteView tbs_der, ByteView extension_oid) {
  CTW_ASSIGN_OR_RETURN(const Bytes precert_form, TbsWithoutExtension(tbs_der, extension_oid));
  return Sha256(precert_form);
}

Result<CertFacts> FactsFromCertificateWithout(ByteView certificate_der, ByteView issuer_der,
                                              ByteView removed_extension) {
  CTW_ASSIGN_OR_RETURN(const ByteView tbs_der, CertificateTbs(certificate_der));
  CTW_ASSIGN_OR_RETURN(CertFacts facts, FactsFromTbs(tbs_der));
  CTW_ASSIGN_OR_RETURN(facts.identity, HashWithoutExtension(tbs_der, removed_extension));
  facts.cert_sha256 = Sha256(certificate_der);
  if (!issuer_der.empty()) {
    auto issuer_key_hash = IssuerKeyHash(issuer_der);
    if (!issuer_key_hash.has_value()) return issuer_key_hash.error().WithContext("issuer");
    facts.issuer_key_hash = *issuer_key_hash;
  }
  return facts;
}

}  // namespace

const char* EntryTypeName(EntryType type) {
  switch (type) {
    case EntryType::kCert:
      return "cert";
    case EntryType::kPrecert:
      return "precert";
  }
  return "unknown";
}

Result<Sha256Hash> IdentityOfCertificate(ByteView certificate_der) {
  CTW_ASSIGN_OR_RETURN(const ByteView tbs_der, CertificateTbs(certificate_der));
  return HashWithoutExtension(tbs_der, oid::kCtSctList);
}

Result<CertFacts> FactsFromCertificate(ByteView certificate_der, ByteView issuer_der) {
  CTW_ASSIGN_OR_RETURN(CertFacts facts,
                       FactsFromCertificateWithout(certificate_der, issuer_der, oid::kCtSctList));
  facts.entry_type = EntryType::kCert;
  return facts;
}

Result<CertFacts> FactsFromPrecert(ByteView tbs_der, const Sha256Hash& issuer_key_hash,
                                   ByteView precertificate_der) {
  CTW_ASSIGN_OR_RETURN(CertFacts facts, FactsFromTbs(tbs_der));
  facts.identity = Sha256(tbs_der);
  if (!precertificate_der.empty()) facts.cert_sha256 = Sha256(precertificate_der);
  facts.entry_type = EntryType::kPrecert;
  facts.issuer_key_hash = issuer_key_hash;
  return facts;
}

Result<CertFacts> FactsFromPrecertificate(ByteView precertificate_der, ByteView issuer_der) {
  CTW_ASSIGN_OR_RETURN(const ByteView tbs_der, CertificateTbs(precertificate_der));
  CTW_ASSIGN_OR_RETURN(const ParsedTbs tbs, ParseTbs(tbs_der));
  CTW_ASSIGN_OR_RETURN(const std::optional<ByteView> poison, tbs.FindExtension(oid::kCtPoison));
  if (!poison.has_value()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "precertificate without the poison extension 1.3.6.1.4.1.11129.2.4.3");
  }
  CTW_ASSIGN_OR_RETURN(CertFacts facts,
                       FactsFromCertificateWithout(precertificate_der, issuer_der, oid::kCtPoison));
  facts.entry_type = EntryType::kPrecert;
  return facts;
}

}  // namespace ctwatch
