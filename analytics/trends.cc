#include "percept/trends.h"

#include <algorithm>
#include <cmath>

#include "percept/indicators.h"
#include "percept/statistics.h"

namespace percept {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double LogChoose(int64_t a, int64_t b) {
  return std::lgamma(static_cast<double>(a) + 1) - std::lgamma(static_cast<double>(b) + 1) -
         std::lgamma(static_cast<double>(a - b) + 1);
}

}  // namespace

ClusterMean ClusterMeanOf(const std::vector<std::vector<double>>& scores_by_interview) {
  ClusterMean c;
  double sum = 0;
  for (const auto& interview : scores_by_interview) {
    if (interview.empty()) continue;
    ++c.h;
    c.m += static_cast<int64_t>(interview.size());
    for (double x : interview) sum += x;
  }
  if (c.m == 0) return c;
  c.mean = sum / static_cast<double>(c.m);
  if (c.h < 2) return c;
  double between = 0;
  for (const auto& interview : scores_by_interview) {
    double deviation = 0;
    for (double x : interview) deviation += x - c.mean;
    between += deviation * deviation;
  }
  const double h = static_cast<double>(c.h), m = static_cast<double>(c.m);
  c.v = h / (h - 1) * between / (m * m);
  c.df = h - 1;
  return c;
}

TrendChange IndexChange(const ClusterMean& a, const ClusterMean& b, double k) {
  TrendChange t;
  if (a.m == 0 || b.m == 0) return t;
  t.change = k * (b.mean - a.mean);
  if (std::isnan(a.v) || std::isnan(b.v)) return t;
  const double v = a.v + b.v;
  if (v <= 0) return t;
  double denominator = 0;
  if (a.v > 0) denominator += a.v * a.v / a.df;
  if (b.v > 0) denominator += b.v * b.v / b.df;
  t.df = v * v / denominator;
  const double half = StudentTQuantile(t.df, 0.975) * k * std::sqrt(v);
  t.low = t.change - half;
  t.high = t.change + half;
  const double stat = (b.mean - a.mean) / std::sqrt(v);
  // The lower tail of −|t|, not 1 − the upper: a p of 1e-12 must not round to 0.
  t.p = std::min(1.0, 2 * StudentTCdf(t.df, -std::fabs(stat)));
  return t;
}

double FisherTwoSided(int64_t n_a, int64_t x_a, int64_t n_b, int64_t x_b) {
  const int64_t n = n_a + n_b, chose = x_a + x_b;
  const int64_t lowest = std::max<int64_t>(0, n_a - (n - chose));
  const int64_t highest = std::min(n_a, chose);
  auto log_pmf = [&](int64_t k) {
    return LogChoose(chose, k) + LogChoose(n - chose, n_a - k) - LogChoose(n, n_a);
  };
  // The hypergeometric is unimodal: from its mode, each neighbour's probability is the last
  // one's times a ratio, falling on both sides. Terms are kept relative to the mode's, and a
  // side stops once its terms are under 1e-17 of the observed one's (they could no longer move
  // p, which is at least the observed probability). Thousands of cells a request: no lgamma per
  // term.
  const int64_t mode = std::clamp<int64_t>(
      static_cast<int64_t>((static_cast<double>(chose + 1) * static_cast<double>(n_a + 1)) /
                           static_cast<double>(n + 2)),
      lowest, highest);
  const double log_mode = log_pmf(mode);
  const double observed = std::exp(log_pmf(x_a) - log_mode);  // relative to the mode's
  const double bound = observed * (1 + 1e-7), negligible = observed * 1e-17;
  double sum = 1 <= bound ? 1 : 0;  // the mode: counted when the observed table is as likely
  double term = 1;
  for (int64_t k = mode; k < highest; ++k) {  // upwards: P(k+1) / P(k)
    term *= static_cast<double>(chose - k) * static_cast<double>(n_a - k) /
            (static_cast<double>(k + 1) * static_cast<double>(n - chose - n_a + k + 1));
    if (term <= bound) sum += term;
    if (term < negligible) break;
  }
  term = 1;
  for (int64_t k = mode; k > lowest; --k) {  // downwards: P(k-1) / P(k)
    term *= static_cast<double>(k) * static_cast<double>(n - chose - n_a + k) /
            (static_cast<double>(chose - k + 1) * static_cast<double>(n_a - k + 1));
    if (term <= bound) sum += term;
    if (term < negligible) break;
  }
  return std::min(1.0, sum * std::exp(log_mode));
}

TrendChange RateChange(int64_t n_a, int64_t x_a, int64_t n_b, int64_t x_b) {
  TrendChange t;
  if (n_a == 0 || n_b == 0) return t;
  const double p_a = static_cast<double>(x_a) / static_cast<double>(n_a);
  const double p_b = static_cast<double>(x_b) / static_cast<double>(n_b);
  const Interval w_a = Wilson(x_a, n_a), w_b = Wilson(x_b, n_b);
  const double l_a = w_a.low / 100, u_a = w_a.high / 100, l_b = w_b.low / 100, u_b = w_b.high / 100;
  const double d = p_b - p_a;
  t.change = 100 * d;
  t.low = 100 * (d - std::sqrt((p_b - l_b) * (p_b - l_b) + (u_a - p_a) * (u_a - p_a)));
  t.high = 100 * (d + std::sqrt((u_b - p_b) * (u_b - p_b) + (p_a - l_a) * (p_a - l_a)));
  t.p = FisherTwoSided(n_a, x_a, n_b, x_b);
  return t;
}

std::vector<std::string> TrendFlags(double change, double q, double min_gap, bool lower_is_better) {
  if (std::isnan(change) || std::isnan(q) || q >= 0.05) return {};
  const double good = lower_is_better ? -change : change;
  if (good >= min_gap) return {"improved"};
  if (-good >= min_gap) return {"worsened"};
  return {};
}

}  // namespace percept
