// What an institution reader may see of the other institutions, and over which windows
// (docs/security.md, "Differencing"): suppression of small pools and their complement, whole
// windows of --institution-period, and all time hiding whatever any of those windows hides.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "percept/storage/roles.h"
#include "percept/indicator_layout.h"
#include "percept/scores.h"

namespace percept {

// Whether [from, to] (valid dates) is exactly one calendar window of `months` months (1, 3 or
// 12), aligned on the year: 2026-11-01..2026-11-30 for a month, 2026-10-01..2026-12-31 for a
// quarter.
bool IsWholeWindow(const std::string& from, const std::string& to, int months);

// The whole windows of `months` months that hold a day of [first, last] (dates), in order.
std::vector<std::pair<std::string, std::string>> WholeWindows(const std::string& first,
                                                              const std::string& last, int months);

// Hides from `who` (an institution reader) every pool of other institutions it may not see in
// this report, and everything of its own cells read against such a pool.
void ProtectOtherInstitutions(ScoreReport& report, const Principal& who);
void ProtectOtherInstitutions(PartBReport& report, const Principal& who);

// All time, for an institution reader: all time less every window it may ask for would leave
// what those windows hide. So what one window hides — a pool, a cell of fewer than min_n — all
// time hides too. `raw` is the window's report as computed, `shown` the same after
// ProtectOtherInstitutions; `all` is all time's report, already protected. Call once per window.
void HideWhatAWindowHides(const ScoreReport& raw, const ScoreReport& shown, ScoreReport& all);
void HideWhatAWindowHides(const PartBReport& raw, const PartBReport& shown, int64_t min_n,
                          PartBReport& all);

}  // namespace percept
