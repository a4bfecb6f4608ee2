#include "percept/storage/store.h"

#include <algorithm>
#include <ctime>

#include "percept/base/crypto.h"
#include "percept/base/utf8.h"
#include "percept/storage/aggregate_codec.h"

namespace percept {

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<Statement*> Store::Cached(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto st = db_->Prepare(sql);
    if (!st.ok()) return st.status();
    it = cache_.emplace(sql, std::move(st).value()).first;
  } else {
    it->second.Reset();
  }
  return &it->second;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, bool create) {
  auto db = Database::Open(path, create);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Store>(new Store(std::move(db).value()));
}

Status Store::RunUtility(const char* sql) {
  if (!dialect_->prepares_savepoints) return db_->Exec(sql);
  auto st = Cached(sql);
  return st.ok() ? (*st)->Run() : st.status();
}

Status Store::InSnapshot(const std::function<Status()>& read) {
  Status s = db_->Exec(dialect_->begin_snapshot);
  if (!s.ok()) return s;
  s = read();
  Status end = db_->Exec(s.ok() ? "COMMIT" : "ROLLBACK");
  return s.ok() ? end : s;
}

Status Store::Migrate() {
  int version = db_->UserVersion();
  if (version > kSchemaVersion) {
    return Status::Internal("the database has schema version " + std::to_string(version) +
                            ", newer than this percept (" + std::to_string(kSchemaVersion) + ")");
  }
  if (version == kSchemaVersion) return Status::Ok();
  if (dialect_->backend == Backend::kPostgres) {  // its own schema text (schema.h)
    // One step per transaction, under a lock that a second `percept init` waits for; the
    // version is read again under it.
    Status s;
    while (s.ok() && version < kSchemaVersion) {
      Transaction tx(db_.get());
      s = tx.status();
      if (s.ok()) s = db_->Exec("SELECT pg_advisory_xact_lock(7291)");  // "percept init"
      if (s.ok()) version = db_->UserVersion();
      if (!s.ok() || version >= kSchemaVersion) break;
      int to = 0;
      const char* sql = PostgresMigrationFrom(version, &to);
      if (!sql) return Status::Internal("no migration from schema " + std::to_string(version));
      s = db_->Exec(sql);
      if (s.ok()) s = db_->SetUserVersion(to);
      if (s.ok()) s = tx.Commit();
      if (!s.ok())
        s = Status::Internal("migration to schema " + std::to_string(to) + ": " + s.message());
      version = to;
    }
    return s;
  }
  // A migration may rebuild a table others refer to (SQLite's documented way to change a
  // constraint): foreign keys are off while migrating, and checked before each commit.
  Status s = db_->Exec("PRAGMA foreign_keys=OFF");
  while (s.ok() && version < kSchemaVersion) {
    Transaction tx(db_.get());
    s = tx.status();
    if (s.ok()) s = db_->Exec(MigrationFrom(version));
    if (s.ok()) s = db_->SetUserVersion(version + 1);
    if (s.ok()) {
      auto check = db_->Prepare("PRAGMA foreign_key_check");
      if (!check.ok()) {
        s = check.status();
      } else if (check->Step()) {
        s = Status::Internal("a foreign key would break (table " + check->Text(0) + ")");
      }
    }
    if (s.ok()) s = tx.Commit();
    if (!s.ok())
      s = Status::Internal("migration to schema " + std::to_string(version + 1) + ": " +
                           s.message());
    ++version;
  }
  Status on = db_->Exec("PRAGMA foreign_keys=ON");
  return s.ok() ? on : s;
}

Status Store::CheckSchema() {
  int version = db_->UserVersion();
  if (version == kSchemaVersion) return Status::Ok();
  return Status::Internal("the database has schema version " + std::to_string(version) +
                          ", this percept needs " + std::to_string(kSchemaVersion) +
                          ": run `percept init` first");
}

}  // namespace percept
