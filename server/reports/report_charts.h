// The report's charts, drawn by the server as inline SVG: the heat map of institutions by
// dimension, indices with confidence whiskers against the network, and importance against
// performance. Each appends to `h`. Internal to server/reports.
#pragma once

#include <string>
#include <vector>

#include "percept/reports/html.h"
#include "report_view.h"

namespace percept {

void HeatMap(const ReportView& v, const std::vector<std::string>& insts, std::string& h);
void Whiskers(const ReportView& v, const std::string& inst, std::string& h);
void ImportancePerformance(const ReportView& v, const std::string& inst, std::string& h);
// One line under an institution's chart: per dimension, the least gap its n could have shown.
void MinimumDetectableGaps(const ReportView& v, const std::string& inst, std::string& h);
// The methodology's table: the minimum detectable gap per dimension at typical cell sizes, from
// the network's spread in this wave.
void MinimumDetectableGapTable(const ReportView& v, std::string& h);

}  // namespace percept
