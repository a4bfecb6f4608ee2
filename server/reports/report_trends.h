// The report's waves (docs/waves.md, "In the report"): the cells that improved or worsened
// between the last two waves, marked in the heat map; a "what changed" table a consultant can
// hand on; and per institution a small multiple of its six indices across the waves with their
// intervals. Each draws nothing when the view has no trends (fewer than two waves with
// interviews). Internal to server/reports.
#pragma once

#include <string>
#include <vector>

#include "report_view.h"

namespace percept {

// The heat map's mark for `inst`'s `dim` between the last two waves: " ↑" improved, " ↓"
// worsened, "" otherwise.
std::string TrendMark(const ReportView& v, const std::string& inst, const std::string& dim);
void TrendSection(const ReportView& v, const std::vector<std::string>& insts, std::string& h);

}  // namespace percept
