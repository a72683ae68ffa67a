#include "acme/jws.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/hmac.h>

#include <memory>

#include "acme/keys.h"
#include "core/encoding.h"
#include "core/sha256.h"

namespace ctwatch {
namespace {

struct BnDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
using BignumPtr = std::unique_ptr<BIGNUM, BnDeleter>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, BnDeleter>;

Result<Bytes> BignumParam(EVP_PKEY* key, const char* name, size_t pad_to) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) {
    return MakeError(ErrorCode::kInternal,
                     std::string("key parameter ") + name + ": " + OpenSslErrors());
  }
  BignumPtr bn(raw);
  const int n = BN_num_bytes(bn.get());
  const size_t size = pad_to > 0 ? pad_to : static_cast<size_t>(n);
  if (static_cast<size_t>(n) > size)
    return MakeError(ErrorCode::kInternal, "key parameter too long");
  Bytes out(size);
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(size)) < 0) {
    return MakeError(ErrorCode::kInternal, "BN_bn2binpad failed");
  }
  return out;
}

const EVP_MD* DigestFor(JwsAlgorithm alg) {
  return alg == JwsAlgorithm::kEs384 ? EVP_sha384() : EVP_sha256();
}

}  // namespace

const char* JwsAlgorithmName(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::kEs256:
      return "ES256";
    case JwsAlgorithm::kEs384:
      return "ES384";
    case JwsAlgorithm::kRs256:
      return "RS256";
  }
  return "?";
}

Result<nlohmann::json> PublicJwk(EVP_PKEY* key) {
  CTW_ASSIGN_OR_RETURN(KeyType type, KeyTypeOf(key));
  if (type == KeyType::kEcdsaP256 || type == KeyType::kEcdsaP384) {
    const size_t size = type == KeyType::kEcdsaP256 ? 32 : 48;
    CTW_ASSIGN_OR_RETURN(Bytes x, BignumParam(key, OSSL_PKEY_PARAM_EC_PUB_X, size));
    CTW_ASSIGN_OR_RETURN(Bytes y, BignumParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, size));
    return nlohmann::json{{"crv", type == KeyType::kEcdsaP256 ? "P-256" : "P-384"},
                          {"kty", "EC"},
                          {"x", Base64UrlEncode(x)},
                          {"y", Base64UrlEncode(y)}};
  }
  CTW_ASSIGN_OR_RETURN(Bytes n, BignumParam(key, OSSL_PKEY_PARAM_RSA_N, 0));
  CTW_ASSIGN_OR_RETURN(Bytes e, BignumParam(key, OSSL_PKEY_PARAM_RSA_E, 0));
  return nlohmann::json{{"e", Base64UrlEncode(e)}, {"kty", "RSA"}, {"n", Base64UrlEncode(n)}};
}

Result<std::string> JwkThumbprint(const nlohmann::json& jwk) {
  // RFC 7638 §3.2: only the required members, lexicographic order, no whitespace. nlohmann's
  // object is a sorted map and dump() writes no whitespace, which is exactly that form.
  if (!jwk.is_object() || !jwk.contains("kty") || !jwk["kty"].is_string()) {
    return MakeError(ErrorCode::kInvalidArgument, "JWK without kty");
  }
  const std::string kty = jwk["kty"].get<std::string>();
  std::vector<const char*> members;
  if (kty == "EC") {
    members = {"crv", "kty", "x", "y"};
  } else if (kty == "RSA") {
    members = {"e", "kty", "n"};
  } else if (kty == "oct") {
    members = {"k", "kty"};
  } else {
    return MakeError(ErrorCode::kInvalidArgument, "unsupported JWK kty " + kty);
  }
  nlohmann::json required = nlohmann::json::object();
  for (const char* m : members) {
    if (!jwk.contains(m) || !jwk[m].is_string()) {
      return MakeError(ErrorCode::kInvalidArgument, std::string("JWK without ") + m);
    }
    required[m] = jwk[m];
  }
  return Base64UrlEncode(Sha256(AsBytes(required.dump())));
}

Result<Bytes> EcdsaDerToRaw(ByteView der, size_t component_size) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) {
    ERR_clear_error();
    return MakeError(ErrorCode::kParse, "malformed ECDSA signature");
  }
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());  // get0: owned by sig
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  if (static_cast<size_t>(BN_num_bytes(r)) > component_size ||
      static_cast<size_t>(BN_num_bytes(s)) > component_size) {
    return MakeError(ErrorCode::kParse, "ECDSA signature component too long");
  }
  Bytes out(component_size * 2);
  BN_bn2binpad(r, out.data(), static_cast<int>(component_size));
  BN_bn2binpad(s, out.data() + component_size, static_cast<int>(component_size));
  return out;
}

