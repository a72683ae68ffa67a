// Leaf decoding against real RFC 6962 entries and static-ct-api tiles (tests/data/entries,
// see NOTICE.md), encoder/decoder round trips, malformed leaves and tile paths.
#include "ctlog/entry.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <string>
#include <vector>

#include "core/encoding.h"
#include "core/sha256.h"
#include "ctlog/log_client.h"
#include "ctlog/merkle.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ReadTestData;

// Expected values from data/ct-real/verify/output/verify_entries.txt (computed in Python).
struct Expected {
  EntryType type;
  uint64_t timestamp_ms;
  const char* leaf_hash_b64;
  size_t chain_length;
  bool issuer_key_hash_matches_chain0;  // precert only
};

struct RealBody {
  const char* path;
  std::vector<Expected> entries;
};

const std::vector<RealBody>& RealBodies() {
  static const auto* bodies = new std::vector<RealBody>{
      {"entries/ctgo-logclient/get-entries_precert_then_x509.json",
       {{EntryType::kPrecert, 1422867427528, "+9w+LseH7yXT1hVQn/NsRJMFd2AZc7YSzXkTQJIKNlQ=", 3,
         true},
        {EntryType::kCert, 1415843953342, "llzS9d1EMQTOpKxjYFV00gVSAAahEELueHGkXc+8vQM=", 2,
         false}}},
      {"entries/ctgo-scanner/four-entries.get-entries.json",
       {{EntryType::kCert, 1364258252899, "wDblrkBlhZ7UqimOaRS18MjqvNyt/Fc2tcy6nWONY84=", 2, false},
        {EntryType::kCert, 1364288407155, "/NeD2RVJUnnzreBeKM4fCCWk+KZzG2ctHdm9LLngwJY=", 3, false},
        {EntryType::kCert, 1364288407155, "h6Wo6zvO+d293qbd/5bfwMae9eh4jAZULr6i2fLAop4=", 3, false},
        {EntryType::kCert, 1364288407156, "ZQTM8g4mqf80Mb7LHTEJfMWK3DlJC+ztM3WNPnYB9Yc=", 2,
         false}}},
      {"entries/scrape-ct-log/get-entries_wrapped_x509_then_precert.json",
       {{EntryType::kCert, 1666198004098, "zYO2bNBjjKByVh2zzONTG8FChOolfp/LZ8M27J9IyMc=", 2, false},
        // The upstream pair is inconsistent: the issuer_key_hash matches no chain certificate.
        {EntryType::kPrecert, 1532471986235, "DZp09wS1MjtjoM4mHIjU8W2RGTDwAQrvP4yTWHjVGAs=", 2,
         false}}},
      {"entries/ctclient-rs/get-entries_wrapped_x509_then_precert.json",
       {{EntryType::kCert, 1564405230912, "xPCLj2Qc+cEQP4O8Sh04DLQdX5KAAUuSaMWRx840Hs0=", 2, false},
        {EntryType::kPrecert, 1564405230120, "wjLVpMUnmRBiN9booex/k5pzR/X85nj56cmRNZA1STk=", 2,
         true}}},
  };
  return *bodies;
}

Sha256Hash SpkiHashOf(const Bytes& cert_der) {
  const uint8_t* p = cert_der.data();
  X509* x509 = d2i_X509(nullptr, &p, static_cast<long>(cert_der.size()));
  EXPECT_NE(x509, nullptr);
  if (x509 == nullptr) return {};
  uint8_t* spki = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509), &spki);  // get0: borrowed
  Sha256Hash hash = Sha256(ByteView(spki, static_cast<size_t>(len)));
  OPENSSL_free(spki);
  X509_free(x509);
  return hash;
}

std::string B64(const Sha256Hash& h) { return Base64Encode(h); }

