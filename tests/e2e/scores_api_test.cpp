// Scores and critical points over TLS, and the aggregates against the stored submissions.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <tuple>

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
      "DROP TABLE waves; DROP TABLE action_plan_history; DROP TABLE action_plans; "
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

// Three months around institution reader `own`, each thin somewhere: in October, besides the
// reader, two other institutions (that month's network is hidden); in November, seven others; in
// December, two of the reader's own families, fewer than min_n = 3.
static void SendThreeThinMonths(ServerProcess& server, const std::string& own,
                                std::mt19937_64& rng) {
  SendWave(server, {own, "omil-tal", "liceo-tal-1"}, "2026-10-10", 6, 10, rng);
  SendWave(server, {own, "cesfam-tal-2", "omil-tem"}, "2026-11-10", 6, 30, rng);
  SendWave(server, {"cesfam-tem-1", "omil-stgo", "omil-pa", "liceo-stgo-1"}, "2026-11-12", 6, 40,
           rng);
  SendWave(server, {"cesfam-stgo-1", "omil-tal"}, "2026-11-14", 6, 50, rng);
  SendWave(server, {own, "omil-tal", "omil-tem", "omil-pa"}, "2026-12-03", 2, 60, rng);
}

// Tries every subtraction an institution reader `own` could make of what it is shown over all
// time and over each of `windows` (query strings), by /scores, /indicators and /autonomy and under
// both comparisons, against what an analyst sees in each window; fails when one would single out
// fewer than min_n families of another institution, or show its own cell that a window hides.
// Returns how many subtractions were tried.
static int TryEverySubtraction(ServerProcess& server, httplib::SSLClient& client,
                               const std::string& own, std::map<std::string, std::string> type_of,
                               const std::vector<std::string>& months) {
  auto* c = &client;
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
  return tried;
}

TEST_CASE("all time shows an institution reader nothing that its windows hide", "[e2e]") {
  ServerProcess server({"--min-n", "3"});
  std::mt19937_64 rng(27);
  const std::string own = "cesfam-tal-1";
  SendThreeThinMonths(server, own, rng);
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

  const int tried = TryEverySubtraction(server, *c, own, type_of, months);
  INFO("subtractions tried: " << tried);
  CHECK(tried > 100);
}

namespace {

// `percept --db <the server's database> ARGS`, its output (stderr too) and exit status.
std::string Cli(ServerProcess& server, const std::string& args, int* status) {
  return Shell(std::string(PERCEPT_BIN) + " --db '" + server.db() + "' " + args + " 2>&1", status);
}

std::string WaveArgs(const std::string& id, const std::string& from, const std::string& to) {
  return "wave create --survey chs-perception --survey-dir '" + SourcePath("survey_defs") +
         "' --id " + id + " --from " + from + " --to " + to;
}

}  // namespace

