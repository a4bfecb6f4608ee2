// The authorization matrix: every endpoint × every kind of caller has one expected answer,
// written down once here and checked exhaustively against the real server.

#include <catch2/catch.hpp>

#include "percept/base/crypto.h"
#include "percept/base/database.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

enum Caller {
  kNone,
  kMalformed,
  kUnknown,
  kRevoked,
  kEnumerator,
  kInstitution,
  kAnalyst,
  kAdmin,
  kSupervisor,  // of team norte; the interview below comes from an enumerator of no team
  kCallers
};
const char* kCallerNames[] = {"no token",
                              "malformed header",
                              "unknown token",
                              "revoked token",
                              "enumerator",
                              "institution (cesfam-tal-1)",
                              "analyst",
                              "admin",
                              "supervisor (team norte)"};

struct Rule {
  const char* method;
  std::string path;
  int expect[kCallers];  // 2 = any 2xx
};

}  // namespace

TEST_CASE("authorization matrix: every endpoint x every caller", "[e2e][pg]") {
  ServerProcess server;
  const std::string admin = LastLine(server.Admin("token create --role admin --name root"));
  const std::string supervisor =
      LastLine(server.Admin("token create --role supervisor --name sup --team norte"));
  const std::string revoked = LastLine(server.Admin("token create --role analyst --name gone"));
  server.Admin("token revoke gone");
  const std::string interview = DemoInterview("0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71").dump();
  const std::string batch = "{\"submissions\":[" + interview + "]}";
  const std::string q = "?survey=chs-perception";

  const std::vector<Rule> rules = {
      //                                              none malf unkn revk enum inst anal admn supv
      {"GET", "/healthz", {200, 200, 200, 200, 200, 200, 200, 200, 200}},
      {"GET", "/api/v1/surveys", {401, 401, 401, 401, 200, 200, 200, 200, 200}},
      {"GET", "/api/v1/surveys/chs-perception", {401, 401, 401, 401, 200, 200, 200, 200, 200}},
      {"GET", "/api/v1/institutions", {401, 401, 401, 401, 200, 200, 200, 200, 200}},
      {"POST", "/api/v1/submissions", {401, 401, 401, 401, 2, 403, 403, 403, 403}},
      {"POST", "/api/v1/submissions/batch", {401, 401, 401, 401, 200, 403, 403, 403, 403}},
      {"GET", "/api/v1/submissions" + q, {401, 401, 401, 401, 403, 403, 200, 200, 200}},
      // Sent as JSON above: no XML kept for it.
      {"GET",
       "/api/v1/submissions/0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71.xml",
       {401, 401, 401, 401, 403, 403, 404, 404, 403}},
      {"GET", "/api/v1/scores" + q, {401, 401, 401, 401, 403, 200, 200, 200, 403}},
      {"GET",
       "/api/v1/scores" + q + "&institution=cesfam-tal-1",
       {401, 401, 401, 401, 403, 200, 200, 200, 403}},
      {"GET",
       "/api/v1/scores" + q + "&institution=omil-tal",
       {401, 401, 401, 401, 403, 404, 200, 200, 403}},
      {"GET", "/api/v1/critical-points" + q, {401, 401, 401, 401, 403, 200, 200, 200, 403}},
      {"GET",
       "/api/v1/critical-points" + q + "&institution=omil-tal",
       {401, 401, 401, 401, 403, 404, 200, 200, 403}},
      {"GET", "/api/v1/exports/chs-perception.csv", {401, 401, 401, 401, 403, 403, 200, 200, 403}},
      {"GET",
       "/api/v1/exports/chs-perception.csv?layout=long",
       {401, 401, 401, 401, 403, 403, 200, 200, 403}},
      {"GET", "/api/v1/exports/chs-perception.sav", {401, 401, 401, 401, 403, 403, 200, 200, 403}},
      {"GET",
       "/api/v1/exports/chs-perception.jsonl",
       {401, 401, 401, 401, 403, 403, 200, 200, 403}},
      {"GET",
       "/api/v1/exports/chs-perception/codebook.csv",
       {401, 401, 401, 401, 403, 403, 200, 200, 403}},
      {"GET", "/reports/chs-perception", {303, 303, 303, 303, 403, 200, 200, 200, 403}},
      {"GET", "/sign-in", {200, 200, 200, 200, 200, 200, 200, 200, 200}},
      // Part (b).
      {"GET", "/api/v1/indicators" + q, {401, 401, 401, 401, 403, 200, 200, 200, 403}},
      {"GET", "/api/v1/autonomy" + q, {401, 401, 401, 401, 403, 200, 200, 200, 403}},
      {"GET",
       "/api/v1/circuits" + q + "&comuna=8110",
       {401, 401, 401, 401, 403, 403, 200, 200, 403}},
      {"GET", "/api/v1/indicators.csv" + q, {401, 401, 401, 401, 403, 403, 200, 200, 403}},
      {"GET", "/api/v1/part-b/codebook.csv", {401, 401, 401, 401, 403, 403, 200, 200, 403}},
      {"GET", "/api/v1/proposals" + q, {401, 401, 401, 401, 403, 403, 200, 200, 403}},
      // Supervision: the interview comes from an enumerator of no team, so the team's
      // supervisor does not see it (404, as for an unknown one).
      {"GET", "/api/v1/enumerators" + q, {401, 401, 401, 401, 403, 403, 200, 200, 200}},
      {"PATCH",
       "/api/v1/submissions/0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71",
       {401, 401, 401, 401, 403, 403, 403, 200, 404}},
      {"GET",
       "/api/v1/submissions/0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71/reviews",
       {401, 401, 401, 401, 403, 403, 200, 200, 404}},
      {"GET", "/supervise/chs-perception", {303, 303, 303, 303, 403, 403, 403, 200, 200}},
      {"GET",
       "/supervise/chs-perception/interviews/0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71",
       {303, 303, 303, 303, 403, 403, 403, 200, 404}},
  };

  auto headers_for = [&](Caller who) -> httplib::Headers {
    switch (who) {
      case kNone:
        return {};
      case kMalformed:
        return {{"Authorization", "Basic dXNlcjpwYXNz"}};
      case kUnknown:
        return Bearer("pct_" + std::string(43, 'A'));
      case kRevoked:
        return Bearer(revoked);
      case kEnumerator:
        return Bearer(server.enumerator_token);
      case kInstitution:
        return Bearer(server.institution_token);
      case kAnalyst:
        return Bearer(server.analyst_token);
      case kAdmin:
        return Bearer(admin);
      case kSupervisor:
        return Bearer(supervisor);
      default:
        return {};
    }
  };

  auto c = server.Client();
  int checked = 0;
  for (const Rule& rule : rules) {
    for (int who = 0; who < kCallers; ++who) {
      const httplib::Headers h = headers_for(static_cast<Caller>(who));
      const std::string method = rule.method;
      httplib::Result r =
          method == "GET" ? c->Get(rule.path.c_str(), h)
          : method == "PATCH"
              ? c->Patch(rule.path.c_str(), h, "{\"review_state\":\"approved\"}",
                         "application/json")
              : c->Post(rule.path.c_str(), h,
                        rule.path.find("batch") != std::string::npos ? batch : interview,
                        "application/json");
      REQUIRE(r);
      INFO(rule.method << " " << rule.path << " as " << kCallerNames[who] << " -> " << r->status
                       << " " << r->body.substr(0, 200));
      if (rule.expect[who] == 2)
        CHECK((r->status >= 200 && r->status < 300));
      else
        CHECK(r->status == rule.expect[who]);
      // Every refusal of the API speaks the contract's error shape.
      if (r->status >= 400 && rule.path.rfind("/api/", 0) == 0) {
        const json body = json::parse(r->body, nullptr, false);
        CHECK(body.is_object());
        CHECK(body.contains("error"));
      }
      // No refusal names another institution.
      if (who == kInstitution && r->status >= 400)
        CHECK(r->body.find("omil-tal") == std::string::npos);
      ++checked;
    }
  }
  CHECK(checked == static_cast<int>(rules.size()) * kCallers);

  // A session that expired (its row says so) is no way in.
  {
    auto db = percept::Database::Open(server.db(), false);  // SQLite or PostgreSQL
    REQUIRE(db.ok());
    auto st = (*db)->Prepare(
        "INSERT INTO sessions (hash, token_id, created_at, expires_at) "
        "SELECT ?, id, '2026-01-01T00:00:00Z', 1 FROM tokens WHERE name = 'consultant'");
    REQUIRE(st.ok());
    const std::string hash = percept::Sha256("an-old-session");
    REQUIRE(st->BindBlob(1, hash.data(), hash.size()).Run().ok());
  }
  auto expired = c->Get("/reports/chs-perception", {{"Cookie", "percept_session=an-old-session"}});
  REQUIRE(expired);
  CHECK(expired->status == 303);

  // An unknown session cookie is no way in either, and never opens the JSON API.
  auto cookie =
      c->Get("/reports/chs-perception", {{"Cookie", "percept_session=expired-or-forged"}});
  REQUIRE(cookie);
  CHECK(cookie->status == 303);
  auto api = c->Get("/api/v1/surveys", {{"Cookie", "percept_session=expired-or-forged"}});
  REQUIRE(api);
  CHECK(api->status == 401);
}

