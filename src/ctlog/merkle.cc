// Merkle tree hashes, CompactRange and proof verification (RFC 6962 §2.1, RFC 9162 §2.1.3.2 and
// §2.1.4.2), with the edge-case semantics of transparency-dev/merkle.
// Thread-safety: pure functions; CompactRange is a value type for one owner.
#include "ctlog/merkle.h"

#include <bit>
#include <string>

#include "core/byte_reader.h"
#include "core/sha256.h"

namespace ctwatch {
namespace {

constexpr uint8_t kLeafPrefix[1] = {0x00};
constexpr uint8_t kNodePrefix[1] = {0x01};

// MTH(D[n]) of RFC 6962 §2.1: split at the largest power of two smaller than n.
Sha256Hash SubtreeRoot(std::span<const Sha256Hash> leaves) {
  if (leaves.size() == 1) return leaves[0];
  const size_t k = std::bit_floor(leaves.size() - 1);
  return NodeHash(SubtreeRoot(leaves.first(k)), SubtreeRoot(leaves.subspan(k)));
}

Status CheckProofHashes(std::span<const Bytes> proof) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != 32) {
      return MakeError(ErrorCode::kInvalidArgument, "proof hash " + std::to_string(i) + " has " +
                                                        std::to_string(proof[i].size()) +
                                                        " bytes, not 32");
    }
  }
  return OkStatus();
}

Sha256Hash ToHash(const Bytes& b) {
  Sha256Hash h;
  std::copy(b.begin(), b.end(), h.begin());  // caller checked the size
  return h;
}

}  // namespace

Sha256Hash LeafHash(ByteView leaf) { return Sha256({ByteView(kLeafPrefix), leaf}); }

Sha256Hash NodeHash(const Sha256Hash& left, const Sha256Hash& right) {
  return Sha256({ByteView(kNodePrefix), ByteView(left), ByteView(right)});
}

Sha256Hash EmptyTreeRoot() { return Sha256(ByteView()); }

Sha256Hash RootFromLeafHashes(std::span<const Sha256Hash> leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyTreeRoot();
  return SubtreeRoot(leaf_hashes);
}

// hashes_ holds the roots of the perfect subtrees that [0, size_) decomposes into, largest
// (leftmost) first: one per set bit of size_. Appending a leaf merges the trailing subtrees of
// equal size, like a binary counter's carry.
void CompactRange::Append(const Sha256Hash& leaf_hash) {
  Sha256Hash carry = leaf_hash;
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    carry = NodeHash(hashes_.back(), carry);
    hashes_.pop_back();
  }
  hashes_.push_back(carry);
  ++size_;
}

Result<CompactRange> CompactRange::FromHashes(uint64_t size, std::vector<Sha256Hash> hashes) {
  if (hashes.size() != static_cast<size_t>(std::popcount(size))) {
    return MakeError(ErrorCode::kInvalidArgument, "compact range: " +
                                                      std::to_string(hashes.size()) +
                                                      " hashes for size " + std::to_string(size));
  }
  CompactRange range;
  range.size_ = size;
  range.hashes_ = std::move(hashes);
  return range;
}

Sha256Hash CompactRange::Root() const {
  if (hashes_.empty()) return EmptyTreeRoot();
  Sha256Hash root = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) root = NodeHash(hashes_[i], root);
  return root;
}

// struct { uint64 size; uint8 count; opaque hashes[32 * count]; }
Bytes CompactRange::Serialize() const {
  Bytes out;
  out.reserve(9 + 32 * hashes_.size());
  AppendUint(&out, size_, 8);
  AppendUint(&out, hashes_.size(), 1);
  for (const Sha256Hash& h : hashes_) out.insert(out.end(), h.begin(), h.end());
  return out;
}

Result<CompactRange> CompactRange::Deserialize(ByteView data) {
  ByteReader r(data);
  uint64_t size;
  uint8_t count;
  if (!r.ReadU64(&size) || !r.ReadU8(&count)) {
    return MakeError(ErrorCode::kParse, "compact range: truncated header");
  }
  if (count != std::popcount(size)) {
    return MakeError(ErrorCode::kParse, "compact range: " + std::to_string(count) +
                                            " hashes for size " + std::to_string(size));
  }
  if (r.remaining() != size_t{32} * count) {
    return MakeError(ErrorCode::kParse, "compact range: " + std::to_string(r.remaining()) +
                                            " bytes of hashes for " + std::to_string(count));
  }
  CompactRange range;
  range.size_ = size;
  range.hashes_.resize(count);
  for (Sha256Hash& h : range.hashes_) {
    ByteView b;
    r.ReadBytes(32, &b);  // cannot fail: the length was checked above
    std::copy(b.begin(), b.end(), h.begin());
  }
  return range;
}

// RFC 9162 §2.1.3.2, step by step.
Status VerifyInclusion(uint64_t index, uint64_t tree_size, const Sha256Hash& leaf_hash,
                       std::span<const Bytes> proof, const Sha256Hash& root) {
  if (index >= tree_size) {
    return MakeError(ErrorCode::kInvalidArgument, "leaf index " + std::to_string(index) +
                                                      " is not below tree size " +
                                                      std::to_string(tree_size));
  }
  CTW_RETURN_IF_ERROR(CheckProofHashes(proof));
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Sha256Hash r = leaf_hash;
  for (const Bytes& p : proof) {
    if (sn == 0) return MakeError(ErrorCode::kVerification, "inclusion proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(ToHash(p), r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, ToHash(p));
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return MakeError(ErrorCode::kVerification, "inclusion proof is too short");
  if (r != root) {
    return MakeError(ErrorCode::kVerification, "inclusion proof does not lead to the root");
  }
  return OkStatus();
}

// RFC 9162 §2.1.4.2, step by step; the size checks before it follow transparency-dev/merkle.
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Bytes> proof,
                         const Sha256Hash& root1, const Sha256Hash& root2) {
  if (size1 > size2) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "size1 " + std::to_string(size1) + " is larger than size2 " + std::to_string(size2));
  }
  if (size1 == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "consistency from the empty tree is meaningless");
  }
  if (size1 == size2) {
    if (!proof.empty()) {
      return MakeError(ErrorCode::kVerification, "equal sizes need an empty proof");
    }
    if (root1 != root2) {
      return MakeError(ErrorCode::kVerification, "equal sizes but different roots");
    }
    return OkStatus();
  }
  if (proof.empty()) return MakeError(ErrorCode::kVerification, "empty consistency proof");
  CTW_RETURN_IF_ERROR(CheckProofHashes(proof));

  // Step 1: when size1 is a power of two, root1 is the first node of the path.
  const bool prepend_root1 = std::has_single_bit(size1);
  const size_t path_length = proof.size() + (prepend_root1 ? 1 : 0);
  auto path = [&](size_t i) -> Sha256Hash {
    if (prepend_root1) return i == 0 ? root1 : ToHash(proof[i - 1]);
    return ToHash(proof[i]);
  };

  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Sha256Hash fr = path(0);
  Sha256Hash sr = fr;
  for (size_t i = 1; i < path_length; ++i) {
    const Sha256Hash c = path(i);
    if (sn == 0) return MakeError(ErrorCode::kVerification, "consistency proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return MakeError(ErrorCode::kVerification, "consistency proof is too short");
  if (fr != root1) {
    return MakeError(ErrorCode::kVerification, "consistency proof does not lead to root1");
  }
  if (sr != root2) {
    return MakeError(ErrorCode::kVerification, "consistency proof does not lead to root2");
  }
  return OkStatus();
}

}  // namespace ctwatch
