// LogSource::FetchLeafHashes and LogSource::ProvenCompactRange over both APIs, against a
// loopback log serving one generated tree of 65,836 leaves: RFC 6962 get-entries (short pages)
// and get-proof-by-hash, and static-ct-api hash and data tiles published for one tree size at a
// time (so that a tile the tree of that size does not have is a 404). The expected compact
// ranges come from CompactRange::Append over the leaf hashes, the roots and audit paths from
// the RFC 9162 §2.1 definitions (MTH, PATH) written out here.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "core/encoding.h"
#include "core/http.h"
#include "core/sha256.h"
#include "ctlog/log_client.h"
#include "ctlog/merkle.h"
#include "loopback_log.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::LoopbackServer;
using ::ctwatch::testing::TestLogKey;

constexpr uint64_t kLeaves = 65536 + 300;  // level-2 tiles exist from 65,536 on
constexpr char kOrigin[] = "proven.example/2026";

// The generated log: dummy certificates (nothing parses them), every fifth entry a precert.
struct GeneratedLog {
  std::vector<Bytes> leaf_inputs;  // MerkleTreeLeaf
  std::vector<Bytes> extra_data;
  std::vector<Bytes> tile_leaves;  // TileLeaf
  std::vector<Sha256Hash> leaf_hashes;
  std::vector<std::vector<Sha256Hash>> levels;  // levels[k][i]: perfect subtree at level k
  std::unordered_map<std::string, uint64_t> index_of_hash;

  GeneratedLog() {
    const Sha256Hash issuer = Sha256(AsBytes("issuer"));
    for (uint64_t i = 0; i < kLeaves; ++i) {
      const uint64_t ts = 1'760'000'000'000 + i;
      const bool precert = i % 5 == 4;
      const EntryType type = precert ? EntryType::kPrecert : EntryType::kCert;
      const std::string body = (precert ? "tbs " : "certificate ") + std::to_string(i);
      const Bytes precertificate = precert ? ToBytes(AsBytes("pre " + body)) : Bytes();
      leaf_inputs.push_back(EncodeMerkleTreeLeaf(ts, type, AsBytes(body), issuer));
      extra_data.push_back(EncodeExtraData(type, precertificate, {}));
      Bytes tile_leaf;
      AppendTileLeaf(&tile_leaf, ts, type, AsBytes(body), issuer, precertificate, {issuer});
      tile_leaves.push_back(std::move(tile_leaf));
      leaf_hashes.push_back(LeafHash(leaf_inputs.back()));
      index_of_hash.emplace(ToString(leaf_hashes.back()), i);
    }
    levels.push_back(leaf_hashes);
    while (levels.back().size() >= 2) {
      const std::vector<Sha256Hash>& below = levels.back();
      std::vector<Sha256Hash> above(below.size() / 2);
      for (size_t i = 0; i < above.size(); ++i) above[i] = NodeHash(below[2 * i], below[2 * i + 1]);
      levels.push_back(std::move(above));
    }
  }

  // MTH(D[begin:end]) of RFC 9162 §2.1.1, with perfect subtrees looked up.
  Sha256Hash Mth(uint64_t begin, uint64_t end) const {
    const uint64_t n = end - begin;
    if (std::has_single_bit(n) && begin % n == 0) {
      return levels[std::countr_zero(n)][begin / n];
    }
    const uint64_t k = std::bit_floor(n - 1);
    return NodeHash(Mth(begin, begin + k), Mth(begin + k, end));
  }

  // PATH(m, D[begin:end]) of RFC 9162 §2.1.3.1.
  std::vector<Bytes> Path(uint64_t m, uint64_t begin, uint64_t end) const {
    const uint64_t n = end - begin;
    if (n == 1) return {};
    const uint64_t k = std::bit_floor(n - 1);
    std::vector<Bytes> path;
    if (m < k) {
      path = Path(m, begin, begin + k);
      path.push_back(ToBytes(Mth(begin + k, end)));
    } else {
      path = Path(m - k, begin + k, end);
      path.push_back(ToBytes(Mth(begin, begin + k)));
    }
    return path;
  }

  // The hash tile at `level`, `index`, `width` (C2SP tlog-tiles: nodes of tree level 8L).
  std::string HashTile(int level, uint64_t index, unsigned width) const {
    std::string tile;
    for (uint64_t i = index * kTileWidth; i < index * kTileWidth + width; ++i) {
      tile += ToString(levels[8 * static_cast<size_t>(level)][i]);
    }
    return tile;
  }

