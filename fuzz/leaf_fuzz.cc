// libFuzzer target for ctlog/entry and ParseGetEntries. The first input byte picks the decoder:
//   0: DecodeRfc6962Entry   payload = leaf_len u16 || leaf_input || extra_data
//   1: DecodeRfc6962ExtraData  payload = entry_type u8 || extra_data
//   2: DecodeDataTile       payload = width u8 (0 means 256) || tile
//   3: ParseGetEntries      payload = JSON text
// Properties checked on every input that decodes (the formats have one encoding per value, so
// a strict decoder must give back exactly its input):
//  - leaf_input and extra_data re-encode to the input bytes; leaf_hash = LeafHash(leaf_input);
//  - a failed DecodeRfc6962ExtraData leaves the entry untouched;
//  - a data tile re-encodes to the input; each leaf hash equals LeafHash of the MerkleTreeLeaf
//    built from the decoded fields; the count equals the width;
//  - get-entries: at most 10,000 entries; the entries written back as canonical JSON parse to
//    the same entries.
// Seeds: fuzz/corpus/leaf/, built from tests/data/entries (provenance in its NOTICE.md).
// Thread-safety: libFuzzer calls it from one thread.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/encoding.h"
#include "ctlog/entry.h"
#include "ctlog/log_client.h"
#include "ctlog/merkle.h"

namespace {

using namespace ctwatch;  // NOLINT(google-build-using-namespace): a fuzz driver

void Check(bool property) {
  if (!property) __builtin_trap();
}

void FuzzRfc6962Entry(ByteView payload) {
  if (payload.size() < 2) return;
  const size_t leaf_len = std::min<size_t>(payload[0] << 8 | payload[1], payload.size() - 2);
  const ByteView leaf = payload.subspan(2, leaf_len);
  const ByteView extra = payload.subspan(2 + leaf_len);
  auto entry = DecodeRfc6962Entry(7, leaf, extra);
  if (!entry.has_value()) return;
  Check(entry->index == 7);
  Check(entry->leaf_hash == LeafHash(leaf));
  Check(Equal(EncodeMerkleTreeLeaf(entry->timestamp_ms, entry->type, entry->certificate,
                                   entry->issuer_key_hash, entry->extensions),
              leaf));
  if (!extra.empty()) {
    Check(Equal(EncodeExtraData(entry->type, entry->precertificate, entry->chain), extra));
  }
  // Decoding the pieces separately gives the same entry.
  auto bare = DecodeRfc6962Entry(7, leaf, {});
  Check(bare.has_value() && bare->chain.empty() && bare->precertificate.empty());
  if (!extra.empty()) {
    Check(DecodeRfc6962ExtraData(extra, &bare.value()).has_value());
    Check(bare->chain == entry->chain && bare->precertificate == entry->precertificate);
  }
}

void FuzzExtraData(ByteView payload) {
  if (payload.empty()) return;
  LogEntry entry;
  entry.type = (payload[0] & 1) != 0 ? EntryType::kPrecert : EntryType::kCert;
  entry.chain = {Bytes{0xaa}};  // sentinels: must survive a failed decode
  entry.precertificate = {0xbb};
  const ByteView extra = payload.subspan(1);
  if (!DecodeRfc6962ExtraData(extra, &entry).has_value()) {
    Check(entry.chain == std::vector<Bytes>{Bytes{0xaa}} && entry.precertificate == Bytes{0xbb});
    return;
  }
  Check(Equal(EncodeExtraData(entry.type, entry.precertificate, entry.chain), extra));
  for (const Bytes& cert : entry.chain) Check(!cert.empty());
  Check((entry.type == EntryType::kPrecert) == !entry.precertificate.empty());
}

void FuzzDataTile(ByteView payload) {
  if (payload.empty()) return;
  const size_t width = payload[0] == 0 ? kTileWidth : payload[0];
  const ByteView tile = payload.subspan(1);
  auto entries = DecodeDataTile(512, tile, width);
  if (!entries.has_value()) return;
  Check(entries->size() == width);
  Bytes reencoded;
  for (size_t i = 0; i < entries->size(); ++i) {
    const LogEntry& e = (*entries)[i];
    Check(e.index == 512 + i);
    Check(e.leaf_hash == LeafHash(EncodeMerkleTreeLeaf(e.timestamp_ms, e.type, e.certificate,
                                                       e.issuer_key_hash, e.extensions)));
    AppendTileLeaf(&reencoded, e.timestamp_ms, e.type, e.certificate, e.issuer_key_hash,
                   e.precertificate, e.chain_fingerprints, e.extensions);
  }
  Check(Equal(reencoded, tile));
}

void FuzzGetEntries(ByteView payload) {
  auto entries = ParseGetEntries(AsChars(payload));
  if (!entries.has_value()) return;
  Check(entries->size() <= 10'000);
  std::string json = "{\"entries\":[";
  for (size_t i = 0; i < entries->size(); ++i) {
    json += std::string(i ? "," : "") + "{\"leaf_input\":\"" +
            Base64Encode((*entries)[i].leaf_input) + "\",\"extra_data\":\"" +
            Base64Encode((*entries)[i].extra_data) + "\"}";
  }
  json += "]}";
  auto again = ParseGetEntries(json);
  Check(again.has_value() && again->size() == entries->size());
  for (size_t i = 0; i < entries->size(); ++i) {
    Check((*again)[i].leaf_input == (*entries)[i].leaf_input);
    Check((*again)[i].extra_data == (*entries)[i].extra_data);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const ByteView payload(data + 1, size - 1);
  switch (data[0] & 3) {
    case 0:
      FuzzRfc6962Entry(payload);
      break;
    case 1:
      FuzzExtraData(payload);
      break;
    case 2:
      FuzzDataTile(payload);
      break;
    default:
      FuzzGetEntries(payload);
      break;
  }
  return 0;
}
