// The JSON of score cells (docs/api.md), shared by /scores, /critical-points and part (b)'s
// endpoints. With `hide_n`, a suppressed cell does not say its n either (institution readers:
// an n that moves by one between two requests says one family answered). `kind`, when given,
// opens the object (the items of /critical-points). Internal to server/http.
#pragma once

#include "json_writer.h"
#include "percept/indicator_layout.h"
#include "percept/scores.h"
#include "percept/scoring/score_query.h"

namespace percept {

// Opens a report's object: "survey", and "filters" (the query's, null where not given).
void BeginReport(JsonWriter& w, const ScoreQuery& q);

// Part (a).
void WriteScoreCell(JsonWriter& w, const ScoreCell& c, bool hide_n, const char* kind = nullptr);
void WriteNetworkCell(JsonWriter& w, const NetworkCell& c, bool hide_n);

// Part (b). `def` is the cell's indicator (its item, its option; a yes/no item's is true).
void WriteIndicatorCell(JsonWriter& w, const IndicatorCell& c, const IndicatorDef& def, bool hide_n,
                        const char* kind = nullptr);
void WriteNetworkIndicator(JsonWriter& w, const NetworkIndicator& c, const IndicatorDef& def,
                           int64_t min_n);
// An autonomy cell's statistics (no institution): the network's, a stage band's.
void WriteAutonomyStatistics(JsonWriter& w, const AutonomyCell& c, bool hide_n);
void WriteAutonomyCell(JsonWriter& w, const AutonomyCell& c, bool hide_n,
                       const char* kind = nullptr);

}  // namespace percept
