// Scores and critical points over TLS, and the aggregates against the stored submissions.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "percept/base/database.h"
#include "percept/storage/schema.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

const char* kJson = "application/json";

// Sends `count` interviews of one household each about `institutions`, completed on `day`.
void SendWave(ServerProcess& server, const std::vector<std::string>& institutions,
              const std::string& day, int count, unsigned seed, std::mt19937_64& rng) {
  auto c = server.Client();
  json batch = {{"submissions", json::array()}};
  for (int i = 0; i < count; ++i) {
    json s = DemoInterview(RandomUuid(rng), institutions, seed + i);
    s["started_at"] = day + "T10:00:00-03:00";
    s["completed_at"] = day + "T10:40:00-03:00";
    batch["submissions"].push_back(s);
  }
  auto r =
      c->Post("/api/v1/submissions/batch", Bearer(server.enumerator_token), batch.dump(), kJson);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json answer = json::parse(r->body);  // kept: a loop over a temporary's member dangles
  for (const json& item : answer["results"]) REQUIRE(item["status"] == "created");
}

const json* FindCell(const json& cells, const std::string& inst, const std::string& dim) {
  for (const json& c : cells) {
    if (c["institution_id"] == inst && c["dimension"] == dim) return &c;
  }
  return nullptr;
}

int64_t NetworkN(const json& scores, const std::string& dim) {
  for (const json& c : scores["network"])
    if (c["dimension"] == dim) return c["n"].get<int64_t>();
  return -1;
}

// Every aggregates row as (key -> hex of sums), read straight from the database (SQLite or
// PostgreSQL).
std::map<std::string, std::string> AggregateRows(const std::string& db) {
  auto h = percept::Database::Open(db, false);
  REQUIRE(h.ok());
  auto st = (*h)->Prepare(
      "SELECT survey_id || '/' || survey_version || '/' || institution_id || '/' || day, sums "
      "FROM aggregates");
  REQUIRE(st.ok());
  std::map<std::string, std::string> rows;
  while (st->Step()) {
    std::string hex;
    for (unsigned char ch : st->BlobView(1)) {
      char two[3];
      std::snprintf(two, sizeof two, "%02X", ch);
      hex += two;
    }
    rows[st->Text(0)] = hex;
  }
  REQUIRE(st->status().ok());
  return rows;
}

// Runs `sql` on the database file (the server stopped, or reading), and returns the first
// column of its last row as text.
std::string Sql(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  std::string last;
  char* error = nullptr;
  const int rc = sqlite3_exec(
      h, sql.c_str(),
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) = values[0] ? values[0] : "";
        return 0;
      },
      &last, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(h);
  REQUIRE(rc == SQLITE_OK);
  return last;
}

void EmptyAggregates(const std::string& db) {
  auto h = percept::Database::Open(db, false);
  REQUIRE(h.ok());
  REQUIRE((*h)->Exec("DELETE FROM aggregates").ok());
  REQUIRE((*h)->Exec("DELETE FROM aggregate_log").ok());
}

}  // namespace