TEST_CASE("waves: admins define them, they never overlap, and interviews keep a wave's dates",
          "[e2e]") {
  ServerProcess server({"--min-n", "3"});
  std::mt19937_64 rng(41);
  const std::string admin = LastLine(server.Admin("token create --role admin --name boss"));
  int status = -1;
  Cli(server, WaveArgs("2026-10", "2026-10-01", "2026-10-31") + " --label 'Línea base'", &status);
  CHECK(status == 0);
  // An overlapping window is refused, naming the wave it overlaps (CLI exit 2).
  const std::string refused = Cli(server, WaveArgs("late", "2026-10-20", "2026-11-15"), &status);
  CHECK(status == 2);
  CHECK_THAT(refused, Catch::Contains("overlaps wave '2026-10'"));
  Cli(server, WaveArgs("2026-11", "2026-11-01", "2026-11-30"), &status);
  CHECK(status == 0);
  Cli(server, WaveArgs("bad", "2026-12-31", "2026-12-01"), &status);
  CHECK(status == 1);  // to before from: a mistake, not a conflict
  SendWave(server, {"cesfam-tal-1", "omil-tal"}, "2026-10-12", 5, 10, rng);

  auto c = server.Client();
  json waves = GetJson(*c, "/api/v1/waves?survey=chs-perception", server.analyst_token);
  REQUIRE(waves.size() == 2);
  CHECK(waves[0] == json{{"id", "2026-10"},
                         {"label", "Línea base"},
                         {"from", "2026-10-01"},
                         {"to", "2026-10-31"},
                         {"interviews", 5}});
  CHECK(waves[1]["interviews"] == 0);

  // Over HTTP, admins only; the same rules, in the contract's error shape.
  const std::string body =
      R"({"survey":"chs-perception","id":"2027-1","from":"2026-11-20","to":"2027-01-31"})";
  auto r = c->Post("/api/v1/waves", Bearer(server.analyst_token), body, kJson);
  REQUIRE(r);
  CHECK(r->status == 403);
  r = c->Post("/api/v1/waves", Bearer(admin), body, kJson);
  REQUIRE(r);
  CHECK(r->status == 409);
  CHECK_THAT(json::parse(r->body)["error"]["message"].get<std::string>(),
             Catch::Contains("overlaps wave '2026-11'"));
  r = c->Post("/api/v1/waves", Bearer(admin),
              R"({"survey":"chs-perception","id":"2027-1","from":"2027-03-01","to":"2027-03-31",)"
              R"("label":"Seguimiento"})",
              kJson);
  REQUIRE(r);
  CHECK(r->status == 201);
  r = c->Post("/api/v1/waves", Bearer(admin), R"({"survey":"chs-perception","id":"x","from":1})",
              kJson);
  REQUIRE(r);
  CHECK(r->status == 422);
  // A wave that holds interviews keeps its dates; its label may change.
  r = c->Patch("/api/v1/waves/2026-10", Bearer(admin),
               R"({"survey":"chs-perception","to":"2026-10-20"})", kJson);
  REQUIRE(r);
  CHECK(r->status == 409);
  r = c->Patch("/api/v1/waves/2026-10", Bearer(admin),
               R"({"survey":"chs-perception","label":"Baseline"})", kJson);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(json::parse(r->body)["label"] == "Baseline");
  Cli(server, "wave edit --survey chs-perception --id 2026-10 --from 2026-09-01", &status);
  CHECK(status == 2);
  // An empty wave's dates may move, but not onto another wave.
  r = c->Patch("/api/v1/waves/2026-11", Bearer(admin),
               R"({"survey":"chs-perception","to":"2027-03-05"})", kJson);
  REQUIRE(r);
  CHECK(r->status == 409);
  r = c->Patch("/api/v1/waves/2026-11", Bearer(admin),
               R"({"survey":"chs-perception","to":"2026-12-15"})", kJson);
  REQUIRE(r);
  CHECK(r->status == 200);
  r = c->Patch("/api/v1/waves/nope", Bearer(admin), R"({"survey":"chs-perception","label":"x"})",
               kJson);
  REQUIRE(r);
  CHECK(r->status == 404);
  const std::string listed = Cli(server, "wave list --survey chs-perception", &status);
  CHECK(status == 0);
  CHECK_THAT(listed, Catch::Contains("2026-10") && Catch::Contains("Baseline") &&
                         Catch::Contains("2027-1"));
  r = c->Get("/api/v1/waves?survey=chs-perception", Bearer(server.enumerator_token));
  REQUIRE(r);
  CHECK(r->status == 403);
}

