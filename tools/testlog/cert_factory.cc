// CertificateFactory: see cert_factory.h. Thread-safety: const methods only read the CAs.
#include "testlog/cert_factory.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>

#include "core/der.h"
#include "core/sha256.h"
#include "testlog/log_signer.h"

namespace ctwatch::testlog {
namespace {

Error SslError(const std::string& what) {
  return MakeError(ErrorCode::kInternal, what + ": " + OpenSslErrors());
}

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
struct ExtensionDeleter {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct OctetStringDeleter {
  void operator()(ASN1_OCTET_STRING* p) const { ASN1_OCTET_STRING_free(p); }
};
struct BignumDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, ExtensionDeleter>;

Status AddConfExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext) return SslError(std::string("extension ") + OBJ_nid2sn(nid));
  if (X509_add_ext(cert, ext.get(), -1) != 1) return SslError("X509_add_ext");
  return OkStatus();
}

// Adds an extension whose extnValue contents are the DER bytes `value`.
Status AddRawExtension(X509* cert, int nid, bool critical, ByteView value) {
  std::unique_ptr<ASN1_OCTET_STRING, OctetStringDeleter> octets(ASN1_OCTET_STRING_new());
  if (!octets ||
      ASN1_OCTET_STRING_set(octets.get(), value.data(), static_cast<int>(value.size())) != 1) {
    return SslError("ASN1_OCTET_STRING_set");
  }
  ExtensionPtr ext(X509_EXTENSION_create_by_NID(nullptr, nid, critical ? 1 : 0, octets.get()));
  if (!ext) return SslError("X509_EXTENSION_create_by_NID");
  if (X509_add_ext(cert, ext.get(), -1) != 1) return SslError("X509_add_ext");
  return OkStatus();
}

void DeleteExtension(X509* cert, int nid) {
  for (int loc = X509_get_ext_by_NID(cert, nid, -1); loc >= 0;
       loc = X509_get_ext_by_NID(cert, nid, -1)) {
    ExtensionPtr gone(X509_delete_ext(cert, loc));
  }
}

Status AddSubjectAltNames(X509* cert, const std::vector<std::string>& names) {
  std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> gens(sk_GENERAL_NAME_new_null());
  if (!gens) return SslError("sk_GENERAL_NAME_new_null");
  for (const std::string& name : names) {
    GENERAL_NAME* gen = GENERAL_NAME_new();
    if (gen == nullptr) return SslError("GENERAL_NAME_new");
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str());
    if (ip != nullptr) {
      GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
    } else {
      ERR_clear_error();
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if (dns == nullptr || ASN1_STRING_set(dns, name.data(), static_cast<int>(name.size())) != 1) {
        ASN1_IA5STRING_free(dns);
        GENERAL_NAME_free(gen);
        return SslError("ASN1_STRING_set");
      }
      GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
    }
    if (sk_GENERAL_NAME_push(gens.get(), gen) <= 0) {
      GENERAL_NAME_free(gen);
      return SslError("sk_GENERAL_NAME_push");
    }
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, gens.get(), 0, X509V3_ADD_APPEND) != 1) {
    return SslError("subjectAltName");
  }
  return OkStatus();
}

Status SetSerial(X509* cert, ByteView serial) {
  // Sized up front (an empty serial becomes 01): push_back here trips a GCC 12 -O2 false
  // positive (-Wfree-nonheap-object).
  Bytes bytes(std::max<size_t>(serial.size(), 1), 0x01);
  std::copy(serial.begin(), serial.end(), bytes.begin());
  bytes[0] |= 0x01;  // never zero
  std::unique_ptr<BIGNUM, BignumDeleter> bn(
      BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return SslError("serial");
  }
  return OkStatus();
}

Status SetName(X509_NAME* name, const char* organization, const std::string& common_name) {
  if (organization != nullptr &&
      X509_NAME_add_entry_by_NID(name, NID_organizationName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(organization), -1, -1,
                                 0) != 1) {
    return SslError("O");
  }
  // ub-common-name is 64 (RFC 5280 App. A); longer names live in the SAN only.
  if (!common_name.empty() && common_name.size() <= 64 &&
      X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1) {
    return SslError("CN");
  }
  return OkStatus();
}

Status SetValidity(X509* cert, int64_t not_before_s, int64_t not_after_s) {
  if (ASN1_TIME_set(X509_getm_notBefore(cert), static_cast<time_t>(not_before_s)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(not_after_s)) == nullptr) {
    return SslError("validity");
  }
  return OkStatus();
}

Status Sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) return SslError("X509_sign");
  return OkStatus();
}

Result<EvpPkeyPtr> NewKey() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return SslError("EVP_EC_gen");
  return key;
}

}  // namespace

Result<Bytes> CertificateToDer(X509* cert) {
  const int len = i2d_X509(cert, nullptr);
  if (len <= 0) return SslError("i2d_X509");
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d_X509(cert, &p) != len) return SslError("i2d_X509");
  return out;
}

