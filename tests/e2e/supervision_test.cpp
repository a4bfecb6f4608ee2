// Supervision over HTTPS (docs/supervision.md): quality flags at ingest, the review of an
// interview by its team's supervisor, the aggregates following a rejection at once (equal to
// a server that never received it, and to a rebuild), corrections, and who may do what.
#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "browser.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

const char* kJson = "application/json";

json Interview(std::mt19937_64& rng, unsigned seed) {
  return DemoInterview(RandomUuid(rng), {"cesfam-tal-1", "omil-tal"}, seed);
}

void Send(httplib::SSLClient& c, const std::string& token, const json& doc, int status = 201) {
  auto r = c.Post("/api/v1/submissions", Bearer(token), doc.dump(), kJson);
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == status);
}

httplib::Result Review(httplib::SSLClient& c, const std::string& token, const std::string& id,
                       const json& body) {
  return c.Patch(("/api/v1/submissions/" + id).c_str(), Bearer(token), body.dump(), kJson);
}

json Listed(httplib::SSLClient& c, const std::string& token, const std::string& filter = "") {
  return GetJson(c, "/api/v1/submissions?survey=chs-perception" + filter, token)["items"];
}

std::set<std::string> Ids(const json& items) {
  std::set<std::string> ids;
  for (const json& i : items) ids.insert(i["instance_id"].get<std::string>());
  return ids;
}

}  // namespace

