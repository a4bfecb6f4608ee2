// Exports read back by independent programs: Python's csv module, and GNU PSPP for the .sav.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "percept/base/crypto.h"
#include "server_process.h"

using namespace percept::testing;
using nlohmann::json;

namespace {

std::string Download(ServerProcess& server, const std::string& path, const std::string& file,
                     httplib::Headers* headers = nullptr) {
  auto c = server.Client();
  auto r = c->Get(path.c_str(), Bearer(server.analyst_token));
  REQUIRE(r);
  INFO(r->body.substr(0, 200));
  REQUIRE(r->status == 200);
  if (headers) *headers = r->headers;
  const std::string out = server.dir() + "/" + file;
  std::ofstream(out, std::ios::binary) << r->body;
  return out;
}

std::vector<json> Stored(ServerProcess& server) { return StoredSubmissions(server); }

// Joins a thread however the scope is left (a failed REQUIRE throws).
struct Joined {
  std::thread t;
  ~Joined() {
    if (t.joinable()) t.join();
  }
};

void Prepare(ServerProcess& server, json* tricky) {
  server.Simulate(server.dir() + "/q.db", "--households 150 --seed 21");
  int status = 0;
  Shell(server.SyncCommand(server.dir() + "/q.db") + " 2>&1", &status);
  REQUIRE(status == 0);
  *tricky = DemoInterview("0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71");
  (*tricky)["evaluations"][0]["answers"]["proposal"] =
      "Que atiendan, \"por favor\", en la tarde;\ny con respeto, sin \"vueltas\".";
  auto c = server.Client();
  auto r = c->Post("/api/v1/submissions", Bearer(server.enumerator_token), tricky->dump(),
                   "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 201);
}

}  // namespace

TEST_CASE(
    "the CSV exports round-trip through a real CSV parser, every evaluation and every odd answer "
    "intact",
    "[e2e]") {
  ServerProcess server;
  json tricky;
  Prepare(server, &tricky);
  const std::vector<json> stored = Stored(server);
  std::multiset<std::string> expected;  // instance_id|institution_id of every evaluation
  for (const json& s : stored) {
    for (const json& e : s["evaluations"])
      expected.insert(s["instance_id"].get<std::string>() + "|" +
                      e["institution_id"].get<std::string>());
  }

  httplib::Headers headers;
  const std::string wide =
      Download(server, "/api/v1/exports/chs-perception.csv", "wide.csv", &headers);
  CHECK(headers.find("Link")->second.find("/api/v1/exports/chs-perception/codebook.csv") !=
        std::string::npos);
  const std::string script = server.dir() + "/read.py";
  std::ofstream(script) << R"(import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig', newline='')))
print(json.dumps({"keys": [r["instance_id"] + "|" + r["institution_id"] for r in rows],
                  "proposals": [r["proposal"] for r in rows if r["instance_id"] == sys.argv[2]],
                  "comunas": sorted(set(r["comuna"] for r in rows)),
                  "scores": [r["score_transparency"] for r in rows][:3]}))
)";
  const json got = json::parse(
      Shell("python3 " + script + " " + wide + " " + tricky["instance_id"].get<std::string>()));
  const auto keys = got["keys"].get<std::vector<std::string>>();
  CHECK(std::multiset<std::string>(keys.begin(), keys.end()) == expected);
  REQUIRE(got["proposals"].size() == 2);
  CHECK(got["proposals"][0] == tricky["evaluations"][0]["answers"]["proposal"]);
  CHECK(got["comunas"].size() >= 2);