TEST(RealEntriesTest, GetEntriesBodiesDecodeAsVerified) {
  for (const RealBody& body : RealBodies()) {
    SCOPED_TRACE(body.path);
    auto raw = ParseGetEntries(ReadTestData(body.path));
    ASSERT_THAT(raw, IsOk());
    ASSERT_EQ(raw->size(), body.entries.size());
    for (size_t i = 0; i < raw->size(); ++i) {
      SCOPED_TRACE(i);
      const Expected& want = body.entries[i];
      auto entry = DecodeRfc6962Entry(100 + i, (*raw)[i].leaf_input, (*raw)[i].extra_data);
      ASSERT_THAT(entry, IsOk());
      EXPECT_EQ(entry->index, 100 + i);
      EXPECT_EQ(entry->type, want.type);
      EXPECT_EQ(entry->timestamp_ms, want.timestamp_ms);
      EXPECT_EQ(B64(entry->leaf_hash), want.leaf_hash_b64);
      EXPECT_EQ(entry->chain.size(), want.chain_length);
      EXPECT_FALSE(entry->certificate.empty());
      EXPECT_TRUE(entry->extensions.empty());
      if (want.type == EntryType::kPrecert) {
        EXPECT_FALSE(entry->precertificate.empty());
        ASSERT_FALSE(entry->chain.empty());
        EXPECT_EQ(entry->issuer_key_hash == SpkiHashOf(entry->chain[0]),
                  want.issuer_key_hash_matches_chain0);
      } else {
        EXPECT_TRUE(entry->precertificate.empty());
      }
      // Re-encoding reproduces the bytes the log served.
      EXPECT_EQ(EncodeMerkleTreeLeaf(entry->timestamp_ms, entry->type, entry->certificate,
                                     entry->issuer_key_hash, entry->extensions),
                (*raw)[i].leaf_input);
      EXPECT_EQ(EncodeExtraData(entry->type, entry->precertificate, entry->chain),
                (*raw)[i].extra_data);
    }
  }
}

// The binary files of scrape-ct-log and ctclient-rs are the same entries as their wrapped
// bodies; decoding them separately (leaf, then extra_data) gives the same result.
TEST(RealEntriesTest, BinaryFilesMatchWrappedBodies) {
  struct Pair {
    const char* leaf;
    const char* extra;
    const char* hash;
  };
  const Pair pairs[] = {
      {"entries/scrape-ct-log/x509_leaf_input.bin", "entries/scrape-ct-log/x509_extra_data.bin",
       "zYO2bNBjjKByVh2zzONTG8FChOolfp/LZ8M27J9IyMc="},
      {"entries/scrape-ct-log/precert_leaf_input.bin",
       "entries/scrape-ct-log/precert_extra_data.bin",
       "DZp09wS1MjtjoM4mHIjU8W2RGTDwAQrvP4yTWHjVGAs="},
      {"entries/ctclient-rs/le.x509leaf.bin", "entries/ctclient-rs/extra.x509leaf.bin",
       "xPCLj2Qc+cEQP4O8Sh04DLQdX5KAAUuSaMWRx840Hs0="},
      {"entries/ctclient-rs/le.precert.bin", "entries/ctclient-rs/extra.precert.bin",
       "wjLVpMUnmRBiN9booex/k5pzR/X85nj56cmRNZA1STk="},
  };
  for (const Pair& pair : pairs) {
    SCOPED_TRACE(pair.leaf);
    const std::string leaf = ReadTestData(pair.leaf), extra = ReadTestData(pair.extra);
    auto entry = DecodeRfc6962Entry(0, AsBytes(leaf), {});
    ASSERT_THAT(entry, IsOk());
    EXPECT_TRUE(entry->chain.empty());
    EXPECT_EQ(B64(entry->leaf_hash), pair.hash);
    ASSERT_THAT(DecodeRfc6962ExtraData(AsBytes(extra), &entry.value()), IsOk());
    EXPECT_EQ(entry->chain.size(), 2u);
  }
}

// scrape-ct-log's precert pair is inconsistent upstream: the leaf TBS is for google.com
// (issuer "Test SSLADMIN") while extra_data carries the precertificate of
// test7232018-1-1.msitvalidcert.com. The decoder checks structure only, so it accepts the
// pair: the leaf (what the log committed to, and what the leaf hash covers) is decoded as is,
// and the mismatching precertificate is handed on unchanged for src/cert to judge.
TEST(RealEntriesTest, ScrapeCtLogInconsistentPrecertPairDecodesStructurally) {
  const std::string leaf = ReadTestData("entries/scrape-ct-log/precert_leaf_input.bin");
  const std::string extra = ReadTestData("entries/scrape-ct-log/precert_extra_data.bin");
  auto entry = DecodeRfc6962Entry(7, AsBytes(leaf), AsBytes(extra));
  ASSERT_THAT(entry, IsOk());
  const std::string tbs = ToString(entry->certificate);
  const std::string precert = ToString(entry->precertificate);
  EXPECT_NE(tbs.find("google.com"), std::string::npos);
  EXPECT_EQ(tbs.find("test7232018"), std::string::npos);
  EXPECT_NE(precert.find("test7232018-1-1.msitvalidcert.com"), std::string::npos);
  EXPECT_NE(entry->issuer_key_hash, SpkiHashOf(entry->chain[0]));
  EXPECT_NE(entry->issuer_key_hash, SpkiHashOf(entry->chain[1]));
}

