#include "percept/autonomy.h"

#include <cmath>

namespace percept {

namespace {

AutonomyCell Describe(const std::string& id, const Moments& m, int64_t full, int64_t min_n) {
  AutonomyCell cell;
  cell.institution_id = id;
  cell.stats = DescribeCell(m, 0, 0, 0, 100);
  cell.suppressed = m.n < min_n;
  cell.full = full;
  cell.full_wilson = Wilson(full, m.n);
  return cell;
}

}  // namespace

AutonomyReport ComputeAutonomy(const std::vector<AutonomyCount>& counts,
                               const AutonomyOptions& options) {
  AutonomyReport report;
  Moments all;
  int64_t full = 0;
  for (const AutonomyCount& c : counts) {
    all.scale = c.moments.scale;
    all.n += c.moments.n;
    all.sum += c.moments.sum;
    all.sum_sq += c.moments.sum_sq;
    full += c.full;
  }
  report.network = Describe("", all, full, options.min_n);
  std::vector<size_t> tested;
  std::vector<double> p;
  for (const AutonomyCount& c : counts) {
    AutonomyCell cell = Describe(c.institution_id, c.moments, c.full, options.min_n);
    if (!cell.suppressed) {
      cell.gap = cell.stats.index - report.network.stats.index;
      const WelchResult welch = WelchBelow(c.moments, all.Minus(c.moments));
      cell.p = welch.p;
      cell.df = welch.df;
      tested.push_back(report.cells.size());
      p.push_back(cell.p);
    } else {
      cell.gap = cell.p = cell.q = std::nan("");
    }
    report.cells.push_back(std::move(cell));
  }
  const std::vector<double> q = BenjaminiHochberg(p);
  for (size_t t = 0; t < tested.size(); ++t) {
    AutonomyCell& cell = report.cells[tested[t]];
    cell.q = q[t];
    cell.flagged = cell.gap <= -options.min_gap && cell.q < options.alpha;
  }
  return report;
}

}  // namespace percept
