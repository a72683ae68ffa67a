// MerkleLevels: see merkle_levels.h. Thread-safety: external (TestLogState's shared_mutex).
#include "testlog/merkle_levels.h"

#include <bit>
#include <cassert>
#include <cstring>

#include "ctlog/merkle.h"

namespace ctwatch::testlog {
namespace {

// The largest power of two strictly below n (n >= 2): the split point k of RFC 6962 §2.1.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

}  // namespace

void MerkleLevels::Reserve(uint64_t leaves) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].reserve(leaves);
}

void MerkleLevels::Append(std::span<const Sha256Hash> leaf_hashes) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].insert(levels_[0].end(), leaf_hashes.begin(), leaf_hashes.end());
  for (size_t level = 0; levels_[level].size() >= 2; ++level) {
    if (levels_.size() == level + 1) levels_.emplace_back();
    const std::vector<Sha256Hash>& below = levels_[level];
    std::vector<Sha256Hash>& above = levels_[level + 1];
    while (2 * above.size() + 1 < below.size()) {
      const size_t i = above.size();
      above.push_back(ctwatch::NodeHash(below[2 * i], below[2 * i + 1]));
    }
  }
}

uint64_t MerkleLevels::NodeCount(int level) const {
  if (level < 0 || static_cast<size_t>(level) >= levels_.size()) return 0;
  return levels_[level].size();
}

Sha256Hash MerkleLevels::RangeHash(uint64_t begin, uint64_t end) const {
  assert(begin <= end && end <= size());
  const uint64_t n = end - begin;
  if (n == 0) return EmptyTreeRoot();
  if (std::has_single_bit(n)) {
    const int level = std::countr_zero(n);
    if (begin % n == 0) return levels_[level][begin >> level];
  }
  const uint64_t k = SplitPoint(n);
  return ctwatch::NodeHash(RangeHash(begin, begin + k), RangeHash(begin + k, end));
}

void MerkleLevels::Path(uint64_t index, uint64_t begin, uint64_t end,
                        std::vector<Sha256Hash>* out) const {
  const uint64_t n = end - begin;
  if (n <= 1) return;
  const uint64_t k = SplitPoint(n);
  // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k,
  //                 PATH(m - k, D[k:n]) : MTH(D[0:k]) otherwise.
  if (index < k) {
    Path(index, begin, begin + k, out);
    out->push_back(RangeHash(begin + k, end));
  } else {
    Path(index - k, begin + k, end, out);
    out->push_back(RangeHash(begin, begin + k));
  }
}

std::vector<Sha256Hash> MerkleLevels::InclusionProof(uint64_t index, uint64_t tree_size) const {
  assert(index < tree_size && tree_size <= size());
  std::vector<Sha256Hash> out;
  Path(index, 0, tree_size, &out);
  return out;
}

void MerkleLevels::SubProof(uint64_t size1, uint64_t begin, uint64_t end, bool whole,
                            std::vector<Sha256Hash>* out) const {
  const uint64_t n = end - begin;
  // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}.
  if (size1 == n) {
    if (!whole) out->push_back(RangeHash(begin, end));
    return;
  }
  const uint64_t k = SplitPoint(n);
  if (size1 <= k) {
    // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
    SubProof(size1, begin, begin + k, whole, out);
    out->push_back(RangeHash(begin + k, end));
  } else {
    // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
    SubProof(size1 - k, begin + k, end, false, out);
    out->push_back(RangeHash(begin, begin + k));
  }
}

std::vector<Sha256Hash> MerkleLevels::ConsistencyProof(uint64_t size1, uint64_t size2) const {
  assert(0 < size1 && size1 <= size2 && size2 <= size());
  std::vector<Sha256Hash> out;
  if (size1 == size2) return out;
  SubProof(size1, 0, size2, true, &out);
  return out;
}

std::optional<uint64_t> MerkleLevels::FindLeaf(const Sha256Hash& leaf_hash, uint64_t limit) const {
  const uint64_t end = std::min(limit, size());
  for (uint64_t i = 0; i < end; ++i) {
    if (std::memcmp(levels_[0][i].data(), leaf_hash.data(), leaf_hash.size()) == 0) return i;
  }
  return std::nullopt;
}

size_t MerkleLevels::MemoryBytes() const {
  size_t total = 0;
  for (const auto& level : levels_) total += level.capacity() * sizeof(Sha256Hash);
  return total;
}

}  // namespace ctwatch::testlog
