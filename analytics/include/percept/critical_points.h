// The critical points of a request, parts (a) and (b) together (docs/analytics.md, "Critical
// points, extended", and "Method 2", worst first): flagged dimension and autonomy cells by gap
// ascending (ties by index), then indicator cells by q ascending. The API and the report list
// them in this one order.
#pragma once

#include <vector>

#include "percept/indicator_layout.h"
#include "percept/scores.h"

namespace percept {

struct CriticalPoint {
  enum class Kind { kDimension, kAutonomy, kIndicator };
  Kind kind = Kind::kDimension;
  bool high_severity = false;
  const ScoreCell* dimension = nullptr;      // kDimension
  const AutonomyCell* autonomy = nullptr;    // kAutonomy
  const IndicatorCell* indicator = nullptr;  // kIndicator, with its definition:
  const IndicatorDef* def = nullptr;
  const std::string& institution_id() const;
  const char* kind_name() const;  // "dimension", "autonomy", "indicator"
};

// Pointers into the reports, which must outlive the result.
std::vector<CriticalPoint> AllCriticalPoints(const ScoreReport& scores, const PartBReport& part_b,
                                             const IndicatorLayout& layout);

}  // namespace percept
