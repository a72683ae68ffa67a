// Leaf hashes of a range, and the compact range of a prefix proven against a signed head, over
// both CT APIs (RFC 9162 §2.1 trees and proofs; C2SP tlog-tiles for the hash tiles). They let
// the Tailer start a new log at an index without reading it from entry 0, and check a prefix
// it has read against a head whose size is not on a tile boundary.
// Thread-safety: functions over a client, which belongs to one thread (see log_client.h).
#include <algorithm>
#include <bit>
#include <map>
#include <span>
#include <string>
#include <utility>

#include "ctlog/log_client.h"

namespace ctwatch {
namespace {

constexpr size_t kHashBytes = 32;
constexpr size_t kMaxReserve = 1u << 16;  // do not trust a caller's range for an allocation

std::string Str(uint64_t value) { return std::to_string(value); }

Sha256Hash HashAt(ByteView bytes, size_t offset) {
  Sha256Hash hash;
  std::copy_n(bytes.begin() + static_cast<ptrdiff_t>(offset), kHashBytes, hash.begin());
  return hash;
}

Status CheckRange(uint64_t start, uint64_t end) {
  if (start > end) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "leaf hashes of [" + Str(start) + ", " + Str(end) + "): start after end");
  }
  return OkStatus();
}

Status CheckSize(uint64_t size, const SignedTreeHead& head) {
  if (size > head.tree_size) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "compact range of [0, " + Str(size) + ") beyond the head of size " + Str(head.tree_size));
  }
  return OkStatus();
}

// The empty range; a head of size 0 must carry the empty tree's root (RFC 9162 §2.1.1).
Result<CompactRange> EmptyRange(const SignedTreeHead& head) {
  if (head.tree_size == 0 && head.root != EmptyTreeRoot()) {
    return MakeError(ErrorCode::kVerification, "the head of size 0 has a non-empty root");
  }
  return CompactRange();
}

// RFC 9162 §2.1.3.2 walks the audit path of leaf `index` bottom up. The nodes it hashes on the
// left, HASH(0x01 || p || r), are the perfect subtrees left of the leaf: one per set bit of
// `index`, smallest first, i.e. the compact range of [0, index) in reverse. Only for a proof
// that VerifyInclusion accepted (same walk, so the sizes are right).
std::vector<Sha256Hash> LeftSiblings(uint64_t index, uint64_t tree_size,
                                     std::span<const Bytes> audit_path) {
  std::vector<Sha256Hash> left;
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  for (const Bytes& p : audit_path) {
    if ((fn & 1) != 0 || fn == sn) {
      left.push_back(HashAt(p, 0));
      while ((fn & 1) == 0 && fn != 0) {  // a right edge without a sibling: rise
        fn >>= 1;
        sn >>= 1;
      }
    }
    fn >>= 1;
    sn >>= 1;
  }
  return left;
}

// The perfect subtrees that [begin, end) splits into, left to right, as (level, index): the
// subtree at `level` with index i holds leaves [i << level, (i + 1) << level). Each is the
// largest one aligned at its start that fits, as in a compact range (RFC 9162 §2.1).
std::vector<std::pair<int, uint64_t>> PerfectSubtrees(uint64_t begin, uint64_t end) {
  std::vector<std::pair<int, uint64_t>> out;
  while (begin < end) {
    int level = std::bit_width(end - begin) - 1;
    if (begin != 0) level = std::min(level, std::countr_zero(begin));
    out.emplace_back(level, begin >> level);
    begin += uint64_t{1} << level;
  }
  return out;
}

// Perfect subtrees pushed left to right, merging equal levels (a left sibling and its right
// sibling) as they come: after each push, the compact range of everything pushed so far.
class SubtreeStack {
 public:
  void Push(int level, Sha256Hash hash) {
    while (!levels_.empty() && levels_.back() == level) {
      hash = NodeHash(hashes_.back(), hash);
      hashes_.pop_back();
      levels_.pop_back();
      ++level;
    }
    levels_.push_back(level);
    hashes_.push_back(hash);
  }
  // The root over all pushed leaves (RFC 9162 §2.1.1 MTH), folding right to left.
  Sha256Hash Root() const {
    if (hashes_.empty()) return EmptyTreeRoot();
    Sha256Hash root = hashes_.back();
    for (size_t i = hashes_.size() - 1; i-- > 0;) root = NodeHash(hashes_[i], root);
    return root;
  }

