// Part (b) of the report (docs/analytics.md, "Part (b)"), drawn by the server like the rest:
// the critical problems and autonomy, each institution's problems profile and benefits with
// Wilson whiskers against the network, its autonomy gauge, the network's autonomy by programme
// stage, a comuna's referral circuit as a graph, and the families' proposals. Each appends to
// `h` and draws nothing when the view has no part (b). Internal to server/reports.
#pragma once

#include <string>

#include "percept/reports/html.h"
#include "report_view.h"

namespace percept {

// How a person reads an indicator: the option of a multiple choice ("Very long waits"), the
// question and its answer for a single choice, the question for a yes/no item.
std::string IndicatorLabel(const ReportView& v, const IndicatorDef& def);

void PartBCriticalTable(const ReportView& v, std::string& h);
void ProblemsProfile(const ReportView& v, const std::string& inst, std::string& h);
void AutonomyGauge(const ReportView& v, const std::string& inst, std::string& h);
void AutonomyByStage(const ReportView& v, std::string& h);
void CircuitGraph(const ReportView& v, std::string& h);
void ProposalsList(const ReportView& v, std::string& h);

}  // namespace percept
