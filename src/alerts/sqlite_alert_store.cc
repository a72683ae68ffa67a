// SqliteAlertStore: AlertStore over the ctwatch SQLite database (schema/003_alerts.sql).
// Thread-safety: every public method locks mu_ (one connection).
#include <openssl/rand.h>

#include <algorithm>
#include <mutex>

#include "alerts/alert_store.h"
#include "core/encoding.h"
#include "store/sqlite.h"

namespace ctwatch {
namespace {

// Columns 0..24 of a finding with its log, certificate and mute, read by ReadFinding; then
// the FROM clause (kFindingJoins) after the tables that name `f`.
constexpr const char* kFindingColumns =
    "f.id, f.kind, f.severity, f.identity, f.names, f.log_id, f.entry_index, f.detail,"
    " f.dedup_key, f.state, f.created_at, l.description, l.url, c.identity, c.subject_dn,"
    " c.issuer_dn, c.serial, c.not_before, c.not_after, c.spki_sha256, c.issuer_key_hash,"
    " c.names, COALESCE(s.cert_sha256, (SELECT s2.cert_sha256 FROM sightings s2"
    "   WHERE s2.identity = f.identity ORDER BY s2.entry_type = 'cert' DESC LIMIT 1)),"
    " COALESCE(s.entry_type, CASE WHEN c.cert_der IS NOT NULL THEN 'cert' ELSE 'precert' END),"
    " m.reason";
constexpr const char* kFindingJoins =
    " LEFT JOIN logs l ON l.log_id = f.log_id"
    " LEFT JOIN certificates c ON c.identity = f.identity"
    " LEFT JOIN sightings s ON s.log_id = f.log_id AND s.entry_index = f.entry_index"
    " LEFT JOIN alert_muted_certificates m ON m.identity = f.identity";

// One finding by id.
const std::string kFindingById = std::string("SELECT ") + kFindingColumns + " FROM findings f" +
                                 kFindingJoins + " WHERE f.id = ?";
// The oldest outbox rows with their findings (column 25: the outbox's finding id; the finding
// columns are NULL when the finding is gone).
const std::string kOutboxBatch = std::string("SELECT ") + kFindingColumns +
                                 ", o.finding_id FROM alert_outbox o"
                                 " LEFT JOIN findings f ON f.id = o.finding_id" +
                                 kFindingJoins +
                                 " WHERE o.finding_id > ? ORDER BY o.finding_id LIMIT ?";
// The findings a message carries.
const std::string kMessageFindings =
    std::string("SELECT ") + kFindingColumns +
    " FROM alert_deliveries d JOIN findings f ON f.id = d.finding_id" + kFindingJoins +
    " WHERE d.message_id = ? ORDER BY f.id";

AlertFinding ReadFinding(const Statement& st, std::string* muted_reason) {
  AlertFinding a;
  StoredFinding& f = a.stored;
  f.id = st.Int(0);
  f.finding.kind = st.Text(1);
  f.finding.severity = ParseSeverity(st.Text(2)).value_or(Severity::kInfo);
  f.finding.identity = st.Hash(3);
  f.finding.names = StringListFromJson(st.Text(4));
  f.log_id = st.Hash(5);
  if (!st.IsNull(6)) f.index = static_cast<uint64_t>(st.Int(6));
  f.finding.detail = st.Text(7);
  f.finding.dedup_key = st.Text(8);
  f.state = st.Text(9);
  f.created_ms = st.Int(10);
  a.log_description = st.Text(11);
  a.log_url = st.Text(12);
  if (!st.IsNull(13)) {
    CertificateDetails c;
    c.identity = st.Hash(13).value_or(Sha256Hash{});
    c.subject_dn = st.Text(14);
    c.issuer_dn = st.Text(15);
    c.serial_hex = st.Text(16);
    c.not_before_ms = st.Int(17);
    c.not_after_ms = st.Int(18);
    c.spki_sha256 = st.Hash(19).value_or(Sha256Hash{});
    c.issuer_key_hash = st.Hash(20);
    c.names = StringListFromJson(st.Text(21));
    c.cert_sha256 = st.Hash(22);
    c.entry_type = st.Text(23);
    a.certificate = std::move(c);
  }
  if (muted_reason != nullptr) *muted_reason = st.Text(24);
  return a;
}

class SqliteAlertStore final : public AlertStore {
 public:
  explicit SqliteAlertStore(Database db) : db_(std::move(db)) {}

