// Edit scripts and technique names; see typo.h.
#include "policy/typo.h"

#include <algorithm>
#include <array>
#include <bitset>

namespace ctwatch {
namespace {

using CharTable = std::array<std::bitset<128>, 128>;

// Keys next to each other on a staggered keyboard: same row +-1, the row above at the same
// index and +1, the row below at -1 and the same index.
void AddKeyboard(const std::array<std::string_view, 4>& rows, CharTable* t) {
  auto link = [t](char a, char b) {
    (*t)[static_cast<unsigned char>(a)][static_cast<unsigned char>(b)] = true;
    (*t)[static_cast<unsigned char>(b)][static_cast<unsigned char>(a)] = true;
  };
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t k = 0; k < rows[r].size(); ++k) {
      if (k + 1 < rows[r].size()) link(rows[r][k], rows[r][k + 1]);
      if (r + 1 < rows.size()) {
        const std::string_view below = rows[r + 1];
        if (k < below.size()) link(rows[r][k], below[k]);
        if (k >= 1 && k - 1 < below.size()) link(rows[r][k], below[k - 1]);
      }
    }
  }
}

const CharTable& KeyboardTable() {
  static const CharTable table = [] {
    CharTable t{};
    AddKeyboard({"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}, &t);  // qwerty
    AddKeyboard({"1234567890", "qwertzuiop", "asdfghjkl", "yxcvbnm"}, &t);  // qwertz
    AddKeyboard({"1234567890", "azertyuiop", "qsdfghjklm", "wxcvbn"}, &t);  // azerty
    return t;
  }();
  return table;
}

const CharTable& HomoglyphTable() {
  static const CharTable table = [] {
    CharTable t{};
    // Look-alike ASCII pairs (dnstwist's ASCII homoglyphs and common "leet" digits).
    static constexpr std::string_view kPairs[] = {"0o", "1l", "1i", "li", "bd", "ce",
                                                  "gq", "uv", "mn", "nr", "38", "69",
                                                  "3e", "4a", "5s", "7t", "8b", "9g"};
    for (std::string_view p : kPairs) {
      t[static_cast<unsigned char>(p[0])][static_cast<unsigned char>(p[1])] = true;
      t[static_cast<unsigned char>(p[1])][static_cast<unsigned char>(p[0])] = true;
    }
    return t;
  }();
  return table;
}

bool InTable(const CharTable& t, char a, char b) {
  const auto ua = static_cast<unsigned char>(a), ub = static_cast<unsigned char>(b);
  return ua < 128 && ub < 128 && t[ua][ub];
}

std::string Quoted(char c) { return std::string("'") + c + "'"; }

// The OSA distance matrix of brand (rows) against label (columns), row-major.
std::vector<int> DistanceMatrix(std::string_view label, std::string_view brand) {
  const size_t n = brand.size(), m = label.size();
  std::vector<int> d((n + 1) * (m + 1));
  auto at = [&](size_t i, size_t j) -> int& { return d[i * (m + 1) + j]; };
  for (size_t i = 0; i <= n; ++i) at(i, 0) = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) at(0, j) = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const int cost = brand[i - 1] == label[j - 1] ? 0 : 1;
      int best = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && brand[i - 1] == label[j - 2] && brand[i - 2] == label[j - 1]) {
        best = std::min(best, at(i - 2, j - 2) + 1);
      }
      at(i, j) = best;
    }
  }
  return d;
}

}  // namespace

bool KeyboardNeighbours(char a, char b) { return InTable(KeyboardTable(), a, b); }
bool AsciiHomoglyphs(char a, char b) { return InTable(HomoglyphTable(), a, b); }
bool OneBitApart(char a, char b) {
  const unsigned x = static_cast<unsigned char>(a) ^ static_cast<unsigned char>(b);
  return x != 0 && (x & (x - 1)) == 0;
}
bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

std::optional<int> BoundedDamerau(std::string_view label, std::string_view brand,
                                  int max_distance) {
  const int diff = static_cast<int>(label.size()) - static_cast<int>(brand.size());
  if (diff > max_distance || -diff > max_distance) return std::nullopt;
  constexpr size_t kMax = 64;  // candidates are verified often: no allocation below this
  if (label.size() >= kMax || brand.size() >= kMax) {
    const int distance = DistanceMatrix(label, brand).back();
    if (distance > max_distance) return std::nullopt;
    return distance;
  }
  // Three rolling rows of the OSA matrix (brand rows, label columns); stop once a whole row
  // exceeds the bound.
  int rows[3][kMax + 1];
  int* before = rows[0];
  int* prev = rows[1];
  int* cur = rows[2];
  const size_t m = label.size();
  for (size_t j = 0; j <= m; ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= brand.size(); ++i) {
    cur[0] = static_cast<int>(i);
    int row_min = cur[0];
    for (size_t j = 1; j <= m; ++j) {
      int best = prev[j - 1] + (brand[i - 1] == label[j - 1] ? 0 : 1);
      best = std::min(best, prev[j] + 1);
      best = std::min(best, cur[j - 1] + 1);
      if (i > 1 && j > 1 && brand[i - 1] == label[j - 2] && brand[i - 2] == label[j - 1]) {
        best = std::min(best, before[j - 2] + 1);
      }
      cur[j] = best;
      row_min = std::min(row_min, best);
    }
    if (row_min > max_distance) return std::nullopt;
    int* recycled = before;
    before = prev;
    prev = cur;
    cur = recycled;
  }
  const int distance = prev[m];
  if (distance > max_distance) return std::nullopt;
  return distance;
}

