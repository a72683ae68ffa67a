// Clients for the two CT log APIs, and LogSource: the one interface the Tailer reads a log
// through, whatever its API.
// - Rfc6962Client: RFC 6962 §4 (get-sth, get-entries, get-sth-consistency, get-proof-by-hash).
//   get-entries accepts short responses (logs return fewer than asked) and rejects entries
//   outside the asked range.
// - TileClient: C2SP static-ct-api (checkpoint, data tiles, hash tiles, issuers); data tiles
//   may be gzip-encoded (with or without Content-Encoding).
// - FetchLeafHashes / ProvenCompactRange over either client: leaf hashes of a range, and a
//   compact range proven against a signed head (RFC 9162 §2.1), for LogSource.
// Every response is size-capped and parsed strictly. HTTP 429/503 map to kRateLimited with
// Retry-After (see core/http.h).
// Thread-safety: a client uses one HttpClient and is used by one thread; make one per fetch
// thread. LogSource instances likewise.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/http.h"
#include "ctlog/checkpoint.h"
#include "ctlog/entry.h"
#include "ctlog/log_list.h"
#include "ctlog/merkle.h"
#include "ctlog/tree_head.h"

namespace ctwatch {

struct ClientLimits {
  int64_t timeout_ms = 30'000;
  size_t max_response_bytes = 32u << 20;
};

struct RawEntry {
  Bytes leaf_input;
  Bytes extra_data;
};

class Rfc6962Client {
 public:
  Rfc6962Client(HttpClient* http, std::string base_url, ClientLimits limits = {});

  Result<SignedTreeHead> GetSth();  // parsed, not verified
  // Entries [start, end] (end inclusive, RFC 6962 §4.6); returns 1..(end-start+1) entries.
  Result<std::vector<RawEntry>> GetEntries(uint64_t start, uint64_t end);
  Result<std::vector<Bytes>> GetConsistency(uint64_t first, uint64_t second);
  struct InclusionProof {
    uint64_t leaf_index = 0;
    std::vector<Bytes> audit_path;
  };
  Result<InclusionProof> GetProofByHash(const Sha256Hash& leaf_hash, uint64_t tree_size);

 private:
  Result<std::string> Get(const std::string& path_and_query, bool accept_gzip = true);
  HttpClient* http_;
  std::string base_url_;
  ClientLimits limits_;
};

// Parses a get-entries body into raw entries (fast path: no DOM).
Result<std::vector<RawEntry>> ParseGetEntries(std::string_view json);

// What LogSource::FetchLeafHashes and LogSource::ProvenCompactRange do over an RFC 6962 log
// (src/ctlog/proven_range.cc).
Result<std::vector<Sha256Hash>> FetchLeafHashes(Rfc6962Client* client, uint64_t start,
                                                uint64_t end);
Result<CompactRange> ProvenCompactRange(Rfc6962Client* client, uint64_t size,
                                        const SignedTreeHead& head);

class TileClient {
 public:
  TileClient(HttpClient* http, std::string monitoring_url, ClientLimits limits = {});

  Result<std::string> GetCheckpoint();
  // A data tile (full when width == 256, partial otherwise), gunzipped. A missing partial tile
  // (404) falls back to the full tile and returns its 256 entries; *served_width (optional)
  // receives the width of the tile returned (`width` or 256).
  Result<Bytes> GetDataTile(uint64_t tile_index, unsigned width, unsigned* served_width = nullptr);
  // A hash tile (width × 32 bytes, size checked), with the same fallback.
  Result<Bytes> GetHashTile(int level, uint64_t tile_index, unsigned width,
                            unsigned* served_width = nullptr);
  // issuer/<hex fingerprint>; the certificate's SHA-256 must equal the fingerprint.
  Result<Bytes> GetIssuer(const Sha256Hash& fingerprint);

