#include "report_plans.h"

#include <cmath>

#include "report_part_b.h"
#include "report_text.h"

namespace percept {

namespace {

std::string E(const std::string& s) { return HtmlEscape(s); }

}  // namespace

std::string TargetText(const ReportView& rv, const PlanTarget& t) {
  if (t.kind == "dimension") return DimensionLabel(rv, t.dimension);
  if (t.kind == "autonomy") return T(rv, "autonomy");
  if (rv.indicators) {
    for (const IndicatorDef& d : rv.indicators->indicators())
      if (d.item == t.item && d.option == t.option) return IndicatorLabel(rv, d);
  }
  return t.item + (t.option.empty() ? "" : "=" + t.option);
}

std::string PlanDetails(const ReportView& rv, const PlanView& v) {
  const ActionPlan& p = v.plan;
  std::string h =
      "<div class=plan-view data-plan='" + std::to_string(p.id) + "' data-state='" + E(p.state) +
      "'><p><b>" + E(T(rv, "plan_state")) + ":</b> <span class=state>" +
      E(T(rv, ("plan_" + p.state).c_str())) + "</span> · <b>" + E(T(rv, "plan_goal")) + ":</b> " +
      E(p.goal) +
      (p.target_value ? " · <b>" + E(T(rv, "plan_target_value")) + ":</b> " + Fmt(*p.target_value)
                      : "") +
      "</p><ul>";
  for (const PlanAction& a : p.actions)
    h += "<li>" + E(a.what) + " — " + E(a.responsible) + " — " + E(a.due) + "</li>";
  h += "</ul>";
  if (!p.history.empty() && !p.history.back().comment.empty())
    h += "<p class=warn>" + E(T(rv, "plan_comment")) + ": " + E(p.history.back().comment) + "</p>";
  for (const FollowUp& f : v.follow_up) {
    const std::string before = f.before.suppressed ? "—" : Fmt(f.before.value);
    const std::string after = f.after.suppressed ? "—" : Fmt(f.after.value);
    h += "<p class=follow-up data-wave='" + E(f.wave.id) + "' data-verdict='" + E(f.verdict) +
         "'>" + E(f.wave.id) + ": " + before + " → " + after + " (" +
         (std::isfinite(f.change.change) ? (f.change.change > 0 ? "+" : "") + Fmt(f.change.change)
                                         : "—") +
         ") · " + E(T(rv, ("verdict_" + f.verdict).c_str())) +
         (f.still_critical ? (*f.still_critical ? " · " + E(T(rv, "plan_still_critical"))
                                                : " · " + E(T(rv, "plan_no_longer_critical")))
                           : "") +
         (f.post_hoc ? " · " + E(T(rv, "plan_post_hoc")) : "") + "</p>";
  }
  h += "</div>";
  return h;
}

void PlansSection(const ReportView& v, std::string& h) {
  if (!v.plans || v.plans->empty()) return;
  h += "<section id=plans><h2>" + E(T(v, "plans_title")) + "</h2><p class=tick>" +
       E(T(v, "plans_report_note")) + "</p>";
  for (const PlanView& p : *v.plans) {
    h += "<article class=report-plan data-plan='" + std::to_string(p.plan.id) +
         "' data-institution='" + E(p.plan.institution_id) + "'><h3>" +
         E(InstitutionName(v, p.plan.institution_id)) + " · " + E(TargetText(v, p.plan.target)) +
         " · " + E(T(v, "wave")) + " " + E(p.plan.wave_id) + "</h3>" + PlanDetails(v, p) +
         "</article>";
  }
  h += "</section>";
}

}  // namespace percept
