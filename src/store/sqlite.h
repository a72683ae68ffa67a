// Thin RAII wrappers over the SQLite C API: Database (a connection) and Statement (a prepared
// statement with typed binds and columns). Every error becomes a kIo Result naming the SQL.
// Thread-safety: a Database and its statements belong to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds by 1-based position; chainable.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, ByteView blob);
  Statement& Bind(int index, const Sha256Hash& hash) { return Bind(index, ByteView(hash)); }
  Statement& BindNull(int index);
  int ParameterCount() const;
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    return value.has_value() ? Bind(index, *value) : BindNull(index);
  }
  // NULL for an empty string.
  Statement& BindNonEmpty(int index, std::string_view text) {
    return text.empty() ? BindNull(index) : Bind(index, text);
  }

  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion (for statements that return no rows).
  Status Run();
  void Reset();

  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::optional<int64_t> OptionalInt(int column) const {  // nullopt for NULL
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }
  std::string Text(int column) const;
  Bytes Blob(int column) const;
  std::optional<Sha256Hash> Hash(int column) const;  // nullopt unless a 32-byte blob

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = SQLITE_OK;
};

class Database {
 public:
  static Result<Database> Open(const std::string& path, bool read_only, int busy_timeout_ms);
  Database() = default;
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Result<Statement> Prepare(std::string_view sql);
  Status Exec(std::string_view sql);  // one or more statements, no results
  int64_t LastInsertRowId() const;
  int Changes() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  static Result<Transaction> Begin(Database* db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

// A list of strings as a TEXT column keeps it: a JSON array. A value that is not one reads as
// empty (non-string members are skipped).
std::string StringListToJson(const std::vector<std::string>& values);
std::vector<std::string> StringListFromJson(const std::string& text);

}  // namespace ctwatch
