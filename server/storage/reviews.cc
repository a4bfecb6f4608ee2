#include "percept/storage/reviews.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "percept/submission.h"  // ParseRfc3339

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
                                       AggregateDelta* delta, ReviewAuthority authority) {
  if (!IsReviewState(to)) return Status::InvalidParameter("no review state '" + to + "'");
  auto found = store.FindInterview(instance_id);
  if (!found.ok()) return found.status();
  if (!*found) return Status::NotFound("no such interview");
  ReviewChange change;
  change.interview = std::move(**found);
  change.to = to;
  const std::string& from = change.interview.review_state;
  if (from == "deprecated" && authority != ReviewAuthority::kAdmin) {
    return Status::Conflict("interview " + instance_id +
                            " was replaced by a correction; review the correction instead");
  }
  if (from == to) {
    // Nothing moves, but a supervisor's new comment is kept in the history.
    if (comment.empty()) return change;
    Status s = store.AddReview(change.interview.seq, actor, from, to, comment);
    if (s.ok()) s = store.Audit(actor, "review", instance_id + " " + from + " -> " + to);
    if (!s.ok()) return s;
    return change;
  }
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

Status ApplyCorrections(Store& store, const Aggregates* aggregates, const ValidSubmission& sub,
                        const std::string& enumerator, AggregateDelta* delta) {
  if (!sub.deprecated_id.empty()) {
    auto original = store.FindInterview(sub.deprecated_id);
    if (!original.ok()) return original.status();
    if (*original) {
      // A correction may not reach past its own enumerator and survey: otherwise anyone could
      // take anyone's interview out of the scores.
      if ((*original)->enumerator != enumerator || (*original)->survey_id != sub.survey_id)
        return Status::Forbidden("a correction replaces only its own enumerator's interview");
      auto change = ChangeReviewState(store, aggregates, sub.deprecated_id, "deprecated",
                                      enumerator, "replaced by " + sub.instance_id, delta);
      // Already replaced by another correction: that one stands, this one stands beside it.
      if (!change.ok() && change.status().code() != StatusCode::kConflict) return change.status();
    }
  }
  auto early = store.FindEarlyCorrection(sub.instance_id, enumerator, sub.survey_id);
  if (!early.ok()) return early.status();
  if (!*early) return Status::Ok();
  auto change = ChangeReviewState(store, aggregates, sub.instance_id, "deprecated", enumerator,
                                  "replaced by " + **early + ", which arrived first", delta);
  return change.status();
}

Result<std::vector<EnumeratorInput>> ReadEnumeratorInputs(Store& store,
                                                          const Aggregates& aggregates,
                                                          const std::string& survey_id,
                                                          const std::string& team) {
  auto st = store.Cached(
      "SELECT s.seq, s.enumerator, t.team, s.started_at, s.completed_at, s.flags, "
      "e.survey_version, e.institution_id, e.likert FROM submissions s "
      "JOIN evaluations e ON e.submission_seq = s.seq LEFT JOIN tokens t ON t.name = s.enumerator "
      "WHERE s.survey_id = ?1 AND s.review_state <> 'deprecated' AND (?2 = '' OR t.team = ?2) "
      "ORDER BY s.seq, e.position");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.Bind(1, survey_id).Bind(2, team);
  std::map<std::string, EnumeratorInput> by_name;
  int64_t seq = -1;
  EnumeratorInput* current = nullptr;
  int evaluations = 0;
  long long started = 0, completed = 0;
  bool timed = false;
  auto close_interview = [&] {
    if (current && timed && evaluations > 0)
      current->minutes_per_evaluation.push_back(static_cast<double>(completed - started) / 60.0 /
                                                evaluations);
  };
  while (q.Step()) {
    if (q.Int(0) != seq) {
      close_interview();
      seq = q.Int(0);
      current = &by_name[q.Text(1)];
      current->enumerator = q.Text(1);
      if (!q.IsNull(2)) current->team = q.Text(2);
      ++current->interviews;
      ++current->per_day[std::string(q.TextView(4).substr(0, 10))];
      for (const std::string& f : SplitFlags(q.TextView(5))) ++current->flags[f];
      timed = ParseRfc3339(q.TextView(3), nullptr, &started) &&
              ParseRfc3339(q.TextView(4), nullptr, &completed);
      evaluations = 0;
    }
    ++evaluations;
    const ScoreLayout* layout = aggregates.Layout(survey_id, static_cast<int>(q.Int(6)));
    if (!layout || !layout->has_overall()) continue;
    const std::vector<int> likert = DecodeLikert(q.BlobView(8), layout->lo());
    const double overall = layout->blocks().back().Score(likert);  // "overall" is the last block
    if (std::isnan(overall)) continue;
    const int64_t x = static_cast<int64_t>(overall);
    Moments& m = current->overall[q.Text(7)];
    m.n += 1;
    m.sum += x;
    m.sum_sq += x * x;
  }
  close_interview();
  if (!q.status().ok()) return q.status();
  std::vector<EnumeratorInput> out;
  for (auto& [name, input] : by_name) out.push_back(std::move(input));
  return out;
}

}  // namespace percept
