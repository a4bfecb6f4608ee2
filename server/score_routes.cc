// GET /api/v1/scores and /api/v1/critical-points: ANALYTICS.md over the aggregates mirror.
#include <cmath>

#include "api_server_impl.h"
#include "percept/institutions.h"
#include "percept/scores.h"
#include "percept/submission.h"

namespace percept {

using nlohmann::json;

namespace {

// NaN and infinities are not JSON numbers: they are published as null.
json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

struct ScoreQuery {
  const SurveyDefinition* survey = nullptr;
  std::string institution, comuna, region, from, to;
};

void AddStatistics(json& j, const CellStatistics& s) {
  j["mean"] = Num(s.mean);
  j["sd"] = Num(s.sd);
  j["index"] = Num(s.index);
  j["ci_low"] = Num(s.ci_low);
  j["ci_high"] = Num(s.ci_high);
  j["isn"] = Num(s.isn);
  j["isn_ci_low"] = Num(s.isn_ci_low);
  j["isn_ci_high"] = Num(s.isn_ci_high);
  j["cv"] = Num(s.cv);
  j["precision"] = s.reliable ? "reliable" : "limited";
}

json CellJson(const ScoreCell& c) {
  json j = {{"institution_id", c.institution_id}, {"dimension", c.dimension}, {"n", c.stats.n},
            {"suppressed", c.suppressed}};
  if (c.suppressed) return j;  // a suppressed cell says nothing but its n
  AddStatistics(j, c.stats);
  j["network_index"] = Num(c.network_index);
  j["gap"] = Num(c.gap);
  j["p"] = Num(c.p);
  j["q"] = Num(c.q);
  j["importance"] = Num(c.importance);
  j["flags"] = c.flags;
  j["critical"] = c.critical;
  j["severity"] = c.critical ? json(c.high_severity ? "high" : "medium") : json(nullptr);
  return j;
}

json NetworkJson(const NetworkCell& c) {
  json j = {{"dimension", c.dimension}, {"n", c.stats.n}, {"suppressed", c.suppressed}};
  if (c.suppressed) return j;
  AddStatistics(j, c.stats);
  j["importance"] = Num(c.importance);
  j["high_importance"] = c.high_importance;
  j["alpha"] = Num(c.alpha);
  return j;
}

}  // namespace

Status ApiServer::Impl::RefreshAggregates() {
  // `percept rebuild-aggregates` bumps the generation; the mirror is then reloaded on the
  // writer thread, so that no commit falls between reading the table and swapping the mirror.
  auto reader = readers->Acquire();
  if (!reader.ok()) return reader.status();
  auto gen = (*reader)->GetMeta("aggregates_generation");
  if (!gen.ok()) return gen.status();
  const int64_t stored = gen->empty() ? 0 : std::stoll(*gen);
  if (stored == aggregates->loaded_generation()) return Status::Ok();
  return writer->RunExclusive([this](Store& store) { return aggregates->Load(store); });
}

void ApiServer::Impl::Scores(const httplib::Request& req, httplib::Response& res, const Principal& who,
                             bool critical_only) {
  ScoreQuery q;
  const std::string survey = req.get_param_value("survey");
  if (survey.empty()) return SendError(res, Status::InvalidParameter("'survey' is required"));
  q.survey = catalog.Latest(survey);
  if (!q.survey) return SendError(res, Status::NotFound("no such survey"));
  q.institution = req.get_param_value("institution");
  q.comuna = req.get_param_value("comuna");
  q.region = req.get_param_value("region");
  q.from = req.get_param_value("from");
  q.to = req.get_param_value("to");
  for (const auto& [name, value] : {std::pair<const char*, const std::string&>{"from", q.from}, {"to", q.to}}) {
    if (!value.empty() && !IsIsoDate(value)) {
      return SendError(res, Status::InvalidParameter(std::string("'") + name + "' is a date, YYYY-MM-DD"));
    }
  }
  if (!q.from.empty() && !q.to.empty() && q.from > q.to) {
    return SendError(res, Status::InvalidParameter("'from' is after 'to'"));
  }
  if (!q.comuna.empty() && !IsComunaCode(q.comuna)) {
    return SendError(res, Status::InvalidParameter("'comuna' is a 4–5 digit commune code"));
  }
  if (q.region.size() > 64) return SendError(res, Status::InvalidParameter("'region' is too long"));
  auto directory = institutions->Snapshot();
  if (!q.institution.empty() && (!institutions->Exists(q.institution) || !who.MayRead(q.institution))) {
    // Another institution's id answers exactly like an unknown one.
    return SendError(res, Status::NotFound("no such institution"));
  }
  directory = institutions->Snapshot();

  Status s = RefreshAggregates();
  if (!s.ok()) return SendError(res, s);
  const ScoreLayout* layout = aggregates->Layout(q.survey->id, q.survey->version);
  if (!layout) return SendError(res, Status::NotFound("no such survey"));
  auto in_population = [&](const std::string& id) {
    auto it = directory->find(id);
    if (it == directory->end()) return false;
    return (q.comuna.empty() || it->second.comuna == q.comuna) && (q.region.empty() || it->second.region == q.region);
  };
  ScoreOptions options;
  options.min_n = this->options.min_n;
  options.standard = this->options.standard;
  options.min_gap = this->options.min_gap;
  const ScoreReport report =
      ComputeScores(*layout, aggregates->Sum(q.survey->id, *layout, q.from, q.to, in_population), options);

  auto visible = [&](const ScoreCell& c) {
    return who.MayRead(c.institution_id) && (q.institution.empty() || c.institution_id == q.institution);
  };
  json out = {{"survey", q.survey->id},
              {"filters",
               {{"from", OrNull(q.from)}, {"to", OrNull(q.to)}, {"comuna", OrNull(q.comuna)},
                {"region", OrNull(q.region)}, {"institution", OrNull(q.institution)}}}};
  if (critical_only) {
    json items = json::array();
    for (const ScoreCell* c : CriticalPoints(report)) {
      if (visible(*c)) items.push_back(CellJson(*c));
    }
    out["items"] = std::move(items);
    return SendJson(res, 200, out);
  }
  out["min_n"] = options.min_n;
  out["standard"] = options.standard;
  out["min_gap"] = options.min_gap;
  json network = json::array();
  for (const NetworkCell& c : report.network) network.push_back(NetworkJson(c));
  json cells = json::array();
  for (const ScoreCell& c : report.cells) {
    if (visible(c)) cells.push_back(CellJson(c));
  }
  out["network"] = std::move(network);
  out["cells"] = std::move(cells);
  SendJson(res, 200, out);
}

}  // namespace percept
