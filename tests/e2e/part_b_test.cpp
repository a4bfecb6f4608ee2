// Part (b) over HTTPS (docs/api.md): /indicators, /autonomy, /circuits and the extended
// /critical-points, from interviews percept-tablet generates and syncs; and the story: a planted
// problem rate and a planted loss of autonomy are each found, and only they.
#include <catch2/catch.hpp>
#include <charconv>
#include <map>
#include <set>
#include <sstream>

#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

// Generates `args` with percept-tablet and syncs them to `server`.
void Wave(ServerProcess& server, const std::string& name, const std::string& args) {
  const std::string queue = TempPath(name + ".db");
  server.Simulate(queue, args);
  int status = 0;
  Shell(server.SyncCommand(queue) + " 2>&1", &status);
  REQUIRE(status == 0);
}

const json* Find(const json& cells, const std::string& inst, const std::string& item,
                 const json& option) {
  for (const json& c : cells) {
    if (c["institution_id"] == inst && c["item"] == item && c["option"] == option) return &c;
  }
  return nullptr;
}

bool Flagged(const json& cell, const char* flag) {
  return cell.contains("flags") &&
         std::find(cell["flags"].begin(), cell["flags"].end(), flag) != cell["flags"].end();
}

}  // namespace

TEST_CASE("part (b) API: indicators, autonomy and circuits, by role", "[e2e]") {
  ServerProcess server({"--min-n", "5"});
  Wave(server, "part-b-api", "--households 300 --days 5 --seed 21 --first-day 2026-11-02");
  auto c = server.Client();
  const std::string q = "?survey=chs-perception";

  json ind = GetJson(*c, "/api/v1/indicators" + q, server.analyst_token);
  CHECK(ind["min_n"] == 5);
  CHECK(ind["min_gap_pp"] == 10);
  // The network pools the institutions, indicator by indicator.
  std::map<std::string, int64_t> n_by_indicator, x_by_indicator;
  for (const json& cell : ind["cells"]) {
    const std::string key = cell["item"].get<std::string>() + "=" + cell["option"].dump();
    n_by_indicator[key] += cell["n"].get<int64_t>();
    if (!cell["suppressed"].get<bool>()) x_by_indicator[key] += cell["x"].get<int64_t>();
  }
  REQUIRE(ind["network"].size() == 31);  // 5 + 1 + 10 + 4 + 1 + 1 + 9 options and yes/no items
  for (const json& net : ind["network"]) {
    const std::string key = net["item"].get<std::string>() + "=" + net["option"].dump();
    CHECK(net["n"] == n_by_indicator[key]);
  }
  const json* problems = Find(ind["cells"], "cesfam-tal-1", "had_problems", true);
  REQUIRE(problems);
  CHECK((*problems)["valence"] == "bad");
  CHECK((*problems)["rate"].get<double>() ==
        Approx(100.0 * (*problems)["x"].get<double>() / (*problems)["n"].get<double>()));
  CHECK((*problems)["wilson_low"].get<double>() < (*problems)["rate"].get<double>());
  CHECK((*problems).contains("q"));
  // Actions have no valence: described, never tested.
  const json* action = Find(ind["cells"], "cesfam-tal-1", "actions", "insistio");
  REQUIRE(action);
  CHECK((*action)["valence"].is_null());
  CHECK_FALSE((*action).contains("p"));

  json aut = GetJson(*c, "/api/v1/autonomy" + q, server.analyst_token);
  CHECK(aut["components"] == json{"self_management", "efficacy", "rights"});
  CHECK(aut["network"]["n"].get<int64_t>() > 500);
  REQUIRE(aut["stages"].size() == 4);
  int64_t in_bands = 0;
  for (const json& b : aut["stages"]) in_bands += b["n"].get<int64_t>();
  CHECK(in_bands <= aut["network"]["n"].get<int64_t>());
  CHECK(in_bands > aut["network"]["n"].get<int64_t>() / 2);  // most households say their months
  int64_t cells_n = 0;
  for (const json& cell : aut["cells"]) {
    cells_n += cell["n"].get<int64_t>();
    if (cell["suppressed"]) continue;
    CHECK(cell["index"].get<double>() >= 0);
    CHECK(cell["index"].get<double>() <= 100);
    CHECK(cell["full"].get<int64_t>() <= cell["n"].get<int64_t>());
  }
  CHECK(cells_n == aut["network"]["n"]);

  // An institution sees its own cells only, against a network it cannot take apart.
  json own = GetJson(*c, "/api/v1/indicators" + q, server.institution_token);
  REQUIRE_FALSE(own["cells"].empty());
  for (const json& cell : own["cells"]) CHECK(cell["institution_id"] == "cesfam-tal-1");
  json own_aut = GetJson(*c, "/api/v1/autonomy" + q, server.institution_token);
  REQUIRE(own_aut["cells"].size() == 1);
  CHECK(own_aut["cells"][0]["institution_id"] == "cesfam-tal-1");
  GetJson(*c, "/api/v1/indicators" + q + "&institution=omil-tal", server.institution_token, 404);
  GetJson(*c, "/api/v1/indicators" + q + "&comuna=8110", server.institution_token, 400);
  GetJson(*c, "/api/v1/indicators" + q, server.enumerator_token, 403);

  // The same cells as CSV tables, at full precision, with a codebook naming every column.
  auto csv = [&](const std::string& path, const std::string& token, int status) {
    auto r = c->Get(path.c_str(), Bearer(token));
    REQUIRE(r);
    REQUIRE(r->status == status);
    return r->body;
  };
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    std::string line;
    for (char ch : text) {
      if (ch == '\n') {
        out.push_back(line);
        line.clear();
      } else if (ch != '\r') {
        line += ch;
      }
    }
    return out;
  };
  const auto table = lines(csv("/api/v1/indicators.csv" + q, server.analyst_token, 200));
  REQUIRE(table.size() == 1 + ind["cells"].size() + ind["network"].size());
  CHECK(table[0] ==
        "\xEF\xBB\xBFinstitution_id,institution,item,option,label_es,valence,severity,n,"
        "suppressed,x,rate,wilson_low,wilson_high,others,gap_pp,p,q,worse_than_network");
  const json* first = &ind["cells"][0];
  CHECK(table[1].rfind((*first)["institution_id"].get<std::string>() + ",", 0) == 0);
  bool found_p = false;
  for (const std::string& row : table) {
    if (row.rfind("cesfam-tal-1,CESFAM Los Cerros,had_problems,true,", 0) != 0) continue;
    // Full precision: the p-value as the API gives it, digit for digit.
    char p[32];
    const auto end = std::to_chars(p, p + sizeof p, (*problems)["p"].get<double>()).ptr;
    CHECK(row.find(",bad,medium,") != std::string::npos);
    found_p = row.find("," + std::string(p, end) + ",") != std::string::npos;
  }
  CHECK(found_p);
  const auto aut_table = lines(csv("/api/v1/autonomy.csv" + q, server.analyst_token, 200));
  CHECK(aut_table.size() == 1 + aut["cells"].size() + 1 + aut["stages"].size());
  const std::string codebook = csv("/api/v1/part-b/codebook.csv", server.analyst_token, 200);
  for (const std::string& header : {table[0].substr(3), aut_table[0].substr(3)}) {
    std::istringstream columns(header);
    for (std::string column; std::getline(columns, column, ',');)
      CHECK(codebook.find("," + column + ",") != std::string::npos);
  }
  csv("/api/v1/indicators.csv" + q, server.institution_token, 403);

  // Circuits: who sent a family where, per comuna; analysts only.
  json circ = GetJson(*c, "/api/v1/circuits" + q + "&comuna=8110", server.analyst_token);
  REQUIRE_FALSE(circ["edges"].empty());
  std::set<std::string> nodes;
  for (const json& n : circ["nodes"]) {
    nodes.insert(n["institution_id"].get<std::string>());
    CHECK(n["comuna"] == "8110");
  }
  int64_t referred = 0;
  for (const json& e : circ["edges"]) {
    CHECK(nodes.count(e["from"].get<std::string>()) == 1);
    CHECK(nodes.count(e["to"].get<std::string>()) == 1);
    CHECK(e["from"] != e["to"]);
    referred += e["n"].get<int64_t>();
  }
  // Every evaluation in that comuna that names who referred the family is an edge's unit.
  int64_t expected = 0;
  for (const json& s : StoredSubmissions(server)) {
    if (s["household"]["comuna"] != "8110") continue;
    for (const json& e : s["evaluations"]) expected += e["answers"].contains("referred_by");
  }
  CHECK(referred == expected);
  CHECK(GetJson(*c, "/api/v1/circuits" + q, server.analyst_token, 400)["error"]["code"] ==
        "invalid_parameter");
  GetJson(*c, "/api/v1/circuits" + q + "&comuna=8110", server.institution_token, 403);
  CHECK(
      GetJson(*c, "/api/v1/circuits" + q + "&comuna=9999", server.analyst_token)["nodes"].empty());
}

