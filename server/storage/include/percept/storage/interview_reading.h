// What the statistics that take the interview as the cluster read of the stored interviews
// (docs/analytics.md, "Waves and trends"): a window's interviews one at a time, each with its
// household key and its evaluations as stored. Rejected and deprecated interviews are left out,
// as the scores leave them out (docs/supervision.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "percept/base/status.h"
#include "percept/storage/store.h"

namespace percept {

// One evaluation as stored; the views are valid during the callback only.
struct StoredEvaluation {
  std::string_view institution_id;
  int version = 0;
  std::string_view likert;  // evaluations.likert (aggregate_codec.h)
  std::string_view facts;   // evaluations.facts; empty for a row a rebuild has not refreshed
};

// Calls `each` once per interview of survey `survey_id` completed in [from, to] (either empty:
// unbounded), in the order stored, with its household key ("" when it has none) and its
// evaluations in their order.
Status ForEachInterview(
    Store& store, const std::string& survey_id, const std::string& from, const std::string& to,
    const std::function<void(std::string_view household_key,
                             const std::vector<StoredEvaluation>& evaluations)>& each);

}  // namespace percept