  std::string DataTile(uint64_t index, unsigned width) const {
    std::string tile;
    for (uint64_t i = index * kTileWidth; i < index * kTileWidth + width; ++i) {
      tile += ToString(tile_leaves[i]);
    }
    return tile;
  }
};

const GeneratedLog& Log() {
  static const auto* const log = new GeneratedLog();
  return *log;
}

// The compact range of [0, size) by appending leaf after leaf.
CompactRange Appended(uint64_t size) {
  static std::map<uint64_t, CompactRange>* const cache = new std::map<uint64_t, CompactRange>();
  auto it = cache->lower_bound(size);
  if (it != cache->end() && it->first == size) return it->second;
  CompactRange range = it == cache->begin() ? CompactRange() : std::prev(it)->second;
  while (range.size() < size) range.Append(Log().leaf_hashes[range.size()]);
  cache->emplace(size, range);
  return range;
}

SignedTreeHead Head(uint64_t tree_size) {
  SignedTreeHead head;
  head.tree_size = tree_size;
  head.timestamp_ms = 1'770'000'000'000;
  head.root = tree_size == 0 ? EmptyTreeRoot() : Log().Mth(0, tree_size);
  return head;
}

// Head sizes around powers of two and tile boundaries (tile levels 0, 1 and 2).
const std::vector<uint64_t> kHeadSizes = {1,   2,   3,   7,    8,    9,     255,   256,   257,
                                          511, 512, 513, 1000, 4097, 65535, 65536, 65537, kLeaves};

// Prefix sizes to prove against each head (those not above it), plus the head and head - 1.
std::vector<uint64_t> SizesUpTo(uint64_t tree_size) {
  std::set<uint64_t> sizes = {0,    1,    2,     3,     4,     5,     7,           8,      9,
                              15,   16,   17,    127,   128,   129,   255,         256,    257,
                              511,  512,  513,   768,   1000,  1023,  1024,        1025,   4095,
                              4096, 4097, 65280, 65535, 65536, 65537, kLeaves - 1, kLeaves};
  sizes.insert(tree_size);
  sizes.insert(tree_size - 1);
  std::vector<uint64_t> out;
  for (uint64_t s : sizes) {
    if (s <= tree_size) out.push_back(s);
  }
  return out;
}

Sha256Hash Flipped(Sha256Hash h) {
  h[7] ^= 0x40;
  return h;
}

TEST(CompactRangeFromHashesTest, OneHashPerSetBit) {
  for (uint64_t size : {0, 1, 5, 256, 1000}) {
    Result<CompactRange> range = CompactRange::FromHashes(size, Appended(size).hashes());
    ASSERT_THAT(range, IsOk());
    EXPECT_EQ(range->size(), size);
    EXPECT_EQ(range->Root(), Appended(size).Root());
  }
  const std::vector<Sha256Hash> two = Appended(5).hashes();  // a copy: the range is a temporary
  EXPECT_THAT(CompactRange::FromHashes(4, two), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CompactRange::FromHashes(7, two), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CompactRange::FromHashes(0, {two[0]}), IsErrorCode(ErrorCode::kInvalidArgument));
}

// --- RFC 6962 -----------------------------------------------------------------------------

enum class ProofFault { kNone, kFlipNode, kDropNode, kExtraNode, kOtherIndex };