Result<Bytes> TbsToDer(X509* cert) {
  const int len = i2d_re_X509_tbs(cert, nullptr);
  if (len <= 0) return SslError("i2d_re_X509_tbs");
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d_re_X509_tbs(cert, &p) != len) return SslError("i2d_re_X509_tbs");
  return out;
}

Result<Bytes> PrecertFormTbsWithOpenSsl(ByteView certificate_der) {
  const unsigned char* p = certificate_der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(certificate_der.size())));
  if (!cert || p != certificate_der.data() + certificate_der.size()) {
    return MakeError(ErrorCode::kParse, "not one DER certificate");
  }
  DeleteExtension(cert.get(), NID_ct_precert_scts);
  DeleteExtension(cert.get(), NID_ct_precert_poison);
  return TbsToDer(cert.get());
}

Result<std::unique_ptr<CertificateFactory>> CertificateFactory::Create() {
  std::unique_ptr<CertificateFactory> f(new CertificateFactory());
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  const int64_t year = 365LL * 86400;

  // Root: self-signed, CA:TRUE.
  CTW_ASSIGN_OR_RETURN(f->root_.key, NewKey());
  f->root_.cert.reset(X509_new());
  X509* root = f->root_.cert.get();
  if (root == nullptr || X509_set_version(root, X509_VERSION_3) != 1) return SslError("X509_new");
  CTW_RETURN_IF_ERROR(SetSerial(root, AsBytes("ctwatch-root")));
  CTW_RETURN_IF_ERROR(
      SetName(X509_get_subject_name(root), "ctwatch test PKI", "ctwatch Test Root CA R1"));
  if (X509_set_issuer_name(root, X509_get_subject_name(root)) != 1) return SslError("issuer");
  CTW_RETURN_IF_ERROR(SetValidity(root, now - year, now + 10 * year));
  if (X509_set_pubkey(root, f->root_.key.get()) != 1) return SslError("X509_set_pubkey");
  CTW_RETURN_IF_ERROR(AddConfExtension(root, root, NID_basic_constraints, "critical,CA:TRUE"));
  CTW_RETURN_IF_ERROR(AddConfExtension(root, root, NID_key_usage, "critical,keyCertSign,cRLSign"));
  CTW_RETURN_IF_ERROR(AddConfExtension(root, root, NID_subject_key_identifier, "hash"));
  CTW_RETURN_IF_ERROR(Sign(root, f->root_.key.get()));

  // Intermediate: signed by the root, CA:TRUE, pathlen 0.
  CTW_ASSIGN_OR_RETURN(f->inter_.key, NewKey());
  f->inter_.cert.reset(X509_new());
  X509* inter = f->inter_.cert.get();
  if (inter == nullptr || X509_set_version(inter, X509_VERSION_3) != 1) {
    return SslError("X509_new");
  }
  CTW_RETURN_IF_ERROR(SetSerial(inter, AsBytes("ctwatch-inter")));
  CTW_RETURN_IF_ERROR(
      SetName(X509_get_subject_name(inter), "ctwatch test PKI", "ctwatch Test Issuing CA E1"));
  if (X509_set_issuer_name(inter, X509_get_subject_name(root)) != 1) return SslError("issuer");
  CTW_RETURN_IF_ERROR(SetValidity(inter, now - year, now + 5 * year));
  if (X509_set_pubkey(inter, f->inter_.key.get()) != 1) return SslError("X509_set_pubkey");
  CTW_RETURN_IF_ERROR(
      AddConfExtension(inter, root, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  CTW_RETURN_IF_ERROR(AddConfExtension(inter, root, NID_key_usage,
                                       "critical,digitalSignature,keyCertSign,cRLSign"));
  CTW_RETURN_IF_ERROR(AddConfExtension(inter, root, NID_ext_key_usage, "serverAuth,clientAuth"));
  CTW_RETURN_IF_ERROR(AddConfExtension(inter, root, NID_subject_key_identifier, "hash"));
  CTW_RETURN_IF_ERROR(AddConfExtension(inter, root, NID_authority_key_identifier, "keyid:always"));
  CTW_RETURN_IF_ERROR(Sign(inter, f->root_.key.get()));

  CTW_ASSIGN_OR_RETURN(f->root_der_, CertificateToDer(root));
  CTW_ASSIGN_OR_RETURN(f->intermediate_der_, CertificateToDer(inter));
  CTW_ASSIGN_OR_RETURN(Bytes root_spki, PublicKeyToDer(f->root_.key.get()));
  CTW_ASSIGN_OR_RETURN(Bytes inter_spki, PublicKeyToDer(f->inter_.key.get()));
  f->root_key_hash_ = Sha256(root_spki);
  f->intermediate_key_hash_ = Sha256(inter_spki);
  return f;
}

Result<X509Ptr> CertificateFactory::BuildLeaf(const CertificateRequest& request,
                                              EvpPkeyPtr* key_out) const {
  if (request.names.empty()) return MakeError(ErrorCode::kInvalidArgument, "no names");
  const Ca& ca = CaFor(request.issuer);
  CTW_ASSIGN_OR_RETURN(EvpPkeyPtr key, NewKey());
  X509Ptr cert(X509_new());
  X509* x = cert.get();
  if (x == nullptr || X509_set_version(x, X509_VERSION_3) != 1) return SslError("X509_new");
  CTW_RETURN_IF_ERROR(SetSerial(x, request.serial));
  CTW_RETURN_IF_ERROR(SetName(X509_get_subject_name(x), nullptr, request.names.front()));
  if (X509_set_issuer_name(x, X509_get_subject_name(ca.cert.get())) != 1) {
    return SslError("issuer");
  }
  CTW_RETURN_IF_ERROR(SetValidity(x, request.not_before_s, request.not_after_s));
  if (X509_set_pubkey(x, key.get()) != 1) return SslError("X509_set_pubkey");
  X509* issuer = ca.cert.get();
  CTW_RETURN_IF_ERROR(AddConfExtension(x, issuer, NID_key_usage, "critical,digitalSignature"));
  CTW_RETURN_IF_ERROR(AddConfExtension(x, issuer, NID_ext_key_usage, "serverAuth,clientAuth"));
  CTW_RETURN_IF_ERROR(AddConfExtension(x, issuer, NID_basic_constraints, "critical,CA:FALSE"));
  CTW_RETURN_IF_ERROR(AddConfExtension(x, issuer, NID_subject_key_identifier, "hash"));
  CTW_RETURN_IF_ERROR(AddConfExtension(x, issuer, NID_authority_key_identifier, "keyid:always"));
  CTW_RETURN_IF_ERROR(AddSubjectAltNames(x, request.names));
  *key_out = std::move(key);
  return cert;
}

Result<IssuedCertificate> CertificateFactory::IssueCertificate(
    const CertificateRequest& request) const {
  EvpPkeyPtr key;
  CTW_ASSIGN_OR_RETURN(X509Ptr cert, BuildLeaf(request, &key));
  CTW_RETURN_IF_ERROR(Sign(cert.get(), CaFor(request.issuer).key.get()));
  IssuedCertificate out;
  CTW_ASSIGN_OR_RETURN(out.der, CertificateToDer(cert.get()));
  CTW_ASSIGN_OR_RETURN(out.tbs, TbsToDer(cert.get()));
  out.identity = Sha256(out.tbs);
  return out;
}

Result<PrecertAndCertificate> CertificateFactory::IssuePrecertAndCertificate(
    const CertificateRequest& request, const LogSigner* sct_signer,
    uint64_t sct_timestamp_ms) const {
  EvpPkeyPtr key;
  CTW_ASSIGN_OR_RETURN(X509Ptr cert, BuildLeaf(request, &key));
  X509* x = cert.get();
  EVP_PKEY* ca_key = CaFor(request.issuer).key.get();
  const Sha256Hash& issuer_key_hash =
      request.issuer == IssuerCa::kRoot ? root_key_hash_ : intermediate_key_hash_;

  // The precert-form TBS: every extension but the last one (poison / SCT list), signed so
  // that the TBS signature AlgorithmIdentifier is set.
  PrecertAndCertificate out;
  CTW_RETURN_IF_ERROR(Sign(x, ca_key));
  CTW_ASSIGN_OR_RETURN(out.tbs, TbsToDer(x));
  out.identity = Sha256(out.tbs);

  // Precertificate: + critical poison extension (value NULL), RFC 6962 §3.1.
  static const uint8_t kDerNull[] = {0x05, 0x00};
  CTW_RETURN_IF_ERROR(AddRawExtension(x, NID_ct_precert_poison, true, kDerNull));
  CTW_RETURN_IF_ERROR(Sign(x, ca_key));
  CTW_ASSIGN_OR_RETURN(out.precert_der, CertificateToDer(x));

  // Final certificate: poison replaced by the SCT list (extnValue = OCTET STRING of the
  // TLS-encoded SignedCertificateTimestampList), RFC 6962 §3.3.
  Bytes sct_list;
  if (sct_signer != nullptr) {
    CTW_ASSIGN_OR_RETURN(sct_list,
                         sct_signer->SctListForPrecert(sct_timestamp_ms, issuer_key_hash, out.tbs));
  } else {
    sct_list = {0x00, 0x02, 0x00, 0x00};  // structure only
  }
  Bytes ext_value;
  AppendDerHeader(&ext_value, der::kOctetString, sct_list.size());
  ext_value.insert(ext_value.end(), sct_list.begin(), sct_list.end());
  DeleteExtension(x, NID_ct_precert_poison);
  CTW_RETURN_IF_ERROR(AddRawExtension(x, NID_ct_precert_scts, false, ext_value));
  CTW_RETURN_IF_ERROR(Sign(x, ca_key));
  CTW_ASSIGN_OR_RETURN(out.cert_der, CertificateToDer(x));
  return out;
}

}  // namespace ctwatch::testlog
