// A thin RAII wrapper over one SQLite connection. Every statement is prepared and its
// parameters bound; nothing is ever spliced into SQL text. sqlite3 types stay in database.cc.
//
// A Database is used by one thread at a time (SQLite's "multi-thread" mode); share data
// between threads through separate connections to the same file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "percept/base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace percept {

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  ~Statement();

  // Binds parameter `index` (1-based).
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& BindBlob(int index, const void* data, size_t size);
  Statement& BindNull(int index);

  // Steps once: true with a row, false when done. Errors become a Status in status().
  bool Step();
  // Runs to completion; the Status of the last step.
  Status Run();
  const Status& status() const { return status_; }
  // Clears bindings and rewinds, keeping the prepared statement for reuse.
  void Reset();

  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  std::string_view TextView(int column) const;  // valid until the next Step/Reset
  std::string Blob(int column) const;
  std::string_view BlobView(int column) const;  // valid until the next Step/Reset
  bool IsNull(int column) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
  Status status_;
};

// Resets a statement when the scope ends, so that a cached SELECT read only in part does not
// hold its read snapshot (which would keep WAL checkpoints from completing).
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& s) : s_(s) {}
  ~ResetOnExit() { s_.Reset(); }

 private:
  Statement& s_;
};

class Database {
 public:
  // Opens (creating when asked) the file at `path`, or ":memory:". Sets WAL, synchronous=FULL,
  // foreign keys on and a busy timeout so that a second process (an admin command while the
  // server runs) waits instead of failing.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, bool create);
  ~Database();

  Status Exec(const std::string& sql);  // for fixed SQL without parameters only
  Result<Statement> Prepare(std::string_view sql);
  int64_t Changes() const;
  int64_t LastInsertRowId() const;
  // user_version, where the schema version lives.
  int UserVersion();
  Status SetUserVersion(int version);
  // Defines a deterministic SQL function NAME(a, b) of two blobs: `fn` returns the result, or
  // nullopt for an SQL error. Per connection, like every SQLite function.
  using BlobFunction = std::optional<std::string> (*)(std::string_view a, std::string_view b);
  Status DefineBlobFunction(const char* name, BlobFunction fn);
  // Copies this whole database into `path` with SQLite's online backup API.
  Status BackupTo(const std::string& path);

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when not committed.
class Transaction {
 public:
  explicit Transaction(Database* db);
  ~Transaction();
  const Status& status() const { return status_; }
  Status Commit();

 private:
  Database* db_;
  Status status_;
  bool open_ = false;
};

}  // namespace percept
