// National-scale analytics benchmark (issue 3): builds a wave of 268,000 households and about
// 1.3 million evaluations over 400 institutions straight into a database (through the real
// validator and storage code, in large transactions), then starts `percept serve` on it and
// prints the p50 time of GET /api/v1/scores, /critical-points, /indicators, /autonomy and
// /circuits over 20 calls, /trends between its two months as waves (the first call, then the
// p50), the time of
// `percept rebuild-aggregates`, and the server's peak memory.
//
//   percept-bench-national [--households N] [--plans N] [--keep DIR]
#include <httplib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "percept/institutions.h"
#include "percept/storage/aggregate_tables.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/institution_records.h"
#include "percept/storage/plan_records.h"
#include "percept/storage/secrets.h"
#include "percept/storage/store.h"
#include "percept/storage/submission_records.h"
#include "percept/submission.h"

using namespace percept;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

class Directory : public InstitutionLookup {
 public:
  explicit Directory(const std::vector<Institution>& all) {
    for (const auto& i : all) ids_.push_back(i.id);
    std::sort(ids_.begin(), ids_.end());
  }
  bool Exists(const std::string& id) const override {
    return std::binary_search(ids_.begin(), ids_.end(), id);
  }

 private:
  std::vector<std::string> ids_;
};

std::string Uuid(std::mt19937_64& rng) {
  char buf[40];
  uint64_t a = rng(), b = rng();
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>(a & 0xffff), static_cast<unsigned>((a >> 16) & 0xfff),
                static_cast<unsigned>(b & 0xfff),
                static_cast<unsigned long long>(b >> 16) & 0xffffffffffffULL);
  return buf;
}

constexpr int kCommunes = 50;
constexpr int kPerCommune = 8;

