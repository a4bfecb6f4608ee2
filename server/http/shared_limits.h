// Several servers on one database (docs/storage.md, "Several servers"): a thread that, every
// kExchangeEvery, records what this server's limiters let through and charges them what the
// other servers' did, so that a token's rate (and a client's sign-in attempts) hold across all
// of them. Internal to server/http.
#pragma once

#include <chrono>
#include <condition_variable>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "percept/storage/store_pool.h"
#include "rate_limiter.h"
#include "percept/base/thread_annotations.h"

namespace percept {

class SharedLimits {
 public:
  // Each limiter under a distinct prefix of its callers' names. Starts the thread; the pool
  // and the limiters are not owned and outlive this.
  SharedLimits(StorePool* pool, std::vector<std::pair<std::string, RateLimiter*>> limiters);
  ~SharedLimits();  // stops the thread

  static constexpr std::chrono::milliseconds kExchangeEvery{250};

 private:
  void Run();
  Status Exchange();

  StorePool* pool_;
  const std::vector<std::pair<std::string, RateLimiter*>> limiters_;
  const std::string server_;  // this process, among the database's servers
  int64_t seen_ = 0;          // the last row read; thread_ only
  // Threading: the constructor and destructor on the owner's thread, Run and Exchange on
  // thread_.
  Mutex mu_;
  std::condition_variable stop_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once everything above is built
};

}  // namespace percept
