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
// PostgreSQL: the meta key holding the last log seq folded into the table. A server that has
// not read that far reloads its mirror instead of following the log.
inline constexpr const char* kFoldedKey = "aggregate_log_folded_to";
// PostgreSQL: how long log rows stay after commit before a fold may take them, so that every
// server sharing the database reads them first.
inline constexpr int kLogRetentionSeconds = 30;

// Registers percept_add(a, b) (AddSumBlobs) on a connection that writes aggregates.
Status RegisterAggregateFunctions(Database* db);

// Adds `delta` to the aggregates table.
Status WriteAggregates(Store& store, const AggregateDelta& delta);
// Appends `delta` to the aggregate log. On PostgreSQL it first takes the log's advisory lock,
// held until the transaction ends: a later seq is committed later.
Status AppendAggregateLog(Store& store, const AggregateDelta& delta);
// The log rows with seq in (after, upto] merged into one delta; `last_seq` gets the last row's
// seq (left alone when there is none).
Result<AggregateDelta> ReadAggregateLog(Store& store, int64_t* last_seq, int64_t after = 0,
                                        int64_t upto = INT64_MAX);
// Moves the log into the aggregates table, in one transaction of its own: the whole log on
// SQLite; on PostgreSQL the rows older than kLogRetentionSeconds (all of them with `whole`, as
// a stopping server does), recording kFoldedKey. Returns the number of log rows folded.
Result<int64_t> FoldAggregateLog(Store& store, bool whole = false);

}  // namespace percept
