// Rate limits shared by the servers of one database (docs/storage.md, "Several servers"). Each
// server keeps its own token buckets and, a few times a second, records what it let each caller
// spend and charges what the others recorded: a caller gets its rate once, whichever servers
// its requests reach, give or take one exchange's worth.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/storage/store.h"

namespace percept {

struct CallerSpend {
  std::string caller;  // what the limiter counts by: a token's name, a client's address
  int64_t spent = 0;   // requests let through
};

// How long a recorded spend is kept: long past any exchange, short enough to stay a few rows.
inline constexpr int64_t kSpendRetentionSeconds = 10;

// Records `mine` as spent through server `server`, and returns what the other servers recorded
// after row `*seen`, moving `*seen` on. Drops rows older than kSpendRetentionSeconds.
Result<std::vector<CallerSpend>> ExchangeSpend(Store& store, const std::string& server,
                                               const std::vector<CallerSpend>& mine, int64_t* seen);

}  // namespace percept
