#include "acme/tsig.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

#include "core/byte_reader.h"
#include "core/encoding.h"

namespace ctwatch {
namespace {

constexpr std::string_view kHmacSha256 = "hmac-sha256";
constexpr size_t kMacSize = 32;

Result<Bytes> Hmac(const Bytes& secret, ByteView data) {
  Bytes mac(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), data.data(), data.size(),
           mac.data(), &len) == nullptr) {
    return MakeError(ErrorCode::kInternal, "HMAC-SHA256 failed");
  }
  mac.resize(len);
  return mac;
}

// TSIG variables (RFC 8945 §4.3.3): NAME CLASS TTL ALGORITHM TIME FUDGE ERROR OTHER-LEN OTHER.
void AppendVariables(const TsigKey& key, uint64_t time_signed, uint16_t fudge, uint16_t error,
                     ByteView other, Bytes* out) {
  dns::AppendName(key.name, out);
  AppendUint(out, dns::kClassAny, 2);
  AppendUint(out, 0, 4);
  dns::AppendName(key.algorithm, out);
  AppendUint(out, time_signed, 6);
  AppendUint(out, fudge, 2);
  AppendUint(out, error, 2);
  AppendPrefixed(out, other, 2);
}

// Next token of a BIND config: a quoted string (quotes removed), `{`, `}`, `;` or a word.
// Comments (#, //, /* */) are skipped.
std::string_view NextToken(std::string_view* text) {
  std::string_view& t = *text;
  for (;;) {
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    if (t.substr(0, 1) == "#" || t.substr(0, 2) == "//") {
      const size_t nl = t.find('\n');
      t = nl == std::string_view::npos ? std::string_view() : t.substr(nl);
      continue;
    }
    if (t.substr(0, 2) == "/*") {
      const size_t end = t.find("*/");
      t = end == std::string_view::npos ? std::string_view() : t.substr(end + 2);
      continue;
    }
    break;
  }
  if (t.empty()) return {};
  if (t.front() == '"') {
    const size_t end = t.find('"', 1);
    if (end == std::string_view::npos) {
      t = {};
      return {};
    }
    std::string_view token = t.substr(1, end - 1);
    t.remove_prefix(end + 1);
    return token;
  }
  if (t.front() == '{' || t.front() == '}' || t.front() == ';') {
    std::string_view token = t.substr(0, 1);
    t.remove_prefix(1);
    return token;
  }
  size_t n = 0;
  while (n < t.size() && !std::isspace(static_cast<unsigned char>(t[n])) && t[n] != ';' &&
         t[n] != '{' && t[n] != '}') {
    ++n;
  }
  std::string_view token = t.substr(0, n);
  t.remove_prefix(n);
  return token;
}

}  // namespace

Result<TsigKey> MakeTsigKey(std::string_view name, std::string_view algorithm,
                            std::string_view secret_base64) {
  TsigKey key;
  CTW_ASSIGN_OR_RETURN(key.name, dns::CanonicalName(name));
  if (key.name.empty()) return MakeError(ErrorCode::kInvalidArgument, "TSIG key without a name");
  CTW_ASSIGN_OR_RETURN(std::string alg, dns::CanonicalName(algorithm));
  if (alg != kHmacSha256) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "TSIG algorithm \"" + std::string(algorithm) + "\": only hmac-sha256");
  }
  key.algorithm = alg;
  std::optional<Bytes> secret = Base64Decode(secret_base64);
  if (!secret.has_value() || secret->empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "TSIG key " + key.name + ": the secret is not base64");  // never the value
  }
  key.secret = std::move(*secret);
  return key;
}

Result<TsigKey> ParseBindKeyFile(std::string_view text, std::string_view wanted) {
  for (;;) {
    std::string_view token = NextToken(&text);
    if (token.empty()) break;
    if (token != "key") continue;
    const std::string_view name = NextToken(&text);
    if (NextToken(&text) != "{") return MakeError(ErrorCode::kParse, "key file: expected {");
    std::string_view algorithm, secret;
    for (;;) {
      const std::string_view field = NextToken(&text);
      if (field == "}" || field.empty()) break;
      const std::string_view value = NextToken(&text);
      if (NextToken(&text) != ";") return MakeError(ErrorCode::kParse, "key file: expected ;");
      if (field == "algorithm") algorithm = value;
      if (field == "secret") secret = value;
    }
    if (!wanted.empty()) {
      Result<std::string> a = dns::CanonicalName(name), b = dns::CanonicalName(wanted);
      if (!a.has_value() || !b.has_value() || *a != *b) continue;
    }
    return MakeTsigKey(name, algorithm, secret);
  }
  return MakeError(ErrorCode::kNotFound, wanted.empty()
                                             ? std::string("key file: no key")
                                             : "key file: no key named " + std::string(wanted));
}

