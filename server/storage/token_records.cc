#include "percept/storage/token_records.h"

#include <algorithm>

#include "percept/base/crypto.h"

namespace percept {

Result<std::optional<TokenRecord>> ReadTokenRows(Statement& q) {
  std::optional<TokenRecord> found;
  while (q.Step()) {
    if (!found) {
      found.emplace();
      found->id = q.Int(0);
      found->name = q.Text(1);
      found->role = ParseRole(q.TextView(2)).value_or(Role::kEnumerator);
      found->hash = q.Blob(3);
      found->created_at = q.Text(4);
      if (!q.IsNull(6)) found->team = q.Text(6);
    }
    if (!q.IsNull(5)) found->institutions.push_back(q.Text(5));
  }
  if (!q.status().ok()) return q.status();
  return found;
}

Status CreateToken(Store& store, const std::string& name, Role role, const std::string& hash,
                   const std::vector<std::string>& institutions, const std::string& team) {
  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  auto st = store.db()->Prepare(
      "INSERT INTO tokens (name, role, hash, created_at, team) VALUES (?,?,?,?,?) RETURNING id");
  if (!st.ok()) return st.status();
  st->Bind(1, name)
      .Bind(2, std::string_view(RoleName(role)))
      .BindBlob(3, hash.data(), hash.size())
      .Bind(4, NowRfc3339());
  if (team.empty())
    st->BindNull(5);
  else
    st->Bind(5, team);
  const int64_t token_id = st->Step() ? st->Int(0) : 0;
  Status s = st->Run();
  if (s.code() == StatusCode::kConflict)
    return Status::Conflict("a token named '" + name + "' already exists");
  if (!s.ok()) return s;
  auto link =
      store.db()->Prepare("INSERT INTO token_institutions (token_id, institution_id) VALUES (?,?)");
  if (!link.ok()) return link.status();
  for (const std::string& inst : institutions) {
    link->Reset();
    link->Bind(1, token_id).Bind(2, inst);
    s = link->Run();
    if (s.code() == StatusCode::kConflict) return Status::NotFound("no institution '" + inst + "'");
    if (!s.ok()) return s;
  }
  return tx.Commit();
}

Result<std::vector<TokenRecord>> ListTokens(Store& store) {
  auto st = store.db()->Prepare(store.Sql(
      "SELECT t.id, t.name, t.role, t.created_at, t.revoked_at, "
      "(SELECT group_concat(institution_id, ',') FROM token_institutions WHERE token_id = t.id), "
      "t.team FROM tokens t ORDER BY t.name",
      "SELECT t.id, t.name, t.role, t.created_at, t.revoked_at, "
      "(SELECT string_agg(institution_id, ',') FROM token_institutions WHERE token_id = t.id), "
      "t.team FROM tokens t ORDER BY t.name"));
  if (!st.ok()) return st.status();
  std::vector<TokenRecord> out;
  while (st->Step()) {
    TokenRecord r;
    r.id = st->Int(0);
    r.name = st->Text(1);
    r.role = ParseRole(st->TextView(2)).value_or(Role::kEnumerator);
    r.created_at = st->Text(3);
    if (!st->IsNull(4)) r.revoked_at = st->Text(4);
    if (!st->IsNull(6)) r.team = st->Text(6);
    std::string insts = st->Text(5);
    for (size_t pos = 0; !insts.empty() && pos <= insts.size();) {
      size_t comma = insts.find(',', pos);
      if (comma == std::string::npos) comma = insts.size();
      r.institutions.push_back(insts.substr(pos, comma - pos));
      pos = comma + 1;
    }
    out.push_back(std::move(r));
  }
  if (!st->status().ok()) return st->status();
  return out;
}

Status RevokeToken(Store& store, const std::string& name) {
  auto st =
      store.db()->Prepare("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL");
  if (!st.ok()) return st.status();
  st->Bind(1, NowRfc3339()).Bind(2, name);
  Status s = st->Run();
  if (!s.ok()) return s;
  if (store.db()->Changes() == 0) return Status::NotFound("no active token named '" + name + "'");
  return Status::Ok();
}

Result<std::optional<TokenRecord>> FindActiveToken(Store& store, const std::string& hash) {
  auto st = store.Cached(
      "SELECT t.id, t.name, t.role, t.hash, t.created_at, ti.institution_id, t.team FROM tokens t "
      "LEFT JOIN token_institutions ti ON ti.token_id = t.id "
      "WHERE t.hash = ? AND t.revoked_at IS NULL");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.BindBlob(1, hash.data(), hash.size());
  return ReadTokenRows(q);
}

Status CreateSession(Store& store, const std::string& hash, int64_t token_id, int64_t expires_at) {
  auto st = store.Cached(
      "INSERT INTO sessions (hash, token_id, created_at, expires_at) VALUES (?,?,?,?)");
  if (!st.ok()) return st.status();
  (*st)
      ->BindBlob(1, hash.data(), hash.size())
      .Bind(2, token_id)
      .Bind(3, NowRfc3339())
      .Bind(4, expires_at);
  return (*st)->Run();
}

Result<std::optional<TokenRecord>> FindSessionToken(Store& store, const std::string& hash,
                                                    int64_t now) {
  auto st = store.Cached(
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

Status DeleteSession(Store& store, const std::string& hash) {
  auto st = store.Cached(
      store.Sql("DELETE FROM sessions WHERE hash = ? OR expires_at < strftime('%s', 'now')",
                "DELETE FROM sessions WHERE hash = ? OR "
                "expires_at < extract(epoch from now())::bigint"));
  if (!st.ok()) return st.status();
  (*st)->BindBlob(1, hash.data(), hash.size());
  return (*st)->Run();
}

}  // namespace percept
