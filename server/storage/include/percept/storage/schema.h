// The database schema, as the ordered list of migrations that build it. docs/storage.md
// explains the tables. Public because store.h, which runs the migrations, names it.
#pragma once

namespace percept {

inline constexpr int kSchemaVersion = 10;

// The SQL that takes the schema from `version` to `version + 1`; nullptr past the last.
// Never edit a published step: add one.
const char* MigrationFrom(int version);

// PostgreSQL (docs/storage.md, "Backends") started at schema 4: the SQL that takes an empty
// database to `*to` (from 0), or the schema from `version` to `*to`; nullptr past the last.
const char* PostgresMigrationFrom(int version, int* to);

}  // namespace percept
