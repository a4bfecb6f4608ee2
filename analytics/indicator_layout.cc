#include "percept/indicator_layout.h"

#include "percept/submission.h"

namespace percept {

namespace {

// Slots of an autonomy block, from its offset.
enum AutonomySlot : size_t { kAutN, kAutSum, kAutSumSq, kAutFull, kAutWidth };

}  // namespace

IndicatorLayout::IndicatorLayout(const SurveyDefinition& def)
    : indicators_(def.indicators), bands_(def.StageBandLabels()) {
  for (const AutonomyComponent& c : def.autonomy) {
    // The parser allows a yes/no item's true or false, or a single choice's option.
    const bool is_bool = c.equals_json == "true" || c.equals_json == "false";
    const std::string option =
        is_bool ? "" : c.equals_json.substr(1, c.equals_json.size() - 2);  // a JSON string
    for (size_t i = 0; i < indicators_.size(); ++i) {
      if (indicators_[i].item == c.item && indicators_[i].option == option) {
        components_.push_back({i, c.equals_json != "false"});
        component_ids_.push_back(c.id);
      }
    }
  }
  autonomy_offset_ = 2 * indicators_.size();
  bands_offset_ = autonomy_offset_ + (components_.empty() ? size_t{0} : size_t{kAutWidth});
  width_ = bands_offset_ + (components_.empty() ? 0 : kAutWidth * bands_.size());
}

size_t IndicatorLayout::CommonWidth(const IndicatorLayout& other) const {
  if (indicators_.size() != other.indicators_.size()) return 0;
  for (size_t i = 0; i < indicators_.size(); ++i) {
    if (indicators_[i].Key() != other.indicators_[i].Key()) return 0;
  }
  if (width_ != other.width_ || component_ids_ != other.component_ids_ || bands_ != other.bands_)
    return autonomy_offset_;
  for (size_t i = 0; i < components_.size(); ++i) {
    if (components_[i].indicator != other.components_[i].indicator ||
        components_[i].want_yes != other.components_[i].want_yes)
      return autonomy_offset_;
  }
  return width_;
}

void IndicatorLayout::Accumulate(std::string_view facts, int64_t* sums) const {
  if (facts.size() != indicators_.size() + 1) return;
  for (size_t i = 0; i < indicators_.size(); ++i) {
    if (facts[i] == kFactOut) continue;
    sums[2 * i] += 1;
    sums[2 * i + 1] += facts[i] == kFactYes;
  }
  if (components_.empty()) return;
  int64_t met = 0;
  for (const Component& c : components_) {
    const char fact = facts[c.indicator];
    if (fact == kFactOut) return;  // a(e) is defined when every component was answered
    met += (fact == kFactYes) == c.want_yes;
  }
  const int64_t x = 100 * met;
  const bool full = met == static_cast<int64_t>(components_.size());
  const auto add = [&](int64_t* s) {
    s[kAutN] += 1;
    s[kAutSum] += x;
    s[kAutSumSq] += x * x;
    s[kAutFull] += full;
  };
  add(sums + autonomy_offset_);
  const int band = facts[indicators_.size()];
  if (band > 0 && static_cast<size_t>(band) <= bands_.size())
    add(sums + bands_offset_ + kAutWidth * (band - 1));
}

IndicatorCount IndicatorLayout::Count(const std::string& institution_id, size_t indicator,
                                      const int64_t* sums) const {
  const IndicatorDef& d = indicators_[indicator];
  return {institution_id,          d.Key(), d.valence, d.high_severity, sums[2 * indicator],
          sums[2 * indicator + 1], ""};
}

namespace {

AutonomyCount ReadAutonomy(const std::string& id, const int64_t* s, size_t components) {
  return {id, Moments{s[kAutN], s[kAutSum], s[kAutSumSq], static_cast<int64_t>(components)},
          s[kAutFull], ""};
}

}  // namespace

AutonomyCount IndicatorLayout::Autonomy(const std::string& institution_id,
                                        const int64_t* sums) const {
  return ReadAutonomy(institution_id, sums + autonomy_offset_, components_.size());
}

AutonomyCount IndicatorLayout::Band(size_t band, const int64_t* sums) const {
  return ReadAutonomy(bands_[band], sums + bands_offset_ + kAutWidth * band, components_.size());
}

PartBReport ComputePartB(const IndicatorLayout& layout,
                         const std::map<std::string, std::vector<int64_t>>& sums,
                         const PartBOptions& options, const PeerTypes* types) {
  PartBReport report;
  std::vector<IndicatorCount> counts;
  counts.reserve(sums.size() * layout.indicators().size());
  std::vector<AutonomyCount> autonomy;
  std::vector<int64_t> network(layout.width(), 0);
  for (const auto& [id, s] : sums) {
    std::string type;
    if (types) {
      auto it = types->find(id);
      if (it != types->end()) type = it->second;
    }
    for (size_t i = 0; i < layout.indicators().size(); ++i) {
      counts.push_back(layout.Count(id, i, s.data()));
      counts.back().type = type;
    }
    if (!layout.components().empty()) {
      autonomy.push_back(layout.Autonomy(id, s.data()));
      autonomy.back().type = type;
    }
    for (size_t k = 0; k < s.size(); ++k) network[k] += s[k];
  }
  report.indicators = ComputeIndicators(counts, options.indicators, types != nullptr);
  if (layout.components().empty()) return report;
  report.autonomy = ComputeAutonomy(autonomy, options.autonomy, types != nullptr);
  for (size_t b = 0; b < layout.bands().size(); ++b) {
    // A band's cell is a network cell: described, never tested.
    AutonomyReport band = ComputeAutonomy({layout.Band(b, network.data())}, options.autonomy);
    band.network.institution_id.clear();
    report.stages.push_back({layout.bands()[b], band.network});
  }
  return report;
}

}  // namespace percept
