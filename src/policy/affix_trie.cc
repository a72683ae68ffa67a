// AffixTrie; see affix_trie.h.
#include "policy/affix_trie.h"

namespace ctwatch {

int AffixTrie::Index(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '0' && c <= '9') return 26 + (c - '0');
  if (c == '-') return 36;
  if (c == '_') return 37;
  return -1;
}

void AffixTrie::Insert(std::vector<Node>* trie, std::string_view word, bool reversed, uint8_t tag) {
  int32_t node = 0;
  for (size_t k = 0; k < word.size(); ++k) {
    const int c = Index(reversed ? word[word.size() - 1 - k] : word[k]);
    if ((*trie)[node].next[c] == 0) {
      (*trie)[node].next[c] = static_cast<int32_t>(trie->size());
      trie->emplace_back();
    }
    node = (*trie)[node].next[c];
  }
  (*trie)[node].tag = tag;
}

void AffixTrie::Add(std::string_view word, uint8_t tag) {
  if (word.empty()) return;
  for (char c : word) {
    if (Index(c) < 0) return;
  }
  Insert(&forward_, word, false, tag);
  Insert(&backward_, word, true, tag);
}

void AffixTrie::Prefixes(std::string_view label, std::vector<Match>* out) const {
  int32_t node = 0;
  for (size_t k = 0; k + 1 < label.size(); ++k) {
    const int c = Index(label[k]);
    if (c < 0 || (node = forward_[node].next[c]) == 0) return;
    if (forward_[node].tag >= 0) out->push_back({k + 1, static_cast<uint8_t>(forward_[node].tag)});
  }
}

void AffixTrie::Suffixes(std::string_view label, std::vector<Match>* out) const {
  int32_t node = 0;
  for (size_t k = 0; k + 1 < label.size(); ++k) {
    const int c = Index(label[label.size() - 1 - k]);
    if (c < 0 || (node = backward_[node].next[c]) == 0) return;
    if (backward_[node].tag >= 0)
      out->push_back({k + 1, static_cast<uint8_t>(backward_[node].tag)});
  }
}

}  // namespace ctwatch
