#include "percept/indicators.h"

#include <algorithm>
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
  // X ~ Hypergeometric(N = population, K = chose, n). A tail is summed from x away from the mode,
  // where its terms fall geometrically (p(k+1)/p(k) = (K-k)(n-k) / ((k+1)(N-K-n+k+1))); a tail
  // that would run through the mode is 1 minus the other one. The first term comes from lgamma:
  // its relative error is about 1e-15 times log C(N, n), far under the 1e-6 the tests ask.
  // (Boost's hypergeometric distribution is exact too, but takes milliseconds per call on mid
  // sized populations: a national request makes tens of thousands of calls.)
  const int64_t N = population, K = chose;
  const int64_t lowest = std::max<int64_t>(0, n - (N - K));
  const int64_t highest = std::min(n, K);
  if (upper ? x <= lowest : x >= highest) return 1.0;
  if (upper ? x > highest : x < lowest) return 0.0;
  auto log_choose = [](int64_t a, int64_t b) {
    return std::lgamma(static_cast<double>(a) + 1) - std::lgamma(static_cast<double>(b) + 1) -
           std::lgamma(static_cast<double>(a - b) + 1);
  };
  auto pmf = [&](int64_t k) {
    return std::exp(log_choose(K, k) + log_choose(N - K, n - k) - log_choose(N, n));
  };
  // Sum of P(X = k) from `from` toward `step` (+1 or -1) while k stays in [lowest, highest].
  auto tail = [&](int64_t from, int step) {
    double term = pmf(from), sum = 0;
    for (int64_t k = from; k >= lowest && k <= highest; k += step) {
      sum += term;
      if (term < sum * 1e-17) break;
      const double num = step > 0 ? static_cast<double>(K - k) * static_cast<double>(n - k)
                                  : static_cast<double>(k) * static_cast<double>(N - K - n + k);
      const double den = step > 0
                             ? static_cast<double>(k + 1) * static_cast<double>(N - K - n + k + 1)
                             : static_cast<double>(K - k + 1) * static_cast<double>(n - k + 1);
      term *= num / den;
    }
    return sum;
  };
  const double mode = std::floor(static_cast<double>(n + 1) * static_cast<double>(K + 1) /
                                 static_cast<double>(N + 2));
  double p;
  if (upper)
    p = x > mode ? tail(x, +1) : 1 - tail(x - 1, -1);
  else
    p = x < mode ? tail(x, -1) : 1 - tail(x + 1, +1);
  return std::clamp(p, 0.0, 1.0);
}

namespace {

// Pools counts per key into `pool` (in order of first appearance) and returns, per count, the
// index of its pool.
template <typename Key>
std::vector<size_t> Pool(const std::vector<IndicatorCount>& counts, Key key,
                         std::vector<NetworkIndicator>* pool) {
  std::map<std::pair<std::string, std::string>, size_t> at;
  std::vector<size_t> of;
  for (const IndicatorCount& c : counts) {
    auto [it, added] = at.emplace(key(c), pool->size());
    if (added) {
      NetworkIndicator net;
      net.type = it->first.first;
      net.indicator = c.indicator;
      pool->push_back(std::move(net));
    }
    (*pool)[it->second].n += c.n;
    (*pool)[it->second].x += c.x;
    of.push_back(it->second);
  }
  for (NetworkIndicator& net : *pool) {
    net.rate = net.n > 0 ? 100.0 * net.x / net.n : std::nan("");
    net.wilson = Wilson(net.x, net.n);
  }
  return of;
}

}  // namespace

const NetworkIndicator* IndicatorReport::Reference(const std::string& type,
                                                   const std::string& indicator) const {
  const bool by_type = !peers.empty();
  for (const NetworkIndicator& net : by_type ? peers : network)
    if (net.indicator == indicator && (!by_type || net.type == type)) return &net;
  return nullptr;
}

IndicatorReport ComputeIndicators(const std::vector<IndicatorCount>& counts,
                                  const IndicatorOptions& options, bool by_type) {
  IndicatorReport report;
  // The network: every institution pooled, per indicator (in order of first appearance); with
  // `by_type`, also per type, and each cell is read against its own type's pool.
  std::vector<size_t> reference = Pool(
      counts, [](const IndicatorCount& c) { return std::make_pair(std::string(), c.indicator); },
      &report.network);
  if (by_type) {
    std::vector<IndicatorCount> sorted_types = counts;  // pools in type order
    std::stable_sort(
        sorted_types.begin(), sorted_types.end(),
        [](const IndicatorCount& a, const IndicatorCount& b) { return a.type < b.type; });
    Pool(
        sorted_types, [](const IndicatorCount& c) { return std::make_pair(c.type, c.indicator); },
        &report.peers);
    std::map<std::pair<std::string, std::string>, size_t> at;
    for (size_t i = 0; i < report.peers.size(); ++i)
      at[{report.peers[i].type, report.peers[i].indicator}] = i;
    for (size_t i = 0; i < counts.size(); ++i)
      reference[i] = at[{counts[i].type, counts[i].indicator}];
  }
  const std::vector<NetworkIndicator>& pools = by_type ? report.peers : report.network;
  std::vector<size_t> family;  // valenced, non-suppressed cells: the BH family
  std::vector<double> p_values;
  for (size_t i = 0; i < counts.size(); ++i) {
    const IndicatorCount& c = counts[i];
    IndicatorCell cell;
    cell.count = c;
    cell.suppressed = c.n < options.min_n;
    cell.rate = c.n > 0 ? 100.0 * c.x / c.n : std::nan("");
    cell.wilson = Wilson(c.x, c.n);
    const NetworkIndicator& net = pools[reference[i]];
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
