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
  std::string type;  // compare=type: the institutions' type it pools; empty for the network
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
  // Read against the cell's reference: the network, or under compare=type its type's cell.
  double gap = 0, p = 0, q = 0, importance = 0, network_index = 0;
  // The least gap this cell's n could have shown (statistics.h, MinimumDetectableGap).
  double mdg = 0;
  std::string peer_type;           // compare=type: the institution's type
  std::vector<std::string> flags;  // "below_standard", "below_network"
  bool critical = false;
  bool high_severity = false;
};

struct ScoreReport {
  std::vector<NetworkCell> network;  // the whole network: one per block of the layout
  // compare=type only: per type (in name order) one cell per block, each carrying its type.
  std::vector<NetworkCell> peers;
  std::vector<ScoreCell> cells;  // institutions (map order) × blocks
  bool by_type = false;

  // The cells a comparison under `type` reads against: its peers' under compare=type, else the
  // network's (one per block, in the layout's order; empty for an unknown type).
  std::vector<const NetworkCell*> Reference(const std::string& type) const;
};

// `sums`: per institution id, the layout's sums of its evaluations under the request's filters.
// Every institution takes part in the network, the tests and the BH adjustment (one family over
// every tested cell of the request); which cells a caller may see is decided afterwards. With
// `types`, each institution is read against the institutions of its own type (compare=type).
ScoreReport ComputeScores(const ScoreLayout& layout,
                          const std::map<std::string, std::vector<int64_t>>& sums,
                          const ScoreOptions& options, const PeerTypes* types = nullptr);

// The critical points of a report, worst first: by gap ascending, ties by index (method 2).
std::vector<const ScoreCell*> CriticalPoints(const ScoreReport& report);

// The median of the defined importances among `cells` (the quality dimensions' high-importance
// line); NaN when none is defined.
double ImportanceMedian(const std::vector<const NetworkCell*>& cells);

}  // namespace percept
