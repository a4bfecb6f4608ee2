#include "percept/autonomy.h"

#include <cmath>
#include <map>

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

const AutonomyCell& AutonomyReport::Reference(const std::string& type) const {
  for (const AutonomyCell& peer : peers)
    if (peer.type == type) return peer;
  return network;
}

AutonomyReport ComputeAutonomy(const std::vector<AutonomyCount>& counts,
                               const AutonomyOptions& options, bool by_type) {
  AutonomyReport report;
  struct Pool {
    Moments moments;
    int64_t full = 0;
    void Add(const AutonomyCount& c) {
      moments.scale = c.moments.scale;
      moments.n += c.moments.n;
      moments.sum += c.moments.sum;
      moments.sum_sq += c.moments.sum_sq;
      full += c.full;
    }
  };
  Pool all;
  std::map<std::string, Pool> typed;  // with `by_type`: each type's institutions pooled
  for (const AutonomyCount& c : counts) {
    all.Add(c);
    if (by_type) typed[c.type].Add(c);
  }
  report.network = Describe("", all.moments, all.full, options.min_n);
  std::map<std::string, const AutonomyCell*> peer_of;
  for (const auto& [type, pool] : typed) {
    report.peers.push_back(Describe("", pool.moments, pool.full, options.min_n));
    report.peers.back().type = type;
  }
  for (const AutonomyCell& peer : report.peers) peer_of[peer.type] = &peer;
  std::vector<size_t> tested;
  std::vector<double> p;
  for (const AutonomyCount& c : counts) {
    AutonomyCell cell = Describe(c.institution_id, c.moments, c.full, options.min_n);
    if (by_type) cell.type = c.type;
    const AutonomyCell& reference = by_type ? *peer_of[c.type] : report.network;
    const Moments& pooled = by_type ? typed[c.type].moments : all.moments;
    if (!cell.suppressed) {
      cell.gap = cell.stats.index - reference.stats.index;
      const WelchResult welch = WelchBelow(c.moments, pooled.Minus(c.moments));
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
