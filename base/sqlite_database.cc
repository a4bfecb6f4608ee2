// The SQLite backend of database.h: one connection to a file, in SQLite's multi-thread mode.
#include <sqlite3.h>

#include "percept/base/database.h"

namespace percept {

namespace {

Status SqlError(sqlite3* db, const std::string& what) {
  return Status::Internal(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

class SqliteStatement : public StatementImpl {
 public:
  SqliteStatement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void Bind(int index, std::string_view text) override {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int index, int64_t value) override { sqlite3_bind_int64(stmt_, index, value); }
  void Bind(int index, double value) override { sqlite3_bind_double(stmt_, index, value); }
  void BindBlob(int index, const void* data, size_t size) override {
    if (size == 0) {
      sqlite3_bind_zeroblob(stmt_, index, 0);  // an empty blob, not NULL
    } else {
      sqlite3_bind_blob(stmt_, index, data, static_cast<int>(size), SQLITE_TRANSIENT);
    }
  }
  void BindNull(int index) override { sqlite3_bind_null(stmt_, index); }

  bool Step(Status* status) override {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) {
      *status = rc == SQLITE_CONSTRAINT ? Status::Conflict(sqlite3_errmsg(db_))
                                        : SqlError(db_, "sqlite step");
    }
    return false;
  }
  void Reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double Double(int column) const override { return sqlite3_column_double(stmt_, column); }
  std::string_view TextView(int column) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string_view(p, sqlite3_column_bytes(stmt_, column)) : std::string_view();
  }
  std::string_view BlobView(int column) const override {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return p ? std::string_view(p, sqlite3_column_bytes(stmt_, column)) : std::string_view();
  }
  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
};

void CallBlobFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto fn = reinterpret_cast<SqliteOnly::BlobFunction>(sqlite3_user_data(ctx));
  auto view = [](sqlite3_value* v) {
    const auto* p = static_cast<const char*>(sqlite3_value_blob(v));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_value_bytes(v)))
             : std::string_view();
  };
  const std::optional<std::string> out = fn(view(argv[0]), view(argv[1]));
  if (!out) return sqlite3_result_error(ctx, "a blob function got arguments it cannot take", -1);
  sqlite3_result_blob(ctx, out->data(), static_cast<int>(out->size()), SQLITE_TRANSIENT);
}

class SqliteDatabase : public Database, public SqliteOnly {
 public:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  ~SqliteDatabase() override { sqlite3_close_v2(db_); }

  Backend backend() const override { return Backend::kSqlite; }

  Status Exec(const std::string& sql) override {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return Status::Internal("sqlite: " + msg);
    }
    return Status::Ok();
  }

  Result<Statement> Prepare(std::string_view sql) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      return SqlError(db_, "prepare");
    }
    return Statement(std::make_unique<SqliteStatement>(stmt, db_));
  }

  int64_t Changes() const override { return sqlite3_changes64(db_); }

  int UserVersion() override {
    auto st = Prepare("PRAGMA user_version");
    if (!st.ok() || !st->Step()) return -1;
    return static_cast<int>(st->Int(0));
  }
  Status SetUserVersion(int version) override {
    // PRAGMA takes no bound parameters; `version` is an integer we own, never input.
    return Exec("PRAGMA user_version=" + std::to_string(version));
  }

  Status DefineBlobFunction(const char* name, BlobFunction fn) override {
    const int rc = sqlite3_create_function_v2(db_, name, 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                              reinterpret_cast<void*>(fn), CallBlobFunction,
                                              nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : Status::Internal(std::string("cannot define ") + name);
  }

  Status BackupTo(const std::string& path) override {
    sqlite3* dest = nullptr;
    if (sqlite3_open_v2(path.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      Status s = SqlError(dest, "open backup file " + path);
      sqlite3_close_v2(dest);
      return s;
    }
    sqlite3_backup* b = sqlite3_backup_init(dest, "main", db_, "main");
    if (!b) {
      Status s = SqlError(dest, "backup");
      sqlite3_close_v2(dest);
      return s;
    }
    int rc;
    // One step copies a single read snapshot. Under WAL the server's writer goes on meanwhile;
    // page-by-page steps would restart whenever another connection writes, maybe forever.
    while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      sqlite3_sleep(20);
    }
    sqlite3_backup_finish(b);
    Status s = rc == SQLITE_DONE ? Status::Ok() : SqlError(dest, "backup");
    sqlite3_close_v2(dest);
    return s;
  }

  Status BeginWrite() override { return Exec("BEGIN IMMEDIATE"); }
  SqliteOnly* sqlite() override { return this; }

 private:
  sqlite3* db_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, bool create) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  auto db = std::make_unique<SqliteDatabase>(raw);
  if (rc != SQLITE_OK) {
    return Status::Internal("cannot open database " + path + ": " +
                            (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 10000);
  sqlite3_extended_result_codes(raw, 0);
  // synchronous=FULL: an acknowledged submission survives a power cut, not only a crash.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                             "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY"}) {
    Status s = db->Exec(pragma);
    if (!s.ok()) return s;
  }
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace percept
