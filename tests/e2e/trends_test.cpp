// GET /api/v1/trends over TLS: every dimension cell against R's survey package reading the CSV
// export (tests/oracle/trends.R), the households seen in both waves, what an institution reader
// sees, and the errors. And the waves in the exports.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "browser.h"
#include "percept/institutions.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

const char* kJson = "application/json";
const std::vector<std::string> kPool = {"cesfam-tal-1", "cesfam-tal-2", "omil-tal",
                                        "dideco-tal",   "liceo-tal-1",  "uif-tal"};

// A RUT the survey accepts, one per household number.
std::string Rut(int household) { return std::to_string(10000000 + household) + "5"; }

// `count` interviews completed on `day`, households `first_household` onwards, each about two
// to four institutions of kPool. With `transparent`, that institution's transparency items are
// all 7 (a planted improvement).
void SendWave(ServerProcess& server, const std::string& day, int first_household, int count,
              std::mt19937_64& rng, const std::string& transparent = "") {
  json batch = {{"submissions", json::array()}};
  for (int i = 0; i < count; ++i) {
    std::vector<std::string> pool = kPool;
    std::shuffle(pool.begin(), pool.end(), rng);
    pool.resize(2 + rng() % 3);
    json s = DemoInterview(RandomUuid(rng), pool, static_cast<unsigned>(rng()));
    s["started_at"] = day + "T10:00:00-03:00";
    s["completed_at"] = day + "T10:40:00-03:00";
    s["survey_version"] = 2;  // the version with autonomy
    s["household"]["household_key"] = Rut(first_household + i);
    for (json& e : s["evaluations"]) {
      // Part (b) answers that vary, so that indicators and autonomy have variances.
      json& a = e["answers"];
      a["had_problems"] = rng() % 2 == 0;
      if (!a["had_problems"]) a.erase("problems");
      a["knows_how"] = rng() % 2 == 0;
      a["knows_rights"] = rng() % 3 == 0;
      a["benefit_received"] = std::vector<std::string>{"si", "en_parte", "no"}[rng() % 3];
      if (e["institution_id"] != transparent) continue;
      for (const char* item : {"trn_requirements", "trn_status", "trn_reasons", "trn_rights"})
        e["answers"][item] = 7;
    }
    batch["submissions"].push_back(s);
  }
  auto c = server.Client();
  auto r =
      c->Post("/api/v1/submissions/batch", Bearer(server.enumerator_token), batch.dump(), kJson);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json answer = json::parse(r->body);
  for (const json& item : answer["results"]) REQUIRE(item["status"] == "created");
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) out.push_back(field);
  return out;
}

// RFC 4180 records (quoted fields may hold commas, quotes and line breaks); a leading byte-order
// mark is skipped.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> records(1, std::vector<std::string>(1));
  size_t i = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  bool quoted = false;
  for (; i < text.size(); ++i) {
    const char ch = text[i];
    std::string& field = records.back().back();
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      records.back().emplace_back();
    } else if (ch == '\n') {
      records.emplace_back(1);
    } else if (ch != '\r') {
      field += ch;
    }
  }
  if (records.back().size() == 1 && records.back()[0].empty()) records.pop_back();
  return records;
}

const json* Find(const json& cells, const std::string& institution, const std::string& dim) {
  for (const json& c : cells) {
    const bool network = !c.contains("institution_id");
    if ((network ? institution == "network" : c["institution_id"] == institution) &&
        c["dimension"] == dim)
      return &c;
  }
  return nullptr;
}

// Two waves in October and November (w1, w2) with 15 households in both, and cesfam-tal-1's
// transparency raised to the top in the second; an interview in December, outside both.
void TwoWaves(ServerProcess& server) {
  std::mt19937_64 rng(2027);
  SendWave(server, "2026-10-06", 0, 40, rng);
  SendWave(server, "2026-11-12", 25, 40, rng, "cesfam-tal-1");
  SendWave(server, "2026-12-15", 100, 5, rng);
  for (const auto& [id, from, to] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"w1", "2026-10-01", "2026-10-31"}, {"w2", "2026-11-01", "2026-11-30"}}) {
    server.Admin("wave create --survey chs-perception --survey-dir '" + SourcePath("survey_defs") +
                 "' --id " + id + " --from " + from + " --to " + to);
  }
}

}  // namespace

