// MerkleLevels: the whole Merkle tree of the test log (RFC 6962 §2.1): every leaf hash and, at
// each level k, the hash of every complete aligned subtree of 2^k leaves. With it a root, a
// hash tile, an inclusion proof (§2.1.1) or a consistency proof (§2.1.2) at any tree size
// costs O(log^2 n) lookups and few hash computations. About 64 bytes per leaf in total.
// Thread-safety: none of its own; TestLogState guards it with a shared_mutex (const methods
// may run concurrently, Append is exclusive).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/bytes.h"

namespace ctwatch::testlog {

class MerkleLevels {
 public:
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }

  // Appends leaf hashes and completes every subtree they close.
  void Append(std::span<const Sha256Hash> leaf_hashes);
  void Reserve(uint64_t leaves);

  const Sha256Hash& leaf_hash(uint64_t index) const { return levels_[0][index]; }

  // MTH(D[begin:end)) of RFC 6962 §2.1; end <= size(). EmptyTreeRoot() when begin == end.
  Sha256Hash RangeHash(uint64_t begin, uint64_t end) const;
  Sha256Hash RootAt(uint64_t tree_size) const { return RangeHash(0, tree_size); }

  // PATH(index, D[0:tree_size)), leaf to root. Requires index < tree_size <= size().
  std::vector<Sha256Hash> InclusionProof(uint64_t index, uint64_t tree_size) const;
  // PROOF(size1, D[0:size2)). Requires 0 < size1 <= size2 <= size(); empty when equal.
  std::vector<Sha256Hash> ConsistencyProof(uint64_t size1, uint64_t size2) const;

  // Number of complete nodes at `level` (level 0 = leaves) and the hash of one of them.
  uint64_t NodeCount(int level) const;
  const Sha256Hash& Node(int level, uint64_t index) const { return levels_[level][index]; }

  // The first leaf index below `limit` whose hash is `leaf_hash` (a linear scan: fine for a
  // test server, about 10 ms per million leaves).
  std::optional<uint64_t> FindLeaf(const Sha256Hash& leaf_hash, uint64_t limit) const;

  size_t MemoryBytes() const;

 private:
  void Path(uint64_t index, uint64_t begin, uint64_t end, std::vector<Sha256Hash>* out) const;
  void SubProof(uint64_t size1, uint64_t begin, uint64_t end, bool whole,
                std::vector<Sha256Hash>* out) const;

  std::vector<std::vector<Sha256Hash>> levels_;
};

}  // namespace ctwatch::testlog
