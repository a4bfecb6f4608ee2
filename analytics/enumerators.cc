#include "percept/enumerators.h"

#include <algorithm>
#include <cmath>

namespace percept {

namespace {

void Add(Moments& into, const Moments& m) {
  into.n += m.n;
  into.sum += m.sum;
  into.sum_sq += m.sum_sq;
}

double Median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

}  // namespace

std::vector<EnumeratorRow> ComputeEnumerators(const std::vector<EnumeratorInput>& inputs,
                                              const EnumeratorOptions& options) {
  // Every enumerator's families pooled, per institution.
  std::map<std::string, Moments> all;
  for (const EnumeratorInput& in : inputs)
    for (const auto& [inst, m] : in.overall) Add(all[inst], m);
  const double span = options.hi - options.lo;
  auto index = [&](double mean) { return (mean - options.lo) / span * 100; };

  std::vector<EnumeratorRow> rows;
  std::vector<double> p;
  for (const EnumeratorInput& in : inputs) {
    EnumeratorRow row;
    row.enumerator = in.enumerator;
    row.team = in.team;
    row.interviews = in.interviews;
    row.median_minutes_per_evaluation = Median(in.minutes_per_evaluation);
    row.flags = in.flags;
    for (const auto& [day, n] : in.per_day) row.most_in_a_day = std::max(row.most_in_a_day, n);
    row.interviews_per_day =
        in.per_day.empty() ? 0 : static_cast<double>(in.interviews) / in.per_day.size();
    Moments own, others;
    for (const auto& [inst, m] : in.overall) {
      Add(own, m);
      Add(others, all[inst].Minus(m));
    }
    row.evaluations = own.n;
    row.overall_index = own.n ? index(own.Mean()) : std::nan("");
    row.others_index = others.n ? index(others.Mean()) : std::nan("");
    row.gap = row.overall_index - row.others_index;
    // Two-sided: does this enumerator's families' rating differ, either way?
    const WelchResult below = WelchBelow(own, others);
    if (std::isnan(below.p))
      row.p = std::nan("");
    else if (own.Mean() == others.Mean())
      row.p = 1;
    else
      row.p = std::min(1.0, 2 * std::min(below.p, 1 - below.p));
    p.push_back(row.p);
    rows.push_back(std::move(row));
  }
  const std::vector<double> q = BenjaminiHochberg(p);
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].q = std::isnan(rows[i].p) ? std::nan("") : q[i];
    rows[i].deviant = rows[i].q < options.alpha && std::abs(rows[i].gap) >= options.min_gap;
  }
  return rows;
}

}  // namespace percept
