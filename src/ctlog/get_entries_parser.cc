// ParseGetEntries: the RFC 6962 §4.6 get-entries response
//   {"entries": [{"leaf_input": "<base64>", "extra_data": "<base64>"}, ...]}
// read by a small strict JSON scanner (RFC 8259) instead of a DOM, because this is the
// hottest path of the monitor. Member order is free, whitespace is allowed, unknown members
// are skipped (any JSON value, nesting bounded), duplicate known members are errors, strings
// may carry escapes (decoded on a slow path), and the body must end after the object.
// The base64 strings are found with memchr and decoded straight into the output.
// Thread-safety: pure function.
#include <cstring>
#include <string>
#include <string_view>

#include "core/encoding.h"
#include "ctlog/log_client.h"

namespace ctwatch {
namespace {

constexpr size_t kMaxEntries = 10'000;
constexpr int kMaxDepth = 64;

class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  size_t offset() const { return static_cast<size_t>(p_ - begin_); }
  bool AtEnd() const { return p_ == end_; }

  void SkipWhitespace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  // Skips whitespace, then consumes `c` if it is next.
  bool Consume(char c) {
    SkipWhitespace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // Reads a string token (after whitespace). Without escapes *out points into the input;
  // with escapes they are decoded into *scratch and *out points there. With `validate` the
  // raw bytes are checked (no control characters, valid UTF-8); base64 fields skip that,
  // since the base64 decoder rejects every such byte anyway.
  bool ReadString(std::string_view* out, std::string* scratch, bool validate) {
    SkipWhitespace();
    if (p_ == end_ || *p_ != '"') return false;
    const char* start = p_ + 1;
    const auto* quote =
        static_cast<const char*>(std::memchr(start, '"', static_cast<size_t>(end_ - start)));
    if (quote == nullptr) return false;
    const size_t len = static_cast<size_t>(quote - start);
    if (std::memchr(start, '\\', len) == nullptr) {
      if (validate && !ValidText(start, quote)) return false;
      *out = std::string_view(start, len);
      p_ = quote + 1;
      return true;
    }
    return ReadEscapedString(start, out, scratch);
  }

  // Skips one JSON value of any kind (after whitespace).
  bool SkipValue(int depth) {
    if (depth > kMaxDepth) return false;
    SkipWhitespace();
    if (p_ == end_) return false;
    std::string scratch;
    std::string_view ignored;
    switch (*p_) {
      case '"':
        return ReadString(&ignored, &scratch, true);
      case '{':
        ++p_;
        if (Consume('}')) return true;
        do {
          if (!ReadString(&ignored, &scratch, true) || !Consume(':') || !SkipValue(depth + 1)) {
            return false;
          }
        } while (Consume(','));
        return Consume('}');
      case '[':
        ++p_;
        if (Consume(']')) return true;
        do {
          if (!SkipValue(depth + 1)) return false;
        } while (Consume(','));
        return Consume(']');
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Number();
    }
  }

 private:
  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  bool Digits() {
    const char* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  // number = [ "-" ] ( "0" / digit1-9 *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ]
  // 1*DIGIT ]
  bool Number() {
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (!Digits()) {
      return false;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!Digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!Digits()) return false;
    }
    return true;
  }

  // No control characters and well-formed UTF-8 (RFC 3629: no overlongs, no surrogates).
  static bool ValidText(const char* p, const char* end) {
    while (p != end) {
      const auto c = static_cast<unsigned char>(*p);
      if (c < 0x80) {
        if (c < 0x20) return false;
        ++p;
        continue;
      }
      int extra;
      uint32_t cp;
      if (c >= 0xc2 && c <= 0xdf) {
        extra = 1, cp = c & 0x1f;
      } else if (c >= 0xe0 && c <= 0xef) {
        extra = 2, cp = c & 0x0f;
      } else if (c >= 0xf0 && c <= 0xf4) {
        extra = 3, cp = c & 0x07;
      } else {
        return false;
      }
      if (end - p <= extra) return false;
      for (int i = 1; i <= extra; ++i) {
        const auto cc = static_cast<unsigned char>(p[i]);
        if ((cc & 0xc0) != 0x80) return false;
        cp = cp << 6 | (cc & 0x3f);
      }
      if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
          (cp >= 0xd800 && cp <= 0xdfff)) {
        return false;
      }
      p += extra + 1;
    }
    return true;
  }

