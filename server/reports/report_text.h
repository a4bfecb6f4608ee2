// What the report pages say and how they say it: every sentence in Spanish and English, and
// the small formatters the page and its charts share. Internal to server/reports.
#pragma once

#include <string>

#include "percept/reports/report_page.h"

namespace percept {

// The pages' one style sheet (inline CSS).
const char* PageStyle();
// The sentence `key` in the view's language (keys are listed in report_text.cc).
std::string T(const ReportView& v, const char* key);
// A number with `decimals` decimals; "—" when it is not finite.
std::string Fmt(double v, int decimals = 1);
// The heat-map colour of a 0–100 index, red to green.
std::string Color(double index);
std::string DimensionLabel(const ReportView& v, const std::string& id);
std::string InstitutionName(const ReportView& v, const std::string& id);
// The network's cell of dimension `dim`, or null.
const NetworkCell* Net(const ReportView& v, const std::string& dim);

}  // namespace percept
