#include "report_part_b.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "percept/critical_points.h"
#include "percept/storage/answer_records.h"
#include "report_text.h"

namespace percept {

namespace {

std::string Num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

const LocalizedText* OptionLabel(const Item& item, const std::string& value) {
  for (const Option& o : item.options)
    if (o.value == value) return &o.label;
  return nullptr;
}

// The cell of indicator `k` for `inst`, or null.
const IndicatorCell* CellOf(const ReportView& v, const std::string& inst, size_t k) {
  const size_t per = v.indicators->indicators().size();
  for (size_t i = k; i < v.part_b->indicators.cells.size(); i += per) {
    if (v.part_b->indicators.cells[i].count.institution_id == inst)
      return &v.part_b->indicators.cells[i];
  }
  return nullptr;
}

const AutonomyCell* AutonomyOf(const ReportView& v, const std::string& inst) {
  for (const AutonomyCell& c : v.part_b->autonomy.cells)
    if (c.institution_id == inst) return &c;
  return nullptr;
}

// A 0–100 % bar with its Wilson whisker and the network's mark.
void RateBar(const IndicatorCell& c, double network, bool bad, std::string& h) {
  const int w = 200, ht = 16;
  auto x = [&](double pct) { return Num(std::clamp(pct, 0.0, 100.0) * w / 100.0); };
  h += "<svg class=bar width='" + std::to_string(w) + "' height='" + std::to_string(ht) +
       "' viewBox='0 0 " + std::to_string(w) + " " + std::to_string(ht) + "' aria-hidden=true>";
  h += "<rect class=frame x=0 y=2 width='" + std::to_string(w) + "' height='12'/>";
  h += "<rect x=0 y=3 width='" + x(c.rate) + "' height=10 fill='" + (bad ? "#e08a7d" : "#7dc48a") +
       "'/>";
  h += "<line class=ci x1='" + x(c.wilson.low) + "' x2='" + x(c.wilson.high) + "' y1=8 y2='8'/>";
  if (std::isfinite(network))
    h += "<line x1='" + x(network) + "' x2='" + x(network) +
         "' y1=0 y2=16 stroke='#000' stroke-width='2'/>";
  h += "</svg>";
}

void ProfileRows(const ReportView& v, const std::string& inst, Valence valence, bool first_degree,
                 std::string& h) {
  const auto& defs = v.indicators->indicators();
  for (size_t k = 0; k < defs.size(); ++k) {
    const IndicatorDef& def = defs[k];
    if (def.valence != valence) continue;
    // Benefits of the first degree are what the family got (an option of a choice); of the
    // second degree, what it learned (a yes/no item: knowing how, knowing its rights).
    if (valence == Valence::kGood && first_degree != !def.option.empty()) continue;
    const IndicatorCell* c = CellOf(v, inst, k);
    if (!c) continue;
    // The network's rate, or under compare=type its type's.
    const NetworkIndicator* reference = v.part_b->indicators.Reference(c->count.type, def.Key());
    const double reference_rate = reference ? reference->rate : NAN;
    h += "<tr data-indicator='" + HtmlEscape(def.Key()) + "'><td>" +
         HtmlEscape(IndicatorLabel(v, def)) +
         (def.high_severity ? " <span class=lim>(" + HtmlEscape(T(v, "high")) + ")</span>" : "") +
         "</td>";
    if (c->suppressed) {
      h += "<td class=num>" + (v.institution_role ? std::string("—") : std::to_string(c->count.n)) +
           "</td><td colspan=4 class=tick>" + HtmlEscape(T(v, "suppressed")) + "</td></tr>";
      continue;
    }
    h += "<td class=num>" + std::to_string(c->count.n) + "</td><td class=num>" + Fmt(c->rate) +
         " <span class=tick>[" + Fmt(c->wilson.low) + "–" + Fmt(c->wilson.high) +
         "]</span></td><td>";
    RateBar(*c, reference_rate, valence == Valence::kBad, h);
    h +=
        "</td><td class=num>" + Fmt(reference_rate) + "</td><td>" +
        (c->flagged ? "<span class=critmark>▲ " + HtmlEscape(T(v, "worse_than_network")) + "</span>"
                    : std::string()) +
        "</td></tr>";
  }
}

}  // namespace

std::string IndicatorLabel(const ReportView& v, const IndicatorDef& def) {
  const Item* item = v.survey->FindEvaluationItem(def.item);
  if (!item) return def.Key();
  auto pick = [&](const LocalizedText& t) { return v.lang == "en" ? t.en : t.es; };
  if (def.option.empty()) return pick(item->label);
  const LocalizedText* option = OptionLabel(*item, def.option);
  if (!option) return def.Key();
  return item->type == ItemType::kMulti ? pick(*option) : pick(item->label) + " — " + pick(*option);
}

void PartBCriticalTable(const ReportView& v, std::string& h) {
  if (!v.part_b) return;
  std::vector<CriticalPoint> points;
  for (const CriticalPoint& p : AllCriticalPoints(ScoreReport{}, *v.part_b, *v.indicators)) {
    if (v.visible(p.institution_id())) points.push_back(p);
  }
  h += "<h3 id=critical-b>" + HtmlEscape(T(v, "critical_b")) + "</h3>";
  if (points.empty()) {
    h += "<p>" + HtmlEscape(T(v, "none")) + "</p>";
    return;
  }
  h += "<table><thead><tr><th>" + HtmlEscape(T(v, "institution")) + "</th><th>" +
       HtmlEscape(T(v, "what")) + "</th><th>" + HtmlEscape(T(v, "value")) + "</th><th>" +
       HtmlEscape(T(v, "others")) + "</th><th>" + HtmlEscape(T(v, "gap")) +
       "</th><th>n</th><th>q</th><th>" + HtmlEscape(T(v, "severity")) + "</th></tr></thead><tbody>";
  for (const CriticalPoint& p : points) {
    std::string q, what, value, others, gap;
    int64_t n = 0;
    if (p.kind == CriticalPoint::Kind::kAutonomy) {
      const AutonomyCell& c = *p.autonomy;
      q = FmtQ(c.q);
      what = T(v, "autonomy");
      value = Fmt(c.stats.index);
      others = Fmt(v.part_b->autonomy.Reference(c.type).stats.index);
      gap = Fmt(c.gap);
      n = c.stats.n;
    } else {
      const IndicatorCell& c = *p.indicator;
      q = FmtQ(c.q);
      what = IndicatorLabel(v, *p.def);
      value = Fmt(c.rate) + " %";
      others = Fmt(c.others) + " %";
      gap = Fmt(c.gap_pp) + " pp";
      n = c.count.n;
    }
    h += "<tr data-institution='" + HtmlEscape(p.institution_id()) + "' data-kind='" +
         p.kind_name() + "'><td>" + HtmlEscape(InstitutionName(v, p.institution_id())) +
         "</td><td>" + HtmlEscape(what) + "</td><td class=num>" + value + "</td><td class=num>" +
         others + "</td><td class=num>" + gap + "</td><td class=num>" + std::to_string(n) +
         "</td><td class=num>" + q + "</td><td>" +
         HtmlEscape(T(v, p.high_severity ? "high" : "medium")) + "</td></tr>";
  }
  h += "</tbody></table>";
}

void ProblemsProfile(const ReportView& v, const std::string& inst, std::string& h) {
  if (!v.part_b) return;
  const std::string head = "<table class=profile><thead><tr><th></th><th>n</th><th>%</th><th>" +
                           HtmlEscape(T(v, "rate_chart")) + "</th><th>" +
                           HtmlEscape(ReferenceLabel(v)) + "</th><th></th></tr></thead><tbody>";
  h += "<div class=problems data-institution='" + HtmlEscape(inst) + "'><div class=hd>" +
       HtmlEscape(T(v, "problems_profile")) + "</div>" + head;
  ProfileRows(v, inst, Valence::kBad, false, h);
  h += "</tbody></table><div class=hd>" + HtmlEscape(T(v, "benefits_first")) + "</div>" + head;
  ProfileRows(v, inst, Valence::kGood, true, h);
  h += "</tbody></table><div class=hd>" + HtmlEscape(T(v, "benefits_second")) + "</div>" + head;
  ProfileRows(v, inst, Valence::kGood, false, h);
  h += "</tbody></table></div>";
}

void AutonomyGauge(const ReportView& v, const std::string& inst, std::string& h) {
  if (!v.part_b || v.indicators->components().empty()) return;
  const AutonomyCell* c = AutonomyOf(v, inst);
  if (!c) return;
  const AutonomyCell& net = v.part_b->autonomy.Reference(c->type);
  // A half dial from 0 (left) to 100 (right).
  const double cx = 90, cy = 90, r = 70;
  auto point = [&](double index, double radius) {
    const double a = M_PI * (1 - std::clamp(index, 0.0, 100.0) / 100);
    return std::make_pair(cx + radius * std::cos(a), cy - radius * std::sin(a));
  };
  h += "<div class=gauge data-institution='" + HtmlEscape(inst) + "'><div class=hd>" +
       HtmlEscape(T(v, "autonomy_gauge")) + "</div>";
  h += "<svg width=180 height=118 viewBox='0 0 180 118' role=img aria-label='" +
       HtmlEscape(T(v, "autonomy_gauge")) + "'>";
  h += "<path d='M20 90 A70 70 0 0 1 160 90' fill=none stroke='#e3e3e3' stroke-width='14'/>";
  if (!c->suppressed) {
    const auto [ex, ey] = point(c->stats.index, r);
    h += "<path d='M20 90 A70 70 0 0 1 " + Num(ex) + " " + Num(ey) + "' fill=none stroke='" +
         Color(c->stats.index) + "' stroke-width='14'/>";
    const auto [nx, ny] = point(c->stats.index, r - 22);
    h += "<line x1=90 y1=90 x2='" + Num(nx) + "' y2='" + Num(ny) +
         "' stroke='#1b1b1b' stroke-width='3'/>";
    h += "<text x=90 y=112 text-anchor=middle class=nw>" + Fmt(c->stats.index) + "</text>";
  } else {
    h += "<text x=90 y=80 text-anchor=middle class=tick>" + HtmlEscape(T(v, "suppressed")) +
         "</text>";
  }
  if (!net.suppressed) {
    const auto [ax, ay] = point(net.stats.index, r + 10);
    const auto [bx, by] = point(net.stats.index, r - 10);
    h += "<line x1='" + Num(ax) + "' y1='" + Num(ay) + "' x2='" + Num(bx) + "' y2='" + Num(by) +
         "' stroke='#000' stroke-width=2><title>" + HtmlEscape(ReferenceLabel(v)) + " " +
         Fmt(net.stats.index) + "</title></line>";
  }
  h += "<text x=14 y=106 class=tick>0</text><text x=154 y=106 class=tick>100</text></svg>";
  if (!c->suppressed) {
    h += "<div class=tick>" + HtmlEscape(T(v, "ci")) + " " + Fmt(c->stats.ci_low) + "–" +
         Fmt(c->stats.ci_high) + " · n " + std::to_string(c->stats.n) + " · " +
         HtmlEscape(ReferenceLabel(v)) + " " + Fmt(net.stats.index) + " · " +
         HtmlEscape(T(v, "full_autonomy")) + " " + Fmt(100.0 * c->full / c->stats.n) + " %" +
         (c->flagged ? " · <span class=critmark>▲ " + HtmlEscape(T(v, "below_network")) + "</span>"
                     : std::string()) +
         "</div>";
  }
  // Its components, as the rates of the answers they read.
  h += "<ul class=tick>";
  for (size_t k = 0; k < v.indicators->components().size(); ++k) {
    const size_t ind = v.indicators->ComponentIndicator(k);
    const IndicatorCell* cell = CellOf(v, inst, ind);
    double rate = cell && !cell->suppressed ? cell->rate : NAN;
    if (!v.indicators->ComponentWantsYes(k)) rate = 100 - rate;
    h += "<li>" + HtmlEscape(IndicatorLabel(v, v.indicators->indicators()[ind])) + ": " +
         Fmt(rate) + " %</li>";
  }
  h += "</ul></div>";
}

void AutonomyByStage(const ReportView& v, std::string& h) {
  if (!v.part_b || v.part_b->stages.empty()) return;
  const int w = 90, top = 10, ht = 160, left = 34;
  const int width = left + w * static_cast<int>(v.part_b->stages.size()) + 10;
  auto y = [&](double index) { return Num(top + ht * (1 - std::clamp(index, 0.0, 100.0) / 100)); };
  h += "<svg id=stages width='" + std::to_string(width) + "' height='" +
       std::to_string(top + ht + 40) + "' viewBox='0 0 " + std::to_string(width) + " " +
       std::to_string(top + ht + 40) + "' role=img aria-label='" +
       HtmlEscape(T(v, "autonomy_stages")) + "'>";
  for (int t = 0; t <= 100; t += 25) {
    h += "<line class=grid x1='" + std::to_string(left) + "' x2='" + std::to_string(width) +
         "' y1='" + y(t) + "' y2='" + y(t) + "'/><text class=tick x=4 y='" + y(t) + "'>" +
         std::to_string(t) + "</text>";
  }
  for (size_t b = 0; b < v.part_b->stages.size(); ++b) {
    const BandCell& band = v.part_b->stages[b];
    const int x = left + w * static_cast<int>(b);
    if (!band.cell.suppressed) {
      const double index = band.cell.stats.index;
      h += "<rect x='" + std::to_string(x + 20) + "' y='" + y(index) + "' width=50 height='" +
           Num(ht * std::clamp(index, 0.0, 100.0) / 100) + "' fill='" + Color(index) + "'><title>" +
           Fmt(index) + " (n " + std::to_string(band.cell.stats.n) + ")</title></rect>";
      h += "<line class=ci x1='" + std::to_string(x + 45) + "' x2='" + std::to_string(x + 45) +
           "' y1='" + y(band.cell.stats.ci_low) + "' y2='" + y(band.cell.stats.ci_high) + "'/>";
      h += "<text x='" + std::to_string(x + 45) + "' y='" + y(index) +
           "' dy=-4 text-anchor=middle>" + Fmt(index) + "</text>";
    }
    h += "<text x='" + std::to_string(x + 45) + "' y='" + std::to_string(top + ht + 16) +
         "' text-anchor=middle>" + HtmlEscape(band.band) + "</text><text class=tick x='" +
         std::to_string(x + 45) + "' y='" + std::to_string(top + ht + 30) +
         "' text-anchor=middle>n " +
         (band.cell.suppressed && v.institution_role ? std::string("—")
                                                     : std::to_string(band.cell.stats.n)) +
         "</text>";
  }
  h += "</svg><p class=tick>" + HtmlEscape(T(v, "stages_note")) + "</p>";
}

void CircuitGraph(const ReportView& v, std::string& h) {
  if (!v.referrals) return;
  // Nodes: the comuna's institutions that were evaluated, or named as referrers.
  std::map<std::string, const ScoreCell*> overall;
  std::map<std::string, int64_t> evaluations;
  for (const ScoreCell& c : v.report->cells) {
    if (c.dimension == "overall") overall[c.institution_id] = &c;
    evaluations[c.institution_id] = std::max(evaluations[c.institution_id], c.stats.n);
  }
  std::set<std::string> ids;
  for (const auto& [id, n] : evaluations)
    if (n > 0) ids.insert(id);
  for (const Referral& e : *v.referrals) ids.insert({e.from, e.to});
  if (ids.empty()) {
    h += "<p>" + HtmlEscape(T(v, "none")) + "</p>";
    return;
  }
  const std::vector<std::string> nodes(ids.begin(), ids.end());
  int64_t most_n = 1, most_edge = 1;
  for (const auto& [id, n] : evaluations) most_n = std::max(most_n, n);
  for (const Referral& e : *v.referrals) most_edge = std::max(most_edge, e.n);
  const double cx = 430, cy = 260, ring = 190;
  std::map<std::string, std::pair<double, double>> at;
  std::map<std::string, double> radius;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const double a =
        2 * M_PI * static_cast<double>(i) / static_cast<double>(nodes.size()) - M_PI / 2;
    at[nodes[i]] = {cx + ring * std::cos(a), cy + ring * std::sin(a)};
    radius[nodes[i]] = 8 + 22 * std::sqrt(static_cast<double>(evaluations[nodes[i]]) / most_n);
  }
  h += "<svg id=circuit width=860 height=530 viewBox='0 0 860 530' role=img aria-label='" +
       HtmlEscape(T(v, "circuit")) +
       "'><defs><marker id=arrow viewBox='0 0 10 10' refX='9' refY='5' markerWidth='9' "
       "markerHeight='9' markerUnits='userSpaceOnUse' orient='auto'><path d='M0 0 L10 5 L0 10 z' "
       "fill='#1f4e79'/></marker></defs>";
  for (const Referral& e : *v.referrals) {
    if (e.from == e.to) continue;
    const auto [x1, y1] = at[e.from];
    const auto [x2, y2] = at[e.to];
    const double len = std::hypot(x2 - x1, y2 - y1);
    if (len < 1) continue;
    // From the edge of one circle to the edge of the other.
    const double ux = (x2 - x1) / len, uy = (y2 - y1) / len;
    const double sx = x1 + ux * radius[e.from], sy = y1 + uy * radius[e.from];
    const double ex = x2 - ux * (radius[e.to] + 2), ey = y2 - uy * (radius[e.to] + 2);
    // A gentle curve to the right of the way it goes, so that A→B and B→A do not overlap.
    const double mx = (sx + ex) / 2 - uy * 24, my = (sy + ey) / 2 + ux * 24;
    h += "<path class=edge data-from='" + HtmlEscape(e.from) + "' data-to='" + HtmlEscape(e.to) +
         "' d='M" + Num(sx) + " " + Num(sy) + " Q" + Num(mx) + " " + Num(my) + " " + Num(ex) + " " +
         Num(ey) + "' fill='none' stroke='#1f4e79' stroke-opacity='0.5' stroke-width='" +
         Num(1 + 6.0 * static_cast<double>(e.n) / most_edge) +
         "' marker-end='url(#arrow)'><title>" + HtmlEscape(InstitutionName(v, e.from)) + " → " +
         HtmlEscape(InstitutionName(v, e.to)) + ": " + std::to_string(e.n) + "</title></path>";
  }
  for (const std::string& id : nodes) {
    const auto [x, y] = at[id];
    auto o = overall.find(id);
    const bool shown = o != overall.end() && !o->second->suppressed;
    h += "<g class=node data-institution='" + HtmlEscape(id) + "'><circle cx='" + Num(x) +
         "' cy='" + Num(y) + "' r='" + Num(radius[id]) + "' fill='" +
         (shown ? Color(o->second->stats.index) : std::string("#d9d9d9")) +
         "' stroke='#555'><title>" + HtmlEscape(InstitutionName(v, id)) + " · n " +
         std::to_string(evaluations[id]) + " · " + HtmlEscape(T(v, "index")) + " " +
         (shown ? Fmt(o->second->stats.index) : std::string("—")) + "</title></circle>";
    const std::string name = ShortName(InstitutionName(v, id), 30);
    // The name outside the ring, on the node's side, so that no arrow or circle covers it.
    const double dx = (x - cx) / ring, dy = (y - cy) / ring;
    const char* anchor = dx > 0.3 ? "start" : dx < -0.3 ? "end" : "middle";
    const double lx = x + dx * (radius[id] + 6), ly = y + dy * (radius[id] + 6) +
                                                      (dy > 0.3    ? 12
                                                       : dy < -0.3 ? -4
                                                                   : 4);
    h += "<text x='" + Num(lx) + "' y='" + Num(ly) + "' text-anchor='" + anchor + "'>" +
         HtmlEscape(name) + "</text></g>";
  }
  h += "</svg><p class=tick>" + HtmlEscape(T(v, "circuit_note")) + "</p>";
}

