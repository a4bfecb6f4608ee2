#include "report_trends.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report_part_b.h"
#include "report_text.h"

namespace percept {

namespace {

bool Has(const std::vector<std::string>& flags, const char* flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

const char* Verdict(const std::vector<std::string>& flags) {
  return Has(flags, "improved") ? "improved" : Has(flags, "worsened") ? "worsened" : nullptr;
}

std::string ChangeInterval(double low, double high) {
  return std::isfinite(low) ? Fmt(low) + " – " + Fmt(high) : "—";
}

std::string Side(const IndexSide& s) { return s.suppressed ? "—" : Fmt(s.index); }
std::string Side(const RateSide& s) { return s.suppressed ? "—" : Fmt(s.rate) + "%"; }

// One row of the "what changed" table.
void Row(const ReportView& v, const std::string& inst, const std::string& measure,
         const std::string& a, const std::string& b, const TrendChange& c, double q,
         const char* verdict, const std::string& unit, std::string& h) {
  h += "<tr data-institution='" + HtmlEscape(inst) + "' data-verdict='" + verdict + "'><td>" +
       HtmlEscape(InstitutionName(v, inst)) + "</td><td>" + HtmlEscape(measure) +
       "</td><td class=num>" + a + "</td><td class=num>" + b + "</td><td class=num>" +
       (c.change > 0 ? "+" : "") + Fmt(c.change) + unit + "</td><td class=num>" +
       ChangeInterval(c.low, c.high) + "</td><td class=num>" + FmtQ(q) +
       "</td><td class=" + verdict + ">" + HtmlEscape(T(v, verdict)) + "</td></tr>";
}

// An institution's six indices across the waves: one small panel per dimension, a dot per wave
// at its index, a line over its 95% interval; a suppressed wave leaves a gap.
void SmallMultiple(const ReportView& v, const std::string& inst, std::string& h) {
  const ReportTrends& t = *v.trends;
  const auto& dims = v.survey->dimensions;
  const int panel_w = 150, panel_h = 110, top = 18, bottom = 20, left = 26;
  const int waves = static_cast<int>(t.waves.size());
  const int width = panel_w * static_cast<int>(dims.size());
  h += "<svg class='trend' data-institution='" + HtmlEscape(inst) + "' viewBox='0 0 " +
       std::to_string(width) + " " + std::to_string(panel_h) + "' width='" + std::to_string(width) +
       "' role='img' aria-label='" + HtmlEscape(T(v, "small_multiples")) + " — " +
       HtmlEscape(InstitutionName(v, inst)) + "'>";
  auto y_of = [&](double index) {
    return top + (panel_h - top - bottom) * (100 - std::clamp(index, 0.0, 100.0)) / 100;
  };
  for (size_t d = 0; d < dims.size(); ++d) {
    const int x0 = panel_w * static_cast<int>(d);
    h += "<g data-dimension='" + dims[d].id + "'><text x='" + std::to_string(x0 + panel_w / 2) +
         "' y='12' text-anchor='middle' class='hd'>" + HtmlEscape(DimensionLabel(v, dims[d].id)) +
         "</text>";
    for (int tick : {0, 50, 100}) {
      char line[160];
      std::snprintf(line, sizeof line,
                    "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' class='grid'/><text x='%d' "
                    "y='%.1f' class='tick' text-anchor='end'>%d</text>",
                    x0 + left, x0 + panel_w - 6, y_of(tick), y_of(tick), x0 + left - 3,
                    y_of(tick) + 3, tick);
      h += line;
    }
    const double step = waves > 1 ? (panel_w - left - 16.0) / (waves - 1) : 0;
    for (int w = 0; w < waves; ++w) {
      const double x = x0 + left + 8 + step * w;
      char label[128];
      std::snprintf(label, sizeof label,
                    "<text x='%.1f' y='%d' class='tick' text-anchor='middle'>%d</text>", x,
                    panel_h - 6, w + 1);
      h += label;
      const ScoreCell* cell = nullptr;
      for (const ScoreCell& c : t.by_wave[w].cells)
        if (c.institution_id == inst && c.dimension == dims[d].id) cell = &c;
      if (!cell || cell->suppressed) continue;
      char mark[512];
      std::snprintf(mark, sizeof mark,
                    "<line x1='%.1f' x2='%.1f' y1='%.1f' y2='%.1f' class='ci'/><circle "
                    "cx='%.1f' cy='%.1f' r='3.5' data-wave='%s' data-index='%.1f'><title>",
                    x, x, y_of(cell->stats.ci_low), y_of(cell->stats.ci_high), x,
                    y_of(cell->stats.index), HtmlEscape(t.waves[w].id).c_str(), cell->stats.index);
      h += mark;
      h += HtmlEscape(t.waves[w].id + ": " + Fmt(cell->stats.index) + " (" +
                      Fmt(cell->stats.ci_low) + "–" + Fmt(cell->stats.ci_high) + "), n " +
                      std::to_string(cell->stats.n)) +
           "</title></circle>";
    }
    h += "</g>";
  }
  h += "</svg>";
}

}  // namespace

std::string TrendMark(const ReportView& v, const std::string& inst, const std::string& dim) {
  if (!v.trends) return "";
  for (const IndexTrend& c : v.trends->last.report.cells) {
    if (c.institution_id != inst || c.dimension != dim) continue;
    const char* verdict = Verdict(c.flags);
    return !verdict ? "" : std::string(verdict) == "improved" ? " ↑" : " ↓";
  }
  return "";
}

void TrendSection(const ReportView& v, const std::vector<std::string>& insts, std::string& h) {
  if (!v.trends) return;
  const ReportTrends& t = *v.trends;
  const TrendReport& r = t.last.report;
  const Wave& a = t.last.query.a;
  const Wave& b = t.last.query.b;
  auto visible = [&](const std::string& id) {
    return std::find(insts.begin(), insts.end(), id) != insts.end();
  };
  char line[1024];
  h += "<section id=trends><h2>" + HtmlEscape(T(v, "trends")) + "</h2>";
  std::snprintf(line, sizeof line, T(v, "trends_between").c_str(), a.id.c_str(), a.from.c_str(),
                a.to.c_str(), b.id.c_str(), b.from.c_str(), b.to.c_str());
  h += "<p>" + HtmlEscape(line) + "</p>";

  // What changed: the institutions' flagged cells, worsened first, then the network's.
  h += "<h3>" + HtmlEscape(T(v, "what_changed")) + "</h3><table id=what-changed><thead><tr><th>" +
       HtmlEscape(T(v, "institution")) + "</th><th>" + HtmlEscape(T(v, "what")) + "</th><th>" +
       HtmlEscape(a.id) + "</th><th>" + HtmlEscape(b.id) + "</th><th>" +
       HtmlEscape(T(v, "change")) + "</th><th>" + HtmlEscape(T(v, "change_ci")) +
       "</th><th>q</th><th>" + HtmlEscape(T(v, "verdict")) + "</th></tr></thead><tbody>";
  int rows = 0;
  for (const char* wanted : {"worsened", "improved"}) {
    for (const IndexTrend& c : r.cells) {
      const char* verdict = Verdict(c.flags);
      if (!verdict || std::string(verdict) != wanted || !visible(c.institution_id)) continue;
      Row(v, c.institution_id, DimensionLabel(v, c.dimension), Side(c.a), Side(c.b), c.change, c.q,
          verdict, "", h);
      ++rows;
    }
    for (const IndexTrend& c : r.autonomy) {
      const char* verdict = Verdict(c.flags);
      if (!verdict || std::string(verdict) != wanted || !visible(c.institution_id)) continue;
      Row(v, c.institution_id, T(v, "autonomy"), Side(c.a), Side(c.b), c.change, c.q, verdict, "",
          h);
      ++rows;
    }
    for (const RateTrend& c : r.indicators) {
      const char* verdict = Verdict(c.flags);
      if (!verdict || std::string(verdict) != wanted || !visible(c.institution_id)) continue;
      Row(v, c.institution_id, IndicatorLabel(v, v.indicators->indicators()[c.indicator]),
          Side(c.a), Side(c.b), c.change, c.q, verdict, " pp", h);
      ++rows;
    }
  }
  h += "</tbody></table>";
  if (rows == 0) h += "<p id=no-change>" + HtmlEscape(T(v, "no_change")) + "</p>";
  std::snprintf(line, sizeof line, T(v, "what_changed_note").c_str(), v.options.min_gap,
                v.min_gap_pp);
  h += "<p class=tick>" + HtmlEscape(line) + "</p>";

  // The network: every dimension's change, never flagged.
  h += "<h3>" + HtmlEscape(T(v, "network_change")) +
       "</h3><table id=network-change><thead><tr><th>" + HtmlEscape(T(v, "dimension")) +
       "</th><th>" + HtmlEscape(a.id) + "</th><th>" + HtmlEscape(b.id) + "</th><th>" +
       HtmlEscape(T(v, "change")) + "</th><th>" + HtmlEscape(T(v, "change_ci")) +
       "</th><th>p</th></tr></thead><tbody>";
  for (const IndexTrend& c : r.network) {
    h += "<tr data-dimension='" + HtmlEscape(c.dimension) + "'><td>" +
         HtmlEscape(DimensionLabel(v, c.dimension)) + "</td><td class=num>" + Side(c.a) +
         "</td><td class=num>" + Side(c.b) + "</td><td class=num>" +
         (c.change.change > 0 ? "+" : "") + Fmt(c.change.change) + "</td><td class=num>" +
         ChangeInterval(c.change.low, c.change.high) + "</td><td class=num>" + FmtQ(c.change.p) +
         "</td></tr>";
  }
  h += "</tbody></table><p class=tick>" + HtmlEscape(T(v, "network_change_note")) + "</p>";

  // Each institution across every wave.
  h += "<h3>" + HtmlEscape(T(v, "small_multiples")) + "</h3><p class=tick>";
  for (size_t w = 0; w < t.waves.size(); ++w) {
    const Wave& wave = t.waves[w];
    h += (w ? " · " : "") + std::to_string(w + 1) + " = " + HtmlEscape(wave.id) +
         (wave.label.empty() ? "" : " (" + HtmlEscape(wave.label) + ")");
  }
  h += "</p>";
  for (const std::string& id : insts) {
    h += "<h4>" + HtmlEscape(InstitutionName(v, id)) + "</h4><div class=scroll>";
    SmallMultiple(v, id, h);
    h += "</div>";
  }
  h += "</section>";
}

}  // namespace percept
