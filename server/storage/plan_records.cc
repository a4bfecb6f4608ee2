#include "percept/storage/plan_records.h"

#include <map>
#include <nlohmann/json.hpp>

namespace percept {

namespace {

std::string ActionsJson(const std::vector<PlanAction>& actions) {
  nlohmann::json list = nlohmann::json::array();
  for (const PlanAction& a : actions)
    list.push_back({{"what", a.what}, {"responsible", a.responsible}, {"due", a.due}});
  return list.dump();
}

std::vector<PlanAction> ActionsFrom(std::string_view text) {
  std::vector<PlanAction> out;
  const auto list = nlohmann::json::parse(text, nullptr, false);
  if (!list.is_array()) return out;
  for (const auto& a : list) {
    out.push_back({a.value("what", ""), a.value("responsible", ""), a.value("due", "")});
  }
  return out;
}

constexpr const char* kColumns =
    "p.id, p.survey_id, p.wave_id, p.institution_id, p.target_kind, p.target_dimension, "
    "p.target_item, p.target_option, p.goal, p.target_value, p.actions, p.state, "
    "p.first_submitted_at, p.created_by, p.created_at, p.updated_at";

ActionPlan ReadPlan(Statement& q) {
  ActionPlan p;
  p.id = q.Int(0);
  p.survey_id = q.Text(1);
  p.wave_id = q.Text(2);
  p.institution_id = q.Text(3);
  p.target = {q.Text(4), q.Text(5), q.Text(6), q.Text(7)};
  p.goal = q.Text(8);
  if (!q.IsNull(9)) p.target_value = q.Double(9);
  p.actions = ActionsFrom(q.TextView(10));
  p.state = q.Text(11);
  p.first_submitted_at = q.IsNull(12) ? "" : q.Text(12);
  p.created_by = q.Text(13);
  p.created_at = q.Text(14);
  p.updated_at = q.Text(15);
  return p;
}

Status AddHistory(Store& store, int64_t id, const PlanChange& change) {
  auto st = store.Cached(
      "INSERT INTO action_plan_history (plan_id, at, actor, from_state, to_state, comment) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  (*st)
      ->Bind(1, id)
      .Bind(2, change.at)
      .Bind(3, change.actor)
      .Bind(4, change.from)
      .Bind(5, change.to)
      .Bind(6, change.comment);
  return (*st)->Run();
}

// Every plan's history of `plans` (by id), oldest first.
Status ReadHistories(Store& store, const PlanQuery& q, std::vector<ActionPlan>& plans) {
  std::map<int64_t, ActionPlan*> by_id;
  for (ActionPlan& p : plans) by_id[p.id] = &p;
  auto st = store.Cached(
      "SELECT h.plan_id, h.at, h.actor, h.from_state, h.to_state, h.comment "
      "FROM action_plan_history h JOIN action_plans p ON p.id = h.plan_id "
      "WHERE p.survey_id = ?1 AND (?2 = '' OR p.wave_id = ?2) AND "
      "(?3 = '' OR p.institution_id = ?3) ORDER BY h.plan_id, h.id");
  if (!st.ok()) return st.status();
  Statement& h = **st;
  ResetOnExit reset(h);
  h.Bind(1, q.survey_id).Bind(2, q.wave_id).Bind(3, q.institution_id);
  while (h.Step()) {
    auto it = by_id.find(h.Int(0));
    if (it == by_id.end()) continue;  // another state than asked for
    it->second->history.push_back({h.Text(1), h.Text(2), h.Text(3), h.Text(4), h.Text(5)});
  }
  return h.status();
}

}  // namespace

Result<ActionPlan> InsertPlan(Store& store, ActionPlan plan, const std::string& actor) {
  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  const std::string now = NowRfc3339();
  auto st = store.Cached(
      "INSERT INTO action_plans (survey_id, wave_id, institution_id, target_kind, "
      "target_dimension, target_item, target_option, goal, target_value, actions, state, "
      "first_submitted_at, created_by, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', NULL, ?, ?, ?) RETURNING id");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.Bind(1, plan.survey_id)
      .Bind(2, plan.wave_id)
      .Bind(3, plan.institution_id)
      .Bind(4, plan.target.kind)
      .Bind(5, plan.target.dimension)
      .Bind(6, plan.target.item)
      .Bind(7, plan.target.option);
  q.Bind(8, plan.goal);
  if (plan.target_value)
    q.Bind(9, *plan.target_value);
  else
    q.BindNull(9);
  q.Bind(10, ActionsJson(plan.actions)).Bind(11, actor).Bind(12, now).Bind(13, now);
  if (!q.Step()) return q.status().ok() ? Status::Internal("no id for the new plan") : q.status();
  plan.id = q.Int(0);
  q.Reset();
  plan.state = "draft";
  plan.first_submitted_at.clear();
  plan.created_by = actor;
  plan.created_at = plan.updated_at = now;
  plan.history = {{now, actor, "", "draft", ""}};
  Status s = AddHistory(store, plan.id, plan.history.front());
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s;
  return plan;
}

Result<std::optional<ActionPlan>> FindPlan(Store& store, int64_t id) {
  static const std::string sql =
      std::string("SELECT ") + kColumns + " FROM action_plans p WHERE p.id = ?";
  auto st = store.Cached(sql.c_str());
  if (!st.ok()) return st.status();
  std::optional<ActionPlan> plan;
  {
    ResetOnExit reset(**st);
    (*st)->Bind(1, id);
    if ((*st)->Step()) plan = ReadPlan(**st);
    if (!(*st)->status().ok()) return (*st)->status();
  }
  if (!plan) return plan;
  auto h = store.Cached(
      "SELECT at, actor, from_state, to_state, comment FROM action_plan_history "
      "WHERE plan_id = ? ORDER BY id");
  if (!h.ok()) return h.status();
  ResetOnExit reset(**h);
  (*h)->Bind(1, id);
  while ((*h)->Step())
    plan->history.push_back(
        {(*h)->Text(0), (*h)->Text(1), (*h)->Text(2), (*h)->Text(3), (*h)->Text(4)});
  if (!(*h)->status().ok()) return (*h)->status();
  return plan;
}

Result<std::vector<ActionPlan>> ListPlans(Store& store, const PlanQuery& q) {
  std::vector<ActionPlan> plans;
  static const std::string sql =
      std::string("SELECT ") + kColumns +
      " FROM action_plans p WHERE p.survey_id = ?1 AND (?2 = '' OR p.wave_id = ?2) AND "
      "(?3 = '' OR p.institution_id = ?3) AND (?4 = '' OR p.state = ?4) ORDER BY p.id";
  auto st = store.Cached(sql.c_str());
  if (!st.ok()) return st.status();
  {
    Statement& s = **st;
    ResetOnExit reset(s);
    s.Bind(1, q.survey_id).Bind(2, q.wave_id).Bind(3, q.institution_id).Bind(4, q.state);
    while (s.Step()) plans.push_back(ReadPlan(s));
    if (!s.status().ok()) return s.status();
  }
  Status s = ReadHistories(store, q, plans);
  if (!s.ok()) return s;
  return plans;
}

Status ReplacePlanContent(Store& store, int64_t id, const std::string& goal,
                          const std::optional<double>& target_value,
                          const std::vector<PlanAction>& actions) {
  auto st = store.Cached(
      "UPDATE action_plans SET goal = ?, target_value = ?, actions = ?, updated_at = ? "
      "WHERE id = ?");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  q.Bind(1, goal);
  if (target_value)
    q.Bind(2, *target_value);
  else
    q.BindNull(2);
  q.Bind(3, ActionsJson(actions)).Bind(4, NowRfc3339()).Bind(5, id);
  return q.Run();
}

Status MovePlan(Store& store, int64_t id, const std::string& from, const std::string& to,
                const std::string& actor, const std::string& comment) {
  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  const std::string now = NowRfc3339();
  auto st = store.Cached(
      "UPDATE action_plans SET state = ?1, updated_at = ?2, first_submitted_at = "
      "CASE WHEN ?1 = 'submitted' AND first_submitted_at IS NULL THEN ?2 "
      "ELSE first_submitted_at END WHERE id = ?3 AND state = ?4 RETURNING id");
  if (!st.ok()) return st.status();
  {
    Statement& q = **st;
    ResetOnExit reset(q);
    q.Bind(1, to).Bind(2, now).Bind(3, id).Bind(4, from);
    if (!q.Step()) {
      if (!q.status().ok()) return q.status();
      return Status::Conflict("the plan is no longer " + from);
    }
  }
  Status s = AddHistory(store, id, {now, actor, from, to, comment});
  if (s.ok()) s = tx.Commit();
  return s;
}

}  // namespace percept
