#include "percept/follow_up.h"

#include <cmath>
#include <map>

#include "percept/statistics.h"
#include "percept/trends.h"

namespace percept {

std::vector<FollowUpVerdict> JudgePlans(const std::vector<FollowUpInput>& plans, double alpha) {
  // The family: each cell stated in advance once, with its p.
  std::map<std::string, size_t> family_index;
  std::vector<double> family_p;
  for (const FollowUpInput& p : plans) {
    if (!p.in_advance || p.suppressed || std::isnan(p.p)) continue;
    if (family_index.emplace(p.cell, family_p.size()).second) family_p.push_back(p.p);
  }
  const std::vector<double> family_q = BenjaminiHochberg(family_p);
  std::vector<FollowUpVerdict> out;
  out.reserve(plans.size());
  for (const FollowUpInput& p : plans) {
    FollowUpVerdict v;
    v.post_hoc = !p.in_advance;
    if (p.suppressed || std::isnan(p.p)) {
      v.verdict = "insufficient_n";
      out.push_back(v);
      continue;
    }
    v.q = p.in_advance ? family_q[family_index.at(p.cell)] : p.own_q;
    const std::vector<std::string> flags =
        v.q < alpha ? TrendFlags(p.change, v.q, p.min_gap, p.lower_is_better)
                    : std::vector<std::string>{};
    v.verdict = flags.empty() ? "no_change" : flags.front();
    out.push_back(v);
  }
  return out;
}

}  // namespace percept
