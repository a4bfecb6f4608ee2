// What the enumerator summary is computed from (ReadEnumeratorInputs: one pass over a survey's
// evaluations), read once for however many callers ask at once (docs/supervision.md,
// "Enumerators"). Without it each supervisor's call read the whole survey: 48 calls at once
// took a tablet's submission from 0.1 s to 5.7 s.
//
// A caller gets inputs at least as new as the aggregates were when it asked (Aggregates::
// changes(): every stored interview, review and correction moves them), so what it wrote just
// before is in what it reads. While one read of a survey runs, callers wait for it, or for the
// next, never start another. A read after the first takes only what changed since
// (FollowEnumeratorInputs): the interviews stored since, and those deprecated or brought back.
//
// Thread-safe. `readers` and `aggregates` are not owned and outlive the cache.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/enumerators.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/reviews.h"
#include "percept/storage/store_pool.h"
#include "percept/base/thread_annotations.h"

namespace percept {

class EnumeratorInputCache {
 public:
  using Inputs = std::shared_ptr<const std::vector<EnumeratorInput>>;
  EnumeratorInputCache(StorePool* readers, const Aggregates* aggregates)
      : readers_(readers), aggregates_(aggregates) {}

  // Every enumerator of `survey_id`, of every team (a caller keeps its team's rows).
  Result<Inputs> Get(const std::string& survey_id);
  // How many times a survey was read (for tests and /metrics).
  uint64_t reads() const;

 private:
  struct Entry {
    EnumeratorFollow follow;  // only the reading thread touches it (`reading` says which)
    Inputs inputs;           // null until a read succeeded
    uint64_t changes = 0;    // what `inputs` include
    bool reading = false;
    uint64_t reading_changes = 0;  // what the read under way will include
    Status failed;           // the last read's failure, for those who waited on it
  };
  StorePool* readers_;
  const Aggregates* aggregates_;
  mutable Mutex mu_;
  std::condition_variable read_done_;
  std::map<std::string, Entry> entries_ GUARDED_BY(mu_);
  uint64_t reads_ GUARDED_BY(mu_) = 0;
};

}  // namespace percept
