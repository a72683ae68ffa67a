// Polynomial label hashes and the Bloom-fronted postings table; see label_hash.h.
#include "policy/label_hash.h"

#include <algorithm>

namespace ctwatch {
namespace {

uint64_t NextPowerOfTwo(uint64_t n) {
  uint64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

void HashPostings::Finish() {
  std::sort(pending_.begin(), pending_.end());
  pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
  key_count_ = 0;
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (i == 0 || pending_[i].first != pending_[i - 1].first) ++key_count_;
  }
  // 32 to 64 Bloom bits per key (three of them set, in one word): a false positive rate
  // below 0.1%, so that a probe for an absent key rarely reaches the table.
  const uint64_t words = NextPowerOfTwo(std::max<uint64_t>(1, key_count_ / 2 + 1));
  bloom_.assign(words, 0);
  bloom_shift_ = 63 - static_cast<uint64_t>(__builtin_ctzll(words));
  const uint64_t capacity = NextPowerOfTwo(std::max<uint64_t>(2, key_count_ * 2));
  slots_.assign(capacity, Slot{});
  slot_mask_ = capacity - 1;
  ids_.clear();
  ids_.reserve(pending_.size());
  for (size_t i = 0; i < pending_.size();) {
    const uint64_t key = pending_[i].first;
    const uint32_t begin = static_cast<uint32_t>(ids_.size());
    for (; i < pending_.size() && pending_[i].first == key; ++i) ids_.push_back(pending_[i].second);
    uint64_t& word = bloom_[BloomWord(key)];
    word |= (1ULL << (key & 63)) | (1ULL << ((key >> 6) & 63)) | (1ULL << ((key >> 12) & 63));
    for (uint64_t s = (key >> 20) & slot_mask_;; s = (s + 1) & slot_mask_) {
      if (slots_[s].key == 0) {
        slots_[s] = Slot{key, begin, static_cast<uint32_t>(ids_.size() - begin)};
        break;
      }
    }
  }
  pending_.clear();
  pending_.shrink_to_fit();
}

void HashFilter::Finish() {
  std::sort(pending_.begin(), pending_.end());
  pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
  // The same density as HashPostings' filter: 32 to 64 bits per key, three set in one word.
  const uint64_t words = NextPowerOfTwo(std::max<uint64_t>(1, pending_.size() / 2 + 1));
  bloom_.assign(words, 0);
  bloom_shift_ = 63 - static_cast<uint64_t>(__builtin_ctzll(words));
  for (const uint64_t key : pending_) {
    bloom_[static_cast<size_t>((key >> 1) >> bloom_shift_)] |=
        (1ULL << (key & 63)) | (1ULL << ((key >> 6) & 63)) | (1ULL << ((key >> 12) & 63));
  }
  pending_.clear();
  pending_.shrink_to_fit();
}

std::span<const uint32_t> HashPostings::FindInTable(uint64_t key) const {
  if (slots_.empty()) return {};
  for (uint64_t s = (key >> 20) & slot_mask_;; s = (s + 1) & slot_mask_) {
    const Slot& slot = slots_[s];
    if (slot.key == 0) return {};
    if (slot.key == key) return std::span<const uint32_t>(ids_).subspan(slot.begin, slot.count);
  }
}

size_t HashPostings::MemoryBytes() const {
  return bloom_.size() * sizeof(uint64_t) + slots_.size() * sizeof(Slot) +
         ids_.size() * sizeof(uint32_t);
}

}  // namespace ctwatch
