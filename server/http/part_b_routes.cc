// GET /api/v1/indicators, /api/v1/autonomy and /api/v1/circuits (docs/api.md): part (b) of
// docs/analytics.md, with the filters, suppression and role scoping of /scores.
#include "part_b_routes.h"

#include <set>

#include "percept/http/http_support.h"
#include "percept/reports/part_b_tables.h"
#include "percept/storage/answer_records.h"
#include "score_json.h"

namespace percept {

namespace {

void SendWriter(httplib::Response& res, JsonWriter& w) {
  res.status = 200;
  res.set_content(w.Take(), "application/json");
}

}  // namespace

void PartBResource::Register(Router& router) {
  const std::vector<Role> readers = {Role::kAnalyst, Role::kAdmin, Role::kInstitution};
  router.On("GET", "/api/v1/indicators", Access::kApi, readers, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Indicators(req, res, *who);
            });
  router.On("GET", "/api/v1/autonomy", Access::kApi, readers, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Autonomy(req, res, *who);
            });
  // The same cells as tables for Excel, SPSS or R, with their codebook: analysts, like every
  // export.
  const std::vector<Role> analysts = {Role::kAnalyst, Role::kAdmin};
  router.On("GET", R"(/api/v1/(indicators|autonomy)\.csv)", Access::kApi, analysts, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Table(req, res, *who);
            });
  router.On("GET", "/api/v1/part-b/codebook.csv", Access::kApi, analysts, 0,
            [](const httplib::Request&, httplib::Response& res, const Principal*) {
              res.set_header("Content-Disposition", "attachment; filename=\"part-b-codebook.csv\"");
              res.set_content(PartBCodebookCsv(), "text/csv; charset=utf-8");
            });
  // Who sent a family where, per comuna: analysts only (a small comuna's edges are a few
  // families' paths).
  router.On("GET", "/api/v1/circuits", Access::kApi, {Role::kAnalyst, Role::kAdmin}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Circuits(req, res, *who);
            });
}

Result<PartBResource::Answer> PartBResource::Run(const httplib::Request& req,
                                                 const Principal& who) {
  auto query =
      scores_->QueryOf(req.params, req.get_param_value("survey"), /*with_institution=*/true);
  if (!query.ok()) return query.status();
  Answer a;
  a.q = std::move(query).value();
  std::shared_ptr<const InstitutionCache::Directory> directory;
  Status s = scores_->RunPartB(a.q, who, &a.report, &directory);
  if (!s.ok()) return s;
  a.layout = scores_->IndicatorsOf(*a.q.survey);
  a.options = scores_->part_b_options();
  a.hide_n = who.role == Role::kInstitution;
  a.visible = [&who, only = a.q.institution](const std::string& id) {
    return who.MayRead(id) && (only.empty() || id == only);
  };
  return a;
}

void PartBResource::Indicators(const httplib::Request& req, httplib::Response& res,
                               const Principal& who) {
  auto a = Run(req, who);
  if (!a.ok()) return SendError(res, a.status());
  const std::vector<IndicatorDef>& indicators = a->layout->indicators();
  const IndicatorOptions& options = a->options.indicators;
  JsonWriter w;
  BeginReport(w, a->q);
  w.Field("min_n", options.min_n).Field("min_gap_pp", options.min_gap_pp);
  // The network's cells come in the order of first appearance, which is the layout's; under
  // compare=type, the same per type, each saying its type.
  const std::vector<NetworkIndicator>& network =
      a->q.by_type ? a->report.indicators.peers : a->report.indicators.network;
  w.Key("network").BeginArray();
  for (size_t i = 0; i < network.size(); ++i)
    WriteNetworkIndicator(w, network[i], indicators[i % indicators.size()], options.min_n);
  w.EndArray().Key("cells").BeginArray();
  for (size_t i = 0; i < a->report.indicators.cells.size(); ++i) {
    const IndicatorCell& c = a->report.indicators.cells[i];
    if (a->visible(c.count.institution_id))
      WriteIndicatorCell(w, c, indicators[i % indicators.size()], a->hide_n);
  }
  w.EndArray().EndObject();
  SendWriter(res, w);
}