void ProposalsList(const ReportView& v, std::string& h) {
  if (!v.proposals) return;
  // A plain GET form, like the filters: the search is part of the page's address.
  h += "<form class=filters method=get action='#proposals'><input type=hidden name=lang value='" +
       v.lang + "'>";
  for (const auto& [name, value] : {std::pair<const char*, const std::string&>{"comuna", v.comuna},
                                    {"region", v.region},
                                    {"from", v.from},
                                    {"to", v.to}}) {
    if (!value.empty())
      h += "<input type=hidden name=" + std::string(name) + " value='" + HtmlEscape(value) + "'>";
  }
  h += "<label>" + HtmlEscape(T(v, "search_words")) +
       "<input type=search name=pq id=proposal-search value='" + HtmlEscape(v.proposal_words) +
       "'></label><button>" + HtmlEscape(T(v, "search")) + "</button></form>";
  if (v.proposals->empty()) {
    h += "<p>" + HtmlEscape(T(v, "none")) + "</p>";
    return;
  }
  h += "<table id=proposal-list><thead><tr><th>" + HtmlEscape(T(v, "institution")) + "</th><th>" +
       HtmlEscape(T(v, "date")) + "</th><th>" + HtmlEscape(T(v, "proposal")) +
       "</th></tr></thead><tbody>";
  for (const Proposal& p : *v.proposals) {
    h += "<tr data-institution='" + HtmlEscape(p.institution_id) + "'><td>" +
         HtmlEscape(InstitutionName(v, p.institution_id)) + "</td><td class=num>" +
         HtmlEscape(p.completed_at.substr(0, 10)) + "</td><td>" + HtmlEscape(p.text) + "</td></tr>";
  }
  h += "</tbody></table>";
}

}  // namespace percept
