#include "acme/keys.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>

#include "core/file.h"
#include "core/log.h"
#include "core/sha256.h"

namespace ctwatch {
namespace {

struct ReqDeleter {
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(STACK_OF(X509_EXTENSION) * p) const {
    sk_X509_EXTENSION_pop_free(p, X509_EXTENSION_free);
  }
};

std::string GroupName(EVP_PKEY* key) {
  char name[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len) !=
      1) {
    return "";
  }
  return std::string(name, len);
}

}  // namespace

const char* KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kEcdsaP256:
      return "ec256";
    case KeyType::kEcdsaP384:
      return "ec384";
    case KeyType::kRsa2048:
      return "rsa2048";
    case KeyType::kRsa3072:
      return "rsa3072";
    case KeyType::kRsa4096:
      return "rsa4096";
  }
  return "?";
}

std::optional<KeyType> ParseKeyType(std::string_view text) {
  if (text == "ec256" || text == "ecdsa-p256" || text == "p256" || text == "P256") {
    return KeyType::kEcdsaP256;
  }
  if (text == "ec384" || text == "ecdsa-p384" || text == "p384" || text == "P384") {
    return KeyType::kEcdsaP384;
  }
  if (text == "rsa2048" || text == "rsa-2048" || text == "RSA2048") return KeyType::kRsa2048;
  if (text == "rsa3072" || text == "rsa-3072" || text == "RSA3072") return KeyType::kRsa3072;
  if (text == "rsa4096" || text == "rsa-4096" || text == "RSA4096") return KeyType::kRsa4096;
  return std::nullopt;
}

Result<EvpPkeyPtr> GenerateKey(KeyType type) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case KeyType::kEcdsaP256:
      key = EVP_EC_gen("P-256");
      break;
    case KeyType::kEcdsaP384:
      key = EVP_EC_gen("P-384");
      break;
    case KeyType::kRsa2048:
      key = EVP_RSA_gen(2048);
      break;
    case KeyType::kRsa3072:
      key = EVP_RSA_gen(3072);
      break;
    case KeyType::kRsa4096:
      key = EVP_RSA_gen(4096);
      break;
  }
  if (key == nullptr) {
    return MakeError(ErrorCode::kInternal, std::string("cannot generate a ") + KeyTypeName(type) +
                                               " key: " + OpenSslErrors());
  }
  return EvpPkeyPtr(key);
}

Result<KeyType> KeyTypeOf(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    const std::string group = GroupName(key);
    if (group == "prime256v1" || group == "P-256") return KeyType::kEcdsaP256;
    if (group == "secp384r1" || group == "P-384") return KeyType::kEcdsaP384;
    return MakeError(ErrorCode::kInvalidArgument, "unsupported EC curve " + group);
  }
  if (EVP_PKEY_is_a(key, "RSA")) {
    switch (EVP_PKEY_get_bits(key)) {
      case 2048:
        return KeyType::kRsa2048;
      case 3072:
        return KeyType::kRsa3072;
      case 4096:
        return KeyType::kRsa4096;
      default:
        return MakeError(ErrorCode::kInvalidArgument,
                         "unsupported RSA key size " + std::to_string(EVP_PKEY_get_bits(key)));
    }
  }
  return MakeError(ErrorCode::kInvalidArgument, "unsupported key algorithm");
}

Result<std::string> PrivateKeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return MakeError(ErrorCode::kInternal, "cannot encode private key: " + OpenSslErrors());
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<EvpPkeyPtr> PrivateKeyFromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    return MakeError(ErrorCode::kParse, "no usable PEM private key");
  }
  return key;
}

Result<EvpPkeyPtr> ReadPrivateKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    spdlog::warn("private key file {} is readable by group or others (mode {:o}); use 0600", path,
                 st.st_mode & 0777);
  }
  CTW_ASSIGN_OR_RETURN(std::string pem, ReadFile(path, 1u << 20));
  Result<EvpPkeyPtr> key = PrivateKeyFromPem(pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!key.has_value()) return MakeError(ErrorCode::kParse, path + ": no usable PEM private key");
  return key;
}

