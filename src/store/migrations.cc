#include "store/migrations.h"

#include <string>

namespace ctwatch {

Status ApplyMigrations(Database* db, const std::vector<Migration>& migrations) {
  CTW_RETURN_IF_ERROR(db->Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
  int64_t applied = 0;
  {  // finalized before the migrations run: an open read would lock the tables they drop
    CTW_ASSIGN_OR_RETURN(Statement current,
                         db->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    CTW_ASSIGN_OR_RETURN(bool row, current.Step());
    if (row) applied = current.Int(0);
  }
  const int64_t newest = migrations.empty() ? 0 : migrations.back().version;
  if (applied > newest) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "database schema version " + std::to_string(applied) +
                         " is newer than this ctwatch (" + std::to_string(newest) + ")");
  }
  for (const Migration& m : migrations) {
    if (m.version <= applied) continue;
    CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
    {
      // Another process opening the same new database (`ctwatch run` and a CLI command started
      // together) may have applied it while this one waited for the write lock.
      CTW_ASSIGN_OR_RETURN(Statement again,
                           db->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
      CTW_ASSIGN_OR_RETURN(bool row, again.Step());
      if (row && again.Int(0) >= m.version) continue;  // the transaction rolls back, unused
    }
    Status s = db->Exec(m.sql);
    if (!s.has_value()) return s.error().WithContext("migration " + std::string(m.name));
    CTW_ASSIGN_OR_RETURN(Statement record, db->Prepare(
        "INSERT INTO schema_migrations (version, name, applied_at) "
        "VALUES (?, ?, CAST(strftime('%s','now') AS INTEGER) * 1000)"));
    record.Bind(1, int64_t{m.version}).Bind(2, m.name);
    CTW_RETURN_IF_ERROR(record.Run());
    CTW_RETURN_IF_ERROR(tx.Commit());
  }
  return OkStatus();
}

}  // namespace ctwatch
