// The permutation functions; see permutations.h.
#include "corpusgen/permutations.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace ctwatch::corpusgen {
namespace {

bool IsLdh(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

bool ValidLabel(std::string_view s) {
  return !s.empty() && s.front() != '-' && s.back() != '-' &&
         std::all_of(s.begin(), s.end(), IsLdh);
}

std::vector<std::string> Unique(std::vector<std::string> v, std::string_view brand) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  v.erase(std::remove(v.begin(), v.end(), std::string(brand)), v.end());
  return v;
}

const std::map<char, std::string>& Neighbours() {
  static const std::map<char, std::string> table = [] {
    std::map<char, std::set<char>> n;
    const std::array<std::array<std::string_view, 4>, 3> layouts = {{
        {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"},
        {"1234567890", "qwertzuiop", "asdfghjkl", "yxcvbnm"},
        {"1234567890", "azertyuiop", "qsdfghjklm", "wxcvbn"},
    }};
    for (const auto& rows : layouts) {
      for (size_t r = 0; r < rows.size(); ++r) {
        for (size_t k = 0; k < rows[r].size(); ++k) {
          const char c = rows[r][k];
          auto add = [&](char o) {
            n[c].insert(o);
            n[o].insert(c);
          };
          if (k + 1 < rows[r].size()) add(rows[r][k + 1]);
          if (r + 1 < rows.size()) {
            if (k < rows[r + 1].size()) add(rows[r + 1][k]);
            if (k >= 1 && k - 1 < rows[r + 1].size()) add(rows[r + 1][k - 1]);
          }
        }
      }
    }
    std::map<char, std::string> out;
    for (const auto& [c, set] : n) out[c] = std::string(set.begin(), set.end());
    return out;
  }();
  return table;
}

}  // namespace

std::string KeyboardNeighboursOf(char c) {
  auto it = Neighbours().find(c);
  return it == Neighbours().end() ? "" : it->second;
}

std::vector<std::string> Addition(std::string_view b) {
  std::vector<std::string> out;
  for (char c : std::string_view("abcdefghijklmnopqrstuvwxyz0123456789"))
    out.push_back(std::string(b) + c);
  return Unique(out, b);
}

std::vector<std::string> Bitsquatting(std::string_view b) {
  std::vector<std::string> out;
  for (size_t i = 0; i < b.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string s(b);
      s[i] = static_cast<char>(static_cast<unsigned char>(s[i]) ^ (1u << bit));
      if (ValidLabel(s)) out.push_back(s);
    }
  }
  return Unique(out, b);
}

std::vector<std::string> Homoglyph(std::string_view b) {
  // Look-alike ASCII spellings of a character or a pair of characters.
  static const std::vector<std::pair<std::string_view, std::vector<std::string_view>>> kGlyphs = {
      {"0", {"o"}},
      {"1", {"l", "i"}},
      {"a", {"4"}},
      {"b", {"d", "lb", "8"}},
      {"c", {"e"}},
      {"d", {"b", "cl", "dl"}},
      {"e", {"c", "3"}},
      {"g", {"q", "9"}},
      {"h", {"lh"}},
      {"i", {"1", "l"}},
      {"k", {"lc"}},
      {"l", {"1", "i"}},
      {"m", {"n", "nn", "rn"}},
      {"n", {"m", "r"}},
      {"o", {"0"}},
      {"q", {"g"}},
      {"s", {"5"}},
      {"t", {"7"}},
      {"u", {"v"}},
      {"v", {"u"}},
      {"w", {"vv"}},
      {"rn", {"m"}},
      {"cl", {"d"}},
      {"vv", {"w"}}};
  std::vector<std::string> out;
  for (size_t i = 0; i < b.size(); ++i) {
    for (const auto& [from, tos] : kGlyphs) {
      if (b.substr(i, from.size()) != from) continue;
      for (std::string_view to : tos) {
        std::string s =
            std::string(b.substr(0, i)) + std::string(to) + std::string(b.substr(i + from.size()));
        if (ValidLabel(s)) out.push_back(s);
      }
    }
  }
  return Unique(out, b);
}

std::vector<std::string> IdnHomograph(std::string_view b) {
  static const std::map<char, std::vector<std::string_view>> kUnicode = {
      {'a', {"а", "á", "à", "ä", "â", "ã"}},
      {'c', {"с", "ç"}},
      {'d', {"ԁ"}},
      {'e', {"е", "é", "è", "ë", "ê"}},
      {'h', {"һ"}},
      {'i', {"і", "í", "ï", "ì"}},
      {'j', {"ј"}},
      {'l', {"ӏ"}},
      {'n', {"ñ"}},
      {'o', {"о", "ο", "ó", "ö", "ô", "ò"}},
      {'p', {"р"}},
      {'q', {"ԛ"}},
      {'s', {"ѕ"}},
      {'u', {"ü", "ú", "ù", "û"}},
      {'w', {"ԝ"}},
      {'x', {"х"}},
      {'y', {"у", "ý", "ÿ"}}};
  std::vector<std::string> out;
  for (size_t i = 0; i < b.size(); ++i) {
    auto it = kUnicode.find(b[i]);
    if (it == kUnicode.end()) continue;
    for (std::string_view u : it->second) {
      out.push_back(std::string(b.substr(0, i)) + std::string(u) + std::string(b.substr(i + 1)));
    }
  }
  return Unique(out, b);
}

