// Signed tree heads: get-sth parsing (RFC 6962 §4.3), the TreeHeadSignature input (§3.5) and
// LogVerifier, which checks a TLS DigitallySigned (RFC 5246 §4.7) with a log's key.
// Thread-safety: pure functions; a LogVerifier is immutable after construction and its
// EVP_PKEY is only read (OpenSSL 3 allows concurrent verification with one key).
#include "ctlog/tree_head.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/byte_reader.h"
#include "core/encoding.h"
#include "core/sha256.h"

namespace ctwatch {
namespace {

constexpr size_t kMaxGetSthBytes = size_t{64} * 1024;
constexpr uint8_t kHashSha256 = 4;
constexpr uint8_t kSigRsa = 1;
constexpr uint8_t kSigEcdsa = 3;

// get-sth response as it is on the wire (RFC 6962 §4.3), before any decoding.
struct GetSthWire {
  uint64_t tree_size = 0;
  uint64_t timestamp = 0;
  std::string sha256_root_hash;
  std::string tree_head_signature;
};

Status ReadUint(const nlohmann::json& obj, const char* name, uint64_t* out) {
  auto it = obj.find(name);
  if (it == obj.end()) return MakeError(ErrorCode::kParse, std::string("get-sth: no ") + name);
  if (!it->is_number_unsigned()) {
    return MakeError(ErrorCode::kParse,
                     std::string("get-sth: ") + name + " is not a non-negative integer");
  }
  *out = it->get<uint64_t>();
  return OkStatus();
}

Status ReadString(const nlohmann::json& obj, const char* name, std::string* out) {
  auto it = obj.find(name);
  if (it == obj.end()) return MakeError(ErrorCode::kParse, std::string("get-sth: no ") + name);
  if (!it->is_string()) {
    return MakeError(ErrorCode::kParse, std::string("get-sth: ") + name + " is not a string");
  }
  *out = it->get_ref<const std::string&>();
  return OkStatus();
}

Result<GetSthWire> ParseGetSthWire(std::string_view json) {
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return MakeError(ErrorCode::kParse, "get-sth: invalid JSON");
  if (!doc.is_object()) return MakeError(ErrorCode::kParse, "get-sth: not a JSON object");
  GetSthWire wire;
  CTW_RETURN_IF_ERROR(ReadUint(doc, "tree_size", &wire.tree_size));
  CTW_RETURN_IF_ERROR(ReadUint(doc, "timestamp", &wire.timestamp));
  CTW_RETURN_IF_ERROR(ReadString(doc, "sha256_root_hash", &wire.sha256_root_hash));
  CTW_RETURN_IF_ERROR(ReadString(doc, "tree_head_signature", &wire.tree_head_signature));
  return wire;
}

const char* KeyTypeName(int base_id) {
  return base_id == EVP_PKEY_EC ? "ECDSA" : base_id == EVP_PKEY_RSA ? "RSA" : "unsupported";
}

}  // namespace

// struct {
//   struct { HashAlgorithm hash; SignatureAlgorithm signature; } algorithm;
//   opaque signature<0..2^16-1>;
// } DigitallySigned;
Result<DigitallySignedView> ParseDigitallySigned(ByteView data) {
  ByteReader r(data);
  DigitallySignedView out;
  if (!r.ReadU8(&out.hash_algorithm) || !r.ReadU8(&out.signature_algorithm) ||
      !r.ReadPrefixed(2, &out.signature)) {
    return MakeError(ErrorCode::kParse, "DigitallySigned: truncated");
  }
  if (!r.empty()) return MakeError(ErrorCode::kParse, "DigitallySigned: trailing data");
  if (out.hash_algorithm != kHashSha256) {
    return MakeError(ErrorCode::kParse, "DigitallySigned: hash algorithm " +
                                            std::to_string(out.hash_algorithm) +
                                            " is not SHA-256 (4)");
  }
  if (out.signature_algorithm != kSigRsa && out.signature_algorithm != kSigEcdsa) {
    return MakeError(ErrorCode::kParse, "DigitallySigned: signature algorithm " +
                                            std::to_string(out.signature_algorithm) +
                                            " is neither RSA (1) nor ECDSA (3)");
  }
  if (out.signature.empty()) return MakeError(ErrorCode::kParse, "DigitallySigned: empty");
  return out;
}

// digitally-signed struct {
//   Version version (v1 = 0); SignatureType signature_type (tree_hash = 1);
//   uint64 timestamp; uint64 tree_size; opaque sha256_root_hash[32];
// } TreeHeadSignature;  (RFC 6962 §3.5)
Bytes TreeHeadSignatureInput(uint64_t timestamp_ms, uint64_t tree_size, const Sha256Hash& root) {
  Bytes out;
  out.reserve(50);
  out.push_back(0);
  out.push_back(1);
  AppendUint(&out, timestamp_ms, 8);
  AppendUint(&out, tree_size, 8);
  out.insert(out.end(), root.begin(), root.end());
  return out;
}

Result<SignedTreeHead> ParseGetSth(std::string_view json) {
  if (json.size() > kMaxGetSthBytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     "get-sth: body of " + std::to_string(json.size()) + " bytes");
  }
  CTW_ASSIGN_OR_RETURN(const GetSthWire wire, ParseGetSthWire(json));

