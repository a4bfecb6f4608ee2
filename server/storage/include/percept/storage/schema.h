// The database schema, as the ordered list of migrations that build it. docs/storage.md
// explains the tables. Public because store.h, which runs the migrations, names it.
#pragma once

namespace percept {

inline constexpr int kSchemaVersion = 4;

// The SQL that takes the schema from `version` to `version + 1`; nullptr past the last.
// Never edit a published step: add one.
const char* MigrationFrom(int version);

}  // namespace percept
