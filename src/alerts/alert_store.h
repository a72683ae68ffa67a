// AlertStore: the persistence of alert delivery (schema/003_alerts.sql): outbox fan-out,
// deliveries, messages with their retry state, suppression rules, muted certificates and the
// finding lifecycle. Every method that changes more than one row does so in one transaction,
// which is what makes delivery survive a SIGKILL at any moment. SqliteAlertStore opens its own
// connection to the ctwatch database, beside the ingestion writer's (WAL: readers never block
// it, writers take turns).
// Thread-safety: every method may be called from any thread (one connection, one mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alerts/alert_model.h"
#include "alerts/filter.h"
#include "core/result.h"

namespace ctwatch {

// Where one finding goes: a sink, and whether the delivery is suppressed (with why).
struct FanOutTarget {
  std::string sink;
  bool suppressed = false;
  std::string note;
  bool mute_certificate = false;  // the certificate never alerts again (a rule suppressed it)
};

struct OutboxItem {
  AlertFinding finding;
  std::string muted_reason;  // non-empty when the finding's certificate is muted
};

using FanOutDecider = std::function<std::vector<FanOutTarget>(
    const OutboxItem& item, const std::vector<SuppressionRule>& active_rules)>;

struct QueuedDelivery {
  int64_t delivery_id = 0;
  int64_t finding_id = 0;
  int64_t created_ms = 0;
};

struct NewMessage {
  std::string sink;
  MessageKind kind = MessageKind::kFinding;
  std::vector<int64_t> delivery_ids;  // queued deliveries this message carries
  std::string payload;                // summary / test text
  int64_t give_up_at_ms = 0;
};

struct SinkQueueStats {
  int64_t queued = 0;   // deliveries waiting for a message
  int64_t pending = 0;  // messages not yet delivered
  int64_t delivered = 0;
  int64_t failed = 0;
  int64_t suppressed = 0;
  std::optional<int64_t> oldest_pending_ms;
  std::string last_error;  // of the oldest pending message that failed an attempt
};

class AlertStore {
 public:
  virtual ~AlertStore() = default;

  // Takes up to `limit` outbox rows (oldest first) and asks `decide` for each (reading from a
  // snapshot, outside the write lock); then deletes the outbox rows, writes the deliveries and
  // mutes certificates as asked, in one transaction. A finding acknowledged in between gets
  // suppressed deliveries. Returns how many outbox rows were processed.
  virtual Result<size_t> FanOut(size_t limit, int64_t now_ms, const FanOutDecider& decide) = 0;

  // Queued deliveries of a sink, oldest first.
  virtual Result<std::vector<QueuedDelivery>> QueuedDeliveries(const std::string& sink,
                                                               size_t limit) = 0;
  // Writes the messages (each with a fresh idempotency key, due now) and assigns their
  // deliveries, in one transaction; `state` (key, value) is written in it too when given.
  // Returns the new message ids in order.
  virtual Result<std::vector<int64_t>> CreateMessages(
      const std::vector<NewMessage>& messages, int64_t now_ms,
      const std::optional<std::pair<std::string, std::string>>& state = std::nullopt) = 0;
  // Pending messages of `sink` due at `now_ms`, oldest first, with their findings: at most
  // `limit` messages, and no more once they carry `max_findings` findings (at least one).
  virtual Result<std::vector<OutgoingMessage>> DueMessages(const std::string& sink, int64_t now_ms,
                                                           size_t limit,
                                                           size_t max_findings = 2000) = 0;
  // When the next pending message of `sink` is due (nullopt: none pending).
  virtual Result<std::optional<int64_t>> NextAttemptAt(const std::string& sink) = 0;
  // Records delivered messages (one transaction for all).
  virtual Status MarkDelivered(const std::vector<int64_t>& message_ids, int64_t now_ms) = 0;
  // Records a failed attempt; the message is tried again at `next_attempt_ms`.
  virtual Status MarkRetry(int64_t message_id, int64_t next_attempt_ms,
                           const std::string& error) = 0;
  // Gives the message up and records `finding` (delivery_failed) in the same transaction.
  virtual Status MarkFailed(int64_t message_id, const std::string& error,
                            const FindingDraft& finding, int64_t now_ms) = 0;

  // Details for hooks.
  virtual Result<std::optional<Bytes>> CertificateDer(const Sha256Hash& identity) = 0;
  // (leaf_input, extra_data) of a malformed entry.
  virtual Result<std::optional<std::pair<Bytes, Bytes>>> MalformedEntry(const Sha256Hash& log_id,
                                                                        uint64_t index) = 0;

  // Finding lifecycle. `state` is "acknowledged" or "resolved"; an acknowledged or resolved
  // finding mutes its certificate and its queued deliveries are suppressed. Returns false
  // when there is no such finding. Resolved findings cannot be acknowledged again.
  virtual Result<bool> SetFindingState(int64_t finding_id, const std::string& state,
                                       const std::string& note, int64_t now_ms) = 0;
  virtual Result<std::optional<AlertFinding>> GetFinding(int64_t finding_id) = 0;

  virtual Result<int64_t> AddSuppression(const SuppressionRule& rule) = 0;
  virtual Result<std::vector<SuppressionRule>> ListSuppressions() = 0;
  virtual Result<bool> RemoveSuppression(int64_t id) = 0;

  virtual Result<std::optional<std::string>> GetState(const std::string& key) = 0;
  virtual Status SetState(const std::string& key, const std::string& value) = 0;

  // Per sink (including sinks no longer configured), and the outbox backlog.
  virtual Result<std::map<std::string, SinkQueueStats>> QueueStats() = 0;
  virtual Result<int64_t> OutboxSize() = 0;
  // Findings created since `since_ms`, counted by "severity kind".
  virtual Result<std::map<std::string, int64_t>> FindingCountsSince(int64_t since_ms) = 0;
};

// Opens a read-write connection to an existing, migrated ctwatch database.
Result<std::unique_ptr<AlertStore>> OpenSqliteAlertStore(const std::string& path,
                                                         int busy_timeout_ms = 10'000);

// A fresh random idempotency key: "ctw-" and 32 hex digits.
std::string NewIdempotencyKey();

}  // namespace ctwatch
