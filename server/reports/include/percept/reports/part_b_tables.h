// Part (b) as tables an analyst opens in Excel, SPSS or R (docs/formats.md, "Part (b) tables"):
// the indicator cells and the autonomy cells of one request, network rows included, every
// statistic at full precision, as CSV with a codebook that says what each column holds.
#pragma once

#include <map>
#include <string>

#include "percept/indicator_layout.h"
#include "percept/institutions.h"
#include "percept/survey_definition.h"

namespace percept {

// One row per institution × indicator, then one per network indicator (institution_id
// "network"). Suppressed cells carry their n and nothing else.
std::string IndicatorTableCsv(const SurveyDefinition& def, const IndicatorLayout& layout,
                              const PartBReport& report,
                              const std::map<std::string, Institution>& institutions);
// One row per institution, then the network's, then one per stage band (institution_id
// "network", band set).
std::string AutonomyTableCsv(const PartBReport& report,
                             const std::map<std::string, Institution>& institutions);
// table, column, type, label_es, label_en: the columns of both tables.
std::string PartBCodebookCsv();

}  // namespace percept