class Rfc6962ProvenRangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Route(
        "/ct/v1/get-entries", [this](const httplib::Request& req, httplib::Response& res) {
          const uint64_t start = std::stoull(req.get_param_value("start"));
          const uint64_t end = std::min<uint64_t>(
              {std::stoull(req.get_param_value("end")), kLeaves - 1, start + page_size_ - 1});
          std::string body = "{\"entries\":[";
          for (uint64_t i = start; i <= end; ++i) {
            body += std::string(i > start ? "," : "") + "{\"leaf_input\":\"" +
                    Base64Encode(Log().leaf_inputs[i]) + "\",\"extra_data\":\"" +
                    Base64Encode(Log().extra_data[i]) + "\"}";
          }
          res.set_content(body + "]}", "application/json");
        });
    server_.Route(
        "/ct/v1/get-proof-by-hash", [this](const httplib::Request& req, httplib::Response& res) {
          const Bytes hash = Base64Decode(req.get_param_value("hash")).value_or(Bytes());
          const uint64_t tree_size = std::stoull(req.get_param_value("tree_size"));
          proof_tree_size_ = tree_size;
          auto it = Log().index_of_hash.find(ToString(hash));
          if (it == Log().index_of_hash.end() || it->second >= tree_size || tree_size > kLeaves) {
            res.status = 404;
            return;
          }
          uint64_t index = it->second;
          std::vector<Bytes> path = Log().Path(index, 0, tree_size);
          switch (fault_.load()) {
            case ProofFault::kNone:
              break;
            case ProofFault::kFlipNode:
              path[path.size() / 2][3] ^= 1;
              break;
            case ProofFault::kDropNode:
              path.pop_back();
              break;
            case ProofFault::kExtraNode:
              path.push_back(ToBytes(Log().leaf_hashes[0]));
              break;
            case ProofFault::kOtherIndex:
              index = index == 0 ? 1 : index - 1;
              break;
          }
          std::string body = "{\"leaf_index\":" + std::to_string(index) + ",\"audit_path\":[";
          for (size_t i = 0; i < path.size(); ++i) {
            body += std::string(i > 0 ? "," : "") + "\"" + Base64Encode(path[i]) + "\"";
          }
          res.set_content(body + "]}", "application/json");
        });
    info_.description = "loopback rfc6962";
    info_.api = LogApi::kRfc6962;
    info_.url = server_.Url("/");
    info_.key = key_.spki();
    info_.log_id = key_.log_id();
    source_ = MakeLogSource(info_, std::make_unique<CurlHttpClient>(), nullptr);
  }

  TestLogKey key_;
  LoopbackServer server_;
  uint64_t page_size_ = 1000;
  std::atomic<ProofFault> fault_{ProofFault::kNone};
  std::atomic<uint64_t> proof_tree_size_{0};
  LogInfo info_;
  std::unique_ptr<LogSource> source_;
};

TEST_F(Rfc6962ProvenRangeTest, EqualsTheRangeOfAllLeaves) {
  int checked = 0;
  for (uint64_t tree_size : kHeadSizes) {
    const SignedTreeHead head = Head(tree_size);
    for (uint64_t size : SizesUpTo(tree_size)) {
      SCOPED_TRACE("size " + std::to_string(size) + " of " + std::to_string(tree_size));
      proof_tree_size_ = 0;
      Result<CompactRange> range = source_->ProvenCompactRange(size, head);
      ASSERT_THAT(range, IsOk());
      const CompactRange expected = Appended(size);
      EXPECT_EQ(range->size(), size);
      EXPECT_EQ(range->hashes(), expected.hashes());
      EXPECT_EQ(range->Root(), size == 0 ? EmptyTreeRoot() : Log().Mth(0, size));
      // The proof is asked at the head's size (a tree of one leaf needs none).
      EXPECT_EQ(proof_tree_size_, size == 0 || tree_size == 1 ? 0 : tree_size);
      ++checked;
    }
  }
  EXPECT_GT(checked, 300);
}

TEST_F(Rfc6962ProvenRangeTest, WorksFromASignedHead) {
  const SignedTreeHead signed_head = Head(4097);
  server_.Serve("/ct/v1/get-sth", key_.SthJson(4097, signed_head.timestamp_ms, signed_head.root),
                "application/json");
  Result<SignedTreeHead> head = source_->FetchHead();
  ASSERT_THAT(head, IsOk());
  Result<CompactRange> range = source_->ProvenCompactRange(3000, *head);
  ASSERT_THAT(range, IsOk());
  EXPECT_EQ(range->hashes(), Appended(3000).hashes());
}

TEST_F(Rfc6962ProvenRangeTest, RejectsWrongProofsAndRoots) {
  const SignedTreeHead head = Head(65537);
  for (ProofFault fault : {ProofFault::kFlipNode, ProofFault::kDropNode, ProofFault::kExtraNode,
                           ProofFault::kOtherIndex}) {
    fault_ = fault;
    for (uint64_t size : {2, 300, 4096, 65536, 65537}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(fault)) + " at " + std::to_string(size));
      EXPECT_THAT(source_->ProvenCompactRange(size, head), IsErrorCode(ErrorCode::kVerification));
    }
  }
  fault_ = ProofFault::kNone;
  SignedTreeHead wrong = head;
  wrong.root = Flipped(wrong.root);
  EXPECT_THAT(source_->ProvenCompactRange(1000, wrong), IsErrorCode(ErrorCode::kVerification));
  // The head of another tree size with this root.
  wrong = Head(65536);
  wrong.tree_size = 65537;
  EXPECT_THAT(source_->ProvenCompactRange(65537, wrong), IsErrorCode(ErrorCode::kVerification));
  // A tree of one leaf is checked without a proof.
  wrong = Head(1);
  wrong.root = Flipped(wrong.root);
  EXPECT_THAT(source_->ProvenCompactRange(1, wrong), IsErrorCode(ErrorCode::kVerification));
}

