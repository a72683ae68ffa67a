// ASN.1 character string decoding; see asn1_string.h.
// Thread-safety: pure functions.
#include "cert/asn1_string.h"

#include "core/der.h"

namespace ctwatch::cert_internal {
namespace {

constexpr uint8_t kNumericString = 0x12;
constexpr uint8_t kVisibleString = 0x1a;

class Writer {
 public:
  Writer(const StringOptions& options, std::string* out, size_t* first_nul)
      : options_(options), out_(out), first_nul_(first_nul) {
    if (first_nul_ != nullptr) *first_nul_ = std::string::npos;
  }

  void CodePoint(uint32_t cp) {
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == '\\') {
      if (cp == 0 && first_nul_ != nullptr && *first_nul_ == std::string::npos) {
        *first_nul_ = out_->size();
      }
      AppendHexEscape(static_cast<uint8_t>(cp), out_);
    } else if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (options_.backslash_escaped.find(c) != std::string_view::npos) out_->push_back('\\');
      if (options_.lower_ascii && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      out_->push_back(c);
    } else if (cp < 0x800) {
      out_->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out_->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out_->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out_->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out_->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out_->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out_->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out_->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out_->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  // Appends the longest prefix of `v` made of printable ASCII that needs no escaping, and
  // returns its length: the fast path for the ASCII text that most names are.
  size_t PlainAsciiRun(ByteView v) {
    size_t n = 0;
    while (n < v.size()) {
      const uint8_t b = v[n];
      if (b < 0x20 || b >= 0x7f || b == '\\' ||
          (!options_.backslash_escaped.empty() &&
           options_.backslash_escaped.find(static_cast<char>(b)) != std::string_view::npos)) {
        break;
      }
      ++n;
    }
    const size_t start = out_->size();
    out_->append(reinterpret_cast<const char*>(v.data()), n);
    if (options_.lower_ascii) {
      for (size_t i = start; i < out_->size(); ++i) {
        char& c = (*out_)[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
    }
    return n;
  }

  void InvalidBytes(ByteView bytes) {
    for (uint8_t b : bytes) AppendHexEscape(b, out_);
  }

 private:
  const StringOptions& options_;
  std::string* out_;
  size_t* first_nul_;
};

bool IsSurrogate(uint32_t cp) { return cp >= 0xd800 && cp <= 0xdfff; }

// Length of the valid UTF-8 sequence at the start of `s` and its code point; 0 when invalid
// (overlong forms, surrogates and values above U+10FFFF are invalid, RFC 3629 §4).
size_t DecodeUtf8(ByteView s, uint32_t* cp) {
  const uint8_t b0 = s[0];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t n;
  uint32_t value;
  uint32_t min;
  if ((b0 & 0xe0) == 0xc0) {
    n = 2, value = b0 & 0x1f, min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    n = 3, value = b0 & 0x0f, min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    n = 4, value = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    value = (value << 6) | (s[i] & 0x3f);
  }
  if (value < min || value > 0x10ffff || IsSurrogate(value)) return 0;
  *cp = value;
  return n;
}

void DecodeUtf8String(ByteView v, Writer* w) {
  while (!v.empty()) {
    v = v.subspan(w->PlainAsciiRun(v));
    if (v.empty()) break;
    uint32_t cp = 0;
    size_t n = DecodeUtf8(v, &cp);
    if (n == 0) {
      w->InvalidBytes(v.first(1));
      n = 1;
    } else {
      w->CodePoint(cp);
    }
    v = v.subspan(n);
  }
}

void DecodeBmpString(ByteView v, Writer* w) {
  size_t i = 0;
  for (; i + 2 <= v.size(); i += 2) {
    const uint32_t unit = (uint32_t{v[i]} << 8) | v[i + 1];
    if (unit >= 0xd800 && unit <= 0xdbff && i + 4 <= v.size()) {
      const uint32_t low = (uint32_t{v[i + 2]} << 8) | v[i + 3];
      if (low >= 0xdc00 && low <= 0xdfff) {
        w->CodePoint(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
        i += 2;
        continue;
      }
    }
    if (IsSurrogate(unit)) {
      w->InvalidBytes(v.subspan(i, 2));
    } else {
      w->CodePoint(unit);
    }
  }
  w->InvalidBytes(v.subspan(i));  // an odd trailing byte
}

void DecodeUniversalString(ByteView v, Writer* w) {
  size_t i = 0;
  for (; i + 4 <= v.size(); i += 4) {
    const uint32_t cp =
        (uint32_t{v[i]} << 24) | (uint32_t{v[i + 1]} << 16) | (uint32_t{v[i + 2]} << 8) | v[i + 3];
    if (cp > 0x10ffff || IsSurrogate(cp)) {
      w->InvalidBytes(v.subspan(i, 4));
    } else {
      w->CodePoint(cp);
    }
  }
  w->InvalidBytes(v.subspan(i));
}

}  // namespace

bool IsStringTag(uint8_t tag) {
  switch (tag) {
    case der::kUtf8String:
    case der::kPrintableString:
    case der::kIa5String:
    case kNumericString:
    case kVisibleString:
    case der::kT61String:
    case der::kBmpString:
    case der::kUniversalString:
      return true;
    default:
      return false;
  }
}

bool AppendAsn1String(uint8_t tag, ByteView value, const StringOptions& options, std::string* out,
                      size_t* first_nul) {
  if (!IsStringTag(tag)) return false;
  Writer w(options, out, first_nul);
  switch (tag) {
    case der::kUtf8String:
      DecodeUtf8String(value, &w);
      break;
    case der::kT61String:  // in practice Latin-1, as OpenSSL and Go read it
      for (uint8_t b : value) w.CodePoint(b);
      break;
    case der::kBmpString:
      DecodeBmpString(value, &w);
      break;
    case der::kUniversalString:
      DecodeUniversalString(value, &w);
      break;
    default:  // the ASCII types
      while (!value.empty()) {
        value = value.subspan(w.PlainAsciiRun(value));
        if (value.empty()) break;
        if (value[0] < 0x80) {
          w.CodePoint(value[0]);
        } else {
          w.InvalidBytes(value.first(1));
        }
        value = value.subspan(1);
      }
      break;
  }
  return true;
}

void AppendHexEscape(uint8_t byte, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char escape[4] = {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
  out->append(escape, 4);
}

}  // namespace ctwatch::cert_internal
