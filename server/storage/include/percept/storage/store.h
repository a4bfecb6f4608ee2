// One connection to Percept's database (SQLite or PostgreSQL): the schema and its migrations,
// the statement cache, read snapshots, small named values, and the dialect. What is kept is read
// and written by entity, each in a file of its own over a Store (institution_records.h,
// token_records.h, submission_records.h, review_records.h, answer_records.h, audit_records.h,
// the aggregates' files); docs/storage.md explains the tables and why they are shaped so.
//
// A Store owns one connection and is used by one thread at a time. The server keeps one Store
// for its writer thread and a small pool of Stores for readers (WAL lets them run together).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "percept/base/database.h"
#include "percept/base/status.h"
#include "percept/institutions.h"
#include "percept/storage/dialect.h"
#include "percept/storage/roles.h"
#include "percept/storage/schema.h"
#include "percept/submission.h"

namespace percept {

class Store {
 public:
  // Opens the database file (`create` allows a new one), or the PostgreSQL database of a
  // postgresql:// URL (docs/storage.md, "Backends"). Does not migrate: see Migrate().
  static Result<std::unique_ptr<Store>> Open(const std::string& path, bool create);

  // Brings the schema to kSchemaVersion; idempotent. Refuses a database newer than this build.
  Status Migrate();
  // Fails unless the schema is exactly kSchemaVersion (a server never migrates silently).
  Status CheckSchema();

  // Small named values (e.g. the aggregates generation); "" when unset.
  Result<std::string> GetMeta(const std::string& key);
  Status SetMeta(const std::string& key, const std::string& value);

  Database* db() { return db_.get(); }
  // What this database's engine spells differently and can do (dialect.h).
  const Dialect& dialect() const { return *dialect_; }
  // `sqlite`, or on PostgreSQL `postgres`: the one statement in each engine's words, where they
  // differ (docs/storage.md, "Backends"). Both must be constants (Cached keys on the text).
  const char* Sql(const char* sqlite, const char* postgres_sql) const {
    return dialect_->Pick(sqlite, postgres_sql);
  }
  // Runs `read` in one read-only transaction: every statement in it sees the same snapshot of
  // the database, however long it takes and whatever is written meanwhile.
  Status InSnapshot(const std::function<Status()>& read);
  // A statement that PostgreSQL cannot prepare (SAVEPOINT, ROLLBACK TO, RELEASE): cached on
  // SQLite, executed as text on PostgreSQL.
  Status RunUtility(const char* sql);

  // The statement for `sql`, prepared on first use and kept for this connection's life, reset
  // and with no bindings. `sql` must be a constant: the cache is keyed by its text.
  Result<Statement*> Cached(const char* sql);

 private:
  explicit Store(std::unique_ptr<Database> db)
      : db_(std::move(db)), dialect_(&DialectOf(db_->backend())) {}
  std::unique_ptr<Database> db_;
  const Dialect* dialect_;
  std::map<const char*, Statement> cache_;  // after db_: finalized before the connection closes
};

// Current UTC time as RFC 3339, e.g. 2026-11-22T20:43:19Z.
std::string NowRfc3339();

}  // namespace percept
