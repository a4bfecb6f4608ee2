#include "report_charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <tuple>

#include "report_text.h"
#include "report_trends.h"

namespace percept {

void HeatMap(const ReportView& v, const std::vector<std::string>& insts, std::string& h) {
  const auto& dims = v.survey->dimensions;
  const int name_w = 300, cell_w = 96, cell_h = 28, top = 34;
  const int width = name_w + cell_w * static_cast<int>(dims.size()) + 10;
  const int height = top + cell_h * static_cast<int>(insts.size() + 1) + 10;
  h += "<svg class='heat' viewBox='0 0 " + std::to_string(width) + " " + std::to_string(height) +
       "' width='" + std::to_string(width) + "' role='img' aria-label='" +
       HtmlEscape(T(v, "heatmap")) + "'>";
  for (size_t d = 0; d < dims.size(); ++d) {
    h += "<text x='" + std::to_string(name_w + cell_w * d + cell_w / 2) +
         "' y='22' text-anchor='middle' class='hd'>" + HtmlEscape(DimensionLabel(v, dims[d].id)) +
         "</text>";
  }
  auto row = [&](size_t r, const std::string& id_of_row, const std::string& label,
                 const std::function<const ScoreCell*(const std::string&)>& cell, bool network) {
    const int y = top + cell_h * static_cast<int>(r);
    // Long names keep their beginning and their end (where the place is); the full name shows
    // on hover and in the tables.
    const std::string shown = ShortName(label, 44);
    h += "<text x='4' y='" + std::to_string(y + 19) + "' class='" + (network ? "nw" : "nm") +
         "'><title>" + HtmlEscape(label) + "</title>" + HtmlEscape(shown) + "</text>";
    for (size_t d = 0; d < dims.size(); ++d) {
      const int x = name_w + cell_w * static_cast<int>(d);
      double index = NAN;
      bool suppressed = false, critical = false;
      int64_t n = 0;
      if (network) {
        const NetworkCell* nc = Net(v, dims[d].id);
        if (nc) index = nc->stats.index, suppressed = nc->suppressed, n = nc->stats.n;
      } else if (const ScoreCell* c = cell(dims[d].id)) {
        index = c->stats.index, suppressed = c->suppressed, critical = c->critical, n = c->stats.n;
      } else {
        suppressed = true;
      }
      const std::string fill = suppressed ? "#d9d9d9" : Color(index);
      // On hover: the cell's n, its interval's half width and the least gap it could show.
      std::string tip;
      if (!network && !suppressed) {
        const ScoreCell* c = cell(dims[d].id);
        tip = "<title>n " + std::to_string(n) + " · ±" + Fmt(c->stats.half_width) + " · " +
              HtmlEscape(T(v, "mdg_short")) + " " + Fmt(c->mdg) + "</title>";
      }
      h += "<rect x='" + std::to_string(x + 1) + "' y='" + std::to_string(y + 1) + "' width='" +
           std::to_string(cell_w - 2) + "' height='" + std::to_string(cell_h - 2) + "' fill='" +
           fill + "'" + (critical ? " class='crit'" : "") + " data-institution='" +
           HtmlEscape(network ? std::string("network") : id_of_row) + "' data-dimension='" +
           dims[d].id + "'>" + tip + "</rect>";
      // ↑ / ↓: the cell improved or worsened between the last two waves (report_trends.h).
      const std::string label =
          suppressed ? (v.institution_role ? std::string("—") : "n=" + std::to_string(n))
                     : Fmt(index) + (critical ? " ▲" : "") +
                           (network ? "" : TrendMark(v, id_of_row, dims[d].id));
      h += "<text x='" + std::to_string(x + cell_w / 2) + "' y='" + std::to_string(y + 19) +
           "' text-anchor='middle'" + (critical ? " class='critmark'" : "") + ">" + label +
           "</text>";
    }
  };
  for (size_t r = 0; r < insts.size(); ++r) {
    const std::string& id = insts[r];
    row(
        r, id, InstitutionName(v, id),
        [&](const std::string& dim) -> const ScoreCell* {
          for (const ScoreCell& c : v.report->cells)
            if (c.institution_id == id && c.dimension == dim) return &c;
          return nullptr;
        },
        false);
  }
  row(insts.size(), "", T(v, "network"), nullptr, true);
  h += "</svg>";
}

void Whiskers(const ReportView& v, const std::string& inst, std::string& h) {
  const auto& dims = v.survey->dimensions;
  const int left = 150, right = 470, row_h = 22, top = 20;
  auto x = [&](double index) {
    return left + (right - left) * std::clamp(index, 0.0, 100.0) / 100.0;
  };
  const int height = top + row_h * static_cast<int>(dims.size()) + 10;
  h += "<svg viewBox='0 0 490 " + std::to_string(height) + "' width='490' class='whisk'>";
  for (int tick = 0; tick <= 100; tick += 25) {
    h += "<line x1='" + Fmt(x(tick), 0) + "' x2='" + Fmt(x(tick), 0) + "' y1='12' y2='" +
         std::to_string(height - 6) + "' class='grid'/><text x='" + Fmt(x(tick), 0) +
         "' y='10' text-anchor='middle' class='tick'>" + std::to_string(tick) + "</text>";
  }
  h += "<line x1='" + Fmt(x(v.options.standard), 0) + "' x2='" + Fmt(x(v.options.standard), 0) +
       "' y1='12' y2='" + std::to_string(height - 6) + "' class='std'/>";
  for (size_t d = 0; d < dims.size(); ++d) {
    const int y = top + row_h * static_cast<int>(d) + 11;
    h += "<text x='4' y='" + std::to_string(y + 4) + "'>" +
         HtmlEscape(DimensionLabel(v, dims[d].id)) + "</text>";
    if (const NetworkCell* nc = Reference(v, inst, dims[d].id); nc && !nc->suppressed) {
      h += "<path d='M" + Fmt(x(nc->stats.index)) + " " + std::to_string(y - 6) +
           " l5 6 l-5 6 l-5 -6 z' class='netmark'/>";
    }
    for (const ScoreCell& c : v.report->cells) {
      if (c.institution_id != inst || c.dimension != dims[d].id) continue;
      if (c.suppressed) {
        h += "<text x='" + std::to_string(left) + "' y='" + std::to_string(y + 4) +
             "' class='tick'>n=" + std::to_string(c.stats.n) + "</text>";
        continue;
      }
      h += "<line x1='" + Fmt(x(c.stats.ci_low)) + "' x2='" + Fmt(x(c.stats.ci_high)) + "' y1='" +
           std::to_string(y) + "' y2='" + std::to_string(y) + "' class='ci'/><circle cx='" +
           Fmt(x(c.stats.index)) + "' cy='" + std::to_string(y) + "' r='4' fill='" +
           (c.critical ? "#b00020" : "#1f4e79") + "'/>";
    }
  }
  h += "</svg>";
}

void ImportancePerformance(const ReportView& v, const std::string& inst, std::string& h) {
  // The points are this institution's dimensions; the axes span the data (and the standard and
  // the median importance that split the quadrants), with ticks, and the points are numbered
  // with a legend below, so that no two labels are ever printed over each other.
  std::vector<const ScoreCell*> points;
  for (const ScoreCell& c : v.report->cells) {
    if (c.institution_id == inst && !c.suppressed && c.dimension != "overall" &&
        std::isfinite(c.importance) && std::isfinite(c.stats.index))
      points.push_back(&c);
  }
  // The high-importance line of this institution's reference (the network, or its type).
  const std::string type = points.empty() ? "" : points.front()->peer_type;
  double median = ImportanceMedian(v.report->Reference(type));
  if (!std::isfinite(median)) median = 0.5;
  double x_lo = v.options.standard, x_hi = v.options.standard, y_lo = median, y_hi = median;
  for (const ScoreCell* c : points) {
    x_lo = std::min(x_lo, c->stats.index), x_hi = std::max(x_hi, c->stats.index);
    y_lo = std::min(y_lo, c->importance), y_hi = std::max(y_hi, c->importance);
  }
  // Round outward to a step that gives four to ten ticks.
  auto span = [](double lo, double hi, const std::vector<double>& steps, double floor_value,
                 double ceil_value, double* step) {
    for (double s : steps) {
      *step = s;
      const double a = std::floor(lo / s) * s, b = std::ceil(hi / s) * s;
      if ((b - a) / s <= 10)
        return std::make_pair(std::max(floor_value, a), std::min(ceil_value, b + (b == a ? s : 0)));
    }
    return std::make_pair(floor_value, ceil_value);
  };
  double x_step = 5, y_step = 0.05;
  // (Plain variables, not structured bindings: clang before 16 cannot capture those.)
  double x0, x1, y0, y1;
  std::tie(x0, x1) = span(x_lo - 2, x_hi + 2, {2, 5, 10, 20}, 0, 100, &x_step);
  std::tie(y0, y1) = span(y_lo - 0.02, y_hi + 0.02, {0.02, 0.05, 0.1, 0.2}, -1, 1, &y_step);
  const int w = 300, ht = 220, l = 40, b = 32, t = 10, r = 10;
  auto px = [&](double x) { return l + (w - l - r) * (x - x0) / (x1 - x0); };
  auto py = [&](double y) { return ht - b - (ht - b - t) * (y - y0) / (y1 - y0); };
  h += "<svg viewBox='0 0 " + std::to_string(w) + " " + std::to_string(ht) + "' width='" +
       std::to_string(w) + "' class='ipa' data-institution='" + HtmlEscape(inst) + "'>";
  h += "<rect x='" + std::to_string(l) + "' y='" + std::to_string(t) + "' width='" +
       std::to_string(w - l - r) + "' height='" + std::to_string(ht - b - t) + "' class='frame'/>";
  for (double x = x0; x <= x1 + 1e-9; x += x_step) {
    h += "<line class='grid' x1='" + Fmt(px(x)) + "' x2='" + Fmt(px(x)) + "' y1='" +
         std::to_string(t) + "' y2='" + std::to_string(ht - b) + "'/><text class='tick' x='" +
         Fmt(px(x)) + "' y='" + std::to_string(ht - b + 12) + "' text-anchor='middle'>" +
         Fmt(x, 0) + "</text>";
  }
  for (double y = y0; y <= y1 + 1e-9; y += y_step) {
    h += "<line class='grid' x1='" + std::to_string(l) + "' x2='" + std::to_string(w - r) +
         "' y1='" + Fmt(py(y)) + "' y2='" + Fmt(py(y)) + "'/><text class='tick' x='" +
         std::to_string(l - 3) + "' y='" + Fmt(py(y) + 3) + "' text-anchor='end'>" + Fmt(y, 2) +
         "</text>";
  }
  if (v.options.standard >= x0 && v.options.standard <= x1)
    h += "<line x1='" + Fmt(px(v.options.standard)) + "' x2='" + Fmt(px(v.options.standard)) +
         "' y1='" + std::to_string(t) + "' y2='" + std::to_string(ht - b) + "' class='std'/>";
  h += "<line x1='" + std::to_string(l) + "' x2='" + std::to_string(w - r) + "' y1='" +
       Fmt(py(median)) + "' y2='" + Fmt(py(median)) + "' class='std'/>";
  h += "<text x='" + std::to_string((w + l) / 2) + "' y='" + std::to_string(ht - 4) +
       "' text-anchor='middle' class='tick'>" + HtmlEscape(T(v, "index")) +
       "</text><text x='10' y='" + std::to_string(ht / 2) +
       "' class='tick' transform='rotate(-90 10 " + std::to_string(ht / 2) +
       ")' text-anchor='middle'>" + HtmlEscape(T(v, "importance")) + "</text>";
  std::string legend;
  for (size_t i = 0; i < points.size(); ++i) {
    const ScoreCell& c = *points[i];
    const std::string n = std::to_string(i + 1);
    h += "<circle cx='" + Fmt(px(c.stats.index)) + "' cy='" + Fmt(py(c.importance)) +
         "' r='7' fill='" + (c.critical ? "#b00020" : "#1f4e79") + "'><title>" +
         HtmlEscape(DimensionLabel(v, c.dimension)) + "</title></circle><text x='" +
         Fmt(px(c.stats.index)) + "' y='" + Fmt(py(c.importance) + 3.5) +
         "' text-anchor='middle' style='fill:#fff;font-size:9px'>" + n + "</text>";
    legend += "<li" + std::string(c.critical ? " class=warn" : "") + ">" +
              HtmlEscape(DimensionLabel(v, c.dimension)) + " (" + Fmt(c.stats.index) + "; " +
              Fmt(c.importance, 2) + ")</li>";
  }
  h += "</svg><ol class='tick ipa-legend'>" + legend + "</ol>";
}

void MinimumDetectableGaps(const ReportView& v, const std::string& inst, std::string& h) {
  std::string parts;
  for (const Dimension& d : v.survey->dimensions) {
    for (const ScoreCell& c : v.report->cells) {
      if (c.institution_id != inst || c.dimension != d.id || !std::isfinite(c.mdg)) continue;
      parts +=
          (parts.empty() ? "" : " · ") + HtmlEscape(DimensionLabel(v, d.id)) + " " + Fmt(c.mdg);
    }
  }
  if (parts.empty()) return;
  h += "<p class='tick mdg' data-institution='" + HtmlEscape(inst) + "'>" +
       HtmlEscape(T(v, "mdg_inst")) + ": " + parts + "</p>";
}

void MinimumDetectableGapTable(const ReportView& v, std::string& h) {
  h += "<table class=mdg-table><caption class=tick>" + HtmlEscape(T(v, "mdg_table")) +
       "</caption><thead><tr><th>n</th>";
  for (const Dimension& d : v.survey->dimensions)
    h += "<th>" + HtmlEscape(DimensionLabel(v, d.id)) + "</th>";
  h += "</tr></thead><tbody>";
  for (int64_t n : {10, 30, 60, 100, 200, 500}) {
    h += "<tr><td class=num>" + std::to_string(n) + "</td>";
    for (const Dimension& d : v.survey->dimensions) {
      const NetworkCell* net = Net(v, d.id);
      const double gap =
          net && !net->suppressed
              ? MinimumDetectableGap(net->stats.sd, n, net->stats.n - n, v.survey->scale.min,
                                     v.survey->scale.max, v.options.min_gap)
              : NAN;
      h += "<td class=num>" + Fmt(gap) + "</td>";
    }
    h += "</tr>";
  }
  h += "</tbody></table>";
}

}  // namespace percept