TEST_CASE("scores: roles, filters, suppression and errors over TLS", "[e2e]") {
  ServerProcess server({"--min-n", "5"});
  std::mt19937_64 rng(3);
  // Talcahuano (8110, region 8) on two days, Temuco (9101, region 9) on one; omil-tem only 3 times.
  SendWave(server, {"cesfam-tal-1", "omil-tal"}, "2026-11-10", 12, 100, rng);
  SendWave(server, {"cesfam-tal-1", "cesfam-tal-2"}, "2026-11-20", 8, 200, rng);
  SendWave(server, {"cesfam-tem-1"}, "2026-11-15", 10, 300, rng);
  SendWave(server, {"omil-tem"}, "2026-11-15", 3, 400, rng);
  auto c = server.Client();
  const std::string base = "/api/v1/scores?survey=chs-perception";

  json all = GetJson(*c, base, server.analyst_token);
  CHECK(all["survey"] == "chs-perception");
  CHECK(all["min_n"] == 5);
  REQUIRE(all["network"].size() == 7);  // six dimensions and overall
  CHECK(NetworkN(all, "overall") == 12 * 2 + 8 * 2 + 10 + 3);
  const json* cesfam = FindCell(all["cells"], "cesfam-tal-1", "overall");
  REQUIRE(cesfam);
  CHECK((*cesfam)["n"] == 20);
  CHECK((*cesfam)["suppressed"] == false);
  CHECK((*cesfam)["index"].is_number());
  const json* small = FindCell(all["cells"], "omil-tem", "transparency");
  REQUIRE(small);
  CHECK(*small == json{{"institution_id", "omil-tem"},
                       {"dimension", "transparency"},
                       {"n", 3},
                       {"suppressed", true}});

  SECTION("filters by commune, region and period change n as they should") {
    json tal = GetJson(*c, base + "&comuna=8110", server.analyst_token);
    CHECK(NetworkN(tal, "overall") == 12 * 2 + 8 * 2);
    CHECK(FindCell(tal["cells"], "cesfam-tem-1", "overall") == nullptr);
    json region9 = GetJson(*c, base + "&region=9", server.analyst_token);
    CHECK(NetworkN(region9, "overall") == 13);
    json early = GetJson(*c, base + "&to=2026-11-15", server.analyst_token);
    CHECK(NetworkN(early, "overall") == 12 * 2 + 10 + 3);
    CHECK((*FindCell(early["cells"], "cesfam-tal-1", "overall"))["n"] == 12);
    json late = GetJson(*c, base + "&from=2026-11-16&to=2026-11-30", server.analyst_token);
    CHECK((*FindCell(late["cells"], "cesfam-tal-1", "overall"))["n"] == 8);
    CHECK(late["filters"]["from"] == "2026-11-16");
    json one = GetJson(*c, base + "&institution=omil-tal", server.analyst_token);
    for (const json& cell : one["cells"]) CHECK(cell["institution_id"] == "omil-tal");
    CHECK(NetworkN(one, "overall") == NetworkN(all, "overall"));  // the benchmark stays the network
  }

  SECTION("an institution token sees its own cells and the network, and nothing of another") {
    json own = GetJson(*c, base, server.institution_token);
    REQUIRE_FALSE(own["cells"].empty());
    for (const json& cell : own["cells"]) CHECK(cell["institution_id"] == "cesfam-tal-1");
    CHECK(own["network"].size() == 7);
    CHECK(NetworkN(own, "overall") == NetworkN(all, "overall"));
    json other = GetJson(*c, base + "&institution=omil-tal", server.institution_token, 404);
    json unknown = GetJson(*c, base + "&institution=nowhere", server.institution_token, 404);
    CHECK(other["error"]["message"] == unknown["error"]["message"]);  // indistinguishable
    json critical =
        GetJson(*c, "/api/v1/critical-points?survey=chs-perception", server.institution_token);
    for (const json& item : critical["items"]) CHECK(item["institution_id"] == "cesfam-tal-1");
    GetJson(*c, base, server.enumerator_token, 403);
  }

  SECTION("bad parameters and unknown surveys get their contract errors") {
    CHECK(GetJson(*c, "/api/v1/scores?survey=census", server.analyst_token, 404)["error"]["code"] ==
          "not_found");
    CHECK(GetJson(*c, base + "&from=2026-13-01", server.analyst_token, 400)["error"]["code"] ==
          "invalid_parameter");
    GetJson(*c, base + "&to=20261101", server.analyst_token, 400);
    GetJson(*c, base + "&from=2026-11-20&to=2026-11-01", server.analyst_token, 400);
    GetJson(*c, base + "&comuna=santiago", server.analyst_token, 400);
    GetJson(*c, "/api/v1/scores", server.analyst_token, 400);
    GetJson(*c, "/api/v1/critical-points?survey=census", server.analyst_token, 404);
  }
}

