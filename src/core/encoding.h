// Hex and base64 (RFC 4648 §4 standard with padding, §5 URL-safe without padding).
// Decoders are strict: wrong characters, bad padding or non-canonical trailing bits fail.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace ctwatch {

std::string HexEncode(ByteView data);
std::optional<Bytes> HexDecode(std::string_view hex);  // accepts upper and lower case

std::string Base64Encode(ByteView data);
std::optional<Bytes> Base64Decode(std::string_view text);
// Decodes into `out` (cleared first); the fast path for get-entries bodies.
bool Base64DecodeInto(std::string_view text, Bytes* out);

std::string Base64UrlEncode(ByteView data);
std::optional<Bytes> Base64UrlDecode(std::string_view text);

}  // namespace ctwatch