TEST_F(Rfc6962ProvenRangeTest, EmptyAndImpossibleSizes) {
  Result<CompactRange> empty = source_->ProvenCompactRange(0, Head(0));
  ASSERT_THAT(empty, IsOk());
  EXPECT_EQ(empty->size(), 0u);
  EXPECT_TRUE(empty->hashes().empty());
  SignedTreeHead not_empty = Head(0);
  not_empty.root = Log().leaf_hashes[0];
  EXPECT_THAT(source_->ProvenCompactRange(0, not_empty), IsErrorCode(ErrorCode::kVerification));
  EXPECT_THAT(source_->ProvenCompactRange(11, Head(10)), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_EQ(server_.Hits("/ct/v1/get-entries"), 0);
}

TEST_F(Rfc6962ProvenRangeTest, LeafHashesContinueShortAnswers) {
  page_size_ = 100;
  const std::pair<uint64_t, uint64_t> ranges[] = {
      {0, 1}, {0, 256}, {99, 101}, {250, 530}, {4000, 4500}, {kLeaves - 10, kLeaves}};
  for (const auto& [start, end] : ranges) {
    SCOPED_TRACE(std::to_string(start) + ".." + std::to_string(end));
    Result<std::vector<Sha256Hash>> hashes = source_->FetchLeafHashes(start, end);
    ASSERT_THAT(hashes, IsOk());
    const std::vector<Sha256Hash> expected(
        Log().leaf_hashes.begin() + static_cast<ptrdiff_t>(start),
        Log().leaf_hashes.begin() + static_cast<ptrdiff_t>(end));
    EXPECT_EQ(*hashes, expected);
    // The same as decoding the entries.
    std::vector<Sha256Hash> decoded;
    for (uint64_t next = start; next < end;) {
      Result<std::vector<LogEntry>> entries = source_->FetchEntries(next, end, false);
      ASSERT_THAT(entries, IsOk());
      for (const LogEntry& e : *entries) {
        EXPECT_FALSE(e.malformed()) << e.parse_error;
        decoded.push_back(e.leaf_hash);
      }
      next += entries->size();
    }
    EXPECT_EQ(*hashes, decoded);
  }
  Result<std::vector<Sha256Hash>> none = source_->FetchLeafHashes(5, 5);
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());
  EXPECT_THAT(source_->FetchLeafHashes(6, 5), IsErrorCode(ErrorCode::kInvalidArgument));
}

// --- static-ct-api ------------------------------------------------------------------------

class StaticProvenRangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    info_.description = "loopback static";
    info_.api = LogApi::kStatic;
    info_.url = server_.Url("/mon/");
    info_.submission_url = std::string("https://") + kOrigin + "/";
    info_.key = key_.spki();
    info_.log_id = key_.log_id();
    source_ = MakeLogSource(info_, std::make_unique<CurlHttpClient>(), nullptr);
  }

  // Serves exactly the hash and data tiles of the tree of `tree_size` (tlog-tiles: full tiles,
  // and at each level a partial one where the level does not end on a tile boundary).
  void PublishTiles(uint64_t tree_size) {
    for (const std::string& path : published_) server_.Remove(path);
    published_.clear();
    auto serve = [&](const std::string& path, std::string body) {
      server_.Serve("/mon/" + path, std::move(body));
      published_.push_back("/mon/" + path);
    };
    for (int level = 0; (tree_size >> (8 * level)) > 0; ++level) {
      const uint64_t nodes = tree_size >> (8 * level);
      for (uint64_t t = 0; t * kTileWidth < nodes; ++t) {
        const auto width = static_cast<unsigned>(std::min<uint64_t>(nodes - t * kTileWidth, 256));
        serve(TilePath(level, t, width), Log().HashTile(level, t, width));
        if (level == 0) serve(DataTilePath(t, width), Log().DataTile(t, width));
      }
    }
  }

  int TileRequests() {
    int hits = 0;
    for (const std::string& path : published_) hits += server_.Hits(path);
    return hits;
  }

  TestLogKey key_;
  LoopbackServer server_;
  LogInfo info_;
  std::unique_ptr<LogSource> source_;
  std::vector<std::string> published_;
};

