#include "percept/storage/institution_records.h"

#include <algorithm>

namespace percept {

Status UpsertInstitutions(Store& store, const std::vector<Institution>& institutions) {
  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  auto st = store.db()->Prepare(
      "INSERT INTO institutions (id, name, type, comuna, region, updated_at) VALUES (?,?,?,?,?,?) "
      "ON CONFLICT(id) DO UPDATE SET name=excluded.name, type=excluded.type, "
      "comuna=excluded.comuna, region=excluded.region, updated_at=excluded.updated_at");
  if (!st.ok()) return st.status();
  std::string now = NowRfc3339();
  for (const Institution& i : institutions) {
    st->Reset();
    st->Bind(1, i.id)
        .Bind(2, i.name)
        .Bind(3, i.type)
        .Bind(4, i.comuna)
        .Bind(5, i.region)
        .Bind(6, now);
    Status s = st->Run();
    if (!s.ok()) return s;
  }
  return tx.Commit();
}

Result<std::vector<Institution>> ListInstitutions(Store& store) {
  auto st = store.Cached("SELECT id, name, type, comuna, region FROM institutions ORDER BY id");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  std::vector<Institution> out;
  while (q.Step()) out.push_back({q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)});
  if (!q.status().ok()) return q.status();
  return out;
}

Result<std::optional<Institution>> FindInstitution(Store& store, const std::string& id) {
  auto st =
      store.db()->Prepare("SELECT id, name, type, comuna, region FROM institutions WHERE id = ?");
  if (!st.ok()) return st.status();
  st->Bind(1, id);
  if (st->Step()) {
    return std::optional<Institution>(
        Institution{st->Text(0), st->Text(1), st->Text(2), st->Text(3), st->Text(4)});
  }
  if (!st->status().ok()) return st->status();
  return std::optional<Institution>();
}

}  // namespace percept