std::vector<std::string> Cyrillic(std::string_view b) {
  static const std::map<char, std::string_view> kCyrillic = {
      {'a', "а"}, {'c', "с"}, {'d', "ԁ"}, {'e', "е"}, {'h', "һ"},
      {'i', "і"}, {'j', "ј"}, {'l', "ӏ"}, {'o', "о"}, {'p', "р"},
      {'q', "ԛ"}, {'s', "ѕ"}, {'w', "ԝ"}, {'x', "х"}, {'y', "у"}};
  std::string s;
  bool changed = false;
  for (char c : b) {
    auto it = kCyrillic.find(c);
    if (it != kCyrillic.end()) {
      s += it->second;
      changed = true;
    } else {
      s += c;
    }
  }
  return changed ? std::vector<std::string>{s} : std::vector<std::string>{};
}

std::vector<std::string> Hyphenation(std::string_view b) {
  std::vector<std::string> out;
  for (size_t i = 1; i < b.size(); ++i) {
    std::string s = std::string(b.substr(0, i)) + "-" + std::string(b.substr(i));
    if (ValidLabel(s) && s.find("--") == std::string::npos) out.push_back(s);
  }
  return Unique(out, b);
}

std::vector<std::string> Insertion(std::string_view b) {
  std::vector<std::string> out;
  for (size_t i = 0; i < b.size(); ++i) {
    for (char n : KeyboardNeighboursOf(b[i])) {
      out.push_back(std::string(b.substr(0, i)) + n + std::string(b.substr(i)));
      out.push_back(std::string(b.substr(0, i + 1)) + n + std::string(b.substr(i + 1)));
    }
  }
  out.erase(
      std::remove_if(out.begin(), out.end(), [](const std::string& s) { return !ValidLabel(s); }),
      out.end());
  return Unique(out, b);
}

std::vector<std::string> Omission(std::string_view b) {
  std::vector<std::string> out;
  for (size_t i = 0; i < b.size(); ++i) {
    std::string s = std::string(b.substr(0, i)) + std::string(b.substr(i + 1));
    if (ValidLabel(s)) out.push_back(s);
  }
  return Unique(out, b);
}

std::vector<std::string> Repetition(std::string_view b) {
  std::vector<std::string> out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[i] == '-') continue;
    out.push_back(std::string(b.substr(0, i + 1)) + b[i] + std::string(b.substr(i + 1)));
  }
  return Unique(out, b);
}

std::vector<std::string> Replacement(std::string_view b) {
  std::vector<std::string> out;
  for (size_t i = 0; i < b.size(); ++i) {
    for (char n : KeyboardNeighboursOf(b[i])) {
      std::string s(b);
      s[i] = n;
      if (ValidLabel(s)) out.push_back(s);
    }
  }
  return Unique(out, b);
}

std::vector<std::string> DotInsertion(std::string_view b) {
  std::vector<std::string> out;
  for (size_t i = 1; i < b.size(); ++i) {
    const std::string_view left = b.substr(0, i), right = b.substr(i);
    if (ValidLabel(left) && ValidLabel(right))
      out.push_back(std::string(left) + "." + std::string(right));
  }
  return Unique(out, b);
}

std::vector<std::string> Transposition(std::string_view b) {
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < b.size(); ++i) {
    if (b[i] == b[i + 1]) continue;
    std::string s(b);
    std::swap(s[i], s[i + 1]);
    if (ValidLabel(s)) out.push_back(s);
  }
  return Unique(out, b);
}

std::vector<std::string> VowelSwap(std::string_view b) {
  static constexpr std::string_view kVowels = "aeiou";
  std::vector<std::string> out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (kVowels.find(b[i]) == std::string_view::npos) continue;
    for (char v : kVowels) {
      std::string s(b);
      s[i] = v;
      out.push_back(s);
    }
  }
  return Unique(out, b);
}

std::vector<std::string> Plural(std::string_view b) {
  const bool sibilant = b.ends_with("s") || b.ends_with("x") || b.ends_with("z") ||
                        b.ends_with("ch") || b.ends_with("sh");
  return {std::string(b) + (sibilant ? "es" : "s")};
}

std::vector<std::string> Combosquat(std::string_view b, const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (const std::string& w : words) {
    if (!ValidLabel(w)) continue;
    out.push_back(std::string(b) + w);
    out.push_back(w + std::string(b));
    out.push_back(std::string(b) + "-" + w);
    out.push_back(w + "-" + std::string(b));
  }
  return Unique(out, b);
}

}  // namespace ctwatch::corpusgen
