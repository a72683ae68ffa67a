// LogSigner: see log_signer.h. Thread-safety: immutable after Create.
#include "testlog/log_signer.h"

#include <openssl/ec.h>
#include <openssl/pem.h>

#include "core/byte_reader.h"
#include "core/sha256.h"
#include "ctlog/tree_head.h"

namespace ctwatch::testlog {

Result<LogSigner> LogSigner::Create() {
  EVP_PKEY* raw = EVP_EC_gen("P-256");
  if (raw == nullptr) return MakeError(ErrorCode::kInternal, "EVP_EC_gen: " + OpenSslErrors());
  LogSigner signer;
  signer.key_ = std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free);
  CTW_ASSIGN_OR_RETURN(signer.spki_, PublicKeyToDer(raw));
  signer.log_id_ = Sha256(signer.spki_);
  return signer;
}

std::string LogSigner::PublicKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) return std::string();
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<Bytes> LogSigner::SignDigitallySigned(ByteView message) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return MakeError(ErrorCode::kInternal, "EVP_MD_CTX_new failed");
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    return MakeError(ErrorCode::kInternal, "EVP_DigestSignInit: " + OpenSslErrors());
  }
  size_t sig_len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &sig_len, message.data(), message.size()) != 1) {
    return MakeError(ErrorCode::kInternal, "EVP_DigestSign: " + OpenSslErrors());
  }
  Bytes sig(sig_len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &sig_len, message.data(), message.size()) != 1) {
    return MakeError(ErrorCode::kInternal, "EVP_DigestSign: " + OpenSslErrors());
  }
  sig.resize(sig_len);
  Bytes out;
  out.reserve(sig.size() + 4);
  out.push_back(4);  // HashAlgorithm sha256
  out.push_back(3);  // SignatureAlgorithm ecdsa
  AppendPrefixed(&out, sig, 2);
  return out;
}

Result<Bytes> LogSigner::SignTreeHead(uint64_t timestamp_ms, uint64_t tree_size,
                                      const Sha256Hash& root) const {
  return SignDigitallySigned(TreeHeadSignatureInput(timestamp_ms, tree_size, root));
}

Result<Bytes> LogSigner::SctListForPrecert(uint64_t timestamp_ms, const Sha256Hash& issuer_key_hash,
                                           ByteView tbs) const {
  // digitally-signed struct { Version sct_version; SignatureType signature_type =
  //   certificate_timestamp; uint64 timestamp; LogEntryType entry_type = precert_entry;
  //   PreCert signed_entry; CtExtensions extensions; }   (RFC 6962 §3.2)
  Bytes input;
  input.push_back(0);  // v1
  input.push_back(0);  // certificate_timestamp
  AppendUint(&input, timestamp_ms, 8);
  AppendUint(&input, 1, 2);  // precert_entry
  input.insert(input.end(), issuer_key_hash.begin(), issuer_key_hash.end());
  AppendPrefixed(&input, tbs, 3);
  AppendUint(&input, 0, 2);  // no extensions
  CTW_ASSIGN_OR_RETURN(Bytes signature, SignDigitallySigned(input));

  // struct { Version sct_version; LogID id; uint64 timestamp; CtExtensions extensions;
  //   digitally-signed ...; } SignedCertificateTimestamp;
  Bytes sct;
  sct.push_back(0);
  sct.insert(sct.end(), log_id_.begin(), log_id_.end());
  AppendUint(&sct, timestamp_ms, 8);
  AppendUint(&sct, 0, 2);
  sct.insert(sct.end(), signature.begin(), signature.end());
  // SignedCertificateTimestampList: SerializedSCT sct_list<1..2^16-1>, each <1..2^16-1>.
  Bytes one;
  AppendPrefixed(&one, sct, 2);
  Bytes list;
  AppendPrefixed(&list, one, 2);
  return list;
}

void CorruptDigitallySigned(Bytes* digitally_signed) {
  if (!digitally_signed->empty()) digitally_signed->back() ^= 0x01;
}

}  // namespace ctwatch::testlog