Status WritePrivateKeyFile(const std::string& path, EVP_PKEY* key) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) CTW_RETURN_IF_ERROR(MakeDirs(parent.string(), 0700));
  CTW_ASSIGN_OR_RETURN(std::string pem, PrivateKeyToPem(key));
  Status s = WriteFileAtomic(path, pem, 0600);
  OPENSSL_cleanse(pem.data(), pem.size());
  return s;
}

Result<EvpPkeyPtr> LoadOrCreateKeyFile(const std::string& path, KeyType type, bool* created) {
  if (created != nullptr) *created = false;
  if (FileExists(path)) return ReadPrivateKeyFile(path);
  CTW_ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateKey(type));
  CTW_RETURN_IF_ERROR(WritePrivateKeyFile(path, key.get()));
  if (created != nullptr) *created = true;
  return key;
}

Result<Sha256Hash> SpkiSha256(EVP_PKEY* key) {
  CTW_ASSIGN_OR_RETURN(Bytes der, PublicKeyToDer(key));
  return Sha256(der);
}

bool SamePublicKey(EVP_PKEY* a, EVP_PKEY* b) {
  const int rc = EVP_PKEY_eq(a, b);
  ERR_clear_error();
  return rc == 1;
}

Result<Bytes> MakeCsr(EVP_PKEY* key, const std::vector<std::string>& dns_names,
                      const std::vector<std::string>& ip_addresses) {
  if (dns_names.empty() && ip_addresses.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "a CSR needs at least one name");
  }
  std::unique_ptr<X509_REQ, ReqDeleter> req(X509_REQ_new());
  std::unique_ptr<GENERAL_NAMES, ReqDeleter> names(sk_GENERAL_NAME_new_null());
  if (!req || !names || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_pubkey(req.get(), key) != 1) {
    return MakeError(ErrorCode::kInternal, "X509_REQ: " + OpenSslErrors());
  }
  // Subject CN: the first DNS name when it fits (RFC 5280 ub-common-name 64); the SAN is what
  // counts (RFC 8555 §7.4).
  if (!dns_names.empty() && dns_names[0].size() <= 64) {
    X509_NAME* subject = X509_REQ_get_subject_name(req.get());  // get0: owned by req
    if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(dns_names[0].c_str()), -1,
                                   -1, 0) != 1) {
      return MakeError(ErrorCode::kInternal, "CSR subject: " + OpenSslErrors());
    }
  }
  for (const std::string& name : dns_names) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    if (gn == nullptr || ia5 == nullptr ||
        ASN1_STRING_set(ia5, name.data(), static_cast<int>(name.size())) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(ia5);
      return MakeError(ErrorCode::kInternal, "CSR dNSName: " + OpenSslErrors());
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    sk_GENERAL_NAME_push(names.get(), gn);
  }
  for (const std::string& ip : ip_addresses) {
    ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip.c_str());
    if (octets == nullptr) {
      ERR_clear_error();
      return MakeError(ErrorCode::kInvalidArgument, "not an IP address: " + ip);
    }
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (gn == nullptr) {
      ASN1_OCTET_STRING_free(octets);
      return MakeError(ErrorCode::kInternal, "CSR iPAddress: " + OpenSslErrors());
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, octets);
    sk_GENERAL_NAME_push(names.get(), gn);
  }
  std::unique_ptr<X509_EXTENSION, ReqDeleter> san(
      X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get()));
  std::unique_ptr<STACK_OF(X509_EXTENSION), ReqDeleter> extensions(sk_X509_EXTENSION_new_null());
  if (!san || !extensions || sk_X509_EXTENSION_push(extensions.get(), san.get()) == 0) {
    return MakeError(ErrorCode::kInternal, "CSR extensions: " + OpenSslErrors());
  }
  (void)san.release();  // owned by `extensions` now
  if (X509_REQ_add_extensions(req.get(), extensions.get()) != 1 ||
      X509_REQ_sign(req.get(), key, EVP_sha256()) <= 0) {
    return MakeError(ErrorCode::kInternal, "CSR signing: " + OpenSslErrors());
  }
  unsigned char* der = nullptr;
  const int len = i2d_X509_REQ(req.get(), &der);
  if (len <= 0) return MakeError(ErrorCode::kInternal, "i2d_X509_REQ: " + OpenSslErrors());
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace ctwatch
