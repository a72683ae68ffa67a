#include "core/openssl_util.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace ctwatch {

std::string OpenSslErrors() {
  std::string out;
  unsigned long code;
  char buf[256];
  while ((code = ERR_get_error()) != 0) {
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

Result<EvpPkeyPtr> ParsePublicKeyDer(ByteView spki_der) {
  const unsigned char* p = spki_der.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
  if (!key) return MakeError(ErrorCode::kParse, "bad public key: " + OpenSslErrors());
  if (p != spki_der.data() + spki_der.size()) {
    return MakeError(ErrorCode::kParse, "trailing bytes after public key");
  }
  return key;
}

Result<EvpPkeyPtr> ParsePublicKeyPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return MakeError(ErrorCode::kParse, "bad PEM public key: " + OpenSslErrors());
  return key;
}

Result<Bytes> PublicKeyToDer(EVP_PKEY* key) {
  unsigned char* buf = nullptr;
  const int len = i2d_PUBKEY(key, &buf);
  if (len <= 0) return MakeError(ErrorCode::kInternal, "i2d_PUBKEY: " + OpenSslErrors());
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Status VerifySha256Signature(EVP_PKEY* key, ByteView message, ByteView signature) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    return MakeError(ErrorCode::kInternal, "EVP_DigestVerifyInit: " + OpenSslErrors());
  }
  const int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                                  message.size());
  ERR_clear_error();
  if (rc != 1) return MakeError(ErrorCode::kVerification, "signature does not verify");
  return OkStatus();
}

Result<std::vector<Bytes>> PemCertificatesToDer(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<Bytes> out;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) break;
    if (std::string_view(name) == "CERTIFICATE") out.emplace_back(data, data + len);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
  ERR_clear_error();
  if (out.empty()) return MakeError(ErrorCode::kParse, "no PEM CERTIFICATE block");
  return out;
}

}  // namespace ctwatch
