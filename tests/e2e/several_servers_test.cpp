// Several `percept serve` on one PostgreSQL database (docs/storage.md, "Several servers"):
// exactly once is the database's, a token revoked through one is refused by the other, and
// each server's scores follow the other's writes through the aggregate log.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

json Scores(ServerProcess& server) {
  auto c = server.Client();
  return GetJson(*c, "/api/v1/scores?survey=chs-perception", server.analyst_token);
}

// Polls `b` until its scores equal `want`; the seconds it took, or -1 after `limit` seconds.
double SecondsUntilEqual(ServerProcess& b, const json& want, double limit) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (Scores(b) == want) return waited;
    if (waited > limit) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

TEST_CASE("two servers on one PostgreSQL: one store, one set of tokens, scores that follow",
          "[e2e][pg]") {
  ServerProcess a({}, /*on_postgres=*/true);
  ServerProcess b(ServerProcess::SameDatabase{a});
  const std::string queue = TempPath("two-servers.db");
  a.Simulate(queue, "--households 200 --seed 61 --days 5 --first-day 2026-11-02");

  // Interviews acknowledged by A are in B's scores within a second (B follows the log).
  int status = 0;
  Shell(a.SyncCommand(queue) + " 2>&1", &status);
  REQUIRE(status == 0);
  const json after_a = Scores(a);
  CHECK(after_a["network"][0]["n"].get<int64_t>() > 500);
  const double waited = SecondsUntilEqual(b, after_a, 2.0);
  INFO("B caught up with A after " << waited << " s");
  CHECK(waited >= 0);
  CHECK(waited <= 1.0);

  // The same queue sent again, to B: everything is already stored (exactly once).
  const std::string out = Shell(b.SyncCommand(queue) + " 2>&1", &status);
  REQUIRE(status == 0);
  auto c = b.Client();
  const json page =
      GetJson(*c, "/api/v1/submissions?survey=chs-perception&limit=1000", b.analyst_token);
  CHECK(page["items"].size() == 200);

  // A new wave through B: A follows.
  const std::string second = TempPath("two-servers-b.db");
  b.Simulate(second, "--households 100 --seed 62 --days 3 --first-day 2026-11-10");
  Shell(b.SyncCommand(second) + " 2>&1", &status);
  REQUIRE(status == 0);
  const json after_b = Scores(b);
  CHECK(after_b != after_a);
  CHECK(SecondsUntilEqual(a, after_b, 2.0) >= 0);

  // Both equal a rebuild from the stored evaluations (each reloads on the new generation).
  a.Admin("rebuild-aggregates");
  CHECK(Scores(a) == after_b);
  CHECK(Scores(b) == after_b);

  // A token revoked (through the database both use) is refused by both at once.
  a.Admin("token revoke consultant");
  auto ca = a.Client();
  auto cb = b.Client();
  CHECK(GetJson(*ca, "/api/v1/surveys", a.analyst_token, 401)["error"]["code"] ==
        "unauthenticated");
  CHECK(GetJson(*cb, "/api/v1/surveys", b.analyst_token, 401)["error"]["code"] ==
        "unauthenticated");
}

namespace {

// Sends `count` quick GETs; how many were let through (the rest must be 429 with Retry-After).
int Admitted(ServerProcess& server, int count) {
  auto c = server.Client();
  int admitted = 0;
  for (int i = 0; i < count; ++i) {
    auto res = c->Get("/api/v1/surveys", Bearer(server.analyst_token));
    REQUIRE(res);
    if (res->status == 200) {
      admitted++;
    } else {
      REQUIRE(res->status == 429);
      CHECK(res->has_header("Retry-After"));
    }
  }
  return admitted;
}

}  // namespace

TEST_CASE("two servers on one PostgreSQL share each token's rate limit", "[e2e][pg]") {
  // 2 requests a second, bursts of 4: a token gets its burst once, whichever server it reaches.
  ServerProcess a({"--rate-limit", "2"}, /*on_postgres=*/true);
  ServerProcess b(ServerProcess::SameDatabase{a}, {"--rate-limit", "2"});
  CHECK(Admitted(a, 4) == 4);
  // Two exchanges later, B has been charged A's four: what it lets through is what refilled
  // meanwhile (2 a second), where on its own it would let a whole burst through.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  const int at_b = Admitted(b, 4);
  INFO("B let " << at_b << " of 4 through");
  CHECK(at_b <= 2);
  // The other way round, once both buckets have refilled.
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  CHECK(Admitted(b, 4) == 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  const int at_a = Admitted(a, 4);
  INFO("A let " << at_a << " of 4 through");
  CHECK(at_a <= 2);
}
