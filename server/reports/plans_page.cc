#include "percept/reports/plans_page.h"

#include <cmath>

#include "percept/reports/html.h"
#include "report_plans.h"
#include "report_text.h"

namespace percept {

namespace {

std::string E(const std::string& s) { return HtmlEscape(s); }

std::string Hidden(const char* name, const std::string& value) {
  return std::string("<input type=hidden name=") + name + " value='" + E(value) + "'>";
}

// The form that writes or rewrites a plan: its goal, target value and up to five actions.
std::string PlanForm(const ReportView& rv, const std::string& action, const std::string& hidden,
                     const PlanView* plan) {
  std::string h = "<form class=plan method=post action='" + E(action) + "'>" + hidden +
                  Hidden("lang", rv.lang) + "<label>" + E(T(rv, "plan_goal")) +
                  "<textarea name=goal rows=2 cols=60 maxlength=2000 required>" +
                  (plan ? E(plan->plan.goal) : "") + "</textarea></label><label>" +
                  E(T(rv, "plan_target_value")) + "<input name=target_value size=6 value='" +
                  (plan && plan->plan.target_value ? Fmt(*plan->plan.target_value) : "") +
                  "'></label><table><thead><tr><th>" + E(T(rv, "plan_what")) + "</th><th>" +
                  E(T(rv, "plan_responsible")) + "</th><th>" + E(T(rv, "plan_due")) +
                  "</th></tr></thead><tbody>";
  for (int i = 0; i < 5; ++i) {
    const PlanAction* a =
        plan && i < static_cast<int>(plan->plan.actions.size()) ? &plan->plan.actions[i] : nullptr;
    const std::string n = std::to_string(i);
    h += "<tr><td><input name=what" + n + " size=40 maxlength=500 value='" + (a ? E(a->what) : "") +
         "'></td><td><input name=responsible" + n + " size=20 maxlength=500 value='" +
         (a ? E(a->responsible) : "") + "'></td><td><input type=date name=due" + n + " value='" +
         (a ? E(a->due) : "") + "'></td></tr>";
  }
  h += "</tbody></table><button name=then value=save>" + E(T(rv, "plan_save")) +
       "</button> <button name=then value=submit class=primary>" + E(T(rv, "plan_submit")) +
       "</button></form>";
  return h;
}

}  // namespace

std::string RenderPlansPage(const PlansPageView& v) {
  ReportView rv;
  rv.lang = v.lang == "en" ? "en" : "es";
  rv.survey = v.survey;
  rv.institutions = v.institutions;
  rv.indicators = v.indicators;
  const std::string title = T(rv, "plans_title");
  const std::string name = rv.lang == "en" ? v.survey->title.en : v.survey->title.es;
  std::string h = "<!doctype html><html lang='" + rv.lang +
                  "'><head><meta charset=utf-8><meta name=viewport "
                  "content='width=device-width,initial-scale=1'><title>" +
                  E(title) + " — " + E(name) + "</title><style>" + PageStyle() +
                  "</style></head><body><header><h1>" + E(title) + ": " + E(name) + "</h1><div>" +
                  E(T(rv, "signed_in")) + " " + E(v.reader) + " · <a href='?wave=" + E(v.wave) +
                  "&lang=" + (rv.lang == "en" ? "es" : "en") + "'>" +
                  (rv.lang == "en" ? "Español" : "English") +
                  "</a> <form method=post action='/sign-out' style='display:inline'><button>" +
                  E(T(rv, "sign_out")) + "</button></form></div></header><main>";
  if (!v.message.empty()) h += "<p class=warn role=alert id=message>" + E(v.message) + "</p>";
  // The wave: a plain GET form.
  h += "<section><form class=filters method=get>" + Hidden("lang", rv.lang) + "<label>" +
       E(T(rv, "wave")) + "<select name=wave>";
  for (const Wave& w : v.waves) {
    h += "<option value='" + E(w.id) + "'" + (w.id == v.wave ? " selected" : "") + ">" +
         E(w.id + (w.label.empty() ? "" : " — " + w.label)) + "</option>";
  }
  h += "</select></label><button>" + E(T(rv, "apply")) + "</button></form><p class=tick>" +
       E(T(rv, v.institution_role ? "plans_intro_institution" : "plans_intro_analyst")) +
       "</p></section>";
  if (v.waves.empty()) {
    h += "<section><p id=no-waves>" + E(T(rv, "plans_no_waves")) + "</p></section>";
  }

  // The critical points, each with its plans or a form to write one.
  auto plans_of = [&](const PlanCell& c) {
    std::vector<const PlanView*> out;
    for (const PlanView& p : v.plans)
      if (p.plan.institution_id == c.institution_id && p.plan.target == c.target) out.push_back(&p);
    return out;
  };
  if (!v.wave.empty()) {
    h += "<section id=points><h2>" + E(T(rv, "plans_points")) + "</h2>";
    if (v.points.empty()) h += "<p id=no-points>" + E(T(rv, "none")) + "</p>";
    for (const PlanCell& c : v.points) {
      const std::string what = TargetText(rv, c.target);
      h += "<article class=point data-institution='" + E(c.institution_id) + "' data-kind='" +
           E(c.target.kind) + "' data-target='" +
           E(c.target.dimension + c.target.item + (c.target.option.empty() ? "" : "=") +
             c.target.option) +
           "'><h3>" + E(InstitutionName(rv, c.institution_id)) + " · " + E(what) + " (" +
           Fmt(c.value) + ")</h3>";
      const auto plans = plans_of(c);
      for (const PlanView* p : plans) {
        h += PlanDetails(rv, *p);
        const std::string base = "/plans/" + v.survey->id + "/" + std::to_string(p->plan.id);
        if (p->plan.state == "draft" || p->plan.state == "returned") {
          h += PlanForm(rv, base, Hidden("wave", v.wave), p);
        } else if (p->plan.state == "submitted" && !v.institution_role) {
          h += "<form class=review method=post action='" + E(base + "/state") + "'>" +
               Hidden("wave", v.wave) + Hidden("lang", rv.lang) +
               "<button name=state value=accepted class=primary>" + E(T(rv, "plan_accept")) +
               "</button> <label>" + E(T(rv, "plan_comment")) +
               "<input name=comment size=40 maxlength=2000></label> <button name=state "
               "value=returned>" +
               E(T(rv, "plan_return")) + "</button></form>";
        } else if (p->plan.state == "accepted") {
          h += "<form class=done method=post action='" + E(base + "/state") + "'>" +
               Hidden("wave", v.wave) + Hidden("lang", rv.lang) + "<button name=state value=done>" +
               E(T(rv, "plan_mark_done")) + "</button></form>";
        }
      }
      if (plans.empty()) {
        h += "<details" + std::string(v.institution_role ? " open" : "") + "><summary>" +
             E(T(rv, "plan_write")) + "</summary>" +
             PlanForm(rv, "/plans/" + v.survey->id,
                      Hidden("wave", v.wave) + Hidden("institution_id", c.institution_id) +
                          Hidden("kind", c.target.kind) + Hidden("dimension", c.target.dimension) +
                          Hidden("item", c.target.item) + Hidden("option", c.target.option),
                      nullptr) +
             "</details>";
      }
      h += "</article>";
    }
    h += "</section>";
  }
  h += "</main></body></html>";
  return h;
}

}  // namespace percept