TEST_F(StaticProvenRangeTest, EqualsTheRangeOfAllLeaves) {
  int checked = 0;
  for (uint64_t tree_size : kHeadSizes) {
    PublishTiles(tree_size);
    const SignedTreeHead head = Head(tree_size);
    for (uint64_t size : SizesUpTo(tree_size)) {
      SCOPED_TRACE("size " + std::to_string(size) + " of " + std::to_string(tree_size));
      Result<CompactRange> range = source_->ProvenCompactRange(size, head);
      ASSERT_THAT(range, IsOk());
      const CompactRange expected = Appended(size);
      EXPECT_EQ(range->size(), size);
      EXPECT_EQ(range->hashes(), expected.hashes());
      ++checked;
    }
  }
  EXPECT_GT(checked, 300);
}

TEST_F(StaticProvenRangeTest, ReadsFewTiles) {
  PublishTiles(kLeaves);
  const int before = TileRequests();
  ASSERT_THAT(source_->ProvenCompactRange(kLeaves, Head(kLeaves)), IsOk());
  // 65,836 = 2^16 + 300: the partial tiles 2/000.p/1, 1/001.p/1 and 0/257.p/44.
  EXPECT_EQ(TileRequests() - before, 3);
  EXPECT_EQ(server_.Hits("/mon/tile/2/000.p/1"), 1);
  EXPECT_EQ(server_.Hits("/mon/tile/1/001.p/1"), 1);
  EXPECT_EQ(server_.Hits("/mon/tile/0/257.p/44"), 1);
}

TEST_F(StaticProvenRangeTest, WorksFromACheckpoint) {
  PublishTiles(65537);
  const SignedTreeHead signed_head = Head(65537);
  server_.Serve("/mon/checkpoint",
                key_.Checkpoint(kOrigin, 65537, signed_head.timestamp_ms, signed_head.root),
                "text/plain");
  Result<SignedTreeHead> head = source_->FetchHead();
  ASSERT_THAT(head, IsOk());
  Result<CompactRange> range = source_->ProvenCompactRange(65536 - 512, *head);
  ASSERT_THAT(range, IsOk());
  EXPECT_EQ(range->hashes(), Appended(65536 - 512).hashes());
}

TEST_F(StaticProvenRangeTest, FallsBackToFullTilesOfALargerTree) {
  // The log has grown to kLeaves: the partial tiles of the tree of 1000 are gone.
  PublishTiles(kLeaves);
  for (uint64_t size : {0, 256, 512, 768, 999, 1000}) {
    Result<CompactRange> range = source_->ProvenCompactRange(size, Head(1000));
    ASSERT_THAT(range, IsOk()) << size;
    EXPECT_EQ(range->hashes(), Appended(size).hashes());
  }
  EXPECT_GT(server_.Hits("/mon/tile/1/000"), 0);
  EXPECT_GT(server_.Hits("/mon/tile/0/003"), 0);
}

TEST_F(StaticProvenRangeTest, RejectsTamperedTilesAndWrongRoots) {
  PublishTiles(1000);
  const SignedTreeHead head = Head(1000);
  ASSERT_THAT(source_->ProvenCompactRange(512, head), IsOk());
  // [0, 512) comes from 1/000.p/3 (nodes 0 and 1), [512, 1000) from 1/000.p/3 (node 2) and
  // 0/003.p/232: a changed hash in either is caught.
  for (const auto& [path, offset] : std::vector<std::pair<std::string, size_t>>{
           {TilePath(1, 0, 3), 32 + 5}, {TilePath(1, 0, 3), 64}, {TilePath(0, 3, 232), 200 * 32}}) {
    SCOPED_TRACE(path);
    const int level = path[5] - '0';
    std::string tile = Log().HashTile(level, level == 0 ? 3 : 0, level == 0 ? 232 : 3);
    tile[offset] = static_cast<char>(tile[offset] ^ 0x01);
    server_.Serve("/mon/" + path, tile);
    EXPECT_THAT(source_->ProvenCompactRange(512, head), IsErrorCode(ErrorCode::kVerification));
    PublishTiles(1000);
  }
  SignedTreeHead wrong = head;
  wrong.root = Flipped(wrong.root);
  for (uint64_t size : {1, 256, 999, 1000}) {
    EXPECT_THAT(source_->ProvenCompactRange(size, wrong), IsErrorCode(ErrorCode::kVerification));
  }
  // The root of a smaller tree under this size.
  wrong = Head(999);
  wrong.tree_size = 1000;
  EXPECT_THAT(source_->ProvenCompactRange(768, wrong), IsErrorCode(ErrorCode::kVerification));

  // A tile of the wrong length is a parse error; a missing one an HTTP error.
  server_.Serve("/mon/" + TilePath(0, 3, 232), Log().HashTile(0, 3, 231));
  EXPECT_THAT(source_->ProvenCompactRange(1000, head), IsErrorCode(ErrorCode::kParse));
  server_.Remove("/mon/" + TilePath(0, 3, 232));
  EXPECT_THAT(source_->ProvenCompactRange(1000, head), IsErrorCode(ErrorCode::kHttpStatus));
}

