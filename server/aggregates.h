// The sufficient statistics of docs/analytics.md, kept per survey version × institution × day.
//
// Durably they are the table `aggregates` plus the table `aggregate_log`: every write
// transaction appends its delta to the log (one compact row, in that same transaction, so the
// aggregates never disagree with the stored submissions), and the writer folds the log into
// `aggregates` from time to time, in a transaction of its own. Appending one row costs a page
// or two of WAL where updating each touched (institution, day) row would dirty a page each.
// `percept rebuild-aggregates` recomputes both from the evaluations. The server keeps a mirror
// in memory so that a report sums O(institutions × days) small vectors and reads no rows.
//
// Thread safety: Apply and Load are called by the writer thread only; Sum by any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <vector>

#include "percept/score_layout.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"
#include "store.h"

namespace percept {

struct AggregateKey {
  std::string survey_id;
  int version = 0;
  std::string institution_id;
  std::string day;
  bool operator==(const AggregateKey& o) const {
    return std::tie(survey_id, version, institution_id, day) ==
           std::tie(o.survey_id, o.version, o.institution_id, o.day);
  }
  bool operator<(const AggregateKey& o) const {
    return std::tie(survey_id, version, institution_id, day) <
           std::tie(o.survey_id, o.version, o.institution_id, o.day);
  }
};

// Sums to add, per key; the value's width is its layout's.
using AggregateDelta = std::map<AggregateKey, std::vector<int64_t>>;

// Registers percept_add(a, b), the element-wise sum of two blobs of little-endian int64, on a
// connection that writes aggregates.
Status RegisterAggregateFunctions(Database* db);

// A delta as one blob: per key its strings, version and sums, as zigzag varints (most sums of
// a few interviews fit in a byte or two).
std::string EncodeDelta(const AggregateDelta& delta);
Result<AggregateDelta> DecodeDelta(std::string_view blob);

// Likert answers as stored in evaluations.likert: one byte each, value - scale_min + 1, 0 for
// no answer.
std::string EncodeLikert(const std::vector<int>& likert, int scale_min);
std::vector<int> DecodeLikert(std::string_view bytes, int scale_min);

class Aggregates {
 public:
  // Layouts for every definition given (each survey id and version).
  explicit Aggregates(const std::vector<const SurveyDefinition*>& definitions);

  const ScoreLayout* Layout(const std::string& survey_id, int version) const;

  // Adds a stored submission's evaluations to `delta`.
  void Add(const ValidSubmission& sub, AggregateDelta* delta) const;
  // Adds `delta` to the aggregates table, inside the caller's transaction.
  static Status Write(Store& store, const AggregateDelta& delta);
  // Appends `delta` to the aggregate log, inside the caller's transaction.
  static Status AppendLog(Store& store, const AggregateDelta& delta);
  // Moves the whole log into the aggregates table, in one transaction of its own. Returns the
  // number of log rows folded.
  static Result<int64_t> FoldLog(Store& store);

  // The in-memory mirror. Load replaces it with the tables' content (aggregates and log);
  // Apply adds a committed delta.
  Status Load(Store& store);
  void Apply(const AggregateDelta& delta);
  int64_t loaded_generation() const;

  // Per institution accepted by `include`, the sums of survey `survey_id` over days in
  // [from, to] (empty: unbounded), in `layout`'s shape. Versions whose layout differs from
  // `layout` are left out.
  std::map<std::string, std::vector<int64_t>> Sum(
      const std::string& survey_id, const ScoreLayout& layout, const std::string& from,
      const std::string& to, const std::function<bool(const std::string&)>& include) const;

 private:
  // One institution's sums, day by day: days ascending, and their sums back to back
  // (days.size() * width integers), so that a report adds contiguous memory.
  struct DaySeries {
    std::vector<std::string> days;
    std::vector<int64_t> sums;
    void Add(const std::string& day, const std::vector<int64_t>& delta);
  };
  std::map<std::pair<std::string, int>, std::shared_ptr<const ScoreLayout>> layouts_;
  mutable std::shared_mutex mu_;
  // (survey, version) -> institution -> its series
  std::map<std::pair<std::string, int>, std::map<std::string, DaySeries>> mirror_;
  int64_t generation_ = -1;
};

// Recomputes the whole aggregates table from the stored evaluations in one transaction, with
// the definitions recorded in the database, and bumps the aggregates generation so that a
// running server reloads its mirror. Returns the number of evaluations read.
Result<int64_t> RebuildAggregates(Store& store);

}  // namespace percept
