// Watching enumerators (docs/supervision.md, "Enumerators"): per enumerator, how it works
// (interviews, minutes per evaluation, quality flags) and whether its families rate the same
// institutions differently from everyone else's — the mark of fabricated interviews. Pure
// arithmetic over counts and sums; no SQL, no HTTP.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "percept/statistics.h"

namespace percept {

struct EnumeratorInput {
  std::string enumerator, team;
  int64_t interviews = 0;
  std::vector<double> minutes_per_evaluation;  // one per interview whose times parse
  std::map<std::string, int64_t> flags;        // flag -> interviews with it
  std::map<std::string, int64_t> per_day;      // completed day -> interviews
  // The overall item's answers (on the scale, Moments::scale 1) per institution evaluated.
  std::map<std::string, Moments> overall;
};

struct EnumeratorOptions {
  int lo = 1, hi = 7;   // the scale, for the 0–100 index
  double min_gap = 10;  // index points
  double alpha = 0.05;  // on q
};

struct EnumeratorRow {
  std::string enumerator, team;
  int64_t interviews = 0;
  double median_minutes_per_evaluation = 0;  // NaN when no interview's times parse
  std::map<std::string, int64_t> flags;
  double interviews_per_day = 0;  // on the days it worked
  int64_t most_in_a_day = 0;
  int64_t evaluations = 0;  // with an overall answer
  // Its families' mean overall rating on 0–100, and the gap to the other enumerators'
  // families rating the same institutions (pooled), with a two-sided Welch test and BH over
  // the enumerators. NaN where undefined.
  double overall_index = 0, others_index = 0, gap = 0, p = 1, q = 1;
  bool deviant = false;  // q < alpha and |gap| >= min_gap
};

// One row per input, in input order.
std::vector<EnumeratorRow> ComputeEnumerators(const std::vector<EnumeratorInput>& inputs,
                                              const EnumeratorOptions& options);

}  // namespace percept
