// How one evaluation's likert answers become the exact integer sums that every statistic of
// docs/analytics.md is computed from (see statistics.h for why the sums are integers).
//
// A layout is made from a survey definition. Sums are a flat vector of width() integers:
// one block per quality dimension of the definition, then one for the overall item. Adding two
// sum vectors element by element pools their evaluations — per day, per institution, or the
// whole network alike.
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "percept/statistics.h"
#include "percept/survey_definition.h"

namespace percept {

// Slots of a block, from its offset.
enum Slot : size_t {
  kSlotN,
  kSlotSum,
  kSlotSumSq,
  kSlotSatisfied,
  kSlotDissatisfied,
  kSlotPairN,
  kSlotPairSx,
  kSlotPairSy,
  kSlotPairSxx,
  kSlotPairSyy,
  kSlotPairSxy,  // x with overall
  kSlotCompleteN,
  kSlotTotalSum,
  kSlotTotalSumSq,  // for alpha
  kSlotItems,       // then, per item, its sum and sum of squares over complete cases
};

struct DimensionBlock {
  std::string id;          // a quality dimension, or "overall"
  std::vector<int> items;  // positions in the likert vector
  int64_t scale = 1;       // L = lcm(1..k)
  size_t offset = 0;

  // x * scale for one evaluation, or false when the half rule leaves x missing.
  bool ScaledScore(const std::vector<int>& likert, int64_t* x, int64_t* count,
                   int64_t* total) const;
  // x itself (the evaluation score of docs/analytics.md), or NaN when missing.
  double Score(const std::vector<int>& likert) const;

  Moments moments(const int64_t* sums) const {
    return {sums[offset + kSlotN], sums[offset + kSlotSum], sums[offset + kSlotSumSq], scale};
  }
};

class ScoreLayout {
 public:
  explicit ScoreLayout(const SurveyDefinition& def);

  // Quality dimensions in the definition's order, then "overall" when the survey has one.
  const std::vector<DimensionBlock>& blocks() const { return blocks_; }
  bool has_overall() const { return has_overall_; }
  size_t width() const { return width_; }
  int lo() const { return lo_; }
  int hi() const { return hi_; }
  // Ids of the likert items, in the order the likert vector follows (the definition's).
  const std::vector<std::string>& likert_items() const { return likert_items_; }

  // Adds one evaluation to `sums` (width() integers). `likert` has one answer per likert item,
  // kNoAnswer where it does not count.
  void Accumulate(const std::vector<int>& likert, int64_t* sums) const;

 private:
  std::vector<DimensionBlock> blocks_;
  std::vector<std::string> likert_items_;
  bool has_overall_ = false;
  int overall_position_ = -1;
  size_t width_ = 0;
  int lo_ = 1, hi_ = 7;
};

}  // namespace percept
