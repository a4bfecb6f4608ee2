// Part (b) of docs/analytics.md, "Autonomy": the programme's stated result, families that manage
// the network on their own. An evaluation scores a(e) = 100 × (components met) / (components)
// when every component was answered; a cell has the statistics of a dimension cell on the 0–100
// scale, plus how many families met every component. Pure arithmetic over sums.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "percept/indicators.h"
#include "percept/statistics.h"

namespace percept {

// One institution's autonomy scores under the request's filters, as exact sums: X = 100 × met,
// with Moments::scale = the number of components (so a(e) = X / scale), and the evaluations
// with every component met.
struct AutonomyCount {
  std::string institution_id;
  Moments moments;
  int64_t full = 0;
  std::string type;  // compare=type: the institution's type, its peers
};

struct AutonomyOptions {
  int64_t min_n = 10;
  double min_gap = 5;   // index points below the network
  double alpha = 0.05;  // on q
};

struct AutonomyCell {
  std::string institution_id;  // empty for the network
  std::string type;            // a peer cell's type (compare=type)
  CellStatistics stats;        // index = mean, on 0..100
  bool suppressed = false;
  int64_t full = 0;
  Interval full_wilson;  // percent of n
  // Institution cells only: against the network (or its peers), Welch against every other
  // institution (of its type).
  double gap = 0, p = 1, q = 1, df = 0;
  bool flagged = false;  // below_network: gap <= -min_gap and q < alpha; severity high
};

struct AutonomyReport {
  AutonomyCell network;
  std::vector<AutonomyCell> peers;  // with `by_type`: one per type, in name order
  std::vector<AutonomyCell> cells;  // in input order

  // What a cell of `type` is read against: its type's pool when compared by type, else (and
  // for a type with no pool) the network.
  const AutonomyCell& Reference(const std::string& type) const;
};

// Every institution's cell and the network's, with BH over the institution cells of the
// request (a family of its own).
AutonomyReport ComputeAutonomy(const std::vector<AutonomyCount>& counts,
                               const AutonomyOptions& options, bool by_type = false);

}  // namespace percept