TEST_CASE("the story, part (b): a planted problem rate and a planted loss of autonomy are found",
          "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  auto critical = [&](const std::string& from, const std::string& to) {
    return GetJson(*c, "/api/v1/critical-points?survey=chs-perception&from=" + from + "&to=" + to,
                   server.analyst_token)["items"];
  };
  // Two waves of a uniform network in two months: one with more problems at one CESFAM, one
  // with less autonomy at one OMIL.
  Wave(server, "story-b-rate",
       "--households 1500 --days 10 --first-day 2026-03-01 --seed 31 --uniform "
       "--plant-rate cesfam-tal-1:had_problems:+40");
  Wave(server, "story-b-autonomy",
       "--households 1500 --days 10 --first-day 2026-04-01 --seed 32 --uniform "
       "--plant-autonomy omil-tal:-30");

  json rate = critical("2026-03-01", "2026-03-10");
  bool had_problems = false;
  for (const json& item : rate) {
    INFO(item.dump());
    CHECK(item["kind"] != "dimension");  // part (a) is uniform
    CHECK(item["kind"] != "autonomy");
    CHECK(item["institution_id"] == "cesfam-tal-1");  // the only institution flagged
    if (item["kind"] == "indicator") {
      CHECK(Flagged(item, "worse_than_network"));
      had_problems = had_problems || item["item"] == "had_problems";
    }
  }
  CHECK(had_problems);

  json autonomy = critical("2026-04-01", "2026-04-10");
  int autonomy_items = 0;
  for (const json& item : autonomy) {
    INFO(item.dump());
    CHECK(item["kind"] != "dimension");
    CHECK(item["institution_id"] == "omil-tal");
    if (item["kind"] == "autonomy") {
      ++autonomy_items;
      CHECK(item["severity"] == "high");
      CHECK(Flagged(item, "below_network"));
      CHECK(item["gap"].get<double>() < -5);
    } else {
      // Autonomy's components are indicators too: knowing how, getting it, one's rights.
      CHECK(std::set<std::string>{"knows_how", "benefit_received", "knows_rights"}.count(
                item["item"].get<std::string>()) == 1);
    }
  }
  CHECK(autonomy_items == 1);
  REQUIRE_FALSE(autonomy.empty());
  CHECK(autonomy[0]["kind"] == "autonomy");  // high severity, first
}
