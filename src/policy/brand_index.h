// BrandIndex: the protected brand labels, indexed so that the cost of looking a label up does
// not depend on how many brands there are: by exact label, by confusable skeleton, and by
// deletion neighbourhood (every string reachable by deleting up to max_distance characters of
// a brand, as in SymSpell). A query label at Damerau distance d <= 2 from a brand shares at
// least one deletion variant with it, so probing the query's own deletion variants finds every
// candidate; candidates are then verified against the real strings.
// Thread-safety: immutable after construction; safe to read from any thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/label_hash.h"

namespace ctwatch {

struct Brand {
  std::string label;                  // A-label form: "examplebank", "xn--bcher-kva"
  std::string unicode;                // U-label form ("bücher"); equal to label when ASCII
  std::string skeleton;               // LabelSkeleton(unicode)
  std::string display;                // how findings name it: "examplebank.com" or the label
  std::vector<std::string> suffixes;  // public suffixes it is ours under ("com", "co.uk")
  int max_distance = 0;               // edit distance allowed: 0, 1 or 2
};

// The first kDeletionPrefix characters of `s` left when the characters at `skip_a` and
// `skip_b` are deleted (npos: none), packed into an integer; `s` must have that many left.
inline constexpr size_t kDeletionPrefix = 4;
inline uint32_t PackDeletionPrefix(std::string_view s, size_t skip_a = std::string_view::npos,
                                   size_t skip_b = std::string_view::npos) {
  uint32_t packed = 0;
  for (size_t k = 0, n = 0; k < s.size() && n < kDeletionPrefix; ++k) {
    if (k == skip_a || k == skip_b) continue;
    packed |= static_cast<uint32_t>(static_cast<unsigned char>(s[k])) << (8 * n++);
  }
  return packed;
}

class BrandIndex {
 public:
  explicit BrandIndex(std::vector<Brand> brands);

  const Brand& brand(uint32_t id) const { return brands_[id]; }
  size_t size() const { return brands_.size(); }

  // Candidates (unverified) whose label / skeleton / a deletion variant hashes to `key`.
  std::span<const uint32_t> ByLabel(uint64_t key) const { return by_label_.Find(key); }
  std::span<const uint32_t> BySkeleton(uint64_t key) const { return by_skeleton_.Find(key); }
  std::span<const uint32_t> ByDeletion(uint64_t key) const { return by_deletion_.Find(key); }
  void PrefetchDeletion(uint64_t key) const { by_deletion_.Prefetch(key); }
  // False when no deletion key of `length` (>= kDeletionPrefix) characters starts with the
  // packed prefix (PackDeletionPrefix): then no variant of a query with that prefix needs a
  // probe. One test stands for the many deletion variants that keep a query's first
  // characters, and most queries share their first characters with no brand of that length.
  bool DeletionPrefixPossible(size_t length, uint32_t packed) const {
    return deletion_prefixes_.MayContain(LabelHasher::Seal(packed, length));
  }

  // Query lengths for which probing its 0, 1 or 2 deletions can find a brand within its
  // distance. A query needs as many deletions as the alignment has substitutions and
  // insertions (SymSpell), so two deletions only for queries at least as long as the shortest
  // distance-2 brand, one deletion from the shortest distance-1 brand (or distance-2 brand
  // minus one), none from the shortest brand minus its distance.
  bool FuzzyPossible(size_t length) const {
    return ZeroDeletions(length) || OneDeletion(length) || TwoDeletions(length);
  }
  bool ZeroDeletions(size_t length) const { return zero_.Contains(length); }
  bool OneDeletion(size_t length) const { return one_.Contains(length); }
  bool TwoDeletions(size_t length) const { return two_.Contains(length); }
  size_t MemoryBytes() const;

 private:
  std::vector<Brand> brands_;
  HashPostings by_label_;
  HashPostings by_skeleton_;
  HashPostings by_deletion_;
  HashFilter deletion_prefixes_;  // (length, first characters) of every deletion key
  struct Window {
    size_t min = 1, max = 0;  // empty
    bool Contains(size_t n) const { return n >= min && n <= max; }
    void Extend(size_t lo, size_t hi) {
      if (max < min) {
        min = lo;
        max = hi;
      } else {
        min = std::min(min, lo);
        max = std::max(max, hi);
      }
    }
  };
  Window zero_, one_, two_;
};

}  // namespace ctwatch
