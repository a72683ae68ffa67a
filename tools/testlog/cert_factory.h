// CertificateFactory: the test PKI of the test log, built with OpenSSL at start: a root CA and
// an intermediate CA (ECDSA P-256), and leaf certificates, precertificates (RFC 6962 §3.1,
// poison extension 1.3.6.1.4.1.11129.2.4.3) and final certificates carrying an SCT list
// (1.3.6.1.4.1.11129.2.4.2). A precertificate and its final certificate share one TBS apart
// from that last extension, so both have the same certificate identity (DESIGN.md): the
// SHA-256 of the "precert form" TBS, which is what IssuedCertificate::tbs holds.
// Thread-safety: Issue* may be called from several threads at once (the CA keys and
// certificates are only read); serial numbers come from the caller.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/openssl_util.h"
#include "core/result.h"

namespace ctwatch::testlog {

class LogSigner;

enum class IssuerCa { kRoot, kIntermediate };

struct CertificateRequest {
  std::vector<std::string> names;  // DNS names or IP addresses; the first is the subject CN
  IssuerCa issuer = IssuerCa::kIntermediate;
  Bytes serial;              // big-endian, 1..20 bytes; made positive
  int64_t not_before_s = 0;  // Unix seconds
  int64_t not_after_s = 0;
};

struct IssuedCertificate {
  Bytes der;              // the certificate or the precertificate
  Bytes tbs;              // precert-form TBS: without poison and without SCT list
  Sha256Hash identity{};  // SHA-256(tbs)
};

struct PrecertAndCertificate {
  Bytes precert_der;  // with the poison extension
  Bytes cert_der;     // the same TBS with the SCT list in place of the poison
  Bytes tbs;          // the precert-form TBS (= the TBS in a precert_entry leaf)
  Sha256Hash identity{};
};

class CertificateFactory {
 public:
  // Creates the root and the intermediate (fresh keys; names fixed).
  static Result<std::unique_ptr<CertificateFactory>> Create();

  const Bytes& root_der() const { return root_der_; }
  const Bytes& intermediate_der() const { return intermediate_der_; }
  // SHA-256 of each CA's SubjectPublicKeyInfo DER (issuer_key_hash of RFC 6962 §3.2).
  const Sha256Hash& root_key_hash() const { return root_key_hash_; }
  const Sha256Hash& intermediate_key_hash() const { return intermediate_key_hash_; }

  // A final certificate without SCTs.
  Result<IssuedCertificate> IssueCertificate(const CertificateRequest& request) const;
  // A precertificate and its final certificate; `sct_signer` (may be null: then the SCT list
  // carries no valid signature but the same structure) signs the embedded SCT.
  Result<PrecertAndCertificate> IssuePrecertAndCertificate(const CertificateRequest& request,
                                                           const LogSigner* sct_signer,
                                                           uint64_t sct_timestamp_ms) const;

 private:
  CertificateFactory() = default;
  struct Ca {
    EvpPkeyPtr key;
    X509Ptr cert;
  };
  const Ca& CaFor(IssuerCa issuer) const { return issuer == IssuerCa::kRoot ? root_ : inter_; }
  Result<X509Ptr> BuildLeaf(const CertificateRequest& request, EvpPkeyPtr* key_out) const;

  Ca root_;
  Ca inter_;
  Bytes root_der_;
  Bytes intermediate_der_;
  Sha256Hash root_key_hash_{};
  Sha256Hash intermediate_key_hash_{};
};

// DER helpers used by the factory and the tests.
Result<Bytes> CertificateToDer(X509* cert);
Result<Bytes> TbsToDer(X509* cert);  // re-encodes the TBSCertificate

// The precert-form TBS of a DER certificate computed with OpenSSL (SCT list and poison
// removed): an implementation independent of src/cert, for cross-checks.
Result<Bytes> PrecertFormTbsWithOpenSsl(ByteView certificate_der);

}  // namespace ctwatch::testlog
