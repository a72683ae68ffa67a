// LookalikeOracle; see oracle.h.
#include "corpusgen/oracle.h"

#include <algorithm>

namespace ctwatch::corpusgen {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t at = s.find(sep, start);
    out.push_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

}  // namespace

LookalikeOracle::LookalikeOracle(std::vector<Brand> brands,
                                 const std::vector<std::string>& keywords,
                                 const std::vector<std::string>& tld_words)
    : brands_(std::move(brands)) {
  for (const Brand& b : brands_) folded_brands_.push_back(Fold(b.label));
  affixes_.insert(keywords.begin(), keywords.end());
  affixes_.insert(tld_words.begin(), tld_words.end());
}

std::string LookalikeOracle::Fold(std::string_view s) {
  std::string chars;
  for (char c : s) {
    if (c == '-' || c == '_') continue;
    chars += c == '0' ? 'o' : (c == '1' || c == 'i') ? 'l' : c;
  }
  static const std::pair<std::string_view, char> kPairs[] = {
      {"rn", 'm'}, {"nn", 'm'}, {"vv", 'w'}, {"cl", 'd'}, {"lc", 'k'}};
  std::string out;
  for (size_t i = 0; i < chars.size();) {
    char folded = 0;
    for (const auto& [pair, to] : kPairs) {
      if (std::string_view(chars).substr(i, 2) == pair) folded = to;
    }
    if (folded != 0) {
      out += folded;
      i += 2;
    } else {
      out += chars[i++];
    }
  }
  return out;
}

int LookalikeOracle::Damerau(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  if (n > 62 || m > 62) return 99;
  // A letter-count bound first: each edit changes the counts by at most two.
  int counts[256] = {};
  for (unsigned char c : a) ++counts[c];
  for (unsigned char c : b) --counts[c];
  int bag = 0;
  for (int c : counts) bag += c < 0 ? -c : c;
  if (bag > 4) return (bag + 1) / 2;
  int d[64][64];
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      int best = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < best) {
        best = d[i - 2][j - 2] + 1;
      }
      d[i][j] = best;
    }
  }
  return d[n][m];
}

// `word` is the brand with keywords / TLD words / a plural ending before or after it.
bool LookalikeOracle::WordAroundBrand(std::string_view word, std::string_view brand) const {
  for (size_t at = word.find(brand); at != std::string_view::npos; at = word.find(brand, at + 1)) {
    const std::string_view before = word.substr(0, at), after = word.substr(at + brand.size());
    if (before.empty() && after.empty()) continue;
    const bool before_ok = before.empty() || affixes_.count(before) > 0;
    const bool after_ok = after.empty() || affixes_.count(after) > 0 ||
                          (before.empty() && (after == "s" || after == "es"));
    if (before_ok && after_ok) return true;
  }
  return false;
}

bool LookalikeOracle::LabelMatches(const LabelForms& label, const Brand& b,
                                   const std::string& folded_brand) const {
  if (label.text == b.label || label.folded == folded_brand) return true;
  const int diff = static_cast<int>(label.text.size()) - static_cast<int>(b.label.size());
  if (b.max_distance > 0 && std::abs(diff) <= b.max_distance &&
      Damerau(label.text, b.label) <= b.max_distance) {
    return true;
  }
  // Runs of hyphen-separated tokens (a brand may contain hyphens), alone or with affixes.
  for (const Run& run : label.runs) {
    if (!run.whole && (run.text == b.label || run.folded == folded_brand)) return true;
    if (run.text.size() > b.label.size() && WordAroundBrand(run.text, b.label)) return true;
  }
  return false;
}

bool LookalikeOracle::IsLookalike(std::string_view name) const {
  if (name.starts_with("*.")) name.remove_prefix(2);
  const std::vector<std::string_view> labels = Split(name, '.');
  for (size_t i = 0; i + 1 < labels.size(); ++i) {
    LabelForms forms{.text = std::string(labels[i]), .folded = Fold(labels[i])};
    const std::vector<std::string_view> tokens = Split(labels[i], '-');
    for (size_t first = 0; first < tokens.size(); ++first) {
      std::string run;
      for (size_t last = first; last < tokens.size(); ++last) {
        if (last > first) run += '-';
        run += tokens[last];
        forms.runs.push_back({run, Fold(run), first == 0 && last + 1 == tokens.size()});
      }
    }
    const std::string joined =
        i + 2 < labels.size() ? std::string(labels[i]) + std::string(labels[i + 1]) : "";
    const std::string joined_folded = Fold(joined);
    for (size_t k = 0; k < brands_.size(); ++k) {
      if (LabelMatches(forms, brands_[k], folded_brands_[k])) return true;
      if (!joined.empty() && (joined == brands_[k].label || joined_folded == folded_brands_[k]))
        return true;
    }
  }
  return false;
}

}  // namespace ctwatch::corpusgen
