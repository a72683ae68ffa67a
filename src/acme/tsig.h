// TSIG (RFC 8945) with HMAC-SHA256 for the RFC 2136 DNS-01 solver: signs a request (§4.3.1:
// MAC over the message and the TSIG variables of §4.3.3) and verifies the server's signed
// answer (§5.3: MAC over the request MAC, the answer without its TSIG record and with its
// original ID, and the TSIG variables; time within fudge). Keys come from the config or from
// a BIND key file as `tsig-keygen` writes it. The secret is never logged or put in messages.
// Thread-safety: pure functions; TsigKey is a value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "acme/dns_message.h"
#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

struct TsigKey {
  std::string name;                       // canonical DNS name of the key
  std::string algorithm = "hmac-sha256";  // the only one supported
  Bytes secret;
};

// name, algorithm ("hmac-sha256" or "hmac-sha256."), base64 secret.
Result<TsigKey> MakeTsigKey(std::string_view name, std::string_view algorithm,
                            std::string_view secret_base64);

// `key "name" { algorithm hmac-sha256; secret "base64"; };` — the first key, or the one named
// `wanted` when given.
Result<TsigKey> ParseBindKeyFile(std::string_view text, std::string_view wanted = "");

// Appends a TSIG record to `message` (ARCOUNT incremented) and returns the request MAC.
Result<Bytes> TsigSign(const TsigKey& key, uint64_t now_s, Bytes* message, uint16_t fudge = 300);

// Checks the TSIG record of a parsed answer to a request signed with `request_mac`. A TSIG
// error (BADKEY, BADSIG, BADTIME) and an unsigned answer are errors.
Status TsigVerify(const TsigKey& key, ByteView request_mac, ByteView wire,
                  const dns::Message& parsed, uint64_t now_s);

}  // namespace ctwatch
