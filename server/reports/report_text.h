// What the report pages say and how they say it: every sentence in Spanish and English, and
// the small formatters the page and its charts share. Internal to server/reports.
#pragma once

#include <string>

#include "percept/reports/html.h"
#include "report_view.h"

namespace percept {

// The sentence `key` in the view's language (keys are listed in report_text.cc).
std::string T(const ReportView& v, const char* key);
// A number with `decimals` decimals; "—" when it is not finite.
std::string Fmt(double v, int decimals = 1);
// A q-value as people read it: "< 0.001" below that, else three decimals ("—" when undefined).
// Exports keep the full value.
std::string FmtQ(double q);
// `name` in at most `max_chars` characters: when longer, its beginning and its end around "…",
// cut between words where it can, so that "Oficina Municipal de Intermediación Laboral (OMIL)
// de Talcahuano" and "… de Temuco" stay told apart.
std::string ShortName(const std::string& name, size_t max_chars);
// The heat-map colour of a 0–100 index, red to green between kColorLow and kColorHigh.
inline constexpr double kColorLow = 40, kColorHigh = 90;
std::string Color(double index);
std::string DimensionLabel(const ReportView& v, const std::string& id);
std::string InstitutionName(const ReportView& v, const std::string& id);
// The network's cell of dimension `dim`, or null.
const NetworkCell* Net(const ReportView& v, const std::string& dim);
// The cell institution `inst` is read against in dimension `dim`: under compare=type its
// type's, else the network's; null when there is none.
const NetworkCell* Reference(const ReportView& v, const std::string& inst, const std::string& dim);
// What the report calls that reference: "Red" / "Network", or "Su tipo" / "Its type".
std::string ReferenceLabel(const ReportView& v);

}  // namespace percept
