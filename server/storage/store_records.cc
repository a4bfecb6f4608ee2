// Store: small named values (the aggregates' generation, what was folded).
#include <algorithm>

#include "percept/base/utf8.h"
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

}  // namespace percept
