// RFC 6962 leaves and static-ct-api data tiles: strict decoders and their encoders.
// RFC 6962 §3.4 (MerkleTreeLeaf, TimestampedEntry), §4.6 (extra_data), C2SP static-ct-api
// (TileLeaf). Every field is read through ByteReader; the output is written only on success.
// Thread-safety: pure functions.
#include "ctlog/entry.h"

#include <algorithm>
#include <string>

#include "core/byte_reader.h"
#include "core/sha256.h"
#include "ctlog/merkle.h"

namespace ctwatch {
namespace {

constexpr uint8_t kEntryTypeX509 = 0;
constexpr uint8_t kEntryTypePrecert = 1;

Error ParseError(std::string message) { return MakeError(ErrorCode::kParse, std::move(message)); }

// opaque ASN.1Cert<1..2^24-1>; the same bounds hold for TBSCertificate.
bool ReadCert(ByteReader* in, ByteView* out) { return in->ReadPrefixed(3, out) && !out->empty(); }

// struct {
//   uint64 timestamp;
//   LogEntryType entry_type;           // uint16: x509_entry(0), precert_entry(1)
//   select (entry_type) {
//     case x509_entry: ASN.1Cert signed_entry;
//     case precert_entry: PreCert signed_entry;  // issuer_key_hash[32], TBSCertificate<1..2^24-1>
//   } signed_entry;
//   CtExtensions extensions;           // opaque<0..2^16-1>
// } TimestampedEntry;
// Reads one TimestampedEntry from `in`; on failure `in` may have moved (callers discard it).
Status ReadTimestampedEntry(ByteReader* in, LogEntry* out) {
  uint16_t entry_type = 0;
  if (!in->ReadU64(&out->timestamp_ms)) return ParseError("truncated timestamp");
  if (!in->ReadU16(&entry_type)) return ParseError("truncated entry_type");
  ByteView certificate;
  if (entry_type == kEntryTypeX509) {
    out->type = EntryType::kCert;
    if (!ReadCert(in, &certificate)) return ParseError("bad x509 certificate length");
  } else if (entry_type == kEntryTypePrecert) {
    out->type = EntryType::kPrecert;
    ByteView key_hash;
    if (!in->ReadBytes(out->issuer_key_hash.size(), &key_hash)) {
      return ParseError("truncated issuer_key_hash");
    }
    std::copy(key_hash.begin(), key_hash.end(), out->issuer_key_hash.begin());
    if (!ReadCert(in, &certificate)) return ParseError("bad precert TBS length");
  } else {
    return ParseError("unknown entry_type " + std::to_string(entry_type));
  }
  ByteView extensions;
  if (!in->ReadPrefixed(2, &extensions)) return ParseError("bad extensions length");
  out->certificate.assign(certificate.begin(), certificate.end());
  out->extensions.assign(extensions.begin(), extensions.end());
  return OkStatus();
}

void AppendTimestampedEntry(Bytes* out, uint64_t timestamp_ms, EntryType type, ByteView certificate,
                            const Sha256Hash& issuer_key_hash, ByteView extensions) {
  AppendUint(out, timestamp_ms, 8);
  if (type == EntryType::kCert) {
    AppendUint(out, kEntryTypeX509, 2);
  } else {
    AppendUint(out, kEntryTypePrecert, 2);
    out->insert(out->end(), issuer_key_hash.begin(), issuer_key_hash.end());
  }
  AppendPrefixed(out, certificate, 3);
  AppendPrefixed(out, extensions, 2);
}

}  // namespace

Result<LogEntry> DecodeRfc6962Entry(uint64_t index, ByteView leaf_input, ByteView extra_data) {
  // struct { Version version; MerkleLeafType leaf_type; TimestampedEntry timestamped_entry; }
  ByteReader in(leaf_input);
  uint8_t version = 0, leaf_type = 0;
  if (!in.ReadU8(&version) || !in.ReadU8(&leaf_type)) return ParseError("truncated leaf header");
  if (version != 0) return ParseError("unknown leaf version " + std::to_string(version));
  if (leaf_type != 0) return ParseError("unknown leaf_type " + std::to_string(leaf_type));
  LogEntry entry;
  entry.index = index;
  CTW_RETURN_IF_ERROR(ReadTimestampedEntry(&in, &entry));
  if (!in.empty()) return ParseError("trailing bytes after MerkleTreeLeaf");
  if (!extra_data.empty()) {
    Status extra = DecodeRfc6962ExtraData(extra_data, &entry);
    if (!extra) return std::move(extra).error();
  }
  entry.leaf_hash = LeafHash(leaf_input);
  return entry;
}

Status DecodeRfc6962ExtraData(ByteView extra_data, LogEntry* entry) {
  ByteReader in(extra_data);
  ByteView precertificate;
  if (entry->type == EntryType::kPrecert) {
    // struct { ASN.1Cert pre_certificate; ASN.1Cert precertificate_chain<0..2^24-1>; }
    if (!ReadCert(&in, &precertificate)) return ParseError("extra_data: bad pre_certificate");
  }
  // x509: struct { ASN.1Cert certificate_chain<0..2^24-1>; } X509ChainEntry
  ByteReader chain_reader;
  if (!in.ReadPrefixed(3, &chain_reader)) return ParseError("extra_data: bad chain length");
  if (!in.empty()) return ParseError("extra_data: trailing bytes");
  std::vector<Bytes> chain;
  while (!chain_reader.empty()) {
    ByteView cert;
    if (!ReadCert(&chain_reader, &cert)) return ParseError("extra_data: bad chain certificate");
    chain.emplace_back(cert.begin(), cert.end());
  }
  entry->precertificate.assign(precertificate.begin(), precertificate.end());
  entry->chain = std::move(chain);
  return OkStatus();
}

Result<std::vector<LogEntry>> DecodeDataTile(uint64_t first_index, ByteView tile,
                                             size_t expected_count) {
  if (expected_count == 0 || expected_count > kTileWidth) {
    return MakeError(ErrorCode::kInvalidArgument, "tile width out of range");
  }
  static constexpr uint8_t kLeafHashPrefix[3] = {0x00, 0x00, 0x00};  // 0x00 || version || type
  std::vector<LogEntry> entries;
  entries.reserve(expected_count);
  ByteReader in(tile);
  while (!in.empty()) {
    if (entries.size() == expected_count) {
      return ParseError("data tile holds more than " + std::to_string(expected_count) + " entries");
    }
    const uint64_t index = first_index + entries.size();
    auto fail = [index](const Error& e) {
      return ParseError("data tile leaf " + std::to_string(index) + ": " + e.message);
    };
    // struct {
    //   TimestampedEntry timestamped_entry;
    //   select (entry_type) { case x509_entry: Empty;
    //                         case precert_entry: ASN.1Cert pre_certificate; };
    //   Fingerprint certificate_chain<0..2^16-1>;   // Fingerprint = opaque[32]
    // } TileLeaf;
    LogEntry entry;
    entry.index = index;
    const ByteView before = in.rest();
    Status te = ReadTimestampedEntry(&in, &entry);
    if (!te) return fail(te.error());
    const ByteView entry_bytes = before.first(before.size() - in.remaining());
    ByteView precertificate;
    if (entry.type == EntryType::kPrecert && !ReadCert(&in, &precertificate)) {
      return fail(ParseError("bad pre_certificate"));
    }
    ByteView fingerprints;
    if (!in.ReadPrefixed(2, &fingerprints) || fingerprints.size() % 32 != 0) {
      return fail(ParseError("bad certificate_chain fingerprints"));
    }
    entry.precertificate.assign(precertificate.begin(), precertificate.end());
    entry.chain_fingerprints.resize(fingerprints.size() / 32);
    for (size_t i = 0; i < entry.chain_fingerprints.size(); ++i) {
      std::copy_n(fingerprints.begin() + static_cast<ptrdiff_t>(32 * i), 32,
                  entry.chain_fingerprints[i].begin());
    }
    // LeafHash(00 00 || TimestampedEntry) without copying the entry behind its header.
    entry.leaf_hash = Sha256({ByteView(kLeafHashPrefix), entry_bytes});
    entries.push_back(std::move(entry));
  }
  if (entries.size() != expected_count) {
    return ParseError("data tile holds " + std::to_string(entries.size()) + " entries, want " +
                      std::to_string(expected_count));
  }
  return entries;
}

Bytes EncodeTimestampedEntry(uint64_t timestamp_ms, EntryType type, ByteView certificate,
                             const Sha256Hash& issuer_key_hash, ByteView extensions) {
  Bytes out;
  AppendTimestampedEntry(&out, timestamp_ms, type, certificate, issuer_key_hash, extensions);
  return out;
}

Bytes EncodeMerkleTreeLeaf(uint64_t timestamp_ms, EntryType type, ByteView certificate,
                           const Sha256Hash& issuer_key_hash, ByteView extensions) {
  Bytes out = {0x00, 0x00};  // version v1, leaf_type timestamped_entry
  AppendTimestampedEntry(&out, timestamp_ms, type, certificate, issuer_key_hash, extensions);
  return out;
}

Bytes EncodeExtraData(EntryType type, ByteView precertificate, const std::vector<Bytes>& chain) {
  Bytes out;
  if (type == EntryType::kPrecert) AppendPrefixed(&out, precertificate, 3);
  Bytes certs;
  for (const Bytes& cert : chain) AppendPrefixed(&certs, cert, 3);
  AppendPrefixed(&out, certs, 3);
  return out;
}

void AppendTileLeaf(Bytes* tile, uint64_t timestamp_ms, EntryType type, ByteView certificate,
                    const Sha256Hash& issuer_key_hash, ByteView precertificate,
                    const std::vector<Sha256Hash>& chain_fingerprints, ByteView extensions) {
  AppendTimestampedEntry(tile, timestamp_ms, type, certificate, issuer_key_hash, extensions);
  if (type == EntryType::kPrecert) AppendPrefixed(tile, precertificate, 3);
  AppendUint(tile, chain_fingerprints.size() * 32, 2);
  for (const Sha256Hash& fp : chain_fingerprints) tile->insert(tile->end(), fp.begin(), fp.end());
}

}  // namespace ctwatch