TEST_F(StaticProvenRangeTest, EmptyAndImpossibleSizes) {
  Result<CompactRange> empty = source_->ProvenCompactRange(0, Head(0));
  ASSERT_THAT(empty, IsOk());
  EXPECT_EQ(empty->size(), 0u);
  SignedTreeHead not_empty = Head(0);
  not_empty.root = Log().leaf_hashes[0];
  EXPECT_THAT(source_->ProvenCompactRange(0, not_empty), IsErrorCode(ErrorCode::kVerification));
  EXPECT_THAT(source_->ProvenCompactRange(11, Head(10)), IsErrorCode(ErrorCode::kInvalidArgument));
}

TEST_F(StaticProvenRangeTest, LeafHashesMatchDecodedEntries) {
  for (uint64_t tree_size : {1, 255, 256, 257, 1000, 65537}) {
    PublishTiles(tree_size);
    std::vector<std::pair<uint64_t, uint64_t>> ranges = {{0, tree_size},
                                                         {tree_size - 1, tree_size}};
    for (uint64_t start : {1, 255, 256, 257, 300, 768}) {
      if (start < tree_size) ranges.emplace_back(start, tree_size);
    }
    if (tree_size > 300) ranges.emplace_back(100, 300);  // inside a tile the tree has in full
    for (const auto& [start, end] : ranges) {
      SCOPED_TRACE(std::to_string(start) + ".." + std::to_string(end) + " of " +
                   std::to_string(tree_size));
      Result<std::vector<Sha256Hash>> hashes = source_->FetchLeafHashes(start, end);
      ASSERT_THAT(hashes, IsOk());
      EXPECT_EQ(*hashes,
                std::vector<Sha256Hash>(Log().leaf_hashes.begin() + static_cast<ptrdiff_t>(start),
                                        Log().leaf_hashes.begin() + static_cast<ptrdiff_t>(end)));
      std::vector<Sha256Hash> decoded;
      for (uint64_t next = start; next < end;) {
        Result<std::vector<LogEntry>> entries = source_->FetchEntries(next, end, true);
        ASSERT_THAT(entries, IsOk());
        for (const LogEntry& e : *entries) {
          EXPECT_FALSE(e.malformed()) << e.parse_error;
          decoded.push_back(e.leaf_hash);
        }
        next += entries->size();
      }
      EXPECT_EQ(*hashes, decoded);
    }
  }
}

TEST_F(StaticProvenRangeTest, LeafHashesFromFullTileWhenPartialIsGone) {
  PublishTiles(kLeaves);  // 0/003.p/232 is gone, 0/003 is there
  Result<std::vector<Sha256Hash>> hashes = source_->FetchLeafHashes(768, 1000);
  ASSERT_THAT(hashes, IsOk());
  ASSERT_EQ(hashes->size(), 232u);
  EXPECT_EQ(hashes->front(), Log().leaf_hashes[768]);
  EXPECT_EQ(hashes->back(), Log().leaf_hashes[999]);
  EXPECT_EQ(server_.Hits("/mon/tile/0/003"), 1);

  // A short tile is an error, not a short answer.
  server_.Serve("/mon/tile/0/003", Log().HashTile(0, 3, 255));
  EXPECT_THAT(source_->FetchLeafHashes(768, 1000), IsError(ErrorCode::kParse, "tile/0/003"));
  EXPECT_THAT(source_->FetchLeafHashes(6, 5), IsErrorCode(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace ctwatch
