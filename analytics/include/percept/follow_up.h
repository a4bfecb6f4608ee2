// How the next wave judges an action plan (docs/plans.md, "The follow-up"): a plan is a
// hypothesis stated in advance about one cell, so the plans submitted before a wave began are
// tested in a family of their own (Benjamini–Hochberg over their distinct cells), not diluted by
// every cell of the network; a plan written after is judged post hoc, by its cell's own q. Pure
// arithmetic: no HTTP, no SQL.
#pragma once

#include <limits>
#include <string>
#include <vector>

namespace percept {

// One plan's cell between its wave and a later one (the trend cell, analytics/trend_report.h).
struct FollowUpInput {
  std::string cell;  // the (wave, target) the plan answers: plans on one cell are one hypothesis
  bool in_advance = false;  // first submitted before the later wave began
  bool suppressed = false;  // the cell is suppressed in either wave
  double change = std::numeric_limits<double>::quiet_NaN();
  double p = std::numeric_limits<double>::quiet_NaN();
  double own_q = std::numeric_limits<double>::quiet_NaN();  // the trend cell's q in its family
  double min_gap = 5;            // index points, or percentage points for an indicator
  bool lower_is_better = false;  // a bad indicator
};

struct FollowUpVerdict {
  double q = std::numeric_limits<double>::quiet_NaN();
  bool post_hoc = false;
  // "insufficient_n" (suppressed, or no p), "improved", "worsened" or "no_change".
  std::string verdict;
};

// The verdict of each input, in order: `q` from BH over the distinct cells of the plans stated
// in advance whose p is defined (each cell once), the trend cell's own q for the others
// (post_hoc); "improved" when q < alpha and the change is at least min_gap the good way,
// "worsened" the same the other way.
std::vector<FollowUpVerdict> JudgePlans(const std::vector<FollowUpInput>& plans,
                                        double alpha = 0.05);

// Whether `after` reaches `target` the good way (at or above it; at or below for a bad
// indicator).
inline bool TargetMet(double after, double target, bool lower_is_better) {
  return lower_is_better ? after <= target : after >= target;
}

}  // namespace percept
