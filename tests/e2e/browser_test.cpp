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
    "itself",
    "[e2e]") {
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
  CHECK(browser.Count("#no-data") == 0);  // (a filter that matches nothing says so)
  // The importance-performance chart: six numbered points, a legend, ticks on both axes.
  CHECK(browser.Count("svg.ipa[data-institution='cesfam-tal-2'] circle") == 6);
  CHECK(browser.Count("svg.ipa[data-institution='cesfam-tal-2'] + ol li") == 6);
  CHECK(browser.Count("svg.ipa[data-institution='cesfam-tal-2'] text.tick") >= 8);
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-analyst.png");
  // Part (b): each institution's problems profile and autonomy gauge, autonomy by stage.
  CHECK(browser.Count("#part-b .problems[data-institution='cesfam-tal-1'] "
                      "tr[data-indicator='had_problems']") == 1);
  CHECK(browser.Count("#part-b .problems[data-institution='cesfam-tal-1'] svg.bar") >= 10);
  CHECK(browser.Count("#part-b .gauge[data-institution='cesfam-tal-1'] svg") == 1);
  CHECK(browser.Count("#stages rect") == 4);
  CHECK(browser.Count("#critical-b") == 1);
  browser.Execute("document.querySelector('#part-b').scrollIntoView()");
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-part-b.png");
  // A comuna's circuit: its institutions as nodes, referrals as arrows.
  browser.Go(base + "/reports/chs-perception?comuna=8110");
  CHECK(browser.Count("#circuit g.node") >= 5);
  CHECK(browser.Count("#circuit path.edge") >= 5);
  CHECK(browser.Count("#circuit g.node[data-institution='cesfam-tem-1']") == 0);  // Temuco's
  browser.Execute("document.querySelector('#circuits').scrollIntoView()");
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-circuit.png");
  // The proposals, searched from the page's own box.
  REQUIRE(browser.Count("#proposal-list tbody tr") > 0);
  browser.Type("#proposal-search", "sábados");
  browser.Click("#proposals form button");
  REQUIRE(browser.WaitUrl("pq=", "#method").find("pq=") != std::string::npos);
  // Every row found holds the word, and the search found fewer than the whole list.
  CHECK(browser.Count("#proposal-list tbody tr") > 0);
  CHECK(browser
            .Execute("return [...document.querySelectorAll('#proposal-list tbody tr')]"
                     ".every(r => r.textContent.includes(arguments[0]))",
                     json::array({"sábados"}))
            .get<bool>());
  CHECK(browser.Execute("return document.querySelector('#proposal-search').value")
            .get<std::string>() == "sábados");
  // On a tablet (768 px wide) the heat map and the critical points fit the screen.
  browser.Resize(768, 1024);
  browser.Go(base + "/reports/chs-perception");
  const json fits = browser.Execute(
      "const w = document.documentElement.clientWidth;"
      "const right = s => document.querySelector(s).getBoundingClientRect().right;"
      "return [w, right('#heatmap svg'), right('#critical table')];");
  INFO(fits.dump());
  CHECK(fits[1].get<double>() <= fits[0].get<double>());
  CHECK(fits[2].get<double>() <= fits[0].get<double>());
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-tablet.png");
  browser.Resize(1280, 1800);
  browser.Go(base + "/reports/chs-perception?lang=en");
  CHECK(browser.Source().find("Critical points") != std::string::npos);
  CHECK(browser.Source().find("The families' proposals") != std::string::npos);
  // Method 2 in the report: critical points worst first, the minimum detectable gap per
  // institution and in the methodology, and the switch to compare each with its own type.
  CHECK(browser
            .Execute("const g = [...document.querySelectorAll('#critical > table tbody tr')]"
                     ".map(r => parseFloat(r.children[6].textContent));"
                     "return g.length > 0 && g.every((x, i) => i == 0 || g[i - 1] <= x);")
            .get<bool>());
  CHECK(browser.Count("#institutions p.mdg[data-institution='cesfam-tal-2']") == 1);
  CHECK(browser.Count("#method table.mdg-table tbody tr") == 6);
  CHECK(browser.Source().find("Minimum detectable gap") != std::string::npos);
  browser.Execute("document.querySelector('select[name=compare]').value = 'type'");
  browser.Click("form.filters button");
  REQUIRE(browser.WaitUrl("compare=type", "#method").find("compare=type") != std::string::npos);
  CHECK(browser.Execute("return document.querySelector('select[name=compare]').value")
            .get<std::string>() == "type");
  CHECK(browser.Source().find("the institutions of the same type (a CESFAM against CESFAMs") !=
        std::string::npos);
  CHECK(browser.Source().find("<th>Its type</th>") != std::string::npos);
  // The planted CESFAM is below the other CESFAMs too.
  CHECK(browser.Count(
            "#critical tr[data-institution='cesfam-tal-2'][data-dimension='transparency']") == 1);

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
  // Its own problems and autonomy; no circuit, no proposals (the server does not share them).
  CHECK(browser.Count("#part-b .gauge[data-institution='cesfam-tal-1']") == 1);
  CHECK(browser.Count("#part-b .gauge") == 1);
  CHECK(browser.Count("#circuits") == 0);
  CHECK(browser.Count("#proposals") == 0);
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-institution.png");
}