TEST_CASE("scores of a wave are the scores of its window, number for number", "[e2e]") {
  ServerProcess server({"--min-n", "3"});
  std::mt19937_64 rng(43);
  SendWave(server, {"cesfam-tal-1", "omil-tal", "liceo-tal-1"}, "2026-10-05", 8, 10, rng);
  SendWave(server, {"cesfam-tal-1", "cesfam-tal-2", "omil-tem"}, "2026-10-25", 8, 30, rng);
  SendWave(server, {"cesfam-tal-1", "omil-tal"}, "2026-11-10", 8, 50, rng);
  int status = -1;
  Cli(server, WaveArgs("w1", "2026-10-01", "2026-10-31"), &status);
  REQUIRE(status == 0);
  auto c = server.Client();
  for (const char* path :
       {"/api/v1/scores", "/api/v1/critical-points", "/api/v1/indicators", "/api/v1/autonomy"}) {
    CAPTURE(path);
    const std::string base = std::string(path) + "?survey=chs-perception";
    json by_wave = GetJson(*c, base + "&wave=w1", server.analyst_token);
    json by_dates = GetJson(*c, base + "&from=2026-10-01&to=2026-10-31", server.analyst_token);
    by_wave.erase("filters");
    by_dates.erase("filters");
    CHECK(by_wave == by_dates);
    if (std::string(path) == "/api/v1/scores") {  // and not all time's: November is left out
      json all = GetJson(*c, base, server.analyst_token);
      all.erase("filters");
      CHECK(all != by_wave);
    }
  }
  auto r = c->Get("/api/v1/scores?survey=chs-perception&wave=w1&from=2026-10-01",
                  Bearer(server.analyst_token));
  REQUIRE(r);
  CHECK(r->status == 400);
  r = c->Get("/api/v1/scores?survey=chs-perception&wave=w9", Bearer(server.analyst_token));
  REQUIRE(r);
  CHECK(r->status == 404);
  r = c->Get("/reports/chs-perception?wave=w1", Bearer(server.analyst_token));
  REQUIRE(r);
  CHECK(r->status == 200);
}

TEST_CASE("with waves, an institution reader sees whole waves, all of them, and nothing between",
          "[e2e]") {
  ServerProcess server({"--min-n", "3"});
  std::mt19937_64 rng(47);
  const std::string own = "cesfam-tal-1";
  // The months of "all time shows an institution reader nothing that its windows hide", as
  // waves, and interviews outside every wave.
  SendThreeThinMonths(server, own, rng);
  // September, outside every wave: the only interviews about cesfam-pa-1, and more of the
  // reader's own.
  SendWave(server, {own, "cesfam-pa-1"}, "2026-09-15", 6, 70, rng);
  int status = -1;
  for (const auto& [id, from, to] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"w-oct", "2026-10-01", "2026-10-31"},
           {"w-nov", "2026-11-01", "2026-11-30"},
           {"w-dec", "2026-12-01", "2026-12-31"}}) {
    Cli(server, WaveArgs(id, from, to), &status);
    REQUIRE(status == 0);
  }
  auto c = server.Client();
  // Its --institution-period windows give way to the waves: a whole month that is no wave is
  // refused; a wave's own dates are that wave.
  auto r = c->Get("/api/v1/scores?survey=chs-perception&from=2026-09-01&to=2026-09-30",
                  Bearer(server.institution_token));
  REQUIRE(r);
  CHECK(r->status == 400);
  json nov =
      GetJson(*c, "/api/v1/scores?survey=chs-perception&wave=w-nov", server.institution_token);
  json nov_dates = GetJson(*c, "/api/v1/scores?survey=chs-perception&from=2026-11-01&to=2026-11-30",
                           server.institution_token);
  nov.erase("filters");
  nov_dates.erase("filters");
  CHECK(nov == nov_dates);
  // All time is all the waves: September's interviews are in nobody's window, so in none of its
  // answers. The analyst's all time has cesfam-pa-1; the reader's network does not count it.
  const json analyst = GetJson(*c, "/api/v1/scores?survey=chs-perception", server.analyst_token);
  CHECK(FindCell(analyst["cells"], "cesfam-pa-1", "opportunity") != nullptr);
  const std::string pa_token = LastLine(
      server.Admin("token create --role institution --name pa-staff --institution cesfam-pa-1"));
  const json pa = GetJson(*c, "/api/v1/scores?survey=chs-perception", pa_token);
  const json* pa_cell = FindCell(pa["cells"], "cesfam-pa-1", "opportunity");
  CHECK((pa_cell == nullptr || pa_cell->at("suppressed") == true));
  // And no subtraction of what it may ask for singles out another institution's families.
  std::map<std::string, std::string> type_of;
  for (const json& i : GetJson(*c, "/api/v1/institutions", server.analyst_token))
    type_of[i["id"]] = i["type"];
  const int tried =
      TryEverySubtraction(server, *c, own, type_of, {"&wave=w-oct", "&wave=w-nov", "&wave=w-dec"});
  INFO("subtractions tried: " << tried);
  CHECK(tried > 100);
}