  SignedTreeHead sth;
  sth.tree_size = wire.tree_size;
  sth.timestamp_ms = wire.timestamp;
  const std::optional<Bytes> root = Base64Decode(wire.sha256_root_hash);
  if (!root) return MakeError(ErrorCode::kParse, "get-sth: sha256_root_hash is not base64");
  if (root->size() != sth.root.size()) {
    return MakeError(ErrorCode::kParse, "get-sth: sha256_root_hash has " +
                                            std::to_string(root->size()) + " bytes, not 32");
  }
  std::copy(root->begin(), root->end(), sth.root.begin());
  std::optional<Bytes> signature = Base64Decode(wire.tree_head_signature);
  if (!signature) return MakeError(ErrorCode::kParse, "get-sth: tree_head_signature is not base64");
  auto parsed = ParseDigitallySigned(*signature);
  if (!parsed) return parsed.error().WithContext("get-sth: tree_head_signature");
  sth.signature = std::move(*signature);
  return sth;
}

Result<LogVerifier> LogVerifier::FromSpki(ByteView spki_der) {
  CTW_ASSIGN_OR_RETURN(EvpPkeyPtr key, ParsePublicKeyDer(spki_der));
  const int base_id = EVP_PKEY_get_base_id(key.get());
  if (base_id == EVP_PKEY_EC) {
    char group[64] = {};
    size_t group_len = 0;
    if (EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &group_len) != 1 ||
        std::string_view(group, group_len) != "prime256v1") {
      return MakeError(ErrorCode::kInvalidArgument, "log key: ECDSA key is not on P-256");
    }
  } else if (base_id == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key.get()) < 2048) {
      return MakeError(ErrorCode::kInvalidArgument, "log key: RSA key shorter than 2048 bits");
    }
  } else {
    return MakeError(ErrorCode::kInvalidArgument, "log key: neither ECDSA nor RSA");
  }
  LogVerifier verifier;
  verifier.spki_ = ToBytes(spki_der);
  verifier.log_id_ = Sha256(spki_der);
  verifier.key_ = std::shared_ptr<EVP_PKEY>(key.release(), OpenSslDeleter());
  return verifier;
}

Result<LogVerifier> LogVerifier::FromPem(std::string_view pem) {
  CTW_ASSIGN_OR_RETURN(EvpPkeyPtr key, ParsePublicKeyPem(pem));
  CTW_ASSIGN_OR_RETURN(Bytes spki, PublicKeyToDer(key.get()));
  return FromSpki(spki);
}

Status LogVerifier::VerifyDigitallySigned(ByteView message, ByteView digitally_signed) const {
  if (!key_) return MakeError(ErrorCode::kFailedPrecondition, "LogVerifier without a key");
  CTW_ASSIGN_OR_RETURN(const DigitallySignedView ds, ParseDigitallySigned(digitally_signed));
  const int base_id = EVP_PKEY_get_base_id(key_.get());
  const uint8_t expected = base_id == EVP_PKEY_EC ? kSigEcdsa : kSigRsa;
  if (ds.signature_algorithm != expected) {
    return MakeError(ErrorCode::kVerification,
                     "signature algorithm " + std::to_string(ds.signature_algorithm) +
                         " does not match the log's " + KeyTypeName(base_id) + " key");
  }
  return VerifySha256Signature(key_.get(), message, ds.signature);
}

Status LogVerifier::VerifyTreeHead(const SignedTreeHead& sth) const {
  const Bytes input = TreeHeadSignatureInput(sth.timestamp_ms, sth.tree_size, sth.root);
  auto status = VerifyDigitallySigned(input, sth.signature);
  if (!status) {
    return status.error().WithContext("tree head of size " + std::to_string(sth.tree_size));
  }
  return OkStatus();
}

}  // namespace ctwatch
