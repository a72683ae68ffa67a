// Skeletons and their explanations; see confusables.h. Unicode goes through ICU: NFD
// (unorm2), per-code-point UTS #39 skeletons (uspoof_getSkeleton on a const checker, which ICU
// documents as thread-safe), character names and scripts.
#include "policy/confusables.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

#include "policy/label_hash.h"

namespace ctwatch {
namespace {

// The fold in two passes, so that it is a normal form whatever the spelling: first each
// character on its own (separators dropped; 0→o; 1 and i→l), then pairs of the result
// (rn and nn→m, vv→w, cl→d, lc→k), so that "c1" and "ci" fold like "cl".
char FoldChar(char c) {
  switch (c) {
    case '-':
    case '_':
      return '\0';
    case '0':
      return 'o';
    case '1':
    case 'i':
      return 'l';
    default:
      return c;
  }
}

char FoldPair(char a, char b) {
  if ((a == 'r' || a == 'n') && b == 'n') return 'm';
  if (a == 'v' && b == 'v') return 'w';
  if (a == 'c' && b == 'l') return 'd';
  if (a == 'l' && b == 'c') return 'k';
  return '\0';
}

// One unit of the fold: the input bytes [begin, end) that fold to `folded`.
struct FoldUnit {
  size_t begin;
  size_t end;
  char folded;
};

std::vector<FoldUnit> FoldUnits(std::string_view s) {
  std::vector<FoldUnit> chars;
  for (size_t i = 0; i < s.size(); ++i) {
    const char f = FoldChar(s[i]);
    if (f != '\0') chars.push_back({i, i + 1, f});
  }
  std::vector<FoldUnit> units;
  for (size_t k = 0; k < chars.size(); ++k) {
    if (k + 1 < chars.size()) {
      if (const char pair = FoldPair(chars[k].folded, chars[k + 1].folded); pair != '\0') {
        units.push_back({chars[k].begin, chars[k + 1].end, pair});
        ++k;
        continue;
      }
    }
    units.push_back(chars[k]);
  }
  return units;
}

const USpoofChecker* SpoofChecker() {
  static const USpoofChecker* const checker = [] {
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker* sc = uspoof_open(&status);
    if (U_FAILURE(status)) std::abort();  // ICU without its confusables data
    uspoof_setChecks(sc, USPOOF_CONFUSABLE, &status);
    return sc;
  }();
  return checker;
}

void AppendUtf8(UChar32 cp, std::string* out) {
  char buf[U8_MAX_LENGTH];
  int32_t len = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(buf), len, U8_MAX_LENGTH, cp, error);
  if (!error) out->append(buf, static_cast<size_t>(len));
}

std::vector<UChar32> DecodeUtf8(std::string_view text) {
  std::vector<UChar32> out;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 cp = 0;
    U8_NEXT(s, i, length, cp);
    out.push_back(cp < 0 ? 0xFFFD : cp);
  }
  return out;
}

// Appends the skeleton of one code point: case-folded, decomposed, marks dropped, each
// remaining code point replaced by its UTS #39 prototype.
void AppendCodePointSkeleton(UChar32 cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp));
    return;
  }
  cp = u_foldCase(cp, U_FOLD_CASE_DEFAULT);
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* nfd = unorm2_getNFDInstance(&status);
  UChar in[8];
  int32_t in_len = 0;
  UBool error = false;
  U16_APPEND(in, in_len, 8, cp, error);
  UChar decomposed[32];
  const int32_t d_len =
      U_SUCCESS(status) ? unorm2_normalize(nfd, in, in_len, decomposed, 32, &status) : 0;
  if (U_FAILURE(status) || error) return;
  for (int32_t i = 0; i < d_len;) {
    UChar32 c = 0;
    U16_NEXT(decomposed, i, d_len, c);
    if (u_charType(c) == U_NON_SPACING_MARK) continue;
    if (c < 0x80) {
      AppendCodePointSkeleton(c, out);
      continue;
    }
    UChar one[4];
    int32_t one_len = 0;
    U16_APPEND(one, one_len, 4, c, error);
    UChar skeleton[64];
    UErrorCode s_status = U_ZERO_ERROR;
    const int32_t s_len =
        uspoof_getSkeleton(SpoofChecker(), 0, one, one_len, skeleton, 64, &s_status);
    if (U_FAILURE(s_status)) {
      AppendUtf8(c, out);
      continue;
    }
    for (int32_t k = 0; k < s_len;) {
      UChar32 p = 0;
      U16_NEXT(skeleton, k, s_len, p);
      if (u_charType(p) == U_NON_SPACING_MARK) continue;
      if (p < 0x80) {
        out->push_back(static_cast<char>(p >= 'A' && p <= 'Z' ? p - 'A' + 'a' : p));
      } else {
        AppendUtf8(u_foldCase(p, U_FOLD_CASE_DEFAULT), out);
      }
    }
  }
}

