// SqliteStore: the embedded Store. One read-write connection in WAL mode guarded by a mutex
// (SQLite has one writer anyway); CLI listings open their own read-only store.
// Thread-safety: every public method locks mu_.

#include <cctype>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/file.h"
#include "store/migrations.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace ctwatch {
namespace {

// "www.example.com" -> "com.example.www": names below a domain share a prefix.
std::string ReverseLabels(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  size_t end = name.size();
  while (true) {
    const size_t dot = name.rfind('.', end == 0 ? 0 : end - 1);
    if (dot == std::string_view::npos || end == 0) {
      out.append(name.substr(0, end));
      break;
    }
    out.append(name.substr(dot + 1, end - dot - 1));
    out.push_back('.');
    end = dot;
  }
  return out;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Database db) : db_(std::move(db)) {}

  Status RegisterLog(const LogRecord& log) override {
    std::lock_guard lock(mu_);
    return UpsertLog(log, std::nullopt);
  }

  Result<LogProgress> EnsureLog(const LogRecord& log, const LogProgress& start) override {
    std::lock_guard lock(mu_);
    CTW_RETURN_IF_ERROR(UpsertLog(log, start));
    return LoadProgress(log.log_id);
  }

  Result<std::optional<LogProgress>> GetLogProgress(const Sha256Hash& log_id) override {
    std::lock_guard lock(mu_);
    Result<LogProgress> p = LoadProgress(log_id);
    if (p.has_value()) return std::optional<LogProgress>(std::move(p).value());
    if (p.error().code == ErrorCode::kNotFound) return std::optional<LogProgress>();
    return p.error();
  }

