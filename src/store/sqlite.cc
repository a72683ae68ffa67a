#include "store/sqlite.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <utility>

namespace ctwatch {
namespace {

Error SqliteError(sqlite3* db, std::string_view what) {
  return MakeError(ErrorCode::kIo, std::string(what) + ": " +
                                       (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_error_(other.bind_error_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, ByteView blob) {
  // A zero-length blob must still be a blob, not NULL.
  static const uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : blob.data();
  const int rc = sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_error_ != SQLITE_OK) {
    return MakeError(ErrorCode::kInternal, std::string("bind failed: ") + sqlite3_errstr(bind_error_) +
                                               " in " + sqlite3_sql(stmt_));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, sqlite3_sql(stmt_));
}

Status Statement::Run() {
  for (;;) {
    CTW_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  Reset();
  return OkStatus();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
}

int Statement::ParameterCount() const { return sqlite3_bind_parameter_count(stmt_); }

bool Statement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p),
                                    static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

Bytes Statement::Blob(int column) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? Bytes() : Bytes(p, p + n);
}

std::optional<Sha256Hash> Statement::Hash(int column) const {
  if (sqlite3_column_type(stmt_, column) != SQLITE_BLOB || sqlite3_column_bytes(stmt_, column) != 32) {
    return std::nullopt;
  }
  Sha256Hash h;
  std::memcpy(h.data(), sqlite3_column_blob(stmt_, column), 32);
  return h;
}

Result<Database> Database::Open(const std::string& path, bool read_only, int busy_timeout_ms) {
  Database db;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = SqliteError(db.db_, "cannot open database " + path);
    return e;
  }
  sqlite3_busy_timeout(db.db_, busy_timeout_ms);
  sqlite3_extended_result_codes(db.db_, 1);
  return db;
}

Database::~Database() { sqlite3_close_v2(db_); }
Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "prepare " + std::string(sql));
  }
  return Statement(db_, stmt);
}

Status Database::Exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string m = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    return MakeError(ErrorCode::kIo, m + " in: " + text.substr(0, 200));
  }
  return OkStatus();
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }

Result<Transaction> Transaction::Begin(Database* db) {
  CTW_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  CTW_RETURN_IF_ERROR(db_->Exec("COMMIT"));
  db_ = nullptr;
  return OkStatus();
}

std::string StringListToJson(const std::vector<std::string>& values) {
  return nlohmann::json(values).dump();
}

std::vector<std::string> StringListFromJson(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace ctwatch