  static void AppendUtf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | cp >> 6));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | cp >> 12));
      out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | cp >> 18));
      out->push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  bool Hex4(const char* p, uint32_t* out) const {
    if (end_ - p < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = p[i];
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return false;
      }
      v = v << 4 | static_cast<uint32_t>(d);
    }
    *out = v;
    return true;
  }

  // The slow path: a string with at least one backslash, decoded into *scratch.
  bool ReadEscapedString(const char* p, std::string_view* out, std::string* scratch) {
    scratch->clear();
    while (true) {
      const char* run = p;
      while (p != end_ && *p != '"' && *p != '\\') ++p;
      if (p == end_ || !ValidText(run, p)) return false;
      scratch->append(run, p);
      if (*p == '"') break;
      if (end_ - p < 2) return false;
      const char e = p[1];
      p += 2;
      switch (e) {
        case '"':
          scratch->push_back('"');
          break;
        case '\\':
          scratch->push_back('\\');
          break;
        case '/':
          scratch->push_back('/');
          break;
        case 'b':
          scratch->push_back('\b');
          break;
        case 'f':
          scratch->push_back('\f');
          break;
        case 'n':
          scratch->push_back('\n');
          break;
        case 'r':
          scratch->push_back('\r');
          break;
        case 't':
          scratch->push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(p, &cp)) return false;
          p += 4;
          if (cp >= 0xdc00 && cp <= 0xdfff) return false;  // lone low surrogate
          if (cp >= 0xd800 && cp <= 0xdbff) {
            uint32_t low;
            if (end_ - p < 6 || p[0] != '\\' || p[1] != 'u' || !Hex4(p + 2, &low) || low < 0xdc00 ||
                low > 0xdfff) {
              return false;
            }
            p += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          AppendUtf8(scratch, cp);
          break;
        }
        default:
          return false;
      }
    }
    *out = *scratch;
    p_ = p + 1;
    return true;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
};

Error SyntaxError(const JsonScanner& s, std::string_view what) {
  return MakeError(ErrorCode::kParse,
                   "get-entries: " + std::string(what) + " at byte " + std::to_string(s.offset()));
}

// {"leaf_input": "<base64>", "extra_data": "<base64>", <unknown members>...}
Status ParseEntry(JsonScanner* s, std::string* scratch, RawEntry* entry) {
  if (!s->Consume('{')) return SyntaxError(*s, "expected an entry object");
  bool have_leaf = false, have_extra = false;
  if (!s->Consume('}')) {
    do {
      std::string_view key;
      if (!s->ReadString(&key, scratch, true)) return SyntaxError(*s, "bad member name");
      if (!s->Consume(':')) return SyntaxError(*s, "expected ':'");
      const bool is_leaf = key == "leaf_input";
      if (is_leaf || key == "extra_data") {
        bool& seen = is_leaf ? have_leaf : have_extra;
        if (seen) return SyntaxError(*s, "duplicate member");
        seen = true;
        std::string_view text;
        if (!s->ReadString(&text, scratch, false)) return SyntaxError(*s, "bad string");
        if (!Base64DecodeInto(text, is_leaf ? &entry->leaf_input : &entry->extra_data)) {
          return SyntaxError(*s, "bad base64");
        }
      } else if (!s->SkipValue(1)) {
        return SyntaxError(*s, "bad value");
      }
    } while (s->Consume(','));
    if (!s->Consume('}')) return SyntaxError(*s, "expected '}'");
  }
  if (!have_leaf || !have_extra) return SyntaxError(*s, "entry without leaf_input/extra_data");
  return OkStatus();
}

Status ParseEntries(JsonScanner* s, std::string* scratch, std::vector<RawEntry>* entries) {
  if (!s->Consume('[')) return SyntaxError(*s, "expected '['");
  if (s->Consume(']')) return OkStatus();
  do {
    if (entries->size() == kMaxEntries) {
      return MakeError(ErrorCode::kResourceExhausted,
                       "get-entries: more than " + std::to_string(kMaxEntries) + " entries");
    }
    CTW_RETURN_IF_ERROR(ParseEntry(s, scratch, &entries->emplace_back()));
  } while (s->Consume(','));
  if (!s->Consume(']')) return SyntaxError(*s, "expected ']'");
  return OkStatus();
}

}  // namespace

Result<std::vector<RawEntry>> ParseGetEntries(std::string_view json) {
  JsonScanner s(json);
  std::string scratch;
  std::vector<RawEntry> entries;
  bool have_entries = false;
  if (!s.Consume('{')) return SyntaxError(s, "expected '{'");
  if (!s.Consume('}')) {
    do {
      std::string_view key;
      if (!s.ReadString(&key, &scratch, true)) return SyntaxError(s, "bad member name");
      if (!s.Consume(':')) return SyntaxError(s, "expected ':'");
      if (key == "entries") {
        if (have_entries) return SyntaxError(s, "duplicate member");
        have_entries = true;
        CTW_RETURN_IF_ERROR(ParseEntries(&s, &scratch, &entries));
      } else if (!s.SkipValue(1)) {
        return SyntaxError(s, "bad value");
      }
    } while (s.Consume(','));
    if (!s.Consume('}')) return SyntaxError(s, "expected '}'");
  }
  s.SkipWhitespace();
  if (!s.AtEnd()) return SyntaxError(s, "trailing bytes");
  if (!have_entries) return SyntaxError(s, "no entries member");
  return entries;
}

}  // namespace ctwatch
