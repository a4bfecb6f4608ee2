// GET /api/v1/scores and /api/v1/critical-points: docs/analytics.md over the aggregates mirror.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "institution_privacy.h"
#include "json_writer.h"
#include "percept/critical_points.h"
#include "percept/http/api_server.h"
#include "percept/http/http_support.h"
#include "percept/institutions.h"
#include "percept/scores.h"
#include "percept/storage/aggregate_tables.h"
#include "percept/submission.h"
#include "resources.h"
#include "score_json.h"

namespace percept {

// Each institution's type, the peers of compare=type.
static PeerTypes TypesOf(const InstitutionCache::Directory& directory) {
  PeerTypes types;
  for (const auto& [id, institution] : directory)
    types.emplace_hint(types.end(), id, institution.type);
  return types;
}

int InstitutionPeriodMonths(const std::string& period) {
  if (period == "month") return 1;
  if (period == "quarter") return 3;
  if (period == "year") return 12;
  return 0;
}

Status ScoreService::RefreshAggregates() {
  // `percept rebuild-aggregates` bumps the generation; the mirror is then reloaded on the
  // writer thread, so that no commit falls between reading the table and swapping the mirror.
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  auto gen = (*reader)->GetMeta(kGenerationKey);
  if (!gen.ok()) return gen.status();
  const int64_t stored = gen->empty() ? 0 : std::stoll(*gen);
  if (stored == aggregates_->loaded_generation()) return Status::Ok();
  return writer_->RunExclusive([this](Store& store) { return aggregates_->Load(store); });
}

Result<ScoreQuery> ScoreService::QueryOf(const httplib::Request& req, const std::string& survey,
                                         bool with_institution) const {
  ScoreQuery q;
  if (survey.empty()) return Status::InvalidParameter("'survey' is required");
  q.survey = catalog_->Latest(survey);
  if (!q.survey) return Status::NotFound("no such survey");
  if (with_institution) q.institution = req.get_param_value("institution");
  q.comuna = req.get_param_value("comuna");
  q.region = req.get_param_value("region");
  q.from = req.get_param_value("from");
  q.to = req.get_param_value("to");
  const std::string compare = req.get_param_value("compare");
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

Status ScoreService::Prepare(const ScoreQuery& q, const Principal& who,
                             std::shared_ptr<const InstitutionCache::Directory>* dir,
                             std::function<bool(const std::string&)>* include) {
  if (who.role == Role::kInstitution) {
    // Two overlapping periods, or two networks one inside the other, subtracted, would give
    // what suppression hides: a few families' answers, another institution's day. So an
    // institution reads the whole network, over all time or over one fixed window
    // (docs/security.md, "Differencing").
    if (!q.comuna.empty() || !q.region.empty()) {
      return Status::InvalidParameter(
          "institution readers compare themselves with the whole network: no 'comuna' or "
          "'region'");
    }
    const int months = InstitutionPeriodMonths(institution_period_);
    if ((!q.from.empty() || !q.to.empty()) &&
        (q.from.empty() || q.to.empty() || !IsWholeWindow(q.from, q.to, months))) {
      return Status::InvalidParameter(
          "institution readers see all time, or one whole " + institution_period_ +
          " from its first day to its last (e.g. from=2026-10-01&to=2026-" +
          (months == 1 ? "10-31" : "12-31") + ")");
    }
  }
  auto directory = institutions_->Snapshot();
  if (!q.institution.empty() && !directory->count(q.institution) &&
      institutions_->Exists(q.institution)) {
    directory = institutions_->Snapshot();  // imported since the last read: read again
  }
  if (!q.institution.empty() && (!directory->count(q.institution) || !who.MayRead(q.institution))) {
    // Another institution's id answers exactly like an unknown one.
    return Status::NotFound("no such institution");
  }

  Status s = RefreshAggregates();
  if (!s.ok()) return s;
  if (!aggregates_->Layout(q.survey->id, q.survey->version))
    return Status::NotFound("no such survey");
  *include = [directory, comuna = q.comuna, region = q.region](const std::string& id) {
    auto it = directory->find(id);
    if (it == directory->end()) return false;
    return (comuna.empty() || it->second.comuna == comuna) &&
           (region.empty() || it->second.region == region);
  };
  *dir = directory;
  return Status::Ok();
}

Status ScoreService::Run(const ScoreQuery& q, const Principal& who, ScoreReport* out,
                         std::shared_ptr<const InstitutionCache::Directory>* dir) {
  std::function<bool(const std::string&)> include;
  Status s = Prepare(q, who, dir, &include);
  if (!s.ok()) return s;
  const PeerTypes types = q.by_type ? TypesOf(**dir) : PeerTypes{};
  auto compute = [&](const std::string& from, const std::string& to) {
    return ComputeScores(
        *aggregates_->Layout(q.survey->id, q.survey->version),
        aggregates_->Sum(q.survey->id, q.survey->version, SumPart::kScores, from, to, include),
        scoring_, q.by_type ? &types : nullptr);
  };
  *out = ForReader<ScoreReport>(
      q, who, compute, [](const ScoreReport& raw, const ScoreReport& shown, ScoreReport& all) {
        HideWhatAWindowHides(raw, shown, all);
      });
  return Status::Ok();
}

template <typename Report, typename Compute, typename HideWindow>
Report ScoreService::ForReader(const ScoreQuery& q, const Principal& who, const Compute& compute,
                               const HideWindow& hide_window) const {
  Report report = compute(q.from, q.to);
  if (who.role != Role::kInstitution) return report;
  ProtectOtherInstitutions(report, who);
  if (!q.from.empty()) return report;
  // All time: what any window the reader may ask for hides, it hides too.
  for (const auto& [from, to] : InstitutionWindows(q)) {
    const Report raw = compute(from, to);
    Report shown = raw;
    ProtectOtherInstitutions(shown, who);
    hide_window(raw, shown, report);
  }
  return report;
}

std::vector<std::pair<std::string, std::string>> ScoreService::InstitutionWindows(
    const ScoreQuery& q) const {
  const auto [first, last] = aggregates_->Days(q.survey->id);
  return WholeWindows(first, last, InstitutionPeriodMonths(institution_period_));
}

Result<int64_t> ScoreService::CountExcluded(const ScoreQuery& q) const {
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  return (*reader)->CountExcluded(q.survey->id, q.from, q.to);
}

PartBOptions ScoreService::part_b_options() const {
  PartBOptions o;
  o.indicators.min_n = o.autonomy.min_n = scoring_.min_n;
  o.indicators.alpha = o.autonomy.alpha = scoring_.alpha_fdr;
  o.indicators.min_gap_pp = scoring_.min_gap_pp;
  o.autonomy.min_gap = scoring_.min_gap;
  return o;
}

Status ScoreService::RunPartB(const ScoreQuery& q, const Principal& who, PartBReport* out,
                              std::shared_ptr<const InstitutionCache::Directory>* dir) {
  std::function<bool(const std::string&)> include;
  Status s = Prepare(q, who, dir, &include);
  if (!s.ok()) return s;
  const PeerTypes types = q.by_type ? TypesOf(**dir) : PeerTypes{};
  auto compute = [&](const std::string& from, const std::string& to) {
    return ComputePartB(
        *aggregates_->Indicators(q.survey->id, q.survey->version),
        aggregates_->Sum(q.survey->id, q.survey->version, SumPart::kIndicators, from, to, include),
        part_b_options(), q.by_type ? &types : nullptr);
  };
  *out = ForReader<PartBReport>(
      q, who, compute, [this](const PartBReport& raw, const PartBReport& shown, PartBReport& all) {
        HideWhatAWindowHides(raw, shown, scoring_.min_n, all);
      });
  return Status::Ok();
}

void ScoreResource::Register(Router& router) {
  const std::vector<Role> readers = {Role::kAnalyst, Role::kAdmin, Role::kInstitution};
  router.On("GET", "/api/v1/scores", Access::kApi, readers, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Scores(req, res, *who, /*critical_only=*/false);
            });
  router.On("GET", "/api/v1/critical-points", Access::kApi, readers, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Scores(req, res, *who, /*critical_only=*/true);
            });
}