  Result<size_t> FanOut(size_t limit, int64_t now_ms, const FanOutDecider& decide) override {
    std::lock_guard lock(mu_);
    // Read the batch first (short read statements) and decide outside any transaction: the write
    // lock (which the ingestion writer needs too) is then held only for the inserts.
    std::vector<SuppressionRule> rules;
    std::vector<std::pair<int64_t, std::optional<OutboxItem>>> items;
    CTW_RETURN_IF_ERROR(ReadOutbox(limit, now_ms, &rules, &items));
    if (items.empty()) return size_t{0};
    std::vector<std::vector<FanOutTarget>> targets;
    for (const auto& [id, item] : items) {
      targets.push_back(item.has_value() ? decide(*item, rules) : std::vector<FanOutTarget>());
    }
    CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
    CTW_ASSIGN_OR_RETURN(Statement done,
                         db_.Prepare("DELETE FROM alert_outbox WHERE finding_id = ?"));
    CTW_ASSIGN_OR_RETURN(Statement state, db_.Prepare("SELECT state FROM findings WHERE id = ?"));
    CTW_ASSIGN_OR_RETURN(
        Statement insert,
        db_.Prepare("INSERT INTO alert_deliveries (finding_id, sink, state, note, created_at)"
                    " VALUES (?, ?, ?, ?, ?)"));
    CTW_ASSIGN_OR_RETURN(Statement mute,
                         db_.Prepare("INSERT OR IGNORE INTO alert_muted_certificates (identity, "
                                     "reason, finding_id, created_at)"
                                     " VALUES (?, ?, ?, ?)"));
    for (size_t i = 0; i < items.size(); ++i) {
      const int64_t id = items[i].first;
      // Deleting first makes the fan-out of a row happen once, whoever else looks.
      done.Bind(1, id);
      CTW_RETURN_IF_ERROR(done.Run());
      if (db_.Changes() == 0) continue;
      // Acknowledged since it was read: whatever was decided stays quiet.
      state.Bind(1, id);
      CTW_ASSIGN_OR_RETURN(bool row, state.Step());
      const std::string now_state = row ? state.Text(0) : "open";
      state.Reset();
      for (const FanOutTarget& t : targets[i]) {
        const bool quiet = t.suppressed || now_state != "open";
        const std::string note = t.suppressed ? t.note : quiet ? "finding " + now_state : "";
        insert.Bind(1, id)
            .Bind(2, t.sink)
            .Bind(3, std::string_view(quiet ? "suppressed" : "queued"))
            .Bind(4, note)
            .Bind(5, now_ms);
        CTW_RETURN_IF_ERROR(insert.Run());
        const std::optional<Sha256Hash>& identity =
            items[i].second->finding.stored.finding.identity;
        if (t.mute_certificate && identity.has_value()) {
          mute.Bind(1, *identity).Bind(2, t.note).Bind(3, id).Bind(4, now_ms);
          CTW_RETURN_IF_ERROR(mute.Run());
        }
      }
    }
    CTW_RETURN_IF_ERROR(tx.Commit());
    return items.size();
  }

