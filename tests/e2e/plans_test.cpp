// Action plans over TLS (docs/plans.md): an institution answers its critical point, an analyst
// returns and accepts, the next wave judges it; every right of the table of states, every bad
// body in the error shape, and nothing changed by what is refused.
#include <catch2/catch.hpp>
#include <string>

#include "browser.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

const char* kJson = "application/json";

// A wave of `households` synced into its own window, `plant` passed to the simulator.
void SyncWave(ServerProcess& server, const std::string& name, const std::string& args) {
  const std::string queue = server.dir() + "/" + name + ".db";
  server.Simulate(queue, args);
  int status = 0;
  Shell(server.SyncCommand(queue) + " 2>&1", &status);
  REQUIRE(status == 0);
}

// Wave w1 (March 2027) with CESFAM Los Cerros (the institution token's) two points lower on
// transparency, and wave w2 (September) defined, still without interviews.
void FirstWaveWithAProblem(ServerProcess& server, int seed) {
  SyncWave(server, "w1",
           "--households 900 --seed " + std::to_string(seed) +
               " --uniform --days 10 --first-day 2027-03-02 --plant cesfam-tal-1:transparency:-2");
  for (const char* wave :
       {"--id w1 --from 2027-03-01 --to 2027-03-31", "--id w2 --from 2027-09-01 --to 2027-09-30"}) {
    server.Admin("wave create --survey chs-perception --survey-dir '" + SourcePath("survey_defs") +
                 "' " + wave);
  }
}

json Plan(const std::string& institution, const std::string& dimension) {
  return {{"survey", "chs-perception"},
          {"wave", "w1"},
          {"institution_id", institution},
          {"target", {{"kind", "dimension"}, {"dimension", dimension}}},
          {"goal", "Que cada familia sepa en qué está su trámite y por qué"},
          {"target_value", 60},
          {"actions",
           {{{"what", "Carta de requisitos en la primera visita"},
             {"responsible", "Jefa del SOME"},
             {"due", "2027-06-30"}}}}};
}

}  // namespace