TEST_CASE("a planted weak cell is a critical point, and the aggregates survive a rebuild",
          "[e2e][pg]") {
  ServerProcess server;
  std::mt19937_64 rng(11);
  auto c = server.Client();
  // Many households rate two CESFAMs; one of them is graded 1-2 on every transparency item.
  json batch = {{"submissions", json::array()}};
  std::mt19937 grades(5);
  auto send = [&] {
    auto r =
        c->Post("/api/v1/submissions/batch", Bearer(server.enumerator_token), batch.dump(), kJson);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    batch["submissions"] = json::array();
  };
  for (int i = 0; i < 120; ++i) {
    json s = DemoInterview(RandomUuid(rng), {"cesfam-tal-1", "cesfam-tal-2", "omil-tal"}, 1000 + i);
    for (json& e : s["evaluations"]) {
      for (auto& [item, v] : e["answers"].items()) {
        if (v.is_number_integer()) v = 4 + static_cast<int>(grades() % 4);  // 4..7
      }
      if (e["institution_id"] == "cesfam-tal-2") {
        for (const char* t : {"trn_requirements", "trn_status", "trn_reasons", "trn_rights"}) {
          e["answers"][t] = 1 + static_cast<int>(grades() % 2);
        }
        e["answers"]["overall"] = 2;
      }
    }
    batch["submissions"].push_back(s);
    if (i % 20 == 19) send();  // six transactions: the later ones wait in the aggregate log
  }

  json critical =
      GetJson(*c, "/api/v1/critical-points?survey=chs-perception", server.analyst_token);
  REQUIRE_FALSE(critical["items"].empty());
  const json& first = critical["items"][0];
  CHECK(first["institution_id"] == "cesfam-tal-2");
  CHECK(first["dimension"] == "transparency");
  CHECK(first["flags"] == json{"below_standard", "below_network"});
  CHECK(first["q"].get<double>() < 0.05);
  CHECK(first["gap"].get<double>() < -5);
  for (const json& item : critical["items"]) CHECK(item["institution_id"] == "cesfam-tal-2");

  json before = GetJson(*c, "/api/v1/scores?survey=chs-perception", server.analyst_token);

  // After SIGKILL the mirror is read back from the aggregates and the unfolded log: the same.
  c.reset();
  server.Kill(SIGKILL);
  server.Start();
  c = server.Client();
  CHECK(GetJson(*c, "/api/v1/scores?survey=chs-perception", server.analyst_token) == before);

  // A clean stop folds the log into the table: what was kept incrementally...
  c.reset();
  REQUIRE(server.Kill(SIGTERM) == 0);
  const auto incremental = AggregateRows(server.db());
  REQUIRE(incremental.size() == 3);  // three institutions, one day
  // ...is what a rebuild from the stored evaluations computes, to the last integer.
  EmptyAggregates(server.db());
  CHECK(AggregateRows(server.db()).empty());
  CHECK(server.Admin("rebuild-aggregates").find("360 evaluations") != std::string::npos);
  CHECK(AggregateRows(server.db()) == incremental);

  // Emptied and rebuilt while the server runs: it notices and reloads, number for number.
  server.Start();
  c = server.Client();
  EmptyAggregates(server.db());
  server.Admin("rebuild-aggregates");
  CHECK(GetJson(*c, "/api/v1/scores?survey=chs-perception", server.analyst_token) == before);

  // A database of schema 2 had no part (b) facts: `init` computes them from the stored
  // answers, and the aggregates come out as if kept incrementally all along. (SQLite's history:
  // PostgreSQL databases start at schema 4.)
  if (TestingOnPostgres()) return;
  c.reset();
  REQUIRE(server.Kill(SIGTERM) == 0);
  const auto with_facts = AggregateRows(server.db());
  const std::string facts = Sql(server.db(), "SELECT group_concat(hex(facts)) FROM evaluations");
  // (What schemas 4 and later added goes too, and what 7 dropped comes back, so that every
  // migration since 2 runs.)
  Sql(server.db(),
      "CREATE INDEX evaluations_by_institution ON evaluations (institution_id, completed_day); "
      "DROP TABLE rate_spend; DROP INDEX evaluations_by_survey; DROP INDEX submissions_excluded; "
      "DROP INDEX evaluations_referrals; ALTER TABLE evaluations DROP COLUMN facts; "
      "ALTER TABLE evaluations DROP COLUMN referred_by; DELETE FROM aggregates; "
      "DELETE FROM aggregate_log; DROP TABLE reviews; DROP INDEX submissions_by_household; "
      "DROP INDEX submissions_by_enumerator; DROP INDEX submissions_corrections; "
      "ALTER TABLE submissions DROP COLUMN review_state; "
      "ALTER TABLE submissions DROP COLUMN flags; "
      "ALTER TABLE submissions DROP COLUMN household_key; "
      "ALTER TABLE submissions DROP COLUMN replaces; ALTER TABLE tokens DROP COLUMN team; "
      "PRAGMA user_version = 2");
  const std::string current = std::to_string(percept::kSchemaVersion);
  CHECK(server.Admin("init").find("schema 2 -> " + current) != std::string::npos);
  CHECK(Sql(server.db(), "PRAGMA user_version") == current);
  CHECK(Sql(server.db(), "PRAGMA foreign_key_check") == "");
  CHECK(Sql(server.db(), "SELECT count(*) FROM evaluations WHERE facts IS NULL") == "0");
  CHECK(Sql(server.db(), "SELECT group_concat(hex(facts)) FROM evaluations") == facts);
  CHECK(AggregateRows(server.db()) == with_facts);
  // The tokens table was rebuilt for the supervisor role: every token still works.
  server.Start();
  c = server.Client();
  CHECK(GetJson(*c, "/api/v1/scores?survey=chs-perception", server.analyst_token) == before);
  GetJson(*c, "/api/v1/scores?survey=chs-perception", server.institution_token);
}

