// Store: the persistence interface of ctwatch. SqliteStore is the embedded implementation;
// the interface keeps SQL out of callers so that a PostgreSQL backend can pass the same tests.
// Thread-safety: a Store may be called from several threads; implementations serialise
// writes (one writer) and may serve reads concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace ctwatch {

class Store {
 public:
  virtual ~Store() = default;

  // Logs. RegisterLog records a log as soon as it is monitored, before its starting position
  // is known, so that its errors show (`ctwatch logs`); it updates description/url/state of a
  // known log. EnsureLog sets the starting progress of a log that has none yet (registered or
  // new) and otherwise only updates description/url/state. Returns the progress in force.
  virtual Status RegisterLog(const LogRecord& log) = 0;
  virtual Result<LogProgress> EnsureLog(const LogRecord& log, const LogProgress& start) = 0;
  // nullopt for an unknown log or one without a starting position yet.
  virtual Result<std::optional<LogProgress>> GetLogProgress(const Sha256Hash& log_id) = 0;
  virtual Status SetLogActive(const Sha256Hash& log_id, bool active) = 0;
  virtual Result<std::vector<LogStatus>> ListLogs() = 0;

  // Records a signed head. Returns the root already stored for this size when it differs
  // (a split view), nullopt otherwise.
  virtual Result<std::optional<Sha256Hash>> RecordTreeHead(const Sha256Hash& log_id,
                                                           const TreeHeadRecord& head) = 0;
  virtual Status RecordLogSuccess(const Sha256Hash& log_id) = 0;
  virtual Status RecordLogError(const Sha256Hash& log_id, const std::string& error) = 0;

  // Commits a batch atomically. Fails with kFailedPrecondition (and changes nothing) when
  // batch.start is not the log's stored position: a batch is never applied twice.
  virtual Status CommitBatch(const IngestBatch& batch) = 0;
  // Forgets the unverified tail [verified_size, position) of a log after a failed
  // verification: position and compact range go back to the verified ones; the unverified
  // sightings, malformed entries and pending findings of that range are deleted.
  virtual Status RollbackUnverified(const Sha256Hash& log_id) = 0;

  // A finding about a log or the service itself (not tied to an entry). Returns false when a
  // finding with the same dedup key already exists.
  virtual Result<bool> AddFinding(const FindingDraft& finding, const std::optional<Sha256Hash>& log_id,
                                  std::optional<uint64_t> index) = 0;

  virtual Result<std::vector<StoredCertificate>> ListCertificates(const CertificateQuery& q) = 0;
  virtual Result<std::vector<StoredFinding>> ListFindings(const FindingQuery& q) = 0;

  // Policy (src/app/policy_*): stores a verified rescan's certificates, sightings (verified)
  // and findings (once per dedup key) in one transaction; the log's position, compact range
  // and pending findings are untouched. Returns how many findings were new.
  virtual Result<size_t> CommitRescan(const RescanBatch& batch) = 0;
  // Every (name, certificate) whose name is `domain` or below it, through the reversed-name
  // index (a range scan, not a table scan).
  virtual Result<std::vector<NameCertificate>> ListNamesUnder(const std::string& domain) = 0;

  // Issuance verdicts (src/issuance, docs/issuance.md). The certificates with a judged sighting
  // whose verdict may still change: not decided yet, expected_pending, authorized (may become
  // expected) and, with `include_foreign`, foreign.
  virtual Result<std::vector<IssuanceCandidate>> ListIssuanceCandidates(bool include_foreign) = 0;
  // Applies a new verdict to a certificate's judged sightings, raises or resolves its
  // foreign_issuance finding, in one transaction (see IssuanceUpdate).
  virtual Result<IssuanceUpdateResult> ApplyIssuanceUpdate(const IssuanceUpdate& update) = 0;
  // The earliest log timestamp of a sighting of `identity` (nullopt: never seen).
  virtual Result<std::optional<int64_t>> FirstSeenMs(const Sha256Hash& identity) = 0;
  // Every sighting of a certificate, oldest first, with the log's description and the verdict.
  virtual Result<std::vector<Sighting>> SightingsOf(const Sha256Hash& identity) = 0;
};

struct StoreOptions {
  std::string path;          // SQLite file; created with its directory when missing
  bool read_only = false;    // read-only connection (API, CLI listings)
  int busy_timeout_ms = 10'000;
};

// Opens (and migrates, unless read-only) the SQLite store.
Result<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options);

}  // namespace ctwatch
