// The browser tablet (docs/openrosa.md, "Browsers"): ODK's own engine and ODK Web Forms, from
// npm, in Debian's headless Chromium, against the real server.
#include <catch2/catch.hpp>

#include "browser.h"
#include "percept/survey_definition.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

// Opens the browser tablet's page for the perception survey and waits until the form is drawn
// (the bundle is large).
void OpenForm(Browser& browser, const ServerProcess& server) {
  browser.Go("https://127.0.0.1:" + std::to_string(server.port) + "/key/" +
             server.enumerator_token + "/enter/chs-perception");
  for (int i = 0; i < 600 && browser.Count("button[aria-label=Send]") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(browser.Count("button[aria-label=Send]") == 1);
}

}  // namespace

TEST_CASE("in a real browser: ODK's form engine loads the XForm of every survey definition",
          "[e2e]") {
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

TEST_CASE("in a real browser: ODK Web Forms renders the form, and refuses it unanswered", "[e2e]") {
  ServerProcess server;
  Browser browser;
  OpenForm(browser, server);
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

namespace {

// Page-side helpers for filling ODK Web Forms as a person would: questions found by their label,
// options clicked by their value or their label.
const char* kFillHelpers = R"js(
  window.fill = {
    questions: () => [...document.querySelectorAll('.question-container')],
    byLabel(text, nth) {
      return this.questions().filter((c) => {
        const l = c.querySelector('label');
        return l && l.textContent.includes(text);
      })[nth || 0];
    },
    // Clicks the option labelled exactly `label` in the nth question labelled `text`.
    chooseLabel(text, label, nth) {
      const q = this.byLabel(text, nth);
      const option = [...q.querySelectorAll('label.value-option')]
          .find((l) => l.textContent.trim() === label);
      option.click();
      return true;
    },
    choose(text, value, nth) {
      this.byLabel(text, nth).querySelector(`input[value="${value}"]`).click();
      return true;
    },
    // Marks the text input of the question labelled `text`, for WebDriver to type into.
    mark(text, nth) {
      document.querySelectorAll('[data-fill]').forEach((e) => e.removeAttribute('data-fill'));
      this.byLabel(text, nth).querySelector('input').setAttribute('data-fill', 'here');
      return true;
    },
    // Answers every shown choice question still unanswered: 5 on the scale, else the first
    // option; a multiple choice its first option. Returns how many it answered.
    rest() {
      let answered = 0;
      for (const q of this.questions()) {
        const inputs = [...q.querySelectorAll('input[type=radio], input[type=checkbox]')];
        if (inputs.length === 0 || inputs.some((i) => i.checked)) continue;
        (inputs.find((i) => i.value === '5') || inputs[0]).click();
        answered++;
      }
      return answered;
    },
  };
  return true;
)js";

}  // namespace

TEST_CASE("in a real browser: an enumerator fills and sends an interview with ODK Web Forms",
          "[e2e]") {
  ServerProcess server;
  Browser browser;
  OpenForm(browser, server);
  REQUIRE(browser.Execute(kFillHelpers) == true);
  auto settle = [] { std::this_thread::sleep_for(std::chrono::milliseconds(300)); };
  auto type = [&](const std::string& label, const std::string& text) {
    browser.Execute("return fill.mark(arguments[0]);", {label});
    browser.Type("[data-fill=here]", text);
    settle();
  };
  // The household.
  browser.Execute("return fill.chooseLabel('consentimiento', 'Sí');");
  settle();
  browser.Execute("return fill.chooseLabel('Región', 'Biobío');");
  type("Comuna", "8110");
  type("Cuántas personas", "4");
  type("cuántos meses", "14");
  browser.Execute("return fill.rest();");
  settle();
  // Two institutions of the household's comuna, chosen by their names.
  const std::vector<std::string> names = {
      "CESFAM Los Cerros", "Oficina Municipal de Intermediación Laboral (OMIL) de Talcahuano"};
  for (size_t n = 0; n < names.size(); ++n) {
    browser.Click("button.button-add-instance");
    settle();
    browser.Execute(
        "return fill.chooseLabel('Institución que evalúa', arguments[0], arguments[1]);",
        {names[n], n});
    settle();
    for (int pass = 0; pass < 5 && browser.Execute("return fill.rest();").get<int>() > 0; ++pass) {
      settle();
    }
  }
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/web-form-filled.png");
  browser.Click("button[aria-label=Send]");
  std::string status;
  for (int i = 0; i < 200 && status.find("(20") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = browser.Execute("return document.getElementById('percept-status').textContent;")
                 .get<std::string>();
  }
  INFO(status);
  CHECK(status.find("(201)") != std::string::npos);

  // The interview, as the server stored it: one household, the two institutions chosen.
  const auto stored = StoredSubmissions(server);
  REQUIRE(stored.size() == 1);
  const json& interview = stored[0];
  CHECK(interview["household"]["comuna"] == "8110");
  CHECK(interview["household"]["household_size"] == 4);
  REQUIRE(interview["evaluations"].size() == 2);
  CHECK(interview["evaluations"][0]["institution_id"] == "cesfam-tal-1");
  CHECK(interview["evaluations"][1]["institution_id"] == "omil-tal");
  CHECK(interview["evaluations"][0]["answers"]["opp_wait"] == 5);
  // And in the scores: one evaluation of each (suppressed below min_n, but counted).
  auto c = server.Client();
  auto scores = c->Get("/api/v1/scores?survey=chs-perception&institution=cesfam-tal-1",
                       Bearer(server.analyst_token));
  REQUIRE(scores);
  REQUIRE(scores->status == 200);
  const json cells = json::parse(scores->body)["cells"];
  REQUIRE_FALSE(cells.empty());
  for (const json& cell : cells) CHECK(cell["n"] == 1);
}
