// The per-caller token bucket (server/http/rate_limiter.h): limits, and a table that callers an
// attacker invents cannot grow without bound.
#include "rate_limiter.h"

#include <catch2/catch.hpp>
#include <string>

#include "client_address.h"
#include "token_gate.h"

TEST_CASE("rate limiter: a burst, then Retry-After, and callers that went quiet are forgotten",
          "[unit]") {
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

TEST_CASE("rate limiter: shared, it counts what it lets through and is charged the others'",
          "[unit]") {
  percept::RateLimiter limiter(1.0 / 3600, 4);
  limiter.Share();
  int retry_after = 0;
  REQUIRE(limiter.Allow("tab-1", &retry_after));
  REQUIRE(limiter.Allow("tab-1", &retry_after));
  REQUIRE(limiter.Allow("tab-2", &retry_after));
  auto spent = limiter.TakeSpent();
  CHECK(spent.size() == 2);
  CHECK(spent["tab-1"] == 2);
  CHECK(spent["tab-2"] == 1);
  CHECK(limiter.TakeSpent().empty());  // each request counted once

  // Another server let tab-1 through twice: its last two requests are gone here too.
  limiter.Charge("tab-1", 2);
  CHECK_FALSE(limiter.Allow("tab-1", &retry_after));
  CHECK(retry_after > 3000);
  // A charge beyond the bucket is a debt, at most one burst deep.
  limiter.Charge("tab-3", 100);
  CHECK_FALSE(limiter.Allow("tab-3", &retry_after));
  CHECK(retry_after >= 4 * 3600);
  CHECK(retry_after <= 5 * 3600 + 1);
  CHECK(limiter.TakeSpent().empty());  // refused requests are not spent
}

TEST_CASE("token gate: a token holds at most its places at once, and gets them back", "[unit]") {
  percept::TokenGate gate(2);
  auto a = gate.Enter("sup-norte");
  auto b = gate.Enter("sup-norte");
  CHECK(a.ok());
  CHECK(b.ok());
  CHECK_FALSE(gate.Enter("sup-norte").ok());  // a third at once
  CHECK(gate.Enter("sup-sur").ok());          // another token is not held back
  {
    auto moved = std::move(a);
    CHECK(moved.ok());
    CHECK_FALSE(gate.Enter("sup-norte").ok());
  }  // the moved place is given back once
  CHECK(gate.Enter("sup-norte").ok());
}

TEST_CASE("sign-in limits count an IPv6 client by its /64, and anyone else by its address",
          "[unit]") {
  using percept::SignInLimitKey;
  CHECK(SignInLimitKey("203.0.113.7") == "203.0.113.7");
  CHECK(SignInLimitKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64");
  CHECK(SignInLimitKey("2001:db8:1:2:bbbb::9") == SignInLimitKey("2001:db8:1:2:aaaa::1"));
  CHECK(SignInLimitKey("2001:db8:1:3::1") != SignInLimitKey("2001:db8:1:2::1"));
  // IPv4 clients of a server listening on IPv6 are not all one /64.
  CHECK(SignInLimitKey("::ffff:203.0.113.7") != SignInLimitKey("::ffff:203.0.113.8"));
}
