#include "percept/score_layout.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace percept {

ScoreLayout::ScoreLayout(const SurveyDefinition& def) : lo_(def.scale.min), hi_(def.scale.max) {
  const std::vector<const Item*> likert = def.LikertItems();
  for (const Item* it : likert) likert_items_.push_back(it->id);
  auto position = [&](const Item* item) {
    return static_cast<int>(std::find(likert.begin(), likert.end(), item) - likert.begin());
  };
  auto add_block = [&](const std::string& id, std::vector<int> items) {
    DimensionBlock b;
    b.id = id;
    b.items = std::move(items);
    for (size_t k = 1; k <= b.items.size(); ++k)
      b.scale = std::lcm(b.scale, static_cast<int64_t>(k));
    b.offset = width_;
    width_ += kSlotItems + 2 * b.items.size();
    blocks_.push_back(std::move(b));
  };
  for (const Dimension& d : def.dimensions) {
    std::vector<int> items;
    for (const Item* it : def.DimensionItems(d.id)) items.push_back(position(it));
    add_block(d.id, std::move(items));
  }
  if (const Item* overall = def.OverallItem()) {
    has_overall_ = true;
    overall_position_ = position(overall);
    add_block("overall", {overall_position_});
  }
}

bool DimensionBlock::ScaledScore(const std::vector<int>& likert, int64_t* x, int64_t* count,
                                 int64_t* total) const {
  const int64_t k = static_cast<int64_t>(items.size());
  *count = 0;
  *total = 0;
  for (int pos : items) {
    if (likert[pos] != kNoAnswer) {
      ++*count;
      *total += likert[pos];
    }
  }
  if (*count == 0 || 2 * *count < k) return false;  // the half rule: at least ceil(k/2) answers
  *x = *total * (scale / *count);                   // x * L, exact
  return true;
}

double DimensionBlock::Score(const std::vector<int>& likert) const {
  int64_t x = 0, count = 0, total = 0;
  if (!ScaledScore(likert, &x, &count, &total)) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(x) / static_cast<double>(scale);
}

void ScoreLayout::Accumulate(const std::vector<int>& likert, int64_t* sums) const {
  const int overall = has_overall_ ? likert[overall_position_] : kNoAnswer;
  for (const DimensionBlock& b : blocks_) {
    int64_t* s = sums + b.offset;
    const int64_t k = static_cast<int64_t>(b.items.size());
    int64_t x = 0, count = 0, total = 0;
    if (!b.ScaledScore(likert, &x, &count, &total)) continue;
    s[kSlotN] += 1;
    s[kSlotSum] += x;
    s[kSlotSumSq] += x * x;
    if (x >= (hi_ - 1) * b.scale) s[kSlotSatisfied] += 1;
    if (x <= (hi_ - 3) * b.scale) s[kSlotDissatisfied] += 1;
    if (overall != kNoAnswer && b.id != "overall") {
      s[kSlotPairN] += 1;
      s[kSlotPairSx] += x;
      s[kSlotPairSy] += overall;
      s[kSlotPairSxx] += x * x;
      s[kSlotPairSyy] += static_cast<int64_t>(overall) * overall;
      s[kSlotPairSxy] += x * overall;
    }
    if (count == k) {
      s[kSlotCompleteN] += 1;
      s[kSlotTotalSum] += total;
      s[kSlotTotalSumSq] += total * total;
      for (int64_t i = 0; i < k; ++i) {
        const int64_t v = likert[b.items[i]];
        s[kSlotItems + 2 * i] += v;
        s[kSlotItems + 2 * i + 1] += v * v;
      }
    }
  }
}

}  // namespace percept
