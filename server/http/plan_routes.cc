// Action plans (plan_routes.h): bodies read into the plans library's types, its answers
// written in the shape of docs/api.md, "Action plans".
#include "plan_routes.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "percept/http/http_support.h"

namespace percept {

using nlohmann::json;

namespace {

constexpr size_t kMaxPlanBody = 64 * 1024;

// Reads what a body says, noting every problem (a wrong type, an unknown field) at once.
class BodyReader {
 public:
  std::vector<Detail> problems;

  // Fields of `doc` other than `allowed` are problems.
  void Only(const json& doc, const std::string& at, std::initializer_list<const char*> allowed) {
    for (auto field = doc.begin(); field != doc.end(); ++field) {
      const std::string& key = field.key();
      if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }) ==
          allowed.end())
        problems.push_back({at + "/" + key, "unknown_field", "'" + key + "' is not a field here"});
    }
  }
  std::string String(const json& doc, const std::string& at, const char* name) {
    if (!doc.contains(name) || doc[name].is_null()) return "";
    if (!doc[name].is_string()) {
      problems.push_back({at + "/" + name, "wrong_type", std::string(name) + " is a string"});
      return "";
    }
    return doc[name].get<std::string>();
  }
  std::optional<double> Number(const json& doc, const std::string& at, const char* name) {
    if (!doc.contains(name) || doc[name].is_null()) return std::nullopt;
    if (!doc[name].is_number()) {
      problems.push_back({at + "/" + name, "wrong_type", std::string(name) + " is a number"});
      return std::nullopt;
    }
    return doc[name].get<double>();
  }
  PlanContent Content(const json& doc) {
    PlanContent c;
    c.goal = String(doc, "", "goal");
    c.target_value = Number(doc, "", "target_value");
    if (!doc.contains("actions")) return c;
    if (!doc["actions"].is_array()) {
      problems.push_back({"/actions", "wrong_type", "actions is an array"});
      return c;
    }
    size_t i = 0;
    for (const json& a : doc["actions"]) {
      const std::string at = "/actions/" + std::to_string(i++);
      if (!a.is_object()) {
        problems.push_back({at, "wrong_type", "an action is an object"});
        continue;
      }
      Only(a, at, {"what", "responsible", "due"});
      c.actions.push_back(
          {String(a, at, "what"), String(a, at, "responsible"), String(a, at, "due")});
    }
    return c;
  }
};

Result<json> Body(const httplib::Request& req) {
  auto doc = ParseJsonBody(req, 4);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object())
    return Status::ValidationFailed("a plan is a JSON object", {{"", "wrong_type", "an object"}});
  return doc;
}

json SideJson(const FollowUpSide& s, bool hide_n) {
  json out = json::object();
  if (!(s.suppressed && hide_n)) out["n"] = s.n;
  if (s.suppressed)
    out["suppressed"] = true;
  else
    out["value"] = s.value;
  return out;
}

json Number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json PlanJson(const PlanView& v, bool hide_n) {
  const ActionPlan& p = v.plan;
  json target = {{"kind", p.target.kind}};
  if (p.target.kind == "dimension") target["dimension"] = p.target.dimension;
  if (p.target.kind == "indicator") {
    target["item"] = p.target.item;
    target["option"] = p.target.option.empty() ? json(true) : json(p.target.option);
  }
  json actions = json::array();
  for (const PlanAction& a : p.actions)
    actions.push_back({{"what", a.what}, {"responsible", a.responsible}, {"due", a.due}});
  json history = json::array();
  for (const PlanChange& c : p.history) {
    history.push_back({{"at", c.at},
                       {"by", c.actor},
                       {"from", c.from.empty() ? json(nullptr) : json(c.from)},
                       {"to", c.to},
                       {"comment", c.comment}});
  }
  json follow = json::array();
  for (const FollowUp& f : v.follow_up) {
    follow.push_back(
        {{"wave", f.wave.id},
         {"before", SideJson(f.before, hide_n)},
         {"after", SideJson(f.after, hide_n)},
         {"change", Number(f.change.change)},
         {"change_low", Number(f.change.low)},
         {"change_high", Number(f.change.high)},
         {"p", Number(f.change.p)},
         {"q", Number(f.q)},
         {"verdict", f.verdict},
         {"target_met", f.target_met ? json(*f.target_met) : json(nullptr)},
         {"still_critical", f.still_critical ? json(*f.still_critical) : json(nullptr)},
         {"post_hoc", f.post_hoc}});
  }
  return {{"id", p.id},
          {"survey", p.survey_id},
          {"wave", p.wave_id},
          {"institution_id", p.institution_id},
          {"target", target},
          {"goal", p.goal},
          {"target_value", p.target_value ? json(*p.target_value) : json(nullptr)},
          {"actions", actions},
          {"state", p.state},
          {"first_submitted_at",
           p.first_submitted_at.empty() ? json(nullptr) : json(p.first_submitted_at)},
          {"created_by", p.created_by},
          {"created_at", p.created_at},
          {"updated_at", p.updated_at},
          {"history", history},
          {"follow_up", follow}};
}

}  // namespace

void PlanResource::Register(Router& router) {
  const std::vector<Role> writers = {Role::kInstitution, Role::kAnalyst, Role::kAdmin};
  router.On("POST", "/api/v1/action-plans", Access::kApi, writers, kMaxPlanBody,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Create(req, res, *who);
            });
  router.On("GET", "/api/v1/action-plans", Access::kApi, writers, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              List(req, res, *who);
            });
  router.On("GET", "/api/v1/action-plans/summary", Access::kApi, {Role::kAnalyst, Role::kAdmin}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Summary(req, res, *who);
            });
  router.On("PUT", R"(/api/v1/action-plans/([0-9]{1,18}))", Access::kApi, writers, kMaxPlanBody,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Replace(req, res, *who);
            });
  router.On("PATCH", R"(/api/v1/action-plans/([0-9]{1,18}))", Access::kApi, writers, kMaxPlanBody,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Move(req, res, *who);
            });
}

