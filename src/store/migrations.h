// Schema migrations: the numbered files schema/NNN_name.sql, embedded into the binary at build
// time, applied in order at start, each in its own transaction, recorded in schema_migrations.
// A database newer than the binary is refused.
// Thread-safety: call once at start, before other connections write.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/sqlite.h"

namespace ctwatch {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The embedded migrations, sorted by version (generated from schema/*.sql).
const std::vector<Migration>& EmbeddedMigrations();

Status ApplyMigrations(Database* db, const std::vector<Migration>& migrations);

}  // namespace ctwatch
