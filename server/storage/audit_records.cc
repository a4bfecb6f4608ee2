#include "percept/storage/audit_records.h"

#include <algorithm>

namespace percept {

Status Audit(Store& store, const std::string& actor, const std::string& action,
             const std::string& detail) {
  auto st = store.Cached("INSERT INTO audit (at, actor, action, detail) VALUES (?,?,?,?)");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, NowRfc3339()).Bind(2, actor).Bind(3, action).Bind(4, detail);
  return (*st)->Run();
}

Result<std::vector<AuditEntry>> ListAudit(Store& store, int64_t limit, const std::string& since) {
  auto st = store.db()->Prepare(
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