void PartBResource::Autonomy(const httplib::Request& req, httplib::Response& res,
                             const Principal& who) {
  auto a = Run(req, who);
  if (!a.ok()) return SendError(res, a.status());
  const ScoreQuery& q = a->q;
  if (a->layout->components().empty()) {
    return SendError(
        res, Status::NotFound("survey " + q.survey->id + " v" + std::to_string(q.survey->version) +
                              " names no components of autonomy"));
  }
  JsonWriter w;
  BeginReport(w, q);
  w.Field("min_n", a->options.autonomy.min_n).Field("min_gap", a->options.autonomy.min_gap);
  w.Key("components").BeginArray();
  for (const std::string& c : a->layout->components()) w.Value(c);
  w.EndArray().Key("network").BeginObject();
  WriteAutonomyStatistics(w, a->report.autonomy.network, a->hide_n);
  w.EndObject();
  if (a->q.by_type) {  // compare=type: each type's institutions pooled, the cells' references
    w.Key("peers").BeginArray();
    for (const AutonomyCell& peer : a->report.autonomy.peers) {
      w.BeginObject().Field("type", peer.type);
      WriteAutonomyStatistics(w, peer, a->hide_n);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("stages").BeginArray();
  for (const BandCell& b : a->report.stages) {
    w.BeginObject().Field("band", b.band);
    WriteAutonomyStatistics(w, b.cell, a->hide_n);
    w.EndObject();
  }
  w.EndArray().Key("cells").BeginArray();
  for (const AutonomyCell& c : a->report.autonomy.cells) {
    if (a->visible(c.institution_id)) WriteAutonomyCell(w, c, a->hide_n);
  }
  w.EndArray().EndObject();
  SendWriter(res, w);
}

void PartBResource::Table(const httplib::Request& req, httplib::Response& res,
                          const Principal& who) {
  auto a = Run(req, who);
  if (!a.ok()) return SendError(res, a.status());
  const bool indicators = req.matches[1].str() == "indicators";
  if (!indicators && a->layout->components().empty()) {
    return SendError(
        res, Status::NotFound("survey " + a->q.survey->id + " names no components of autonomy"));
  }
  auto directory = institutions_->Snapshot();
  const std::string name = a->q.survey->id + (indicators ? "-indicators.csv" : "-autonomy.csv");
  res.set_header("Content-Disposition", "attachment; filename=\"" + name + "\"");
  res.set_header("Link", "</api/v1/part-b/codebook.csv>; rel=\"describedby\"");
  res.set_content(indicators ? IndicatorTableCsv(*a->q.survey, *a->layout, a->report, *directory)
                             : AutonomyTableCsv(a->report, *directory),
                  "text/csv; charset=utf-8");
}

void PartBResource::Circuits(const httplib::Request& req, httplib::Response& res,
                             const Principal& who) {
  auto query =
      scores_->QueryOf(req.params, req.get_param_value("survey"), /*with_institution=*/false);
  if (!query.ok()) return SendError(res, query.status());
  const ScoreQuery& q = *query;
  if (q.comuna.empty()) {
    return SendError(res, Status::InvalidParameter("'comuna' is required: circuits are drawn "
                                                   "per comuna"));
  }
  ScoreReport scores;
  std::shared_ptr<const InstitutionCache::Directory> directory;
  Status status = scores_->Run(q, who, &scores, &directory);
  if (!status.ok()) return SendError(res, status);
  std::vector<std::string> members;
  for (const auto& [id, inst] : *directory) {
    if (inst.comuna == q.comuna) members.push_back(id);
  }
  auto reader = readers_->Acquire();
  if (!reader.ok()) return SendError(res, reader.status());
  auto edges = ListReferrals(**reader, q.survey->id, members, q.from, q.to);
  if (!edges.ok()) return SendError(res, edges.status());

  // Nodes: every institution of the comuna evaluated, or named by a referral.
  std::map<std::string, const ScoreCell*> overall;
  std::map<std::string, int64_t> evaluations;
  for (const ScoreCell& c : scores.cells) {
    if (c.dimension == "overall") overall[c.institution_id] = &c;
    evaluations[c.institution_id] = std::max(evaluations[c.institution_id], c.stats.n);
  }
  std::set<std::string> nodes;
  for (const auto& [id, n] : evaluations)
    if (n > 0) nodes.insert(id);
  for (const Referral& e : *edges) nodes.insert({e.from, e.to});

  JsonWriter w;
  BeginReport(w, q);
  w.Key("nodes").BeginArray();
  for (const std::string& id : nodes) {
    auto inst = directory->find(id);
    w.BeginObject().Field("institution_id", id);
    if (inst != directory->end())
      w.Field("name", inst->second.name)
          .Field("type", inst->second.type)
          .Field("comuna", inst->second.comuna);
    w.Field("n", evaluations.count(id) ? evaluations[id] : int64_t{0}).Key("overall_index");
    auto o = overall.find(id);
    if (o != overall.end() && !o->second->suppressed)
      w.Value(o->second->stats.index);
    else
      w.Null();
    w.EndObject();
  }
  w.EndArray().Key("edges").BeginArray();
  for (const Referral& e : *edges)
    w.BeginObject().Field("from", e.from).Field("to", e.to).Field("n", e.n).EndObject();
  w.EndArray().EndObject();
  SendWriter(res, w);
}

}  // namespace percept
