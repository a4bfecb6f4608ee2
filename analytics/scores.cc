#include "percept/scores.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace percept {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

CellStatistics Describe(const DimensionBlock& b, const int64_t* s, int lo, int hi) {
  return DescribeCell(b.moments(s), s[b.offset + kSlotSatisfied], s[b.offset + kSlotDissatisfied],
                      lo, hi);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size();
  return m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
}
}  // namespace

ScoreReport ComputeScores(const ScoreLayout& layout,
                          const std::map<std::string, std::vector<int64_t>>& sums,
                          const ScoreOptions& options) {
  ScoreReport report;
  std::vector<int64_t> network(layout.width(), 0);
  for (const auto& [id, s] : sums) {
    for (size_t i = 0; i < network.size(); ++i) network[i] += s[i];
  }

  std::vector<double> defined_importances;
  for (const DimensionBlock& b : layout.blocks()) {
    NetworkCell cell;
    cell.dimension = b.id;
    cell.stats = Describe(b, network.data(), layout.lo(), layout.hi());
    cell.suppressed = cell.stats.n < options.min_n;
    const int64_t* s = network.data() + b.offset;
    cell.importance = kNaN;
    cell.alpha = kNaN;
    if (b.id != "overall") {
      cell.importance = Pearson({s[kSlotPairN], s[kSlotPairSx], s[kSlotPairSy], s[kSlotPairSxx],
                                 s[kSlotPairSyy], s[kSlotPairSxy]});
      if (!std::isnan(cell.importance)) defined_importances.push_back(cell.importance);
      std::vector<int64_t> item_sum, item_sq;
      for (size_t i = 0; i < b.items.size(); ++i) {
        item_sum.push_back(s[kSlotItems + 2 * i]);
        item_sq.push_back(s[kSlotItems + 2 * i + 1]);
      }
      cell.alpha =
          CronbachAlpha(s[kSlotCompleteN], item_sum, item_sq, s[kSlotTotalSum], s[kSlotTotalSumSq]);
    }
    report.network.push_back(std::move(cell));
  }
  if (!defined_importances.empty()) {
    const double median = Median(defined_importances);
    for (NetworkCell& c : report.network)
      c.high_importance = !std::isnan(c.importance) && c.importance >= median;
  }

  std::vector<size_t> tested;  // cells whose p-value enters Benjamini–Hochberg
  for (const auto& [id, s] : sums) {
    for (size_t bi = 0; bi < layout.blocks().size(); ++bi) {
      const DimensionBlock& b = layout.blocks()[bi];
      const NetworkCell& net = report.network[bi];
      ScoreCell cell;
      cell.institution_id = id;
      cell.dimension = b.id;
      cell.stats = Describe(b, s.data(), layout.lo(), layout.hi());
      cell.suppressed = cell.stats.n < options.min_n;
      cell.gap = cell.p = cell.q = cell.importance = cell.network_index = kNaN;
      if (!cell.suppressed && b.id != "overall") {
        cell.network_index = net.stats.index;
        cell.gap = cell.stats.index - net.stats.index;
        cell.importance = net.importance;
        const Moments mine = b.moments(s.data());
        cell.p = WelchBelow(mine, b.moments(network.data()).Minus(mine)).p;
        tested.push_back(report.cells.size());
      }
      report.cells.push_back(std::move(cell));
    }
  }

  std::vector<double> p;
  for (size_t i : tested) p.push_back(report.cells[i].p);
  const std::vector<double> q = BenjaminiHochberg(p);
  for (size_t t = 0; t < tested.size(); ++t) {
    ScoreCell& cell = report.cells[tested[t]];
    cell.q = q[t];
    if (cell.stats.ci_high < options.standard) cell.flags.push_back("below_standard");
    if (cell.gap <= -options.min_gap && cell.q < options.alpha_fdr)
      cell.flags.push_back("below_network");
    cell.critical = !cell.flags.empty();
    for (const NetworkCell& net : report.network) {
      if (net.dimension == cell.dimension) cell.high_severity = net.high_importance;
    }
  }
  return report;
}

std::vector<const ScoreCell*> CriticalPoints(const ScoreReport& report) {
  std::vector<const ScoreCell*> out;
  for (const ScoreCell& c : report.cells) {
    if (c.critical) out.push_back(&c);
  }
  std::stable_sort(out.begin(), out.end(), [](const ScoreCell* a, const ScoreCell* b) {
    if (a->high_severity != b->high_severity) return a->high_severity;
    return a->stats.index < b->stats.index;
  });
  return out;
}

}  // namespace percept