// 50 communes across the 16 regions, eight institutions each: 400.
std::vector<Institution> MakeInstitutions() {
  const char* regions[] = {"15", "1",  "2", "3", "4",  "5",  "13", "6",
                           "7",  "16", "8", "9", "14", "10", "11", "12"};
  const char* types[] = {"cesfam",         "omil",    "dideco",   "uif",
                         "registro-civil", "escuela", "vivienda", "beneficios"};
  std::vector<Institution> out;
  for (int c = 0; c < kCommunes; ++c) {
    std::string region = regions[c % 16];
    std::string comuna = std::to_string(std::stoi(region) * 1000 + 100 + c);
    for (int t = 0; t < kPerCommune; ++t) {
      out.push_back({std::string(types[t]) + "-" + comuna,
                     std::string(types[t]) + " de la comuna " + comuna, types[t], comuna, region});
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Percept national-scale analytics benchmark"};
  int households = 268000;
  std::string keep;
  app.add_option("--households", households, "Households in the wave")->capture_default_str();
  int plans = 5000;
  app.add_option("--plans", plans, "Action plans on the first of its two waves")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  app.add_option(
      "--keep", keep,
      "Build the database in this folder and keep it (default: a temporary folder, removed)");
  std::string db_url;
  app.add_option("--db", db_url,
                 "Build the wave in this empty PostgreSQL database (postgresql://...) instead of "
                 "a SQLite file in the folder (docs/storage.md)");
  CLI11_PARSE(app, argc, argv);

  std::string dir = keep;
  if (dir.empty()) {
    char tmpl[] = "/tmp/percept-national-XXXXXX";
    dir = mkdtemp(tmpl);
  } else {
    std::system(("mkdir -p '" + dir + "'").c_str());
  }
  if (char* absolute = realpath(dir.c_str(), nullptr)) {
    dir = absolute;
    std::free(absolute);
  }
  const std::string db = db_url.empty() ? dir + "/national.db" : db_url;
  if (db_url.empty()) {
    std::remove(db.c_str());
  } else if (chdir(dir.c_str()) != 0) {  // where percept keeps its files beside PostgreSQL
    return std::fprintf(stderr, "cannot enter %s\n", dir.c_str()), 1;
  }
  const std::string percept = PERCEPT_BIN;

  auto catalog = SurveyCatalog::LoadDirectory(std::string(PERCEPT_SOURCE_DIR) + "/survey_defs");
  if (!catalog.ok()) return std::fprintf(stderr, "%s\n", catalog.status().ToString().c_str()), 1;
  const SurveyDefinition* def = catalog->Latest("chs-perception");
  auto opened = Store::Open(db, true);
  bool key_created = false;
  if (!opened.ok() || !(*opened)->Migrate().ok() ||
      !EnsureHouseholdKey(HouseholdKeyPath(db), &key_created).ok()) {  // what `percept init` does
    return std::fprintf(stderr, "cannot create %s\n", db.c_str()), 1;
  }
  Store& store = **opened;
  const std::vector<Institution> institutions = MakeInstitutions();
  if (!UpsertInstitutions(store, institutions).ok() ||
      !RegisterSurveyVersion(store, def->id, def->version, def->json).ok()) {
    return std::fprintf(stderr, "cannot set up the database\n"), 1;
  }
  if (!RegisterAggregateFunctions(store.db()).ok()) return 1;
  Aggregates aggregates(catalog->All());
  Directory directory(institutions);

  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf("building %d households over %zu institutions into %s\n", households,
              institutions.size(), PrintableDatabase(db).c_str());
  const auto build_start = Clock::now();
  std::mt19937_64 rng(2026);
  std::normal_distribution<double> noise(0, 1.1);
  // Each institution has its own true quality per dimension (on the 1..7 scale).
  std::vector<std::array<double, 6>> quality(institutions.size());
  for (auto& q : quality)
    for (double& v : q) v = 4.2 + 1.6 * std::uniform_real_distribution<double>(0, 1)(rng);
  const auto likert_items = def->LikertItems();
  auto dim_index = [&](const std::string& d) {
    const auto& dims = QualityDimensions();
    return static_cast<int>(std::find(dims.begin(), dims.end(), d) - dims.begin());
  };
  int64_t evaluations = 0;
  const int kBatch = 2000;
  for (int start = 0; start < households; start += kBatch) {
    std::vector<ValidSubmission> subs;
    for (int h = start; h < std::min(households, start + kBatch); ++h) {
      const int commune = static_cast<int>(rng() % kCommunes);
      const int used = 3 + static_cast<int>(rng() % 5);  // 3..7 of the institutions of its commune
      std::vector<int> picks = {0, 1, 2, 3, 4, 5, 6, 7};
      std::shuffle(picks.begin(), picks.end(), rng);
      const double generosity = std::normal_distribution<double>(0, 0.6)(rng);
      const int day = static_cast<int>(rng() % 60);
      char date[16];
      std::snprintf(date, sizeof date, "2026-%02d-%02d", 9 + day / 30, 1 + day % 30);
      json s = {{"instance_id", Uuid(rng)},
                {"survey_id", def->id},
                {"survey_version", def->version},
                {"device_id", "tab-" + std::to_string(h % 900)},
                {"started_at", std::string(date) + "T10:00:00-03:00"},
                {"completed_at", std::string(date) + "T10:45:00-03:00"},
                {"household",
                 {{"consent", true},
                  {"region", institutions[commune * kPerCommune].region},
                  {"comuna", institutions[commune * kPerCommune].comuna},
                  {"programme", "familias"},
                  {"household_size", 1 + static_cast<int>(rng() % 8)},
                  {"head_sex", rng() % 3 ? "mujer" : "hombre"},
                  {"months_in_programme", static_cast<int>(rng() % 24)}}},
                {"evaluations", json::array()}};
      for (int k = 0; k < used; ++k) {
        const int inst = commune * kPerCommune + picks[k];
        json a = json::object();
        double overall = 0;
        for (const Item* item : likert_items) {
          if (item->dimension.empty()) continue;
          double v = quality[inst][dim_index(item->dimension)] + generosity + noise(rng);
          overall += v;
          const uint64_t r = rng() % 100;
          a[item->id] = r < 6 ? 8 : r < 10 ? 9 : std::clamp(static_cast<int>(std::lround(v)), 1, 7);
        }
        a["overall"] =
            std::clamp(static_cast<int>(std::lround(overall / 21 + noise(rng) * 0.5)), 1, 7);
        // Part (b): problems commoner where quality is low; benefits and knowing how commoner
        // where it is high; one family in five referred by another institution of the comuna.
        const double good = (quality[inst][0] - 4.2) / 1.6;  // 0..1
        auto chance = [&](double p) {
          return std::uniform_real_distribution<double>(0, 1)(rng) < p;
        };
        static const char* const kProblems[] = {"esperas_largas",   "muchas_vueltas",
                                                "faltaban_papeles", "mal_trato",
                                                "sin_informacion",  "horarios"};
        if (chance(0.2)) {
          a["pathway"] = "otra_institucion";
          const int from = commune * kPerCommune + picks[(k + 1) % used];
          a["referred_by"] = institutions[from].id;
        } else {
          a["pathway"] = "apoyo_familiar";
        }
        const bool problems = chance(0.55 - 0.3 * good);
        a["had_problems"] = problems;
        if (problems) {
          json list = json::array();
          for (const char* p : kProblems)
            if (chance(0.3)) list.push_back(p);
          if (list.empty()) list.push_back(kProblems[rng() % 6]);
          a["problems"] = list;
        }
        a["benefit_received"] = chance(0.4 + 0.3 * good) ? "si" : chance(0.5) ? "en_parte" : "no";
        a["knows_how"] = chance(0.5 + 0.3 * good);
        a["knows_rights"] = chance(0.4 + 0.3 * good);
        a["actions"] = {"junto_papeles"};
        s["evaluations"].push_back({{"institution_id", institutions[inst].id}, {"answers", a}});
      }
      auto v = ValidateSubmission(s, *catalog, directory);
      if (!v.ok())
        return std::fprintf(stderr, "generated an invalid interview: %s\n",
                            v.status().ToString().c_str()),
               1;
      evaluations += static_cast<int64_t>(v->evaluations.size());
      subs.push_back(std::move(v).value());
    }
    Transaction tx(store.db());
    AggregateDelta delta;
    for (const ValidSubmission& sub : subs) {
      auto out = InsertSubmission(store, sub, "bench", NowRfc3339());
      if (!out.ok()) return std::fprintf(stderr, "%s\n", out.status().ToString().c_str()), 1;
      aggregates.Add(sub, &delta);
    }
    if (!WriteAggregates(store, delta).ok() || !tx.Commit().ok())
      return std::fprintf(stderr, "commit failed\n"), 1;
    if ((start / kBatch) % 20 == 0) {
      std::fprintf(stderr, "\r  %d / %d households", start + kBatch, households);
      std::fflush(stderr);
    }
  }
  std::fprintf(stderr, "\n");
  std::printf("built: %d households, %lld evaluations, in %.1f s\n", households,
              static_cast<long long>(evaluations), Seconds(build_start));

  // Tokens, then the real server on a free port.
  auto token_of = [&](const std::string& args) {
    FILE* p =
        popen((percept + " --db '" + db + "' token create " + args + " 2>/dev/null").c_str(), "r");
    char buf[256] = {0};
    std::string last;
    while (fgets(buf, sizeof buf, p)) last = buf;
    pclose(p);
    while (!last.empty() && last.back() == '\n') last.pop_back();
    return last;
  };
  const std::string analyst = token_of("--role analyst --name bench-analyst");
  // An institution reader: over all time it is also shown what each month would hide
  // (docs/security.md, "Differencing"), so its all-time reports cost a report per month more.
  const std::string institution = token_of(
      "--role institution --name bench-institution "
      "--institution " +
      institutions.front().id);
  // Two waves, September and October (the interviews span both): what /trends compares.
  for (const char* wave : {"--id 2026-a --from 2026-09-01 --to 2026-09-30",
                           "--id 2026-b --from 2026-10-01 --to 2026-10-31"}) {
    const std::string command = percept + " --db '" + db +
                                "' wave create --survey chs-perception --survey-dir '" +
                                PERCEPT_SOURCE_DIR + "/survey_defs' " + wave + " > /dev/null";
    if (std::system(command.c_str()) != 0)
      return std::fprintf(stderr, "percept wave create failed\n"), 1;
  }
  // 5,000 action plans on the first wave (issue 28): one institution cell after another, half
  // of them submitted, a fifth of those accepted. Written straight into the database, as the
  // wave was; the server times what reads them.
  const int kPlans = plans;
  {
    const auto plans_start = Clock::now();
    // Each plan is a transaction of its own (as the server writes them); the bench's data needs
    // no flush to disk, as the wave did not.
    if (!store.dialect().shared_by_servers) (void)store.db()->Exec("PRAGMA synchronous = OFF");
    for (int i = 0; i < kPlans; ++i) {
      ActionPlan plan;
      plan.survey_id = def->id;
      plan.wave_id = "2026-a";
      plan.institution_id = institutions[i % institutions.size()].id;
      plan.target = {"dimension", QualityDimensions()[(i / institutions.size()) % 6], "", ""};
      plan.goal = "Meta " + std::to_string(i);
      plan.actions = {{"Acción", "Responsable", "2026-12-31"}};
      auto kept = InsertPlan(store, plan, "bench");
      if (!kept.ok()) return std::fprintf(stderr, "%s\n", kept.status().ToString().c_str()), 1;
      if (i % 2 == 0 && !MovePlan(store, kept->id, "draft", "submitted", "bench", "").ok())
        return std::fprintf(stderr, "cannot submit a plan\n"), 1;
      if (i % 10 == 0 && !MovePlan(store, kept->id, "submitted", "accepted", "bench", "").ok())
        return std::fprintf(stderr, "cannot accept a plan\n"), 1;
    }
    if (!store.dialect().shared_by_servers) (void)store.db()->Exec("PRAGMA synchronous = FULL");
    std::printf("wrote %d action plans in %.1f s\n", kPlans, Seconds(plans_start));
  }
  const std::string out_file = dir + "/serve.out";
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    std::freopen(out_file.c_str(), "w", stdout);
    std::freopen((dir + "/serve.log").c_str(), "w", stderr);
    execl(percept.c_str(), percept.c_str(), "--db", db.c_str(), "serve", "--port", "0",
          "--survey-dir", (std::string(PERCEPT_SOURCE_DIR) + "/survey_defs").c_str(), "--no-log",
          "--rate-limit", "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  int port = 0;
  const auto serve_start = Clock::now();
  for (int i = 0; i < 3000 && port == 0; ++i) {
    std::ifstream in(out_file);
    std::string line;
    if (std::getline(in, line) && line.find("listening") != std::string::npos)
      port = std::stoi(line.substr(line.rfind(':') + 1));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (port == 0) return std::fprintf(stderr, "the server did not start\n"), 1;
  std::printf("server started (mirror loaded) in %.2f s\n", Seconds(serve_start));
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path((dir + "/dev-cert.pem").c_str());
  client.enable_server_certificate_verification(true);
  client.set_keep_alive(true);
  client.set_read_timeout(60, 0);
  auto p50 = [&](const std::string& path, size_t* bytes, const std::string& token) {
    std::vector<double> ms;
    for (int i = 0; i < 20; ++i) {
      const auto t = Clock::now();
      auto r = client.Get(path.c_str(), {{"Authorization", "Bearer " + token}});
      ms.push_back(Seconds(t) * 1000);
      if (!r || r->status != 200) {
        std::fprintf(stderr, "%s failed\n", path.c_str());
        std::exit(1);
      }
      *bytes = r->body.size();
    }
    std::sort(ms.begin(), ms.end());
    return (ms[9] + ms[10]) / 2;
  };
  size_t bytes = 0;
  const std::string comuna = institutions.front().comuna;
  for (const auto& [label, path] : std::vector<std::pair<const char*, std::string>>{
           {"/api/v1/scores", "/api/v1/scores?survey=chs-perception"},
           {"/api/v1/critical-points", "/api/v1/critical-points?survey=chs-perception"},
           {"/api/v1/indicators", "/api/v1/indicators?survey=chs-perception"},
           {"/api/v1/autonomy", "/api/v1/autonomy?survey=chs-perception"},
           {"/api/v1/circuits?comuna", "/api/v1/circuits?survey=chs-perception&comuna=" + comuna},
           {"/api/v1/scores?region=13&from&to",
            "/api/v1/scores?survey=chs-perception&region=13&from=2026-09-10&to=2026-10-10"}}) {
    const double ms = p50(path, &bytes, analyst);
    std::printf("GET %-36s p50 %7.1f ms  (%zu bytes, 20 calls)\n", label, ms, bytes);
  }
  // The trends of the two waves: the first call reads both waves' interviews (the network's
  // per-interview sums); the calls after it find them kept until an interview changes.
  const std::string trends = "/api/v1/trends?survey=chs-perception&waves=2026-a,2026-b";
  {
    const auto t = Clock::now();
    auto r = client.Get(trends.c_str(), {{"Authorization", "Bearer " + analyst}});
    if (!r || r->status != 200) return std::fprintf(stderr, "%s failed\n", trends.c_str()), 1;
    std::printf("GET %-36s first %7.1f ms  (%zu bytes: reads both waves' interviews)\n",
                "/api/v1/trends", Seconds(t) * 1000, r->body.size());
  }
  for (const auto& [token, who] :
       {std::make_pair(analyst, ""), std::make_pair(institution, ", an institution reader")}) {
    const double ms = p50(trends, &bytes, token);
    std::printf("GET %-36s p50 %7.1f ms  (%zu bytes, 20 calls%s)\n", "/api/v1/trends", ms, bytes,
                who);
  }
  // The plans: the coordinator's summary of the wave, and an institution's own plans with
  // their follow-up in the second wave.
  for (const auto& [path, token, who] :
       std::vector<std::tuple<std::string, std::string, const char*>>{
           {"/api/v1/action-plans/summary?survey=chs-perception&wave=2026-a", analyst, ""},
           {"/api/v1/action-plans?survey=chs-perception", institution, ", an institution reader"},
           {"/api/v1/action-plans?survey=chs-perception&wave=2026-a&state=accepted", analyst,
            ""}}) {
    const double ms = p50(path, &bytes, token);
    std::printf("GET %-36s p50 %7.1f ms  (%zu bytes, 20 calls, %d plans%s)\n",
                path.substr(0, path.find('?')).c_str(), ms, bytes, kPlans, who);
  }
  for (const char* part : {"scores", "indicators"}) {
    const std::string path = std::string("/api/v1/") + part + "?survey=chs-perception";
    const double ms = p50(path, &bytes, institution);
    std::printf("GET %-36s p50 %7.1f ms  (%zu bytes, 20 calls, an institution reader)\n",
                path.substr(0, path.find('?')).c_str(), ms, bytes);
  }

  const auto rebuild_start = Clock::now();
  int rc =
      std::system((percept + " --db '" + db + "' rebuild-aggregates > /dev/null 2>&1").c_str());
  const double rebuild = Seconds(rebuild_start);
  std::printf("percept rebuild-aggregates              %7.1f s  (exit %d)\n", rebuild, rc);
  // The next report notices the rebuild and reloads the mirror.
  const double after = p50("/api/v1/scores?survey=chs-perception", &bytes, analyst);
  std::printf("GET /api/v1/scores after the rebuild    p50 %7.1f ms\n", after);

  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM", 0) == 0 || line.rfind("VmRSS", 0) == 0)
      std::printf("server %s\n", line.c_str());
  }
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);

  // Exports of the whole wave through `percept export`, timed, with the process's peak memory.
  // JSON lines goes first: the stored interviews written out as they are, the floor the other
  // formats are measured against (reading the database and writing the file, nothing made).
  double floor_secs = 0;
  for (const char* format : {"jsonl", "csv", "csv-long", "sav"}) {
    const std::string out = dir + "/export." + format;
    const auto t = Clock::now();
    pid_t child = fork();
    if (child == 0) {
      std::freopen("/dev/null", "w", stderr);
      execl(percept.c_str(), percept.c_str(), "--db", db.c_str(), "export", "--survey",
            "chs-perception", "--format", format, "--survey-dir",
            (std::string(PERCEPT_SOURCE_DIR) + "/survey_defs").c_str(), "--out", out.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    struct rusage usage {};
    wait4(child, &status, 0, &usage);
    const double secs = Seconds(t);
    if (floor_secs == 0) floor_secs = secs;
    std::ifstream f(out, std::ios::binary | std::ios::ate);
    const double mb = static_cast<double>(f.tellg()) / 1e6;
    const double rows = std::string(format) == "csv" || std::string(format) == "sav"
                            ? static_cast<double>(evaluations)
                            : 0;
    std::printf(
        "percept export --format %-8s %7.1f s, %8.0f MB, %6.0f MB/s, %s %.2f× the JSON lines' "
        "time, peak RSS %.0f MB (exit %d)\n",
        format, secs, mb, mb / secs,
        rows > 0 ? (std::to_string(static_cast<long long>(rows / secs)) + " rows/s,").c_str() : "",
        secs / floor_secs, usage.ru_maxrss / 1024.0, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    std::remove(out.c_str());
  }
  if (keep.empty()) std::system(("rm -rf '" + dir + "'").c_str());
  return 0;
}
