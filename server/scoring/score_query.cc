#include "percept/scoring/score_query.h"

#include <utility>

#include "percept/institutions.h"
#include "percept/submission.h"

namespace percept {

std::string ParamValue(const QueryParams& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

Result<ScoreQuery> ParseScoreQuery(const SurveyCatalog& catalog, const std::string& survey,
                                   const QueryParams& params, bool with_institution) {
  ScoreQuery q;
  if (survey.empty()) return Status::InvalidParameter("'survey' is required");
  q.survey = catalog.Latest(survey);
  if (!q.survey) return Status::NotFound("no such survey");
  if (with_institution) q.institution = ParamValue(params, "institution");
  q.comuna = ParamValue(params, "comuna");
  q.region = ParamValue(params, "region");
  q.from = ParamValue(params, "from");
  q.to = ParamValue(params, "to");
  q.wave = ParamValue(params, "wave");
  if (!q.wave.empty() && (!q.from.empty() || !q.to.empty()))
    return Status::InvalidParameter("'wave' names a window: give it, or 'from' and 'to', not both");
  if (q.wave.size() > 32)
    return Status::InvalidParameter("'wave' is a wave's id (at most 32 bytes)");
  const std::string compare = ParamValue(params, "compare");
  if (!compare.empty() && compare != "network" && compare != "type")
    return Status::InvalidParameter("'compare' is 'network' (the default) or 'type'");
  q.by_type = compare == "type";
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string&>{"from", q.from}, {"to", q.to}}) {
    if (!value.empty() && !IsIsoDate(value)) {
      return Status::InvalidParameter(std::string("'") + name + "' is a date, YYYY-MM-DD");
    }
  }
  if (!q.from.empty() && !q.to.empty() && q.from > q.to) {
    return Status::InvalidParameter("'from' is after 'to'");
  }
  if (!q.comuna.empty() && !IsComunaCode(q.comuna)) {
    return Status::InvalidParameter("'comuna' is a 4–5 digit commune code");
  }
  if (q.region.size() > 64) return Status::InvalidParameter("'region' is too long");
  return q;
}

}  // namespace percept
