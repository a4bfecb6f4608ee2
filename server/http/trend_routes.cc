// GET /api/v1/trends (trend_routes.h): the shape of docs/analytics.md, "Trend cells".
#include "trend_routes.h"

#include "json_writer.h"
#include "percept/http/http_support.h"

namespace percept {

namespace {

// One wave's side of an index cell; a suppressed side says nothing but its n (analysts).
void WriteSide(JsonWriter& w, const char* key, const IndexSide& s, bool hide_n, bool network) {
  w.Key(key).BeginObject();
  if (!(s.suppressed && hide_n)) w.Field("n", s.n);
  if (s.suppressed) {
    w.Field("suppressed", true);
  } else {
    if (network) w.Field("interviews", s.h);
    w.Field("index", s.index).Field("ci_low", s.ci_low).Field("ci_high", s.ci_high);
  }
  w.EndObject();
}

void WriteSide(JsonWriter& w, const char* key, const RateSide& s, bool hide_n) {
  w.Key(key).BeginObject();
  if (!(s.suppressed && hide_n)) w.Field("n", s.n);
  if (s.suppressed)
    w.Field("suppressed", true);
  else
    w.Field("x", s.x).Field("rate", s.rate);
  w.EndObject();
}

void WriteFlags(JsonWriter& w, double q, const std::vector<std::string>& flags) {
  w.Field("q", q).Key("flags").BeginArray();
  for (const std::string& f : flags) w.Value(f);
  w.EndArray();
}

// An index cell: the network's (never flagged), an institution's overall (described, never
// flagged) or an institution's dimension or autonomy.
void WriteIndex(JsonWriter& w, const IndexTrend& c, bool hide_n) {
  const bool network = c.institution_id.empty();
  w.BeginObject();
  if (!network) w.Field("institution_id", c.institution_id);
  if (c.dimension != "autonomy") w.Field("dimension", c.dimension);
  WriteSide(w, "a", c.a, hide_n, network);
  WriteSide(w, "b", c.b, hide_n, network);
  w.Field("change", c.change.change)
      .Field("change_low", c.change.low)
      .Field("change_high", c.change.high)
      .Field("df", c.change.df)
      .Field("p", c.change.p);
  if (!network) {
    if (c.dimension == "overall")
      w.Key("q").Null();
    else
      WriteFlags(w, c.q, c.flags);
  }
  w.EndObject();
}

void WriteRate(JsonWriter& w, const RateTrend& c, const IndicatorDef& def, bool hide_n) {
  const bool network = c.institution_id.empty();
  w.BeginObject();
  if (!network) w.Field("institution_id", c.institution_id);
  w.Field("item", def.item).Key("option");
  if (def.option.empty())
    w.Value(true);
  else
    w.Value(def.option);
  w.Field("valence", def.valence == Valence::kBad ? "bad" : "good");
  WriteSide(w, "a", c.a, hide_n);
  WriteSide(w, "b", c.b, hide_n);
  w.Field("change_pp", c.change.change)
      .Field("change_low", c.change.low)
      .Field("change_high", c.change.high);
  if (network) w.Field("df", c.change.df);
  w.Field("p", c.change.p);
  if (!network) WriteFlags(w, c.q, c.flags);
  w.EndObject();
}

void WriteWave(JsonWriter& w, const Wave& wave) {
  w.BeginObject()
      .Field("id", wave.id)
      .Field("label", wave.label)
      .Field("from", wave.from)
      .Field("to", wave.to)
      .EndObject();
}

}  // namespace

void TrendResource::Register(Router& router) {
  router.On("GET", "/api/v1/trends", Access::kApi,
            {Role::kAnalyst, Role::kAdmin, Role::kInstitution}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Trends(req, res, *who);
            });
}

void TrendResource::Trends(const httplib::Request& req, httplib::Response& res,
                           const Principal& who) {
  auto query = trends_->QueryOf(req.params, req.get_param_value("survey"));
  if (!query.ok()) return SendError(res, query.status());
  TrendResult result;
  Status status = trends_->Run(*query, who, &result);
  if (!status.ok()) return SendError(res, status);
  const TrendQuery& q = result.query;
  const TrendReport& r = result.report;
  const std::vector<IndicatorDef>& defs = trends_->IndicatorsOf(*q.filters.survey)->indicators();
  const bool hide_n = who.role == Role::kInstitution;
  auto visible = [&](const std::string& id) {
    return who.MayRead(id) && (q.filters.institution.empty() || id == q.filters.institution);
  };

  JsonWriter w;
  w.BeginObject().Field("survey", q.filters.survey->id).Key("waves").BeginArray();
  WriteWave(w, q.a);
  WriteWave(w, q.b);
  w.EndArray()
      .Key("filters")
      .BeginObject()
      .Key("comuna")
      .StringOrNull(q.filters.comuna)
      .Key("region")
      .StringOrNull(q.filters.region)
      .Key("institution")
      .StringOrNull(q.filters.institution)
      .EndObject();
  const ScoreOptions& o = trends_->scoring();
  w.Field("min_n", o.min_n)
      .Field("min_gap", o.min_gap)
      .Field("min_gap_pp", o.min_gap_pp)
      .Field("panel_n", result.panel_n);
  w.Key("network").BeginArray();
  for (const IndexTrend& c : r.network) WriteIndex(w, c, hide_n);
  w.EndArray().Key("cells").BeginArray();
  for (const IndexTrend& c : r.cells)
    if (visible(c.institution_id)) WriteIndex(w, c, hide_n);
  w.EndArray().Key("autonomy").BeginObject().Key("network");
  if (r.has_autonomy)
    WriteIndex(w, r.autonomy_network, hide_n);
  else
    w.Null();
  w.Key("cells").BeginArray();
  for (const IndexTrend& c : r.autonomy)
    if (visible(c.institution_id)) WriteIndex(w, c, hide_n);
  w.EndArray().EndObject().Key("indicators").BeginObject().Key("network").BeginArray();
  for (const RateTrend& c : r.indicators_network) WriteRate(w, c, defs[c.indicator], hide_n);
  w.EndArray().Key("cells").BeginArray();
  for (const RateTrend& c : r.indicators)
    if (visible(c.institution_id)) WriteRate(w, c, defs[c.indicator], hide_n);
  w.EndArray().EndObject().EndObject();
  res.status = 200;
  res.set_content(w.Take(), "application/json");
}

}  // namespace percept
