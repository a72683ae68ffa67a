// LogSigner: one test log's ECDSA P-256 key and what is signed with it: RFC 6962 §3.5 tree
// head signatures, §3.2 SCTs for precertificates, in a TLS DigitallySigned (RFC 5246 §4.7:
// hash 4 = SHA-256, signature 3 = ECDSA, u16 length, DER signature).
// Thread-safety: immutable after Create; Sign* may be called from any thread (each call uses
// its own EVP_MD_CTX over the shared, read-only key).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/openssl_util.h"
#include "core/result.h"

namespace ctwatch::testlog {

class LogSigner {
 public:
  static Result<LogSigner> Create();  // a fresh random key

  const Bytes& spki() const { return spki_; }           // SubjectPublicKeyInfo DER
  const Sha256Hash& log_id() const { return log_id_; }  // SHA-256(spki)
  std::string PublicKeyPem() const;

  // DigitallySigned over `message` with SHA-256 and ECDSA.
  Result<Bytes> SignDigitallySigned(ByteView message) const;
  Result<Bytes> SignTreeHead(uint64_t timestamp_ms, uint64_t tree_size,
                             const Sha256Hash& root) const;

  // A v1 SignedCertificateTimestamp (RFC 6962 §3.2) over a log entry: `entry_type` 0 (x509,
  // `signed_entry` = the certificate DER) or 1 (precert, `signed_entry` = issuer_key_hash
  // followed by the TBS); `extensions` the CtExtensions contents. Returns the signature
  // (DigitallySigned); the SCT is (version 0, log_id, timestamp, extensions, signature).
  Result<Bytes> SignSct(uint64_t timestamp_ms, uint16_t entry_type, ByteView signed_entry,
                        ByteView extensions) const;

  // A SignedCertificateTimestampList (RFC 6962 §3.3) holding one v1 SCT for a precert entry
  // with this TBS and issuer key hash: the contents of the SCT-list extension's OCTET STRING.
  Result<Bytes> SctListForPrecert(uint64_t timestamp_ms, const Sha256Hash& issuer_key_hash,
                                  ByteView tbs) const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
  Bytes spki_;
  Sha256Hash log_id_{};
};

// Makes a DigitallySigned invalid while keeping it well-formed: flips a bit of the last byte
// of the DER signature (the low byte of s).
void CorruptDigitallySigned(Bytes* digitally_signed);

}  // namespace ctwatch::testlog
