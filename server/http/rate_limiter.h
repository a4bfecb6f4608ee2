// A token bucket per caller: `rate` requests a second on average, bursts up to `burst`.
// Thread-safe. A rate of 0 lets everything through. Callers may be client addresses, which an
// attacker can vary at will: a bucket that has refilled says nothing a new one would not, so
// those are dropped whenever the table doubles, and it stays as large as the recent callers.
//
// Several servers (docs/storage.md, "Several servers"): once Shared(), the limiter also counts
// what it lets through, for SharedLimits to record, and is Charged what the others let through.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <string>
#include <unordered_map>
#include <utility>

#include "percept/base/thread_annotations.h"

namespace percept {

class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(std::max(1.0, burst)) {}

  // True when `who` may make a request now; otherwise `retry_after` says in how many whole
  // seconds the next one will be let through.
  bool Allow(const std::string& who, int* retry_after) {
    if (rate_ <= 0) return true;
    const auto now = std::chrono::steady_clock::now();
    MutexLock lock(mu_);
    if (buckets_.size() > prune_above_) Prune(now);  // before `b` is taken: it may go
    Bucket& b = Refilled(who, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      if (shared_) spent_[who]++;
      return true;
    }
    *retry_after = std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rate_)));
    return false;
  }

  void Share() {
    MutexLock lock(mu_);
    shared_ = true;
  }
  // What was let through since the last call, by caller.
  std::unordered_map<std::string, int64_t> TakeSpent() {
    MutexLock lock(mu_);
    return std::exchange(spent_, {});
  }
  // Takes `n` requests that another server let through out of `who`'s bucket. A bucket may go
  // into debt (the servers let a burst through before they heard of each other), at most one
  // burst deep: its caller then waits as long as the overdraft took.
  void Charge(const std::string& who, int64_t n) {
    if (rate_ <= 0 || n <= 0) return;
    const auto now = std::chrono::steady_clock::now();
    MutexLock lock(mu_);
    Bucket& b = Refilled(who, now);
    b.tokens = std::max(-burst_, b.tokens - static_cast<double>(n));
  }

  size_t callers() const {
    MutexLock lock(mu_);
    return buckets_.size();
  }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  // `who`'s bucket (a full one if new), refilled up to `now`.
  Bucket& Refilled(const std::string& who, std::chrono::steady_clock::time_point now)
      REQUIRES(mu_) {
    Bucket& b = buckets_.try_emplace(who, Bucket{burst_, now}).first->second;
    b.tokens =
        std::min(burst_, b.tokens + rate_ * std::chrono::duration<double>(now - b.last).count());
    b.last = now;
    return b;
  }
  // Drops the buckets that are full by now.
  void Prune(std::chrono::steady_clock::time_point now) REQUIRES(mu_) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      const double refilled =
          it->second.tokens + rate_ * std::chrono::duration<double>(now - it->second.last).count();
      it = refilled >= burst_ ? buckets_.erase(it) : std::next(it);
    }
    prune_above_ = std::max<size_t>(kMinPruneAbove, 2 * buckets_.size());
  }

  static constexpr size_t kMinPruneAbove = 4096;
  const double rate_, burst_;
  // Threading: every method on any thread; mu_ guards everything below it.
  mutable Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ GUARDED_BY(mu_);
  size_t prune_above_ GUARDED_BY(mu_) = kMinPruneAbove;
  bool shared_ GUARDED_BY(mu_) = false;
  // Since the last TakeSpent, when shared_.
  std::unordered_map<std::string, int64_t> spent_ GUARDED_BY(mu_);
};

}  // namespace percept