  const std::string long_csv =
      Download(server, "/api/v1/exports/chs-perception.csv?layout=long", "long.csv");
  std::ofstream(script) << R"(import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig', newline='')))
mine = [r for r in rows if r["instance_id"] == sys.argv[2]]
print(json.dumps({"n": len(rows), "ids": len(set(r["instance_id"] for r in rows)),
                  "proposal": [r["value"] for r in mine if r["item"] == "proposal"],
                  "problems": sorted(r["value"] for r in mine if r["item"] == "problems" and r["evaluation"] == "1")}))
)";
  const json lg = json::parse(
      Shell("python3 " + script + " " + long_csv + " " + tricky["instance_id"].get<std::string>()));
  CHECK(lg["ids"] == stored.size());
  REQUIRE(lg["proposal"].size() == 2);
  CHECK(lg["proposal"][0] == tricky["evaluations"][0]["answers"]["proposal"]);
  CHECK(lg["problems"] == json{"esperas_largas", "muchas_vueltas"});

  const std::string codebook =
      Download(server, "/api/v1/exports/chs-perception/codebook.csv", "codebook.csv");
  std::ofstream(script) << R"(import csv, json, sys
rows = {r["variable"]: r for r in csv.DictReader(open(sys.argv[1], encoding='utf-8-sig', newline=''))}
print(json.dumps({"opp_wait": rows["opp_wait"], "pathway": rows["pathway"]["values"], "n": len(rows)}))
)";
  const json cb = json::parse(Shell("python3 " + script + " " + codebook));
  CHECK(cb["opp_wait"]["label_es"].get<std::string>().find("esperar") != std::string::npos);
  CHECK(cb["opp_wait"]["label_en"].get<std::string>().find("wait") != std::string::npos);
  CHECK(cb["opp_wait"]["values"].get<std::string>().find("8=no sabe") != std::string::npos);
  CHECK(cb["pathway"].get<std::string>().find("apoyo_familiar=Me derivó mi Apoyo Familiar") !=
        std::string::npos);

  auto c = server.Client();
  CHECK(c->Get("/api/v1/exports/chs-perception.csv", Bearer(server.enumerator_token))->status ==
        403);
  CHECK(c->Get("/api/v1/exports/chs-perception.csv", Bearer(server.institution_token))->status ==
        403);
  CHECK(c->Get("/api/v1/exports/census.csv", Bearer(server.analyst_token))->status == 404);
  CHECK(c->Get("/api/v1/exports/chs-perception.csv?layout=tall", Bearer(server.analyst_token))
            ->status == 400);

  // The command line writes the same file.
  server.Admin("export --survey chs-perception --format csv --survey-dir " +
               SourcePath("survey_defs") + " --out " + server.dir() + "/cli.csv");
  std::ifstream a(wide, std::ios::binary), b(server.dir() + "/cli.csv", std::ios::binary);
  std::stringstream sa, sb;
  sa << a.rdbuf();
  sb << b.rdbuf();
  CHECK(sa.str() == sb.str());
  // A file that takes no more (a full disk) is named, with why, and the command fails.
  int rc = 0;
  const std::string full = Shell(std::string(PERCEPT_BIN) + " --db '" + server.db() +
                                     "' export --format csv --survey-dir " +
                                     SourcePath("survey_defs") + " --out /dev/full 2>&1",
                                 &rc);
  CHECK(rc != 0);
  CHECK(full.find("cannot write /dev/full: No space left on device") != std::string::npos);
}