void ScoreResource::Scores(const httplib::Request& req, httplib::Response& res,
                           const Principal& who, bool critical_only) {
  auto query = scores_->QueryOf(req, req.get_param_value("survey"), /*with_institution=*/true);
  if (!query.ok()) return SendError(res, query.status());
  const ScoreQuery& q = *query;
  ScoreReport report;
  std::shared_ptr<const InstitutionCache::Directory> directory;
  Status status = scores_->Run(q, who, &report, &directory);
  if (!status.ok()) return SendError(res, status);
  const ScoreOptions& options = scores_->scoring();

  const bool hide_n = who.role == Role::kInstitution;
  auto visible = [&](const std::string& institution_id) {
    return who.MayRead(institution_id) &&
           (q.institution.empty() || institution_id == q.institution);
  };
  JsonWriter w;
  BeginReport(w, q);
  if (critical_only) {
    PartBReport part_b;
    status = scores_->RunPartB(q, who, &part_b, &directory);
    if (!status.ok()) return SendError(res, status);
    WriteCriticalPoints(w, report, part_b, *scores_->IndicatorsOf(*q.survey), visible, hide_n);
  } else {
    // How many interviews a supervisor rejected or a correction replaced (docs/supervision.md):
    // the scores leave them out, and say so.
    auto excluded = scores_->CountExcluded(q);
    if (!excluded.ok()) return SendError(res, excluded.status());
    w.Field("method", 2)
        .Field("min_n", options.min_n)
        .Field("standard", options.standard)
        .Field("min_gap", options.min_gap)
        .Field("excluded", *excluded);
    // compare=type: the network cells are each type's, and say which.
    w.Key("network").BeginArray();
    for (const NetworkCell& c : report.by_type ? report.peers : report.network)
      WriteNetworkCell(w, c, hide_n);
    w.EndArray().Key("cells").BeginArray();
    for (const ScoreCell& c : report.cells) {
      if (visible(c.institution_id)) WriteScoreCell(w, c, hide_n);
    }
    w.EndArray();
  }
  w.EndObject();
  res.status = 200;
  res.set_content(w.Take(), "application/json");
}

void ScoreResource::WriteCriticalPoints(JsonWriter& w, const ScoreReport& report,
                                        const PartBReport& part_b, const IndicatorLayout& layout,
                                        const std::function<bool(const std::string&)>& visible,
                                        bool hide_n) {
  w.Key("items").BeginArray();
  for (const CriticalPoint& p : AllCriticalPoints(report, part_b, layout)) {
    if (!visible(p.institution_id())) continue;
    switch (p.kind) {
      case CriticalPoint::Kind::kDimension:
        WriteScoreCell(w, *p.dimension, hide_n, p.kind_name());
        break;
      case CriticalPoint::Kind::kAutonomy:
        WriteAutonomyCell(w, *p.autonomy, hide_n, p.kind_name());
        break;
      case CriticalPoint::Kind::kIndicator:
        WriteIndicatorCell(w, *p.indicator, *p.def, hide_n, p.kind_name());
        break;
    }
  }
  w.EndArray();
}

}  // namespace percept
