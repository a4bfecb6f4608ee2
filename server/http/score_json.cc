#include "score_json.h"

namespace percept {

namespace {

void WriteStatistics(JsonWriter& w, const CellStatistics& s) {
  w.Field("mean", s.mean)
      .Field("sd", s.sd)
      .Field("index", s.index)
      .Field("ci_low", s.ci_low)
      .Field("ci_high", s.ci_high)
      .Field("half_width", s.half_width)
      .Field("isn", s.isn)
      .Field("isn_ci_low", s.isn_ci_low)
      .Field("isn_ci_high", s.isn_ci_high)
      .Field("cv", s.cv)
      .Field("precision", s.reliable ? "reliable" : "limited");
}

void BeginCell(JsonWriter& w, const char* kind) {
  w.BeginObject();
  if (kind) w.Field("kind", kind);
}

// "flags", "critical" and "severity" of a tested cell.
void WriteVerdict(JsonWriter& w, const char* flag, bool flagged, bool high_severity) {
  w.Key("flags").BeginArray();
  if (flagged) w.Value(flag);
  w.EndArray().Field("critical", flagged).Key("severity");
  if (flagged)
    w.Value(high_severity ? "high" : "medium");
  else
    w.Null();
}

void WriteOption(JsonWriter& w, const IndicatorDef& def) {
  w.Field("item", def.item).Key("option");
  if (def.option.empty())
    w.Value(true);
  else
    w.Value(def.option);
}

}  // namespace

void BeginReport(JsonWriter& w, const ScoreQuery& q) {
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
      .Field("compare", q.by_type ? "type" : "network")
      .EndObject();
}

void WriteScoreCell(JsonWriter& w, const ScoreCell& c, bool hide_n, const char* kind) {
  BeginCell(w, kind);
  w.Field("institution_id", c.institution_id).Field("dimension", c.dimension);
  if (!c.peer_type.empty()) w.Field("type", c.peer_type);
  if (!(c.suppressed && hide_n)) w.Field("n", c.stats.n);
  w.Field("suppressed", c.suppressed);
  if (!c.suppressed) {  // a suppressed cell says nothing but its n
    WriteStatistics(w, c.stats);
    w.Field("network_index", c.network_index)
        .Field("gap", c.gap)
        .Field("min_detectable_gap", c.mdg)
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

void WriteNetworkCell(JsonWriter& w, const NetworkCell& c, bool hide_n) {
  w.BeginObject();
  if (!c.type.empty()) w.Field("type", c.type);
  w.Field("dimension", c.dimension);
  if (!(c.suppressed && hide_n)) w.Field("n", c.stats.n);
  w.Field("suppressed", c.suppressed);
  if (!c.suppressed) {
    WriteStatistics(w, c.stats);
    w.Field("importance", c.importance)
        .Field("high_importance", c.high_importance)
        .Field("alpha", c.alpha);
  }
  w.EndObject();
}

void WriteIndicatorCell(JsonWriter& w, const IndicatorCell& c, const IndicatorDef& def, bool hide_n,
                        const char* kind) {
  BeginCell(w, kind);
  w.Field("institution_id", c.count.institution_id);
  if (!c.count.type.empty()) w.Field("type", c.count.type);
  WriteOption(w, def);
  w.Key("valence");
  if (def.valence == Valence::kNone)
    w.Null();
  else
    w.Value(def.valence == Valence::kBad ? "bad" : "good");
  if (!(c.suppressed && hide_n)) w.Field("n", c.count.n);
  w.Field("suppressed", c.suppressed);
  if (!c.suppressed) {
    w.Field("x", c.count.x)
        .Field("rate", c.rate)
        .Field("wilson_low", c.wilson.low)
        .Field("wilson_high", c.wilson.high)
        .Field("others", c.others)
        .Field("gap_pp", c.gap_pp);
    if (def.valence != Valence::kNone) {  // described options are never tested
      w.Field("p", c.p).Field("q", c.q);
      WriteVerdict(w, "worse_than_network", c.flagged, def.high_severity);
    }
  }
  w.EndObject();
}

void WriteNetworkIndicator(JsonWriter& w, const NetworkIndicator& c, const IndicatorDef& def,
                           int64_t min_n) {
  w.BeginObject();
  if (!c.type.empty()) w.Field("type", c.type);
  WriteOption(w, def);
  const bool suppressed = c.n < min_n;  // hidden from an institution reader: n 0
  w.Field("n", c.n).Field("suppressed", suppressed);
  if (!suppressed) {
    w.Field("x", c.x)
        .Field("rate", c.rate)
        .Field("wilson_low", c.wilson.low)
        .Field("wilson_high", c.wilson.high);
  }
  w.EndObject();
}

void WriteAutonomyStatistics(JsonWriter& w, const AutonomyCell& c, bool hide_n) {
  if (!(c.suppressed && hide_n)) w.Field("n", c.stats.n);
  w.Field("suppressed", c.suppressed);
  if (c.suppressed) return;
  w.Field("mean", c.stats.mean)
      .Field("sd", c.stats.sd)
      .Field("index", c.stats.index)
      .Field("ci_low", c.stats.ci_low)
      .Field("ci_high", c.stats.ci_high)
      .Field("cv", c.stats.cv)
      .Field("precision", c.stats.reliable ? "reliable" : "limited")
      .Field("full", c.full)
      .Field("full_low", c.full_wilson.low)
      .Field("full_high", c.full_wilson.high);
}

void WriteAutonomyCell(JsonWriter& w, const AutonomyCell& c, bool hide_n, const char* kind) {
  BeginCell(w, kind);
  w.Field("institution_id", c.institution_id);
  if (!c.type.empty()) w.Field("type", c.type);
  WriteAutonomyStatistics(w, c, hide_n);
  if (!c.suppressed) {
    w.Field("gap", c.gap).Field("p", c.p).Field("q", c.q);
    WriteVerdict(w, "below_network", c.flagged, /*high_severity=*/true);  // the programme's aim
  }
  w.EndObject();
}

}  // namespace percept
