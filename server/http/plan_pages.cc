// The action plans' pages (plan_pages.h).
#include "plan_pages.h"

#include <cstdlib>

#include "pages.h"
#include "percept/reports/plans_page.h"
#include "percept/storage/waves.h"

namespace percept {

namespace {

constexpr size_t kFormBytes = 32 * 1024;

// What the form says a plan says: its goal, target value and the action rows filled in.
Result<PlanContent> ContentOf(const httplib::Request& req) {
  PlanContent c;
  c.goal = req.get_param_value("goal");
  const std::string value = req.get_param_value("target_value");
  if (!value.empty()) {
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (end == value.c_str() || *end != '\0')
      return Status::ValidationFailed("the target value is a number (e.g. 60)",
                                      {{"/target_value", "wrong_type", "a number"}});
    c.target_value = v;
  }
  for (int i = 0; i < 20; ++i) {
    const std::string n = std::to_string(i);
    PlanAction a{req.get_param_value(("what" + n).c_str()),
                 req.get_param_value(("responsible" + n).c_str()),
                 req.get_param_value(("due" + n).c_str())};
    if (!a.what.empty() || !a.responsible.empty() || !a.due.empty()) c.actions.push_back(a);
  }
  return c;
}

// A refusal as the page says it: the message and every problem.
std::string Said(const Status& s) {
  std::string out = s.message();
  for (const Detail& d : s.details()) out += " · " + d.path + ": " + d.message;
  return out;
}

}  // namespace

void PlanPages::Register(Router& router) {
  const std::vector<Role> readers = {Role::kInstitution, Role::kAnalyst, Role::kAdmin};
  router.On("GET", R"(/plans/([a-z0-9-]+))", Access::kPage, readers, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Page(req, res, *who, "");
            });
  router.On("POST", R"(/plans/([a-z0-9-]+))", Access::kPage, readers, kFormBytes,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Create(req, res, *who);
            });
  router.On("POST", R"(/plans/([a-z0-9-]+)/([0-9]{1,18}))", Access::kPage, readers, kFormBytes,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Rewrite(req, res, *who);
            });
  router.On("POST", R"(/plans/([a-z0-9-]+)/([0-9]{1,18})/state)", Access::kPage, readers,
            kFormBytes,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              State(req, res, *who);
            });
}

void PlanPages::Page(const httplib::Request& req, httplib::Response& res, const Principal& who,
                     const std::string& message) {
  auto q = scores_->QueryOf({}, req.matches[1].str(), false);
  if (!q.ok()) return SendHtmlError(req, res, q.status());
  PlansPageView v;
  v.survey = q->survey;
  v.indicators = scores_->IndicatorsOf(*q->survey);
  v.lang = Lang(req);
  v.reader = who.name;
  v.institution_role = who.role == Role::kInstitution;
  v.message = message;
  {
    auto reader = readers_->Acquire();
    if (!reader.ok()) return SendHtmlError(req, res, reader.status());
    auto waves = ListWaves(**reader, q->survey->id);
    if (!waves.ok()) return SendHtmlError(req, res, waves.status());
    v.waves = std::move(waves).value();
    // Unless one is asked for: the last wave that holds interviews (a wave defined ahead of
    // its fieldwork has no critical points yet).
    v.wave = req.get_param_value("wave");
    for (auto w = v.waves.rbegin(); v.wave.empty() && w != v.waves.rend(); ++w) {
      auto n = CountWaveInterviews(**reader, *w);
      if (!n.ok()) return SendHtmlError(req, res, n.status());
      if (*n > 0) v.wave = w->id;
    }
    if (v.wave.empty() && !v.waves.empty()) v.wave = v.waves.back().id;
  }
  auto directory = institutions_->Snapshot();
  v.institutions = directory.get();
  if (!v.wave.empty()) {
    auto points = plans_->Points(q->survey->id, v.wave, who);
    if (!points.ok()) return SendHtmlError(req, res, points.status());
    v.points = std::move(points).value();
    PlanQuery pq;
    pq.survey_id = q->survey->id;
    pq.wave_id = v.wave;
    auto plans = plans_->List(pq, who);
    if (!plans.ok()) return SendHtmlError(req, res, plans.status());
    v.plans = std::move(plans).value();
  }
  SendHtml(res, 200, RenderPlansPage(v));
}

void PlanPages::Back(const httplib::Request& req, httplib::Response& res) {
  res.status = 303;
  res.set_header("Location", "/plans/" + req.matches[1].str() + "?wave=" +
                                 UrlEncode(req.get_param_value("wave")) + "&lang=" + Lang(req));
}

void PlanPages::Create(const httplib::Request& req, httplib::Response& res, const Principal& who) {
  if (CrossSite(req))
    return SendHtmlError(req, res, Status::Forbidden("write plans from this site's own page"));
  auto content = ContentOf(req);
  if (!content.ok()) return Page(req, res, who, Said(content.status()));
  PlanRequest r;
  r.survey_id = req.matches[1].str();
  r.wave_id = req.get_param_value("wave");
  r.institution_id = req.get_param_value("institution_id");
  r.target = {req.get_param_value("kind"), req.get_param_value("dimension"),
              req.get_param_value("item"), req.get_param_value("option")};
  r.content = std::move(content).value();
  auto plan = plans_->Create(r, who);
  if (!plan.ok()) {
    if (plan.status().code() == StatusCode::kNotFound)
      return SendHtmlError(req, res, plan.status());
    return Page(req, res, who, Said(plan.status()));
  }
  if (req.get_param_value("then") == "submit") {
    auto moved = plans_->Move(plan->plan.id, "submitted", "", who);
    if (!moved.ok()) return Page(req, res, who, Said(moved.status()));
  }
  Back(req, res);
}

void PlanPages::Rewrite(const httplib::Request& req, httplib::Response& res, const Principal& who) {
  if (CrossSite(req))
    return SendHtmlError(req, res, Status::Forbidden("write plans from this site's own page"));
  auto content = ContentOf(req);
  if (!content.ok()) return Page(req, res, who, Said(content.status()));
  const int64_t id = std::stoll(req.matches[2].str());
  auto plan = plans_->Replace(id, *content, who);
  if (!plan.ok()) {
    if (plan.status().code() == StatusCode::kNotFound)
      return SendHtmlError(req, res, plan.status());
    return Page(req, res, who, Said(plan.status()));
  }
  if (req.get_param_value("then") == "submit") {
    auto moved = plans_->Move(id, "submitted", "", who);
    if (!moved.ok()) return Page(req, res, who, Said(moved.status()));
  }
  Back(req, res);
}

void PlanPages::State(const httplib::Request& req, httplib::Response& res, const Principal& who) {
  if (CrossSite(req))
    return SendHtmlError(req, res, Status::Forbidden("move plans from this site's own page"));
  auto moved = plans_->Move(std::stoll(req.matches[2].str()), req.get_param_value("state"),
                            req.get_param_value("comment"), who);
  if (!moved.ok()) {
    if (moved.status().code() == StatusCode::kNotFound)
      return SendHtmlError(req, res, moved.status());
    return Page(req, res, who, Said(moved.status()));
  }
  Back(req, res);
}

}  // namespace percept
