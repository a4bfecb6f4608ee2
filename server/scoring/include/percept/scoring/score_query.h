// The filters of a score request (docs/api.md, "Scores"), parsed once from a plain parameter
// map — a query string's, a command line's — into what /scores, /critical-points, part (b)'s
// endpoints and the report run. No HTTP types: the same rules hold wherever a query comes from.
#pragma once

#include <map>
#include <string>

#include "percept/base/status.h"
#include "percept/survey_definition.h"

namespace percept {

// Parameters by name, as a query string carries them (a name may repeat; the first counts).
using QueryParams = std::multimap<std::string, std::string>;

// The first value of `name` in `params`, or "" when absent.
std::string ParamValue(const QueryParams& params, const std::string& name);

struct ScoreQuery {
  const SurveyDefinition* survey = nullptr;  // the latest version of the survey asked for
  std::string institution;  // which cells to list (the API only); empty: all the reader may see
  std::string comuna, region, from, to;  // dates YYYY-MM-DD, from <= to
  // wave=ID (docs/waves.md): the wave asked for; ScoreService::QueryOf sets `from` and `to` to
  // its window.
  std::string wave;
  // compare=type: each institution against the institutions of its own type (docs/analytics.md,
  // "Method 2"); else against the whole network.
  bool by_type = false;
};

// The query for survey `survey` (NotFound when the catalog has none) from `params`: comuna,
// region, from, to, wave, compare, and institution when `with_institution`. InvalidParameter,
// saying what is wrong and what is right, for a date that is not YYYY-MM-DD, from after to, a
// wave with from or to, a comuna that is not a 4–5 digit code, a region over 64 bytes, or a
// compare other than network/type.
Result<ScoreQuery> ParseScoreQuery(const SurveyCatalog& catalog, const std::string& survey,
                                   const QueryParams& params, bool with_institution);

}  // namespace percept