  Status SetLogActive(const Sha256Hash& log_id, bool active) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare("UPDATE logs SET active = ? WHERE log_id = ?"));
    st.Bind(1, int64_t{active ? 1 : 0}).Bind(2, log_id);
    return st.Run();
  }

  Result<std::vector<LogStatus>> ListLogs() override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "SELECT log_id, description, api, url, list_state, active, position, compact_range,"
        " verified_size, verified_range, verified_root, head_size, head_timestamp, verified_at,"
        " last_success_at, last_error, last_error_at, started FROM logs ORDER BY description"));
    std::vector<LogStatus> out;
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      LogStatus s;
      s.log.log_id = st.Hash(0).value_or(Sha256Hash{});
      s.log.description = st.Text(1);
      s.log.api = st.Text(2);
      s.log.url = st.Text(3);
      s.log.list_state = st.Text(4);
      s.active = st.Int(5) != 0;
      s.progress.position = static_cast<uint64_t>(st.Int(6));
      s.progress.compact_range = st.Blob(7);
      s.progress.verified_size = static_cast<uint64_t>(st.Int(8));
      s.progress.verified_range = st.Blob(9);
      s.progress.verified_root = st.Hash(10);
      if (!st.IsNull(11)) s.head_size = static_cast<uint64_t>(st.Int(11));
      if (!st.IsNull(12)) s.head_timestamp_ms = st.Int(12);
      if (!st.IsNull(13)) s.verified_at_ms = st.Int(13);
      if (!st.IsNull(14)) s.last_success_ms = st.Int(14);
      s.last_error = st.Text(15);
      if (!st.IsNull(16)) s.last_error_ms = st.Int(16);
      s.started = st.Int(17) != 0;
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::optional<Sha256Hash>> RecordTreeHead(const Sha256Hash& log_id,
                                                   const TreeHeadRecord& head) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
    CTW_ASSIGN_OR_RETURN(Statement other, db_.Prepare(
        "SELECT root FROM tree_heads WHERE log_id = ? AND tree_size = ? AND root != ? LIMIT 1"));
    other.Bind(1, log_id).Bind(2, static_cast<int64_t>(head.tree_size)).Bind(3, head.root);
    CTW_ASSIGN_OR_RETURN(bool conflict, other.Step());
    std::optional<Sha256Hash> conflicting;
    if (conflict) conflicting = other.Hash(0);
    CTW_ASSIGN_OR_RETURN(Statement insert, db_.Prepare(
        "INSERT OR IGNORE INTO tree_heads (log_id, tree_size, root, timestamp, signature,"
        " first_seen_at) VALUES (?, ?, ?, ?, ?, ?)"));
    insert.Bind(1, log_id).Bind(2, static_cast<int64_t>(head.tree_size)).Bind(3, head.root)
        .Bind(4, static_cast<int64_t>(head.timestamp_ms)).Bind(5, ByteView(head.signature))
        .Bind(6, SystemClock::Get()->NowMs());
    CTW_RETURN_IF_ERROR(insert.Run());
    CTW_ASSIGN_OR_RETURN(Statement latest, db_.Prepare(
        "UPDATE logs SET head_size = ?2, head_timestamp = ?3, head_root = ?4, head_seen_at = ?5"
        " WHERE log_id = ?1 AND (head_size IS NULL OR head_size <= ?2)"));
    latest.Bind(1, log_id).Bind(2, static_cast<int64_t>(head.tree_size))
        .Bind(3, static_cast<int64_t>(head.timestamp_ms)).Bind(4, head.root)
        .Bind(5, SystemClock::Get()->NowMs());
    CTW_RETURN_IF_ERROR(latest.Run());
    CTW_RETURN_IF_ERROR(tx.Commit());
    return conflicting;
  }

  Status RecordLogSuccess(const Sha256Hash& log_id) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "UPDATE logs SET last_success_at = ?, last_error = NULL, last_error_at = NULL"
        " WHERE log_id = ?"));
    st.Bind(1, SystemClock::Get()->NowMs()).Bind(2, log_id);
    return st.Run();
  }

  Status RecordLogError(const Sha256Hash& log_id, const std::string& error) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "UPDATE logs SET last_error = ?, last_error_at = ? WHERE log_id = ?"));
    st.Bind(1, std::string_view(error).substr(0, 1000)).Bind(2, SystemClock::Get()->NowMs())
        .Bind(3, log_id);
    return st.Run();
  }

  Status CommitBatch(const IngestBatch& batch) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
    CTW_ASSIGN_OR_RETURN(LogProgress progress, LoadProgress(batch.log_id));
    if (progress.position != batch.start) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "batch starts at " + std::to_string(batch.start) + " but the log is at " +
                           std::to_string(progress.position));
    }
    const int64_t now = SystemClock::Get()->NowMs();
    for (const MatchedEntry& m : batch.matches) CTW_RETURN_IF_ERROR(InsertMatch(batch.log_id, m, now));
    for (const MalformedEntry& m : batch.malformed) {
      CTW_RETURN_IF_ERROR(InsertMalformed(batch.log_id, m));
    }
    CTW_ASSIGN_OR_RETURN(Statement advance, db_.Prepare(
        "UPDATE logs SET position = ?, compact_range = ?, last_success_at = ?, last_error = NULL,"
        " last_error_at = NULL WHERE log_id = ?"));
    advance.Bind(1, static_cast<int64_t>(batch.end)).Bind(2, ByteView(batch.compact_range))
        .Bind(3, now).Bind(4, batch.log_id);
    CTW_RETURN_IF_ERROR(advance.Run());
    if (batch.verified.has_value()) CTW_RETURN_IF_ERROR(MarkVerified(batch, now));
    return tx.Commit();
  }

  Status RollbackUnverified(const Sha256Hash& log_id) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
    CTW_ASSIGN_OR_RETURN(LogProgress progress, LoadProgress(log_id));
    const int64_t from = static_cast<int64_t>(progress.verified_size);
    for (const char* sql : {
             "DELETE FROM sightings WHERE log_id = ?1 AND entry_index >= ?2",
             "DELETE FROM malformed_entries WHERE log_id = ?1 AND entry_index >= ?2",
             "DELETE FROM pending_findings WHERE log_id = ?1 AND entry_index >= ?2",
             "UPDATE logs SET position = verified_size, compact_range = verified_range"
             " WHERE log_id = ?1",
             // Certificates seen only in the forgotten range go with it.
             "DELETE FROM certificate_names WHERE identity NOT IN (SELECT identity FROM sightings)",
             "DELETE FROM certificates WHERE identity NOT IN (SELECT identity FROM sightings)"}) {
      CTW_RETURN_IF_ERROR(RunWithParams(sql, log_id, from, 0));
    }
    return tx.Commit();
  }

  Result<bool> AddFinding(const FindingDraft& f, const std::optional<Sha256Hash>& log_id,
                          std::optional<uint64_t> index) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "INSERT OR IGNORE INTO findings (kind, severity, identity, names, log_id, entry_index,"
        " detail, dedup_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    std::optional<int64_t> idx;
    if (index.has_value()) idx = static_cast<int64_t>(*index);
    st.Bind(1, f.kind).Bind(2, std::string_view(SeverityName(f.severity))).Bind(3, f.identity)
        .Bind(4, StringListToJson(f.names)).Bind(5, log_id).Bind(6, idx).Bind(7, f.detail)
        .Bind(8, f.dedup_key).Bind(9, SystemClock::Get()->NowMs());
    CTW_RETURN_IF_ERROR(st.Run());
    return db_.Changes() > 0;
  }

  Result<std::vector<StoredCertificate>> ListCertificates(const CertificateQuery& q) override {
    std::lock_guard lock(mu_);
    std::string where;
    std::string lo, hi;
    std::string name = q.name;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!name.empty() && name.back() == '.') name.pop_back();
    if (!name.empty()) {
      bool below = false, self = true;
      if (name.rfind("*.", 0) == 0) {
        name = name.substr(2);
        below = true;
        self = false;
      } else if (name[0] == '.') {
        name = name.substr(1);
        below = true;
      }
      const std::string reversed = ReverseLabels(name);
      lo = reversed;
      hi = reversed;
      std::string cond;
      if (self) cond = "reversed_name = ?1";
      if (below) {
        lo = reversed + ".";
        hi = reversed + "/";  // '/' sorts right after '.'
        cond += std::string(cond.empty() ? "" : " OR ") + "(reversed_name > ?2 AND reversed_name < ?3)";
      }
      where = " WHERE identity IN (SELECT identity FROM certificate_names WHERE " + cond + ")";
    }
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        std::string("SELECT ") + kCertificateColumns +
        ", cert_der, precert_der, first_seen_at, san_names FROM certificates" + where +
        " ORDER BY first_seen_at, identity LIMIT ?4"));
    if (!name.empty()) st.Bind(1, ReverseLabels(name)).Bind(2, lo).Bind(3, hi);
    st.Bind(4, static_cast<int64_t>(q.limit));
    std::vector<StoredCertificate> out;
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      StoredCertificate c;
      CertificateRecord& r = c.certificate;
      ReadCertificateColumns(st, &r);
      c.has_final_certificate = !st.IsNull(10);
      r.der = c.has_final_certificate ? st.Blob(10) : st.Blob(11);
      r.entry_type = c.has_final_certificate ? "cert" : "precert";
      c.first_seen_ms = st.Int(12);
      r.san_names = StringListFromJson(st.Text(13));
      out.push_back(std::move(c));
    }
    for (StoredCertificate& c : out) CTW_RETURN_IF_ERROR(LoadSightings(&c));
    return out;
  }

  Result<size_t> CommitRescan(const RescanBatch& batch) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
    const int64_t now = SystemClock::Get()->NowMs();
    size_t added = 0;
    CTW_ASSIGN_OR_RETURN(Statement sighting, db_.Prepare(
        "INSERT OR IGNORE INTO sightings (log_id, entry_index, identity, entry_type, cert_sha256,"
        " timestamp, verified, verdict, verdict_detail, verdict_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)"));
    CTW_ASSIGN_OR_RETURN(Statement finding, db_.Prepare(
        "INSERT OR IGNORE INTO findings (kind, severity, identity, names, log_id, entry_index,"
        " detail, dedup_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const MatchedEntry& m : batch.matches) {
      const CertificateRecord& c = m.certificate;
      CTW_RETURN_IF_ERROR(UpsertCertificate(c, now));
      sighting.Bind(1, batch.log_id).Bind(2, static_cast<int64_t>(m.index)).Bind(3, c.identity)
          .Bind(4, c.entry_type).Bind(5, c.cert_sha256)
          .Bind(6, static_cast<int64_t>(m.timestamp_ms));
      BindVerdict(&sighting, 7, m, now);
      CTW_RETURN_IF_ERROR(sighting.Run());
      for (const FindingDraft& f : m.findings) {
        finding.Bind(1, f.kind).Bind(2, std::string_view(SeverityName(f.severity)))
            .Bind(3, f.identity).Bind(4, StringListToJson(f.names)).Bind(5, batch.log_id)
            .Bind(6, static_cast<int64_t>(m.index)).Bind(7, f.detail).Bind(8, f.dedup_key)
            .Bind(9, now);
        CTW_RETURN_IF_ERROR(finding.Run());
        added += static_cast<size_t>(db_.Changes());
      }
    }
    CTW_RETURN_IF_ERROR(tx.Commit());
    return added;
  }

  Result<std::vector<NameCertificate>> ListNamesUnder(const std::string& domain) override {
    std::lock_guard lock(mu_);
    std::string name = domain;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!name.empty() && name.back() == '.') name.pop_back();
    const std::string reversed = ReverseLabels(name);
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "SELECT n.reversed_name, c.identity, c.issuer_dn, c.issuer_key_hash, c.not_before,"
        " c.not_after,"
        " COALESCE((SELECT MIN(timestamp) FROM sightings s WHERE s.identity = c.identity),"
        "   c.first_seen_at),"
        " COALESCE((SELECT MAX(timestamp) FROM sightings s WHERE s.identity = c.identity),"
        "   c.first_seen_at)"
        " FROM certificate_names n JOIN certificates c ON c.identity = n.identity"
        " WHERE n.reversed_name = ?1 OR (n.reversed_name > ?2 AND n.reversed_name < ?3)"
        " ORDER BY n.reversed_name, c.not_before"));
    st.Bind(1, reversed).Bind(2, reversed + ".").Bind(3, reversed + "/");
    std::vector<NameCertificate> out;
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      NameCertificate n;
      n.name = ReverseLabels(st.Text(0));
      n.identity = st.Hash(1).value_or(Sha256Hash{});
      n.issuer_dn = st.Text(2);
      n.issuer_key_hash = st.Hash(3);
      n.not_before_ms = st.Int(4);
      n.not_after_ms = st.Int(5);
      n.first_seen_ms = st.Int(6);
      n.last_seen_ms = st.Int(7);
      out.push_back(std::move(n));
    }
    return out;
  }

  Result<std::vector<IssuanceCandidate>> ListIssuanceCandidates(bool include_foreign) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        std::string("SELECT ") + kCertificateColumns + ", san_names,"
        " (SELECT MIN(timestamp) FROM sightings a WHERE a.identity = c.identity)"
        " FROM certificates c WHERE c.identity IN (SELECT identity FROM sightings"
        "   WHERE verdict_detail IS NOT NULL AND (verdict IS NULL OR verdict != 'expected')"
        "   AND (?1 = 1 OR verdict IS NULL OR verdict != 'foreign'))"
        " ORDER BY c.first_seen_at, c.identity"));
    st.Bind(1, int64_t{include_foreign ? 1 : 0});
    std::vector<IssuanceCandidate> out;
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      IssuanceCandidate c;
      CertificateRecord& r = c.certificate;
      ReadCertificateColumns(st, &r);
      r.san_names = StringListFromJson(st.Text(10));
      c.first_seen_ms = st.Int(11);
      out.push_back(std::move(c));
    }
    for (IssuanceCandidate& c : out) {
      CTW_ASSIGN_OR_RETURN(c.sightings, LoadSightingsOf(c.certificate.identity, true));
    }
    return out;
  }

  Result<IssuanceUpdateResult> ApplyIssuanceUpdate(const IssuanceUpdate& u) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
    IssuanceUpdateResult result;
    CTW_ASSIGN_OR_RETURN(std::vector<Sighting> sightings, LoadSightingsOf(u.identity, true));
    CTW_ASSIGN_OR_RETURN(Statement set, db_.Prepare(
        "UPDATE sightings SET verdict = ?2, verdict_detail = ?3, verdict_at = ?4"
        " WHERE identity = ?1 AND verdict_detail IS NOT NULL"
        " AND (verdict IS NULL OR verdict != 'expected')"
        " AND (verdict IS NULL OR verdict != ?2 OR verdict_detail != ?3)"));
    set.Bind(1, u.identity).Bind(2, u.verdict).Bind(3, u.detail).Bind(4, u.now_ms);
    CTW_RETURN_IF_ERROR(set.Run());
    result.sightings = static_cast<size_t>(db_.Changes());
    if (u.finding.has_value()) {
      const FindingDraft& f = *u.finding;
      CTW_ASSIGN_OR_RETURN(Statement finding, db_.Prepare(
          "INSERT OR IGNORE INTO findings (kind, severity, identity, names, log_id, entry_index,"
          " detail, dedup_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
      for (const Sighting& s : sightings) {
        if (s.verdict == "expected") continue;
        if (!s.verified) {
          CTW_RETURN_IF_ERROR(InsertPending(s.log_id, s.index, f));
        } else {
          finding.Bind(1, f.kind).Bind(2, std::string_view(SeverityName(f.severity)))
              .Bind(3, f.identity).Bind(4, StringListToJson(f.names)).Bind(5, s.log_id)
              .Bind(6, static_cast<int64_t>(s.index)).Bind(7, f.detail).Bind(8, f.dedup_key)
              .Bind(9, u.now_ms);
          CTW_RETURN_IF_ERROR(finding.Run());
        }
        result.raised += static_cast<size_t>(db_.Changes());
      }
    }
    if (!u.resolve_note.empty()) {
      CTW_ASSIGN_OR_RETURN(Statement resolve, db_.Prepare(
          "UPDATE findings SET state = 'resolved', note = ?2, resolved_at = ?3"
          " WHERE kind = 'foreign_issuance' AND identity = ?1 AND state != 'resolved'"));
      resolve.Bind(1, u.identity).Bind(2, u.resolve_note).Bind(3, u.now_ms);
      CTW_RETURN_IF_ERROR(resolve.Run());
      result.resolved += static_cast<size_t>(db_.Changes());
      CTW_ASSIGN_OR_RETURN(Statement pending, db_.Prepare(
          "UPDATE pending_findings SET note = ?2"
          " WHERE kind = 'foreign_issuance' AND identity = ?1 AND note IS NULL"));
      pending.Bind(1, u.identity).Bind(2, u.resolve_note);
      CTW_RETURN_IF_ERROR(pending.Run());
      result.resolved += static_cast<size_t>(db_.Changes());
    }
    CTW_RETURN_IF_ERROR(tx.Commit());
    return result;
  }

  Result<std::optional<int64_t>> FirstSeenMs(const Sha256Hash& identity) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st,
                         db_.Prepare("SELECT MIN(timestamp) FROM sightings WHERE identity = ?"));
    st.Bind(1, identity);
    CTW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row || st.IsNull(0)) return std::optional<int64_t>();
    return std::optional<int64_t>(st.Int(0));
  }

  Result<std::vector<Sighting>> SightingsOf(const Sha256Hash& identity) override {
    std::lock_guard lock(mu_);
    return LoadSightingsOf(identity, false);
  }

  Result<std::vector<StoredFinding>> ListFindings(const FindingQuery& q) override {
    std::lock_guard lock(mu_);
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "SELECT id, kind, severity, identity, names, log_id, entry_index, detail, dedup_key,"
        " state, created_at, note FROM findings WHERE (?1 = '' OR kind = ?1) ORDER BY id"
        " LIMIT ?2"));
    st.Bind(1, q.kind).Bind(2, static_cast<int64_t>(q.limit));
    std::vector<StoredFinding> out;
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      StoredFinding f;
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
      f.note = st.Text(11);
      out.push_back(std::move(f));
    }
    return out;
  }

 private:
  // Callers hold mu_.

  // Runs `sql`, binding ?1 = log_id, ?2 = a, ?3 = b for as many parameters as it has.
  Status RunWithParams(const char* sql, const Sha256Hash& log_id, int64_t a, int64_t b) {
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(sql));
    const int n = st.ParameterCount();
    if (n >= 1) st.Bind(1, log_id);
    if (n >= 2) st.Bind(2, a);
    if (n >= 3) st.Bind(3, b);
    return st.Run();
  }

  // Inserts or updates a log row. With `start`, a log without a starting position gets it;
  // without, a new log is inserted as not started.
  Status UpsertLog(const LogRecord& log, const std::optional<LogProgress>& start) {
    const LogProgress p = start.value_or(LogProgress{});
    CTW_ASSIGN_OR_RETURN(Statement upsert, db_.Prepare(
        "INSERT INTO logs (log_id, description, api, url, list_state, active, position,"
        " compact_range, verified_size, verified_range, verified_root, created_at, started)"
        " VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        " ON CONFLICT (log_id) DO UPDATE SET description = ?2, api = ?3, url = ?4,"
        " list_state = ?5, active = 1,"
        " position = CASE WHEN started = 0 AND ?12 = 1 THEN ?6 ELSE position END,"
        " compact_range = CASE WHEN started = 0 AND ?12 = 1 THEN ?7 ELSE compact_range END,"
        " verified_size = CASE WHEN started = 0 AND ?12 = 1 THEN ?8 ELSE verified_size END,"
        " verified_range = CASE WHEN started = 0 AND ?12 = 1 THEN ?9 ELSE verified_range END,"
        " verified_root = CASE WHEN started = 0 AND ?12 = 1 THEN ?10 ELSE verified_root END,"
        " started = MAX(started, ?12)"));
    upsert.Bind(1, log.log_id).Bind(2, log.description).Bind(3, log.api).Bind(4, log.url)
        .Bind(5, log.list_state).Bind(6, static_cast<int64_t>(p.position))
        .Bind(7, ByteView(p.compact_range)).Bind(8, static_cast<int64_t>(p.verified_size))
        .Bind(9, ByteView(p.verified_range)).Bind(10, p.verified_root)
        .Bind(11, SystemClock::Get()->NowMs()).Bind(12, int64_t{start.has_value() ? 1 : 0});
    return upsert.Run();
  }

  // kNotFound for an unknown log and for one not started yet.
  Result<LogProgress> LoadProgress(const Sha256Hash& log_id) {
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "SELECT position, compact_range, verified_size, verified_range, verified_root FROM logs"
        " WHERE log_id = ? AND started = 1"));
    st.Bind(1, log_id);
    CTW_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return MakeError(ErrorCode::kNotFound, "unknown log " + HexEncode(log_id));
    LogProgress p;
    p.position = static_cast<uint64_t>(st.Int(0));
    p.compact_range = st.Blob(1);
    p.verified_size = static_cast<uint64_t>(st.Int(2));
    p.verified_range = st.Blob(3);
    p.verified_root = st.Hash(4);
    return p;
  }

  Status InsertMatch(const Sha256Hash& log_id, const MatchedEntry& m, int64_t now) {
    const CertificateRecord& c = m.certificate;
    CTW_RETURN_IF_ERROR(UpsertCertificate(c, now));
    CTW_ASSIGN_OR_RETURN(Statement sighting, db_.Prepare(
        "INSERT INTO sightings (log_id, entry_index, identity, entry_type, cert_sha256, timestamp,"
        " verdict, verdict_detail, verdict_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    sighting.Bind(1, log_id).Bind(2, static_cast<int64_t>(m.index)).Bind(3, c.identity)
        .Bind(4, c.entry_type).Bind(5, c.cert_sha256).Bind(6, static_cast<int64_t>(m.timestamp_ms));
    BindVerdict(&sighting, 7, m, now);
    CTW_RETURN_IF_ERROR(sighting.Run());
    for (const FindingDraft& f : m.findings) CTW_RETURN_IF_ERROR(InsertPending(log_id, m.index, f));
    return OkStatus();
  }

  // The certificate row (merged with what is stored) and its names in the name index.
  Status UpsertCertificate(const CertificateRecord& c, int64_t now) {
    const bool is_cert = c.entry_type == "cert";
    CTW_ASSIGN_OR_RETURN(Statement cert, db_.Prepare(
        "INSERT INTO certificates (identity, subject_dn, issuer_dn, serial, not_before, not_after,"
        " spki_sha256, issuer_key_hash, aki, names, cert_der, precert_der, first_seen_at,"
        " san_names) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        " ON CONFLICT (identity) DO UPDATE SET"
        " san_names = COALESCE(san_names, excluded.san_names),"
        " cert_der = COALESCE(cert_der, excluded.cert_der),"
        " precert_der = COALESCE(precert_der, excluded.precert_der),"
        " issuer_key_hash = COALESCE(issuer_key_hash, excluded.issuer_key_hash),"
        // The final certificate's rendering wins (a precert issued by a precert signing
        // certificate names that certificate as issuer).
        " issuer_dn = CASE WHEN excluded.cert_der IS NOT NULL AND cert_der IS NULL"
        "   THEN excluded.issuer_dn ELSE issuer_dn END"));
    cert.Bind(1, c.identity).Bind(2, c.subject_dn).Bind(3, c.issuer_dn).Bind(4, c.serial_hex)
        .Bind(5, c.not_before_ms).Bind(6, c.not_after_ms).Bind(7, c.spki_sha256)
        .Bind(8, c.issuer_key_hash).Bind(9, ByteView(c.authority_key_id)).Bind(10, StringListToJson(c.names))
        .Bind(13, now).Bind(14, StringListToJson(c.san_names));
    if (is_cert) {
      cert.Bind(11, ByteView(c.der)).BindNull(12);
    } else {
      cert.BindNull(11).Bind(12, ByteView(c.der));
    }
    CTW_RETURN_IF_ERROR(cert.Run());
    CTW_ASSIGN_OR_RETURN(Statement name, db_.Prepare(
        "INSERT OR IGNORE INTO certificate_names (reversed_name, identity) VALUES (?, ?)"));
    for (const std::string& n : c.names) {
      name.Bind(1, ReverseLabels(n)).Bind(2, c.identity);
      CTW_RETURN_IF_ERROR(name.Run());
    }
    return OkStatus();
  }

  Status InsertMalformed(const Sha256Hash& log_id, const MalformedEntry& m) {
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "INSERT INTO malformed_entries (log_id, entry_index, error, leaf_input, extra_data)"
        " VALUES (?, ?, ?, ?, ?)"));
    st.Bind(1, log_id).Bind(2, static_cast<int64_t>(m.index)).Bind(3, m.error)
        .Bind(4, ByteView(m.leaf_input)).Bind(5, ByteView(m.extra_data));
    CTW_RETURN_IF_ERROR(st.Run());
    return InsertPending(log_id, m.index, m.finding);
  }

  Status InsertPending(const Sha256Hash& log_id, uint64_t index, const FindingDraft& f) {
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "INSERT OR IGNORE INTO pending_findings (log_id, entry_index, kind, severity, identity,"
        " names, detail, dedup_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    st.Bind(1, log_id).Bind(2, static_cast<int64_t>(index)).Bind(3, f.kind)
        .Bind(4, std::string_view(SeverityName(f.severity))).Bind(5, f.identity)
        .Bind(6, StringListToJson(f.names)).Bind(7, f.detail).Bind(8, f.dedup_key);
    return st.Run();
  }

  // Everything of [0, batch.end) is now verified: promote sightings and pending findings.
  Status MarkVerified(const IngestBatch& batch, int64_t now) {
    const int64_t end = static_cast<int64_t>(batch.end);
    for (const char* sql : {
             "UPDATE sightings SET verified = 1 WHERE log_id = ?1 AND entry_index < ?2"
             " AND verified = 0",
             "UPDATE malformed_entries SET verified = 1 WHERE log_id = ?1 AND entry_index < ?2"
             " AND verified = 0",
             // A pending finding resolved meanwhile (it carries a note) arrives resolved.
             "INSERT OR IGNORE INTO findings (kind, severity, identity, names, log_id, entry_index,"
             " detail, dedup_key, created_at, state, note, resolved_at) SELECT kind, severity,"
             " identity, names, log_id, entry_index, detail, dedup_key, ?3,"
             " CASE WHEN note IS NULL THEN 'open' ELSE 'resolved' END, note,"
             " CASE WHEN note IS NULL THEN NULL ELSE ?3 END FROM pending_findings"
             " WHERE log_id = ?1 AND entry_index < ?2 ORDER BY entry_index",
             "DELETE FROM pending_findings WHERE log_id = ?1 AND entry_index < ?2"}) {
      CTW_RETURN_IF_ERROR(RunWithParams(sql, batch.log_id, end, now));
    }
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(
        "UPDATE logs SET verified_size = ?, verified_range = ?, verified_root = ?,"
        " verified_at = ? WHERE log_id = ?"));
    st.Bind(1, end).Bind(2, ByteView(batch.compact_range)).Bind(3, batch.verified->root)
        .Bind(4, now).Bind(5, batch.log_id);
    return st.Run();
  }

  Status LoadSightings(StoredCertificate* c) {
    CTW_ASSIGN_OR_RETURN(c->sightings, LoadSightingsOf(c->certificate.identity, false));
    for (const Sighting& s : c->sightings) {
      if (s.entry_type == c->certificate.entry_type && !c->certificate.cert_sha256) {
        c->certificate.cert_sha256 = s.cert_sha256;
      }
    }
    return OkStatus();
  }

  // The sightings of `identity` (only the judged ones with `judged_only`), oldest first.
  Result<std::vector<Sighting>> LoadSightingsOf(const Sha256Hash& identity, bool judged_only) {
    CTW_ASSIGN_OR_RETURN(Statement st, db_.Prepare(std::string(
        "SELECT s.log_id, l.description, s.entry_index, s.entry_type, s.cert_sha256, s.timestamp,"
        " s.verified, s.verdict, s.verdict_detail FROM sightings s"
        " LEFT JOIN logs l ON l.log_id = s.log_id WHERE s.identity = ?") +
        (judged_only ? " AND s.verdict_detail IS NOT NULL" : "") +
        " ORDER BY s.timestamp, l.description, s.entry_index"));
    st.Bind(1, identity);
    std::vector<Sighting> out;
    for (;;) {
      CTW_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      Sighting s;
      s.log_id = st.Hash(0).value_or(Sha256Hash{});
      s.log_description = st.Text(1);
      s.index = static_cast<uint64_t>(st.Int(2));
      s.entry_type = st.Text(3);
      s.cert_sha256 = st.Hash(4);
      s.timestamp_ms = static_cast<uint64_t>(st.Int(5));
      s.verified = st.Int(6) != 0;
      s.verdict = st.Text(7);
      s.verdict_detail = st.Text(8);
      out.push_back(std::move(s));
    }
    return out;
  }

  // The columns kCertificateColumns lists, at 0..9.
  static void ReadCertificateColumns(const Statement& st, CertificateRecord* r) {
    r->identity = st.Hash(0).value_or(Sha256Hash{});
    r->subject_dn = st.Text(1);
    r->issuer_dn = st.Text(2);
    r->serial_hex = st.Text(3);
    r->not_before_ms = st.Int(4);
    r->not_after_ms = st.Int(5);
    r->spki_sha256 = st.Hash(6).value_or(Sha256Hash{});
    r->issuer_key_hash = st.Hash(7);
    r->authority_key_id = st.Blob(8);
    r->names = StringListFromJson(st.Text(9));
  }
  static constexpr const char* kCertificateColumns =
      "identity, subject_dn, issuer_dn, serial, not_before, not_after, spki_sha256,"
      " issuer_key_hash, aki, names";

  // Binds verdict, verdict_detail and verdict_at of a match at `first` (NULLs for none).
  static void BindVerdict(Statement* st, int first, const MatchedEntry& m, int64_t now) {
    if (m.verdict.empty()) {
      st->BindNull(first);
    } else {
      st->Bind(first, m.verdict);
    }
    if (m.verdict_detail.empty()) {
      st->BindNull(first + 1).BindNull(first + 2);
    } else {
      st->Bind(first + 1, m.verdict_detail).Bind(first + 2, now);
    }
  }

  std::mutex mu_;
  Database db_;  // GUARDED_BY(mu_)
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options) {
  if (!options.read_only) {
    const auto parent = std::filesystem::path(options.path).parent_path();
    if (!parent.empty()) CTW_RETURN_IF_ERROR(MakeDirs(parent.string()));
  } else if (!FileExists(options.path)) {
    return MakeError(ErrorCode::kNotFound,
                     "no database at " + options.path + " (has `ctwatch run` been started?)");
  }
  CTW_ASSIGN_OR_RETURN(Database db,
                       Database::Open(options.path, options.read_only, options.busy_timeout_ms));
  if (!options.read_only) {
    // Switching a new database to WAL needs it exclusively, and SQLite answers "locked" at
    // once (no busy handler) while another connection does the same: retry for the busy
    // timeout. Once in WAL mode (persistent) this succeeds the first time.
    const auto give_up = std::chrono::steady_clock::now() +
                         std::chrono::milliseconds(options.busy_timeout_ms);
    for (;;) {
      Status wal = db.Exec("PRAGMA journal_mode = WAL");
      if (wal.has_value()) break;
      if (wal.error().message.find("locked") == std::string::npos ||
          std::chrono::steady_clock::now() >= give_up) {
        return wal.error();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CTW_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = NORMAL"));
    CTW_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
    CTW_RETURN_IF_ERROR(ApplyMigrations(&db, EmbeddedMigrations()));
  }
  return std::unique_ptr<Store>(new SqliteStore(std::move(db)));
}

}  // namespace ctwatch
