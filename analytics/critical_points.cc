#include "percept/critical_points.h"

#include <algorithm>
#include <tuple>

namespace percept {

const std::string& CriticalPoint::institution_id() const {
  switch (kind) {
    case Kind::kDimension:
      return dimension->institution_id;
    case Kind::kAutonomy:
      return autonomy->institution_id;
    case Kind::kIndicator:
      break;
  }
  return indicator->count.institution_id;
}

const char* CriticalPoint::kind_name() const {
  return kind == Kind::kDimension  ? "dimension"
         : kind == Kind::kAutonomy ? "autonomy"
                                   : "indicator";
}

std::vector<CriticalPoint> AllCriticalPoints(const ScoreReport& scores, const PartBReport& part_b,
                                             const IndicatorLayout& layout) {
  struct Keyed {
    CriticalPoint point;
    int group;       // 0: dimension or autonomy, 1: indicator
    double key;      // gap (group 0) or q (group 1)
    double tie = 0;  // index (group 0)
  };
  std::vector<Keyed> all;
  for (const ScoreCell* c : CriticalPoints(scores)) {
    CriticalPoint p;
    p.kind = CriticalPoint::Kind::kDimension;
    p.high_severity = c->high_severity;
    p.dimension = c;
    all.push_back({p, 0, c->gap, c->stats.index});
  }
  for (const AutonomyCell& c : part_b.autonomy.cells) {
    if (!c.flagged) continue;
    CriticalPoint p;
    p.kind = CriticalPoint::Kind::kAutonomy;
    p.high_severity = true;  // the programme's aim
    p.autonomy = &c;
    all.push_back({p, 0, c.gap, c.stats.index});
  }
  const size_t per_institution = layout.indicators().size();
  for (size_t i = 0; i < part_b.indicators.cells.size(); ++i) {
    const IndicatorCell& c = part_b.indicators.cells[i];
    if (!c.flagged) continue;
    CriticalPoint p;
    p.kind = CriticalPoint::Kind::kIndicator;
    p.def = &layout.indicators()[i % per_institution];
    p.high_severity = p.def->high_severity;
    p.indicator = &c;
    all.push_back({p, 1, c.q, 0});
  }
  // Worst first (method 2): dimensions and autonomy by gap, the furthest below first (ties by
  // index), then indicators by q. Severity is shown, not sorted on.
  std::stable_sort(all.begin(), all.end(), [](const Keyed& a, const Keyed& b) {
    return std::make_tuple(a.group, a.key, a.tie) < std::make_tuple(b.group, b.key, b.tie);
  });
  std::vector<CriticalPoint> out;
  out.reserve(all.size());
  for (const Keyed& k : all) out.push_back(k.point);
  return out;
}

}  // namespace percept