// Calls emit(c) for each character of the fold of `label` (the two passes of FoldUnits in
// one, table-driven, without allocating: the hot path of every label).
template <typename Emit>
void FoldEach(std::string_view label, Emit emit) {
  static const auto kChars = [] {
    std::array<char, 256> t{};
    for (int c = 0; c < 256; ++c) t[static_cast<size_t>(c)] = FoldChar(static_cast<char>(c));
    return t;
  }();
  char pending = '\0';
  for (char c : label) {
    const char f = kChars[static_cast<unsigned char>(c)];
    if (f == '\0') continue;
    if (pending != '\0') {
      // Only n, v, l and c end a pair.
      if ((f == 'n' || f == 'v' || f == 'l' || f == 'c') && FoldPair(pending, f) != '\0') {
        emit(FoldPair(pending, f));
        pending = '\0';
        continue;
      }
      emit(pending);
    }
    pending = f;
  }
  if (pending != '\0') emit(pending);
}

}  // namespace

bool IsAsciiText(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

void AppendAsciiFold(std::string_view label, std::string* out) {
  FoldEach(label, [out](char c) { out->push_back(c); });
}

uint64_t HashAsciiFold(std::string_view label) {
  if (label.size() > kMaxHashedLabel) return HashLabel(AsciiFold(label));
  char folded[kMaxHashedLabel];
  size_t n = 0;
  FoldEach(label, [&](char c) { folded[n++] = c; });
  return HashLabel(std::string_view(folded, n));
}

std::string AsciiFold(std::string_view label) {
  std::string out;
  out.reserve(label.size());
  AppendAsciiFold(label, &out);
  return out;
}

std::string LabelSkeleton(std::string_view utf8_label) {
  if (IsAsciiText(utf8_label)) return AsciiFold(utf8_label);
  std::string mapped;
  for (UChar32 cp : DecodeUtf8(utf8_label)) AppendCodePointSkeleton(cp, &mapped);
  return AsciiFold(mapped);
}

std::string ExplainAsciiFold(std::string_view label, std::string_view brand) {
  const std::vector<FoldUnit> a = FoldUnits(label), b = FoldUnits(brand);
  if (a.size() != b.size()) return {};
  std::string homoglyphs;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].folded != b[i].folded) return {};
    std::string raw_a(label.substr(a[i].begin, a[i].end - a[i].begin));
    std::string raw_b(brand.substr(b[i].begin, b[i].end - b[i].begin));
    for (std::string* r : {&raw_a, &raw_b})
      r->erase(std::remove(r->begin(), r->end(), '-'), r->end());
    if (raw_a == raw_b) continue;
    if (!homoglyphs.empty()) homoglyphs += ", ";
    homoglyphs += raw_a + "→" + raw_b;
  }
  const auto separators = [](std::string_view s) {
    return s.find_first_of("-_") != std::string_view::npos;
  };
  const bool label_separators = separators(label), brand_separators = separators(brand);
  std::string out;
  if (!homoglyphs.empty()) out = "homoglyph " + homoglyphs;
  if (label_separators != brand_separators || (label_separators && homoglyphs.empty())) {
    out += std::string(out.empty() ? "" : "; ") +
           (label_separators ? "hyphenation" : "hyphen removed");
  }
  return out;
}

std::string DescribeUnicodeLabel(std::string_view utf8_label) {
  std::string out;
  for (UChar32 cp : DecodeUtf8(utf8_label)) {
    if (cp < 0x80) continue;
    char name[128] = {};
    UErrorCode status = U_ZERO_ERROR;
    u_charName(cp, U_UNICODE_CHAR_NAME, name, sizeof(name), &status);
    std::string one;
    AppendUtf8(cp, &one);
    std::string skeleton;
    AppendCodePointSkeleton(cp, &skeleton);
    char code[16];
    std::snprintf(code, sizeof(code), "U+%04X", static_cast<unsigned>(cp));
    if (out.find(code) != std::string::npos) continue;  // each character once
    if (!out.empty()) out += ", ";
    out += one + " (" + code;
    if (name[0] != '\0') out += std::string(" ") + name;
    out += ")→" + (skeleton.empty() ? std::string("(nothing)") : skeleton);
  }
  const std::vector<std::string> scripts = LabelScripts(utf8_label);
  if (!scripts.empty()) {
    std::string joined;
    for (const std::string& s : scripts) {
      if (!joined.empty()) joined += "+";
      joined += s;
    }
    out += std::string(out.empty() ? "" : "; ") +
           (scripts.size() > 1 ? "mixed scripts " : "script ") + joined;
  }
  return out;
}

std::vector<std::string> LabelScripts(std::string_view utf8_label) {
  std::vector<std::string> out;
  for (UChar32 cp : DecodeUtf8(utf8_label)) {
    UErrorCode status = U_ZERO_ERROR;
    const UScriptCode script = uscript_getScript(cp, &status);
    if (U_FAILURE(status) || script == USCRIPT_COMMON || script == USCRIPT_INHERITED) continue;
    const char* name = uscript_getName(script);
    if (name == nullptr) continue;
    if (std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
  }
  return out;
}

}  // namespace ctwatch