TEST_CASE(
    "report pages: sign-in cookie attributes, security headers, no open redirect, enumerators kept "
    "out",
    "[e2e]") {
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
  // What goes wrong is said in the page's language, in the page's style, with a way back.
  auto refused = c->Get("/reports/chs-perception?lang=es", Bearer(server.enumerator_token));
  CHECK(refused->body.find("Esta página no es para su tipo de acceso") != std::string::npos);
  CHECK(refused->body.find("href='/sign-in?lang=es'") != std::string::npos);
  auto refused_en = c->Get("/reports/chs-perception?lang=en", Bearer(server.enumerator_token));
  CHECK(refused_en->body.find("This page is not for your kind of access") != std::string::npos);
  auto bad_date = c->Get("/reports/chs-perception?from=2026-13-01", Bearer(server.analyst_token));
  CHECK(bad_date->status == 400);
  CHECK(bad_date->body.find("no es válido") != std::string::npos);
  CHECK(bad_date->body.find("<style>") != std::string::npos);
  // A commune with no institution: a report that says there is nothing, not an empty page.
  auto empty = c->Get("/reports/chs-perception?comuna=99999", Bearer(server.analyst_token));
  CHECK(empty->status == 200);
  CHECK(empty->body.find("id=no-data") != std::string::npos);
  // Revoking the token ends its sessions.
  server.Admin("token revoke consultant");
  CHECK(c->Get("/reports/chs-perception", {{"Cookie", value}})->status == 303);
}

TEST_CASE("report: an institution reads the proposals about itself only with --share-proposals",
          "[e2e]") {
  for (const bool share : {false, true}) {
    ServerProcess server(share ? std::vector<std::string>{"--share-proposals"}
                               : std::vector<std::string>{});
    const std::string queue = server.dir() + "/q.db";
    server.Simulate(queue, "--households 200 --seed 7");
    int status = 0;
    Shell(server.SyncCommand(queue) + " 2>&1", &status);
    REQUIRE(status == 0);
    auto c = server.Client();
    auto page = c->Get("/reports/chs-perception", Bearer(server.institution_token));
    REQUIRE(page);
    REQUIRE(page->status == 200);
    CAPTURE(share);
    CHECK((page->body.find("id=proposal-list") != std::string::npos) == share);
    // Every proposal listed is about its own institution.
    for (size_t at = page->body.find("<tr data-institution="); at != std::string::npos;
         at = page->body.find("<tr data-institution=", at + 1)) {
      CHECK(page->body.compare(at, 35, "<tr data-institution='cesfam-tal-1'") == 0);
    }
    auto analyst = c->Get("/reports/chs-perception", Bearer(server.analyst_token));
    REQUIRE(analyst);
    CHECK(analyst->body.find("id=proposal-list") != std::string::npos);
  }
}
