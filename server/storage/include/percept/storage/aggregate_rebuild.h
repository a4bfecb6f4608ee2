// Rebuilding the aggregates from the stored evaluations (docs/storage.md).
#pragma once

#include <cstdint>

#include "percept/base/status.h"
#include "percept/storage/store.h"

namespace percept {

// Recomputes the whole aggregates table from the stored evaluations in one transaction of its
// own, with the definitions recorded in the database, and bumps the generation. Rejected and
// deprecated interviews are left out (docs/supervision.md). Evaluations
// stored before schema 3 get their part (b) facts and referral here. Returns the number of
// evaluations read.
Result<int64_t> RebuildAggregates(Store& store);

}  // namespace percept
