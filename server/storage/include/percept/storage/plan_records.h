// Action plans as they are kept (docs/plans.md): each plan's target, goal, actions and state,
// and every change of state with who made it, as free functions over a Store. What may be
// written and by whom is the plans library's (server/plans); these only keep it. Run each
// write on the writer's thread (SubmissionWriter::RunExclusive), so that a check and its write
// see the same plan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/storage/store.h"

namespace percept {

// The cell a plan answers: a dimension of part (a), the institution's autonomy, or an
// indicator (an item and its option; no option for a yes/no item).
struct PlanTarget {
  std::string kind;  // "dimension", "autonomy" or "indicator"
  std::string dimension, item, option;
  bool operator==(const PlanTarget& o) const {
    return kind == o.kind && dimension == o.dimension && item == o.item && option == o.option;
  }
};

struct PlanAction {
  std::string what, responsible, due;  // due: YYYY-MM-DD
};

// One change of a plan's state.
struct PlanChange {
  std::string at, actor, from, to, comment;  // from "" when the plan was written
};

struct ActionPlan {
  int64_t id = 0;
  std::string survey_id, wave_id, institution_id;
  PlanTarget target;
  std::string goal;
  std::optional<double> target_value;
  std::vector<PlanAction> actions;
  std::string state;               // draft, submitted, returned, accepted, done
  std::string first_submitted_at;  // RFC 3339; "" when never submitted
  std::string created_by, created_at, updated_at;
  std::vector<PlanChange> history;  // oldest first
};

// Keeps `plan` as a new draft written by `actor` (its history begins "" -> draft); returns it
// with its id, times and history.
Result<ActionPlan> InsertPlan(Store& store, ActionPlan plan, const std::string& actor);
// The plan of that id with its history, or none.
Result<std::optional<ActionPlan>> FindPlan(Store& store, int64_t id);

struct PlanQuery {
  std::string survey_id;
  std::string wave_id, institution_id, state;  // "" for any
};
// The plans `q` selects, oldest first, each with its history.
Result<std::vector<ActionPlan>> ListPlans(Store& store, const PlanQuery& q);

// Replaces a plan's goal, target value and actions (its state is the caller's to check).
Status ReplacePlanContent(Store& store, int64_t id, const std::string& goal,
                          const std::optional<double>& target_value,
                          const std::vector<PlanAction>& actions);
// Moves a plan from state `from` to `to` and records it: Conflict when it is no longer in
// `from`. The first move to "submitted" sets first_submitted_at.
Status MovePlan(Store& store, int64_t id, const std::string& from, const std::string& to,
                const std::string& actor, const std::string& comment);

}  // namespace percept
