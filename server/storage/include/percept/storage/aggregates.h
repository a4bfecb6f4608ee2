// The sufficient statistics of docs/analytics.md, kept per survey version × institution × day.
//
// Durably they are the table `aggregates` plus the table `aggregate_log`: every write
// transaction appends its delta to the log (one compact row, in that same transaction, so the
// aggregates never disagree with the stored submissions), and the writer folds the log into
// `aggregates` from time to time, in a transaction of its own. Appending one row costs a page
// or two of WAL where updating each touched (institution, day) row would dirty a page each.
// `percept rebuild-aggregates` recomputes both from the evaluations. Those tables are
// aggregate_tables.h; their byte formats aggregate_codec.h. This file is the mirror the server
// keeps in memory, so that a report sums O(institutions × days) small vectors and reads no rows.
//
// Threading: Load and Apply run on the submission writer's thread (and Load once at start-up,
// before any reader); Sum, Layout and loaded_generation on any thread. `mu_` guards `mirror_`,
// `generation_`, `day_changes_` and `loaded_at_`; `layouts_` is filled by the constructor and read-only after it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <vector>

#include "percept/indicator_layout.h"
#include "percept/score_layout.h"
#include "percept/storage/aggregate_codec.h"
#include "percept/storage/store.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"

namespace percept {

// Which part of a key's sums a reader wants: part (a)'s dimension sums (score_layout.h) or
// part (b)'s indicator and autonomy sums (indicator_layout.h). A key's stored sums are the
// first then the second, back to back.
enum class SumPart { kScores, kIndicators };

class Aggregates {
 public:
  // Layouts for every definition given (each survey id and version).
  explicit Aggregates(const std::vector<const SurveyDefinition*>& definitions);

  const ScoreLayout* Layout(const std::string& survey_id, int version) const;
  const IndicatorLayout* Indicators(const std::string& survey_id, int version) const;
  // Width of a key's whole sums for that version (0 when unknown).
  size_t Width(const std::string& survey_id, int version) const;
  // Adds one stored evaluation (its likert answers decoded, its facts as stored) to `sums`.
  void Accumulate(const std::string& survey_id, int version, const std::vector<int>& likert,
                  std::string_view facts, int64_t* sums) const;

  // Adds one stored evaluation of version `own` (its likert answers and facts as stored) to
  // `scores` and `indicators`, sums in the shapes of version `wanted`'s layouts, pooling the two
  // versions as Sum does: false when `own` pools with neither part.
  bool AddEvaluation(const std::string& survey_id, int own, int wanted,
                     std::string_view likert_blob, std::string_view facts, int64_t* scores,
                     int64_t* indicators) const;
  // Adds a stored submission's evaluations to `delta`.
  void Add(const ValidSubmission& sub, AggregateDelta* delta) const;
  // The in-memory mirror. Load replaces it with the tables' content (aggregates and log);
  // Apply adds a committed delta.
  Status Load(Store& store);
  void Apply(const AggregateDelta& delta);
  // After this server committed `delta`: on SQLite, Apply it; on PostgreSQL, Follow, which
  // applies it in its place in the log, between the other servers' (docs/storage.md).
  Status Committed(Store& store, const AggregateDelta& delta);
  // PostgreSQL: applies the log rows committed since the last Load or Follow, by any server; a
  // mirror that fell behind a fold is loaded again. Writer thread only.
  Status Follow(Store& store);
  int64_t loaded_generation() const;
  // How many changes the mirror has taken (a Load, or a delta that moved something): what a
  // reader that caches what it read of the interviews compares (EnumeratorInputCache). Any
  // thread.
  uint64_t changes() const { return changes_.load(std::memory_order_acquire); }
  // The change count (as changes() counts) when the sums of a day of survey `survey_id` in
  // [from, to] last moved; a Load moves every day. A reader that keeps what it computed from
  // those days' interviews (TrendService) compares it with the count it read them at. Any
  // thread.
  uint64_t LastChange(const std::string& survey_id, const std::string& from,
                      const std::string& to) const;

  // Per institution accepted by `include`, the `part` sums of survey `survey_id` over days in
  // [from, to] (empty: unbounded), in the shape of version `version`'s layout of that part.
  // Versions whose layout of that part differs are left out (part (b): a version with the same
  // indicators but other autonomy components counts toward the indicators only).
  std::map<std::string, std::vector<int64_t>> Sum(
      const std::string& survey_id, int version, SumPart part, const std::string& from,
      const std::string& to, const std::function<bool(const std::string&)>& include) const;
  // Whether survey `survey_id` has sums on a day in [from, to] (any version, any institution):
  // a window that holds interviews that count. Any thread.
  bool HasDays(const std::string& survey_id, const std::string& from, const std::string& to) const;
  // The first and the last day with sums of survey `survey_id` (any version, any institution);
  // two empty strings when it has none.
  std::pair<std::string, std::string> Days(const std::string& survey_id) const;

 private:
  // One institution's sums, day by day: days ascending, and their sums back to back
  // (days.size() * width integers), so that a report adds contiguous memory.
  struct DaySeries {
    std::vector<std::string> days;
    std::vector<int64_t> sums;
    void Add(const std::string& day, const std::vector<int64_t>& delta);
  };
  struct Layouts {
    std::shared_ptr<const ScoreLayout> scores;
    std::shared_ptr<const IndicatorLayout> indicators;
    size_t width() const { return scores->width() + indicators->width(); }
  };
  const Layouts* Find(const std::string& survey_id, int version) const;
  Status LoadNow(Store& store);
  std::map<std::pair<std::string, int>, Layouts> layouts_;
  mutable std::shared_mutex mu_;
  // (survey, version) -> institution -> its series
  std::map<std::pair<std::string, int>, std::map<std::string, DaySeries>> mirror_;
  int64_t generation_ = -1;
  // survey -> day -> the change count when that day's sums last moved (since the last Load).
  std::map<std::string, std::map<std::string, uint64_t>> day_changes_;
  uint64_t loaded_at_ = 0;  // the change count of the last Load
  int64_t log_seen_ = 0;  // the last log seq in the mirror; Load and Follow's thread only
  std::atomic<uint64_t> changes_{0};
};

}  // namespace percept