TEST_CASE("trends: every dimension cell is what R's survey package makes of the export", "[e2e]") {
  ServerProcess server({"--min-n", "3"});
  TwoWaves(server);
  auto c = server.Client();
  const json trends =
      GetJson(*c, "/api/v1/trends?survey=chs-perception&waves=w1,w2", server.analyst_token);
  CHECK(trends["waves"][0]["id"] == "w1");
  CHECK(trends["waves"][1]["to"] == "2026-11-30");
  // Households 25..39 were interviewed in both waves.
  CHECK(trends["panel_n"] == 15);

  // The oracle reads the export alone (December's interview is in it, outside both waves).
  auto r = c->Get("/api/v1/exports/chs-perception.csv", Bearer(server.analyst_token));
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const std::string csv = server.dir() + "/wide.csv", out = server.dir() + "/oracle.csv";
  std::ofstream(csv, std::ios::binary) << r->body;
  int status = -1;
  const std::string log =
      Shell("Rscript '" + SourcePath("tests/oracle/trends.R") + "' '" + csv +
                "' 2026-10-01 2026-10-31 2026-11-01 2026-11-30 1 7 > '" + out + "' 2>&1",
            &status);
  INFO("Rscript (apt-get install r-cran-survey): " << log);
  REQUIRE(status == 0);

  std::ifstream oracle(out);
  std::string line;
  std::getline(oracle, line);
  int compared = 0, with_p = 0;
  while (std::getline(oracle, line)) {
    const std::vector<std::string> f = Split(line);
    REQUIRE(f.size() == 11);
    CAPTURE(line);
    const bool network = f[0] == "network";
    const json* cell = Find(network ? trends["network"] : trends["cells"], f[0], f[1]);
    REQUIRE(cell != nullptr);
    const int64_t n_a = std::stoll(f[2]), n_b = std::stoll(f[3]);
    CHECK((*cell)["a"]["n"] == n_a);
    CHECK((*cell)["b"]["n"] == n_b);
    if (n_a < 3 || n_b < 3) {  // suppressed in a wave: no change
      CHECK((*cell)["change"].is_null());
      continue;
    }
    auto close = [](const json& v, const std::string& expected) {
      if (expected == "NA") return v.is_null();
      return v.is_number() && std::fabs(v.get<double>() - std::stod(expected)) <= 1e-6;
    };
    CHECK(close((*cell)["a"]["index"], f[4]));
    CHECK(close((*cell)["b"]["index"], f[5]));
    CHECK(close((*cell)["change"], f[6]));
    CHECK(close((*cell)["change_low"], f[7]));
    CHECK(close((*cell)["change_high"], f[8]));
    CHECK(close((*cell)["df"], f[9]));
    if (f[10] == "NA") {
      CHECK((*cell)["p"].is_null());
    } else {
      const double p = std::stod(f[10]);
      CHECK((*cell)["p"].get<double>() == Approx(p).epsilon(1e-6).margin(1e-300));
      ++with_p;
    }
    ++compared;
  }
  // The network's seven cells and every institution's: none may be skipped unseen.
  CHECK(compared == 7 * (1 + static_cast<int>(kPool.size())));
  CHECK(with_p == compared);

  // The planted improvement is found; the families are the institutions' cells.
  const json* planted = Find(trends["cells"], "cesfam-tal-1", "transparency");
  REQUIRE(planted != nullptr);
  CHECK((*planted)["flags"] == json::array({"improved"}));
  CHECK((*planted)["q"].get<double>() < 0.05);
  for (const json& cell : trends["cells"]) {
    if (cell["dimension"] == "overall") {
      CHECK(cell["q"].is_null());
      CHECK_FALSE(cell.contains("flags"));
    }
  }
  for (const json& cell : trends["network"]) CHECK_FALSE(cell.contains("flags"));
  // Indicators and autonomy are there, valenced indicators only, and their rates are the
  // counts' (the statistics themselves: the unit tests' worked example).
  REQUIRE(trends["indicators"]["cells"].size() > 0);
  for (const json& cell : trends["indicators"]["cells"]) {
    CHECK((cell["valence"] == "good" || cell["valence"] == "bad"));
    if (cell["a"].contains("rate")) {
      CHECK(cell["a"]["rate"].get<double>() ==
            Approx(100.0 * cell["a"]["x"].get<double>() / cell["a"]["n"].get<double>()));
    }
  }
  // Autonomy: the network's and each institution's, tested in a family of its own.
  const json& autonomy = trends["autonomy"];
  CHECK(autonomy["network"]["a"]["interviews"] == 40);
  REQUIRE(autonomy["cells"].size() == kPool.size());
  for (const json& cell : autonomy["cells"]) {
    CHECK(cell["q"].get<double>() >= cell["p"].get<double>());
    CHECK_FALSE(cell.contains("dimension"));
  }
}

