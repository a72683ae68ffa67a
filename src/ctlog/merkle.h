// Merkle tree hashing and proofs of RFC 6962 §2.1 (= RFC 9162 §2.1), and CompactRange: the
// O(log n) state that lets a tailer recompute a log's root entry by entry.
// Thread-safety: pure functions; CompactRange is a value type for one owner.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

Sha256Hash LeafHash(ByteView leaf);                        // SHA-256(0x00 || leaf)
Sha256Hash NodeHash(const Sha256Hash& left, const Sha256Hash& right);  // SHA-256(0x01 || l || r)
Sha256Hash EmptyTreeRoot();                                // SHA-256("")

// Root of the tree over `leaf_hashes` (MTH of RFC 6962 §2.1).
Sha256Hash RootFromLeafHashes(std::span<const Sha256Hash> leaf_hashes);

// The compact range [0, size): one hash per set bit of `size`, largest subtree first.
class CompactRange {
 public:
  CompactRange() = default;
  // The range [0, size) from its subtree hashes, largest first (as hashes() returns them);
  // kInvalidArgument unless there is one hash per set bit of `size`.
  static Result<CompactRange> FromHashes(uint64_t size, std::vector<Sha256Hash> hashes);

  uint64_t size() const { return size_; }
  void Append(const Sha256Hash& leaf_hash);
  // Root of the tree [0, size()); EmptyTreeRoot() for size 0.
  Sha256Hash Root() const;

  // size u64 || count u8 || hashes; what the store keeps with a log's position.
  Bytes Serialize() const;
  static Result<CompactRange> Deserialize(ByteView data);

  const std::vector<Sha256Hash>& hashes() const { return hashes_; }

 private:
  uint64_t size_ = 0;
  std::vector<Sha256Hash> hashes_;  // popcount(size_) entries, left to right
};

// RFC 9162 §2.1.3.2: leaf `index` with hash `leaf_hash` is in the tree of `tree_size` with
// root `root`. Errors say why (kVerification for a wrong proof, kInvalidArgument for
// impossible sizes or hashes that are not 32 bytes).
Status VerifyInclusion(uint64_t index, uint64_t tree_size, const Sha256Hash& leaf_hash,
                       std::span<const Bytes> proof, const Sha256Hash& root);

// RFC 9162 §2.1.4.2: the tree of size1/root1 is a prefix of the tree of size2/root2.
// size1 == 0 is rejected (as transparency-dev/merkle does).
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Bytes> proof,
                         const Sha256Hash& root1, const Sha256Hash& root2);

}  // namespace ctwatch
