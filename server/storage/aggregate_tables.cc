#include "percept/storage/aggregate_tables.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>


namespace percept {

Result<AggregateDelta> ReadAggregateLog(Store& store, int64_t* last_seq, int64_t after,
                                        int64_t upto) {
  AggregateDelta all;
  auto st =
      store.Cached("SELECT seq, delta FROM aggregate_log WHERE seq > ? AND seq <= ? ORDER BY seq");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.Bind(1, after).Bind(2, upto);
  while (q.Step()) {
    *last_seq = q.Int(0);
    auto d = DecodeDelta(q.BlobView(1));
    if (!d.ok()) return d.status();
    MergeDelta(all, *d);
  }
  if (!q.status().ok()) return q.status();
  return all;
}

Status RegisterAggregateFunctions(Database* db) {
  // PostgreSQL adds sums in WritePostgres instead: a function there would be a C extension
  // installed into the server.
  SqliteOnly* lite = db->sqlite();
  return lite ? lite->DefineBlobFunction("percept_add", AddSumBlobs) : Status::Ok();
}

namespace {

// PostgreSQL: each key's row locked, added to in C++ and written back, or inserted; a row that
// another server inserted meanwhile is locked and added to on the second pass.
bool AllZero(std::string_view blob) {
  return std::all_of(blob.begin(), blob.end(), [](char c) { return c == 0; });
}

// A row whose every interview left (rejected, deprecated) holds nothing, and a rebuild would not
// write it: it is deleted, so that the table kept by deltas stays equal to a rebuild.
// `if_zero`: only when its stored sums are all zero (SQLite, after the sums were added in SQL).
Status DeleteRow(Store& store, const AggregateKey& key, bool if_zero) {
  auto del = store.Cached(
      if_zero ? "DELETE FROM aggregates WHERE survey_id = ? AND survey_version = ? AND "
                "institution_id = ? AND day = ? AND sums = zeroblob(length(sums))"
              : "DELETE FROM aggregates WHERE survey_id = ? AND survey_version = ? AND "
                "institution_id = ? AND day = ?");
  if (!del.ok()) return del.status();
  return (*del)
      ->Bind(1, key.survey_id)
      .Bind(2, static_cast<int64_t>(key.version))
      .Bind(3, key.institution_id)
      .Bind(4, key.day)
      .Run();
}

Status WriteInCpp(Store& store, const AggregateDelta& delta) {
  for (const auto& [key, sums] : delta) {
    const std::string blob = SumsToBlob(sums);
    for (int pass = 0;; ++pass) {
      auto read = store.Cached(
          "SELECT sums FROM aggregates WHERE survey_id = ? AND survey_version = ? AND "
          "institution_id = ? AND day = ? FOR UPDATE");
      if (!read.ok()) return read.status();
      Statement& q = **read;
      ResetOnExit reset(q);
      q.Bind(1, key.survey_id)
          .Bind(2, static_cast<int64_t>(key.version))
          .Bind(3, key.institution_id)
          .Bind(4, key.day);
      if (q.Step()) {
        const std::optional<std::string> added = AddSumBlobs(q.BlobView(0), blob);
        if (!added) return Status::Internal("aggregate sums of another width");
        if (AllZero(*added)) {
          Status s = DeleteRow(store, key, false);
          if (!s.ok()) return s;
          break;
        }
        auto up = store.Cached(
            "UPDATE aggregates SET sums = ? WHERE survey_id = ? AND survey_version = ? AND "
            "institution_id = ? AND day = ?");
        if (!up.ok()) return up.status();
        Status s = (*up)
                       ->BindBlob(1, added->data(), added->size())
                       .Bind(2, key.survey_id)
                       .Bind(3, static_cast<int64_t>(key.version))
                       .Bind(4, key.institution_id)
                       .Bind(5, key.day)
                       .Run();
        if (!s.ok()) return s;
        break;
      }
      if (!q.status().ok()) return q.status();
      auto ins = store.Cached(
          "INSERT INTO aggregates (survey_id, survey_version, institution_id, day, sums) VALUES "
          "(?,?,?,?,?) ON CONFLICT (survey_id, survey_version, institution_id, day) DO NOTHING");
      if (!ins.ok()) return ins.status();
      Status s = (*ins)
                     ->Bind(1, key.survey_id)
                     .Bind(2, static_cast<int64_t>(key.version))
                     .Bind(3, key.institution_id)
                     .Bind(4, key.day)
                     .BindBlob(5, blob.data(), blob.size())
                     .Run();
      if (!s.ok()) return s;
      if (store.db()->Changes() == 1) break;
      if (pass > 0) return Status::Internal("an aggregate row could be neither read nor written");
    }
  }
  return Status::Ok();
}

}  // namespace

Status WriteAggregates(Store& store, const AggregateDelta& delta) {
  if (!store.dialect().sums_in_sql) return WriteInCpp(store, delta);
  for (const auto& [key, sums] : delta) {
    auto st = store.Cached(
        "INSERT INTO aggregates (survey_id, survey_version, institution_id, day, sums) VALUES "
        "(?,?,?,?,?) "
        "ON CONFLICT (survey_id, survey_version, institution_id, day) "
        "DO UPDATE SET sums = percept_add(sums, excluded.sums)");
    if (!st.ok()) return st.status();
    const std::string blob = SumsToBlob(sums);
    (*st)
        ->Bind(1, key.survey_id)
        .Bind(2, static_cast<int64_t>(key.version))
        .Bind(3, key.institution_id)
        .Bind(4, key.day)
        .BindBlob(5, blob.data(), blob.size());
    Status s = (*st)->Run();
    if (!s.ok()) return s;
    // Only a delta that takes something away can leave a row of zeros.
    if (std::any_of(sums.begin(), sums.end(), [](int64_t v) { return v < 0; })) {
      s = DeleteRow(store, key, true);
      if (!s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status AppendAggregateLog(Store& store, const AggregateDelta& delta) {
  if (delta.empty()) return Status::Ok();
  if (store.dialect().shared_by_servers) {
    Status s = store.db()->Exec("SELECT pg_advisory_xact_lock(7292)");  // the log's order
    if (!s.ok()) return s;
  }
  auto st = store.Cached("INSERT INTO aggregate_log (delta) VALUES (?)");
  if (!st.ok()) return st.status();
  const std::string blob = EncodeDelta(delta);
  (*st)->BindBlob(1, blob.data(), blob.size());
  return (*st)->Run();
}

Result<int64_t> FoldAggregateLog(Store& store, bool whole) {
  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  int64_t last = 0;
  Result<AggregateDelta> all = AggregateDelta{};
  if (store.dialect().shared_by_servers) {
    // Only rows that every server has had time to read (docs/storage.md, "Several servers").
    auto old = store.Cached(
        "SELECT max(seq) FROM aggregate_log WHERE at < now() - make_interval(secs => ?)");
    if (!old.ok()) return old.status();
    ResetOnExit reset(**old);
    (*old)->Bind(1, static_cast<int64_t>(whole ? -3600 : kLogRetentionSeconds));
    if (!(*old)->Step()) return (*old)->status();
    const int64_t upto = (*old)->IsNull(0) ? 0 : (*old)->Int(0);
    if (upto == 0) return int64_t{0};
    all = ReadAggregateLog(store, &last, 0, upto);
    if (!all.ok()) return all.status();
    Status s = store.SetMeta(kFoldedKey, std::to_string(last));
    if (!s.ok()) return s;
  } else {
    all = ReadAggregateLog(store, &last);
  }
  if (!all.ok()) return all.status();
  if (last == 0) return int64_t{0};
  Status s = WriteAggregates(store, *all);
  if (!s.ok()) return s;
  auto del = store.Cached("DELETE FROM aggregate_log WHERE seq <= ?");
  if (!del.ok()) return del.status();
  (*del)->Bind(1, last);
  s = (*del)->Run();
  if (!s.ok()) return s;
  const int64_t folded = store.db()->Changes();
  s = tx.Commit();
  if (!s.ok()) return s;
  return folded;
}

}  // namespace percept