TEST_CASE("the .sav opens in GNU PSPP with the server's numbers", "[e2e]") {
  ServerProcess server;
  json tricky;
  Prepare(server, &tricky);
  const std::string sav = Download(server, "/api/v1/exports/chs-perception.sav", "wave.sav");
  const std::string syntax = server.dir() + "/check.sps";
  std::ofstream(syntax) << "GET FILE='" << sav << "'.\n"
                        << "FREQUENCIES VARIABLES=opp_wait.\n"
                        << "COMPUTE one = 1.\n"
                        << "AGGREGATE OUTFILE=* /BREAK=one /n=NU(score_transparency) "
                           "/mean=MEAN(score_transparency).\n"
                        << "FORMATS mean (F14.8).\n"
                        << "LIST n mean.\n";
  int status = 0;
  const std::string out_csv = server.dir() + "/pspp.csv";
  Shell("pspp -O format=csv -o '" + out_csv + "' '" + syntax + "' 2>&1", &status);
  REQUIRE(status == 0);
  std::ifstream in(out_csv);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);

  // opp_wait frequencies, valid grades and the two missing codes, as PSPP counts them...
  std::map<std::string, int64_t> pspp;
  bool in_table = false;
  for (const std::string& line : lines) {
    // The frequency table: ",,Frequency,Percent,..." then rows "Valid,1,2,..." ",3,151,..."
    // "Missing,no sabe / don't know,74,..." and finally "Total,,...".
    if (line.find("Frequency,Percent") != std::string::npos) {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (line.rfind("Total", 0) == 0) break;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    REQUIRE(f.size() >= 3);
    std::string key = f[1];
    if (key.find("no sabe") != std::string::npos)
      key = "8";
    else if (key.find("no aplica") != std::string::npos)
      key = "9";
    else
      key = std::to_string(static_cast<int>(std::stod(key)));
    pspp[key] = std::stoll(f[2]);
  }
  // ...and as the server stored them.
  std::map<std::string, int64_t> server_counts;
  for (const json& s : Stored(server)) {
    for (const json& e : s["evaluations"]) {
      if (e["answers"].contains("opp_wait"))
        server_counts[std::to_string(e["answers"]["opp_wait"].get<int>())]++;
    }
  }
  CHECK(pspp == server_counts);

  // The transparency score: N and mean in PSPP against the network cell of /scores.
  double n = -1, mean = -1;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i] == "n,mean") {
      std::stringstream ss(lines[i + 1]);
      std::string a, b;
      std::getline(ss, a, ',');
      std::getline(ss, b, ',');
      n = std::stod(a);
      mean = std::stod(b);
    }
  }
  auto c = server.Client();
  json scores = json::parse(
      c->Get("/api/v1/scores?survey=chs-perception", Bearer(server.analyst_token))->body);
  for (const json& cell : scores["network"]) {
    if (cell["dimension"] != "transparency") continue;
    CHECK(n == cell["n"].get<double>());
    CHECK(mean == Approx(cell["mean"].get<double>()).margin(1e-7));
  }
  CHECK(n > 500);
}

TEST_CASE(
    "a backup taken under load is sound and holds every interview acknowledged before it began",
    "[e2e][pg]") {
  ServerProcess server({"--rate-limit", "0"});
  if (TestingOnPostgres()) {
    // PostgreSQL has its own backups (pg_dump, base backups and WAL): percept says so.
    int status = 0;
    const std::string out = Shell("cd '" + server.dir() + "' && " + std::string(PERCEPT_BIN) +
                                      " --db '" + server.db() + "' backup --out b.db 2>&1",
                                  &status);
    CHECK(status != 0);
    CHECK(out.find("pg_dump") != std::string::npos);
    return;
  }
  const std::string load =
      std::string(PERCEPT_TABLET_BIN) + " load --concurrency 8 --duration 4 --survey-file " +
      SourcePath("survey_defs/chs-perception.json") + " --institutions " +
      SourcePath("survey_defs/institutions-demo.csv") +
      " --server https://127.0.0.1:" + std::to_string(server.port) + " --token " +
      server.enumerator_token + " --cacert '" + server.dir() + "/dev-cert.pem' 2>&1";
  int load_status = -1;
  std::string load_out;
  Joined tablets{std::thread([&] { load_out = Shell(load, &load_status); })};
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // Everything acknowledged so far, as the server lists it, then the backup, load still running.
  std::set<std::string> before;
  for (const json& s : Stored(server)) before.insert(s["instance_id"].get<std::string>());
  const std::string backup = server.dir() + "/backup.db";
  server.Admin("backup --out '" + backup + "'");
  tablets.t.join();
  INFO(load_out);
  CHECK(load_status == 0);
  REQUIRE(before.size() > 100);

  CHECK(Shell("sqlite3 '" + backup + "' 'PRAGMA integrity_check'") == "ok\n");
  const std::string ids = Shell("sqlite3 '" + backup + "' 'SELECT instance_id FROM submissions'");
  std::set<std::string> in_backup;
  std::stringstream lines(ids);
  for (std::string line; std::getline(lines, line);) in_backup.insert(line);
  for (const std::string& id : before) {
    if (!in_backup.count(id)) FAIL("missing from the backup: " << id);
  }
  CHECK(in_backup.size() >= before.size());

  // Restoring is using the backup file as the database (docs/operations.md): it is a whole one.
  int rc = -1;
  const std::string exported = Shell(std::string(PERCEPT_BIN) + " --db '" + backup +
                                         "' export --format jsonl --survey-dir " +
                                         SourcePath("survey_defs") + " 2>/dev/null",
                                     &rc);
  CHECK(rc == 0);
  CHECK(static_cast<size_t>(std::count(exported.begin(), exported.end(), '\n')) ==
        in_backup.size());
  Shell(std::string(PERCEPT_BIN) + " --db '" + backup + "' rebuild-aggregates 2>&1", &rc);
  CHECK(rc == 0);
  int refused = 0;
  Shell(std::string(PERCEPT_BIN) + " --db '" + backup + "' backup --out '" + backup + "' 2>&1",
        &refused);
  CHECK(refused != 0);  // backup never overwrites a file
}

