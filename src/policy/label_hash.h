// Hashing for the brand index: a polynomial hash of a label whose substrings and one- or
// two-character deletions are computed in O(1) from prefix hashes (so that a query label's
// deletion neighbourhood costs no allocation), and HashPostings, an immutable map from such
// hashes to small lists of ids, fronted by a blocked Bloom filter so that the common case (no
// brand anywhere near) costs one cache line per probe.
// Hash collisions only add candidates: callers verify every candidate against the strings.
// Thread-safety: LabelHasher is a value used by one thread; HashPostings is immutable after
// Finish() and safe to read from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace ctwatch {

inline constexpr size_t kMaxHashedLabel = 128;

namespace label_hash_internal {
inline constexpr uint64_t kBase = 0x100000001b3ULL * 2 + 1;  // odd multiplier, mod 2^64
struct PowerTable {
  uint64_t p[kMaxHashedLabel + 2];
  constexpr PowerTable() : p() {
    p[0] = 1;
    for (size_t i = 1; i < kMaxHashedLabel + 2; ++i) p[i] = p[i - 1] * kBase;
  }
};
inline constexpr PowerTable kPowers{};
}  // namespace label_hash_internal

class LabelHasher {
 public:
  // Labels longer than kMaxHashedLabel are hashed as their first kMaxHashedLabel bytes.
  explicit LabelHasher(std::string_view s)
      : size_(s.size() < kMaxHashedLabel ? s.size() : kMaxHashedLabel) {
    prefix_[0] = 0;
    for (size_t i = 0; i < size_; ++i) {
      prefix_[i + 1] =
          prefix_[i] * label_hash_internal::kBase + static_cast<unsigned char>(s[i]) + 1;
    }
  }
  size_t size() const { return size_; }
  uint64_t Whole() const { return Finish(prefix_[size_], size_); }
  // s[a, b)
  uint64_t Range(size_t a, size_t b) const { return Finish(Raw(a, b), b - a); }
  // s without s[i]
  uint64_t Without(size_t i) const {
    return Finish(prefix_[i] * Power(size_ - 1 - i) + Raw(i + 1, size_), size_ - 1);
  }
  // s without s[i] and s[j], i < j
  uint64_t Without(size_t i, size_t j) const {
    return Finish(
        (prefix_[i] * Power(j - i - 1) + Raw(i + 1, j)) * Power(size_ - 1 - j) + Raw(j + 1, size_),
        size_ - 2);
  }

  // The whole deletion neighbourhood cheaply: with x[i] and y[j] from DeletionTerms,
  // Without(j) == Seal(y[j], size() - 1) and Without(i, j) == Seal(x[i] + y[j], size() - 2)
  // (the raw hash of s minus two characters splits into a term per deleted position).
  void DeletionTerms(uint64_t* x, uint64_t* y) const {
    for (size_t k = 0; k < size_; ++k) {
      y[k] = prefix_[k] * Power(size_ - 1 - k) + Raw(k + 1, size_);
      x[k] = k + 2 <= size_ ? (prefix_[k] - prefix_[k + 1]) * Power(size_ - 2 - k) : 0;
    }
  }
  static uint64_t Seal(uint64_t raw, size_t length) { return Finish(raw, length); }

 private:
  static uint64_t Power(size_t k) { return label_hash_internal::kPowers.p[k]; }
  uint64_t Raw(size_t a, size_t b) const { return prefix_[b] - prefix_[a] * Power(b - a); }
  // Length in, one multiply and a fold of the high half down: enough for a table and a
  // Bloom filter whose entries are verified anyway. Never 0 (the table's empty marker).
  static uint64_t Finish(uint64_t raw, size_t length) {
    uint64_t h =
        (raw + static_cast<uint64_t>(length) * 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
    return h == 0 ? 1 : h;
  }
  size_t size_ = 0;
  uint64_t prefix_[kMaxHashedLabel + 1];
};

// Hash of a whole string (same function as LabelHasher's pieces).
inline uint64_t HashLabel(std::string_view s) { return LabelHasher(s).Whole(); }

// A set of hashes that only answers "maybe" or "no": the blocked Bloom filter of HashPostings
// without the table, for prefilters whose "maybe" is followed by the real probe anyway.
class HashFilter {
 public:
  void Add(uint64_t key) { pending_.push_back(key); }
  void Finish();  // builds the filter; Add() may not be called afterwards
  bool MayContain(uint64_t key) const {
    const uint64_t bits =
        (1ULL << (key & 63)) | (1ULL << ((key >> 6) & 63)) | (1ULL << ((key >> 12) & 63));
    return (bloom_[static_cast<size_t>((key >> 1) >> bloom_shift_)] & bits) == bits;
  }
  size_t MemoryBytes() const { return bloom_.size() * sizeof(uint64_t); }

 private:
  std::vector<uint64_t> pending_;
  std::vector<uint64_t> bloom_ = std::vector<uint64_t>(1, 0);
  uint64_t bloom_shift_ = 63;
};

class HashPostings {
 public:
  void Add(uint64_t key, uint32_t id) { pending_.emplace_back(key, id); }
  void Finish();  // builds the table; Add() may not be called afterwards

  // The ids stored under `key` (sorted, unique); empty when none. The Bloom test is inline:
  // most keys probed are absent.
  std::span<const uint32_t> Find(uint64_t key) const {
    if (!MayContain(key)) return {};
    return FindInTable(key);
  }
  bool MayContain(uint64_t key) const {
    const uint64_t bits =
        (1ULL << (key & 63)) | (1ULL << ((key >> 6) & 63)) | (1ULL << ((key >> 12) & 63));
    return (bloom_[BloomWord(key)] & bits) == bits;
  }
  // For batches of probes: fetch the Bloom words early so that their latencies overlap.
  void Prefetch(uint64_t key) const { __builtin_prefetch(&bloom_[BloomWord(key)]); }
  size_t keys() const { return key_count_; }
  size_t MemoryBytes() const;

 private:
  struct Slot {
    uint64_t key = 0;  // 0 = empty (stored keys are never 0)
    uint32_t begin = 0;
    uint32_t count = 0;
  };
  std::span<const uint32_t> FindInTable(uint64_t key) const;
  // Keys are already well mixed (LabelHasher's finish): the top bits pick the word.
  size_t BloomWord(uint64_t key) const { return static_cast<size_t>((key >> 1) >> bloom_shift_); }

  std::vector<std::pair<uint64_t, uint32_t>> pending_;
  std::vector<uint64_t> bloom_ = std::vector<uint64_t>(1, 0);  // three bits per key in one word
  uint64_t bloom_shift_ = 63;  // 64 - 1 - log2(words): a one-word filter uses word 0
  std::vector<Slot> slots_;
  uint64_t slot_mask_ = 0;
  std::vector<uint32_t> ids_;
  size_t key_count_ = 0;
};

}  // namespace ctwatch