// --- static-ct-api: navigli2025h2 ---------------------------------------------------------

const char* const kNavigli = "entries/static-ct-api/navigli2025h2/tile/";

std::vector<Sha256Hash> HashTile(const std::string& name) {
  const std::string bytes = ReadTestData(std::string(kNavigli) + "0/" + name);
  EXPECT_EQ(bytes.size() % 32, 0u);
  std::vector<Sha256Hash> hashes(bytes.size() / 32);
  for (size_t i = 0; i < hashes.size(); ++i) {
    std::copy_n(bytes.begin() + static_cast<ptrdiff_t>(32 * i), 32, hashes[i].begin());
  }
  return hashes;
}

TEST(NavigliTilesTest, DataTilesDecodeAndMatchHashTiles) {
  struct Tile {
    const char* name;
    uint64_t index;
    unsigned width;
  };
  const Tile tiles[] = {
      {"000", 0, 256}, {"001", 1, 256}, {"002", 2, 256}, {"003", 3, 256}, {"003.p/10", 3, 10}};
  size_t total = 0;
  std::vector<Sha256Hash> full_tree;  // leaves 0..1023
  std::vector<LogEntry> partial;
  for (const Tile& tile : tiles) {
    SCOPED_TRACE(tile.name);
    const std::string data = ReadTestData(std::string(kNavigli) + "data/" + tile.name);
    auto entries = DecodeDataTile(tile.index * 256, AsBytes(data), tile.width);
    ASSERT_THAT(entries, IsOk());
    ASSERT_EQ(entries->size(), tile.width);
    const std::vector<Sha256Hash> hashes = HashTile(tile.name);
    ASSERT_EQ(hashes.size(), tile.width);
    Bytes reencoded;
    for (size_t i = 0; i < entries->size(); ++i) {
      const LogEntry& e = (*entries)[i];
      EXPECT_EQ(e.index, tile.index * 256 + i);
      EXPECT_EQ(e.type, EntryType::kPrecert);
      EXPECT_FALSE(e.precertificate.empty());
      EXPECT_FALSE(e.chain_fingerprints.empty());
      EXPECT_EQ(e.leaf_hash, hashes[i]) << "leaf " << e.index;
      // The leaf hash is LeafHash(MerkleTreeLeaf) of the same TimestampedEntry.
      EXPECT_EQ(e.leaf_hash, LeafHash(EncodeMerkleTreeLeaf(e.timestamp_ms, e.type, e.certificate,
                                                           e.issuer_key_hash, e.extensions)));
      AppendTileLeaf(&reencoded, e.timestamp_ms, e.type, e.certificate, e.issuer_key_hash,
                     e.precertificate, e.chain_fingerprints, e.extensions);
    }
    EXPECT_EQ(ToString(reencoded), data) << "re-encoding reproduces the tile";
    if (tile.width == 256) {
      for (const LogEntry& e : *entries) full_tree.push_back(e.leaf_hash);
    } else {
      partial = std::move(entries).value();
    }
    total += tile.width;
  }
  EXPECT_EQ(total, 1034u);
  ASSERT_EQ(full_tree.size(), 1024u);
  EXPECT_EQ((*DecodeDataTile(0, AsBytes(ReadTestData(std::string(kNavigli) + "data/000")), 256))
                .front()
                .timestamp_ms,
            1746292399101u);

  // The partial tile is the first 10 leaves of tile 003: the tree had 778 entries then.
  for (size_t i = 0; i < partial.size(); ++i) EXPECT_EQ(partial[i].leaf_hash, full_tree[768 + i]);
  EXPECT_EQ(B64(RootFromLeafHashes(full_tree)), "EMfGG85uIddeOXt5/wdQGP3IQd0COCqoLg9Q6CsPLJA=");
  std::vector<Sha256Hash> tree778(full_tree.begin(), full_tree.begin() + 768);
  for (const LogEntry& e : partial) tree778.push_back(e.leaf_hash);
  EXPECT_EQ(B64(RootFromLeafHashes(tree778)), "+WnHOMRZl/LG1669oeskbdK9bcO4nkrY1cfVyknC52U=");
}

