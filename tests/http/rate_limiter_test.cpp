// The per-caller token bucket (server/http/rate_limiter.h): limits, and a table that callers an
// attacker invents cannot grow without bound.
#include "rate_limiter.h"

#include <catch2/catch.hpp>
#include <string>

TEST_CASE("rate limiter: a burst, then Retry-After, and callers that went quiet are forgotten") {
  percept::RateLimiter slow(1.0 / 6, 10);
  int retry_after = 0, allowed = 0;
  for (int i = 0; i < 15; ++i) allowed += slow.Allow("127.0.0.1", &retry_after) ? 1 : 0;
  CHECK(allowed == 10);
  CHECK(retry_after >= 5);

  // A million addresses, one request each, at a rate that refills a bucket at once.
  percept::RateLimiter fast(1e9, 10);
  for (int i = 0; i < 1000000; ++i) {
    REQUIRE(fast.Allow("addr-" + std::to_string(i), &retry_after));
  }
  CHECK(fast.callers() <= 2 * 4096 + 1);
  // A caller still limited is remembered through a sweep.
  percept::RateLimiter mixed(1.0 / 3600, 1);
  REQUIRE(mixed.Allow("greedy", &retry_after));
  CHECK_FALSE(mixed.Allow("greedy", &retry_after));
  for (int i = 0; i < 20000; ++i) mixed.Allow("addr-" + std::to_string(i), &retry_after);
  CHECK_FALSE(mixed.Allow("greedy", &retry_after));
}
