// Scoped OpenSSL handles and helpers shared by the modules that touch libcrypto.
// OpenSSL naming: `get0_*` borrows (do not free), `get1_*`/`new`/`d2i_*` hands over ownership.
// Thread-safety: the handles are plain owners; the functions are safe from any thread.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

struct OpenSslDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpenSslDeleter>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter>;

// The queued OpenSSL errors as one line (and clears the queue).
std::string OpenSslErrors();

// Parses a DER SubjectPublicKeyInfo; the whole input must be consumed.
Result<EvpPkeyPtr> ParsePublicKeyDer(ByteView spki_der);
// Parses the first PEM "PUBLIC KEY" block.
Result<EvpPkeyPtr> ParsePublicKeyPem(std::string_view pem);
Result<Bytes> PublicKeyToDer(EVP_PKEY* key);

// Verifies `signature` over `message` with SHA-256 (ECDSA: DER signature; RSA: PKCS#1 v1.5).
Status VerifySha256Signature(EVP_PKEY* key, ByteView message, ByteView signature);

// Every certificate in a PEM text, as DER, in order.
Result<std::vector<Bytes>> PemCertificatesToDer(std::string_view pem);

}  // namespace ctwatch