TEST_CASE("action plans: an institution answers its critical point and the next wave judges it",
          "[e2e]") {
  ServerProcess server;
  FirstWaveWithAProblem(server, 31);
  auto c = server.Client();
  const std::string& own = server.institution_token;
  const std::string& analyst = server.analyst_token;
  auto send = [&](const char* method, const std::string& path, const std::string& token,
                  const std::string& body) {
    const std::string m = method;
    httplib::Result r = m == "POST"  ? c->Post(path.c_str(), Bearer(token), body, kJson)
                        : m == "PUT" ? c->Put(path.c_str(), Bearer(token), body, kJson)
                                     : c->Patch(path.c_str(), Bearer(token), body, kJson);
    REQUIRE(r);
    json doc = json::parse(r->body, nullptr, false);
    if (r->status >= 400) {  // the contract's error shape, whatever went wrong
      CHECK(doc["error"]["code"].is_string());
      CHECK(doc["error"]["message"].is_string());
    }
    return std::make_pair(r->status, doc);
  };

  const json critical = GetJson(*c, "/api/v1/critical-points?survey=chs-perception&wave=w1", own);
  bool found = false;
  for (const json& p : critical["items"])
    found |= p["institution_id"] == "cesfam-tal-1" && p["dimension"] == "transparency";
  REQUIRE(found);

  // Refused: another institution's point, a cell that is not critical, and bad bodies.
  CHECK(send("POST", "/api/v1/action-plans", own, Plan("omil-tal", "transparency").dump()).first ==
        404);
  auto [status, body] =
      send("POST", "/api/v1/action-plans", own, Plan("cesfam-tal-1", "opportunity").dump());
  CHECK(status == 422);
  CHECK(body["error"]["details"][0]["path"] == "/target");
  CHECK(send("POST", "/api/v1/action-plans", own, "{\"survey\": ").first == 400);
  json wrong = Plan("cesfam-tal-1", "transparency");
  wrong["goal"] = 7;
  wrong["colour"] = "red";
  wrong["actions"][0]["due"] = "2027-13-01";
  std::tie(status, body) = send("POST", "/api/v1/action-plans", own, wrong.dump());
  CHECK(status == 422);
  CHECK(body["error"]["details"].size() >= 2);  // every problem at once
  json many = Plan("cesfam-tal-1", "transparency");
  for (int i = 0; i < 20; ++i) many["actions"].push_back(many["actions"][0]);
  CHECK(send("POST", "/api/v1/action-plans", own, many.dump()).first == 422);
  json long_goal = Plan("cesfam-tal-1", "transparency");
  long_goal["goal"] = std::string(2001, 'a');
  CHECK(send("POST", "/api/v1/action-plans", own, long_goal.dump()).first == 422);
  json no_actions = Plan("cesfam-tal-1", "transparency");
  no_actions["actions"] = json::array();
  CHECK(send("POST", "/api/v1/action-plans", own, no_actions.dump()).first == 422);
  CHECK(GetJson(*c, "/api/v1/action-plans?survey=chs-perception", analyst)["items"].empty());

  // The institution writes its plan and submits it.
  std::tie(status, body) =
      send("POST", "/api/v1/action-plans", own, Plan("cesfam-tal-1", "transparency").dump());
  REQUIRE(status == 201);
  CHECK(body["state"] == "draft");
  const std::string path = "/api/v1/action-plans/" + std::to_string(body["id"].get<int64_t>());
  CHECK(send("PATCH", path, own, R"({"state":"submitted"})").first == 200);
  // Only an analyst or an admin accepts or returns; a return says why.
  CHECK(send("PATCH", path, own, R"({"state":"accepted"})").first == 403);
  CHECK(send("PATCH", path, analyst, R"({"state":"returned"})").first == 422);
  CHECK(send("PATCH", path, analyst, R"({"state":"returned","comment":"Falta un plazo"})").first ==
        200);
  json edit = {{"goal", "Que cada familia sepa en qué está su trámite"},
               {"target_value", 60},
               {"actions", Plan("", "")["actions"]}};
  edit["actions"].push_back({{"what", "Panel con el estado de los trámites"},
                             {"responsible", "Director"},
                             {"due", "2027-07-31"}});
  CHECK(send("PUT", path, own, edit.dump()).first == 200);
  CHECK(send("PATCH", path, own, R"({"state":"submitted"})").first == 200);
  std::tie(status, body) = send("PATCH", path, analyst, R"({"state":"accepted"})");
  REQUIRE(status == 200);
  CHECK(body["actions"].size() == 2);
  // What an accepted plan says stays; states move only as the table says.
  CHECK(send("PUT", path, own, edit.dump()).first == 409);
  CHECK(send("PATCH", path, analyst, R"({"state":"draft"})").first == 409);
  CHECK(send("PATCH", path, analyst, R"({"state":"finished"})").first == 422);
  CHECK(send("PATCH", "/api/v1/action-plans/999999", analyst, R"({"state":"done"})").first == 404);

  // Another institution sees none of it.
  const std::string omil = LastLine(
      server.Admin("token create --role institution --name omil-staff --institution omil-tal"));
  CHECK(GetJson(*c, "/api/v1/action-plans?survey=chs-perception", omil)["items"].empty());
  GetJson(*c, "/api/v1/action-plans?survey=chs-perception&institution=cesfam-tal-1", omil, 404);
  CHECK(send("PATCH", path, omil, R"({"state":"done"})").first == 404);
  CHECK(send("PUT", path, omil, edit.dump()).first == 404);
  GetJson(*c, "/api/v1/action-plans/summary?survey=chs-perception&wave=w1", own, 403);

  json mine = GetJson(*c, "/api/v1/action-plans?survey=chs-perception", own);
  REQUIRE(mine["items"].size() == 1);
  const json& plan = mine["items"][0];
  CHECK(plan["history"].size() == 5);  // draft, submitted, returned, submitted, accepted
  CHECK(plan["history"][2]["comment"] == "Falta un plazo");
  CHECK(plan["follow_up"].empty());  // no later wave yet

  // Wave 2: the problem is gone. The plan, submitted before it began, is judged improved.
  SyncWave(server, "w2", "--households 900 --seed 32 --uniform --days 10 --first-day 2027-09-02");
  mine = GetJson(*c, "/api/v1/action-plans?survey=chs-perception", own);
  REQUIRE(mine["items"][0]["follow_up"].size() == 1);
  const json follow = mine["items"][0]["follow_up"][0];
  INFO(follow.dump());
  CHECK(follow["wave"] == "w2");
  CHECK(follow["verdict"] == "improved");
  CHECK(follow["post_hoc"] == false);
  CHECK(follow["still_critical"] == false);
  // The target value, 60 index points, against the wave's value.
  CHECK(follow["target_met"] == (follow["after"]["value"].get<double>() >= 60));
  CHECK(mine["items"][0]["target_value"] == 60);
  CHECK(follow["after"]["value"].get<double>() > follow["before"]["value"].get<double>());
  CHECK(follow["change_low"].get<double>() > 0);
  // Alone in its family, its q is its p.
  CHECK(follow["q"].get<double>() == Approx(follow["p"].get<double>()));
  // The same numbers as /trends gives the cell.
  const json trends = GetJson(*c, "/api/v1/trends?survey=chs-perception&waves=w1,w2", analyst);
  for (const json& cell : trends["cells"]) {
    if (cell["institution_id"] != "cesfam-tal-1" || cell["dimension"] != "transparency") continue;
    CHECK(cell["change"].get<double>() == Approx(follow["change"].get<double>()));
    CHECK(cell["p"].get<double>() == Approx(follow["p"].get<double>()));
    CHECK(cell["a"]["index"].get<double>() == Approx(follow["before"]["value"].get<double>()));
  }

  // The coordinator's summary of wave 1.
  const json summary =
      GetJson(*c, "/api/v1/action-plans/summary?survey=chs-perception&wave=w1", analyst);
  CHECK(summary["with_plan"] == 1);
  CHECK(summary["critical_points"].get<int>() >= 1);
  CHECK(summary["without_plan"] == summary["critical_points"].get<int>() - 1);
  CHECK(summary["plans_by_state"]["accepted"] == 1);
  CHECK(summary["plans_by_state"]["draft"] == 0);
  REQUIRE(summary["follow_up"].size() == 1);
  CHECK(summary["follow_up"][0]["verdicts"]["improved"] == 1);
  GetJson(*c, "/api/v1/action-plans/summary?survey=chs-perception", analyst, 400);
  GetJson(*c, "/api/v1/action-plans/summary?survey=chs-perception&wave=w9", analyst, 404);

  // The page's forms refuse a post from another site, and change nothing.
  auto cross = c->Post("/plans/chs-perception",
                       {{"Authorization", "Bearer " + own}, {"Sec-Fetch-Site", "cross-site"}},
                       "wave=w1&institution_id=cesfam-tal-1&kind=dimension&dimension=transparency"
                       "&goal=x&what0=a&responsible0=b&due0=2027-01-01",
                       "application/x-www-form-urlencoded");
  REQUIRE(cross);
  CHECK(cross->status == 403);
  CHECK(GetJson(*c, "/api/v1/action-plans?survey=chs-perception", analyst)["items"].size() == 1);

  // The audit trail says who did what to which plan, never what the plan says.
  const std::string audit = server.Admin("audit");
  CHECK(audit.find("plan_create") != std::string::npos);
  CHECK(audit.find("plan_accepted") != std::string::npos);
  CHECK(audit.find("trámite") == std::string::npos);
}

