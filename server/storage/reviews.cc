#include "percept/storage/reviews.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "percept/base/log.h"
#include "percept/storage/aggregate_tables.h"
#include "percept/storage/audit_records.h"
#include "percept/storage/review_records.h"
#include "percept/storage/submission_records.h"
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
  auto found = FindInterview(store, instance_id);
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
    Status s = AddReview(store, change.interview.seq, actor, from, to, comment);
    if (s.ok()) s = Audit(store, actor, "review", instance_id + " " + from + " -> " + to);
    if (!s.ok()) return s;
    return change;
  }
  Status s = SetReviewState(store, change.interview.seq, to);
  if (s.ok()) s = AddReview(store, change.interview.seq, actor, from, to, comment);
  // The audit trail says who moved what where, never the comment (it may quote an answer).
  if (s.ok()) s = Audit(store, actor, "review", instance_id + " " + from + " -> " + to);
  if (s.ok() && aggregates && CountsInScores(from) != CountsInScores(to))
    s = AddInterview(store, *aggregates, change.interview.seq, CountsInScores(to) ? 1 : -1, delta);
  if (!s.ok()) return s;
  change.changed = true;
  return change;
}

Result<ReviewChange> ReviewInterview(Store& store, Aggregates* aggregates,
                                     const std::string& instance_id, const std::string& to,
                                     const std::string& actor, const std::string& comment,
                                     ReviewAuthority authority,
                                     const std::function<bool(const InterviewInfo&)>& may_review) {
  auto found = FindInterview(store, instance_id);
  if (!found.ok()) return found.status();
  if (!*found || !may_review(**found)) return Status::NotFound("no such interview");
  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  AggregateDelta delta;
  auto change =
      ChangeReviewState(store, aggregates, instance_id, to, actor, comment, &delta, authority);
  if (!change.ok()) return change.status();
  Status s = AppendAggregateLog(store, delta);
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s;
  // Committed: the mirror follows at once.
  if (Status f = aggregates->Committed(store, delta); !f.ok())
    Log(LogLevel::kError, "following the aggregate log: %s", f.message().c_str());
  return change;
}

