// Tests for ctlog/merkle: RFC 6962 hashes against the reference tree, CompactRange against
// RootFromLeafHashes, and the transparency-dev/merkle inclusion and consistency vectors.
#include "ctlog/merkle.h"

#include <algorithm>
#include <bit>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_reader.h"
#include "core/encoding.h"
#include "core/sha256.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ReadTestData;
using ::ctwatch::testing::TestDataPath;
using Json = nlohmann::json;

Sha256Hash HexHash(const std::string& hex) {
  const std::optional<Bytes> b = HexDecode(hex);
  EXPECT_TRUE(b && b->size() == 32) << hex;
  Sha256Hash h{};
  if (b && b->size() == 32) std::copy(b->begin(), b->end(), h.begin());
  return h;
}

Sha256Hash NumberedLeaf(uint64_t i) {
  Bytes leaf;
  AppendUint(&leaf, i, 8);
  return LeafHash(leaf);
}

// ---- RFC 6962 reference tree (transparency-dev/merkle testonly/constants.go) ----------------

class ReferenceTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_ = Json::parse(ReadTestData("merkle-vectors/rfc6962-reference-tree.json"));
    for (const auto& hex : tree_["leaf_inputs_hex"]) {
      leaf_hashes_.push_back(LeafHash(*HexDecode(hex.get<std::string>())));
    }
  }
  Json tree_;
  std::vector<Sha256Hash> leaf_hashes_;
};

