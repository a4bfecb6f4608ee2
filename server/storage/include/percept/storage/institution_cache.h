// The institutions the validator checks ids against: read from the database once, and read
// again (at most once a second) when an unknown id shows up, so `percept institution import`
// takes effect on a running server without a restart.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "percept/base/thread_annotations.h"
#include "percept/storage/institution_records.h"
#include "percept/storage/store_pool.h"
#include "percept/submission.h"

namespace percept {

class InstitutionCache : public InstitutionLookup {
 public:
  explicit InstitutionCache(StorePool* readers) : readers_(readers) { Reload(); }

  using Directory = std::map<std::string, Institution>;

  bool Exists(const std::string& id) const override {
    if (Snapshot()->count(id)) return true;
    const_cast<InstitutionCache*>(this)->Reload();
    return Snapshot()->count(id) > 0;
  }

  // Every institution by id, as last read. Unknown ids are read again (at most once a second).
  std::shared_ptr<const Directory> Snapshot() const {
    MutexLock lock(mu_);
    return ids_;
  }

 private:
  void Reload() {
    auto now = std::chrono::steady_clock::now();
    {
      MutexLock lock(mu_);
      if (ids_ && now - loaded_at_ < std::chrono::seconds(1)) return;
      loaded_at_ = now;
    }
    auto ids = std::make_shared<Directory>();
    auto reader = readers_->Acquire();
    if (reader.ok()) {
      auto all = ListInstitutions(**reader);
      if (all.ok())
        for (const Institution& i : *all) (*ids)[i.id] = i;
    }
    MutexLock lock(mu_);
    ids_ = std::move(ids);
  }

  // Threading: every member function runs on any thread. A snapshot is immutable once
  // published; readers keep theirs (a shared_ptr) however long they need it.
  StorePool* readers_;  // not owned; outlives the cache (both ApiServer's)
  mutable Mutex mu_;    // not held for the read itself, done unlocked
  std::shared_ptr<const Directory> ids_ GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point loaded_at_ GUARDED_BY(mu_);
};

}  // namespace percept