TEST_CASE("an institution's benchmark never narrows to one or two other institutions", "[e2e]") {
  ServerProcess server({"--min-n", "5"});
  std::mt19937_64 rng(8);
  // October: Talcahuano only (one other institution); November: Temuco (three more).
  SendWave(server, {"cesfam-tal-1", "omil-tal"}, "2026-10-10", 12, 10, rng);
  SendWave(server, {"cesfam-tem-1", "omil-tem", "uif-tem"}, "2026-11-11", 12, 20, rng);
  auto c = server.Client();
  const std::string base = "/api/v1/scores?survey=chs-perception";

  // All time holds four other institutions, but all time less November is October's one: what
  // October hides, all time hides too ("all time shows an institution reader nothing…" below).
  json whole = GetJson(*c, base, server.institution_token);
  for (const json& n : whole["network"]) CHECK(n["suppressed"] == true);
  const json* own = FindCell(whole["cells"], "cesfam-tal-1", "transparency");
  REQUIRE(own);
  CHECK((*own)["mean"].is_number());
  CHECK((*own)["gap"].is_null());
  // November alone: three other institutions, shown.
  for (const json& n :
       GetJson(*c, base + "&from=2026-11-01&to=2026-11-30", server.institution_token)["network"])
    CHECK(n["suppressed"] == false);

  // October alone: only omil-tal besides.
  json narrow = GetJson(*c, base + "&from=2026-10-01&to=2026-10-31", server.institution_token);
  for (const json& n : narrow["network"]) {
    CHECK(n["suppressed"] == true);
    CHECK_FALSE(n.contains("mean"));
    CHECK_FALSE(n.contains("n"));  // not even how many answered
  }
  own = FindCell(narrow["cells"], "cesfam-tal-1", "transparency");
  REQUIRE(own);
  CHECK((*own)["mean"].is_number());  // its own numbers stay
  CHECK((*own)["gap"].is_null());
  CHECK((*own)["network_index"].is_null());
  CHECK((*own)["p"].is_null());
  // A narrower network is not the institution's to choose.
  GetJson(*c, base + "&comuna=8110", server.institution_token, 400);
  // Nor periods that overlap: two requests with `to` one day apart, subtracted, would give the
  // families of one day. Only whole calendar months (the default --institution-period).
  for (const char* period : {"&to=2026-11-10", "&to=2026-11-11", "&from=2026-11-02&to=2026-11-30",
                             "&from=2026-11-01&to=2026-11-29", "&from=2026-10-01&to=2026-11-30"}) {
    GetJson(*c, base + period, server.institution_token, 400);
  }
  json november = GetJson(*c, base + "&from=2026-11-01&to=2026-11-30", server.institution_token);
  CHECK(november["filters"]["from"] == "2026-11-01");
  GetJson(*c, base + "&from=2026-11-10&to=2026-11-11", server.analyst_token);  // analysts: free
  // The analyst still sees that network whole.
  json analyst = GetJson(*c, base + "&comuna=8110", server.analyst_token);
  for (const json& n : analyst["network"]) CHECK(n["suppressed"] == false);
}