TEST_F(ReferenceTreeTest, LeafAndNodeHashes) {
  ASSERT_EQ(leaf_hashes_.size(), 8u);
  const Json& levels = tree_["node_hashes_hex_by_level"];
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(HexEncode(leaf_hashes_[i]), levels[0][i].get<std::string>()) << "leaf " << i;
  }
  EXPECT_EQ(HexEncode(NodeHash(leaf_hashes_[0], leaf_hashes_[1])), levels[1][0].get<std::string>());
  EXPECT_EQ(HexEncode(EmptyTreeRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(ReferenceTreeTest, RootsForEverySizeFromBothImplementations) {
  const Json& roots = tree_["root_hashes_hex_by_tree_size"];
  ASSERT_EQ(roots.size(), 9u);
  CompactRange range;
  for (size_t n = 0; n <= 8; ++n) {
    const Sha256Hash want = HexHash(roots[n].get<std::string>());
    EXPECT_EQ(RootFromLeafHashes(std::span(leaf_hashes_).first(n)), want) << "size " << n;
    EXPECT_EQ(range.Root(), want) << "size " << n;
    if (n < 8) range.Append(leaf_hashes_[n]);
  }
  EXPECT_EQ(HexEncode(range.Root()),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

// ---- CompactRange ----------------------------------------------------------------------------

TEST(CompactRangeTest, MatchesRootFromLeafHashesAndRoundTripsForSizes0To300) {
  std::vector<Sha256Hash> leaves;
  CompactRange range;
  for (uint64_t n = 0; n <= 300; ++n) {
    ASSERT_EQ(range.size(), n);
    ASSERT_EQ(range.hashes().size(), static_cast<size_t>(std::popcount(n)));
    const Sha256Hash root = range.Root();
    ASSERT_EQ(root, RootFromLeafHashes(leaves)) << "size " << n;

    const Bytes blob = range.Serialize();
    ASSERT_EQ(blob.size(), 9 + 32 * range.hashes().size());
    auto copy = CompactRange::Deserialize(blob);
    ASSERT_THAT(copy, IsOk());
    EXPECT_EQ(copy->size(), n);
    EXPECT_EQ(copy->Root(), root);
    EXPECT_EQ(copy->Serialize(), blob);

    leaves.push_back(NumberedLeaf(n));
    range.Append(leaves.back());
  }
}

TEST(CompactRangeTest, DeserializedRangeKeepsGrowingCorrectly) {
  std::vector<Sha256Hash> leaves;
  CompactRange range;
  for (uint64_t i = 0; i < 37; ++i) {
    leaves.push_back(NumberedLeaf(i));
    range.Append(leaves.back());
  }
  auto resumed = CompactRange::Deserialize(range.Serialize());
  ASSERT_THAT(resumed, IsOk());
  for (uint64_t i = 37; i < 100; ++i) {
    leaves.push_back(NumberedLeaf(i));
    resumed->Append(leaves.back());
  }
  EXPECT_EQ(resumed->Root(), RootFromLeafHashes(leaves));
}

TEST(CompactRangeTest, DeserializeRejectsCorruptData) {
  CompactRange range;
  for (uint64_t i = 0; i < 11; ++i) range.Append(NumberedLeaf(i));  // 11 = 0b1011: 3 hashes
  const Bytes good = range.Serialize();
  ASSERT_THAT(CompactRange::Deserialize(good), IsOk());

  EXPECT_THAT(CompactRange::Deserialize(Bytes{}), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(CompactRange::Deserialize(ByteView(good).first(8)), IsErrorCode(ErrorCode::kParse));
  Bytes truncated(good.begin(), good.end() - 1);
  EXPECT_THAT(CompactRange::Deserialize(truncated), IsErrorCode(ErrorCode::kParse));
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_THAT(CompactRange::Deserialize(trailing), IsErrorCode(ErrorCode::kParse));
  Bytes wrong_size = good;
  wrong_size[7] = 12;  // 0b1100 needs 2 hashes, 3 are there
  EXPECT_THAT(CompactRange::Deserialize(wrong_size), IsErrorCode(ErrorCode::kParse));
  Bytes wrong_count = good;
  wrong_count[8] = 2;
  EXPECT_THAT(CompactRange::Deserialize(wrong_count), IsErrorCode(ErrorCode::kParse));
  Bytes empty_with_hash = {0, 0, 0, 0, 0, 0, 0, 0, 1};
  empty_with_hash.resize(9 + 32);
  EXPECT_THAT(CompactRange::Deserialize(empty_with_hash), IsErrorCode(ErrorCode::kParse));

  const Bytes empty = CompactRange().Serialize();
  EXPECT_EQ(empty.size(), 9u);
  auto empty_range = CompactRange::Deserialize(empty);
  ASSERT_THAT(empty_range, IsOk());
  EXPECT_EQ(empty_range->Root(), EmptyTreeRoot());
}

TEST(CompactRangeTest, FromHashes) {
  CompactRange range;
  for (uint64_t i = 0; i < 21; ++i) range.Append(NumberedLeaf(i));  // 0b10101: 3 hashes
  auto copy = CompactRange::FromHashes(range.size(), range.hashes());
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ(copy->Root(), range.Root());
  EXPECT_EQ(copy->Serialize(), range.Serialize());
  EXPECT_THAT(CompactRange::FromHashes(24, range.hashes()),
              IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CompactRange::FromHashes(0, {}), IsOk());
}

TEST(CompactRangeTest, LargeSizeDeserializes) {
  // A log position near 2^40 with 40 set bits' worth of hashes.
  const uint64_t size = (uint64_t{1} << 40) - 1;
  Bytes blob;
  AppendUint(&blob, size, 8);
  AppendUint(&blob, 40, 1);
  blob.resize(blob.size() + 40 * 32, 0xab);
  auto range = CompactRange::Deserialize(blob);
  ASSERT_THAT(range, IsOk());
  EXPECT_EQ(range->size(), size);
  range->Append(NumberedLeaf(0));  // merges all 40 subtrees into one
  EXPECT_EQ(range->hashes().size(), 1u);
  EXPECT_EQ(range->size(), uint64_t{1} << 40);
}

// ---- transparency-dev/merkle vectors ---------------------------------------------------------

std::vector<std::filesystem::path> VectorFiles(const std::string& kind) {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir = TestDataPath("merkle-vectors/transparency-dev-merkle/" + kind);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

Json ReadJsonFile(const std::filesystem::path& path) {
  auto text = ReadFile(path.string());
  EXPECT_TRUE(text.has_value()) << path;
  return Json::parse(text.has_value() ? text.value() : "null");
}

Bytes B64(const Json& v) { return v.is_null() ? Bytes{} : *Base64Decode(v.get<std::string>()); }

std::vector<Bytes> Proof(const Json& v) {
  std::vector<Bytes> proof;
  if (!v.is_null()) {
    for (const auto& p : v) proof.push_back(B64(p));
  }
  return proof;
}

// transparency-dev checks the size of leaf hashes but compares roots as plain bytes. Our API
// takes roots as Sha256Hash; a vector's root that is not 32 bytes is mapped to a 32-byte value
// that preserves byte equality (the only thing done with roots) and can never equal a real root.
Sha256Hash RootArg(const Bytes& root) {
  if (root.size() == 32) {
    Sha256Hash h;
    std::copy(root.begin(), root.end(), h.begin());
    return h;
  }
  return Sha256({AsBytes("test: not a 32-byte root:"), ByteView(root)});
}

TEST(MerkleVectorsTest, Inclusion) {
  const auto files = VectorFiles("inclusion");
  EXPECT_EQ(files.size(), 98u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    const Json v = ReadJsonFile(path);
    const bool want_err = v["wantErr"].get<bool>();
    const Bytes leaf = B64(v["leafHash"]);
    if (leaf.size() != 32) {  // cannot be expressed as a Sha256Hash: rejected at the boundary
      EXPECT_TRUE(want_err);
      continue;
    }
    const Status status =
        VerifyInclusion(v["leafIdx"].get<uint64_t>(), v["treeSize"].get<uint64_t>(), RootArg(leaf),
                        Proof(v["proof"]), RootArg(B64(v["root"])));
    EXPECT_EQ(!status.has_value(), want_err)
        << v["desc"] << ": " << (status ? "ok" : status.error().ToString());
  }
}

TEST(MerkleVectorsTest, Consistency) {
  const auto files = VectorFiles("consistency");
  EXPECT_EQ(files.size(), 98u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    const Json v = ReadJsonFile(path);
    const Status status =
        VerifyConsistency(v["size1"].get<uint64_t>(), v["size2"].get<uint64_t>(), Proof(v["proof"]),
                          RootArg(B64(v["root1"])), RootArg(B64(v["root2"])));
    EXPECT_EQ(!status.has_value(), v["wantErr"].get<bool>())
        << v["desc"] << ": " << (status ? "ok" : status.error().ToString());
  }
}

// ---- Proofs built from a tree we compute ourselves -------------------------------------------

// The RFC 9162 §2.1.3.1 audit path of leaf m in D[n].
std::vector<Bytes> AuditPath(uint64_t m, std::span<const Sha256Hash> d) {
  if (d.size() <= 1) return {};
  const size_t k = std::bit_floor(d.size() - 1);
  std::vector<Bytes> path;
  if (m < k) {
    path = AuditPath(m, d.first(k));
    const Sha256Hash r = RootFromLeafHashes(d.subspan(k));
    path.emplace_back(r.begin(), r.end());
  } else {
    path = AuditPath(m - k, d.subspan(k));
    const Sha256Hash l = RootFromLeafHashes(d.first(k));
    path.emplace_back(l.begin(), l.end());
  }
  return path;
}

// SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1.
std::vector<Bytes> SubProof(uint64_t m, std::span<const Sha256Hash> d, bool b) {
  const uint64_t n = d.size();
  if (m == n) {
    if (b) return {};
    const Sha256Hash r = RootFromLeafHashes(d);
    return {Bytes(r.begin(), r.end())};
  }
  const size_t k = std::bit_floor(n - 1);
  std::vector<Bytes> proof;
  if (m <= k) {
    proof = SubProof(m, d.first(k), b);
    const Sha256Hash r = RootFromLeafHashes(d.subspan(k));
    proof.emplace_back(r.begin(), r.end());
  } else {
    proof = SubProof(m - k, d.subspan(k), false);
    const Sha256Hash l = RootFromLeafHashes(d.first(k));
    proof.emplace_back(l.begin(), l.end());
  }
  return proof;
}

TEST(MerkleProofsTest, EveryInclusionAndConsistencyProofUpTo40Leaves) {
  std::vector<Sha256Hash> leaves;
  for (uint64_t i = 0; i < 40; ++i) leaves.push_back(NumberedLeaf(i));
  for (uint64_t n = 1; n <= 40; ++n) {
    const auto tree = std::span(leaves).first(n);
    const Sha256Hash root = RootFromLeafHashes(tree);
    for (uint64_t m = 0; m < n; ++m) {
      const auto path = AuditPath(m, tree);
      ASSERT_THAT(VerifyInclusion(m, n, leaves[m], path, root), IsOk()) << m << "/" << n;
      EXPECT_THAT(VerifyInclusion(m, n, leaves[(m + 1) % 40], path, root),
                  IsErrorCode(ErrorCode::kVerification));
      const Sha256Hash old_root = RootFromLeafHashes(tree.first(m + 1));
      const auto proof = SubProof(m + 1, tree, true);
      ASSERT_THAT(VerifyConsistency(m + 1, n, proof, old_root, root), IsOk()) << m + 1 << "/" << n;
      if (m + 1 < n) {
        EXPECT_FALSE(VerifyConsistency(m + 1, n, proof, root, old_root).has_value());
      }
    }
  }
}

TEST(MerkleProofsTest, RejectsImpossibleArguments) {
  const Sha256Hash h = NumberedLeaf(0);
  EXPECT_THAT(VerifyInclusion(0, 0, h, {}, h), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(VerifyInclusion(5, 5, h, {}, h), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(VerifyInclusion(0, 1, h, {}, h), IsOk());
  const std::vector<Bytes> short_hash = {Bytes(31, 0)};
  EXPECT_THAT(VerifyInclusion(0, 2, h, short_hash, h), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(0, 0, {}, h, h), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(0, 3, {}, h, h), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(4, 3, {}, h, h), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(3, 3, {}, h, h), IsOk());
  EXPECT_THAT(VerifyConsistency(1, 2, short_hash, h, h), IsErrorCode(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace ctwatch
