// GET /api/v1/scores and /api/v1/critical-points: ANALYTICS.md over the aggregates mirror.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "api_server_impl.h"
#include "json_writer.h"
#include "percept/institutions.h"
#include "percept/scores.h"
#include "percept/submission.h"

namespace percept {

namespace {

void WriteStatistics(JsonWriter& w, const CellStatistics& s) {
  w.Field("mean", s.mean)
      .Field("sd", s.sd)
      .Field("index", s.index)
      .Field("ci_low", s.ci_low)
      .Field("ci_high", s.ci_high)
      .Field("isn", s.isn)
      .Field("isn_ci_low", s.isn_ci_low)
      .Field("isn_ci_high", s.isn_ci_high)
      .Field("cv", s.cv)
      .Field("precision", s.reliable ? "reliable" : "limited");
}

void WriteCell(JsonWriter& w, const ScoreCell& c) {
  w.BeginObject()
      .Field("institution_id", c.institution_id)
      .Field("dimension", c.dimension)
      .Field("n", c.stats.n)
      .Field("suppressed", c.suppressed);
  if (!c.suppressed) {  // a suppressed cell says nothing but its n
    WriteStatistics(w, c.stats);
    w.Field("network_index", c.network_index)
        .Field("gap", c.gap)
        .Field("p", c.p)
        .Field("q", c.q)
        .Field("importance", c.importance);
    w.Key("flags").BeginArray();
    for (const std::string& f : c.flags) w.Value(f);
    w.EndArray().Field("critical", c.critical).Key("severity");
    if (c.critical)
      w.Value(c.high_severity ? "high" : "medium");
    else
      w.Null();
  }
  w.EndObject();
}

void WriteNetworkCell(JsonWriter& w, const NetworkCell& c) {
  w.BeginObject()
      .Field("dimension", c.dimension)
      .Field("n", c.stats.n)
      .Field("suppressed", c.suppressed);
  if (!c.suppressed) {
    WriteStatistics(w, c.stats);
    w.Field("importance", c.importance)
        .Field("high_importance", c.high_importance)
        .Field("alpha", c.alpha);
  }
  w.EndObject();
}

}  // namespace

// An institution sees the network as its benchmark, but a network of one or two other
// institutions (a small commune, a narrow filter) would show them almost cell for cell. Below
// kMinOthers other institutions with evaluations in a dimension, that dimension's network cell
// is suppressed for this reader, and so is everything of its own cells that is read against the
// network (network index, gap, p, q, the below_network flag).
static void ProtectOtherInstitutions(ScoreReport& report, const Principal& who) {
  constexpr int kMinOthers = 3;
  std::map<std::string, int> others;
  for (const ScoreCell& c : report.cells) {
    if (c.stats.n > 0 && !who.MayRead(c.institution_id)) others[c.dimension]++;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (NetworkCell& net : report.network) {
    if (others[net.dimension] >= kMinOthers) continue;
    net.suppressed = true;
    for (ScoreCell& c : report.cells) {
      if (c.dimension != net.dimension) continue;
      c.network_index = c.gap = c.p = c.q = c.importance = nan;
      c.flags.erase(std::remove(c.flags.begin(), c.flags.end(), "below_network"), c.flags.end());
      c.critical = !c.flags.empty();
    }
  }
}

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

Status ApiServer::Impl::PrepareScores(const httplib::Request& req, const Principal& who,
                                      ScoreQuery& q, ScoreReport* out,
                                      std::shared_ptr<const InstitutionCache::Directory>* dir) {
  const std::string survey = req.get_param_value("survey");
  if (survey.empty()) return Status::InvalidParameter("'survey' is required");
  q.survey = catalog.Latest(survey);
  if (!q.survey) return Status::NotFound("no such survey");
  q.institution = req.get_param_value("institution");
  q.comuna = req.get_param_value("comuna");
  q.region = req.get_param_value("region");
  q.from = req.get_param_value("from");
  q.to = req.get_param_value("to");
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
  auto directory = institutions->Snapshot();
  if (!q.institution.empty() &&
      (!institutions->Exists(q.institution) || !who.MayRead(q.institution))) {
    // Another institution's id answers exactly like an unknown one.
    return Status::NotFound("no such institution");
  }
  directory = institutions->Snapshot();

  Status s = RefreshAggregates();
  if (!s.ok()) return s;
  const ScoreLayout* layout = aggregates->Layout(q.survey->id, q.survey->version);
  if (!layout) return Status::NotFound("no such survey");
  auto in_population = [&](const std::string& id) {
    auto it = directory->find(id);
    if (it == directory->end()) return false;
    return (q.comuna.empty() || it->second.comuna == q.comuna) &&
           (q.region.empty() || it->second.region == q.region);
  };
  *out = ComputeScores(*layout, aggregates->Sum(q.survey->id, *layout, q.from, q.to, in_population),
                       Scoring());
  if (who.role == Role::kInstitution) ProtectOtherInstitutions(*out, who);
  *dir = directory;
  return Status::Ok();
}

void ApiServer::Impl::Scores(const httplib::Request& req, httplib::Response& res,
                             const Principal& who, bool critical_only) {
  ScoreQuery q;
  ScoreReport report;
  std::shared_ptr<const InstitutionCache::Directory> directory;
  Status status = PrepareScores(req, who, q, &report, &directory);
  if (!status.ok()) return SendError(res, status);
  const ScoreOptions options = Scoring();

  auto visible = [&](const ScoreCell& c) {
    return who.MayRead(c.institution_id) &&
           (q.institution.empty() || c.institution_id == q.institution);
  };
  JsonWriter w;
  w.BeginObject()
      .Field("survey", q.survey->id)
      .Key("filters")
      .BeginObject()
      .Key("from")
      .StringOrNull(q.from)
      .Key("to")
      .StringOrNull(q.to)
      .Key("comuna")
      .StringOrNull(q.comuna)
      .Key("region")
      .StringOrNull(q.region)
      .Key("institution")
      .StringOrNull(q.institution)
      .EndObject();
  if (critical_only) {
    w.Key("items").BeginArray();
    for (const ScoreCell* c : CriticalPoints(report)) {
      if (visible(*c)) WriteCell(w, *c);
    }
    w.EndArray();
  } else {
    w.Field("min_n", options.min_n)
        .Field("standard", options.standard)
        .Field("min_gap", options.min_gap);
    w.Key("network").BeginArray();
    for (const NetworkCell& c : report.network) WriteNetworkCell(w, c);
    w.EndArray().Key("cells").BeginArray();
    for (const ScoreCell& c : report.cells) {
      if (visible(c)) WriteCell(w, c);
    }
    w.EndArray();
  }
  w.EndObject();
  res.status = 200;
  res.set_content(w.Take(), "application/json");
}

}  // namespace percept