TEST(NavigliTilesTest, WrongWidthOrTrailingBytesFail) {
  const std::string data = ReadTestData(std::string(kNavigli) + "data/003.p/10");
  EXPECT_THAT(DecodeDataTile(768, AsBytes(data), 9), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(DecodeDataTile(768, AsBytes(data), 11), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(DecodeDataTile(768, AsBytes(data), 0), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(DecodeDataTile(768, AsBytes(data), 257), IsErrorCode(ErrorCode::kInvalidArgument));
  std::string extra = data + '\0';
  EXPECT_THAT(DecodeDataTile(768, AsBytes(extra), 10), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(DecodeDataTile(768, {}, 1), IsErrorCode(ErrorCode::kParse));
}

TEST(NavigliTilesTest, TruncatedTileFailsEverywhere) {
  const std::string data = ReadTestData(std::string(kNavigli) + "data/003.p/10");
  const ByteView all = AsBytes(data);
  for (size_t n = 0; n < all.size(); n += 7) {
    EXPECT_FALSE(DecodeDataTile(768, all.first(n), 10).has_value()) << n;
  }
}

// --- round trips and malformed leaves -----------------------------------------------------

Sha256Hash Filled(uint8_t v) {
  Sha256Hash h;
  h.fill(v);
  return h;
}

TEST(EntryRoundTripTest, Rfc6962X509AndPrecert) {
  const Bytes cert = {0x30, 0x03, 0x02, 0x01, 0x05};
  const Bytes tbs = {0x30, 0x01, 0x00};
  const Bytes precert = {0x30, 0x02, 0x05, 0x00};
  const std::vector<Bytes> chain = {{0x30, 0x00}, {0x30, 0x01, 0x01}};
  const Bytes ext = {0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x02};

  Bytes leaf = EncodeMerkleTreeLeaf(1700000000123, EntryType::kCert, cert, Filled(9), ext);
  Bytes extra = EncodeExtraData(EntryType::kCert, {}, chain);
  auto e = DecodeRfc6962Entry(42, leaf, extra);
  ASSERT_THAT(e, IsOk());
  EXPECT_EQ(e->index, 42u);
  EXPECT_EQ(e->timestamp_ms, 1700000000123u);
  EXPECT_EQ(e->type, EntryType::kCert);
  EXPECT_EQ(e->certificate, cert);
  EXPECT_EQ(e->issuer_key_hash, Sha256Hash{});  // not part of an x509 leaf
  EXPECT_EQ(e->extensions, ext);
  EXPECT_EQ(e->chain, chain);
  EXPECT_EQ(e->leaf_hash, LeafHash(leaf));

  leaf = EncodeMerkleTreeLeaf(5, EntryType::kPrecert, tbs, Filled(7));
  extra = EncodeExtraData(EntryType::kPrecert, precert, chain);
  e = DecodeRfc6962Entry(1, leaf, extra);
  ASSERT_THAT(e, IsOk());
  EXPECT_EQ(e->type, EntryType::kPrecert);
  EXPECT_EQ(e->certificate, tbs);
  EXPECT_EQ(e->issuer_key_hash, Filled(7));
  EXPECT_EQ(e->precertificate, precert);
  EXPECT_EQ(e->chain, chain);
  EXPECT_EQ(e->leaf_hash, LeafHash(leaf));

  // An empty chain is allowed.
  extra = EncodeExtraData(EntryType::kPrecert, precert, {});
  e = DecodeRfc6962Entry(1, leaf, extra);
  ASSERT_THAT(e, IsOk());
  EXPECT_TRUE(e->chain.empty());
}

TEST(EntryRoundTripTest, DataTile) {
  Bytes tile;
  const std::vector<Sha256Hash> fps = {Filled(1), Filled(2)};
  AppendTileLeaf(&tile, 10, EntryType::kCert, Bytes{1, 2, 3}, {}, {}, fps);
  AppendTileLeaf(&tile, 11, EntryType::kPrecert, Bytes{4}, Filled(3), Bytes{5, 6}, {},
                 Bytes{0, 0, 5, 0, 0, 0, 0, 1});
  auto entries = DecodeDataTile(256, tile, 2);
  ASSERT_THAT(entries, IsOk());
  ASSERT_EQ(entries->size(), 2u);
  const LogEntry& a = (*entries)[0];
  const LogEntry& b = (*entries)[1];
  EXPECT_EQ(a.index, 256u);
  EXPECT_EQ(a.timestamp_ms, 10u);
  EXPECT_EQ(a.type, EntryType::kCert);
  EXPECT_EQ(a.certificate, (Bytes{1, 2, 3}));
  EXPECT_EQ(a.chain_fingerprints, fps);
  EXPECT_EQ(a.leaf_hash, LeafHash(EncodeMerkleTreeLeaf(10, EntryType::kCert, Bytes{1, 2, 3}, {})));
  EXPECT_EQ(b.index, 257u);
  EXPECT_EQ(b.type, EntryType::kPrecert);
  EXPECT_EQ(b.issuer_key_hash, Filled(3));
  EXPECT_EQ(b.precertificate, (Bytes{5, 6}));
  EXPECT_TRUE(b.chain_fingerprints.empty());
  EXPECT_EQ(b.extensions, (Bytes{0, 0, 5, 0, 0, 0, 0, 1}));
  Bytes te = EncodeTimestampedEntry(11, EntryType::kPrecert, Bytes{4}, Filled(3),
                                    Bytes{0, 0, 5, 0, 0, 0, 0, 1});
  Bytes mtl = {0, 0};
  mtl.insert(mtl.end(), te.begin(), te.end());
  EXPECT_EQ(b.leaf_hash, LeafHash(mtl));
}

TEST(MalformedLeafTest, TruncatedAtEveryByteFails) {
  const std::string leaf = ReadTestData("entries/ctclient-rs/le.precert.bin");
  const std::string extra = ReadTestData("entries/ctclient-rs/extra.precert.bin");
  const ByteView l = AsBytes(leaf), x = AsBytes(extra);
  ASSERT_THAT(DecodeRfc6962Entry(0, l, x), IsOk());
  for (size_t n = 0; n < l.size(); ++n) {
    EXPECT_THAT(DecodeRfc6962Entry(0, l.first(n), x), IsErrorCode(ErrorCode::kParse)) << n;
  }
  auto entry = DecodeRfc6962Entry(0, l, {});
  ASSERT_THAT(entry, IsOk());
  for (size_t n = 0; n < x.size(); ++n) {
    LogEntry copy = *entry;
    EXPECT_THAT(DecodeRfc6962ExtraData(x.first(n), &copy), IsErrorCode(ErrorCode::kParse)) << n;
    EXPECT_TRUE(copy.chain.empty()) << "nothing committed on failure";
    EXPECT_TRUE(copy.precertificate.empty());
  }
}

TEST(MalformedLeafTest, HeaderAndTypeWhitelist) {
  Bytes leaf = EncodeMerkleTreeLeaf(1, EntryType::kCert, Bytes{1}, {});
  ASSERT_THAT(DecodeRfc6962Entry(0, leaf, {}), IsOk());
  Bytes bad = leaf;
  bad[0] = 1;  // version v2 does not exist in RFC 6962
  EXPECT_THAT(DecodeRfc6962Entry(0, bad, {}), IsError(ErrorCode::kParse, "version"));
  bad = leaf;
  bad[1] = 1;  // leaf_type
  EXPECT_THAT(DecodeRfc6962Entry(0, bad, {}), IsError(ErrorCode::kParse, "leaf_type"));
  for (uint16_t type : {2, 3, 0x100, 0xffff}) {
    bad = leaf;
    bad[10] = static_cast<uint8_t>(type >> 8);
    bad[11] = static_cast<uint8_t>(type);
    EXPECT_THAT(DecodeRfc6962Entry(0, bad, {}), IsError(ErrorCode::kParse, "entry_type"));
  }
  bad = leaf;
  bad.push_back(0);
  EXPECT_THAT(DecodeRfc6962Entry(0, bad, {}), IsError(ErrorCode::kParse, "trailing"));
  // An empty certificate violates ASN.1Cert<1..2^24-1>.
  EXPECT_THAT(DecodeRfc6962Entry(0, EncodeMerkleTreeLeaf(1, EntryType::kCert, {}, {}), {}),
              IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(DecodeRfc6962Entry(0, {}, {}), IsErrorCode(ErrorCode::kParse));
}

TEST(MalformedLeafTest, ExtraDataStrictness) {
  Bytes leaf = EncodeMerkleTreeLeaf(1, EntryType::kCert, Bytes{1}, {});
  Bytes extra = EncodeExtraData(EntryType::kCert, {}, {{1, 2}});
  ASSERT_THAT(DecodeRfc6962Entry(0, leaf, extra), IsOk());
  Bytes bad = extra;
  bad.push_back(0);
  EXPECT_THAT(DecodeRfc6962Entry(0, leaf, bad), IsError(ErrorCode::kParse, "trailing"));
  // A chain whose inner length overruns the chain.
  bad = {0x00, 0x00, 0x04, 0x00, 0x00, 0x02, 0x01};
  EXPECT_THAT(DecodeRfc6962Entry(0, leaf, bad), IsErrorCode(ErrorCode::kParse));
  // An empty certificate inside the chain.
  bad = {0x00, 0x00, 0x03, 0x00, 0x00, 0x00};
  EXPECT_THAT(DecodeRfc6962Entry(0, leaf, bad), IsErrorCode(ErrorCode::kParse));
  // A precert extra_data for an x509 leaf has the wrong shape.
  bad = EncodeExtraData(EntryType::kPrecert, Bytes{1}, {{1, 2}});
  EXPECT_THAT(DecodeRfc6962Entry(0, leaf, bad), IsErrorCode(ErrorCode::kParse));
}

TEST(MalformedLeafTest, TileLeafStrictness) {
  Bytes tile;
  AppendTileLeaf(&tile, 1, EntryType::kCert, Bytes{1}, {}, {}, {Filled(1)});
  ASSERT_THAT(DecodeDataTile(0, tile, 1), IsOk());
  Bytes bad = tile;
  bad[bad.size() - 33] = 31;  // fingerprints<u16> not a multiple of 32
  EXPECT_THAT(DecodeDataTile(0, bad, 1), IsErrorCode(ErrorCode::kParse));
  bad = tile;
  bad[9] = 2;  // entry_type
  EXPECT_THAT(DecodeDataTile(0, bad, 1), IsError(ErrorCode::kParse, "entry_type"));
  // A precert tile leaf without its pre_certificate.
  bad.clear();
  AppendTileLeaf(&bad, 1, EntryType::kPrecert, Bytes{1}, {}, {}, {});
  EXPECT_THAT(DecodeDataTile(0, bad, 1), IsErrorCode(ErrorCode::kParse));
}

// --- tile paths ---------------------------------------------------------------------------

TEST(TilePathTest, Examples) {
  EXPECT_EQ(DataTilePath(0, 256), "tile/data/000");
  EXPECT_EQ(TilePath(0, 0, 256), "tile/0/000");
  EXPECT_EQ(DataTilePath(3, 10), "tile/data/003.p/10");
  EXPECT_EQ(TilePath(0, 3, 10), "tile/0/003.p/10");
  EXPECT_EQ(TilePath(2, 1234067, 256), "tile/2/x001/x234/067");
  EXPECT_EQ(DataTilePath(1234067, 255), "tile/data/x001/x234/067.p/255");
  EXPECT_EQ(DataTilePath(999, 1), "tile/data/999.p/1");
  EXPECT_EQ(DataTilePath(1000, 256), "tile/data/x001/000");
  EXPECT_EQ(TilePath(63, 1000000, 256), "tile/63/x001/x000/000");
  EXPECT_EQ(DataTilePath(UINT64_MAX, 256), "tile/data/x018/x446/x744/x073/x709/x551/615");
}

}  // namespace
}  // namespace ctwatch
