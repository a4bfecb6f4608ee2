// Action plans for one reader (plan_service.h).
#include "percept/plans/plan_service.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <set>
#include <unordered_map>

#include "percept/critical_points.h"
#include "percept/follow_up.h"
#include "percept/storage/audit_records.h"

namespace percept {

namespace {

// Characters as a person counts them: UTF-8 code points.
size_t Characters(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  const int month = std::stoi(s.substr(5, 2)), day = std::stoi(s.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

std::string Today() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &utc);
  return buf;
}

// One key per (institution, cell): what a critical point and a plan's target share.
std::string CellKey(const std::string& institution, const PlanTarget& t) {
  return institution + "|" + t.kind + "|" + t.dimension + "|" + t.item + "|" + t.option;
}

PlanTarget TargetOf(const CriticalPoint& p) {
  switch (p.kind) {
    case CriticalPoint::Kind::kDimension:
      return {"dimension", p.dimension->dimension, "", ""};
    case CriticalPoint::Kind::kAutonomy:
      return {"autonomy", "", "", ""};
    case CriticalPoint::Kind::kIndicator:
      return {"indicator", "", p.def->item, p.def->option};
  }
  return {};
}

std::vector<Detail> ContentProblems(const PlanContent& c) {
  std::vector<Detail> problems;
  if (c.goal.empty())
    problems.push_back({"/goal", "missing", "the plan's goal: what it means to achieve"});
  else if (Characters(c.goal) > PlanService::kMaxGoal)
    problems.push_back({"/goal", "too_long", "at most 2,000 characters"});
  if (c.target_value && !std::isfinite(*c.target_value))
    problems.push_back({"/target_value", "wrong_type", "a number on the cell's scale"});
  if (c.actions.empty() || c.actions.size() > PlanService::kMaxActions)
    problems.push_back({"/actions", "count", "from 1 to 20 actions"});
  for (size_t i = 0; i < c.actions.size() && i < PlanService::kMaxActions; ++i) {
    const PlanAction& a = c.actions[i];
    const std::string at = "/actions/" + std::to_string(i);
    for (const auto& [field, text] :
         {std::make_pair("what", &a.what), std::make_pair("responsible", &a.responsible)}) {
      if (text->empty())
        problems.push_back({at + "/" + field, "missing", std::string("the action's ") + field});
      else if (Characters(*text) > PlanService::kMaxActionText)
        problems.push_back({at + "/" + field, "too_long", "at most 500 characters"});
    }
    if (!IsDate(a.due)) problems.push_back({at + "/due", "invalid", "a date, YYYY-MM-DD"});
  }
  return problems;
}

// Who may move a plan from one state to another (docs/plans.md, "States").
struct StateMove {
  const char* from;
  const char* to;
  std::vector<Role> roles;
};
const std::vector<StateMove>& Moves() {
  static const std::vector<StateMove> moves = {
      {"draft", "submitted", {Role::kInstitution, Role::kAnalyst}},
      {"returned", "submitted", {Role::kInstitution, Role::kAnalyst}},
      {"submitted", "accepted", {Role::kAnalyst, Role::kAdmin}},
      {"submitted", "returned", {Role::kAnalyst, Role::kAdmin}},
      {"accepted", "done", {Role::kInstitution, Role::kAnalyst}},
  };
  return moves;
}

const char* kStates[] = {"draft", "submitted", "returned", "accepted", "done"};

// An analyst's eyes: the follow-up and the critical points are the same whoever asks.
Principal Everyone() {
  Principal p;
  p.name = "plans";
  p.role = Role::kAnalyst;
  return p;
}

}  // namespace

Result<PlanView> PlanService::Create(const PlanRequest& r, const Principal& who) {
  std::vector<Detail> problems = ContentProblems(r.content);
  const std::string& kind = r.target.kind;
  if (kind != "dimension" && kind != "autonomy" && kind != "indicator") {
    problems.push_back({"/target/kind", "invalid", "dimension, autonomy or indicator"});
  } else if (kind == "dimension" && r.target.dimension.empty()) {
    problems.push_back({"/target/dimension", "missing", "the dimension the plan answers"});
  } else if (kind == "indicator" && r.target.item.empty()) {
    problems.push_back({"/target/item", "missing", "the item (and option) the plan answers"});
  }
  if (!problems.empty()) return Status::ValidationFailed("the plan is not valid", problems);

  // The wave's critical points as `who` sees them (compare=network, no other filter).
  if (!who.MayRead(r.institution_id)) return Status::NotFound("no such institution");
  auto q = scores_->QueryOf({{"wave", r.wave_id}}, r.survey_id, false);
  if (!q.ok()) return q.status();
  auto points = Points(r.survey_id, r.wave_id, who);
  if (!points.ok()) return points.status();
  bool critical = false;
  for (const PlanCell& p : *points)
    critical |= p.institution_id == r.institution_id && p.target == r.target;
  if (!critical) {
    return Status::ValidationFailed(
        "the plan's target is not a critical point of " + r.institution_id + " in wave " +
            r.wave_id,
        {{"/target", "not_critical",
          "a critical point of /api/v1/critical-points?survey=" + r.survey_id +
              "&wave=" + r.wave_id + " for this institution"}});
  }
  ActionPlan plan;
  plan.survey_id = q->survey->id;
  plan.wave_id = r.wave_id;
  plan.institution_id = r.institution_id;
  plan.target = r.target;
  plan.goal = r.content.goal;
  plan.target_value = r.content.target_value;
  plan.actions = r.content.actions;
  Result<ActionPlan> kept = Status::Internal("not written");
  Status s = writer_->RunExclusive([&](Store& store) {
    kept = InsertPlan(store, plan, who.name);
    if (!kept.ok()) return kept.status();
    // The audit trail says who wrote which plan, never what it says.
    return Audit(store, who.name, "plan_create",
                 "plan " + std::to_string(kept->id) + " " + plan.survey_id + " wave " +
                     plan.wave_id + " " + plan.institution_id + " " + plan.target.kind);
  });
  if (!s.ok()) return s;
  return PlanView{std::move(kept).value(), {}};
}

Result<ActionPlan> PlanService::Readable(int64_t id, const Principal& who) {
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  auto found = FindPlan(**reader, id);
  if (!found.ok()) return found.status();
  // Another institution's plan answers exactly like a plan that does not exist.
  if (!*found || !who.MayRead((*found)->institution_id))
    return Status::NotFound("no such action plan");
  return std::move(**found);
}

Result<PlanView> PlanService::Replace(int64_t id, const PlanContent& content,
                                      const Principal& who) {
  auto plan = Readable(id, who);
  if (!plan.ok()) return plan.status();
  std::vector<Detail> problems = ContentProblems(content);
  if (!problems.empty()) return Status::ValidationFailed("the plan is not valid", problems);
  Result<std::optional<ActionPlan>> now = Status::Internal("not written");
  Status s = writer_->RunExclusive([&](Store& store) {
    Transaction tx(store.db());
    if (!tx.status().ok()) return tx.status();
    auto current = FindPlan(store, id);
    if (!current.ok()) return current.status();
    if (!*current) return Status::NotFound("no such action plan");
    const std::string& state = (*current)->state;
    if (state != "draft" && state != "returned") {
      return Status::Conflict("a " + state +
                              " plan keeps what it says; only a draft or a returned plan is "
                              "rewritten");
    }
    Status done =
        ReplacePlanContent(store, id, content.goal, content.target_value, content.actions);
    if (done.ok()) done = Audit(store, who.name, "plan_edit", "plan " + std::to_string(id));
    if (done.ok()) done = tx.Commit();
    if (!done.ok()) return done;
    now = FindPlan(store, id);
    return now.status();
  });
  if (!s.ok()) return s;
  return PlanView{std::move(**now), {}};
}

Result<PlanView> PlanService::Move(int64_t id, const std::string& to, const std::string& comment,
                                   const Principal& who) {
  if (std::find(std::begin(kStates), std::end(kStates), to) == std::end(kStates)) {
    return Status::ValidationFailed(
        "the plan's state is not valid",
        {{"/state", "invalid", "submitted, accepted, returned or done"}});
  }
  if (to == "returned" && comment.empty()) {
    return Status::ValidationFailed(
        "a returned plan says why",
        {{"/comment", "missing", "what the institution should change"}});
  }
  if (Characters(comment) > kMaxGoal)
    return Status::ValidationFailed("the comment is too long",
                                    {{"/comment", "too_long", "at most 2,000 characters"}});
  auto plan = Readable(id, who);
  if (!plan.ok()) return plan.status();
  Result<std::optional<ActionPlan>> now = Status::Internal("not written");
  Status s = writer_->RunExclusive([&](Store& store) {
    auto current = FindPlan(store, id);
    if (!current.ok()) return current.status();
    if (!*current) return Status::NotFound("no such action plan");
    const std::string from = (*current)->state;
    const auto& moves = Moves();
    auto move = std::find_if(moves.begin(), moves.end(),
                             [&](const StateMove& m) { return from == m.from && to == m.to; });
    if (move == moves.end()) return Status::Conflict("a " + from + " plan cannot become " + to);
    if (std::find(move->roles.begin(), move->roles.end(), who.role) == move->roles.end()) {
      return Status::Forbidden("this role may not move a plan from " + from + " to " + to);
    }
    Status done = MovePlan(store, id, from, to, who.name, comment);
    if (done.ok())
      done = Audit(store, who.name, "plan_" + to, "plan " + std::to_string(id) + " " + from);
    if (!done.ok()) return done;
    now = FindPlan(store, id);
    return now.status();
  });
  if (!s.ok()) return s;
  return PlanView{std::move(**now), {}};
}

Result<std::vector<PlanView>> PlanService::List(const PlanQuery& q, const Principal& who) {
  if (!q.institution_id.empty() && !who.MayRead(q.institution_id))
    return Status::NotFound("no such institution");
  std::vector<ActionPlan> all;
  {
    auto reader = readers_->Acquire();
    if (!reader.ok()) return reader.status();
    PlanQuery survey;
    survey.survey_id = q.survey_id;
    auto read = ListPlans(**reader, survey);
    if (!read.ok()) return read.status();
    all = std::move(read).value();
  }
  std::vector<PlanView> views;
  for (const ActionPlan& p : all) {
    if (!who.MayRead(p.institution_id)) continue;
    if ((!q.wave_id.empty() && p.wave_id != q.wave_id) ||
        (!q.institution_id.empty() && p.institution_id != q.institution_id) ||
        (!q.state.empty() && p.state != q.state))
      continue;
    views.push_back({p, {}});
  }
  Status s = FollowUps(q.survey_id, all, views);
  if (!s.ok()) return s;
  return views;
}

Status PlanService::FollowUps(const std::string& survey_id, const std::vector<ActionPlan>& all,
                              std::vector<PlanView>& views) {
  if (views.empty()) return Status::Ok();
  std::vector<Wave> waves;
  {
    auto reader = readers_->Acquire();
    if (!reader.ok()) return reader.status();
    auto listed = ListWaves(**reader, survey_id);
    if (!listed.ok()) return listed.status();
    // The waves that hold interviews, as the mirror knows them (no count of the interviews).
    for (const Wave& w : *listed)
      if (aggregates_->HasDays(survey_id, w.from, w.to)) waves.push_back(w);
  }
  auto wave_of = [&](const std::string& id) -> const Wave* {
    for (const Wave& w : waves)
      if (w.id == id) return &w;
    return nullptr;
  };
  const IndicatorLayout* layout = nullptr;
  double min_gap = trends_->scoring().min_gap, min_gap_pp = trends_->scoring().min_gap_pp;
  auto trend = [&](const Wave& a, const Wave& b) -> Result<const TrendResult*> {
    auto t = KeptTrend(survey_id, a, b);
    if (!t.ok()) return t.status();
    layout = trends_->IndicatorsOf(*(*t)->query.filters.survey);
    return t->get();
  };
  std::map<std::string, std::shared_ptr<const std::set<std::string>>> critical;
  auto critical_in = [&](const Wave& b) -> Result<const std::set<std::string>*> {
    auto it = critical.find(b.id);
    if (it != critical.end()) return it->second.get();
    auto keys = KeptCritical(survey_id, b);
    if (!keys.ok()) return keys.status();
    return critical.emplace(b.id, *keys).first->second.get();
  };

  // A plan's cell in a trend: its two sides, change, p and own q; false when it has none.
  struct Cell {
    FollowUpSide before, after;
    TrendChange change;
    double own_q = std::numeric_limits<double>::quiet_NaN();
    bool lower_is_better = false;
    bool indicator = false;
  };
  // Each trend's cells by (institution, target), built once: thousands of plans look them up.
  std::map<const TrendResult*, std::unordered_map<std::string, Cell>> indexed;
  auto cell_of = [&](const TrendResult& t, const ActionPlan& p, Cell* out) {
    auto [it, fresh] = indexed.try_emplace(&t);
    std::unordered_map<std::string, Cell>& cells = it->second;
    if (fresh) {
      const TrendReport& r = t.report;
      auto index = [](const IndexTrend& c) {
        Cell cell;
        cell.before = {c.a.n, c.a.suppressed, c.a.index};
        cell.after = {c.b.n, c.b.suppressed, c.b.index};
        cell.change = c.change;
        cell.own_q = c.q;
        return cell;
      };
      for (const IndexTrend& c : r.cells)
        cells[CellKey(c.institution_id, {"dimension", c.dimension, "", ""})] = index(c);
      for (const IndexTrend& c : r.autonomy)
        cells[CellKey(c.institution_id, {"autonomy", "", "", ""})] = index(c);
      for (const RateTrend& c : r.indicators) {
        if (!layout) break;
        const IndicatorDef& def = layout->indicators()[c.indicator];
        Cell cell;
        cell.before = {c.a.n, c.a.suppressed, c.a.rate};
        cell.after = {c.b.n, c.b.suppressed, c.b.rate};
        cell.change = c.change;
        cell.own_q = c.q;
        cell.lower_is_better = def.valence == Valence::kBad;
        cell.indicator = true;
        cells[CellKey(c.institution_id, {"indicator", "", def.item, def.option})] = cell;
      }
    }
    auto found = cells.find(CellKey(p.institution_id, p.target));
    if (found == cells.end()) return false;
    *out = found->second;
    return true;
  };

  // Per later wave B: every plan of the survey with a cell in B, judged together.
  for (const Wave& b : waves) {
    std::vector<FollowUpInput> inputs;
    std::vector<std::pair<size_t, Cell>> listed;  // (view, its cell), for the views in B
    std::map<int64_t, size_t> view_of;
    for (size_t i = 0; i < views.size(); ++i) view_of[views[i].plan.id] = i;
    std::vector<int64_t> order;
    for (const ActionPlan& p : all) {
      const Wave* a = wave_of(p.wave_id);
      if (!a || !(a->to < b.from)) continue;
      auto t = trend(*a, b);
      if (!t.ok()) return t.status();
      Cell cell;
      if (!cell_of(**t, p, &cell)) continue;
      FollowUpInput in;
      in.cell = p.wave_id + "/" + CellKey(p.institution_id, p.target);
      // Stated in advance: first submitted before B began (returned since, or not).
      in.in_advance = !p.first_submitted_at.empty() && p.first_submitted_at.substr(0, 10) < b.from;
      in.suppressed = cell.before.suppressed || cell.after.suppressed;
      in.change = cell.change.change;
      in.p = cell.change.p;
      in.own_q = cell.own_q;
      in.min_gap = cell.indicator ? min_gap_pp : min_gap;
      in.lower_is_better = cell.lower_is_better;
      inputs.push_back(in);
      order.push_back(p.id);
      auto v = view_of.find(p.id);
      if (v != view_of.end()) listed.emplace_back(inputs.size() - 1, cell);
    }
    if (listed.empty()) continue;
    const std::vector<FollowUpVerdict> verdicts = JudgePlans(inputs);
    auto keys = critical_in(b);
    if (!keys.ok()) return keys.status();
    for (const auto& [k, cell] : listed) {
      PlanView& view = views[view_of.at(order[k])];
      const ActionPlan& p = view.plan;
      FollowUp f;
      f.wave = b;
      f.before = cell.before;
      f.after = cell.after;
      f.change = cell.change;
      f.q = verdicts[k].q;
      f.verdict = verdicts[k].verdict;
      f.post_hoc = verdicts[k].post_hoc;
      if (p.target_value && !cell.after.suppressed)
        f.target_met = TargetMet(cell.after.value, *p.target_value, cell.lower_is_better);
      if (!cell.after.suppressed)
        f.still_critical = (*keys)->count(CellKey(p.institution_id, p.target)) > 0;
      view.follow_up.push_back(f);
    }
  }
  return Status::Ok();
}

Result<std::shared_ptr<const TrendResult>> PlanService::KeptTrend(const std::string& survey_id,
                                                                  const Wave& a, const Wave& b) {
  const std::string key = "trend " + a.id + " " + b.id;
  // Taken before the computation: a change while it runs is newer, and computes again.
  const uint64_t changes = aggregates_->changes();
  {
    MutexLock lock(mu_);
    auto it = kept_.find(key);
    if (it != kept_.end() && it->second.trend &&
        aggregates_->LastChange(survey_id, a.from, a.to) <= it->second.changes &&
        aggregates_->LastChange(survey_id, b.from, b.to) <= it->second.changes)
      return it->second.trend;
  }
  auto query = trends_->QueryOf({{"waves", a.id + "," + b.id}}, survey_id);
  if (!query.ok()) return query.status();
  auto result = std::make_shared<TrendResult>();
  Status s = trends_->Run(*query, Everyone(), result.get());
  if (!s.ok()) return s;
  MutexLock lock(mu_);
  kept_[key] = {changes, result, nullptr};
  return std::shared_ptr<const TrendResult>(result);
}

Result<std::shared_ptr<const std::set<std::string>>> PlanService::KeptCritical(
    const std::string& survey_id, const Wave& b) {
  const std::string key = "critical " + b.id;
  const uint64_t changes = aggregates_->changes();
  {
    MutexLock lock(mu_);
    auto it = kept_.find(key);
    if (it != kept_.end() && it->second.critical &&
        aggregates_->LastChange(survey_id, b.from, b.to) <= it->second.changes)
      return it->second.critical;
  }
  auto points = Points(survey_id, b.id, Everyone());
  if (!points.ok()) return points.status();
  auto keys = std::make_shared<std::set<std::string>>();
  for (const PlanCell& p : *points) keys->insert(CellKey(p.institution_id, p.target));
  MutexLock lock(mu_);
  kept_[key] = {changes, nullptr, keys};
  return std::shared_ptr<const std::set<std::string>>(keys);
}

Result<std::vector<PlanCell>> PlanService::Points(const std::string& survey_id,
                                                  const std::string& wave_id,
                                                  const Principal& who) {
  auto q = scores_->QueryOf({{"wave", wave_id}}, survey_id, false);
  if (!q.ok()) return q.status();
  ScoreReport scores;
  PartBReport part_b;
  std::shared_ptr<const InstitutionCache::Directory> directory;
  Status s = scores_->Run(*q, who, &scores, &directory);
  if (s.ok()) s = scores_->RunPartB(*q, who, &part_b, &directory);
  if (!s.ok()) return s;
  std::vector<PlanCell> out;
  for (const CriticalPoint& p :
       AllCriticalPoints(scores, part_b, *scores_->IndicatorsOf(*q->survey))) {
    if (!who.MayRead(p.institution_id())) continue;
    PlanCell cell;
    cell.institution_id = p.institution_id();
    cell.target = TargetOf(p);
    cell.high_severity = p.high_severity;
    cell.value = p.dimension  ? p.dimension->stats.index
                 : p.autonomy ? p.autonomy->stats.index
                              : p.indicator->rate;
    out.push_back(cell);
  }
  return out;
}

Result<PlanSummary> PlanService::Summary(const std::string& survey_id, const std::string& wave_id,
                                         const Principal& who) {
  if (wave_id.empty())
    return Status::InvalidParameter("'wave' is required: the wave whose plans to sum up");
  auto q = scores_->QueryOf({{"wave", wave_id}}, survey_id, false);
  if (!q.ok()) return q.status();
  // An analyst's or an admin's view is everyone's: the kept critical points of the wave.
  const Wave* wave = nullptr;
  std::vector<Wave> waves;
  {
    auto reader = readers_->Acquire();
    if (!reader.ok()) return reader.status();
    auto listed = ListWaves(**reader, q->survey->id);
    if (!listed.ok()) return listed.status();
    waves = std::move(listed).value();
  }
  for (const Wave& w : waves)
    if (w.id == wave_id) wave = &w;
  if (!wave) return Status::NotFound("survey '" + survey_id + "' has no wave '" + wave_id + "'");
  auto critical = KeptCritical(q->survey->id, *wave);
  if (!critical.ok()) return critical.status();
  PlanQuery pq;
  pq.survey_id = q->survey->id;
  pq.wave_id = wave_id;
  auto plans = List(pq, who);
  if (!plans.ok()) return plans.status();
  PlanSummary out;
  out.survey_id = q->survey->id;
  out.wave_id = wave_id;
  std::set<std::string> planned;
  for (const PlanView& v : *plans) planned.insert(CellKey(v.plan.institution_id, v.plan.target));
  for (const std::string& key : **critical) {
    ++out.critical_points;
    out.with_plan += planned.count(key) > 0;
  }
  for (const char* state : kStates) out.by_state[state] = 0;
  const std::string today = Today();
  std::map<std::string, std::map<std::string, int64_t>> verdicts;
  std::vector<std::string> wave_order;
  for (const PlanView& v : *plans) {
    ++out.by_state[v.plan.state];
    if (v.plan.state != "done") {
      for (const PlanAction& a : v.plan.actions) out.actions_past_due += a.due < today;
    }
    for (const FollowUp& f : v.follow_up) {
      if (!verdicts.count(f.wave.id)) wave_order.push_back(f.wave.id);
      ++verdicts[f.wave.id][f.verdict];
    }
  }
  std::sort(wave_order.begin(), wave_order.end());
  for (const std::string& w : wave_order) out.verdicts.emplace_back(w, verdicts[w]);
  return out;
}

}  // namespace percept
