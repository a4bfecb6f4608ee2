// Quality scores per institution and critical points (docs/analytics.md), from summed evaluations.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "percept/score_layout.h"
#include "percept/statistics.h"

namespace percept {

struct ScoreOptions {
  int64_t min_n = 10;    // cells with fewer evaluations are suppressed
  double standard = 50;  // passing standard on the index scale
  double min_gap = 5;    // least gap to the network, in index points, that can flag a cell
  double alpha_fdr = 0.05;
  // Part (b): least gap to the other institutions, in percentage points, that can flag an
  // indicator cell (indicators.h).
  double min_gap_pp = 10;
};

struct NetworkCell {
  std::string dimension;
  bool suppressed = false;
  CellStatistics stats;
  double importance = 0;  // NaN when undefined; always NaN for "overall"
  double alpha = 0;       // Cronbach's alpha; NaN when undefined
  bool high_importance = false;
};

struct ScoreCell {
  std::string institution_id;
  std::string dimension;
  bool suppressed = false;
  CellStatistics stats;
  // Only for quality dimensions of non-suppressed cells (NaN otherwise).
  double gap = 0, p = 0, q = 0, importance = 0, network_index = 0;
  std::vector<std::string> flags;  // "below_standard", "below_network"
  bool critical = false;
  bool high_severity = false;
};

struct ScoreReport {
  std::vector<NetworkCell> network;  // one per block of the layout
  std::vector<ScoreCell> cells;      // institutions (map order) × blocks
};

// `sums`: per institution id, the layout's sums of its evaluations under the request's filters.
// Every institution takes part in the network, the tests and the BH adjustment; which cells a
// caller may see is decided afterwards.
ScoreReport ComputeScores(const ScoreLayout& layout,
                          const std::map<std::string, std::vector<int64_t>>& sums,
                          const ScoreOptions& options);

// The critical points of a report: high severity first, then by index ascending.
std::vector<const ScoreCell*> CriticalPoints(const ScoreReport& report);

}  // namespace percept