namespace {

// The SHA-256 of `bytes`, in hex; for a .sav, with its creation date and time (the header's
// bytes 92 to 108) blanked, the only bytes that differ between two runs.
std::string Fingerprint(std::string bytes, bool sav) {
  if (sav && bytes.size() > 109) std::fill(bytes.begin() + 92, bytes.begin() + 109, ' ');
  return percept::Hex(percept::Sha256(bytes));
}

}  // namespace

// Exports are read by scripts that must not break when percept gets faster: each format of one
// fixed wave is byte for byte what it was when this test was written (before issue 17's fast
// export path). A change that is meant to alter an export updates the fingerprint here, and
// says so in docs/api.md ("Exports"). To see what changed: run the same steps with the previous
// build (the commands below), and diff the files.
TEST_CASE("exports are byte for byte what they were: a fixed 300-household wave in every format",
          "[e2e]") {
  ServerProcess server;
  // The household key decides the pseudonyms of household identifiers: a fixed one, so that
  // they are the same every run.
  server.Kill(SIGTERM);
  std::ofstream(server.dir() + "/household-key", std::ios::binary | std::ios::trunc)
      << "percept's export fingerprint key";
  server.Start();
  const std::string queue = server.dir() + "/golden.db";
  server.Simulate(queue, "--households 300 --seed 1717 --days 10 --first-day 2026-03-02");
  int status = 0;
  Shell(server.SyncCommand(queue, "--batch 50") + " 2>&1", &status);
  REQUIRE(status == 0);

  // Issue 27 added the `wave` column (empty here: no waves) to the wide CSV, the .sav and the
  // codebook; the wide CSV without it is byte for byte the one before (111ea00f…b8f6).
  const std::map<std::string, std::string> expected = {
      {"codebook", "f91f372c5ffa4c44253f2976458f1a1fc78c280dc477eb0bfeea44d6861550ba"},
      {"csv", "10e2ac283078fb0ff7f2c7c9730575a62cfcacaff0693055e739db55b81f2a53"},
      {"csv-long", "3b11bc620cbb305ba42fa1f9b505dc5648d66c9173726a87159ce45c61789fcb"},
      {"jsonl", "73c19af27dcb6155b95365412976bf26482f086a64002ae180a88b47849d4e7b"},
      {"sav", "251ce594bf345c85f77bc19548701152c6ef3563d39e33b53a31fdd1e382a400"},
  };
  for (const auto& [format, want] : expected) {
    const std::string file = server.dir() + "/golden." + format;
    server.Admin("export --format " + format + " --out '" + file + "' --survey-dir " +
                 SourcePath("survey_defs"));
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    INFO(format << ": " << bytes.str().size() << " bytes");
    CHECK(Fingerprint(bytes.str(), format == "sav") == want);
  }
}
