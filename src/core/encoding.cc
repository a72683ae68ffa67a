#include "core/encoding.h"

#include <array>

namespace ctwatch {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

using DecodeTable = std::array<uint8_t, 256>;
constexpr uint8_t kInvalid = 0xff;

constexpr DecodeTable MakeTable(const char* alphabet) {
  DecodeTable t{};
  for (auto& v : t) v = kInvalid;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = static_cast<uint8_t>(i);
  return t;
}
constexpr DecodeTable kStdTable = MakeTable(kStdAlphabet);
constexpr DecodeTable kUrlTable = MakeTable(kUrlAlphabet);

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Encode(ByteView data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const size_t left = data.size() - i;
  if (left > 0) {
    uint32_t v = uint32_t{data[i]} << 16;
    if (left == 2) v |= uint32_t{data[i + 1]} << 8;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (left == 2) out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.append(left == 1 ? "==" : "=");
  }
  return out;
}

// Decodes `text`; with `padded` the length must be a multiple of 4 with '=' padding,
// without it no '=' may appear. Unused trailing bits must be zero (canonical encoding).
bool Decode(std::string_view text, const DecodeTable& table, bool padded, Bytes* out) {
  size_t len = text.size();
  if (padded) {
    if (len % 4 != 0) return false;
    if (len > 0 && text[len - 1] == '=') --len;
    if (len > 0 && text[len - 1] == '=') --len;
  }
  if (len % 4 == 1) return false;
  // Sized once and written in place: this runs on every get-entries body.
  out->resize(len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1));
  uint8_t* w = out->data();
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {
    const uint8_t a = table[p[i]], b = table[p[i + 1]], c = table[p[i + 2]], d = table[p[i + 3]];
    if ((a | b | c | d) & 0x80) return false;
    const uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
    w[0] = static_cast<uint8_t>(v >> 16);
    w[1] = static_cast<uint8_t>(v >> 8);
    w[2] = static_cast<uint8_t>(v);
    w += 3;
  }
  const size_t left = len - i;
  if (left >= 2) {
    const uint8_t a = table[p[i]], b = table[p[i + 1]];
    const uint8_t c = left == 3 ? table[p[i + 2]] : 0;
    if ((a | b | c) & 0x80) return false;
    const uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6);
    *w++ = static_cast<uint8_t>(v >> 16);
    if (left == 3) {
      *w++ = static_cast<uint8_t>(v >> 8);
      if (v & 0xff) return false;
    } else if (v & 0xffff) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string HexEncode(ByteView data) {
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 15]);
  }
  return out;
}

std::optional<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  Bytes out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

std::string Base64Encode(ByteView data) { return Encode(data, kStdAlphabet, true); }
std::string Base64UrlEncode(ByteView data) { return Encode(data, kUrlAlphabet, false); }

bool Base64DecodeInto(std::string_view text, Bytes* out) {
  return Decode(text, kStdTable, true, out);
}

std::optional<Bytes> Base64Decode(std::string_view text) {
  Bytes out;
  if (!Decode(text, kStdTable, true, &out)) return std::nullopt;
  return out;
}

std::optional<Bytes> Base64UrlDecode(std::string_view text) {
  Bytes out;
  if (!Decode(text, kUrlTable, false, &out)) return std::nullopt;
  return out;
}

}  // namespace ctwatch