TEST_CASE("the audit trail tells who did what, and never holds a token", "[e2e][pg]") {
  ServerProcess server;
  auto c = server.Client();
  json batch = {{"submissions",
                 {DemoInterview("0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71"),
                  DemoInterview("1b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71", {"omil-tal"}, 3)}}};
  REQUIRE(c->Post("/api/v1/submissions/batch", Bearer(server.enumerator_token), batch.dump(),
                  "application/json")
              ->status == 200);
  REQUIRE(c->Post("/api/v1/submissions/batch", Bearer(server.enumerator_token), batch.dump(),
                  "application/json")
              ->status == 200);
  REQUIRE(c->Get("/api/v1/exports/chs-perception.sav", Bearer(server.analyst_token))->status ==
          200);
  REQUIRE(c->Get("/reports/chs-perception?from=2026-11-01&to=2026-11-30",
                 Bearer(server.institution_token))
              ->status == 200);
  REQUIRE(c->Post("/sign-in", "token=pct_guess", "application/x-www-form-urlencoded")->status ==
          401);
  server.Admin("token revoke consultant");
  // PostgreSQL is backed up with its own tools: percept says so (docs/operations.md).
  if (TestingOnPostgres())
    CHECK_THROWS(server.Admin("backup --out '" + server.dir() + "/b.db'"));
  else
    server.Admin("backup --out '" + server.dir() + "/b.db'");

  const std::string trail = server.Admin("audit");
  INFO(trail);
  for (const char* line :
       {"tab-e2e                  submit           2 created, 0 duplicate, 0 conflict",
        "tab-e2e                  submit           0 created, 2 duplicate, 0 conflict",
        "consultant               export           chs-perception sav",
        "cesfam-staff             report           chs-perception from=2026-11-01 to=2026-11-30",
        "failed sign-in", "token create     analyst token 'consultant'",
        "token create     institution token 'cesfam-staff' cesfam-tal-1",
        "token revoke     'consultant'", TestingOnPostgres() ? "token revoke" : "backup"}) {
    CHECK(trail.find(line) != std::string::npos);
  }
  for (const std::string& secret : {server.enumerator_token, server.analyst_token,
                                    server.institution_token, std::string("pct_guess")}) {
    CHECK(trail.find(secret) == std::string::npos);
  }
  if (!TestingOnPostgres())
    CHECK(server.Admin("audit --limit 1").find("backup") != std::string::npos);
  CHECK(server.Admin("audit --since 2999-01-01").empty());
}

TEST_CASE("metrics: Prometheus text for the machine itself, or for an analyst", "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  REQUIRE(c->Post("/api/v1/submissions", Bearer(server.enumerator_token),
                  DemoInterview("0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71").dump(), "application/json")
              ->status == 201);
  auto local = c->Get("/metrics");
  REQUIRE(local);
  CHECK(local->status == 200);
  CHECK(local->get_header_value("Content-Type").rfind("text/plain", 0) == 0);
  CHECK(local->body.find("percept_submissions_written_total 1\n") != std::string::npos);
  CHECK(local->body.find("percept_http_responses_total{class=\"2xx\"}") != std::string::npos);
  CHECK(c->Get("/metrics", Bearer(server.analyst_token))->status == 200);
  CHECK(c->Get("/metrics", Bearer(server.enumerator_token))->status == 403);
  CHECK(c->Get("/metrics", Bearer("pct_wrong"))->status == 401);
}
