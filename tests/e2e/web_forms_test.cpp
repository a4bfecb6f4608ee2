// The browser tablet (docs/openrosa.md, "Browsers"): ODK's own engine and ODK Web Forms, from
// npm, in Debian's headless Chromium, against the real server.
#include <catch2/catch.hpp>

#include "browser.h"
#include "percept/survey_definition.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

TEST_CASE("in a real browser: ODK's form engine loads the XForm of every survey definition") {
  ServerProcess server;
  Browser browser;
  const std::string base = "https://127.0.0.1:" + std::to_string(server.port);
  const std::string key = "/key/" + server.enumerator_token;
  auto catalog = percept::SurveyCatalog::LoadDirectory(SourcePath("survey_defs"));
  REQUIRE(catalog.ok());
  REQUIRE_FALSE(catalog->LatestAll().empty());
  for (const percept::SurveyDefinition* def : catalog->LatestAll()) {
    CAPTURE(def->id);
    browser.Go(base + key + "/enter/" + def->id);
    const json result = browser.ExecuteAsync(
        "const done = arguments[arguments.length - 1];"
        "import('/web/engine-check.js').then((m) => m.check(arguments[0]))"
        "  .then(done, (e) => done({status: 'exception', error: String(e)}));",
        {key + "/forms/" + def->id + ".xml"});
    INFO(result.dump());
    CHECK(result["status"] == "success");
    CHECK(result["error"].is_null());
    const json& top = result["top"];
    CHECK(std::find(top.begin(), top.end(), "household") != top.end());
    CHECK(std::find(top.begin(), top.end(), "evaluation") != top.end());
    const json& languages = result["languages"];
    CHECK(std::find(languages.begin(), languages.end(), "Español (es)") != languages.end());
    CHECK(std::find(languages.begin(), languages.end(), "English (en)") != languages.end());
  }
}

TEST_CASE("in a real browser: ODK Web Forms renders the form, and refuses it unanswered") {
  ServerProcess server;
  Browser browser;
  const std::string base = "https://127.0.0.1:" + std::to_string(server.port);
  browser.Go(base + "/key/" + server.enumerator_token + "/enter/chs-perception");
  // The bundle is large: wait for the form to be drawn.
  for (int i = 0; i < 600 && browser.Count("button[aria-label=Send]") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(browser.Count("button[aria-label=Send]") == 1);
  // The consent question, in Spanish, with its yes and no.
  CHECK(browser.Source().find("¿Acepta participar en esta entrevista?") != std::string::npos);
  CHECK(browser.Count("input[type=radio][value='1']") >= 1);
  const char* visible_errors =
      "return [...document.querySelectorAll('.validation-message')]"
      ".filter((e) => getComputedStyle(e).display !== 'none').length;";
  CHECK(browser.Execute(visible_errors) == 0);
  browser.Click("button[aria-label=Send]");
  int shown = 0;
  for (int i = 0; i < 100 && shown == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    shown = browser.Execute(visible_errors).get<int>();
  }
  CHECK(shown >= 1);  // the required consent, flagged by the page itself
  CHECK(server.Log().find("POST /key/…/submission") == std::string::npos);
  CHECK(StoredSubmissions(server).empty());
}
