// Part (b) of docs/analytics.md, "Indicator cells": the rate of an option (a problem met, a
// benefit obtained, knowing how) per institution, with its Wilson interval, its gap to the
// other institutions pooled and a one-sided Fisher exact test, flagged after Benjamini–Hochberg
// over the request's valenced cells. Pure arithmetic over counts: no HTTP, no SQL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "percept/survey_definition.h"  // Valence

namespace percept {

struct Interval {
  double low = 0, high = 0;
};

// The Wilson 95% interval of x successes in n, in percent (z = 1.959963984540054).
Interval Wilson(int64_t x, int64_t n);

// One-sided Fisher exact test: of `population` evaluations, `chose` chose the option; an
// institution's `n` are drawn and `x` of them chose it. `upper`: P(X >= x); else P(X <= x).
double FisherOneSided(int64_t population, int64_t chose, int64_t n, int64_t x, bool upper);

// The counts of one indicator for one institution under the request's filters.
struct IndicatorCount {
  std::string institution_id;
  std::string indicator;  // e.g. "problems=waits", "knows_how"
  Valence valence = Valence::kNone;
  bool high_severity = false;
  int64_t n = 0;     // evaluations in the indicator's sample
  int64_t x = 0;     // of those, the ones that chose the option
  std::string type;  // compare=type: the institution's type, its peers
};

struct IndicatorOptions {
  int64_t min_n = 10;
  double min_gap_pp = 10;  // percentage points toward the bad side
  double alpha = 0.05;     // on q
};

struct IndicatorCell {
  IndicatorCount count;
  bool suppressed = false;  // n < min_n
  double rate = 0;          // percent
  Interval wilson;
  // Against the other institutions pooled (suppressed ones included); valenced cells only.
  double others = 0, gap_pp = 0, p = 1, q = 1;
  bool flagged = false;  // worse_than_network: the gap toward the bad side and q < alpha
};

struct NetworkIndicator {
  std::string type;  // compare=type: the type it pools; empty for the network
  std::string indicator;
  int64_t n = 0, x = 0;
  double rate = 0;
  Interval wilson;
};

struct IndicatorReport {
  std::vector<NetworkIndicator> network;  // one per indicator, pooling every institution
  // With `by_type`: per type (in name order) one per indicator. Cells are then read against
  // the other institutions of their type.
  std::vector<NetworkIndicator> peers;
  std::vector<IndicatorCell> cells;  // one per input count, in input order

  // What a cell of `type` is read against for `indicator` (its key): its type's pool when
  // compared by type, else the network's; null when there is none.
  const NetworkIndicator* Reference(const std::string& type, const std::string& indicator) const;
};

// Every cell of `counts` (one per institution × indicator), the network's, and the flags, with
// BH over the valenced non-suppressed institution cells (a family of its own).
IndicatorReport ComputeIndicators(const std::vector<IndicatorCount>& counts,
                                  const IndicatorOptions& options, bool by_type = false);

}  // namespace percept
