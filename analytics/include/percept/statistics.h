// The statistics of docs/analytics.md, each a function of a few sums. Pure arithmetic: no HTTP, no
// SQL.
//
// Sums are exact integers. An evaluation score x = (sum of k' answers) / k' is kept as the
// integer X = x * L with L = lcm(1..k) (L / k' is whole for every k' <= k), so that sums over
// any grouping, in any order, are exact, and "the rest of the network" (network minus cell)
// loses nothing. Only the final statistic is rounded.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace percept {

// Institution id -> type, for compare=type: each institution is read against the institutions
// of its own type (docs/analytics.md, "Method 2", peers).
using PeerTypes = std::map<std::string, std::string>;

// First two moments of a sample of scaled scores X = x * scale.
struct Moments {
  int64_t n = 0;
  int64_t sum = 0;     // sum of X
  int64_t sum_sq = 0;  // sum of X^2
  int64_t scale = 1;   // L

  double Mean() const;      // on the answer scale (x, not X); NaN when n = 0
  double Variance() const;  // sample variance of x (divisor n-1); 0 when n = 1; NaN when n = 0
  Moments Minus(const Moments& other) const;
};

// What docs/analytics.md publishes for one cell. NaN where a statistic is undefined.
struct CellStatistics {
  int64_t n = 0;
  double mean = 0, sd = 0, index = 0;
  double ci_low = 0, ci_high = 0;  // on the index scale
  double half_width = 0;           // (ci_high - ci_low) / 2, index points
  double isn = 0, isn_ci_low = 0, isn_ci_high = 0;
  double cv = 0;
  bool reliable = false;  // method 2: n >= 60 and half_width <= 5
};

// `satisfied` / `dissatisfied`: how many x are >= hi-1 / <= hi-3 (6 and 4 on the 1..7 scale).
CellStatistics DescribeCell(const Moments& m, int64_t satisfied, int64_t dissatisfied, int lo,
                            int hi);

// One-sided Welch t-test of "the cell's mean is below the rest's", with Welch–Satterthwaite
// degrees of freedom and the exact Student t distribution. NaN p when either side has n < 2.
struct WelchResult {
  double t = 0, df = 0, p = 0;
};
WelchResult WelchBelow(const Moments& cell, const Moments& rest);

// Benjamini–Hochberg adjusted p-values (q), in the order given. NaN p-values count as 1.
std::vector<double> BenjaminiHochberg(const std::vector<double>& p);

// Pearson correlation from exact sums of pairs (x scaled by x_scale); NaN when undefined.
struct PairSums {
  int64_t n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
};
double Pearson(const PairSums& s);

// Cronbach's alpha from complete cases: per-item sums and sums of squares, and those of the
// total. NaN when k < 2, n < 2 or the total has no variance.
double CronbachAlpha(int64_t n, const std::vector<int64_t>& item_sum,
                     const std::vector<int64_t>& item_sum_sq, int64_t total_sum,
                     int64_t total_sum_sq);

// Method 2 (docs/analytics.md, "Minimum detectable gap"): the smallest gap below the others, in
// index points, that a one-sided test at 5% finds with 80% power, for a cell of n evaluations
// against `rest` others when scores spread with standard deviation `sd` (on the answer scale
// lo..hi); never less than `min_gap`, which a flag also needs. NaN when n or rest < 2.
double MinimumDetectableGap(double sd, int64_t n, int64_t rest, int lo, int hi, double min_gap);

// Student t quantile (two-sided 95% uses p = 0.975) and CDF, through Boost.Math.
double StudentTQuantile(double df, double p);
double StudentTCdf(double df, double t);

}  // namespace percept
