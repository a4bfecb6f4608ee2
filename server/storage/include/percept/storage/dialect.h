// What differs between SQLite and PostgreSQL, said once (docs/storage.md, "Backends"): the few
// words their statements spell differently, and what each engine's deployment can do. The rest
// of storage asks the dialect for what it needs — "may other servers write meanwhile?", "how is
// a JSON field read?" — never which engine it runs on.
#pragma once

#include <string>

#include "percept/base/database.h"

namespace percept {

struct Dialect {
  Backend backend;
  // Several servers may share this database (PostgreSQL): writes that must be ordered take an
  // advisory lock, the aggregate log is folded only once every server has read it, a writer
  // follows the others' log rows, rate limits are spent in a shared table, and reads that span
  // statements run in one snapshot.
  bool shared_by_servers;
  // Aggregate sums are added in SQL by a function of the connection (SQLite's percept_add);
  // otherwise each row is read, added to in C++ and written back.
  bool sums_in_sql;
  // SAVEPOINT, ROLLBACK TO and RELEASE can be prepared (and so cached) as statements.
  bool prepares_savepoints;
  // Opens a read-only transaction whose statements all see one snapshot.
  const char* begin_snapshot;
  // The position of a substring: NAME(haystack, needle), 0 when absent.
  const char* find_function;

  // The text of JSON field `path_parameter` (a bound parameter, e.g. "?1") of `column`, and
  // what to bind to that parameter for top-level field `field`.
  std::string JsonText(const std::string& column, const std::string& path_parameter) const;
  std::string JsonPath(const std::string& field) const;
  // `sqlite` or `postgres`: one statement in each engine's words, where they differ. Both must
  // be constants (Store::Cached keys on the text).
  const char* Pick(const char* sqlite, const char* postgres) const {
    return backend == Backend::kPostgres ? postgres : sqlite;
  }
};

// The dialect of `backend`.
const Dialect& DialectOf(Backend backend);

}  // namespace percept