 private:
  Result<Bytes> GetBytes(const std::string& path, size_t max_bytes, bool allow_not_found,
                         bool* not_found);
  // A tile at `partial_path`, or at `full_path` when the partial one is gone (404).
  Result<Bytes> GetTileWithFallback(const std::string& partial_path, const std::string& full_path,
                                    unsigned width, unsigned* served_width);
  HttpClient* http_;
  std::string monitoring_url_;
  ClientLimits limits_;
};

// The same over a static-ct-api log (src/ctlog/proven_range.cc).
Result<std::vector<Sha256Hash>> FetchLeafHashes(TileClient* client, uint64_t start, uint64_t end);
Result<CompactRange> ProvenCompactRange(TileClient* client, uint64_t size,
                                        const SignedTreeHead& head);

// What the Tailer needs from a log, over either API.
class LogSource {
 public:
  virtual ~LogSource() = default;
  // The latest signed head, its signature verified with the log's key. A bad signature is
  // kVerification (the Tailer records log_bad_signature).
  virtual Result<SignedTreeHead> FetchHead() = 0;
  // Entries from `start` (inclusive) towards `end` (exclusive, <= head.tree_size), in order,
  // with leaf hashes; at least one on success, possibly fewer than asked. An entry whose leaf
  // does not decode comes back flagged (LogEntry::malformed()) rather than failing the batch.
  // For a static log the result is at most the rest of the data tile holding `start`; the
  // tree is taken to hold exactly `end` entries when `end` falls inside that tile, so the
  // tile is then partial, and is fetched (as .p/<end % 256>, falling back to the full tile)
  // only when `allow_partial` (otherwise kFailedPrecondition). A framing error in a data
  // tile fails the whole tile (its leaves cannot be delimited).
  virtual Result<std::vector<LogEntry>> FetchEntries(uint64_t start, uint64_t end,
                                                     bool allow_partial) = 0;
  // Completes a matched entry: RFC 6962 entries already carry their chain; static entries
  // get chain certificates from the issuer cache (fetched once, hash checked).
  virtual Status FetchChain(LogEntry* entry) = 0;

  // Leaf hashes of entries [start, end) without decoding entries, unverified (the caller
  // completes a range with them and checks the root): a static log reads them from the
  // level-0 hash tiles, taking the tree to hold exactly `end` entries when `end` falls inside
  // a tile (so that tile is fetched as .p/<end % 256>, falling back to the full tile); an
  // RFC 6962 log hashes the leaf_input of get-entries (short responses continued). Meant for
  // short ranges: the result is held in memory. start == end gives an empty vector.
  virtual Result<std::vector<Sha256Hash>> FetchLeafHashes(uint64_t start, uint64_t end) = 0;

  // The compact range of [0, size), proven against the signed `head` (size <= head.tree_size)
  // so that a new log can start at its end or at an index without reading it from entry 0.
  // size 0 is the empty range (for an empty head, head.root must be the empty root).
  // - RFC 6962: entry size-1 and get-proof-by-hash for it at head.tree_size (RFC 9162
  //   §2.1.3.2); the left siblings on the audit path are the compact range of [0, size-1).
  //   A log that answers with another leaf_index (a duplicate leaf) cannot prove this size.
  // - static-ct-api: any size (the Tailer uses tile boundaries and the head's size); the
  //   subtrees of [0, size) and of [size, head.tree_size) come from the hash tiles and must
  //   fold to head.root.
  // A proof or a tile that does not lead to head.root is kVerification.
  virtual Result<CompactRange> ProvenCompactRange(uint64_t size, const SignedTreeHead& head) = 0;
};

// Issuer certificates of a static log, shared by its fetch threads.
class IssuerCache {
 public:
  std::shared_ptr<const Bytes> Find(const Sha256Hash& fingerprint) const;
  void Insert(const Sha256Hash& fingerprint, Bytes certificate);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Bytes>> by_fingerprint_;  // GUARDED_BY(mu_)
};

std::unique_ptr<LogSource> MakeLogSource(const LogInfo& log, std::unique_ptr<HttpClient> http,
                                         std::shared_ptr<IssuerCache> issuers,
                                         ClientLimits limits = {});

}  // namespace ctwatch
