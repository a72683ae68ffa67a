// Corpus: the one growing log behind both APIs of the test log server. It owns
// - a pool of background entries (certificates and precertificates made by the
//   CertificateFactory at start) that entry i cycles through, entries being built on demand
//   from the pool and the index (only the leaf hashes of a million entries are kept);
// - the planted entries (a precertificate and its final certificate per name set, or a
//   malformed entry) at chosen indices, and the manifest that describes them;
// - the Merkle tree (MerkleLevels) over every leaf.
// Every leaf's TimestampedEntry carries the static-ct-api leaf_index extension (C2SP
// static-ct-api, "leaf_index" = 0, uint40) unless disabled, and timestamps grow by 1 ms per
// index, so every leaf is distinct.
// Thread-safety: every public method may be called from any thread. Readers share a
// shared_mutex; appends (Grow/Plant*) are serialised by a separate mutex and take the
// shared_mutex exclusively only to publish. Entry contents are immutable once published and
// live as long as the Corpus, so an EntryView stays valid after the lock is released.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "cert/facts.h"
#include "core/bytes.h"
#include "core/result.h"
#include "testlog/cert_factory.h"
#include "testlog/log_signer.h"
#include "testlog/merkle_levels.h"

namespace ctwatch::testlog {

struct CorpusOptions {
  uint64_t initial_size = 1000;
  size_t pool_size = 2000;                        // distinct background certificates
  uint64_t seed = 1;                              // names, pool order and planted indices
  std::vector<std::vector<std::string>> planted;  // name sets planted in the initial size
  uint64_t planted_malformed = 0;                 // malformed entries planted in the initial size
  bool leaf_index_extension = true;
  std::string manifest_path;  // JSON lines of planted entries; empty = none
  int hash_threads = 0;       // start-up threads; 0 = hardware concurrency (max 4)
};

// Everything about one entry apart from its index and timestamp.
struct EntryContent {
  EntryType type = EntryType::kCert;
  Bytes certificate;  // x509: certificate DER (garbage when malformed); precert: TBS
  Sha256Hash issuer_key_hash{};
  Bytes precertificate;      // precert only
  std::vector<Bytes> chain;  // issuer first, root last
  std::vector<Sha256Hash> chain_fingerprints;
  Bytes extra_data;  // RFC 6962 extra_data
  std::string extra_data_b64;
};

// One entry as served: content plus index-derived fields.
struct EntryView {
  uint64_t index = 0;
  uint64_t timestamp_ms = 0;
  const EntryContent* content = nullptr;
  Bytes extensions;  // CtExtensions contents of the TimestampedEntry

  Bytes MerkleTreeLeaf() const;
  void AppendTileLeaf(Bytes* tile) const;
  Sha256Hash LeafHash() const;
};

// One manifest line: a planted entry.
struct ManifestRecord {
  uint64_t index = 0;
  EntryType type = EntryType::kCert;
  Sha256Hash identity{};     // zero for malformed entries
  Sha256Hash cert_sha256{};  // of the certificate / precertificate / garbage bytes
  Sha256Hash leaf_hash{};
  std::vector<std::string> names;
  bool malformed = false;

  std::string ToJsonLine() const;  // one line, no newline
};

// An entry submitted with add-chain / add-pre-chain (RFC 6962 §4.1, §4.2), and its SCT.
struct SubmittedEntry {
  uint64_t index = 0;
  uint64_t timestamp_ms = 0;
  Bytes extensions;     // CtExtensions of the leaf; the SCT signs the same
  Bytes sct_signature;  // DigitallySigned (RFC 6962 §3.2)
  ManifestRecord record;
};

class Corpus {
 public:
  static Result<std::unique_ptr<Corpus>> Create(const CorpusOptions& options);
  ~Corpus();

  uint64_t size() const;
  const CertificateFactory& factory() const { return *factory_; }
  const LogSigner& rfc6962_signer() const { return rfc6962_signer_; }
  const LogSigner& static_signer() const { return static_signer_; }
  // The certificates get-roots and issuer/ serve: root and intermediate.
  std::vector<const Bytes*> Issuers() const;