void PlanResource::Create(const httplib::Request& req, httplib::Response& res,
                          const Principal& who) {
  auto doc = Body(req);
  if (!doc.ok()) return SendError(res, doc.status());
  BodyReader r;
  r.Only(*doc, "",
         {"survey", "wave", "institution_id", "target", "goal", "target_value", "actions"});
  PlanRequest p;
  p.survey_id = r.String(*doc, "", "survey");
  p.wave_id = r.String(*doc, "", "wave");
  p.institution_id = r.String(*doc, "", "institution_id");
  if (doc->contains("target") && (*doc)["target"].is_object()) {
    const json& t = (*doc)["target"];
    r.Only(t, "/target", {"kind", "dimension", "item", "option"});
    p.target.kind = r.String(t, "/target", "kind");
    p.target.dimension = r.String(t, "/target", "dimension");
    p.target.item = r.String(t, "/target", "item");
    // A yes/no item's indicator is its answer true: no option, or "option": true.
    if (t.contains("option") && !t["option"].is_boolean())
      p.target.option = r.String(t, "/target", "option");
    else if (t.contains("option") && !t["option"].get<bool>())
      r.problems.push_back({"/target/option", "invalid", "an option's value, or true"});
  } else {
    r.problems.push_back({"/target", doc->contains("target") ? "wrong_type" : "missing",
                          "the critical point: {\"kind\", \"dimension\"|\"item\", \"option\"}"});
  }
  p.content = r.Content(*doc);
  for (const auto& [field, value] :
       {std::make_pair("/survey", &p.survey_id), std::make_pair("/wave", &p.wave_id),
        std::make_pair("/institution_id", &p.institution_id)}) {
    if (value->empty()) r.problems.push_back({field, "missing", "required"});
  }
  if (!r.problems.empty())
    return SendError(res, Status::ValidationFailed("the plan is not valid", r.problems));
  auto plan = plans_->Create(p, who);
  if (!plan.ok()) return SendError(res, plan.status());
  SendJson(res, 201, PlanJson(*plan, who.role == Role::kInstitution));
}

void PlanResource::Replace(const httplib::Request& req, httplib::Response& res,
                           const Principal& who) {
  auto doc = Body(req);
  if (!doc.ok()) return SendError(res, doc.status());
  BodyReader r;
  r.Only(*doc, "", {"goal", "target_value", "actions"});
  const PlanContent content = r.Content(*doc);
  if (!r.problems.empty())
    return SendError(res, Status::ValidationFailed("the plan is not valid", r.problems));
  auto plan = plans_->Replace(std::stoll(req.matches[1].str()), content, who);
  if (!plan.ok()) return SendError(res, plan.status());
  SendJson(res, 200, PlanJson(*plan, who.role == Role::kInstitution));
}

void PlanResource::Move(const httplib::Request& req, httplib::Response& res, const Principal& who) {
  auto doc = Body(req);
  if (!doc.ok()) return SendError(res, doc.status());
  BodyReader r;
  r.Only(*doc, "", {"state", "comment"});
  const std::string state = r.String(*doc, "", "state");
  const std::string comment = r.String(*doc, "", "comment");
  if (state.empty()) r.problems.push_back({"/state", "missing", "the state to move the plan to"});
  if (!r.problems.empty())
    return SendError(res, Status::ValidationFailed("the move is not valid", r.problems));
  auto plan = plans_->Move(std::stoll(req.matches[1].str()), state, comment, who);
  if (!plan.ok()) return SendError(res, plan.status());
  SendJson(res, 200, PlanJson(*plan, who.role == Role::kInstitution));
}

void PlanResource::List(const httplib::Request& req, httplib::Response& res, const Principal& who) {
  PlanQuery q;
  q.survey_id = req.get_param_value("survey");
  q.wave_id = req.get_param_value("wave");
  q.institution_id = req.get_param_value("institution");
  q.state = req.get_param_value("state");
  if (q.survey_id.empty()) return SendError(res, Status::InvalidParameter("'survey' is required"));
  if (!q.state.empty() && q.state != "draft" && q.state != "submitted" && q.state != "returned" &&
      q.state != "accepted" && q.state != "done") {
    return SendError(
        res, Status::InvalidParameter("'state' is draft, submitted, returned, accepted or done"));
  }
  auto plans = plans_->List(q, who);
  if (!plans.ok()) return SendError(res, plans.status());
  json items = json::array();
  for (const PlanView& v : *plans) items.push_back(PlanJson(v, who.role == Role::kInstitution));
  SendJson(res, 200, {{"items", items}});
}

void PlanResource::Summary(const httplib::Request& req, httplib::Response& res,
                           const Principal& who) {
  auto s = plans_->Summary(req.get_param_value("survey"), req.get_param_value("wave"), who);
  if (!s.ok()) return SendError(res, s.status());
  json verdicts = json::array();
  for (const auto& [wave, counts] : s->verdicts)
    verdicts.push_back({{"wave", wave}, {"verdicts", counts}});
  SendJson(res, 200,
           {{"survey", s->survey_id},
            {"wave", s->wave_id},
            {"critical_points", s->critical_points},
            {"with_plan", s->with_plan},
            {"without_plan", s->critical_points - s->with_plan},
            {"plans_by_state", s->by_state},
            {"actions_past_due", s->actions_past_due},
            {"follow_up", verdicts}});
}

}  // namespace percept
