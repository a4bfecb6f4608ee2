// Store: the small records beside the interviews — meta values, published survey versions,
// browser sessions and the audit trail.
#include <algorithm>

#include "percept/storage/store.h"

namespace percept {

Result<std::string> Store::GetMeta(const std::string& key) {
  auto st = Cached("SELECT value FROM meta WHERE key = ?");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.Bind(1, key);
  if (q.Step()) return q.Text(0);
  if (!q.status().ok()) return q.status();
  return std::string();
}

Status Store::SetMeta(const std::string& key, const std::string& value) {
  auto st = Cached(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
      "excluded.value");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, key).Bind(2, value);
  return (*st)->Run();
}

Result<std::map<std::pair<std::string, int>, std::string>> Store::ListSurveyVersions() {
  auto st = db_->Prepare("SELECT survey_id, version, definition FROM survey_versions");
  if (!st.ok()) return st.status();
  std::map<std::pair<std::string, int>, std::string> out;
  while (st->Step()) out[{st->Text(0), static_cast<int>(st->Int(1))}] = st->Text(2);
  if (!st->status().ok()) return st->status();
  return out;
}

}  // namespace percept

namespace percept {

Status Store::CreateSession(const std::string& hash, int64_t token_id, int64_t expires_at) {
  auto st =
      Cached("INSERT INTO sessions (hash, token_id, created_at, expires_at) VALUES (?,?,?,?)");
  if (!st.ok()) return st.status();
  (*st)
      ->BindBlob(1, hash.data(), hash.size())
      .Bind(2, token_id)
      .Bind(3, NowRfc3339())
      .Bind(4, expires_at);
  return (*st)->Run();
}

Result<std::optional<TokenRecord>> Store::FindSessionToken(const std::string& hash, int64_t now) {
  auto st = Cached(
      "SELECT t.id, t.name, t.role, t.hash, t.created_at, ti.institution_id, t.team "
      "FROM sessions s "
      "JOIN tokens t ON t.id = s.token_id LEFT JOIN token_institutions ti ON ti.token_id = t.id "
      "WHERE s.hash = ? AND s.expires_at > ? AND t.revoked_at IS NULL");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.BindBlob(1, hash.data(), hash.size()).Bind(2, now);
  return ReadTokenRows(q);
}

Status Store::DeleteSession(const std::string& hash) {
  auto st = Cached("DELETE FROM sessions WHERE hash = ? OR expires_at < strftime('%s', 'now')");
  if (!st.ok()) return st.status();
  (*st)->BindBlob(1, hash.data(), hash.size());
  return (*st)->Run();
}

}  // namespace percept

namespace percept {

Status Store::Audit(const std::string& actor, const std::string& action,
                    const std::string& detail) {
  auto st = Cached("INSERT INTO audit (at, actor, action, detail) VALUES (?,?,?,?)");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, NowRfc3339()).Bind(2, actor).Bind(3, action).Bind(4, detail);
  return (*st)->Run();
}

Result<std::vector<AuditEntry>> Store::ListAudit(int64_t limit, const std::string& since) {
  auto st = db_->Prepare(
      "SELECT at, actor, action, detail FROM audit WHERE at >= ? ORDER BY id DESC LIMIT ?");
  if (!st.ok()) return st.status();
  st->Bind(1, since).Bind(2, limit);
  std::vector<AuditEntry> out;
  while (st->Step()) out.push_back({st->Text(0), st->Text(1), st->Text(2), st->Text(3)});
  if (!st->status().ok()) return st->status();
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace percept
