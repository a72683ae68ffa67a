// Log entries from both APIs, decoded into one LogEntry:
// - RFC 6962 §3.4/§4.6: leaf_input = MerkleTreeLeaf (version 0, leaf_type 0, TimestampedEntry),
//   extra_data = X509ChainEntry (chain<u24> of ASN.1Cert<u24>) or PrecertChainEntry
//   (pre_certificate<u24> || chain<u24>).
// - C2SP static-ct-api: a data tile is a sequence of TileLeaf = TimestampedEntry ||
//   (precert only: pre_certificate<u24>) || fingerprints<u16> (32-byte SHA-256 each); its leaf
//   hash input is 00 00 || TimestampedEntry.
// Decoding is strict (lengths, enum values from a whitelist, no trailing bytes) and never
// trusts a length; it decodes into a local and commits only on success. It checks structure,
// not meaning: the certificates are not parsed here, and a precert leaf whose TBS does not
// match the precertificate in extra_data decodes fine (that is for src/cert to judge).
// Encoders exist for the test log server and tests.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cert/facts.h"
#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

struct LogEntry {
  uint64_t index = 0;
  uint64_t timestamp_ms = 0;
  EntryType type = EntryType::kCert;
  Bytes certificate;             // x509: certificate DER; precert: TBSCertificate from the leaf
  Sha256Hash issuer_key_hash{};  // precert only
  Bytes extensions;              // CtExtensions of the TimestampedEntry (static-ct-api logs put
                                 // the leaf_index extension here); usually empty for RFC 6962
  Bytes precertificate;          // precert: the precertificate DER when the API supplies it
  Bytes extra_data;              // RFC 6962: extra_data as received, decoded by FetchChain
                                 // (only entries that concern the owner need their chain)
  std::vector<Bytes> chain;      // RFC 6962: chain certificates (extra_data)
  std::vector<Sha256Hash> chain_fingerprints;  // static-ct-api: SHA-256 of each chain cert
  Sha256Hash leaf_hash{};                      // always valid, also for a malformed entry

  // A malformed entry (LogSource only; the decoders return errors instead). The log served
  // a leaf that does not decode: parse_error says why and raw_leaf holds the leaf_input as
  // received, so that the Tailer keeps leaf_hash for the Merkle tree and stores a
  // malformed_entry instead of stopping the log. Bad extra_data (which the leaf hash does not
  // cover) shows only when FetchChain decodes it.
  std::string parse_error;
  Bytes raw_leaf;

  bool malformed() const { return !parse_error.empty(); }
};

// Decodes a MerkleTreeLeaf; leaf_hash is computed over `leaf_input` exactly as received.
// extra_data may be empty (chain and precertificate are then left empty).
Result<LogEntry> DecodeRfc6962Entry(uint64_t index, ByteView leaf_input, ByteView extra_data);
// Fills chain / precertificate of an entry decoded without extra_data.
Status DecodeRfc6962ExtraData(ByteView extra_data, LogEntry* entry);

// Decodes a data tile whose first leaf has index `first_index`. `expected_count` is the tile
// width (256 for a full tile, W for a partial one); any other count is an error.
Result<std::vector<LogEntry>> DecodeDataTile(uint64_t first_index, ByteView tile,
                                             size_t expected_count);

// Encoders (inverse of the decoders). `issuer_key_hash` is ignored for x509 entries.
Bytes EncodeTimestampedEntry(uint64_t timestamp_ms, EntryType type, ByteView certificate,
                             const Sha256Hash& issuer_key_hash, ByteView extensions = {});
Bytes EncodeMerkleTreeLeaf(uint64_t timestamp_ms, EntryType type, ByteView certificate,
                           const Sha256Hash& issuer_key_hash, ByteView extensions = {});
Bytes EncodeExtraData(EntryType type, ByteView precertificate, const std::vector<Bytes>& chain);
void AppendTileLeaf(Bytes* tile, uint64_t timestamp_ms, EntryType type, ByteView certificate,
                    const Sha256Hash& issuer_key_hash, ByteView precertificate,
                    const std::vector<Sha256Hash>& chain_fingerprints, ByteView extensions = {});

// static-ct-api / tlog-tiles paths: "tile/<L>/<N>[.p/<W>]" and "tile/data/<N>[.p/<W>]",
// N in 3-digit groups with all but the last prefixed by 'x' (1234067 -> x001/x234/067).
// width 256 means a full tile (no .p suffix); width must be 1..256.
std::string TilePath(int level, uint64_t tile_index, unsigned width);
std::string DataTilePath(uint64_t tile_index, unsigned width);

constexpr unsigned kTileWidth = 256;

}  // namespace ctwatch
