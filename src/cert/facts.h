// CertFacts: what ctwatch knows about one certificate or precertificate, and the certificate
// identity of DESIGN.md ("precert form" TBS hash), which is what dedup, "already seen" and
// "expected" key on.
// Thread-safety: pure functions; CertFacts is a value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

enum class EntryType { kCert, kPrecert };
const char* EntryTypeName(EntryType type);  // "cert" / "precert"

struct CertNames {
  std::vector<std::string> dns_names;     // SAN dNSName, as encoded (A-labels), lower-cased
  std::vector<std::string> ip_addresses;  // SAN iPAddress, textual (IPv4 dotted, IPv6 RFC 5952)
  std::vector<std::string> common_names;  // every subject CN, lower-cased, UTF-8
  // dNSName/CN values that contain a NUL byte yield both the full value (NUL written as
  // "\x00") and the prefix before the NUL, because a client that stops at NUL sees the prefix.
};

struct CertFacts {
  Sha256Hash identity{};        // SHA-256 of the TBS in precert form
  Sha256Hash cert_sha256{};     // SHA-256 of the certificate DER (of the precertificate for
                                // precert entries; zero when the precertificate is unknown)
  EntryType entry_type = EntryType::kCert;
  CertNames names;
  std::string subject_dn;
  std::string issuer_dn;
  std::string serial_hex;       // lower-case hex of the INTEGER contents bytes
  int64_t not_before_ms = 0;
  int64_t not_after_ms = 0;
  Sha256Hash spki_sha256{};     // SHA-256 of SubjectPublicKeyInfo DER
  std::optional<Sha256Hash> issuer_key_hash;  // SHA-256 of the issuer's SPKI, when known
  Bytes authority_key_id;       // AKI keyIdentifier, empty when absent
  bool is_ca = false;           // basicConstraints cA
};

// Every name to match on: DNS names, IP addresses and CNs, deduplicated, in that order.
std::vector<std::string> AllNames(const CertNames& names);

// Names only: the cheap path used on every log entry.
Result<CertNames> ExtractNames(ByteView tbs_der);

// Identity of an X.509 certificate: SHA-256 of its TBS without the SCT-list extension.
Result<Sha256Hash> IdentityOfCertificate(ByteView certificate_der);

// Facts of an x509_entry certificate. `issuer_der` (the first chain certificate), when given,
// supplies issuer_key_hash.
Result<CertFacts> FactsFromCertificate(ByteView certificate_der, ByteView issuer_der = {});

// Facts of a precert_entry: `tbs_der` and `issuer_key_hash` come from the leaf;
// `precertificate_der` (extra_data / pre_certificate), when given, supplies cert_sha256.
Result<CertFacts> FactsFromPrecert(ByteView tbs_der, const Sha256Hash& issuer_key_hash,
                                   ByteView precertificate_der = {});

// Facts of a precertificate as a CA returns it (with the poison extension): identity is the
// TBS with the poison removed. Used when a precertificate arrives outside a log.
Result<CertFacts> FactsFromPrecertificate(ByteView precertificate_der, ByteView issuer_der = {});

}  // namespace ctwatch
