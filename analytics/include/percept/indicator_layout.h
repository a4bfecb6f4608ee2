// How one evaluation's part (b) facts (submission.h, EvaluationFacts) become exact integer sums,
// the way score_layout.h does it for the quality dimensions, and how summed facts become the
// indicator and autonomy cells of docs/analytics.md, part (b).
//
// Sums are a flat vector of width() integers:
//   - per indicator of the definition, n (in its sample) and x (chose it);
//   - when the definition names autonomy components: n, sum and sum of squares of X = 100 × met
//     (Moments::scale = components, so a(e) = X / scale) and full (every component met);
//   - the same four per stage band, when the definition has stages.
// Adding two sum vectors pools their evaluations.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "percept/autonomy.h"
#include "percept/indicators.h"
#include "percept/survey_definition.h"

namespace percept {

class IndicatorLayout {
 public:
  explicit IndicatorLayout(const SurveyDefinition& def);

  const std::vector<IndicatorDef>& indicators() const { return indicators_; }
  // The autonomy components' ids, in the definition's order (empty: no autonomy).
  const std::vector<std::string>& components() const { return component_ids_; }
  // The indicator component `k` reads, and whether it is met by choosing it (else by not).
  size_t ComponentIndicator(size_t k) const { return components_[k].indicator; }
  bool ComponentWantsYes(size_t k) const { return components_[k].want_yes; }
  const std::vector<std::string>& bands() const { return bands_; }
  size_t width() const { return width_; }
  // How many leading slots of this layout's sums mean the same in `other`'s, so that two
  // versions may be pooled: all of them when the layouts are the same, the indicators' when
  // only those agree (a version that names no autonomy), else 0.
  size_t CommonWidth(const IndicatorLayout& other) const;

  // Adds one evaluation's facts to `sums` (width() integers). Facts of another shape (an old
  // row that a rebuild has not refreshed) add nothing.
  void Accumulate(std::string_view facts, int64_t* sums) const;

  // Reading sums back.
  IndicatorCount Count(const std::string& institution_id, size_t indicator,
                       const int64_t* sums) const;
  AutonomyCount Autonomy(const std::string& institution_id, const int64_t* sums) const;
  AutonomyCount Band(size_t band, const int64_t* sums) const;

 private:
  struct Component {
    size_t indicator;  // the fact it reads
    bool want_yes;     // met when the fact is kFactYes (else when kFactNo: "equals": false)
  };
  std::vector<IndicatorDef> indicators_;
  std::vector<std::string> component_ids_;
  std::vector<Component> components_;
  std::vector<std::string> bands_;
  size_t autonomy_offset_ = 0, bands_offset_ = 0, width_ = 0;
};

struct PartBOptions {
  IndicatorOptions indicators;
  AutonomyOptions autonomy;
};

struct BandCell {
  std::string band;  // "0-6", ...
  AutonomyCell cell;
};

// Part (b) of one request: every institution's indicator cells (institutions in map order ×
// indicators in the layout's order: cell i is indicator i % indicators().size()), its autonomy
// cells, and the network's autonomy per stage.
struct PartBReport {
  IndicatorReport indicators;
  AutonomyReport autonomy;  // empty cells when the definition has no autonomy
  std::vector<BandCell> stages;
};

// `sums`: per institution, the layout's sums under the request's filters.
// With `types`, each institution is read against the institutions of its own type.
PartBReport ComputePartB(const IndicatorLayout& layout,
                         const std::map<std::string, std::vector<int64_t>>& sums,
                         const PartBOptions& options, const PeerTypes* types = nullptr);

}  // namespace percept