std::optional<std::vector<Edit>> EditScript(std::string_view label, std::string_view brand,
                                            int max_distance) {
  const int diff = static_cast<int>(label.size()) - static_cast<int>(brand.size());
  if (diff > max_distance || -diff > max_distance) return std::nullopt;
  const std::vector<int> d = DistanceMatrix(label, brand);
  if (d.back() > max_distance) return std::nullopt;
  const size_t m = label.size();
  auto at = [&](size_t i, size_t j) { return d[i * (m + 1) + j]; };
  std::vector<Edit> edits;
  size_t i = brand.size(), j = label.size();
  while (i > 0 || j > 0) {
    const int here = at(i, j);
    if (i > 0 && j > 0 && brand[i - 1] == label[j - 1] && here == at(i - 1, j - 1)) {
      --i, --j;
    } else if (i > 1 && j > 1 && brand[i - 1] == label[j - 2] && brand[i - 2] == label[j - 1] &&
               here == at(i - 2, j - 2) + 1) {
      edits.push_back({Edit::Kind::kTransposition, i - 2, j - 2, brand[i - 2], brand[i - 1]});
      i -= 2, j -= 2;
    } else if (i > 0 && j > 0 && here == at(i - 1, j - 1) + 1) {
      edits.push_back({Edit::Kind::kSubstitution, i - 1, j - 1, brand[i - 1], label[j - 1]});
      --i, --j;
    } else if (j > 0 && here == at(i, j - 1) + 1) {
      edits.push_back({Edit::Kind::kInsertion, i, j - 1, 0, label[j - 1]});
      --j;
    } else {
      edits.push_back({Edit::Kind::kOmission, i - 1, j, brand[i - 1], 0});
      --i;
    }
  }
  std::reverse(edits.begin(), edits.end());
  return edits;
}

EditTechnique ClassifyEdit(const Edit& e, std::string_view label, std::string_view brand) {
  switch (e.kind) {
    case Edit::Kind::kTransposition:
      return {"transposition", "transposition " + std::string{e.label_char, e.brand_char} + "→" +
                                   std::string{e.brand_char, e.label_char}};
    case Edit::Kind::kOmission:
      return {"omission", "omission of " + Quoted(e.brand_char)};
    case Edit::Kind::kInsertion: {
      const char c = e.label_char;
      const size_t j = e.label_pos;
      if (c == '-') return {"hyphenation", "hyphenation"};
      if ((j > 0 && label[j - 1] == c) || (j + 1 < label.size() && label[j + 1] == c)) {
        return {"repetition", "repetition of " + Quoted(c)};
      }
      const bool at_end = j + 1 == label.size();
      if (at_end && c == 's') return {"plural", "plural (added 's')"};
      const char before = e.brand_pos > 0 ? brand[e.brand_pos - 1] : 0;
      const char after = e.brand_pos < brand.size() ? brand[e.brand_pos] : 0;
      if (KeyboardNeighbours(c, before) || KeyboardNeighbours(c, after)) {
        return {"insertion", "insertion of " + Quoted(c) + " (keyboard neighbour of " +
                                 Quoted(KeyboardNeighbours(c, before) ? before : after) + ")"};
      }
      if (at_end) return {"addition", "addition of " + Quoted(c)};
      return {"insertion", "insertion of " + Quoted(c)};
    }
    case Edit::Kind::kSubstitution: {
      const std::string pair = std::string(1, e.label_char) + "→" + e.brand_char;
      if (AsciiHomoglyphs(e.label_char, e.brand_char)) return {"homoglyph", "homoglyph " + pair};
      if (IsVowel(e.label_char) && IsVowel(e.brand_char))
        return {"vowel-swap", "vowel-swap " + pair};
      if (KeyboardNeighbours(e.label_char, e.brand_char)) {
        return {"replacement", "replacement " + pair + " (keyboard neighbours)"};
      }
      if (OneBitApart(e.label_char, e.brand_char)) return {"bitsquatting", "bitsquatting " + pair};
      return {"substitution", "substitution " + pair};
    }
  }
  return {"edit", "edit"};
}

}  // namespace ctwatch