Result<Bytes> EcdsaRawToDer(ByteView raw) {
  if (raw.empty() || raw.size() % 2 != 0 || raw.size() > 264) {
    return MakeError(ErrorCode::kParse, "raw ECDSA signature has an odd or bad length");
  }
  const size_t half = raw.size() / 2;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return MakeError(ErrorCode::kInternal, "ECDSA_SIG: " + OpenSslErrors());
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return MakeError(ErrorCode::kInternal, "i2d_ECDSA_SIG: " + OpenSslErrors());
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<JwsSigner> JwsSigner::Create(EvpPkeyPtr key) {
  if (!key) return MakeError(ErrorCode::kInvalidArgument, "no key");
  CTW_ASSIGN_OR_RETURN(KeyType type, KeyTypeOf(key.get()));
  JwsAlgorithm alg = JwsAlgorithm::kRs256;
  if (type == KeyType::kEcdsaP256) alg = JwsAlgorithm::kEs256;
  if (type == KeyType::kEcdsaP384) alg = JwsAlgorithm::kEs384;
  CTW_ASSIGN_OR_RETURN(nlohmann::json jwk, PublicJwk(key.get()));
  CTW_ASSIGN_OR_RETURN(std::string thumbprint, JwkThumbprint(jwk));
  return JwsSigner(std::move(key), alg, std::move(jwk), std::move(thumbprint));
}

Result<Bytes> JwsSigner::Sign(std::string_view signing_input) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(alg_), nullptr, key_.get()) != 1) {
    return MakeError(ErrorCode::kInternal, "EVP_DigestSignInit: " + OpenSslErrors());
  }
  size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(signing_input.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data, signing_input.size()) != 1) {
    return MakeError(ErrorCode::kInternal, "EVP_DigestSign: " + OpenSslErrors());
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, data, signing_input.size()) != 1) {
    return MakeError(ErrorCode::kInternal, "EVP_DigestSign: " + OpenSslErrors());
  }
  sig.resize(len);
  switch (alg_) {
    case JwsAlgorithm::kEs256:
      return EcdsaDerToRaw(sig, 32);
    case JwsAlgorithm::kEs384:
      return EcdsaDerToRaw(sig, 48);
    case JwsAlgorithm::kRs256:
      return sig;
  }
  return MakeError(ErrorCode::kInternal, "unknown JWS algorithm");
}

Result<nlohmann::json> SignJws(const JwsSigner& signer, const JwsHeader& header,
                               std::string_view payload) {
  nlohmann::json protected_header = {{"alg", JwsAlgorithmName(signer.algorithm())},
                                     {"url", header.url}};
  if (!header.nonce.empty()) protected_header["nonce"] = header.nonce;
  if (header.kid.empty()) {
    protected_header["jwk"] = signer.jwk();
  } else {
    protected_header["kid"] = header.kid;
  }
  const std::string protected_b64 = Base64UrlEncode(AsBytes(protected_header.dump()));
  const std::string payload_b64 = Base64UrlEncode(AsBytes(payload));
  CTW_ASSIGN_OR_RETURN(Bytes signature, signer.Sign(protected_b64 + "." + payload_b64));
  return nlohmann::json{{"protected", protected_b64},
                        {"payload", payload_b64},
                        {"signature", Base64UrlEncode(signature)}};
}

Result<Bytes> HmacSha256(ByteView key, ByteView data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out,
           &len) == nullptr) {
    return MakeError(ErrorCode::kInternal, "HMAC: " + OpenSslErrors());
  }
  return Bytes(out, out + len);
}

Result<nlohmann::json> SignExternalAccountBinding(std::string_view eab_kid, ByteView hmac_key,
                                                  const std::string& new_account_url,
                                                  const nlohmann::json& account_jwk) {
  if (eab_kid.empty() || hmac_key.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "external account binding needs a kid and a key");
  }
  const nlohmann::json protected_header = {
      {"alg", "HS256"}, {"kid", std::string(eab_kid)}, {"url", new_account_url}};
  const std::string protected_b64 = Base64UrlEncode(AsBytes(protected_header.dump()));
  const std::string payload_b64 = Base64UrlEncode(AsBytes(account_jwk.dump()));
  CTW_ASSIGN_OR_RETURN(Bytes mac, HmacSha256(hmac_key, AsBytes(protected_b64 + "." + payload_b64)));
  return nlohmann::json{
      {"protected", protected_b64}, {"payload", payload_b64}, {"signature", Base64UrlEncode(mac)}};
}

std::optional<Bytes> DecodeEabKey(std::string_view text) {
  std::string s(text);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  auto out = Base64UrlDecode(s);
  if (!out.has_value() || out->empty()) return std::nullopt;
  return out;
}

}  // namespace ctwatch
