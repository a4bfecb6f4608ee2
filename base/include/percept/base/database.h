// One SQL connection, to an embedded SQLite file or to a PostgreSQL server (docs/storage.md,
// "Backends"). Every statement is prepared and its parameters bound; nothing is ever spliced
// into SQL text. The driver types stay in sqlite_database.cc and postgres_database.cc.
//
// SQL is written once, in the subset both engines share, with `?` or `?N` parameters (the
// PostgreSQL backend numbers them `$N`). Where the engines differ, the caller asks backend().
//
// A Database is used by one thread at a time; share data between threads through separate
// connections.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "percept/base/status.h"

namespace percept {

enum class Backend { kSqlite, kPostgres };

// What a backend's prepared statement does; Statement is its handle.
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void Bind(int index, std::string_view text) = 0;
  virtual void Bind(int index, int64_t value) = 0;
  virtual void Bind(int index, double value) = 0;
  virtual void BindBlob(int index, const void* data, size_t size) = 0;
  virtual void BindNull(int index) = 0;
  // True with a row; false when done, with `*status` set on an error.
  virtual bool Step(Status* status) = 0;
  virtual void Reset() = 0;
  virtual int64_t Int(int column) const = 0;
  virtual double Double(int column) const = 0;
  virtual std::string_view TextView(int column) const = 0;
  virtual std::string_view BlobView(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
};

class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementImpl> impl) : impl_(std::move(impl)) {}
  Statement(Statement&& other) noexcept = default;
  Statement& operator=(Statement&& other) noexcept = default;
  Statement(const Statement&) = delete;
  ~Statement() = default;

  // Binds parameter `index` (1-based).
  Statement& Bind(int index, std::string_view text) {
    impl_->Bind(index, text);
    return *this;
  }
  Statement& Bind(int index, int64_t value) {
    impl_->Bind(index, value);
    return *this;
  }
  Statement& Bind(int index, double value) {
    impl_->Bind(index, value);
    return *this;
  }
  Statement& BindBlob(int index, const void* data, size_t size) {
    impl_->BindBlob(index, data, size);
    return *this;
  }
  Statement& BindNull(int index) {
    impl_->BindNull(index);
    return *this;
  }

  // Steps once: true with a row, false when done. Errors become a Status in status().
  bool Step() { return impl_->Step(&status_); }
  // Runs to completion; the Status of the last step.
  Status Run();
  const Status& status() const { return status_; }
  // Clears bindings and rewinds, keeping the prepared statement for reuse.
  void Reset() {
    impl_->Reset();
    status_ = Status::Ok();
  }

  int64_t Int(int column) const { return impl_->Int(column); }
  double Double(int column) const { return impl_->Double(column); }
  std::string Text(int column) const { return std::string(TextView(column)); }
  std::string_view TextView(int column) const {  // valid until the next Step/Reset
    return impl_->TextView(column);
  }
  std::string Blob(int column) const { return std::string(BlobView(column)); }
  std::string_view BlobView(int column) const {  // valid until the next Step/Reset
    return impl_->BlobView(column);
  }
  bool IsNull(int column) const { return impl_->IsNull(column); }

 private:
  std::unique_ptr<StatementImpl> impl_;
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

class SqliteOnly;

class Database {
 public:
  // `target` is a file path (or ":memory:") for SQLite, creating the file when asked; or a
  // postgresql://USER@HOST:PORT/DB URL (libpq's connection URI; `create` is ignored: the
  // database must exist). SQLite gets WAL, synchronous=FULL, foreign keys on and a busy
  // timeout, so that a second process (an admin command while the server runs) waits.
  static Result<std::unique_ptr<Database>> Open(const std::string& target, bool create);
  // Whether `target` names a PostgreSQL server rather than a file.
  static bool IsPostgresUrl(std::string_view target);
  virtual ~Database() = default;

  virtual Backend backend() const = 0;
  virtual Status Exec(const std::string& sql) = 0;  // fixed SQL without parameters only
  virtual Result<Statement> Prepare(std::string_view sql) = 0;
  // A statement whose rows are read one at a time as they come, in flat memory, from one
  // snapshot (a long export). On PostgreSQL nothing else may run on this connection until it
  // has been stepped to its end or Reset; SQLite always reads so.
  virtual Result<Statement> PrepareStreaming(std::string_view sql) { return Prepare(sql); }
  // Rows changed by the last INSERT, UPDATE or DELETE run.
  virtual int64_t Changes() const = 0;
  // The schema version: SQLite's user_version; a one-row table on PostgreSQL.
  virtual int UserVersion() = 0;
  virtual Status SetUserVersion(int version) = 0;
  // Opens a write transaction (SQLite's BEGIN IMMEDIATE takes the write lock at once, so that
  // two writers never deadlock upgrading); Transaction calls it.
  virtual Status BeginWrite() = 0;
  // What only SQLite can do; null on PostgreSQL. What both share stays above.
  virtual SqliteOnly* sqlite() { return nullptr; }
};

// The operations of SQLite that PostgreSQL has no counterpart for: reached through
// Database::sqlite(), so that a caller says in its code that it needs SQLite.
class SqliteOnly {
 public:
  virtual ~SqliteOnly() = default;
  // A deterministic SQL function NAME(a, b) of two blobs: `fn` returns the result, or nullopt
  // for an SQL error. Per connection.
  using BlobFunction = std::optional<std::string> (*)(std::string_view a, std::string_view b);
  virtual Status DefineBlobFunction(const char* name, BlobFunction fn) = 0;
  // Copies this whole database into `path` with the online backup API, from one snapshot.
  virtual Status BackupTo(const std::string& path) = 0;
};

// Opens a write transaction; rolled back when not committed.
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
