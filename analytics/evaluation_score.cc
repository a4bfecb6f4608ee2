#include "percept/evaluation_score.h"

namespace percept {

std::optional<double> EvaluationScore(const std::vector<std::optional<double>>& answers) {
  const size_t k = answers.size();
  size_t present = 0;
  double sum = 0;
  for (const auto& a : answers) {
    if (a) {
      ++present;
      sum += *a;
    }
  }
  if (k == 0 || present == 0 || present * 2 < k) return std::nullopt;  // present >= ceil(k/2)
  return sum / static_cast<double>(present);
}

}  // namespace percept
