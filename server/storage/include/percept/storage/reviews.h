// Review states of an interview (docs/supervision.md) and what they do to the aggregates.
// Supervisors move an interview between received, has_issues, approved and rejected; a
// correction (an interview naming it in deprecated_id) makes it deprecated. Rejected and
// deprecated interviews leave the scores, indicators, autonomy and exports: the move adds the
// interview's sums, negated, to the transaction's aggregate delta (and adds them back when a
// rejected interview is approved after all), so that the aggregates always equal a rebuild.
//
// Every function runs in the caller's transaction, on the thread that owns the Store.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "percept/base/status.h"
#include "percept/enumerators.h"
#include "percept/storage/aggregate_codec.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/store.h"
#include "percept/storage/submission_records.h"

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

// Who moves an interview decides whether a deprecated one may move again: only an admin
// undoes a deprecation (its correction then stands beside it, to be reviewed on its own).
enum class ReviewAuthority { kSupervisor, kAdmin };

// Moves `instance_id` to `to`: records the review (who, when, from, to, comment), audits it,
// and when the move takes the interview out of the scores or back in adds its evaluations' sums
// to `delta` (negated when leaving; `aggregates` null: nothing is added). A move to the state
// it already has changes nothing but records a non-empty comment. NotFound for an unknown
// interview; Conflict for a deprecated one unless `authority` is kAdmin.
Result<ReviewChange> ChangeReviewState(Store& store, const Aggregates* aggregates,
                                       const std::string& instance_id, const std::string& to,
                                       const std::string& actor, const std::string& comment,
                                       AggregateDelta* delta,
                                       ReviewAuthority authority = ReviewAuthority::kSupervisor);

// The whole unit of work of one review, in a transaction of its own, on the writer's thread
// (SubmissionWriter::RunExclusive): finds the interview — NotFound, like an unknown one, when
// `may_review` says the reviewer may not see it — changes its state (ChangeReviewState), logs the
// aggregate delta, commits, and then has the mirror `aggregates` follow (a failure to follow is
// logged; nothing stored is lost, and the next start or rebuild catches up).
Result<ReviewChange> ReviewInterview(Store& store, Aggregates* aggregates,
                                     const std::string& instance_id, const std::string& to,
                                     const std::string& actor, const std::string& comment,
                                     ReviewAuthority authority,
                                     const std::function<bool(const InterviewInfo&)>& may_review);

// What a correction changes (docs/supervision.md, "Corrections"), in the caller's transaction,
// right after `sub` was stored as new for `enumerator`:
// - `sub` names the interview it replaces (deprecated_id): that one becomes deprecated, if it is
//   the same enumerator's and survey's; Forbidden, and nothing changed, when it is not. One not
//   yet arrived is deprecated when it comes; one already replaced stays as it is.
// - a correction that arrived earlier, of the same enumerator and survey, names `sub`: `sub`
//   itself becomes deprecated at once.
Status ApplyCorrections(Store& store, const Aggregates* aggregates, const ValidSubmission& sub,
                        const std::string& enumerator, AggregateDelta* delta);

// What the enumerator summary is computed from (analytics/enumerators.h): every interview of
// `survey_id` but deprecated ones, grouped by enumerator (of `team` only, when given), with the
// overall item's answers per institution. One pass over the survey's evaluations: the whole
// read that the server's kept summary (FollowEnumeratorInputs) is tested equal to.
Result<std::vector<EnumeratorInput>> ReadEnumeratorInputs(Store& store,
                                                          const Aggregates& aggregates,
                                                          const std::string& survey_id,
                                                          const std::string& team);

// The same, kept up to date by reading only what changed since the last call: the interviews
// stored since (by seq), and those a correction deprecated or an admin brought back since.
// `whole` says whether every stored interview is accounted for; when it is false (on
// PostgreSQL a lower seq can commit after a higher one was read), start again from a fresh
// state. Equal to ReadEnumeratorInputs (tests/e2e/hardening_test.cpp).
struct EnumeratorFollow {
  std::map<std::string, EnumeratorInput> by_name;
  int64_t read_to = 0;           // every seq up to here is counted or deprecated
  std::set<int64_t> deprecated;  // of those, the deprecated ones (not counted)
  int64_t counted = 0;           // interviews counted
  bool whole = false;
};
Status FollowEnumeratorInputs(Store& store, const Aggregates& aggregates,
                              const std::string& survey_id, EnumeratorFollow* state);

// Adds (`sign` +1) or takes back (-1) the interviews of `q`'s rows (the columns of
// ReadEnumeratorInputs' query, ordered by interview) to `by_name`; how many interviews.
Result<int64_t> AddEnumeratorRows(Statement& q, const Aggregates& aggregates,
                                  const std::string& survey_id, int sign,
                                  std::map<std::string, EnumeratorInput>* by_name);

}  // namespace percept
