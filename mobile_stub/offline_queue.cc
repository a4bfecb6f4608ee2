#include "offline_queue.h"

#include <sqlite3.h>

namespace percept {

namespace {

// A prepared statement that finalizes itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) == SQLITE_OK;
  }
  ~Stmt() { sqlite3_finalize(st_); }
  bool ok() const { return ok_; }
  sqlite3_stmt* get() { return st_; }
  Status Error() const { return Status::Internal(std::string("queue: ") + sqlite3_errmsg(db_)); }
  void Text(int i, const std::string& s) {
    sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void Int(int i, int64_t v) { sqlite3_bind_int64(st_, i, v); }
  int Step() { return sqlite3_step(st_); }
  void Reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  bool ok_ = false;
};

std::string ColumnText(sqlite3_stmt* st, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
  return p ? std::string(p, sqlite3_column_bytes(st, i)) : std::string();
}

}  // namespace

Result<std::unique_ptr<OfflineQueue>> OfflineQueue::Open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::Internal("cannot open the queue " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<OfflineQueue> q(new OfflineQueue(db));
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
        "CREATE TABLE IF NOT EXISTS interviews ("
        "  id INTEGER PRIMARY KEY,"
        "  instance_id TEXT NOT NULL UNIQUE,"
        "  body TEXT NOT NULL,"
        "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'rejected')),"
        "  reason TEXT,"
        "  settled_at TEXT)",
        "CREATE INDEX IF NOT EXISTS interviews_by_state ON interviews (state, id)"}) {
    Status s = q->Exec(sql);
    if (!s.ok()) return s;
  }
  return q;
}

OfflineQueue::~OfflineQueue() { sqlite3_close(db_); }

Status OfflineQueue::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::Internal("queue: " + msg);
  }
  return Status::Ok();
}

Status OfflineQueue::Add(const std::vector<std::pair<std::string, std::string>>& items) {
  Status s = Exec("BEGIN IMMEDIATE");
  if (!s.ok()) return s;
  Stmt st(db_, "INSERT INTO interviews (instance_id, body) VALUES (?, ?)");
  if (!st.ok()) {
    (void)Exec("ROLLBACK");
    return st.Error();
  }
  for (const auto& [instance_id, body] : items) {
    st.Reset();
    st.Text(1, instance_id);
    st.Text(2, body);
    if (st.Step() != SQLITE_DONE) {
      Status e = st.Error();
      (void)Exec("ROLLBACK");
      return e;
    }
  }
  return Exec("COMMIT");
}

Result<std::vector<QueuedInterview>> OfflineQueue::Pending(int limit) {
  Stmt st(
      db_,
      "SELECT id, instance_id, body FROM interviews WHERE state = 'pending' ORDER BY id LIMIT ?");
  if (!st.ok()) return st.Error();
  st.Int(1, limit);
  std::vector<QueuedInterview> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    out.push_back(
        {sqlite3_column_int64(st.get(), 0), ColumnText(st.get(), 1), ColumnText(st.get(), 2)});
  }
  if (rc != SQLITE_DONE) return st.Error();
  return out;
}

Status OfflineQueue::Settle(const std::vector<int64_t>& sent,
                            const std::vector<std::pair<int64_t, std::string>>& rejected) {
  Status s = Exec("BEGIN IMMEDIATE");
  if (!s.ok()) return s;
  Stmt ok(db_, "UPDATE interviews SET state = 'sent', settled_at = datetime('now') WHERE id = ?");
  Stmt bad(db_,
           "UPDATE interviews SET state = 'rejected', reason = ?, settled_at = datetime('now') "
           "WHERE id = ?");
  if (!ok.ok() || !bad.ok()) {
    (void)Exec("ROLLBACK");
    return ok.ok() ? bad.Error() : ok.Error();
  }
  for (int64_t id : sent) {
    ok.Reset();
    ok.Int(1, id);
    if (ok.Step() != SQLITE_DONE) {
      Status e = ok.Error();
      (void)Exec("ROLLBACK");
      return e;
    }
  }
  for (const auto& [id, reason] : rejected) {
    bad.Reset();
    bad.Text(1, reason);
    bad.Int(2, id);
    if (bad.Step() != SQLITE_DONE) {
      Status e = bad.Error();
      (void)Exec("ROLLBACK");
      return e;
    }
  }
  return Exec("COMMIT");
}

Result<QueueCounts> OfflineQueue::Counts() {
  Stmt st(db_, "SELECT state, count(*) FROM interviews GROUP BY state");
  if (!st.ok()) return st.Error();
  QueueCounts c;
  while (st.Step() == SQLITE_ROW) {
    const std::string state = ColumnText(st.get(), 0);
    const int64_t n = sqlite3_column_int64(st.get(), 1);
    (state == "pending" ? c.pending : state == "sent" ? c.sent : c.rejected) = n;
  }
  return c;
}

Result<std::vector<std::pair<std::string, std::string>>> OfflineQueue::Rejected() {
  Stmt st(db_, "SELECT instance_id, reason FROM interviews WHERE state = 'rejected' ORDER BY id");
  if (!st.ok()) return st.Error();
  std::vector<std::pair<std::string, std::string>> out;
  while (st.Step() == SQLITE_ROW) out.push_back({ColumnText(st.get(), 0), ColumnText(st.get(), 1)});
  return out;
}

}  // namespace percept