  // Readers (they take the shared lock). Sizes and indices must be within size().
  EntryView Entry(uint64_t index) const;
  std::vector<EntryView> Entries(uint64_t begin, uint64_t end) const;
  Sha256Hash RootAt(uint64_t tree_size) const;
  std::vector<Sha256Hash> InclusionProof(uint64_t index, uint64_t tree_size) const;
  std::vector<Sha256Hash> ConsistencyProof(uint64_t size1, uint64_t size2) const;
  std::optional<uint64_t> FindLeaf(const Sha256Hash& leaf_hash, uint64_t tree_size) const;
  // Hashes of nodes [begin, end) of tree level `level` (complete subtrees only); empty when
  // some of them do not exist yet.
  std::vector<Sha256Hash> Nodes(int level, uint64_t begin, uint64_t end) const;
  // The tree size and its root, read together.
  std::pair<uint64_t, Sha256Hash> Head() const;
  std::vector<ManifestRecord> Manifest() const;
  size_t TreeMemoryBytes() const;

  // Appends background entries; returns the new size.
  Result<uint64_t> Grow(uint64_t count);
  // Appends, per name set, a precertificate entry then its final certificate entry.
  Result<std::vector<ManifestRecord>> Plant(const std::vector<std::vector<std::string>>& sets);
  // Appends a submitted certificate (kCert: chain[0] is the certificate) or precertificate
  // (kPrecert: chain[0] carries the poison extension, which the leaf's TBS goes without)
  // logged now, with its chain (chain[1..], issuer first), and signs its SCT. Unlike a real
  // log this test log accepts any chain of well-formed certificates (no accepted roots, no
  // signature check) and takes a precertificate's issuer to be chain[1] (no precertificate
  // signing certificate). Submitting the same chain[0] again returns the first SCT.
  Result<SubmittedEntry> Submit(EntryType type, const std::vector<Bytes>& chain);
  // Appends malformed entries (garbage certificate bytes inside a valid leaf).
  Result<std::vector<ManifestRecord>> PlantMalformed(uint64_t count);

 private:
  Corpus() = default;
  Status BuildPool(size_t pool_size, uint64_t seed, int threads);
  Result<std::vector<const EntryContent*>> MakePlantedPair(const std::vector<std::string>& names,
                                                           std::vector<ManifestRecord>* records);
  const EntryContent* MakeMalformed(uint64_t salt, ManifestRecord* record);
  const EntryContent* ContentAt(uint64_t index) const;  // caller holds mu_ (any mode)
  EntryView ViewAt(uint64_t index) const;               // caller holds mu_ (any mode)
  std::vector<Sha256Hash> HashRange(uint64_t begin, uint64_t end, int threads) const;
  void WriteManifest(const std::vector<ManifestRecord>& records);
  CertificateRequest NextRequest(std::vector<std::string> names, IssuerCa issuer);

  std::unique_ptr<CertificateFactory> factory_;
  LogSigner rfc6962_signer_;
  LogSigner static_signer_;
  uint64_t seed_ = 1;
  uint64_t base_timestamp_ms_ = 0;
  int64_t now_s_ = 0;
  bool leaf_index_extension_ = true;
  std::vector<EntryContent> pool_;       // immutable after Create
  std::vector<Bytes> chain_inter_root_;  // [intermediate, root]
  std::vector<Bytes> chain_root_;        // [root]

  std::mutex append_mu_;  // serialises Grow/Plant*; guards serial_counter_
  uint64_t serial_counter_ = 0;
  FILE* manifest_file_ = nullptr;  // GUARDED_BY(append_mu_)

  mutable std::shared_mutex mu_;
  MerkleLevels tree_;                                // GUARDED_BY(mu_)
  std::map<uint64_t, const EntryContent*> special_;  // GUARDED_BY(mu_)
  std::deque<EntryContent> special_contents_;        // GUARDED_BY(mu_); stable addresses
  std::vector<ManifestRecord> manifest_;             // GUARDED_BY(mu_)
  std::map<uint64_t, uint64_t> submitted_timestamps_;  // GUARDED_BY(mu_); index -> logged at
  std::deque<Bytes> submitted_issuers_;                // GUARDED_BY(mu_); served as issuers
  std::map<Sha256Hash, SubmittedEntry> submitted_;     // GUARDED_BY(append_mu_); by chain[0]
};

}  // namespace ctwatch::testlog
