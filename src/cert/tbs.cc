// TBSCertificate parsing and re-encoding (RFC 5280 §4.1); see tbs.h.
// Thread-safety: pure functions over constant OID tables.
#include "cert/tbs.h"

#include "cert/asn1_time.h"
#include "cert/x509_name.h"
#include "core/der.h"

namespace ctwatch {

namespace oid {
namespace {
constexpr uint8_t kSubjectAltNameBytes[] = {0x55, 0x1d, 0x11};
constexpr uint8_t kAuthorityKeyIdBytes[] = {0x55, 0x1d, 0x23};
constexpr uint8_t kBasicConstraintsBytes[] = {0x55, 0x1d, 0x13};
constexpr uint8_t kCtSctListBytes[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02};
constexpr uint8_t kCtPoisonBytes[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x03};
constexpr uint8_t kCommonNameBytes[] = {0x55, 0x04, 0x03};
}  // namespace
const ByteView kSubjectAltName(kSubjectAltNameBytes);
const ByteView kAuthorityKeyId(kAuthorityKeyIdBytes);
const ByteView kBasicConstraints(kBasicConstraintsBytes);
const ByteView kCtSctList(kCtSctListBytes);
const ByteView kCtPoison(kCtPoisonBytes);
const ByteView kCommonName(kCommonNameBytes);
}  // namespace oid

namespace {

Error ParseError(const char* what) {
  return MakeError(ErrorCode::kParse, std::string("TBSCertificate: ") + what);
}

struct Extension {
  ByteView oid;
  ByteView value;  // extnValue OCTET STRING contents
  ByteView whole;  // the Extension element
};

bool ReadExtension(DerReader* list, Extension* ext) {
  // Extension ::= SEQUENCE {
  //      extnID      OBJECT IDENTIFIER,
  //      critical    BOOLEAN DEFAULT FALSE,
  //      extnValue   OCTET STRING }
  uint8_t tag;
  ByteView contents;
  if (!list->ReadAny(&tag, &contents, &ext->whole) || tag != der::kSequence) return false;
  DerReader r(contents);
  if (!r.Read(der::kOid, &ext->oid) || ext->oid.empty()) return false;
  ByteView critical;
  bool has_critical = false;
  if (!r.ReadOptional(der::kBoolean, &critical, &has_critical)) return false;
  // DER omits a FALSE default, but old CAs wrote it out: either value is accepted.
  if (has_critical && critical.size() != 1) return false;
  return r.Read(der::kOctetString, &ext->value) && r.empty();
}

// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
bool ReadAlgorithmIdentifier(DerReader* r, ByteView* whole) {
  ByteView contents;
  uint8_t tag;
  if (!r->ReadAny(&tag, &contents, whole) || tag != der::kSequence) return false;
  DerReader fields(contents);
  ByteView algorithm;
  if (!fields.Read(der::kOid, &algorithm) || algorithm.empty()) return false;
  ByteView params;
  if (!fields.empty() && !fields.ReadAny(&tag, &params)) return false;
  return fields.empty();
}

// Validates the extension list (contents of the Extensions SEQUENCE): one or more Extension
// elements. A repeated OID (RFC 5280 §4.2 forbids it) is tolerated here because real
// certificates carry repeated extensions that ctwatch never reads (two extendedKeyUsage, for
// example); FindExtension and TbsWithoutExtension refuse a repeated OID they are asked for.
bool IsValidExtensionList(ByteView list) {
  DerReader r(list);
  if (r.empty()) return false;  // Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
  while (!r.empty()) {
    Extension ext;
    if (!ReadExtension(&r, &ext)) return false;
  }
  return true;
}

// Finds the one extension with `extension_oid` in an extension list. *found is false when
// absent; fails when the list is malformed or holds the OID more than once.
Status FindUniqueExtension(ByteView list, ByteView extension_oid, Extension* ext, bool* found) {
  *found = false;
  DerReader r(list);
  while (!r.empty()) {
    Extension candidate;
    if (!ReadExtension(&r, &candidate)) return ParseError("malformed Extension");
    if (!Equal(candidate.oid, extension_oid)) continue;
    if (*found) return ParseError("extension appears more than once");
    *ext = candidate;
    *found = true;
  }
  return OkStatus();
}

size_t DerHeaderSize(size_t length) {
  size_t size = 2;
  if (length >= 128) {
    for (size_t l = length; l > 0; l >>= 8) ++size;
  }
  return size;
}

void Append(Bytes* out, ByteView bytes) { out->insert(out->end(), bytes.begin(), bytes.end()); }

}  // namespace

Result<std::optional<ByteView>> ParsedTbs::FindExtension(ByteView extension_oid) const {
  Extension ext;
  bool found = false;
  CTW_RETURN_IF_ERROR(FindUniqueExtension(extensions, extension_oid, &ext, &found));
  if (!found) return std::optional<ByteView>();
  return std::optional<ByteView>(ext.value);
}

Result<ParsedTbs> ParseTbs(ByteView tbs_der) {
  ParsedTbs out;
  DerReader input(tbs_der);
  // TBSCertificate  ::=  SEQUENCE  {
  if (!input.ReadWhole(der::kSequence, &out.tbs) || !input.empty()) {
    return ParseError("not a single SEQUENCE");
  }
  DerReader outer(out.tbs);
  DerReader tbs;
  if (!outer.Read(der::kSequence, &tbs)) return ParseError("not a SEQUENCE");

  //      version         [0]  EXPLICIT Version DEFAULT v1,
  //      Version  ::=  INTEGER  {  v1(0), v2(1), v3(2)  }
  ByteView version_wrapper;
  bool has_version = false;
  if (!tbs.ReadOptional(der::ContextConstructed(0), &version_wrapper, &has_version)) {
    return ParseError("bad version");
  }
  if (has_version) {
    DerReader v(version_wrapper);
    ByteView version;
    // An explicit v1 is not DER (DEFAULT) but occurs in old certificates; it is accepted.
    if (!v.Read(der::kInteger, &version) || !v.empty() || version.size() != 1 || version[0] > 2) {
      return ParseError("bad version");
    }
    out.version = version[0] + 1;
  }

  //      serialNumber         CertificateSerialNumber,
  //      CertificateSerialNumber  ::=  INTEGER
  // Serials are CA-chosen hints; non-minimal or negative encodings are kept as they are.
  if (!tbs.Read(der::kInteger, &out.serial) || out.serial.empty()) {
    return ParseError("bad serialNumber");
  }

  //      signature            AlgorithmIdentifier,
  if (!ReadAlgorithmIdentifier(&tbs, &out.signature_algorithm)) {
    return ParseError("bad signature AlgorithmIdentifier");
  }

  //      issuer               Name,
  if (!tbs.ReadWhole(der::kSequence, &out.issuer) ||
      !cert_internal::ForEachNameAttribute(out.issuer, [](const auto&) {})) {
    return ParseError("bad issuer Name");
  }

  //      validity             Validity,
  //      Validity ::= SEQUENCE { notBefore Time, notAfter Time }
  //      Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }
  DerReader validity;
  uint8_t time_tag;
  ByteView time;
  if (!tbs.Read(der::kSequence, &validity) || !validity.ReadAny(&time_tag, &time) ||
      !cert_internal::ParseAsn1Time(time_tag, time, &out.not_before_ms) ||
      !validity.ReadAny(&time_tag, &time) ||
      !cert_internal::ParseAsn1Time(time_tag, time, &out.not_after_ms) || !validity.empty()) {
    return ParseError("bad validity");
  }

  //      subject              Name,
  if (!tbs.ReadWhole(der::kSequence, &out.subject) ||
      !cert_internal::ForEachNameAttribute(out.subject, [](const auto&) {})) {
    return ParseError("bad subject Name");
  }

  //      subjectPublicKeyInfo SubjectPublicKeyInfo,
  //      SubjectPublicKeyInfo  ::=  SEQUENCE  {
  //           algorithm            AlgorithmIdentifier,
  //           subjectPublicKey     BIT STRING  }
  {
    DerReader spki;
    ByteView algorithm;
    if (!tbs.ReadWhole(der::kSequence, &out.spki)) return ParseError("bad subjectPublicKeyInfo");
    DerReader spki_outer(out.spki);
    if (!spki_outer.Read(der::kSequence, &spki) || !ReadAlgorithmIdentifier(&spki, &algorithm) ||
        !spki.Skip(der::kBitString) || !spki.empty()) {
      return ParseError("bad subjectPublicKeyInfo");
    }
  }

  //      issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
  //                           -- If present, version MUST be v2 or v3
  //      subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
  //                           -- If present, version MUST be v2 or v3
  //      UniqueIdentifier  ::=  BIT STRING
  for (int n : {1, 2}) {
    ByteView unique_id;
    bool present = false;
    if (!tbs.ReadOptional(der::ContextPrimitive(n), &unique_id, &present)) {
      return ParseError("bad unique identifier");
    }
    if (present && out.version < 2) return ParseError("unique identifier in a v1 certificate");
  }

  //      extensions      [3]  EXPLICIT Extensions OPTIONAL
  //                           -- If present, version MUST be v3
  //      }
  //      Extensions  ::=  SEQUENCE SIZE (1..MAX) OF Extension
  ByteView extensions_wrapper;
  bool has_extensions = false;
  if (!tbs.ReadOptional(der::ContextConstructed(3), &extensions_wrapper, &has_extensions)) {
    return ParseError("bad extensions");
  }
  if (has_extensions) {
    if (out.version != 3) return ParseError("extensions in a certificate older than v3");
    DerReader wrapper(extensions_wrapper);
    if (!wrapper.Read(der::kSequence, &out.extensions) || !wrapper.empty() ||
        !IsValidExtensionList(out.extensions)) {
      return ParseError("bad extensions");
    }
  }
  if (!tbs.empty()) return ParseError("trailing data");
  return out;
}

Result<ByteView> CertificateTbs(ByteView certificate_der) {
  // Certificate  ::=  SEQUENCE  {
  //      tbsCertificate       TBSCertificate,
  //      signatureAlgorithm   AlgorithmIdentifier,
  //      signatureValue       BIT STRING  }
  DerReader input(certificate_der);
  DerReader cert;
  if (!input.Read(der::kSequence, &cert) || !input.empty()) {
    return MakeError(ErrorCode::kParse, "Certificate: not a single SEQUENCE");
  }
  ByteView tbs;
  ByteView algorithm;
  if (!cert.ReadWhole(der::kSequence, &tbs) || !ReadAlgorithmIdentifier(&cert, &algorithm) ||
      !cert.Skip(der::kBitString) || !cert.empty()) {
    return MakeError(ErrorCode::kParse, "Certificate: malformed");
  }
  return tbs;
}

Result<Bytes> TbsWithoutExtension(ByteView tbs_der, ByteView extension_oid) {
  CTW_ASSIGN_OR_RETURN(const ParsedTbs parsed, ParseTbs(tbs_der));
  Extension found;
  bool has_found = false;
  CTW_RETURN_IF_ERROR(FindUniqueExtension(parsed.extensions, extension_oid, &found, &has_found));
  if (!has_found) return ToBytes(tbs_der);

  // ParseTbs guarantees that [3] is the last element of the TBS contents, so the TBS is
  // SEQUENCE { prefix ‖ [3] { SEQUENCE { before ‖ found ‖ after } } } and only the three
  // headers change.
  DerReader outer(parsed.tbs);
  DerReader fields;
  if (!outer.Read(der::kSequence, &fields)) return ParseError("not a SEQUENCE");
  const uint8_t* const contents_begin = fields.rest().data();
  ByteView prefix;
  for (;;) {
    uint8_t tag;
    ByteView value;
    ByteView whole;
    if (!fields.ReadAny(&tag, &value, &whole)) return ParseError("malformed");
    if (tag == der::ContextConstructed(3)) {
      prefix = ByteView(contents_begin, static_cast<size_t>(whole.data() - contents_begin));
      break;
    }
  }
  const uint8_t* const list_begin = parsed.extensions.data();
  const uint8_t* const list_end = list_begin + parsed.extensions.size();
  const ByteView before(list_begin, static_cast<size_t>(found.whole.data() - list_begin));
  const ByteView after(found.whole.data() + found.whole.size(),
                       static_cast<size_t>(list_end - (found.whole.data() + found.whole.size())));

  const size_t new_list_size = before.size() + after.size();
  size_t new_contents_size = prefix.size();
  if (new_list_size > 0) {
    const size_t new_sequence_size = DerHeaderSize(new_list_size) + new_list_size;
    new_contents_size += DerHeaderSize(new_sequence_size) + new_sequence_size;
  }
  Bytes out;
  out.reserve(DerHeaderSize(new_contents_size) + new_contents_size);
  AppendDerHeader(&out, der::kSequence, new_contents_size);
  Append(&out, prefix);
  if (new_list_size > 0) {
    AppendDerHeader(&out, der::ContextConstructed(3), DerHeaderSize(new_list_size) + new_list_size);
    AppendDerHeader(&out, der::kSequence, new_list_size);
    Append(&out, before);
    Append(&out, after);
  }
  return out;
}

}  // namespace ctwatch
