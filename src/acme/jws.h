// JSON Web Signature for ACME (RFC 8555 §6.2): flattened JSON serialization (RFC 7515 §7.2.2)
// with ES256, ES384 (RFC 7518 §3.4: the signature is r ‖ s, each left-padded to the curve
// size, converted from OpenSSL's DER) or RS256 (§3.3); the public JWK (RFC 7517/7518 §6) and
// its thumbprint (RFC 7638); HS256 for external account binding (RFC 8555 §7.3.4).
// Thread-safety: a JwsSigner is immutable after Create and may sign from several threads
// (each signature uses its own EVP_MD_CTX); the free functions are pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/openssl_util.h"
#include "core/result.h"

namespace ctwatch {

enum class JwsAlgorithm { kEs256, kEs384, kRs256 };
const char* JwsAlgorithmName(JwsAlgorithm alg);  // "ES256", "ES384", "RS256"

// A private key that signs JWS: P-256 → ES256, P-384 → ES384, RSA (2048 bits or more) → RS256.
class JwsSigner {
 public:
  static Result<JwsSigner> Create(EvpPkeyPtr key);

  JwsAlgorithm algorithm() const { return alg_; }
  const nlohmann::json& jwk() const { return jwk_; }             // public members only
  const std::string& thumbprint() const { return thumbprint_; }  // RFC 7638, base64url
  EVP_PKEY* key() const { return key_.get(); }                   // borrowed

  // The JWS Signature over `signing_input` (r ‖ s for ECDSA, PKCS#1 v1.5 for RSA).
  Result<Bytes> Sign(std::string_view signing_input) const;

 private:
  JwsSigner(EvpPkeyPtr key, JwsAlgorithm alg, nlohmann::json jwk, std::string thumbprint)
      : key_(std::move(key)), alg_(alg), jwk_(std::move(jwk)), thumbprint_(std::move(thumbprint)) {}
  EvpPkeyPtr key_;
  JwsAlgorithm alg_;
  nlohmann::json jwk_;
  std::string thumbprint_;
};

// The public JWK of `key` with exactly the members RFC 7638 §3.2 hashes (EC: crv, kty, x, y with
// coordinates padded to the curve size; RSA: e, kty, n without leading zero octets).
Result<nlohmann::json> PublicJwk(EVP_PKEY* key);
// RFC 7638 thumbprint (SHA-256, base64url) of a JWK: the required members, sorted, no spaces.
Result<std::string> JwkThumbprint(const nlohmann::json& jwk);

// ECDSA-Sig-Value DER → r ‖ s with each integer left-padded to `component_size` bytes, and back.
Result<Bytes> EcdsaDerToRaw(ByteView der, size_t component_size);
Result<Bytes> EcdsaRawToDer(ByteView raw);

// Protected header members. `nonce` is omitted when empty (keyChange inner JWS); `kid` empty
// means the signer's `jwk` is embedded instead (newAccount, keyChange inner JWS, revocation with
// the certificate key).
struct JwsHeader {
  std::string url;
  std::string nonce;
  std::string kid;
};

// Flattened JWS {"protected","payload","signature"}. `payload` is the exact payload bytes; the
// empty string is the POST-as-GET payload (RFC 8555 §6.3).
Result<nlohmann::json> SignJws(const JwsSigner& signer, const JwsHeader& header,
                               std::string_view payload);

Result<Bytes> HmacSha256(ByteView key, ByteView data);

// The externalAccountBinding member of newAccount (RFC 8555 §7.3.4): HS256 JWS with
// {"alg":"HS256","kid":eab_kid,"url":new_account_url} over the account's public JWK.
Result<nlohmann::json> SignExternalAccountBinding(std::string_view eab_kid, ByteView hmac_key,
                                                  const std::string& new_account_url,
                                                  const nlohmann::json& account_jwk);

// The EAB MAC key as CAs hand it out: base64url, with or without padding (standard base64 too).
std::optional<Bytes> DecodeEabKey(std::string_view text);

// keyAuthorization = token || '.' || base64url(JWK thumbprint) (RFC 8555 §8.1).
inline std::string KeyAuthorization(std::string_view token, std::string_view thumbprint) {
  return std::string(token) + "." + std::string(thumbprint);
}

}  // namespace ctwatch