TEST_CASE(
    "in a real browser: an institution writes its plan, an analyst accepts it, and the "
    "report shows what the next wave made of it",
    "[e2e]") {
  ServerProcess server;
  FirstWaveWithAProblem(server, 41);
  Browser browser;
  const std::string base = "https://127.0.0.1:" + std::to_string(server.port);
  auto sign_in = [&](const std::string& token, const std::string& path, const char* ready) {
    browser.Go(base + path);
    browser.Type("input[name=token]", token);
    browser.Click("#sign-in");
    REQUIRE(browser.WaitUrl(path.substr(0, path.find('?')), ready).find(path.substr(0, 7)) !=
            std::string::npos);
  };
  // The institution: its critical point of the last wave, and a form to answer it.
  sign_in(server.institution_token, "/plans/chs-perception", "#points");
  const std::string point =
      "article.point[data-institution='cesfam-tal-1'][data-kind='dimension']"
      "[data-target='transparency']";
  REQUIRE(browser.Count(point) == 1);
  CHECK(browser.Source().find("Planes de mejora") != std::string::npos);
  // The page opened on w1, the last wave with interviews (w2 has none yet).
  CHECK(browser.Execute("return document.querySelector('select[name=wave]').value")
            .get<std::string>() == "w1");
  browser.Type(point + " textarea[name=goal]", "Que cada familia sepa en qué está su trámite");
  browser.Type(point + " input[name=target_value]", "55");
  browser.Type(point + " input[name=what0]", "Carta de requisitos en la primera visita");
  browser.Type(point + " input[name=responsible0]", "Jefa del SOME");
  browser.Execute("document.querySelector(arguments[0]).value = '2027-06-30'",
                  json::array({point + " input[name=due0]"}));
  browser.Click(point + " button[name=then][value=submit]");
  REQUIRE(browser.WaitUrl("wave=w1", ".plan-view").find("wave=w1") != std::string::npos);
  CHECK(browser.Count(point + " .plan-view[data-state='submitted']") == 1);
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/plans-institution.png");
  // No other institution's point is on its page.
  CHECK(browser.Count("article.point:not([data-institution='cesfam-tal-1'])") == 0);

  // The analyst accepts it from the same page.
  browser.Click("header form button");
  browser.WaitUrl("/sign-in", "input[name=token]");
  sign_in(server.analyst_token, "/plans/chs-perception?wave=w1", "#points");
  REQUIRE(browser.Count(point + " form.review") == 1);
  browser.Click(point + " form.review button[value=accepted]");
  REQUIRE(browser.WaitUrl("wave=w1", ".plan-view").find("wave=w1") != std::string::npos);
  CHECK(browser.Count(point + " .plan-view[data-state='accepted']") == 1);

  // Wave 2: the problem is gone. The plan's verdict, and the report's before and after.
  SyncWave(server, "w2", "--households 900 --seed 42 --uniform --days 10 --first-day 2027-09-02");
  auto c = server.Client();
  const json plans =
      GetJson(*c, "/api/v1/action-plans?survey=chs-perception", server.analyst_token);
  REQUIRE(plans["items"].size() == 1);
  const json follow = plans["items"][0]["follow_up"][0];
  INFO(follow.dump());
  CHECK(follow["verdict"] == "improved");
  CHECK(follow["still_critical"] == false);
  CHECK(plans["items"][0]["created_by"] == "cesfam-staff");
  browser.Go(base + "/reports/chs-perception?lang=en");
  const std::string in_report =
      "#plans article.report-plan[data-institution='cesfam-tal-1'] "
      "p.follow-up[data-wave='w2'][data-verdict='improved']";
  REQUIRE(browser.Count(in_report) == 1);
  const std::string text = browser
                               .Execute("return document.querySelector(arguments[0]).textContent",
                                        json::array({in_report}))
                               .get<std::string>();
  char before_after[64];
  std::snprintf(before_after, sizeof before_after, "%.1f → %.1f",
                follow["before"]["value"].get<double>(), follow["after"]["value"].get<double>());
  CHECK(text.find(before_after) != std::string::npos);
  CHECK(text.find("improved") != std::string::npos);
  CHECK(text.find("no longer critical") != std::string::npos);
  CHECK(browser.Source().find("Improvement plans") != std::string::npos);
  browser.Execute("document.querySelector('#plans').scrollIntoView()");
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-plans.png");
}