Status ApplyCorrections(Store& store, const Aggregates* aggregates, const ValidSubmission& sub,
                        const std::string& enumerator, AggregateDelta* delta) {
  if (!sub.deprecated_id.empty()) {
    auto original = FindInterview(store, sub.deprecated_id);
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
  auto early = FindEarlyCorrection(store, sub.instance_id, enumerator, sub.survey_id);
  if (!early.ok()) return early.status();
  if (!*early) return Status::Ok();
  auto change = ChangeReviewState(store, aggregates, sub.instance_id, "deprecated", enumerator,
                                  "replaced by " + **early + ", which arrived first", delta);
  return change.status();
}

namespace {

// The columns every enumerator read selects, of interviews joined with their evaluations.
#define PERCEPT_ENUMERATOR_COLUMNS                                              \
  "SELECT s.seq, s.enumerator, t.team, s.started_at, s.completed_at, s.flags, " \
  "e.survey_version, e.institution_id, e.likert FROM submissions s "            \
  "JOIN evaluations e ON e.submission_seq = s.seq LEFT JOIN tokens t ON t.name = s.enumerator "

void Bump(std::map<std::string, int64_t>& counts, const std::string& key, int sign) {
  if ((counts[key] += sign) == 0) counts.erase(key);
}

}  // namespace

Result<int64_t> AddEnumeratorRows(Statement& q, const Aggregates& aggregates,
                                  const std::string& survey_id, int sign,
                                  std::map<std::string, EnumeratorInput>* by_name) {
  int64_t seq = -1, interviews = 0;
  EnumeratorInput* current = nullptr;
  int evaluations = 0;
  long long started = 0, completed = 0;
  bool timed = false;
  auto close_interview = [&] {
    if (!current || !timed || evaluations == 0) return;
    const double minutes = static_cast<double>(completed - started) / 60.0 / evaluations;
    std::vector<double>& all = current->minutes_per_evaluation;
    if (sign > 0) {
      all.push_back(minutes);
    } else if (auto it = std::find(all.begin(), all.end(), minutes); it != all.end()) {
      all.erase(it);
    }
  };
  while (q.Step()) {
    if (q.Int(0) != seq) {
      close_interview();
      seq = q.Int(0);
      ++interviews;
      current = &(*by_name)[q.Text(1)];
      current->enumerator = q.Text(1);
      if (!q.IsNull(2)) current->team = q.Text(2);
      current->interviews += sign;
      Bump(current->per_day, std::string(q.TextView(4).substr(0, 10)), sign);
      for (const std::string& f : SplitFlags(q.TextView(5))) Bump(current->flags, f, sign);
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
    const std::string institution = q.Text(7);
    Moments& m = current->overall[institution];
    m.n += sign;
    m.sum += sign * x;
    m.sum_sq += sign * x * x;
    if (m.n == 0) current->overall.erase(institution);
  }
  close_interview();
  if (!q.status().ok()) return q.status();
  // An enumerator whose every interview was taken back is not listed, as a rebuild would not.
  for (auto it = by_name->begin(); it != by_name->end();)
    it = it->second.interviews == 0 ? by_name->erase(it) : std::next(it);
  return interviews;
}

Result<std::vector<EnumeratorInput>> ReadEnumeratorInputs(Store& store,
                                                          const Aggregates& aggregates,
                                                          const std::string& survey_id,
                                                          const std::string& team) {
  auto st = store.Cached(PERCEPT_ENUMERATOR_COLUMNS
                         "WHERE s.survey_id = ?1 AND s.review_state <> 'deprecated' AND "
                         "(?2 = '' OR t.team = ?2) ORDER BY s.seq, e.position");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.Bind(1, survey_id).Bind(2, team);
  std::map<std::string, EnumeratorInput> by_name;
  auto added = AddEnumeratorRows(q, aggregates, survey_id, +1, &by_name);
  if (!added.ok()) return added.status();
  std::vector<EnumeratorInput> out;
  for (auto& [name, input] : by_name) out.push_back(std::move(input));
  return out;
}

Status FollowEnumeratorInputs(Store& store, const Aggregates& aggregates,
                              const std::string& survey_id, EnumeratorFollow* state) {
  return store.InSnapshot([&]() -> Status {
    auto max_seq = store.Cached(
        "SELECT coalesce(max(seq), 0), count(*) FROM submissions WHERE survey_id = ?1");
    if (!max_seq.ok()) return max_seq.status();
    int64_t newest = 0, stored = 0;
    {
      ResetOnExit reset(**max_seq);
      (*max_seq)->Bind(1, survey_id);
      if (!(*max_seq)->Step()) return (*max_seq)->status();
      newest = (*max_seq)->Int(0);
      stored = (*max_seq)->Int(1);
    }
    // The interviews that arrived since: every one above the last seq read.
    auto fresh = store.Cached(PERCEPT_ENUMERATOR_COLUMNS
                              "WHERE s.survey_id = ?1 AND s.seq > ?2 AND s.seq <= ?3 AND "
                              "s.review_state <> 'deprecated' ORDER BY s.seq, e.position");
    if (!fresh.ok()) return fresh.status();
    {
      ResetOnExit reset(**fresh);
      (*fresh)->Bind(1, survey_id).Bind(2, state->read_to).Bind(3, newest);
      auto added = AddEnumeratorRows(**fresh, aggregates, survey_id, +1, &state->by_name);
      if (!added.ok()) return added.status();
      state->counted += *added;
    }
    // Corrections and an admin's undoing of one move interviews in and out.
    auto deprecated = store.Cached(
        "SELECT seq FROM submissions WHERE survey_id = ?1 AND review_state = 'deprecated' "
        "AND seq <= ?2");
    if (!deprecated.ok()) return deprecated.status();
    std::set<int64_t> now;
    {
      ResetOnExit reset(**deprecated);
      (*deprecated)->Bind(1, survey_id).Bind(2, newest);
      while ((*deprecated)->Step()) now.insert((*deprecated)->Int(0));
      if (!(*deprecated)->status().ok()) return (*deprecated)->status();
    }
    auto one = store.Cached(PERCEPT_ENUMERATOR_COLUMNS "WHERE s.seq = ?1 ORDER BY e.position");
    if (!one.ok()) return one.status();
    auto move = [&](int64_t seq, int sign) -> Status {
      ResetOnExit reset(**one);
      (*one)->Bind(1, seq);
      auto moved = AddEnumeratorRows(**one, aggregates, survey_id, sign, &state->by_name);
      if (!moved.ok()) return moved.status();
      state->counted += sign * *moved;
      return Status::Ok();
    };
    for (int64_t seq : now) {
      if (seq <= state->read_to && !state->deprecated.count(seq)) {
        if (Status s = move(seq, -1); !s.ok()) return s;
      }
    }
    for (int64_t seq : state->deprecated) {
      if (!now.count(seq)) {
        if (Status s = move(seq, +1); !s.ok()) return s;
      }
    }
    state->deprecated = std::move(now);
    state->read_to = newest;
    // Every interview up to `newest` is counted or deprecated, or something was missed (on
    // PostgreSQL a lower seq can commit after a higher one): then read it all again.
    state->whole = state->counted + static_cast<int64_t>(state->deprecated.size()) == stored;
    // A token may have changed team since its interviews were read.
    auto teams = store.Cached("SELECT name, team FROM tokens");
    if (!teams.ok()) return teams.status();
    ResetOnExit reset(**teams);
    std::map<std::string, std::string> team_of;
    while ((*teams)->Step())
      team_of[(*teams)->Text(0)] = (*teams)->IsNull(1) ? "" : (*teams)->Text(1);
    if (!(*teams)->status().ok()) return (*teams)->status();
    for (auto& [name, input] : state->by_name) input.team = team_of[name];
    return Status::Ok();
  });
}

#undef PERCEPT_ENUMERATOR_COLUMNS

}  // namespace percept
