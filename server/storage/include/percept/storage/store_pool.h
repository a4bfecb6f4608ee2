// A pool of read connections for request threads. WAL lets them read while the writer writes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "percept/storage/store.h"
#include "percept/base/thread_annotations.h"

namespace percept {

class StorePool {
 public:
  explicit StorePool(std::string path) : path_(std::move(path)) {}

  // A Store for this thread until the Lease is destroyed. Opens a new connection when none is free.
  class Lease {
   public:
    Lease(StorePool* pool, std::unique_ptr<Store> store) : pool_(pool), store_(std::move(store)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (store_) pool_->Return(std::move(store_));
    }
    Store* operator->() { return store_.get(); }
    Store& operator*() { return *store_; }

   private:
    StorePool* pool_;
    std::unique_ptr<Store> store_;
  };

  Result<Lease> Acquire() {
    {
      MutexLock lock(mu_);
      if (!free_.empty()) {
        auto s = std::move(free_.back());
        free_.pop_back();
        return Lease(this, std::move(s));
      }
    }
    auto opened = Store::Open(path_, /*create=*/false);
    if (!opened.ok()) return opened.status();
    return Lease(this, std::move(opened).value());
  }

 private:
  void Return(std::unique_ptr<Store> store) {
    MutexLock lock(mu_);
    free_.push_back(std::move(store));
  }
  // Threading: Acquire and a Lease's end run on any thread. A Lease's Store belongs to the
  // thread holding the Lease; the pool owns only the Stores in `free_`.
  std::string path_;
  Mutex mu_;
  std::vector<std::unique_ptr<Store>> free_ GUARDED_BY(mu_);
};

}  // namespace percept
