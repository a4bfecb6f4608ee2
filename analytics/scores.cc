#include "percept/scores.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

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

// The reference cells of one pool of institutions (the network, or one type's): statistics,
// Cronbach's alpha, and importance disattenuated by alpha (method 2), with the median rule.
std::vector<NetworkCell> DescribeReference(const ScoreLayout& layout,
                                           const std::vector<int64_t>& pooled,
                                           const ScoreOptions& options, const std::string& type) {
  std::vector<NetworkCell> out;
  for (const DimensionBlock& b : layout.blocks()) {
    NetworkCell cell;
    cell.type = type;
    cell.dimension = b.id;
    cell.stats = Describe(b, pooled.data(), layout.lo(), layout.hi());
    cell.suppressed = cell.stats.n < options.min_n;
    const int64_t* s = pooled.data() + b.offset;
    cell.importance = kNaN;
    cell.alpha = kNaN;
    if (b.id != "overall") {
      std::vector<int64_t> item_sum, item_sq;
      for (size_t i = 0; i < b.items.size(); ++i) {
        item_sum.push_back(s[kSlotItems + 2 * i]);
        item_sq.push_back(s[kSlotItems + 2 * i + 1]);
      }
      cell.alpha =
          CronbachAlpha(s[kSlotCompleteN], item_sum, item_sq, s[kSlotTotalSum], s[kSlotTotalSumSq]);
      // r with `overall` is lowered by the dimension's own unreliability, so that dimensions
      // with more items looked more important: divide by sqrt(alpha) when alpha is positive.
      const double r = Pearson({s[kSlotPairN], s[kSlotPairSx], s[kSlotPairSy], s[kSlotPairSxx],
                                s[kSlotPairSyy], s[kSlotPairSxy]});
      cell.importance = std::isfinite(cell.alpha) && cell.alpha > 0 ? r / std::sqrt(cell.alpha) : r;
    }
    out.push_back(std::move(cell));
  }
  std::vector<const NetworkCell*> all;
  for (const NetworkCell& c : out) all.push_back(&c);
  const double median = ImportanceMedian(all);
  for (NetworkCell& c : out)
    c.high_importance = !std::isnan(c.importance) && c.importance >= median;
  return out;
}

void Add(std::vector<int64_t>& to, const std::vector<int64_t>& s) {
  if (to.empty()) to.assign(s.size(), 0);
  for (size_t i = 0; i < to.size(); ++i) to[i] += s[i];
}
}  // namespace

double ImportanceMedian(const std::vector<const NetworkCell*>& cells) {
  std::vector<double> defined;
  for (const NetworkCell* c : cells)
    if (c->dimension != "overall" && !std::isnan(c->importance)) defined.push_back(c->importance);
  return defined.empty() ? kNaN : Median(std::move(defined));
}

std::vector<const NetworkCell*> ScoreReport::Reference(const std::string& type) const {
  std::vector<const NetworkCell*> out;
  for (const NetworkCell& c : by_type ? peers : network)
    if (!by_type || c.type == type) out.push_back(&c);
  return out;
}

ScoreReport ComputeScores(const ScoreLayout& layout,
                          const std::map<std::string, std::vector<int64_t>>& sums,
                          const ScoreOptions& options, const PeerTypes* types) {
  ScoreReport report;
  report.by_type = types != nullptr;
  auto type_of = [&](const std::string& id) -> std::string {
    if (!types) return "";
    auto it = types->find(id);
    return it == types->end() ? "" : it->second;
  };
  std::vector<int64_t> network(layout.width(), 0);
  std::map<std::string, std::vector<int64_t>> pooled;  // per type, under compare=type
  for (const auto& [id, s] : sums) {
    Add(network, s);
    if (types) Add(pooled[type_of(id)], s);
  }
  report.network = DescribeReference(layout, network, options, "");
  for (const auto& [type, s] : pooled) {
    std::vector<NetworkCell> cells = DescribeReference(layout, s, options, type);
    report.peers.insert(report.peers.end(), cells.begin(), cells.end());
  }

  std::vector<size_t> tested;  // cells whose p-value enters Benjamini–Hochberg
  for (const auto& [id, s] : sums) {
    const std::string type = type_of(id);
    const std::vector<int64_t>& reference_sums = types ? pooled[type] : network;
    const std::vector<const NetworkCell*> reference = report.Reference(type);
    for (size_t bi = 0; bi < layout.blocks().size(); ++bi) {
      const DimensionBlock& b = layout.blocks()[bi];
      const NetworkCell& net = *reference[bi];
      ScoreCell cell;
      cell.institution_id = id;
      cell.dimension = b.id;
      cell.peer_type = type;
      cell.stats = Describe(b, s.data(), layout.lo(), layout.hi());
      cell.suppressed = cell.stats.n < options.min_n;
      cell.gap = cell.p = cell.q = cell.importance = cell.network_index = cell.mdg = kNaN;
      if (!cell.suppressed && b.id != "overall") {
        cell.network_index = net.stats.index;
        cell.gap = cell.stats.index - net.stats.index;
        cell.importance = net.importance;
        cell.high_severity = net.high_importance;
        const Moments mine = b.moments(s.data());
        const Moments rest = b.moments(reference_sums.data()).Minus(mine);
        cell.p = WelchBelow(mine, rest).p;
        cell.mdg = MinimumDetectableGap(net.stats.sd, mine.n, rest.n, layout.lo(), layout.hi(),
                                        options.min_gap);
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
  }
  return report;
}

std::vector<const ScoreCell*> CriticalPoints(const ScoreReport& report) {
  std::vector<const ScoreCell*> out;
  for (const ScoreCell& c : report.cells) {
    if (c.critical) out.push_back(&c);
  }
  // Worst first (method 2): the furthest below its reference first, whatever its importance.
  std::stable_sort(out.begin(), out.end(), [](const ScoreCell* a, const ScoreCell* b) {
    return std::make_tuple(a->gap, a->stats.index) < std::make_tuple(b->gap, b->stats.index);
  });
  return out;
}

}  // namespace percept
