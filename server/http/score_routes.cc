// GET /api/v1/scores and /api/v1/critical-points (docs/api.md): the scoring library's reports
// (percept/scoring/score_service.h) as JSON.
#include <functional>

#include "json_writer.h"
#include "percept/critical_points.h"
#include "percept/http/http_support.h"
#include "percept/scores.h"
#include "score_routes.h"
#include "score_json.h"

namespace percept {

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
  auto query = scores_->QueryOf(req.params, req.get_param_value("survey"), /*with_institution=*/true);
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
