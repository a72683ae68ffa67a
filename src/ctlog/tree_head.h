// Signed tree heads: RFC 6962 §3.5 get-sth JSON and the TreeHeadSignature over
// `version(0) || signature_type(1) || timestamp || tree_size || root` (§3.5), verified with a
// log's key (ECDSA P-256 or RSA, SHA-256, in a TLS DigitallySigned, RFC 5246 §4.7).
// LogVerifier is immutable after construction and therefore shareable across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "core/bytes.h"
#include "core/openssl_util.h"
#include "core/result.h"

namespace ctwatch {

struct SignedTreeHead {
  uint64_t tree_size = 0;
  uint64_t timestamp_ms = 0;
  Sha256Hash root{};
  Bytes signature;  // the whole DigitallySigned struct
};

// A TLS DigitallySigned (RFC 5246 §4.7) as CT uses it (RFC 6962 §2.1.4): hash algorithm 4
// (SHA-256), signature algorithm 1 (RSA PKCS#1 v1.5) or 3 (ECDSA), a u16-prefixed non-empty
// signature, and nothing after it. The view borrows from the parsed bytes.
struct DigitallySignedView {
  uint8_t hash_algorithm = 0;
  uint8_t signature_algorithm = 0;
  ByteView signature;
};
Result<DigitallySignedView> ParseDigitallySigned(ByteView data);

// The 50-byte input of the tree head signature.
Bytes TreeHeadSignatureInput(uint64_t timestamp_ms, uint64_t tree_size, const Sha256Hash& root);

// Parses a get-sth response body (bounded, strict: all four fields, right sizes, no trailing
// bytes in the signature struct).
Result<SignedTreeHead> ParseGetSth(std::string_view json);

class LogVerifier {
 public:
  // From the log's SubjectPublicKeyInfo DER (the `key` of a log list).
  static Result<LogVerifier> FromSpki(ByteView spki_der);
  static Result<LogVerifier> FromPem(std::string_view pem);

  const Sha256Hash& log_id() const { return log_id_; }  // SHA-256 of the SPKI
  const Bytes& spki() const { return spki_; }

  // Verifies a DigitallySigned (hash SHA-256; signature ECDSA or RSA as the key requires)
  // over `message`.
  Status VerifyDigitallySigned(ByteView message, ByteView digitally_signed) const;
  Status VerifyTreeHead(const SignedTreeHead& sth) const;

 private:
  Sha256Hash log_id_{};
  Bytes spki_;
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace ctwatch
