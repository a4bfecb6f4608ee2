// The evaluation score x(e,d) of ANALYTICS.md: pure arithmetic, no HTTP, no SQL.
#pragma once

#include <optional>
#include <vector>

namespace percept {

// The mean of the non-missing answers of one dimension's k items in one evaluation, provided
// at least ceil(k/2) of them are non-missing (the half rule); otherwise missing.
// `answers` has one entry per item of the dimension; nullopt marks a missing answer.
std::optional<double> EvaluationScore(const std::vector<std::optional<double>>& answers);

}  // namespace percept
