#include "percept/storage/reviews.h"

#include <algorithm>

namespace percept {

namespace {

constexpr std::string_view kSupervisorStates[] = {"received", "has_issues", "approved", "rejected"};

// The sums of interview `seq`'s evaluations, times `sign`, added to `delta`.
Status AddInterview(Store& store, const Aggregates& aggregates, int64_t seq, int sign,
                    AggregateDelta* delta) {
  auto st = store.Cached(
      "SELECT survey_id, survey_version, institution_id, completed_day, likert, facts "
      "FROM evaluations WHERE submission_seq = ? ORDER BY position");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.Bind(1, seq);
  while (q.Step()) {
    AggregateKey key{q.Text(0), static_cast<int>(q.Int(1)), q.Text(2), q.Text(3)};
    const ScoreLayout* layout = aggregates.Layout(key.survey_id, key.version);
    if (!layout) continue;
    std::vector<int64_t> one(aggregates.Width(key.survey_id, key.version), 0);
    aggregates.Accumulate(key.survey_id, key.version, DecodeLikert(q.BlobView(4), layout->lo()),
                          q.BlobView(5), one.data());
    std::vector<int64_t>& sums = (*delta)[key];
    if (sums.empty()) sums.assign(one.size(), 0);
    for (size_t i = 0; i < one.size(); ++i) sums[i] += sign * one[i];
  }
  return q.status();
}

}  // namespace

bool IsSupervisorState(std::string_view state) {
  return std::find(std::begin(kSupervisorStates), std::end(kSupervisorStates), state) !=
         std::end(kSupervisorStates);
}

bool IsReviewState(std::string_view state) {
  return IsSupervisorState(state) || state == "deprecated";
}

bool CountsInScores(std::string_view state) { return state != "rejected" && state != "deprecated"; }

Result<ReviewChange> ChangeReviewState(Store& store, const Aggregates* aggregates,
                                       const std::string& instance_id, const std::string& to,
                                       const std::string& actor, const std::string& comment,
                                       AggregateDelta* delta) {
  if (!IsReviewState(to)) return Status::InvalidParameter("no review state '" + to + "'");
  auto found = store.FindInterview(instance_id);
  if (!found.ok()) return found.status();
  if (!*found) return Status::NotFound("no such interview");
  ReviewChange change;
  change.interview = std::move(**found);
  change.to = to;
  const std::string& from = change.interview.review_state;
  if (from == "deprecated") {
    return Status::Conflict("interview " + instance_id +
                            " was replaced by a correction; review the correction instead");
  }
  if (from == to) return change;
  Status s = store.SetReviewState(change.interview.seq, to);
  if (s.ok()) s = store.AddReview(change.interview.seq, actor, from, to, comment);
  // The audit trail says who moved what where, never the comment (it may quote an answer).
  if (s.ok()) s = store.Audit(actor, "review", instance_id + " " + from + " -> " + to);
  if (s.ok() && aggregates && CountsInScores(from) != CountsInScores(to))
    s = AddInterview(store, *aggregates, change.interview.seq, CountsInScores(to) ? 1 : -1, delta);
  if (!s.ok()) return s;
  change.changed = true;
  return change;
}

}  // namespace percept
