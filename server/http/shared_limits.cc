#include "shared_limits.h"

#include <cstdio>
#include <random>

#include "percept/base/log.h"
#include "percept/base/uuid.h"
#include "percept/storage/rate_spend.h"

namespace percept {

namespace {

std::string ServerName() {
  std::random_device seed;
  std::mt19937_64 rng((static_cast<uint64_t>(seed()) << 32) ^ seed());
  return RandomUuid(rng);
}

}  // namespace

SharedLimits::SharedLimits(StorePool* pool,
                           std::vector<std::pair<std::string, RateLimiter*>> limiters)
    : pool_(pool), limiters_(std::move(limiters)), server_(ServerName()) {
  for (const auto& [prefix, limiter] : limiters_) limiter->Share();
  thread_ = std::thread([this] { Run(); });
}

SharedLimits::~SharedLimits() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  stop_.notify_one();
  thread_.join();
}

void SharedLimits::Run() {
  MutexLock lock(mu_);
  bool failing = false;
  while (!stop_.wait_for(lock.unique(), kExchangeEvery, [&]() REQUIRES(mu_) { return stopping_; })) {
    lock.Unlock();
    Status s = Exchange();
    // One line when the exchanges start failing (the database is away), none per attempt.
    if (!s.ok() && !failing) Log(LogLevel::kError, "sharing rate limits: %s", s.message().c_str());
    failing = !s.ok();
    lock.Lock();
  }
}

Status SharedLimits::Exchange() {
  std::vector<CallerSpend> mine;
  for (const auto& [prefix, limiter] : limiters_) {
    for (auto& [who, n] : limiter->TakeSpent()) mine.push_back({prefix + who, n});
  }
  auto store = pool_->Acquire();
  if (!store.ok()) return store.status();
  // What fails to be recorded is forgotten: the others under-count this server by it, once.
  auto others = ExchangeSpend(**store, server_, mine, &seen_);
  if (!others.ok()) return others.status();
  for (const CallerSpend& c : *others) {
    for (const auto& [prefix, limiter] : limiters_) {
      if (c.caller.compare(0, prefix.size(), prefix) == 0)
        limiter->Charge(c.caller.substr(prefix.size()), c.spent);
    }
  }
  return Status::Ok();
}

}  // namespace percept
