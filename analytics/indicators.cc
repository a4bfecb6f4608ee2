#include "percept/indicators.h"

#include <boost/math/distributions/hypergeometric.hpp>
#include <cmath>
#include <map>

#include "percept/statistics.h"

namespace percept {

namespace {

constexpr double kZ = 1.959963984540054;

}  // namespace

Interval Wilson(int64_t x, int64_t n) {
  if (n <= 0) return {std::nan(""), std::nan("")};
  const double p = static_cast<double>(x) / n, nn = static_cast<double>(n), z2 = kZ * kZ;
  const double center = p + z2 / (2 * nn);
  const double half = kZ * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  const double denominator = 1 + z2 / nn;
  return {100 * (center - half) / denominator, 100 * (center + half) / denominator};
}

double FisherOneSided(int64_t population, int64_t chose, int64_t n, int64_t x, bool upper) {
  using boost::math::hypergeometric_distribution;
  const hypergeometric_distribution<double> dist(
      static_cast<unsigned>(chose), static_cast<unsigned>(n), static_cast<unsigned>(population));
  const int64_t lowest = std::max<int64_t>(0, n - (population - chose));
  const int64_t highest = std::min(n, chose);
  if (upper) {
    if (x <= lowest) return 1.0;
    if (x > highest) return 0.0;
    return boost::math::cdf(boost::math::complement(dist, static_cast<unsigned>(x - 1)));
  }
  if (x >= highest) return 1.0;
  if (x < lowest) return 0.0;
  return boost::math::cdf(dist, static_cast<unsigned>(x));
}

IndicatorReport ComputeIndicators(const std::vector<IndicatorCount>& counts,
                                  const IndicatorOptions& options) {
  IndicatorReport report;
  // The network: every institution pooled, per indicator (in order of first appearance).
  std::map<std::string, size_t> network_at;
  for (const IndicatorCount& c : counts) {
    auto [it, added] = network_at.emplace(c.indicator, report.network.size());
    if (added) {
      NetworkIndicator net;
      net.indicator = c.indicator;
      report.network.push_back(std::move(net));
    }
    report.network[it->second].n += c.n;
    report.network[it->second].x += c.x;
  }
  for (NetworkIndicator& net : report.network) {
    net.rate = net.n > 0 ? 100.0 * net.x / net.n : std::nan("");
    net.wilson = Wilson(net.x, net.n);
  }
  std::vector<size_t> family;  // valenced, non-suppressed cells: the BH family
  std::vector<double> p_values;
  for (const IndicatorCount& c : counts) {
    IndicatorCell cell;
    cell.count = c;
    cell.suppressed = c.n < options.min_n;
    cell.rate = c.n > 0 ? 100.0 * c.x / c.n : std::nan("");
    cell.wilson = Wilson(c.x, c.n);
    const NetworkIndicator& net = report.network[network_at[c.indicator]];
    const int64_t rest_n = net.n - c.n, rest_x = net.x - c.x;
    cell.others = rest_n > 0 ? 100.0 * rest_x / rest_n : std::nan("");
    cell.gap_pp = cell.rate - cell.others;
    if (c.valence != Valence::kNone && !cell.suppressed) {
      cell.p = FisherOneSided(net.n, net.x, c.n, c.x, c.valence == Valence::kBad);
      family.push_back(report.cells.size());
      p_values.push_back(cell.p);
    }
    report.cells.push_back(std::move(cell));
  }
  const std::vector<double> q = BenjaminiHochberg(p_values);
  for (size_t k = 0; k < family.size(); ++k) {
    IndicatorCell& cell = report.cells[family[k]];
    cell.q = q[k];
    const double toward_bad = cell.count.valence == Valence::kBad ? cell.gap_pp : -cell.gap_pp;
    cell.flagged = toward_bad >= options.min_gap_pp && cell.q < options.alpha;
  }
  return report;
}

}  // namespace percept
