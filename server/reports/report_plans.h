// The action plans as the report and the plans' pages draw them (docs/plans.md): what a plan
// answers, its state, actions and follow-up, and the report's section "Plan de mejora /
// Improvement plans". Internal to server/reports.
#pragma once

#include <string>
#include <vector>

#include "percept/plans/plan_service.h"
#include "report_view.h"

namespace percept {

// What a plan's target is, as a person reads it.
std::string TargetText(const ReportView& v, const PlanTarget& target);
// A plan's state, goal, actions, the last comment and its follow-up in each later wave.
std::string PlanDetails(const ReportView& v, const PlanView& plan);
// The report's section: every plan the reader may see, by institution. Nothing without plans.
void PlansSection(const ReportView& v, std::string& h);

}  // namespace percept