 private:
  std::vector<int> levels_;
  std::vector<Sha256Hash> hashes_;
};

// The hash tiles of a static log at one tree size (C2SP tlog-tiles): tile level L holds the
// nodes of tree level 8L, 256 to a tile; the last tile of each level is partial (.p/<W>) and
// falls back to the full tile when gone. Each tile is fetched once.
class HashTileReader {
 public:
  HashTileReader(TileClient* client, uint64_t tree_size) : client_(client), tree_size_(tree_size) {}

  // The perfect subtree at tree `level` with index `index`, which must lie inside the tree: the
  // 2^(level % 8) nodes below it in tile level level / 8, hashed up (RFC 9162 §2.1.1).
  Result<Sha256Hash> Subtree(int level, uint64_t index) {
    const int tile_level = level / 8;
    const int rise = level % 8;
    const uint64_t first = index << rise;  // first node at tree level 8 * tile_level
    const size_t count = size_t{1} << rise;
    const uint64_t tile_index = first / kTileWidth;
    const size_t offset = static_cast<size_t>(first % kTileWidth);
    CTW_ASSIGN_OR_RETURN(const Bytes* tile, Tile(tile_level, tile_index));
    if ((offset + count) * kHashBytes > tile->size()) {
      return MakeError(ErrorCode::kInternal, TilePath(tile_level, tile_index, kTileWidth) +
                                                 " does not hold node " + Str(first));
    }
    std::vector<Sha256Hash> nodes(count);
    for (size_t i = 0; i < count; ++i) nodes[i] = HashAt(*tile, (offset + i) * kHashBytes);
    return RootFromLeafHashes(nodes);  // a power of two: the perfect subtree over the nodes
  }

 private:
  Result<const Bytes*> Tile(int tile_level, uint64_t tile_index) {
    const auto key = std::make_pair(tile_level, tile_index);
    auto it = tiles_.find(key);
    if (it == tiles_.end()) {
      const uint64_t nodes = tree_size_ >> (8 * tile_level);  // complete nodes at that level
      const auto width =
          static_cast<unsigned>(std::min<uint64_t>(nodes - tile_index * kTileWidth, kTileWidth));
      CTW_ASSIGN_OR_RETURN(Bytes tile, client_->GetHashTile(tile_level, tile_index, width));
      it = tiles_.emplace(key, std::move(tile)).first;
    }
    return &it->second;
  }

  TileClient* client_;
  uint64_t tree_size_;
  std::map<std::pair<int, uint64_t>, Bytes> tiles_;
};

}  // namespace

// RFC 6962 §4.6 get-entries, continued after short answers; leaf hashes per RFC 9162 §2.1.1.
Result<std::vector<Sha256Hash>> FetchLeafHashes(Rfc6962Client* client, uint64_t start,
                                                uint64_t end) {
  CTW_RETURN_IF_ERROR(CheckRange(start, end));
  std::vector<Sha256Hash> hashes;
  hashes.reserve(static_cast<size_t>(std::min<uint64_t>(end - start, kMaxReserve)));
  for (uint64_t next = start; next < end;) {
    CTW_ASSIGN_OR_RETURN(std::vector<RawEntry> raw, client->GetEntries(next, end - 1));
    for (const RawEntry& entry : raw) hashes.push_back(LeafHash(entry.leaf_input));
    next += raw.size();  // 1..(end - next) entries, checked by GetEntries
  }
  return hashes;
}

