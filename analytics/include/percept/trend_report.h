// Every cell of two waves and its change (docs/analytics.md, "Waves and trends", the trend
// cells): institution × dimension (and overall), autonomy and valenced indicators from the
// per-institution sums of each wave (score_layout.h, indicator_layout.h), and the network's
// cells from its per-interview sums, the interviews being the clusters. Flags after
// Benjamini–Hochberg in three families. Pure arithmetic: no HTTP, no SQL.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "percept/indicator_layout.h"
#include "percept/score_layout.h"
#include "percept/trends.h"

namespace percept {

// What the cluster variance needs of a set of interviews, for one statistic whose score X is an
// integer (a dimension's x·L, autonomy's 100·met, an indicator's 0/1): per interview h with
// S_h = Σ X and m_h scores, the sums over interviews of 1 (m_h ≥ 1), m_h, S_h, S_h², S_h·m_h
// and m_h². Adding two of them pools two disjoint sets of interviews.
struct ClusterSums {
  int64_t h = 0, m = 0, s = 0, ss = 0, sm = 0, mm = 0;
  void AddInterview(int64_t s_h, int64_t m_h);
  void Add(const ClusterSums& other);
};

// The ClusterMean of those scores on the answer scale (X / scale), computed exactly: the
// between-interview sum is (m² ΣS_h² − 2mS ΣS_h m_h + S² Σm_h²) / m² in 128-bit integers.
ClusterMean ClusterMeanOfSums(const ClusterSums& c, int64_t scale);

// The network's per-interview sums of one wave: one per score block (score_layout.h's order),
// autonomy, and one per indicator (indicator_layout.h's order).
struct NetworkClusters {
  std::vector<ClusterSums> blocks;
  ClusterSums autonomy;
  std::vector<ClusterSums> indicators;
  // Adds one interview: `score_sums` and `indicator_sums` are its evaluations' sums (of the
  // institutions the request takes in) added together, in the layouts' shapes.
  void AddInterview(const ScoreLayout& scores, const IndicatorLayout& indicators,
                    const int64_t* score_sums, const int64_t* indicator_sums);
  void Add(const NetworkClusters& other);
};

// One wave under the request's filters.
struct WaveSums {
  std::map<std::string, std::vector<int64_t>> scores;      // per institution, score_layout.h
  std::map<std::string, std::vector<int64_t>> indicators;  // per institution, indicator_layout.h
  NetworkClusters network;
};

// One wave's side of an index cell (dimension, overall, autonomy). `h` counts interviews.
struct IndexSide {
  int64_t n = 0, h = 0;
  bool suppressed = false;                    // n < min_n (a network cell: h < min_n)
  double index = 0, ci_low = 0, ci_high = 0;  // the interval: NaN without a variance
};

// One wave's side of an indicator cell.
struct RateSide {
  int64_t n = 0, x = 0;
  bool suppressed = false;
  double rate = 0;  // percent
};

// An institution's or the network's index cell (`institution_id` empty for the network). The
// change is NaN when either side is suppressed or empty.
struct IndexTrend {
  std::string institution_id;
  std::string dimension;  // a quality dimension, "overall", or "autonomy"
  IndexSide a, b;
  TrendChange change;
  bool tested = false;  // joins a family: an institution cell (not overall) with p defined
  double q = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::string> flags;
};

struct RateTrend {
  std::string institution_id;  // empty: the network (the cluster formula on 0/1 answers)
  size_t indicator = 0;        // in the layout's order
  RateSide a, b;
  TrendChange change;  // percentage points
  bool tested = false;
  double q = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::string> flags;
};

struct TrendOptions {
  int64_t min_n = 10;
  double min_gap = 5;      // index points, dimensions and autonomy
  double min_gap_pp = 10;  // percentage points, indicators
  double alpha = 0.05;     // on q
};

struct TrendReport {
  std::vector<IndexTrend> network;  // per block: dimensions, then overall
  std::vector<IndexTrend> cells;    // institutions in name order × blocks
  bool has_autonomy = false;
  IndexTrend autonomy_network;
  std::vector<IndexTrend> autonomy;
  std::vector<RateTrend> indicators_network;  // valenced indicators only
  std::vector<RateTrend> indicators;          // institutions × valenced indicators
};

// The trend cells of waves `a` (earlier) and `b`. Every institution with sums in either wave
// has its cells; the families hold the institution cells of this whole input.
TrendReport ComputeTrends(const ScoreLayout& scores, const IndicatorLayout& indicators,
                          const WaveSums& a, const WaveSums& b, const TrendOptions& options);

}  // namespace percept
