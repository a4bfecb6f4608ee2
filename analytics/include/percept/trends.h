// Change between two waves (docs/analytics.md, "Waves and trends"): a dimension or autonomy
// cell's index, with the interviews (households) as clusters and a Welch–Satterthwaite interval;
// an indicator's rate, with Newcombe's interval and a two-sided Fisher exact test; and the flag
// a change earns after Benjamini–Hochberg. Pure arithmetic: no HTTP, no SQL.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace percept {

// The mean of scores given interview by interview, and its variance with the interviews as
// clusters (the ultimate-cluster estimator, as R's survey::svymean with ids = ~interview):
// v = H/(H-1) · Σ_h (Σ_{e in h} (x_e − mean))² / m², df = H − 1. With fewer than two
// interviews, v and df are NaN.
struct ClusterMean {
  int64_t m = 0;  // scores
  int64_t h = 0;  // interviews holding at least one
  double mean = std::numeric_limits<double>::quiet_NaN();
  double v = std::numeric_limits<double>::quiet_NaN();
  double df = std::numeric_limits<double>::quiet_NaN();
};
ClusterMean ClusterMeanOf(const std::vector<std::vector<double>>& scores_by_interview);

// A change and what is known of it; NaN where undefined.
struct TrendChange {
  double change = std::numeric_limits<double>::quiet_NaN();
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();
  double df = std::numeric_limits<double>::quiet_NaN();
  double p = std::numeric_limits<double>::quiet_NaN();
};

// index_B − index_A for means on a scale of `k` index points per scale point (100/(hi − lo);
// 1 for autonomy): the 95% interval change ± t(0.975, df) · k · sqrt(v_A + v_B) with
// df = (v_A + v_B)² / (v_A²/df_A + v_B²/df_B), and the two-sided p of the same t. A side without
// a variance (NaN) leaves interval, df and p undefined; a side whose variance is 0 drops out of
// the df's sum; a total variance of 0 leaves them undefined too.
TrendChange IndexChange(const ClusterMean& a, const ClusterMean& b, double k);

// rate_B − rate_A in percentage points for x_A of n_A and x_B of n_B, with Newcombe's hybrid
// score interval from the two Wilson intervals, and the two-sided Fisher exact p.
TrendChange RateChange(int64_t n_a, int64_t x_a, int64_t n_b, int64_t x_b);

// The two-sided Fisher exact test of x_A of n_A against x_B of n_B: the probability, under
// equal rates, of every table with the same margins at most as likely as this one (× (1 + 1e-7),
// as R's fisher.test).
double FisherTwoSided(int64_t n_a, int64_t x_a, int64_t n_b, int64_t x_b);

// "improved" when q < 0.05 and the change is at least `min_gap` in the good direction (a fall,
// for a measure where `lower_is_better`), "worsened" the same the other way; else none.
std::vector<std::string> TrendFlags(double change, double q, double min_gap, bool lower_is_better);

}  // namespace percept
