#include "percept/mobile/offline_queue.h"

#include "percept/base/database.h"

namespace percept {

Result<std::unique_ptr<OfflineQueue>> OfflineQueue::Open(const std::string& path) {
  auto db = Database::Open(path, /*create=*/true);
  if (!db.ok())
    return Status::Internal("cannot open the queue " + path + ": " + db.status().message());
  std::unique_ptr<OfflineQueue> q(new OfflineQueue(std::move(db).value()));
  for (const char* sql :
       {"CREATE TABLE IF NOT EXISTS interviews ("
        "  id INTEGER PRIMARY KEY,"
        "  instance_id TEXT NOT NULL UNIQUE,"
        "  body TEXT NOT NULL,"
        "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'rejected')),"
        "  reason TEXT,"
        "  settled_at TEXT)",
        "CREATE INDEX IF NOT EXISTS interviews_by_state ON interviews (state, id)"}) {
    Status s = q->db_->Exec(sql);
    if (!s.ok()) return s;
  }
  return q;
}

OfflineQueue::OfflineQueue(std::unique_ptr<Database> db) : db_(std::move(db)) {}
OfflineQueue::~OfflineQueue() = default;

Status OfflineQueue::Add(const std::vector<std::pair<std::string, std::string>>& items) {
  Transaction tx(db_.get());
  if (!tx.status().ok()) return tx.status();
  auto st = db_->Prepare("INSERT INTO interviews (instance_id, body) VALUES (?, ?)");
  if (!st.ok()) return st.status();
  for (const auto& [instance_id, body] : items) {
    st->Reset();
    Status s = st->Bind(1, instance_id).Bind(2, body).Run();
    if (!s.ok()) return s;
  }
  return tx.Commit();
}

Result<std::vector<QueuedInterview>> OfflineQueue::Pending(int limit) {
  auto st = db_->Prepare(
      "SELECT id, instance_id, body FROM interviews WHERE state = 'pending' ORDER BY id LIMIT ?");
  if (!st.ok()) return st.status();
  st->Bind(1, int64_t{limit});
  std::vector<QueuedInterview> out;
  while (st->Step()) out.push_back({st->Int(0), st->Text(1), st->Text(2)});
  if (!st->status().ok()) return st->status();
  return out;
}

Status OfflineQueue::Settle(const std::vector<int64_t>& sent,
                            const std::vector<std::pair<int64_t, std::string>>& rejected) {
  Transaction tx(db_.get());
  if (!tx.status().ok()) return tx.status();
  auto ok = db_->Prepare(
      "UPDATE interviews SET state = 'sent', settled_at = datetime('now') WHERE id = ?");
  if (!ok.ok()) return ok.status();
  auto bad = db_->Prepare(
      "UPDATE interviews SET state = 'rejected', reason = ?, settled_at = datetime('now') "
      "WHERE id = ?");
  if (!bad.ok()) return bad.status();
  for (int64_t id : sent) {
    ok->Reset();
    Status s = ok->Bind(1, id).Run();
    if (!s.ok()) return s;
  }
  for (const auto& [id, reason] : rejected) {
    bad->Reset();
    Status s = bad->Bind(1, reason).Bind(2, id).Run();
    if (!s.ok()) return s;
  }
  return tx.Commit();
}

Result<QueueCounts> OfflineQueue::Counts() {
  auto st = db_->Prepare("SELECT state, count(*) FROM interviews GROUP BY state");
  if (!st.ok()) return st.status();
  QueueCounts c;
  while (st->Step()) {
    const std::string state = st->Text(0);
    (state == "pending" ? c.pending : state == "sent" ? c.sent : c.rejected) = st->Int(1);
  }
  if (!st->status().ok()) return st->status();
  return c;
}

Result<std::vector<std::pair<std::string, std::string>>> OfflineQueue::Rejected() {
  auto st = db_->Prepare(
      "SELECT instance_id, reason FROM interviews WHERE state = 'rejected' ORDER BY id");
  if (!st.ok()) return st.status();
  std::vector<std::pair<std::string, std::string>> out;
  while (st->Step()) out.push_back({st->Text(0), st->Text(1)});
  if (!st->status().ok()) return st->status();
  return out;
}

}  // namespace percept