TEST_CASE("supervision: flags at ingest, team-scoped review, and the aggregates follow", "[e2e]") {
  ServerProcess server({"--min-n", "3"});
  const std::string enc_a =
      LastLine(server.Admin("token create --role enumerator --name enc-a --team norte"));
  const std::string enc_b =
      LastLine(server.Admin("token create --role enumerator --name enc-b --team sur"));
  const std::string sup_a =
      LastLine(server.Admin("token create --role supervisor --name sup-a --team norte"));
  const std::string sup_b =
      LastLine(server.Admin("token create --role supervisor --name sup-b --team sur"));
  const std::string sup_all = LastLine(server.Admin("token create --role supervisor --name jefa"));
  auto c = server.Client();
  std::mt19937_64 rng(14);

  // A baseline from both teams, then the scores without the interview to come.
  std::set<std::string> team_a, team_b;
  for (unsigned i = 0; i < 6; ++i) {
    json a = Interview(rng, 100 + i), b = Interview(rng, 200 + i);
    Send(*c, enc_a, a);
    Send(*c, enc_b, b);
    team_a.insert(a["instance_id"].get<std::string>());
    team_b.insert(b["instance_id"].get<std::string>());
  }
  const std::string scores = "/api/v1/scores?survey=chs-perception";
  const json without = GetJson(*c, scores, server.analyst_token);

  // A rushed interview at night, every answer the same, the household seen before.
  json rushed = Interview(rng, 300);
  rushed["started_at"] = "2026-11-20T23:10:00-03:00";
  rushed["completed_at"] = "2026-11-20T23:13:00-03:00";
  for (json& e : rushed["evaluations"])
    for (auto& [item, v] : e["answers"].items())
      if (v.is_number_integer()) v = 7;
  json first_visit = Interview(rng, 301);
  first_visit["household"]["household_key"] = "12.345.678-5";
  rushed["household"]["household_key"] = "12345678-5";  // the same RUT, written otherwise
  Send(*c, enc_a, first_visit);
  team_a.insert(first_visit["instance_id"].get<std::string>());
  const json before_rushed = GetJson(*c, scores, server.analyst_token);
  CHECK(before_rushed != without);
  Send(*c, enc_a, rushed);
  const std::string rushed_id = rushed["instance_id"];
  const json with_rushed = GetJson(*c, scores, server.analyst_token);
  CHECK(with_rushed != before_rushed);

  const json all = Listed(*c, server.analyst_token);
  json flags;
  for (const json& i : all) {
    if (i["instance_id"] != rushed_id) continue;
    flags = i["flags"];
    CHECK(i["enumerator"] == "enc-a");
  }
  CHECK(flags == json{"too_fast", "straight_lining", "off_hours", "duplicate_household"});
  CHECK(Ids(Listed(*c, server.analyst_token, "&flag=too_fast")) ==
        std::set<std::string>{rushed_id});
  CHECK(Ids(Listed(*c, server.analyst_token, "&flag=duplicate_household")) ==
        std::set<std::string>{rushed_id});
  CHECK(Ids(Listed(*c, server.analyst_token, "&enumerator=enc-b")) == team_b);

  // Each supervisor sees its team; one without a team sees all.
  std::set<std::string> expected_a = team_a;
  expected_a.insert(rushed_id);
  CHECK(Ids(Listed(*c, sup_a)) == expected_a);
  CHECK(Ids(Listed(*c, sup_b)) == team_b);
  CHECK(Ids(Listed(*c, sup_all)).size() == expected_a.size() + team_b.size());
  for (const json& i : Listed(*c, sup_a)) CHECK(i["review_state"] == "received");

  // Who may not review: another team's supervisor (it does not exist for them), enumerators,
  // institutions and analysts (they read, they do not review). Every refusal in the error shape.
  const json reject = {{"review_state", "rejected"}, {"comment", "Entrevista de 3 minutos."}};
  for (const auto& [token, status] :
       std::vector<std::pair<std::string, int>>{{sup_b, 404},
                                                {enc_a, 403},
                                                {server.institution_token, 403},
                                                {server.analyst_token, 403},
                                                {"pct_not-a-token", 401}}) {
    auto r = Review(*c, token, rushed_id, reject);
    REQUIRE(r);
    CAPTURE(token);
    CHECK(r->status == status);
    CHECK(json::parse(r->body)["error"]["code"].is_string());
  }
  GetJson(*c, "/api/v1/submissions/" + rushed_id + "/reviews", sup_b, 404);
  // The same on the supervisor's page (pages take the bearer header too).
  const std::string page = "/supervise/chs-perception/interviews/" + rushed_id;
  CHECK(c->Get(page.c_str(), Bearer(sup_a))->status == 200);
  CHECK(c->Get(page.c_str(), Bearer(sup_b))->status == 404);
  CHECK(c->Get(page.c_str(), Bearer(enc_a))->status == 403);
  CHECK(c->Get(page.c_str(), Bearer(server.institution_token))->status == 403);
  CHECK(c->Get("/supervise/chs-perception", Bearer(server.analyst_token))->status == 403);
  {
    // A form posted from another site is refused, and changes nothing.
    httplib::Headers headers = Bearer(sup_a);
    headers.emplace("Origin", "https://evil.example");
    headers.emplace("Sec-Fetch-Site", "cross-site");
    auto r = c->Post(page.c_str(), headers, "review_state=approved&comment=x",
                     "application/x-www-form-urlencoded");
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(GetJson(*c, "/api/v1/submissions/" + rushed_id + "/reviews", sup_a)["items"].empty());
  }
  // Team b's queue on the page lists none of team a's interviews.
  const std::string queue_b = c->Get("/supervise/chs-perception", Bearer(sup_b))->body;
  CHECK(queue_b.find(rushed_id) == std::string::npos);
  CHECK(queue_b.find("data-enumerator='enc-a'") == std::string::npos);
  GetJson(*c, "/api/v1/submissions?survey=chs-perception", enc_a, 403);
  // Bad reviews.
  for (const json& bad :
       {json{{"review_state", "rejected"}},  // no reason given
        json{{"review_state", "deleted"}, {"comment", "x"}},
        json{{"review_state", "approved"}, {"colour", "red"}}, json{{"review_state", 3}}}) {
    auto r = Review(*c, sup_a, rushed_id, bad);
    REQUIRE(r);
    CAPTURE(bad.dump());
    CHECK(r->status == 422);
  }
  CHECK(c->Patch(("/api/v1/submissions/" + rushed_id).c_str(), Bearer(sup_a), "{nope", kJson)
            ->status == 400);
  CHECK(Review(*c, sup_a, "0b9e6f0e-6f5c-4a51-9a59-000000000000", reject)->status == 404);

  // Its team's supervisor rejects it: the scores are those of a server that never received it.
  auto r = Review(*c, sup_a, rushed_id, reject);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json answer = json::parse(r->body);
  CHECK(answer["review_state"] == "rejected");
  CHECK(answer["previous"] == "received");
  json after_rejection = GetJson(*c, scores, server.analyst_token);
  CHECK(after_rejection["excluded"] == 1);  // the scores say what they leave out
  after_rejection["excluded"] = 0;
  CHECK(after_rejection == before_rushed);
  CHECK(Ids(Listed(*c, sup_a, "&review_state=rejected")) == std::set<std::string>{rushed_id});
  // Approved after all: it counts again, number for number.
  auto back =
      Review(*c, sup_all, rushed_id, {{"review_state", "approved"}, {"comment", "Revisada"}});
  REQUIRE(back);
  CHECK(back->status == 200);
  CHECK(GetJson(*c, scores, server.analyst_token) == with_rushed);
  REQUIRE(Review(*c, sup_a, rushed_id, reject)->status == 200);
  after_rejection = GetJson(*c, scores, server.analyst_token);
  after_rejection["excluded"] = 0;
  CHECK(after_rejection == before_rushed);

  // The history, oldest first; the audit trail says who moved what, never the comment.
  json history = GetJson(*c, "/api/v1/submissions/" + rushed_id + "/reviews", sup_a);
  REQUIRE(history["items"].size() == 3);
  CHECK(history["items"][0]["actor"] == "sup-a");
  CHECK(history["items"][0]["from"] == "received");
  CHECK(history["items"][0]["to"] == "rejected");
  CHECK(history["items"][0]["comment"] == "Entrevista de 3 minutos.");
  CHECK(history["items"][1]["actor"] == "jefa");
  CHECK(history["review_state"] == "rejected");
  const std::string audit = server.Admin("audit --limit 100");
  CHECK(audit.find("review") != std::string::npos);
  CHECK(audit.find("Entrevista de 3 minutos") == std::string::npos);

  // A correction replaces an interview: the old one is deprecated and leaves the scores; a
  // deprecated interview cannot be reviewed (its correction can).
  const std::string old_id = *team_b.begin();
  json correction = Interview(rng, 400);
  correction["deprecated_id"] = old_id;
  Send(*c, enc_b, correction);
  json old_history = GetJson(*c, "/api/v1/submissions/" + old_id + "/reviews", sup_b);
  CHECK(old_history["review_state"] == "deprecated");
  CHECK(old_history["items"][0]["comment"] ==
        "replaced by " + correction["instance_id"].get<std::string>());
  CHECK(Review(*c, sup_b, old_id, {{"review_state", "approved"}})->status == 409);
  correction["deprecated_id"] = correction["instance_id"];
  Send(*c, enc_b, correction, 422);  // an interview cannot replace itself

  // Exports leave them out too, unless asked for.
  auto exported = [&](const std::string& query) {
    auto r = c->Get(("/api/v1/exports/chs-perception.jsonl" + query).c_str(),
                    Bearer(server.analyst_token));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    std::set<std::string> ids;
    std::istringstream lines(r->body);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) ids.insert(json::parse(line)["instance_id"].get<std::string>());
    return ids;
  };
  const std::set<std::string> kept = exported(""), everything = exported("?include_rejected=true");
  CHECK(kept.count(rushed_id) == 0);
  CHECK(kept.count(old_id) == 0);
  CHECK(everything.count(rushed_id) == 1);
  CHECK(everything.count(old_id) == 1);
  CHECK(everything.size() == kept.size() + 2);
  CHECK(c->Get("/api/v1/exports/chs-perception.jsonl?include_rejected=yes",
               Bearer(server.analyst_token))
            ->status == 400);

  // What was kept incrementally is what a rebuild computes, rejected and deprecated left out.
  const json live = GetJson(*c, scores, server.analyst_token);
  server.Admin("rebuild-aggregates");
  CHECK(GetJson(*c, scores, server.analyst_token) == live);
}

