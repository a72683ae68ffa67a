// Key material of the ACME engine: account keys and certificate keys (ECDSA P-256/P-384, RSA
// 2048/3072/4096), PKCS#8 PEM, private key files (mode 0600, written atomically) and CSRs
// (RFC 2986 with a subjectAltName extension, RFC 5280 §4.2.1.6; RFC 8555 §7.4 finalize).
// Private keys are never logged: errors name the file, never its contents.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/openssl_util.h"
#include "core/result.h"

namespace ctwatch {

enum class KeyType { kEcdsaP256, kEcdsaP384, kRsa2048, kRsa3072, kRsa4096 };

// "ec256", "ec384", "rsa2048", "rsa3072", "rsa4096" (lego's names).
const char* KeyTypeName(KeyType type);
// Accepts the names above and "ecdsa-p256", "ecdsa-p384", "p256", "p384", "rsa-2048", ...
std::optional<KeyType> ParseKeyType(std::string_view text);

Result<EvpPkeyPtr> GenerateKey(KeyType type);
// The type of an existing key; fails for keys ctwatch does not use (e.g. RSA 1024, Ed25519).
Result<KeyType> KeyTypeOf(EVP_PKEY* key);

// PKCS#8 "PRIVATE KEY" PEM.
Result<std::string> PrivateKeyToPem(EVP_PKEY* key);
// The first private key in a PEM text (PKCS#8, SEC 1 "EC PRIVATE KEY" or PKCS#1).
Result<EvpPkeyPtr> PrivateKeyFromPem(std::string_view pem);

Result<EvpPkeyPtr> ReadPrivateKeyFile(const std::string& path);
// Writes atomically with mode 0600 (the parent directory is created with 0700 when missing).
Status WritePrivateKeyFile(const std::string& path, EVP_PKEY* key);
// Reads the key at `path`, or generates one of `type` and writes it there. `created` (when not
// null) says which happened.
Result<EvpPkeyPtr> LoadOrCreateKeyFile(const std::string& path, KeyType type,
                                       bool* created = nullptr);

// SHA-256 of the DER SubjectPublicKeyInfo.
Result<Sha256Hash> SpkiSha256(EVP_PKEY* key);
bool SamePublicKey(EVP_PKEY* a, EVP_PKEY* b);

// A DER CSR signed by `key` (SHA-256) whose subject is empty and whose SAN lists every name
// (dNSName) and address (iPAddress, textual IPv4 or IPv6). At least one entry is required.
Result<Bytes> MakeCsr(EVP_PKEY* key, const std::vector<std::string>& dns_names,
                      const std::vector<std::string>& ip_addresses);

}  // namespace ctwatch