namespace {

// What one request shows of a pooled cell: the network (type "") or one type's pool, in one
// key (a dimension, an indicator, or "" for autonomy).
struct ShownPool {
  std::string key, type;
};

// The pooled cells an institution reader sees in `doc` (a /scores, /indicators or /autonomy
// answer), not suppressed.
std::vector<ShownPool> ShownPools(const json& doc) {
  std::vector<ShownPool> out;
  auto add = [&](const json& cell, const std::string& key) {
    if (cell["suppressed"] == false) out.push_back({key, cell.value("type", "")});
  };
  if (doc.contains("components")) {  // autonomy: one figure
    add(doc["network"], "");
    if (doc.contains("peers"))
      for (const json& p : doc["peers"]) add(p, "");
    return out;
  }
  for (const json& n : doc["network"])
    add(n, n.contains("dimension") ? n["dimension"].get<std::string>()
                                   : n["item"].get<std::string>() + "=" + n["option"].dump());
  return out;
}

std::string KeyOf(const json& cell) {
  if (cell.contains("dimension")) return cell["dimension"];
  if (cell.contains("item")) return cell["item"].get<std::string>() + "=" + cell["option"].dump();
  return "";
}

}  // namespace

TEST_CASE("no subtraction of an institution reader's answers singles out one or two others",
          "[e2e]") {
  ServerProcess server({"--min-n", "3"});
  std::mt19937_64 rng(25);
  // Three other CESFAMs, four OMILs and two liceos (the small type), over two months; in
  // October the liceos alone besides a CESFAM and an OMIL.
  SendWave(server, {"cesfam-tal-1", "omil-tal", "liceo-tal-1"}, "2026-10-10", 6, 10, rng);
  SendWave(server, {"cesfam-stgo-1", "liceo-stgo-1"}, "2026-10-12", 6, 20, rng);
  SendWave(server, {"cesfam-tal-1", "cesfam-tal-2", "omil-tem"}, "2026-11-10", 6, 30, rng);
  SendWave(server, {"cesfam-tem-1", "omil-stgo", "omil-pa", "liceo-tal-1"}, "2026-11-12", 6, 40,
           rng);
  SendWave(server, {"cesfam-stgo-1", "omil-tal", "liceo-stgo-1"}, "2026-11-14", 6, 50, rng);
  auto c = server.Client();
  std::map<std::string, std::string> type_of;
  const json directory = GetJson(*c, "/api/v1/institutions", server.analyst_token);
  for (const json& i : directory) type_of[i["id"]] = i["type"];
  const std::string own = "cesfam-tal-1";

  int tried = 0;
  for (const char* window :
       {"", "&from=2026-10-01&to=2026-10-31", "&from=2026-11-01&to=2026-11-30"}) {
    for (const char* path : {"/api/v1/scores", "/api/v1/indicators", "/api/v1/autonomy"}) {
      const std::string base = std::string(path) + "?survey=chs-perception" + window;
      CAPTURE(base);
      // Which institutions answered in each key, as the analyst sees them.
      std::map<std::string, std::set<std::string>> answered;
      const json analyst = GetJson(*c, base, server.analyst_token);
      for (const json& cell : analyst["cells"])
        if (cell.value("n", 0) > 0) answered[KeyOf(cell)].insert(cell["institution_id"]);
      // Every pooled cell the reader sees, under both comparisons.
      std::map<std::string, std::vector<std::string>> shown_types;  // key -> types shown
      std::map<std::string, bool> network_shown;
      for (const ShownPool& p : ShownPools(GetJson(*c, base, server.institution_token)))
        network_shown[p.key] = true;
      for (const ShownPool& p :
           ShownPools(GetJson(*c, base + "&compare=type", server.institution_token)))
        shown_types[p.key].push_back(p.type);
      for (const auto& [key, institutions] : answered) {
        CAPTURE(key);
        auto pool = [&](const std::string& type) {
          std::set<std::string> in;
          for (const std::string& i : institutions)
            if (type.empty() || type_of[i] == type) in.insert(i);
          return in;
        };
        const std::vector<std::string>& types = shown_types[key];
        // Each shown cell, less any set of shown pools inside it, less the reader's own.
        std::vector<std::string> tops = types;
        if (network_shown[key]) tops.push_back("");
        for (const std::string& top : tops) {
          const std::set<std::string> whole = pool(top);
          for (unsigned mask = 0; mask < (1u << types.size()); ++mask) {
            std::set<std::string> left = whole;
            bool inside = true;
            for (size_t t = 0; t < types.size(); ++t) {
              if (!(mask >> t & 1)) continue;
              if (!top.empty() && types[t] != top) inside = false;
              for (const std::string& i : pool(types[t])) left.erase(i);
            }
            if (!inside) continue;
            left.erase(own);
            ++tried;
            INFO("the network" << (top.empty() ? "" : " of " + top) << " less pools " << mask
                               << " leaves " << left.size() << " other institutions");
            CHECK((left.empty() || left.size() >= 3));
          }
        }
      }
    }
  }
  INFO("subtractions tried: " << tried);
  CHECK(tried > 50);
}

