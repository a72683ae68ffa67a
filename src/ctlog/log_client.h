// Clients for the two CT log APIs, and LogSource: the one interface the Tailer reads a log
// through, whatever its API.
// - Rfc6962Client: RFC 6962 §4 (get-sth, get-entries, get-sth-consistency, get-proof-by-hash).
//   get-entries accepts short responses (logs return fewer than asked) and rejects entries
//   outside the asked range.
// - TileClient: C2SP static-ct-api (checkpoint, data tiles, hash tiles, issuers); data tiles
//   may be gzip-encoded (with or without Content-Encoding).
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
  Result<std::string> Get(const std::string& path_and_query);
  HttpClient* http_;
  std::string base_url_;
  ClientLimits limits_;
};

// Parses a get-entries body into raw entries (fast path: no DOM).
Result<std::vector<RawEntry>> ParseGetEntries(std::string_view json);

class TileClient {
 public:
  TileClient(HttpClient* http, std::string monitoring_url, ClientLimits limits = {});

  Result<std::string> GetCheckpoint();
  // A data tile (full when width == 256, partial otherwise), gunzipped. A missing partial tile
  // (404) falls back to the full tile and returns its 256 entries.
  Result<Bytes> GetDataTile(uint64_t tile_index, unsigned width);
  Result<Bytes> GetHashTile(int level, uint64_t tile_index, unsigned width);
  // issuer/<hex fingerprint>; the certificate's SHA-256 must equal the fingerprint.
  Result<Bytes> GetIssuer(const Sha256Hash& fingerprint);

 private:
  Result<Bytes> GetBytes(const std::string& path, bool allow_not_found, bool* not_found);
  HttpClient* http_;
  std::string monitoring_url_;
  ClientLimits limits_;
};

// What the Tailer needs from a log, over either API.
class LogSource {
 public:
  virtual ~LogSource() = default;
  // The latest signed head, its signature verified with the log's key. A bad signature is
  // kVerification (the Tailer records log_bad_signature).
  virtual Result<SignedTreeHead> FetchHead() = 0;
  // Entries from `start` (inclusive) towards `end` (exclusive, <= head.tree_size), in order,
  // with leaf hashes; at least one on success, possibly fewer than asked. For a static log
  // `allow_partial` permits a partial data tile at the end of the tree.
  virtual Result<std::vector<LogEntry>> FetchEntries(uint64_t start, uint64_t end,
                                                     bool allow_partial) = 0;
  // Completes a matched entry: RFC 6962 entries already carry their chain; static entries
  // get chain certificates from the issuer cache (fetched once, hash checked).
  virtual Status FetchChain(LogEntry* entry) = 0;
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