TEST_CASE("trends: what each reader may ask and see, and every error in the contract's shape",
          "[e2e]") {
  ServerProcess server({"--min-n", "3"});
  TwoWaves(server);
  auto c = server.Client();
  auto status_of = [&](const std::string& path, const std::string& token) {
    auto r = c->Get(path.c_str(), Bearer(token));
    REQUIRE(r);
    if (r->status >= 400) {
      const json body = json::parse(r->body);
      CHECK(body["error"]["code"].is_string());
      CHECK(body["error"]["message"].is_string());
    }
    return r->status;
  };
  const std::string base = "/api/v1/trends?survey=chs-perception";
  const std::string& analyst = server.analyst_token;
  CHECK(status_of(base, analyst) == 400);                      // no waves
  CHECK(status_of(base + "&waves=w1", analyst) == 400);        // one
  CHECK(status_of(base + "&waves=w1,w2,w3", analyst) == 400);  // three
  CHECK(status_of(base + "&waves=w2,w1", analyst) == 400);     // later first
  CHECK(status_of(base + "&waves=w1,w9", analyst) == 404);     // unknown
  CHECK(status_of(base + "&waves=w1,w2&from=2026-10-01", analyst) == 400);
  CHECK(status_of(base + "&waves=w1,w2&wave=w1", analyst) == 400);
  CHECK(status_of(base + "&waves=w1,w2&compare=type", analyst) == 400);
  CHECK(status_of("/api/v1/trends?survey=census&waves=w1,w2", analyst) == 404);
  CHECK(status_of(base + "&waves=w1,w2", server.enumerator_token) == 403);
  CHECK(status_of(base + "&waves=w1,w2", "not-a-token") == 401);

  // A comuna narrows the population: the network is that comuna's.
  const json all = GetJson(*c, base + "&waves=w1,w2", analyst);
  const json tal = GetJson(*c, base + "&waves=w1,w2&comuna=8110", analyst);
  CHECK(tal["network"] == all["network"]);  // every interview was in Talcahuano
  const json other = GetJson(*c, base + "&waves=w1,w2&comuna=13101", analyst);
  CHECK(other["cells"].empty());
  CHECK(other["network"][0]["a"]["suppressed"] == true);
  CHECK(other["panel_n"] == 0);

  // An institution reader: its own cells and the network's, the same numbers as the analyst's
  // (a q never depends on who asks); never another's cells, never a comuna.
  const json own = GetJson(*c, base + "&waves=w1,w2", server.institution_token);
  REQUIRE(own["cells"].size() == 7);
  for (const json& cell : own["cells"]) {
    CHECK(cell["institution_id"] == "cesfam-tal-1");
    const json* same = Find(all["cells"], "cesfam-tal-1", cell["dimension"]);
    REQUIRE(same != nullptr);
    CHECK(cell == *same);
  }
  for (const json* part : {&own["indicators"]["cells"], &own["autonomy"]["cells"]})
    for (const json& cell : *part) CHECK(cell["institution_id"] == "cesfam-tal-1");
  CHECK(own["network"] == all["network"]);
  CHECK(status_of(base + "&waves=w1,w2&comuna=8110", server.institution_token) == 400);
  CHECK(status_of(base + "&waves=w1,w2&institution=omil-tal", server.institution_token) == 404);
  // The analyst's institution= lists one institution's cells and changes no q.
  const json one = GetJson(*c, base + "&waves=w1,w2&institution=omil-tal", analyst);
  REQUIRE(one["cells"].size() == 7);
  for (const json& cell : one["cells"])
    CHECK(cell == *Find(all["cells"], "omil-tal", cell["dimension"]));

  // Interviews that arrive late in the second wave are counted at once (what the server keeps
  // of a wave's interviews is read again); the first wave's side stays as it was.
  std::mt19937_64 rng(99);
  SendWave(server, "2026-11-20", 200, 3, rng);
  const json later = GetJson(*c, base + "&waves=w1,w2", analyst);
  CHECK(later["network"][0]["b"]["interviews"] ==
        all["network"][0]["b"]["interviews"].get<int>() + 3);
  CHECK(later["network"][0]["a"] == all["network"][0]["a"]);
  CHECK(later["panel_n"] == all["panel_n"]);
}

