// One interview's review states and their history (docs/supervision.md); the rules are
// reviews.h, above.
// Each function runs on the thread that owns `store`, in its transaction if one is open.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/storage/store.h"

namespace percept {

// One change of an interview's review state.
struct ReviewRecord {
  std::string at, actor, from, to, comment;
};

Status SetReviewState(Store& store, int64_t seq, const std::string& state);

Status AddReview(Store& store, int64_t seq, const std::string& actor, const std::string& from,
                 const std::string& to, const std::string& comment);

Result<std::vector<ReviewRecord>> ListReviews(Store& store, int64_t seq);

}  // namespace percept