  Result<std::vector<QueuedDelivery>> QueuedDeliveries(const std::string& sink,
                                                       size_t limit) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st,
                         db_.Prepare("SELECT id, finding_id, created_at FROM alert_deliveries"
                                     " WHERE sink = ? AND state = 'queued' ORDER BY id LIMIT ?"));
    st.Bind(1, sink).Bind(2, static_cast<int64_t>(limit));
    std::vector<QueuedDelivery> out;
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back({.delivery_id = st.Int(0), .finding_id = st.Int(1), .created_ms = st.Int(2)});
    }
    return out;
  }

  Result<std::vector<int64_t>> CreateMessages(
      const std::vector<NewMessage>& messages, int64_t now_ms,
      const std::optional<std::pair<std::string, std::string>>& state) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
    CTW_ASSIGN_OR_RETURN(
        Statement insert,
        db_.Prepare(
            "INSERT INTO alert_messages (sink, idempotency_key, kind, next_attempt_at, give_up_at,"
            " payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    CTW_ASSIGN_OR_RETURN(Statement assign,
                         db_.Prepare("UPDATE alert_deliveries SET state = 'sent', message_id = ?"
                                     " WHERE id = ? AND state = 'queued'"));
    std::vector<int64_t> ids;
    for (const NewMessage& m : messages) {
      insert.Bind(1, m.sink)
          .Bind(2, NewIdempotencyKey())
          .Bind(3, std::string_view(MessageKindName(m.kind)))
          .Bind(4, now_ms)
          .Bind(5, m.give_up_at_ms);
      if (m.payload.empty()) {
        insert.BindNull(6);
      } else {
        insert.Bind(6, m.payload);
      }
      insert.Bind(7, now_ms);
      CTW_RETURN_IF_ERROR(insert.Run());
      insert.Reset();
      const int64_t id = db_.LastInsertRowId();
      for (int64_t d : m.delivery_ids) {
        assign.Bind(1, id).Bind(2, d);
        CTW_RETURN_IF_ERROR(assign.Run());
        assign.Reset();
      }
      ids.push_back(id);
    }
    if (state.has_value()) CTW_RETURN_IF_ERROR(PutState(state->first, state->second));
    CTW_RETURN_IF_ERROR(tx.Commit());
    return ids;
  }

  Result<std::vector<OutgoingMessage>> DueMessages(const std::string& sink, int64_t now_ms,
                                                   size_t limit, size_t max_findings) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(
        Statement st,
        db_.Prepare(
            "SELECT id, idempotency_key, kind, attempts, created_at, give_up_at, payload"
            " FROM alert_messages WHERE sink = ? AND state = 'pending' AND next_attempt_at <= ?"
            " ORDER BY next_attempt_at, id LIMIT ?"));
    st.Bind(1, sink).Bind(2, now_ms).Bind(3, static_cast<int64_t>(limit));
    std::vector<OutgoingMessage> out;
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      OutgoingMessage m;
      m.id = st.Int(0);
      m.sink = sink;
      m.idempotency_key = st.Text(1);
      m.kind = ParseMessageKind(st.Text(2)).value_or(MessageKind::kFinding);
      m.attempts = static_cast<int>(st.Int(3));
      m.created_ms = st.Int(4);
      m.give_up_at_ms = st.Int(5);
      m.payload = st.Text(6);
      out.push_back(std::move(m));
    }
    CTW_ASSIGN_OR_RETURN(Statement items, db_.Prepare(kMessageFindings));
    size_t findings = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (i > 0 && findings >= max_findings) {
        out.resize(i);  // the rest next time
        break;
      }
      items.Bind(1, out[i].id);
      for (;;) {
        CTW_ASSIGN_OR_RETURN(bool row, items.Step());
        if (!row) break;
        out[i].findings.push_back(ReadFinding(items, nullptr));
      }
      items.Reset();
      findings += out[i].findings.size();
    }
    return out;
  }

  Result<std::optional<int64_t>> NextAttemptAt(const std::string& sink) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st,
                         db_.Prepare("SELECT MIN(next_attempt_at) FROM alert_messages WHERE sink = "
                                     "? AND state = 'pending'"));
    st.Bind(1, sink);
    CTW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row || st.IsNull(0)) return std::optional<int64_t>();
    return std::optional<int64_t>(st.Int(0));
  }

  Status MarkDelivered(const std::vector<int64_t>& message_ids, int64_t now_ms) override {
    if (message_ids.empty()) return OkStatus();
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
    CTW_ASSIGN_OR_RETURN(
        Statement st,
        db_.Prepare("UPDATE alert_messages SET state = 'delivered', attempts = attempts + 1,"
                    " delivered_at = ?, last_error = NULL WHERE id = ?"));
    for (int64_t id : message_ids) {
      st.Bind(1, now_ms).Bind(2, id);
      CTW_RETURN_IF_ERROR(st.Run());
    }
    return tx.Commit();
  }

  Status MarkRetry(int64_t message_id, int64_t next_attempt_ms, const std::string& error) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(
        Statement st,
        db_.Prepare(
            "UPDATE alert_messages SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?"
            " WHERE id = ?"));
    st.Bind(1, next_attempt_ms)
        .Bind(2, std::string_view(error).substr(0, 1000))
        .Bind(3, message_id);
    return st.Run();
  }

  Status MarkFailed(int64_t message_id, const std::string& error, const FindingDraft& f,
                    int64_t now_ms) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
    CTW_ASSIGN_OR_RETURN(
        Statement st,
        db_.Prepare(
            "UPDATE alert_messages SET state = 'failed', attempts = attempts + 1, last_error = ?"
            " WHERE id = ?"));
    st.Bind(1, std::string_view(error).substr(0, 1000)).Bind(2, message_id);
    CTW_RETURN_IF_ERROR(st.Run());
    CTW_ASSIGN_OR_RETURN(
        Statement add,
        db_.Prepare(
            "INSERT OR IGNORE INTO findings (kind, severity, names, detail, dedup_key, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"));
    add.Bind(1, f.kind)
        .Bind(2, std::string_view(SeverityName(f.severity)))
        .Bind(3, StringListToJson(f.names))
        .Bind(4, f.detail)
        .Bind(5, f.dedup_key)
        .Bind(6, now_ms);
    CTW_RETURN_IF_ERROR(add.Run());
    return tx.Commit();
  }

  Result<std::optional<Bytes>> CertificateDer(const Sha256Hash& identity) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(
        Statement st,
        db_.Prepare("SELECT COALESCE(cert_der, precert_der) FROM certificates WHERE identity = ?"));
    st.Bind(1, identity);
    CTW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row || st.IsNull(0)) return std::optional<Bytes>();
    return std::optional<Bytes>(st.Blob(0));
  }

  Result<std::optional<std::pair<Bytes, Bytes>>> MalformedEntry(const Sha256Hash& log_id,
                                                                uint64_t index) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st,
                         db_.Prepare("SELECT leaf_input, extra_data FROM malformed_entries WHERE "
                                     "log_id = ? AND entry_index = ?"));
    st.Bind(1, log_id).Bind(2, static_cast<int64_t>(index));
    CTW_ASSIGN_OR_RETURN(bool row, st.Step());
    using Entry = std::pair<Bytes, Bytes>;
    if (!row) return std::optional<Entry>();
    return std::optional<Entry>(Entry(st.Blob(0), st.Blob(1)));
  }

  Result<bool> SetFindingState(int64_t finding_id, const std::string& state,
                               const std::string& note, int64_t now_ms) override {
    if (state != "acknowledged" && state != "resolved") {
      return MakeError(ErrorCode::kInvalidArgument, "unknown finding state " + state);
    }
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
    CTW_ASSIGN_OR_RETURN(Statement get,
                         db_.Prepare("SELECT state, identity FROM findings WHERE id = ?"));
    get.Bind(1, finding_id);
    CTW_ASSIGN_OR_RETURN(bool row, get.Step());
    if (!row) return false;
    const std::string current = get.Text(0);
    const std::optional<Sha256Hash> identity = get.Hash(1);
    if (current == "resolved" && state == "acknowledged") {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "finding " + std::to_string(finding_id) + " is already resolved");
    }
    CTW_ASSIGN_OR_RETURN(Statement set, db_.Prepare("UPDATE findings SET state = ? WHERE id = ?"));
    set.Bind(1, state).Bind(2, finding_id);
    CTW_RETURN_IF_ERROR(set.Run());
    const std::string reason = state + (note.empty() ? "" : ": " + note);
    if (identity.has_value()) {
      CTW_ASSIGN_OR_RETURN(
          Statement mute,
          db_.Prepare(
              "INSERT OR IGNORE INTO alert_muted_certificates (identity, reason, finding_id,"
              " created_at) VALUES (?, ?, ?, ?)"));
      mute.Bind(1, *identity).Bind(2, reason).Bind(3, finding_id).Bind(4, now_ms);
      CTW_RETURN_IF_ERROR(mute.Run());
    }
    CTW_ASSIGN_OR_RETURN(Statement quiet,
                         db_.Prepare("UPDATE alert_deliveries SET state = 'suppressed', note = ?"
                                     " WHERE finding_id = ? AND state = 'queued'"));
    quiet.Bind(1, "finding " + reason).Bind(2, finding_id);
    CTW_RETURN_IF_ERROR(quiet.Run());
    CTW_RETURN_IF_ERROR(tx.Commit());
    return true;
  }

  Result<std::optional<AlertFinding>> GetFinding(int64_t finding_id) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(std::optional<OutboxItem> item, LoadItem(finding_id));
    if (!item.has_value()) return std::optional<AlertFinding>();
    return std::optional<AlertFinding>(std::move(item->finding));
  }

  Result<int64_t> AddSuppression(const SuppressionRule& r) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(
        Statement st,
        db_.Prepare("INSERT INTO alert_suppressions (match, value, reason, created_at, expires_at)"
                    " VALUES (?, ?, ?, ?, ?)"));
    st.Bind(1, std::string_view(SuppressionMatchName(r.match)))
        .Bind(2, r.value)
        .Bind(3, r.reason)
        .Bind(4, r.created_ms)
        .Bind(5, r.expires_ms);
    CTW_RETURN_IF_ERROR(st.Run());
    return db_.LastInsertRowId();
  }

  Result<std::vector<SuppressionRule>> ListSuppressions() override {
    std::lock_guard lock(mu_);
    return LoadSuppressions();
  }

  Result<bool> RemoveSuppression(int64_t id) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare("DELETE FROM alert_suppressions WHERE id = ?"));
    st.Bind(1, id);
    CTW_RETURN_IF_ERROR(st.Run());
    return db_.Changes() > 0;
  }

  Result<std::optional<std::string>> GetState(const std::string& key) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT value FROM alert_state WHERE key = ?"));
    st.Bind(1, key);
    CTW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(st.Text(0));
  }

  Status SetState(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mu_);
    return PutState(key, value);
  }

  Result<std::map<std::string, SinkQueueStats>> QueueStats() override {
    std::lock_guard lock(mu_);
    std::map<std::string, SinkQueueStats> out;
    CTW_ASSIGN_OR_RETURN(
        Statement d,
        db_.Prepare("SELECT sink, state, COUNT(*) FROM alert_deliveries WHERE state != 'sent'"
                    " GROUP BY sink, state"));
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, d.Step());
      if (!row) break;
      SinkQueueStats& s = out[d.Text(0)];
      (d.Text(1) == "queued" ? s.queued : s.suppressed) = d.Int(2);
    }
    CTW_ASSIGN_OR_RETURN(Statement m, db_.Prepare("SELECT sink, state, COUNT(*), MIN(created_at) "
                                                  "FROM alert_messages GROUP BY sink, state"));
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, m.Step());
      if (!row) break;
      SinkQueueStats& s = out[m.Text(0)];
      const std::string state = m.Text(1);
      if (state == "pending") {
        s.pending = m.Int(2);
        s.oldest_pending_ms = m.Int(3);
      } else if (state == "delivered") {
        s.delivered = m.Int(2);
      } else {
        s.failed = m.Int(2);
      }
    }
    CTW_ASSIGN_OR_RETURN(
        Statement e,
        db_.Prepare("SELECT last_error FROM alert_messages WHERE sink = ? AND state = 'pending'"
                    " AND last_error IS NOT NULL ORDER BY id LIMIT 1"));
    for (auto& [sink, s] : out) {
      if (s.pending == 0) continue;
      e.Bind(1, sink);
      CTW_ASSIGN_OR_RETURN(bool row, e.Step());
      if (row) s.last_error = e.Text(0);
      e.Reset();
    }
    return out;
  }

  Result<int64_t> OutboxSize() override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT COUNT(*) FROM alert_outbox"));
    CTW_ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : 0;
  }

  Result<std::map<std::string, int64_t>> FindingCountsSince(int64_t since_ms) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(
        Statement st,
        db_.Prepare("SELECT severity, kind, COUNT(*) FROM findings WHERE created_at >= ?"
                    " GROUP BY severity, kind"));
    st.Bind(1, since_ms);
    std::map<std::string, int64_t> out;
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out[st.Text(0) + " " + st.Text(1)] = st.Int(2);
    }
    return out;
  }

 private:
  // Callers hold mu_.

  // Reads in statements of at most kReadChunk rows: each is its own short read snapshot (a
  // long-lived reader keeps the ingestion writer's checkpoints from completing).
  Status ReadOutbox(size_t limit, int64_t now_ms, std::vector<SuppressionRule>* rules,
                    std::vector<std::pair<int64_t, std::optional<OutboxItem>>>* items) {
    constexpr size_t kReadChunk = 250;
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(kOutboxBatch));
    int64_t after = 0;
    while (items->size() < limit) {
      const size_t chunk = std::min(kReadChunk, limit - items->size());
      st.Bind(1, after).Bind(2, static_cast<int64_t>(chunk));
      size_t rows = 0;
      for (;; ++rows) {
        CTW_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        const int64_t id = st.Int(25);
        after = id;
        if (st.IsNull(0)) {
          items->emplace_back(id, std::nullopt);
          continue;
        }
        OutboxItem item;
        item.finding = ReadFinding(st, &item.muted_reason);
        items->emplace_back(id, std::move(item));
      }
      st.Reset();
      if (rows < chunk) break;
    }
    if (items->empty()) return OkStatus();
    CTW_ASSIGN_OR_RETURN(std::vector<SuppressionRule> all, LoadSuppressions());
    for (SuppressionRule& r : all) {
      if (!r.expires_ms.has_value() || *r.expires_ms > now_ms) rules->push_back(std::move(r));
    }
    return OkStatus();
  }

  Result<std::optional<OutboxItem>> LoadItem(int64_t finding_id) {
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(kFindingById));
    st.Bind(1, finding_id);
    CTW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<OutboxItem>();
    OutboxItem item;
    item.finding = ReadFinding(st, &item.muted_reason);
    return std::optional<OutboxItem>(std::move(item));
  }

  Result<std::vector<SuppressionRule>> LoadSuppressions() {
    CTW_ASSIGN_OR_RETURN(
        Statement st,
        db_.Prepare(
            "SELECT id, match, value, reason, created_at, expires_at FROM alert_suppressions"
            " ORDER BY id"));
    std::vector<SuppressionRule> out;
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::optional<SuppressionMatch> match = ParseSuppressionMatch(st.Text(1));
      if (!match.has_value()) continue;
      SuppressionRule r{.id = st.Int(0),
                        .match = *match,
                        .value = st.Text(2),
                        .reason = st.Text(3),
                        .created_ms = st.Int(4)};
      if (!st.IsNull(5)) r.expires_ms = st.Int(5);
      out.push_back(std::move(r));
    }
    return out;
  }

  Status PutState(const std::string& key, const std::string& value) {
    CTW_ASSIGN_OR_RETURN(Statement st,
                         db_.Prepare("INSERT INTO alert_state (key, value) VALUES (?, ?)"
                                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    st.Bind(1, key).Bind(2, value);
    return st.Run();
  }

  std::mutex mu_;
  Database db_;  // GUARDED_BY(mu_)
};

}  // namespace

std::string NewIdempotencyKey() {
  uint8_t random[16];
  if (RAND_bytes(random, sizeof(random)) != 1) {
    // The CSPRNG failing is a broken invariant: keys must never repeat.
    std::abort();
  }
  return "ctw-" + HexEncode(ByteView(random, sizeof(random)));
}

Result<std::unique_ptr<AlertStore>> OpenSqliteAlertStore(const std::string& path,
                                                         int busy_timeout_ms) {
  CTW_ASSIGN_OR_RETURN(Database db, Database::Open(path, false, busy_timeout_ms));
  // As the ingestion writer: WAL commits survive a killed process without an fsync each.
  CTW_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = NORMAL"));
  CTW_ASSIGN_OR_RETURN(
      Statement check,
      db.Prepare(
          "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'alert_outbox'"));
  CTW_ASSIGN_OR_RETURN(bool row, check.Step());
  if (!row || check.Int(0) == 0) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     path + " has no alert tables (open it with the store first to migrate)");
  }
  return std::unique_ptr<AlertStore>(new SqliteAlertStore(std::move(db)));
}

}  // namespace ctwatch
