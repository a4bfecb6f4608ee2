#include "percept/storage/rate_spend.h"

namespace percept {

Result<std::vector<CallerSpend>> ExchangeSpend(Store& store, const std::string& server,
                                               const std::vector<CallerSpend>& mine,
                                               int64_t* seen) {
  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  if (!mine.empty()) {
    // Rows numbered in commit order, as the aggregate log's: a reader that has seen row n has
    // seen every row below it, so `seq > seen` misses nothing.
    if (store.dialect().shared_by_servers) {
      Status s = store.db()->Exec("SELECT pg_advisory_xact_lock(7293)");
      if (!s.ok()) return s;
    }
    auto ins =
        store.Cached(store.Sql("INSERT INTO rate_spend (server, caller, spent, at) "
                               "VALUES (?, ?, ?, CAST(strftime('%s', 'now') AS INTEGER))",
                               "INSERT INTO rate_spend (server, caller, spent, at) "
                               "VALUES (?, ?, ?, CAST(extract(epoch FROM now()) AS bigint))"));
    if (!ins.ok()) return ins.status();
    ResetOnExit reset(**ins);
    for (const CallerSpend& c : mine) {
      (*ins)->Reset();
      (*ins)->Bind(1, server).Bind(2, c.caller).Bind(3, c.spent);
      Status s = (*ins)->Run();
      if (!s.ok()) return s;
    }
  }
  std::vector<CallerSpend> others;
  {
    auto q = store.Cached(
        "SELECT seq, caller, spent FROM rate_spend WHERE seq > ? AND server <> ? ORDER BY seq");
    if (!q.ok()) return q.status();
    ResetOnExit reset(**q);
    (*q)->Bind(1, *seen).Bind(2, server);
    int64_t last = *seen;
    while ((*q)->Step()) {
      last = (*q)->Int(0);
      others.push_back({(*q)->Text(1), (*q)->Int(2)});
    }
    if (!(*q)->status().ok()) return (*q)->status();
    *seen = last;
  }
  auto old = store.Cached(
      store.Sql("DELETE FROM rate_spend WHERE at < CAST(strftime('%s', 'now') AS INTEGER) - ?",
                "DELETE FROM rate_spend WHERE at < CAST(extract(epoch FROM now()) AS bigint) - ?"));
  if (!old.ok()) return old.status();
  ResetOnExit reset(**old);
  (*old)->Bind(1, kSpendRetentionSeconds);
  Status s = (*old)->Run();
  if (!s.ok()) return s;
  s = tx.Commit();
  if (!s.ok()) return s;
  return others;
}

}  // namespace percept
