// Review states of an interview (docs/supervision.md) and what they do to the aggregates.
// Supervisors move an interview between received, has_issues, approved and rejected; a
// correction (an interview naming it in deprecated_id) makes it deprecated. Rejected and
// deprecated interviews leave the scores, indicators, autonomy and exports: the move adds the
// interview's sums, negated, to the transaction's aggregate delta (and adds them back when a
// rejected interview is approved after all), so that the aggregates always equal a rebuild.
//
// Every function runs in the caller's transaction, on the thread that owns the Store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "percept/base/status.h"
#include "percept/enumerators.h"
#include "percept/storage/aggregate_codec.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/store.h"

namespace percept {

// "received", "has_issues", "approved", "rejected" (what a supervisor may set) and
// "deprecated" (what a correction sets).
bool IsReviewState(std::string_view state);
bool IsSupervisorState(std::string_view state);
// All but rejected and deprecated count in scores and exports.
bool CountsInScores(std::string_view state);

struct ReviewChange {
  InterviewInfo interview;  // as it was before the change
  std::string to;
  bool changed = false;  // false when it already was in that state
};

// Moves `instance_id` to `to`: records the review (who, when, from, to, comment), audits it,
// and when the move takes the interview out of the scores or back in adds its evaluations' sums
// to `delta` (negated when leaving; `aggregates` null: nothing is added). NotFound for an
// unknown interview; Conflict for a deprecated one (its correction stands).
Result<ReviewChange> ChangeReviewState(Store& store, const Aggregates* aggregates,
                                       const std::string& instance_id, const std::string& to,
                                       const std::string& actor, const std::string& comment,
                                       AggregateDelta* delta);

// What the enumerator summary is computed from (analytics/enumerators.h): every interview of
// `survey_id` but deprecated ones, grouped by enumerator (of `team` only, when given), with the
// overall item's answers per institution. One pass over the survey's evaluations.
Result<std::vector<EnumeratorInput>> ReadEnumeratorInputs(Store& store,
                                                          const Aggregates& aggregates,
                                                          const std::string& survey_id,
                                                          const std::string& team);

}  // namespace percept