Result<Bytes> TsigSign(const TsigKey& key, uint64_t now_s, Bytes* message, uint16_t fudge) {
  if (message->size() < 12) return MakeError(ErrorCode::kInternal, "DNS message too short");
  Bytes signed_data = *message;
  AppendVariables(key, now_s, fudge, 0, {}, &signed_data);
  CTW_ASSIGN_OR_RETURN(Bytes mac, Hmac(key.secret, signed_data));
  const uint16_t id = static_cast<uint16_t>(((*message)[0] << 8) | (*message)[1]);
  Bytes rdata;
  dns::AppendName(key.algorithm, &rdata);
  AppendUint(&rdata, now_s, 6);
  AppendUint(&rdata, fudge, 2);
  AppendPrefixed(&rdata, mac, 2);
  AppendUint(&rdata, id, 2);
  AppendUint(&rdata, 0, 2);  // error
  AppendUint(&rdata, 0, 2);  // other len
  dns::AppendName(key.name, message);
  AppendUint(message, dns::kTypeTsig, 2);
  AppendUint(message, dns::kClassAny, 2);
  AppendUint(message, 0, 4);
  AppendPrefixed(message, rdata, 2);
  const uint16_t arcount = static_cast<uint16_t>(((*message)[10] << 8) | (*message)[11]);
  (*message)[10] = static_cast<uint8_t>((arcount + 1) >> 8);
  (*message)[11] = static_cast<uint8_t>((arcount + 1) & 0xFF);
  return mac;
}

Status TsigVerify(const TsigKey& key, ByteView request_mac, ByteView wire,
                  const dns::Message& parsed, uint64_t now_s) {
  if (!parsed.has_tsig) {
    return MakeError(ErrorCode::kVerification,
                     "the DNS server's answer is not signed (TSIG key " + key.name + ")");
  }
  const dns::TsigRecord& t = parsed.tsig;
  if (t.error != 0) {
    return MakeError(ErrorCode::kVerification, "the DNS server refused TSIG key " + key.name +
                                                   ": " + dns::RcodeName(t.error));
  }
  if (t.key_name != key.name || t.algorithm != key.algorithm) {
    return MakeError(ErrorCode::kVerification, "the DNS answer is signed with another key");
  }
  if (t.mac.size() != kMacSize) {
    return MakeError(ErrorCode::kVerification, "the DNS answer has a truncated TSIG MAC");
  }
  // The answer as it was before signing: without the TSIG record, ARCOUNT one lower, and the
  // original ID.
  Bytes data;
  AppendPrefixed(&data, request_mac, 2);
  const size_t body_start = data.size();
  data.insert(data.end(), wire.begin(), wire.begin() + static_cast<ptrdiff_t>(parsed.tsig_offset));
  data[body_start] = static_cast<uint8_t>(t.original_id >> 8);
  data[body_start + 1] = static_cast<uint8_t>(t.original_id & 0xFF);
  const uint16_t arcount =
      static_cast<uint16_t>((data[body_start + 10] << 8) | data[body_start + 11]);
  if (arcount == 0) return MakeError(ErrorCode::kVerification, "DNS answer: bad ARCOUNT");
  data[body_start + 10] = static_cast<uint8_t>((arcount - 1) >> 8);
  data[body_start + 11] = static_cast<uint8_t>((arcount - 1) & 0xFF);
  AppendVariables(key, t.time_signed, t.fudge, t.error, t.other, &data);
  CTW_ASSIGN_OR_RETURN(Bytes mac, Hmac(key.secret, data));
  if (mac.size() != t.mac.size() || CRYPTO_memcmp(mac.data(), t.mac.data(), mac.size()) != 0) {
    return MakeError(ErrorCode::kVerification, "the DNS answer's TSIG MAC does not verify");
  }
  const uint64_t skew = now_s > t.time_signed ? now_s - t.time_signed : t.time_signed - now_s;
  if (skew > t.fudge) {
    return MakeError(ErrorCode::kVerification,
                     "the DNS answer's TSIG time is off by " + std::to_string(skew) + " s");
  }
  return OkStatus();
}

}  // namespace ctwatch
