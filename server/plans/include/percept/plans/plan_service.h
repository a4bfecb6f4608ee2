// Action plans (docs/plans.md): an institution's answer to a critical point of a wave, who may
// write, move and read it, and how every later wave judges it (analytics/follow_up.h over the
// trend cells of scoring/trend_service.h). The layers above parse requests and write answers;
// what a plan may be, and who may do what to it, is here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/base/thread_annotations.h"
#include "percept/scoring/score_service.h"
#include "percept/scoring/trend_service.h"
#include "percept/storage/plan_records.h"
#include "percept/storage/roles.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/submission_writer.h"

namespace percept {

// What a plan says: written at creation, replaced while draft or returned.
struct PlanContent {
  std::string goal;
  std::optional<double> target_value;
  std::vector<PlanAction> actions;
};

// A new plan, as asked for.
struct PlanRequest {
  std::string survey_id, wave_id, institution_id;
  PlanTarget target;
  PlanContent content;
};

// One side of a followed-up cell: its n and value (an index, or a rate in percent);
// `suppressed` when too few answers.
struct FollowUpSide {
  int64_t n = 0;
  bool suppressed = false;
  double value = 0;
};

// A plan in a later wave (docs/plans.md, "The follow-up").
struct FollowUp {
  Wave wave;
  FollowUpSide before, after;
  TrendChange change;
  double q = std::numeric_limits<double>::quiet_NaN();
  std::string verdict;
  std::optional<bool> target_met, still_critical;
  bool post_hoc = false;
};

struct PlanView {
  ActionPlan plan;
  std::vector<FollowUp> follow_up;  // one per later wave with interviews, earliest first
};

// GET /api/v1/action-plans/summary: the coordinator's view of one wave.
struct PlanSummary {
  std::string survey_id, wave_id;
  int64_t critical_points = 0, with_plan = 0;
  std::map<std::string, int64_t> by_state;
  int64_t actions_past_due = 0;  // in plans not done, due before today
  // Per later wave: verdict -> plans.
  std::vector<std::pair<std::string, std::map<std::string, int64_t>>> verdicts;
};

// A critical point a plan may answer: what the institution's page lists.
struct PlanCell {
  std::string institution_id;
  PlanTarget target;
  double value = 0;  // the cell's index, or its rate in percent
  bool high_severity = false;
};

class PlanService {
 public:
  PlanService(ScoreService* scores, TrendService* trends, Aggregates* aggregates,
              SubmissionWriter* writer, StorePool* readers)
      : scores_(scores),
        trends_(trends),
        aggregates_(aggregates),
        writer_(writer),
        readers_(readers) {}

  // Limits on what a plan says (docs/plans.md).
  static constexpr size_t kMaxGoal = 2000, kMaxActionText = 500, kMaxActions = 20;

  // A new draft: NotFound for an unknown survey or wave, or an institution `who` may not read;
  // ValidationFailed for a missing or too long field, or a target that is not a critical point
  // of that institution in that wave as `who` sees /critical-points?wave=W.
  Result<PlanView> Create(const PlanRequest& request, const Principal& who);
  // Replaces what a draft or returned plan says: Conflict in any other state.
  Result<PlanView> Replace(int64_t id, const PlanContent& content, const Principal& who);
  // Moves a plan to `to` (docs/plans.md, "States"): Conflict for a move the states do not
  // allow, Forbidden for a role that may not make it, ValidationFailed for a return
  // without a comment.
  Result<PlanView> Move(int64_t id, const std::string& to, const std::string& comment,
                        const Principal& who);
  // The plans `q` selects that `who` may read, each with its follow-up.
  Result<std::vector<PlanView>> List(const PlanQuery& q, const Principal& who);
  // The critical points of wave `wave_id` that `who` may answer with a plan (its own, for an
  // institution), as it sees /critical-points?wave=W, worst first.
  Result<std::vector<PlanCell>> Points(const std::string& survey_id, const std::string& wave_id,
                                       const Principal& who);
  Result<PlanSummary> Summary(const std::string& survey_id, const std::string& wave_id,
                              const Principal& who);

 private:
  // The plan `id` as `who` may see it (NotFound otherwise).
  Result<ActionPlan> Readable(int64_t id, const Principal& who);
  // The follow-ups of `plans`, judged among every plan of their survey (`all`).
  Status FollowUps(const std::string& survey_id, const std::vector<ActionPlan>& all,
                   std::vector<PlanView>& views);

  // What the follow-ups read of the waves, computed as an analyst sees it and kept until an
  // interview of those waves changes (Aggregates::LastChange): the trend cells of (wave, later
  // wave) and the critical points of each later wave. Any thread.
  struct Kept {
    uint64_t changes = 0;
    std::shared_ptr<const TrendResult> trend;
    std::shared_ptr<const std::set<std::string>> critical;
  };
  Result<std::shared_ptr<const TrendResult>> KeptTrend(const std::string& survey_id, const Wave& a,
                                                       const Wave& b);
  Result<std::shared_ptr<const std::set<std::string>>> KeptCritical(const std::string& survey_id,
                                                                    const Wave& b);

  ScoreService* scores_;
  TrendService* trends_;
  Aggregates* aggregates_;
  SubmissionWriter* writer_;
  StorePool* readers_;
  Mutex mu_;
  std::map<std::string, Kept> kept_ GUARDED_BY(mu_);  // "trend a b" or "critical b"
};

}  // namespace percept