// Entry size-1, its audit path at the head (RFC 6962 §4.5 get-proof-by-hash) verified per
// RFC 9162 §2.1.3.2, and the compact range read off the path's left siblings.
Result<CompactRange> ProvenCompactRange(Rfc6962Client* client, uint64_t size,
                                        const SignedTreeHead& head) {
  CTW_RETURN_IF_ERROR(CheckSize(size, head));
  if (size == 0) return EmptyRange(head);
  const uint64_t index = size - 1;
  const std::string what = "entry " + Str(index) + " in the tree of size " + Str(head.tree_size);
  CTW_ASSIGN_OR_RETURN(std::vector<RawEntry> raw, client->GetEntries(index, index));
  const Sha256Hash leaf_hash = LeafHash(raw.front().leaf_input);
  if (head.tree_size == 1) {
    // A tree of one leaf has that leaf's hash as its root (RFC 9162 §2.1.1): no proof needed.
    if (leaf_hash != head.root) {
      return MakeError(ErrorCode::kVerification, what + ": the leaf hash is not the root");
    }
    CompactRange range;
    range.Append(leaf_hash);
    return range;
  }
  CTW_ASSIGN_OR_RETURN(Rfc6962Client::InclusionProof proof,
                       client->GetProofByHash(leaf_hash, head.tree_size));
  if (proof.leaf_index != index) {
    return MakeError(ErrorCode::kVerification, what + ": get-proof-by-hash answered for leaf " +
                                                   Str(proof.leaf_index) +
                                                   " (a duplicate leaf, or the wrong entry)");
  }
  Status included = VerifyInclusion(index, head.tree_size, leaf_hash, proof.audit_path, head.root);
  if (!included) return std::move(included).error().WithContext(what);
  std::vector<Sha256Hash> left = LeftSiblings(index, head.tree_size, proof.audit_path);
  std::reverse(left.begin(), left.end());
  CTW_ASSIGN_OR_RETURN(CompactRange range, CompactRange::FromHashes(index, std::move(left)));
  range.Append(leaf_hash);  // merges the subtrees it completes
  return range;
}

// Level-0 hash tiles (C2SP tlog-tiles), partial where `end` falls inside a tile.
Result<std::vector<Sha256Hash>> FetchLeafHashes(TileClient* client, uint64_t start, uint64_t end) {
  CTW_RETURN_IF_ERROR(CheckRange(start, end));
  std::vector<Sha256Hash> hashes;
  hashes.reserve(static_cast<size_t>(std::min<uint64_t>(end - start, kMaxReserve)));
  for (uint64_t next = start; next < end;) {
    const uint64_t tile_index = next / kTileWidth;
    const uint64_t tile_start = tile_index * kTileWidth;
    const auto width = static_cast<unsigned>(std::min<uint64_t>(end - tile_start, kTileWidth));
    // At least `width` hashes: the partial tile, or the full one in its place.
    CTW_ASSIGN_OR_RETURN(Bytes tile, client->GetHashTile(0, tile_index, width));
    for (const uint64_t stop = tile_start + width; next < stop; ++next) {
      hashes.push_back(HashAt(tile, static_cast<size_t>(next - tile_start) * kHashBytes));
    }
  }
  return hashes;
}

// [0, size) and [size, head.tree_size) split into perfect subtrees, each hashed from the tiles;
// pushed left to right they must fold to head.root (RFC 9162 §2.1.1), which proves every
// subtree of [0, size), the compact range returned.
Result<CompactRange> ProvenCompactRange(TileClient* client, uint64_t size,
                                        const SignedTreeHead& head) {
  CTW_RETURN_IF_ERROR(CheckSize(size, head));
  if (size == 0) return EmptyRange(head);
  HashTileReader tiles(client, head.tree_size);
  SubtreeStack stack;
  std::vector<Sha256Hash> prefix;
  for (const auto& [level, index] : PerfectSubtrees(0, size)) {
    CTW_ASSIGN_OR_RETURN(Sha256Hash hash, tiles.Subtree(level, index));
    prefix.push_back(hash);
    stack.Push(level, hash);
  }
  for (const auto& [level, index] : PerfectSubtrees(size, head.tree_size)) {
    CTW_ASSIGN_OR_RETURN(Sha256Hash hash, tiles.Subtree(level, index));
    stack.Push(level, hash);
  }
  if (stack.Root() != head.root) {
    return MakeError(ErrorCode::kVerification,
                     "the hash tiles do not lead to the root of tree size " + Str(head.tree_size));
  }
  return CompactRange::FromHashes(size, std::move(prefix));
}

}  // namespace ctwatch
