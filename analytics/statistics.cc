#include "percept/statistics.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>

namespace percept {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// n * sum_sq - sum^2, exactly: the numerator of every variance here.
__int128 SpreadNumerator(int64_t n, int64_t sum, int64_t sum_sq) {
  return static_cast<__int128>(n) * sum_sq - static_cast<__int128>(sum) * sum;
}

double Clip(double v, double lo, double hi) { return std::min(hi, std::max(lo, v)); }
}  // namespace

double Moments::Mean() const {
  if (n == 0) return kNaN;
  return static_cast<double>(sum) / (static_cast<double>(n) * static_cast<double>(scale));
}

double Moments::Variance() const {
  if (n == 0) return kNaN;
  if (n == 1) return 0;
  const double l = static_cast<double>(scale);
  return static_cast<double>(SpreadNumerator(n, sum, sum_sq)) /
         (static_cast<double>(n) * static_cast<double>(n - 1) * l * l);
}

Moments Moments::Minus(const Moments& o) const {
  return {n - o.n, sum - o.sum, sum_sq - o.sum_sq, scale};
}

// Double precision throughout: Boost's default promotes to long double, several times slower
// for digits no report shows (a report computes thousands of these per call).
using DoublePolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
using StudentT = boost::math::students_t_distribution<double, DoublePolicy>;

double StudentTQuantile(double df, double p) { return boost::math::quantile(StudentT(df), p); }

double StudentTCdf(double df, double t) { return boost::math::cdf(StudentT(df), t); }

CellStatistics DescribeCell(const Moments& m, int64_t satisfied, int64_t dissatisfied, int lo,
                            int hi) {
  CellStatistics s;
  s.n = m.n;
  if (m.n == 0) {
    s.mean = s.sd = s.index = s.ci_low = s.ci_high = s.half_width = s.isn = s.isn_ci_low =
        s.isn_ci_high = s.cv = kNaN;
    return s;
  }
  const double n = static_cast<double>(m.n);
  const double range = hi - lo;
  auto to_index = [&](double x) { return 100.0 * (x - lo) / range; };
  s.mean = m.Mean();
  s.sd = std::sqrt(m.Variance());
  s.index = to_index(s.mean);
  if (m.n >= 2) {
    const double half = StudentTQuantile(n - 1, 0.975) * s.sd / std::sqrt(n);
    s.ci_low = to_index(Clip(s.mean - half, lo, hi));
    s.ci_high = to_index(Clip(s.mean + half, lo, hi));
  } else {
    s.ci_low = 0;  // one answer says nothing about the spread: the whole scale
    s.ci_high = 100;
  }
  s.half_width = (s.ci_high - s.ci_low) / 2;
  s.isn = 100.0 * (static_cast<double>(satisfied) - static_cast<double>(dissatisfied)) / n;
  // Method 2: the interval is centred on the shares with one satisfied and one dissatisfied
  // answer added (and a neutral one), so that it keeps a width when every answer is on one side
  // (docs/analytics.md, "Method 2").
  const double p = static_cast<double>(satisfied + 1) / (n + 3);
  const double d = static_cast<double>(dissatisfied + 1) / (n + 3);
  const double half_isn =
      1.96 * 100.0 * std::sqrt(std::max(0.0, p + d - (p - d) * (p - d)) / (n + 3));
  s.isn_ci_low = Clip(100.0 * (p - d) - half_isn, -100, 100);
  s.isn_ci_high = Clip(100.0 * (p - d) + half_isn, -100, 100);
  s.cv = s.mean != 0 ? (s.sd / std::sqrt(n)) / s.mean : kNaN;
  s.reliable = m.n >= 60 && s.half_width <= 5;
  return s;
}

WelchResult WelchBelow(const Moments& cell, const Moments& rest) {
  WelchResult r;
  if (cell.n < 2 || rest.n < 2) {
    r.t = r.df = r.p = kNaN;
    return r;
  }
  const double v1 = cell.Variance() / static_cast<double>(cell.n);
  const double v2 = rest.Variance() / static_cast<double>(rest.n);
  const double diff = cell.Mean() - rest.Mean();
  const double se2 = v1 + v2;
  if (se2 <= 0) {
    // Neither side varies: the difference of means is certain.
    r.t = diff < 0   ? -std::numeric_limits<double>::infinity()
          : diff > 0 ? std::numeric_limits<double>::infinity()
                     : 0;
    r.df = kNaN;
    r.p = diff < 0 ? 0.0 : 1.0;
    return r;
  }
  r.t = diff / std::sqrt(se2);
  r.df = se2 * se2 /
         (v1 * v1 / static_cast<double>(cell.n - 1) + v2 * v2 / static_cast<double>(rest.n - 1));
  r.p = StudentTCdf(r.df, r.t);
  return r;
}

std::vector<double> BenjaminiHochberg(const std::vector<double>& p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  auto value = [&](size_t i) { return std::isnan(p[i]) ? 1.0 : p[i]; };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return value(a) < value(b); });
  std::vector<double> q(m);
  double running = 1.0;
  for (size_t rank = m; rank >= 1; --rank) {
    const size_t i = order[rank - 1];
    running = std::min(running, value(i) * static_cast<double>(m) / static_cast<double>(rank));
    q[i] = running;
  }
  return q;
}

double Pearson(const PairSums& s) {
  if (s.n < 2) return kNaN;
  const __int128 cov = static_cast<__int128>(s.n) * s.sxy - static_cast<__int128>(s.sx) * s.sy;
  const __int128 vx = SpreadNumerator(s.n, s.sx, s.sxx);
  const __int128 vy = SpreadNumerator(s.n, s.sy, s.syy);
  if (vx <= 0 || vy <= 0) return kNaN;
  return static_cast<double>(
      static_cast<long double>(cov) /
      std::sqrt(static_cast<long double>(vx) * static_cast<long double>(vy)));
}

double CronbachAlpha(int64_t n, const std::vector<int64_t>& item_sum,
                     const std::vector<int64_t>& item_sum_sq, int64_t total_sum,
                     int64_t total_sum_sq) {
  const size_t k = item_sum.size();
  if (k < 2 || n < 2) return kNaN;
  // Every variance shares the divisor n(n-1): the ratio needs only the numerators.
  __int128 items = 0;
  for (size_t i = 0; i < k; ++i) items += SpreadNumerator(n, item_sum[i], item_sum_sq[i]);
  const __int128 total = SpreadNumerator(n, total_sum, total_sum_sq);
  if (total <= 0) return kNaN;
  const double kk = static_cast<double>(k);
  return kk / (kk - 1) *
         (1.0 -
          static_cast<double>(static_cast<long double>(items) / static_cast<long double>(total)));
}

double MinimumDetectableGap(double sd, int64_t n, int64_t rest, int lo, int hi, double min_gap) {
  if (n < 2 || rest < 2 || !std::isfinite(sd)) return kNaN;
  constexpr double kZ95 = 1.6448536269514722, kZ80 = 0.8416212335729143;
  const double se = sd * std::sqrt(1.0 / static_cast<double>(n) + 1.0 / static_cast<double>(rest));
  return std::max(min_gap, (kZ95 + kZ80) * se * 100.0 / (hi - lo));
}

}  // namespace percept
