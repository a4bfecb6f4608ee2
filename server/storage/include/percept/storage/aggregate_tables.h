// The aggregates' durable tables (docs/storage.md): `aggregates`, the sums per survey version
// × institution × day, and `aggregate_log`, one compact delta per write transaction. Every
// function here runs inside the caller's transaction unless it says otherwise, on the
// connection of `store`, so on the thread that owns that Store.
#pragma once

#include <cstdint>

#include "percept/base/database.h"
#include "percept/base/status.h"
#include "percept/storage/aggregate_codec.h"
#include "percept/storage/store.h"

namespace percept {

// The meta key whose value a rebuild bumps, so that a running server reloads its mirror.
inline constexpr const char* kGenerationKey = "aggregates_generation";

// Registers percept_add(a, b) (AddSumBlobs) on a connection that writes aggregates.
Status RegisterAggregateFunctions(Database* db);

// Adds `delta` to the aggregates table.
Status WriteAggregates(Store& store, const AggregateDelta& delta);
// Appends `delta` to the aggregate log.
Status AppendAggregateLog(Store& store, const AggregateDelta& delta);
// The whole log merged into one delta; `last_seq` gets the last row's seq (0 when empty).
Result<AggregateDelta> ReadAggregateLog(Store& store, int64_t* last_seq);
// Moves the whole log into the aggregates table, in one transaction of its own. Returns the
// number of log rows folded.
Result<int64_t> FoldAggregateLog(Store& store);

// Recomputes the whole aggregates table from the stored evaluations in one transaction of its
// own, with the definitions recorded in the database, and bumps the generation. Rejected and
// deprecated interviews are left out (docs/supervision.md). Evaluations
// stored before schema 3 get their part (b) facts and referral here. Returns the number of
// evaluations read.
Result<int64_t> RebuildAggregates(Store& store);

}  // namespace percept