namespace {

// One unit a pooled cell is made of: an institution's evaluations in one window.
using Atom = std::pair<std::string, int>;  // institution, window

// Whether some pooled cells, pairwise disjoint and each inside `left`, can be taken from it to
// leave one or two other institutions (`own` is taken away too); counts the sets tried.
bool SinglesOut(const std::set<Atom>& left, const std::vector<std::set<Atom>>& cells, size_t from,
                const std::string& own, int* tried) {
  std::set<std::string> institutions;
  for (const Atom& a : left)
    if (a.first != own) institutions.insert(a.first);
  ++*tried;
  if (!institutions.empty() && institutions.size() < 3) return true;
  for (size_t i = from; i < cells.size(); ++i) {
    if (!std::includes(left.begin(), left.end(), cells[i].begin(), cells[i].end())) continue;
    std::set<Atom> rest;
    std::set_difference(left.begin(), left.end(), cells[i].begin(), cells[i].end(),
                        std::inserter(rest, rest.end()));
    if (SinglesOut(rest, cells, i + 1, own, tried)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("all time shows an institution reader nothing that its windows hide", "[e2e]") {
  ServerProcess server({"--min-n", "3"});
  std::mt19937_64 rng(27);
  const std::string own = "cesfam-tal-1";
  // October: besides the reader, two other institutions (that month's network is hidden).
  SendWave(server, {own, "omil-tal", "liceo-tal-1"}, "2026-10-10", 6, 10, rng);
  // November: seven others.
  SendWave(server, {own, "cesfam-tal-2", "omil-tem"}, "2026-11-10", 6, 30, rng);
  SendWave(server, {"cesfam-tem-1", "omil-stgo", "omil-pa", "liceo-stgo-1"}, "2026-11-12", 6, 40,
           rng);
  SendWave(server, {"cesfam-stgo-1", "omil-tal"}, "2026-11-14", 6, 50, rng);
  // December: two of the reader's own families, fewer than min_n.
  SendWave(server, {own, "omil-tal", "omil-tem", "omil-pa"}, "2026-12-03", 2, 60, rng);
  auto c = server.Client();
  std::map<std::string, std::string> type_of;
  const json directory = GetJson(*c, "/api/v1/institutions", server.analyst_token);
  for (const json& i : directory) type_of[i["id"]] = i["type"];
  const std::vector<std::string> months = {"&from=2026-10-01&to=2026-10-31",
                                           "&from=2026-11-01&to=2026-11-30",
                                           "&from=2026-12-01&to=2026-12-31"};

  // Before the rule, all time showed the network that October hides (all time less November and
  // December is October's two others) and the reader's own cell that December hides.
  const json all_time =
      GetJson(*c, "/api/v1/scores?survey=chs-perception", server.institution_token);
  CHECK(all_time["network"][0]["suppressed"] == true);
  CHECK(FindCell(all_time["cells"], own, "opportunity")->at("suppressed") == true);
  const json november =
      GetJson(*c, "/api/v1/scores?survey=chs-perception" + months[1], server.institution_token);
  CHECK(november["network"][0]["suppressed"] == false);  // a window that hides nothing shows it

  int tried = 0;
  for (const char* path : {"/api/v1/scores", "/api/v1/indicators", "/api/v1/autonomy"}) {
    const std::string base = std::string(path) + "?survey=chs-perception";
    CAPTURE(base);
    // Per window, which institutions answered in each key (as the analyst sees them).
    std::vector<std::map<std::string, std::set<std::string>>> answered(months.size());
    for (size_t m = 0; m < months.size(); ++m) {
      const json analyst = GetJson(*c, base + months[m], server.analyst_token);
      for (const json& cell : analyst["cells"])
        if (cell.value("n", 0) > 0) answered[m][KeyOf(cell)].insert(cell["institution_id"]);
    }
    // Every pooled cell the reader is shown, all time and each window, under both comparisons,
    // as the atoms it is made of; and whether its own cell is shown.
    std::map<std::string, std::vector<std::set<Atom>>> cells;  // key -> pooled cells shown
    std::map<std::pair<std::string, int>, bool> own_shown;     // (key, window or -1)
    for (int w = -1; w < static_cast<int>(months.size()); ++w) {
      for (const char* compare : {"", "&compare=type"}) {
        const json doc =
            GetJson(*c, base + (w < 0 ? "" : months[w]) + compare, server.institution_token);
        for (const ShownPool& p : ShownPools(doc)) {
          std::set<Atom> atoms;
          for (int m = 0; m < static_cast<int>(months.size()); ++m) {
            if (w >= 0 && m != w) continue;
            for (const std::string& i : answered[m][p.key])
              if (p.type.empty() || type_of[i] == p.type) atoms.insert({i, m});
          }
          if (!atoms.empty()) cells[p.key].push_back(atoms);
        }
        for (const json& cell : doc["cells"])
          if (cell["institution_id"] == own)
            own_shown[{KeyOf(cell), w}] = cell["suppressed"] == false;
      }
    }
    for (auto& [key, shown] : cells) {
      CAPTURE(key);
      std::sort(shown.begin(), shown.end());
      shown.erase(std::unique(shown.begin(), shown.end()), shown.end());
      // Each shown cell, less any disjoint shown cells inside it, less the reader's own.
      for (size_t t = 0; t < shown.size(); ++t) {
        std::vector<std::set<Atom>> others;
        for (size_t o = 0; o < shown.size(); ++o)
          if (o != t) others.push_back(shown[o]);
        CHECK_FALSE(SinglesOut(shown[t], others, 0, own, &tried));
      }
    }
    // The reader's own cell over all time, less its windows, leaves no window it hides.
    for (const auto& [at, is_shown] : own_shown) {
      if (at.second != -1 || !is_shown) continue;
      for (int m = 0; m < static_cast<int>(months.size()); ++m) {
        if (!answered[m][at.first].count(own)) continue;
        CAPTURE(at.first, m);
        CHECK(own_shown[{at.first, m}]);
      }
    }
  }
  INFO("subtractions tried: " << tried);
  CHECK(tried > 100);
}