TEST_CASE("waves in exports: each row names its wave, and wave=ID exports that wave alone",
          "[e2e]") {
  ServerProcess server({"--min-n", "3"});
  TwoWaves(server);
  auto c = server.Client();
  auto rows_by_wave = [](const std::string& csv) {
    // instance_id is the first column; wave the seventh (after survey_version).
    std::map<std::string, std::set<std::string>> interviews;
    const auto records = ParseCsv(csv);
    REQUIRE(records.size() > 1);
    REQUIRE(records[0].size() > 6);
    CHECK(records[0][5] == "survey_version");
    CHECK(records[0][6] == "wave");
    for (size_t r = 1; r < records.size(); ++r) {
      REQUIRE(records[r].size() == records[0].size());
      interviews[records[r][6]].insert(records[r][0]);
    }
    return interviews;
  };
  auto get = [&](const std::string& path) {
    auto r = c->Get(path.c_str(), Bearer(server.analyst_token));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return r->body;
  };
  const auto all = rows_by_wave(get("/api/v1/exports/chs-perception.csv"));
  CHECK(all.at("w1").size() == 40);
  CHECK(all.at("w2").size() == 40);
  CHECK(all.at("").size() == 5);  // December: outside every wave
  const auto w2 = rows_by_wave(get("/api/v1/exports/chs-perception.csv?wave=w2"));
  REQUIRE(w2.size() == 1);
  CHECK(w2.at("w2") == all.at("w2"));
  // Every format keeps the same interviews: JSON lines, one per interview.
  const std::string lines = get("/api/v1/exports/chs-perception.jsonl?wave=w1");
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 40);
  // The command line says the same.
  const std::string file = server.dir() + "/w1.csv";
  server.Admin("export --wave w1 --out '" + file + "' --survey-dir " + SourcePath("survey_defs"));
  std::ifstream in(file, std::ios::binary);
  std::stringstream cli;
  cli << in.rdbuf();
  CHECK(rows_by_wave(cli.str()).at("w1") == all.at("w1"));
  // An unknown wave, dates, and a wave with no interviews.
  auto r = c->Get("/api/v1/exports/chs-perception.csv?wave=w9", Bearer(server.analyst_token));
  REQUIRE(r);
  CHECK(r->status == 404);
  r = c->Get("/api/v1/exports/chs-perception.sav?from=2026-10-01", Bearer(server.analyst_token));
  REQUIRE(r);
  CHECK(r->status == 400);
  int status = 0;
  Shell(std::string(PERCEPT_BIN) + " --db '" + server.db() +
            "' export --wave w9 --out /dev/null --survey-dir " + SourcePath("survey_defs") +
            " 2>/dev/null",
        &status);
  CHECK(status != 0);
  // The codebook documents the column.
  CHECK(get("/api/v1/exports/chs-perception/codebook.csv").find("wave,interview,text,Ola") !=
        std::string::npos);
}