TEST_CASE(
    "the story, supervision: a fabricator is deviant, and rejecting its interviews leaves "
    "the scores of a server that never received them",
    "[e2e]") {
  ServerProcess server;
  const std::string supervisor =
      LastLine(server.Admin("token create --role supervisor --name sup-norte --team norte"));
  // Five enumerators of one team, a queue each; the fifth fabricates.
  struct Enumerator {
    std::string name, style, token, queue, copy;
  };
  std::vector<Enumerator> team;
  for (int i = 1; i <= 5; ++i) {
    Enumerator e;
    e.name = "enc-" + std::to_string(i);
    e.style = i == 5 ? "fabricator" : "careful";
    e.token =
        LastLine(server.Admin("token create --role enumerator --team norte --name " + e.name));
    e.queue = server.dir() + "/" + e.name + ".db";
    e.copy = server.dir() + "/" + e.name + "-copy.db";
    server.Simulate(e.queue, "--households 300 --seed " + std::to_string(40 + i) +
                                 " --enumerator-style " + e.style);
    REQUIRE(std::system(("cp '" + e.queue + "' '" + e.copy + "'").c_str()) == 0);
    team.push_back(e);
  }
  auto sync = [](const ServerProcess& to, const Enumerator& e, const std::string& queue) {
    int status = 0;
    Shell(std::string(PERCEPT_TABLET_BIN) + " sync --queue '" + queue +
              "' --server https://127.0.0.1:" + std::to_string(to.port) + " --token " + e.token +
              " --cacert '" + to.dir() + "/dev-cert.pem' 2>&1",
          &status);
    REQUIRE(status == 0);
  };
  for (const Enumerator& e : team) sync(server, e, e.queue);
  auto c = server.Client();

  const json summary = GetJson(*c, "/api/v1/enumerators?survey=chs-perception", supervisor);
  REQUIRE(summary["items"].size() == 5);
  for (const json& row : summary["items"]) {
    INFO(row.dump());
    CHECK(row["team"] == "norte");
    CHECK(row["interviews"] == 300);
    if (row["enumerator"] == "enc-5") {
      CHECK(row["deviant"] == true);
      CHECK(row["gap"].get<double>() > 10);
      CHECK(row["flags"]["too_fast"] == 300);
      CHECK(row["flags"]["straight_lining"].get<int>() > 100);
      CHECK(row["minutes_per_evaluation"].get<double>() < 1);
    } else {
      CHECK(row["deviant"] == false);
      CHECK(row["flags"]["too_fast"] == 0);
      CHECK(row["flags"]["straight_lining"] == 0);
      CHECK(row["minutes_per_evaluation"].get<double>() > 3);
    }
  }
  // Enumerators and institutions read none of this.
  GetJson(*c, "/api/v1/enumerators?survey=chs-perception", team[0].token, 403);
  GetJson(*c, "/api/v1/enumerators?survey=chs-perception", server.institution_token, 403);

  // The supervisor signs in to its page, sees the verdict, opens one of the fabricator's
  // interviews, and rejects all of them in one go.
  Browser browser;
  const std::string base = "https://127.0.0.1:" + std::to_string(server.port);
  browser.Go(base + "/supervise/chs-perception");
  REQUIRE(browser.Url().find("/sign-in") != std::string::npos);
  browser.Type("input[name=token]", supervisor);
  browser.Click("#sign-in");
  REQUIRE(browser.WaitUrl("/supervise/", "#enumerators").find("/supervise/chs-perception") !=
          std::string::npos);
  CHECK(browser.Count("#enumerators tr.warn[data-enumerator='enc-5']") == 1);
  CHECK(browser.Count("#enumerators tr.warn") == 1);
  browser.Go(base + "/supervise/chs-perception?enumerator=enc-5&state=received");
  CHECK(browser.Count("#queue-list tbody tr") == 200);  // the first 200 of 300
  browser.Click("#queue-list tbody tr a");
  REQUIRE(browser.WaitUrl("/interviews/", "#review-form").find("/interviews/") !=
          std::string::npos);
  CHECK(browser.Count("#flags li[data-flag='too_fast']") == 1);
  CHECK(browser.Source().find("¿Tuvo algún problema") != std::string::npos);  // as asked
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/supervise-interview.png");
  browser.Go(base + "/supervise/chs-perception?enumerator=enc-5&state=received");
  browser.Execute("document.querySelector('#bulk select').value = 'rejected'");
  browser.Type("#bulk input[name=comment]", "Entrevistas inventadas.");
  browser.Click("#bulk-review");
  REQUIRE(browser.WaitUrl("done=", "#queue").find("done=300") != std::string::npos);
  CHECK(browser.Source().find("300 entrevistas revisadas") != std::string::npos);
  browser.Go(base + "/supervise/chs-perception?enumerator=enc-5&state=rejected");
  CHECK(browser.Count("#queue-list tbody tr") == 200);
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/supervise-queue.png");
  CHECK(GetJson(*c,
                "/api/v1/submissions?survey=chs-perception&enumerator=enc-5&review_state="
                "received",
                supervisor)["items"]
            .empty());

  // A second server receives only the four careful enumerators' interviews.
  ServerProcess clean;
  for (Enumerator& e : team) {
    if (e.style != "careful") continue;
    e.token = LastLine(clean.Admin("token create --role enumerator --team norte --name " + e.name));
    sync(clean, e, e.copy);
  }
  auto c2 = clean.Client();
  const std::string scores = "/api/v1/scores?survey=chs-perception";
  json supervised = GetJson(*c, scores, server.analyst_token);
  CHECK(supervised["excluded"] == 300);
  supervised["excluded"] = 0;
  CHECK(supervised == GetJson(*c2, scores, clean.analyst_token));
  const std::string critical = "/api/v1/critical-points?survey=chs-perception";
  CHECK(GetJson(*c, critical, server.analyst_token) == GetJson(*c2, critical, clean.analyst_token));
}
