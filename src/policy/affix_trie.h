// AffixTrie: the keyword dictionary of combosquatting as two tries (words and reversed words),
// so that every keyword that starts or ends a label is found in one pass over the label,
// whatever the size of the dictionary: "examplebanklogin" → suffix "login".
// Thread-safety: immutable after construction; safe to read from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ctwatch {

class AffixTrie {
 public:
  // Words of [a-z0-9_-]; others are ignored. `tag` is reported with each match.
  void Add(std::string_view word, uint8_t tag);

  struct Match {
    size_t length;  // of the keyword
    uint8_t tag;
  };
  // Keywords that are proper prefixes / suffixes of `label` (shorter than the label).
  void Prefixes(std::string_view label, std::vector<Match>* out) const;
  void Suffixes(std::string_view label, std::vector<Match>* out) const;
  bool empty() const { return forward_.size() <= 1; }

 private:
  static constexpr int kAlphabet = 38;
  struct Node {
    std::array<int32_t, kAlphabet> next{};  // 0 = none (the root is never a child)
    int16_t tag = -1;                       // >= 0: a word ends here
  };
  static int Index(char c);
  static void Insert(std::vector<Node>* trie, std::string_view word, bool reversed, uint8_t tag);

  std::vector<Node> forward_ = std::vector<Node>(1);
  std::vector<Node> backward_ = std::vector<Node>(1);
};

}  // namespace ctwatch