TEST_CASE(
    "in a real browser: the report shows what changed between the last two waves, in es "
    "and en, and an institution only its own",
    "[e2e]") {
  ServerProcess server({"--min-n", "3"});
  TwoWaves(server);
  auto c = server.Client();
  const json trends =
      GetJson(*c, "/api/v1/trends?survey=chs-perception&waves=w1,w2", server.analyst_token);
  const json* planted = Find(trends["cells"], "cesfam-tal-1", "transparency");
  REQUIRE(planted != nullptr);
  REQUIRE((*planted)["flags"] == json::array({"improved"}));

  Browser browser;
  const std::string base = "https://127.0.0.1:" + std::to_string(server.port);
  browser.Go(base + "/reports/chs-perception");
  browser.Type("input[name=token]", server.analyst_token);
  browser.Click("#sign-in");
  REQUIRE(browser.WaitUrl("/reports/", "#method").find("/reports/chs-perception") !=
          std::string::npos);
  // The "what changed" table: the planted cell, its change as the API gives it.
  const std::string row =
      "#what-changed tr[data-institution='cesfam-tal-1'][data-verdict='improved']";
  REQUIRE(browser.Count(row) >= 1);
  const std::string text = browser
                               .Execute(
                                   "return [...document.querySelectorAll(arguments[0])].map(r => "
                                   "r.textContent).join('|')",
                                   json::array({row}))
                               .get<std::string>();
  INFO(text);
  char change[32];
  std::snprintf(change, sizeof change, "+%.1f", (*planted)["change"].get<double>());
  CHECK(text.find(change) != std::string::npos);
  CHECK(text.find("Transparencia") != std::string::npos);
  CHECK(text.find("mejoró") != std::string::npos);
  // Every row the table lists is a flagged cell of the API, and every flagged cell is listed.
  int flagged = 0;
  for (const char* part : {"cells", "autonomy", "indicators"}) {
    const json& cells = std::string(part) == "cells" ? trends["cells"] : trends[part]["cells"];
    for (const json& cell : cells) flagged += !cell.value("flags", json::array()).empty();
  }
  CHECK(browser.Count("#what-changed tbody tr") == static_cast<size_t>(flagged));
  // The network's change, dimension by dimension and overall.
  CHECK(browser.Count("#network-change tbody tr") == 7);
  // Marked in the heat map.
  CHECK(browser
            .Execute("return document.querySelector(\"#heatmap rect[data-institution="
                     "'cesfam-tal-1'][data-dimension='transparency']\").nextElementSibling."
                     "textContent")
            .get<std::string>()
            .find("↑") != std::string::npos);
  // The small multiple: six panels, a dot per wave in each.
  CHECK(browser.Count("svg.trend[data-institution='cesfam-tal-1'] g[data-dimension]") == 6);
  CHECK(browser.Count("svg.trend[data-institution='cesfam-tal-1'] circle") == 12);
  CHECK(browser.Count("svg.trend") == 6);  // the six institutions of the waves
  browser.Execute("document.querySelector('#trends').scrollIntoView()");
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-trends.png");
  // In English.
  browser.Go(base + "/reports/chs-perception?lang=en");
  CHECK(browser.Source().find("What changed") != std::string::npos);
  CHECK(
      browser.Execute("return document.querySelector(arguments[0]).textContent", json::array({row}))
          .get<std::string>()
          .find("improved") != std::string::npos);

  // An institution: its own rows and its own small multiple, nobody else's name.
  browser.Click("header form button");
  browser.WaitUrl("/sign-in", "input[name=token]");
  browser.Go(base + "/reports/chs-perception");
  browser.Type("input[name=token]", server.institution_token);
  browser.Click("#sign-in");
  REQUIRE(browser.WaitUrl("/reports/", "#method").find("/reports/chs-perception") !=
          std::string::npos);
  CHECK(browser.Count(row) >= 1);
  CHECK(browser.Count("#what-changed tbody tr") ==
        browser.Count("#what-changed tbody tr[data-institution='cesfam-tal-1']"));
  CHECK(browser.Count("svg.trend") == 1);
  CHECK(browser.Count("svg.trend[data-institution='cesfam-tal-1']") == 1);
  CHECK(browser.Count("#network-change tbody tr") == 7);  // the benchmark stays
  const std::string page = browser.Source();
  auto institutions =
      percept::LoadInstitutionsFile(SourcePath("survey_defs/institutions-demo.csv"));
  REQUIRE(institutions.ok());
  for (const auto& inst : *institutions) {
    if (inst.id == "cesfam-tal-1") continue;
    INFO(inst.id);
    CHECK(page.find(inst.name) == std::string::npos);
    CHECK(page.find(inst.id) == std::string::npos);
  }
  browser.Screenshot(std::string(PERCEPT_BINARY_DIR) + "/report-trends-institution.png");
}
