// The report in a real browser: Debian's Chromium, headless, driven over WebDriver
// (chromedriver) against the real server with a wave that has a planted critical point.
#include "browser.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "percept/institutions.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

TEST_CASE(
    "in a real browser: sign in, find the planted critical point, and an institution sees only "
    "itself") {
  ServerProcess server;
  const std::string queue = server.dir() + "/q.db";
  server.Simulate(queue,
                  "--households 1500 --seed 100 --uniform --plant cesfam-tal-2:transparency:-2");
  int status = 0;
  Shell(server.SyncCommand(queue) + " 2>&1", &status);
  REQUIRE(status == 0);

  Browser browser;
  const std::string base = "https://127.0.0.1:" + std::to_string(server.port);
  browser.Go(base + "/reports/chs-perception");
  CHECK(browser.Url().find("/sign-in") !=
        std::string::npos);  // no session yet: to the sign-in page
  browser.Type("input[name=token]", server.analyst_token);
  browser.Click("#sign-in");
  CHECK(browser.WaitUrl("/reports/", "#method").find("/reports/chs-perception") !=
        std::string::npos);
  // The planted point: in the critical-points table, and marked on the heat map.
  CHECK(browser.Count(
            "#critical tr[data-institution='cesfam-tal-2'][data-dimension='transparency']") == 1);
  CHECK(browser.Count(
            "#heatmap rect.crit[data-institution='cesfam-tal-2'][data-dimension='transparency']") ==
        1);
  CHECK(browser.Source().find("CESFAM San Vicente") != std::string::npos);
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-analyst.png");
  browser.Go(base + "/reports/chs-perception?lang=en");
  CHECK(browser.Source().find("Critical points") != std::string::npos);

  // Sign out, then in as CESFAM Los Cerros (cesfam-tal-1).
  browser.Click("header form button");
  CHECK(browser.WaitUrl("/sign-in", "input[name=token]").find("/sign-in") != std::string::npos);
  browser.Go(base + "/reports/chs-perception");
  CHECK(browser.Url().find("/sign-in") != std::string::npos);  // the session is gone
  browser.Type("input[name=token]", server.institution_token);
  browser.Click("#sign-in");
  REQUIRE(browser.WaitUrl("/reports/", "#method").find("/reports/chs-perception") !=
          std::string::npos);
  const std::string page = browser.Source();
  INFO(browser.Url() << "\n" << page.substr(0, 1500));
  CHECK(page.find("CESFAM Los Cerros") != std::string::npos);
  auto institutions =
      percept::LoadInstitutionsFile(SourcePath("survey_defs/institutions-demo.csv"));
  REQUIRE(institutions.ok());
  for (const auto& inst : *institutions) {
    if (inst.id == "cesfam-tal-1") continue;
    INFO(inst.id);
    CHECK(page.find(inst.name) == std::string::npos);
    CHECK(page.find(inst.id) == std::string::npos);
  }
  CHECK(browser.Count("#heatmap rect[data-institution='network']") == 6);  // the benchmark stays
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-institution.png");
}

TEST_CASE(
    "report pages: sign-in cookie attributes, security headers, no open redirect, enumerators kept "
    "out") {
  ServerProcess server;
  auto c = server.Client();
  auto page = c->Get("/reports/chs-perception");
  REQUIRE(page);
  CHECK(page->status == 303);
  CHECK(page->get_header_value("Location") == "/sign-in?next=/reports/chs-perception");

  auto bad = c->Post("/sign-in", "token=pct_nope&next=%2Freports%2Fchs-perception",
                     "application/x-www-form-urlencoded");
  REQUIRE(bad);
  CHECK(bad->status == 401);
  CHECK_FALSE(bad->has_header("Set-Cookie"));
  CHECK(server.Log().find("failed sign-in") != std::string::npos);
  CHECK(server.Log().find("pct_nope") == std::string::npos);

  auto ok =
      c->Post("/sign-in", "token=" + server.analyst_token + "&next=https%3A%2F%2Fevil.example%2F",
              "application/x-www-form-urlencoded");
  REQUIRE(ok);
  CHECK(ok->status == 303);
  CHECK(ok->get_header_value("Location").rfind("/reports/chs-perception", 0) ==
        0);  // not to evil.example
  const std::string cookie = ok->get_header_value("Set-Cookie");
  for (const char* attr : {"HttpOnly", "Secure", "SameSite=Strict", "Max-Age=28800", "Path=/"}) {
    CHECK(cookie.find(attr) != std::string::npos);
  }
  const std::string value = cookie.substr(0, cookie.find(';'));
  auto report = c->Get("/reports/chs-perception", {{"Cookie", value}});
  REQUIRE(report);
  CHECK(report->status == 200);
  CHECK(report->get_header_value("Content-Security-Policy").find("default-src 'none'") !=
        std::string::npos);
  CHECK(report->get_header_value("X-Content-Type-Options") == "nosniff");
  CHECK(report->get_header_value("X-Frame-Options") == "DENY");
  CHECK(report->get_header_value("Strict-Transport-Security").find("max-age=") == 0);
  CHECK(report->body.find("<script") == std::string::npos);
  CHECK(report->body.find("http://") == std::string::npos);  // nothing fetched from elsewhere
  CHECK(report->body.find("https://") == std::string::npos);
  // The cookie opens report pages only, not the JSON API.
  CHECK(c->Get("/api/v1/scores?survey=chs-perception", {{"Cookie", value}})->status == 401);
  // The bearer header works on report pages too; an enumerator's does not.
  CHECK(c->Get("/reports/chs-perception", Bearer(server.analyst_token))->status == 200);
  CHECK(c->Get("/reports/chs-perception", Bearer(server.enumerator_token))->status == 403);
  CHECK(c->Get("/reports/census", Bearer(server.analyst_token))->status == 404);
  // Revoking the token ends its sessions.
  server.Admin("token revoke consultant");
  CHECK(c->Get("/reports/chs-perception", {{"Cookie", value}})->status == 303);
}
