// Plain records exchanged with the Store. They use only core types so that the store does not
// depend on how certificates or logs are parsed (and can move to another database).
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"

namespace ctwatch {

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };
const char* SeverityName(Severity severity);
std::optional<Severity> ParseSeverity(std::string_view name);

struct LogRecord {
  Sha256Hash log_id{};
  std::string description;
  std::string api;         // "rfc6962" | "static"
  std::string url;
  std::string list_state;  // state in the log list
};

// Where a log's ingestion stands; position and compact_range always describe the same prefix.
struct LogProgress {
  uint64_t position = 0;
  Bytes compact_range;     // CompactRange::Serialize() of [0, position)
  uint64_t verified_size = 0;
  Bytes verified_range;    // CompactRange::Serialize() of [0, verified_size)
  std::optional<Sha256Hash> verified_root;
};

struct LogStatus {
  LogRecord log;
  LogProgress progress;
  bool started = true;     // false until the starting position is known
  bool active = true;
  std::optional<uint64_t> head_size;
  std::optional<int64_t> head_timestamp_ms;
  std::optional<int64_t> verified_at_ms;
  std::optional<int64_t> last_success_ms;
  std::string last_error;
  std::optional<int64_t> last_error_ms;
};

struct FindingDraft {
  std::string kind;        // owned_certificate, malformed_entry, log_inconsistent, ...
  Severity severity = Severity::kInfo;
  std::optional<Sha256Hash> identity;
  std::vector<std::string> names;
  std::string detail;
  std::string dedup_key;   // one finding per key, ever
};

struct CertificateRecord {
  Sha256Hash identity{};
  std::string entry_type;  // "cert" | "precert": what this sighting logged
  std::optional<Sha256Hash> cert_sha256;  // of the certificate or precertificate logged
  std::string subject_dn;
  std::string issuer_dn;
  std::string serial_hex;
  int64_t not_before_ms = 0;
  int64_t not_after_ms = 0;
  Sha256Hash spki_sha256{};
  std::optional<Sha256Hash> issuer_key_hash;
  Bytes authority_key_id;
  std::vector<std::string> names;
  std::vector<std::string> san_names;  // the exact name set: DNS and IP SANs, lower case, sorted
  Bytes der;               // certificate DER, or precertificate DER / TBS for precert entries
};

struct MatchedEntry {
  uint64_t index = 0;
  uint64_t timestamp_ms = 0;
  CertificateRecord certificate;
  std::vector<FindingDraft> findings;
  // Issuance verdict (src/issuance) of a certificate that names an owned name: "expected",
  // "expected_pending", "authorized" or "foreign"; verdict_detail says why. Both empty for
  // other certificates; a detail without a verdict: not decided yet (reconciliation retries).
  std::string verdict;
  std::string verdict_detail;
};

struct MalformedEntry {
  uint64_t index = 0;
  std::string error;
  Bytes leaf_input;
  Bytes extra_data;
  FindingDraft finding;    // malformed_entry
};

struct VerifiedHead {
  uint64_t tree_size = 0;
  Sha256Hash root{};
};

// What one transaction commits for a log: entries [start, end) processed, the matches and
// malformed entries among them, the compact range at `end`, and optionally the proof that
// [0, end) matches a signed head (end == verified->tree_size).
struct IngestBatch {
  Sha256Hash log_id{};
  uint64_t start = 0;
  uint64_t end = 0;
  Bytes compact_range;
  std::vector<MatchedEntry> matches;
  std::vector<MalformedEntry> malformed;
  std::optional<VerifiedHead> verified;
};

struct TreeHeadRecord {
  uint64_t tree_size = 0;
  uint64_t timestamp_ms = 0;
  Sha256Hash root{};
  Bytes signature;
};

struct Sighting {
  Sha256Hash log_id{};
  std::string log_description;
  uint64_t index = 0;
  std::string entry_type;
  std::optional<Sha256Hash> cert_sha256;
  uint64_t timestamp_ms = 0;
  bool verified = false;
  std::string verdict;         // issuance verdict; empty when none (see MatchedEntry)
  std::string verdict_detail;
};

struct StoredCertificate {
  CertificateRecord certificate;   // entry_type/cert_sha256: the final cert when seen
  bool has_final_certificate = false;
  int64_t first_seen_ms = 0;
  std::vector<Sighting> sightings;
};

struct StoredFinding {
  int64_t id = 0;
  FindingDraft finding;
  std::optional<Sha256Hash> log_id;
  std::optional<uint64_t> index;
  std::string state;
  int64_t created_ms = 0;
  std::string note;         // why it was resolved (when ctwatch resolved it)
};

// A rescan's matches (ctwatch rescan): entries re-read from a log and judged again, stored
// without moving the log's position. `verified`: the entries were checked against a signed
// root, so their findings go straight to `findings` (a rescan that could not verify stores
// nothing).
struct RescanBatch {
  Sha256Hash log_id{};
  std::vector<MatchedEntry> matches;
};

// One (name, certificate) pair of the name index, for `ctwatch audit exposure`.
struct NameCertificate {
  std::string name;             // as the certificate writes it (lower case)
  Sha256Hash identity{};
  std::string issuer_dn;
  std::optional<Sha256Hash> issuer_key_hash;
  int64_t not_before_ms = 0;
  int64_t not_after_ms = 0;
  int64_t first_seen_ms = 0;    // earliest log timestamp of the certificate (or first stored)
  int64_t last_seen_ms = 0;     // latest log timestamp
};

// A certificate whose issuance verdict may still change, with its judged sightings (those
// with a verdict or a detail), for reconciliation (src/issuance/reconciler.h).
struct IssuanceCandidate {
  CertificateRecord certificate;
  std::vector<Sighting> sightings;
  int64_t first_seen_ms = 0;    // earliest log timestamp of any sighting of it
};

// A new verdict for every judged sighting of one certificate (never for 'expected' ones:
// that verdict is final). With `finding` (foreign) the finding is raised once per certificate:
// straight into `findings` when a sighting is verified, else pending with the sighting. With
// `resolve_note`, open or acknowledged foreign_issuance findings of the certificate (pending
// ones too) are resolved with that note.
struct IssuanceUpdate {
  Sha256Hash identity{};
  std::string verdict;
  std::string detail;
  std::optional<FindingDraft> finding;
  std::string resolve_note;
  int64_t now_ms = 0;
};

struct IssuanceUpdateResult {
  size_t sightings = 0;   // sightings whose verdict changed
  size_t raised = 0;      // findings added (pending or not)
  size_t resolved = 0;    // findings resolved (pending ones included)
};

struct CertificateQuery {
  // Exact name, "*.domain" (names below) or ".domain" (the domain and all below); empty = all.
  std::string name;
  size_t limit = 1000;
};

struct FindingQuery {
  std::string kind;   // empty = all kinds
  size_t limit = 1000;
};

}  // namespace ctwatch
