// `percept rebuild-aggregates`: the aggregate tables (aggregate_tables.h) recomputed from the
// stored evaluations, with the layouts of the mirror's class (aggregates.h). It sits above both,
// so that neither includes the other.
#include "percept/storage/aggregate_rebuild.h"

#include <map>
#include <nlohmann/json.hpp>

#include "percept/storage/aggregate_tables.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/submission_records.h"
#include "percept/submission.h"

namespace percept {

Result<int64_t> RebuildAggregates(Store& store) {
  Status s = RegisterAggregateFunctions(store.db());
  if (!s.ok()) return s;
  auto versions = ListSurveyVersions(store);
  if (!versions.ok()) return versions.status();
  std::vector<SurveyDefinition> defs;
  for (const auto& [key, json] : *versions) {
    auto def = ParseSurveyDefinition(
        json, "database: survey " + key.first + " v" + std::to_string(key.second));
    if (!def.ok()) return def.status();
    defs.push_back(std::move(def).value());
  }
  std::vector<const SurveyDefinition*> pointers;
  for (const auto& d : defs) pointers.push_back(&d);
  Aggregates book(pointers);

  std::map<std::pair<std::string, int>, const SurveyDefinition*> by_version;
  for (const auto& d : defs) by_version[{d.id, d.version}] = &d;

  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  AggregateDelta all;
  int64_t read = 0;
  // Rows stored before schema 3 have no facts yet: the scan sets them aside, and they are
  // computed afterwards from the stored answers (and the household's, for the stage), added,
  // and written back. The scan itself reads the evaluations table alone.
  struct Backfill {
    int64_t seq, position;
    AggregateKey key;
    std::vector<int> likert;
    std::vector<int64_t>* sums;
  };
  std::vector<Backfill> backfill;
  {
    auto st = store.Cached(
        "SELECT survey_id, survey_version, institution_id, completed_day, likert, facts, "
        "submission_seq, position FROM evaluations WHERE submission_seq NOT IN "
        "(SELECT seq FROM submissions WHERE review_state IN ('rejected', 'deprecated'))");
    if (!st.ok()) return st.status();
    Statement& q = **st;
    ResetOnExit reset(q);
    AggregateKey key;
    std::vector<int64_t>* sums = nullptr;
    const ScoreLayout* layout = nullptr;
    while (q.Step()) {
      ++read;
      std::string_view survey = q.TextView(0), inst = q.TextView(2), day = q.TextView(3);
      const int version = static_cast<int>(q.Int(1));
      // Evaluations come in insertion order, so consecutive rows often share a key.
      if (!sums || key.survey_id != survey || key.version != version ||
          key.institution_id != inst || key.day != day) {
        key = {std::string(survey), version, std::string(inst), std::string(day)};
        layout = book.Layout(key.survey_id, version);
        if (!layout) {
          sums = nullptr;
          continue;
        }
        sums = &all[key];  // std::map: the address stays valid as the map grows
        if (sums->empty()) sums->assign(book.Width(key.survey_id, version), 0);
      }
      std::vector<int> likert = DecodeLikert(q.BlobView(4), layout->lo());
      if (q.IsNull(5)) {
        backfill.push_back({q.Int(6), q.Int(7), key, std::move(likert), sums});
        continue;
      }
      book.Accumulate(key.survey_id, version, likert, q.BlobView(5), sums->data());
    }
    if (!q.status().ok()) return q.status();
  }
  for (const Backfill& b : backfill) {
    auto get = store.Cached(
        "SELECT e.answers, s.body FROM evaluations e JOIN submissions s "
        "ON s.seq = e.submission_seq WHERE e.submission_seq = ? AND e.position = ?");
    if (!get.ok()) return get.status();
    Statement& q = **get;
    std::string facts, referred_by;
    {
      ResetOnExit reset(q);
      q.Bind(1, b.seq).Bind(2, b.position);
      if (!q.Step())
        return q.status().ok() ? Status::Internal("an evaluation vanished") : q.status();
      const auto answers = nlohmann::json::parse(q.TextView(0), nullptr, false);
      const auto body = nlohmann::json::parse(q.TextView(1), nullptr, false);
      const SurveyDefinition* def = by_version[{b.key.survey_id, b.key.version}];
      const nlohmann::json* household =
          body.is_object() && body.contains("household") ? &body["household"] : nullptr;
      facts = EvaluationFacts(*def, answers, household);
      referred_by = ReferredBy(*def, answers);
    }
    book.Accumulate(b.key.survey_id, b.key.version, b.likert, facts, b.sums->data());
    auto up = store.Cached(
        "UPDATE evaluations SET facts = ?, referred_by = ? "
        "WHERE submission_seq = ? AND position = ?");
    if (!up.ok()) return up.status();
    (*up)->BindBlob(1, facts.data(), facts.size());
    if (referred_by.empty())
      (*up)->BindNull(2);
    else
      (*up)->Bind(2, referred_by);
    s = (*up)->Bind(3, b.seq).Bind(4, b.position).Run();
    if (!s.ok()) return s;
  }
  s = store.db()->Exec("DELETE FROM aggregates");
  if (s.ok()) s = store.db()->Exec("DELETE FROM aggregate_log");
  if (s.ok()) s = WriteAggregates(store, all);
  if (!s.ok()) return s;
  auto gen = store.GetMeta(kGenerationKey);
  if (!gen.ok()) return gen.status();
  s = store.SetMeta(kGenerationKey, std::to_string((gen->empty() ? 0 : std::stoll(*gen)) + 1));
  if (!s.ok()) return s;
  s = tx.Commit();
  if (!s.ok()) return s;
  return read;
}

}  // namespace percept
