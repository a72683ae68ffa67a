// TBSCertificate parsing (RFC 5280 §4.1) over DER bytes, without OpenSSL: the hot path of the
// tailer reads the names of every log entry, so this must be cheap and must never trust a
// length. ParsedTbs holds views into the caller's buffer; keep the buffer alive.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

// Extension OIDs (DER contents bytes of the OBJECT IDENTIFIER) that CT cares about.
namespace oid {
extern const ByteView kSubjectAltName;      // 2.5.29.17
extern const ByteView kAuthorityKeyId;      // 2.5.29.35
extern const ByteView kBasicConstraints;    // 2.5.29.19
extern const ByteView kCtSctList;           // 1.3.6.1.4.1.11129.2.4.2 (embedded SCTs)
extern const ByteView kCtPoison;            // 1.3.6.1.4.1.11129.2.4.3 (precertificate poison)
extern const ByteView kCommonName;          // 2.5.4.3
}  // namespace oid

struct ParsedTbs {
  ByteView tbs;          // the whole TBSCertificate element (tag and length included)
  int version = 1;       // 1, 2 or 3
  ByteView serial;       // INTEGER contents bytes, as encoded (may carry a leading 0x00)
  ByteView signature_algorithm;  // AlgorithmIdentifier, whole element
  ByteView issuer;       // Name, whole element
  int64_t not_before_ms = 0;
  int64_t not_after_ms = 0;
  ByteView subject;      // Name, whole element
  ByteView spki;         // SubjectPublicKeyInfo, whole element
  ByteView extensions;   // contents of the Extensions SEQUENCE inside [3]; empty when absent

  // The value (OCTET STRING contents) of the extension with this OID, if present.
  // Fails on a malformed extensions list, and when the OID appears more than once (RFC 5280
  // §4.2 forbids it; which one counts would be ambiguous). ParseTbs tolerates repeats of
  // extensions nobody asks for.
  Result<std::optional<ByteView>> FindExtension(ByteView extension_oid) const;
};

// Parses a TBSCertificate element. Trailing bytes after it are an error.
Result<ParsedTbs> ParseTbs(ByteView tbs_der);

// The TBSCertificate element of a Certificate (SEQUENCE {tbs, sigAlg, signature}); the
// certificate must be one complete DER element.
Result<ByteView> CertificateTbs(ByteView certificate_der);

// Re-encodes `tbs_der` without the extension `extension_oid` (fixing every enclosing length).
// Returns the input unchanged when the extension is absent; fails when it appears twice. An
// Extensions SEQUENCE left empty is removed together with its [3] wrapper, as RFC 6962 §3.2
// precert TBS does.
Result<Bytes> TbsWithoutExtension(ByteView tbs_der, ByteView extension_oid);

// "CN=example.com, O=Example Inc, C=US" style rendering of a Name element (RFC 4514 order
// reversed as OpenSSL's oneline does not; we print in encoding order, comma separated).
// Unknown attribute types are printed as dotted OIDs; non-printable bytes as \xNN.
Result<std::string> FormatName(ByteView name_der);

}  // namespace ctwatch
