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

Result<Bytes> LogSigner::SignSct(uint64_t timestamp_ms, uint16_t entry_type,
                                 ByteView signed_entry, ByteView extensions) const {
  // digitally-signed struct { Version sct_version; SignatureType signature_type =
  //   certificate_timestamp; uint64 timestamp; LogEntryType entry_type; select(entry_type) {
  //   case x509_entry: ASN.1Cert; case precert_entry: PreCert; } signed_entry;
  //   CtExtensions extensions; }   (RFC 6962 §3.2)
  Bytes input;
  input.reserve(signed_entry.size() + extensions.size() + 32);
  input.push_back(0);  // v1
  input.push_back(0);  // certificate_timestamp
  AppendUint(&input, timestamp_ms, 8);
  AppendUint(&input, entry_type, 2);
  if (entry_type == 0) {
    AppendPrefixed(&input, signed_entry, 3);  // opaque ASN.1Cert<1..2^24-1>
  } else {
    // PreCert { opaque issuer_key_hash[32]; TBSCertificate tbs_certificate<1..2^24-1>; }
    if (signed_entry.size() < 32) return MakeError(ErrorCode::kInvalidArgument, "short PreCert");
    input.insert(input.end(), signed_entry.begin(), signed_entry.begin() + 32);
    AppendPrefixed(&input, signed_entry.subspan(32), 3);
  }
  AppendPrefixed(&input, extensions, 2);
  return SignDigitallySigned(input);
}

Result<Bytes> LogSigner::SctListForPrecert(uint64_t timestamp_ms, const Sha256Hash& issuer_key_hash,
                                           ByteView tbs) const {
  Bytes signed_entry(issuer_key_hash.begin(), issuer_key_hash.end());
  signed_entry.insert(signed_entry.end(), tbs.begin(), tbs.end());
  CTW_ASSIGN_OR_RETURN(Bytes signature, SignSct(timestamp_ms, 1, signed_entry, {}));

  // struct { Version sct_version; LogID id; uint64 timestamp; CtExtensions extensions;
  //   digitally-signed ...; } SignedCertificateTimestamp;
  Bytes sct;
  sct.reserve(64 + signature.size());
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
