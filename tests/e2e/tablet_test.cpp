// percept-tablet: the generator, the offline queue, and sync against the real server —
// through crashes, rejections and bad tokens — and the story analytics must tell.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <regex>
#include <set>
#include <thread>

#include "percept/institutions.h"
#include "percept/mobile/interview_generator.h"
#include "percept/mobile/offline_queue.h"
#include "percept/submission.h"
#include "server_process.h"

using namespace percept;
using namespace percept::testing;
using nlohmann::json;

namespace {

int64_t QueueCount(const std::string& queue, const char* which) {
  auto q = OfflineQueue::Open(queue);
  REQUIRE(q.ok());
  auto c = (*q)->Counts();
  REQUIRE(c.ok());
  return std::string(which) == "pending" ? c->pending
         : std::string(which) == "sent"  ? c->sent
                                         : c->rejected;
}

std::multiset<std::string> StoredIds(ServerProcess& server) {
  std::multiset<std::string> ids;
  for (const json& s : StoredSubmissions(server)) ids.insert(s["instance_id"].get<std::string>());
  return ids;
}

class CsvInstitutions : public InstitutionLookup {
 public:
  explicit CsvInstitutions(const std::vector<Institution>& all) {
    for (const auto& i : all) ids.insert(i.id);
  }
  bool Exists(const std::string& id) const override { return ids.count(id) > 0; }
  std::set<std::string> ids;
};

}  // namespace

TEST_CASE("the generator makes valid, reproducible interviews of 3-7 institutions of one commune",
          "[e2e]") {
  auto catalog = SurveyCatalog::LoadDirectory(SourcePath("survey_defs"));
  REQUIRE(catalog.ok());
  auto institutions = LoadInstitutionsFile(SourcePath("survey_defs/institutions-demo.csv"));
  REQUIRE(institutions.ok());
  std::map<std::string, std::string> comuna_of;
  for (const auto& i : *institutions) comuna_of[i.id] = i.comuna;
  const CsvInstitutions known(*institutions);
  const SurveyDefinition& def = *catalog->Latest("chs-perception");
  GeneratorOptions options;
  options.seed = 42;
  InterviewGenerator a(def, *institutions, options), b(def, *institutions, options);
  int dont_know = 0, answers = 0;
  for (int i = 0; i < 300; ++i) {
    const std::string text = a.Next();
    CHECK(text == b.Next());  // same seed, same interviews
    const json doc = json::parse(text);
    auto valid = ValidateSubmission(doc, *catalog, known, [](const std::string& id) { return id; });
    INFO(valid.status().ToString());
    REQUIRE(valid.ok());
    const auto& evals = doc["evaluations"];
    CHECK(evals.size() >= 3);
    CHECK(evals.size() <= 7);
    for (const json& e : evals) {
      CHECK(comuna_of[e["institution_id"]] == doc["household"]["comuna"]);
      for (const auto& [item, v] : e["answers"].items()) {
        if (def.FindEvaluationItem(item)->type != ItemType::kLikert) continue;
        ++answers;
        dont_know += v == 8 || v == 9;
      }
    }
  }
  CHECK(dont_know > answers / 50);  // some don't-know / not-applicable answers, not many
  CHECK(dont_know < answers / 5);

  options.seed = 43;
  InterviewGenerator other(def, *institutions, options);
  GeneratorOptions first;
  first.seed = 42;
  CHECK(other.Next() != InterviewGenerator(def, *institutions, first).Next());
}

TEST_CASE("a plant moves exactly its cell", "[e2e]") {
  auto catalog = SurveyCatalog::LoadDirectory(SourcePath("survey_defs"));
  auto institutions = LoadInstitutionsFile(SourcePath("survey_defs/institutions-demo.csv"));
  REQUIRE((catalog.ok() && institutions.ok()));
  const SurveyDefinition& def = *catalog->Latest("chs-perception");
  auto plant = ParsePlant("cesfam-tal-1:transparency:-2", def, *institutions);
  REQUIRE(plant.ok());
  CHECK(plant->shift == -2);
  CHECK_FALSE(ParsePlant("cesfam-tal-1:speed:-2", def, *institutions).ok());
  CHECK_FALSE(ParsePlant("nowhere:transparency:-2", def, *institutions).ok());
  CHECK_FALSE(ParsePlant("cesfam-tal-1:transparency:x", def, *institutions).ok());

  auto mean_of = [&](const GeneratorOptions& o, const std::string& inst,
                     const std::string& prefix) {
    InterviewGenerator g(def, *institutions, o);
    double sum = 0;
    int n = 0;
    for (int i = 0; i < 2000; ++i) {
      const json doc = json::parse(g.Next());
      for (const json& e : doc["evaluations"]) {
        if (e["institution_id"] != inst) continue;
        for (const auto& [item, v] : e["answers"].items()) {
          if (item.rfind(prefix, 0) == 0 && v.get<int>() <= 7) {
            sum += v.get<int>();
            ++n;
          }
        }
      }
    }
    return sum / n;
  };
  GeneratorOptions plain, planted;
  plain.seed = planted.seed = 7;
  planted.plants.push_back(*plant);
  CHECK(mean_of(plain, "cesfam-tal-1", "trn_") - mean_of(planted, "cesfam-tal-1", "trn_") >
        1.4);  // clipping eats some
  CHECK(mean_of(plain, "cesfam-tal-1", "lnk_") == mean_of(planted, "cesfam-tal-1", "lnk_"));
  CHECK(mean_of(plain, "omil-tal", "trn_") == mean_of(planted, "omil-tal", "trn_"));

  // A fraction of a point moves the mean by about that fraction (the answer is moved before it
  // is rounded to the scale), for the power table of bench/power.sh.
  auto half = ParsePlant("cesfam-tal-1:transparency:-0.5", def, *institutions);
  REQUIRE(half.ok());
  CHECK(half->shift == -0.5);
  CHECK_FALSE(ParsePlant("cesfam-tal-1:transparency:-50", def, *institutions).ok());
  GeneratorOptions half_planted;
  half_planted.seed = 7;
  half_planted.plants.push_back(*half);
  const double moved =
      mean_of(plain, "cesfam-tal-1", "trn_") - mean_of(half_planted, "cesfam-tal-1", "trn_");
  CHECK(moved > 0.4);
  CHECK(moved < 0.6);
}

TEST_CASE("part (b) plants move a rate, or autonomy, in their institution only", "[e2e]") {
  auto catalog = SurveyCatalog::LoadDirectory(SourcePath("survey_defs"));
  auto institutions = LoadInstitutionsFile(SourcePath("survey_defs/institutions-demo.csv"));
  REQUIRE((catalog.ok() && institutions.ok()));
  const SurveyDefinition& def = *catalog->Latest("chs-perception");
  auto rate = ParseRatePlant("cesfam-tal-1:had_problems:+40", def, *institutions);
  REQUIRE(rate.ok());
  CHECK(rate->points == 40);
  CHECK(ParseRatePlant("cesfam-tal-1:problems=mal_trato:+20", def, *institutions).ok());
  CHECK_FALSE(ParseRatePlant("cesfam-tal-1:problems=nothing:+20", def, *institutions).ok());
  CHECK_FALSE(ParseRatePlant("cesfam-tal-1:opp_wait:+20", def, *institutions).ok());
  CHECK_FALSE(ParseRatePlant("cesfam-tal-1:had_problems:+400", def, *institutions).ok());
  auto autonomy = ParseAutonomyPlant("omil-tal:-30", def, *institutions);
  REQUIRE(autonomy.ok());
  CHECK(autonomy->size() == def.autonomy.size());
  CHECK_FALSE(ParseAutonomyPlant("omil-tal:-30", *catalog->Find("chs-perception", 1),
                                 *institutions)
                  .ok());  // version 1 names no autonomy

  // The share of evaluations of `inst` answering `item` as `value` over 3,000 households.
  auto share = [&](const GeneratorOptions& o, const std::string& inst, const std::string& item,
                   const json& value) {
    InterviewGenerator g(def, *institutions, o);
    int n = 0, x = 0;
    for (int i = 0; i < 3000; ++i) {
      const json doc = json::parse(g.Next());
      for (const json& e : doc["evaluations"]) {
        if (e["institution_id"] != inst || !e["answers"].contains(item)) continue;
        ++n;
        x += e["answers"][item] == value;
      }
    }
    REQUIRE(n > 100);
    return 100.0 * x / n;
  };
  GeneratorOptions plain, planted;
  plain.seed = planted.seed = 11;
  planted.rate_plants.push_back(*rate);
  planted.rate_plants.insert(planted.rate_plants.end(), autonomy->begin(), autonomy->end());
  const double before = share(plain, "cesfam-tal-1", "had_problems", true);
  const double after = share(planted, "cesfam-tal-1", "had_problems", true);
  CAPTURE(before, after);
  CHECK(after - before > 30);
  // Elsewhere only the noise moves (a plant draws random numbers, so the stream shifts).
  CHECK(std::abs(share(planted, "cesfam-tal-2", "had_problems", true) -
                 share(plain, "cesfam-tal-2", "had_problems", true)) < 8);
  // Autonomy's components all fall at the OMIL, and nowhere else.
  CHECK(share(plain, "omil-tal", "knows_how", true) -
            share(planted, "omil-tal", "knows_how", true) >
        20);
  CHECK(share(plain, "omil-tal", "benefit_received", "si") -
            share(planted, "omil-tal", "benefit_received", "si") >
        10);
  CHECK(std::abs(share(planted, "dideco-tal", "knows_rights", true) -
                 share(plain, "dideco-tal", "knows_rights", true)) < 8);
}

TEST_CASE("3,000 interviews arrive exactly once though the server is SIGKILLed twice mid-sync",
          "[e2e]") {
  ServerProcess server;
  const std::string queue = TempPath("crash-queue.db");
  server.Simulate(queue, "--households 3000 --seed 9");
  REQUIRE(QueueCount(queue, "pending") == 3000);

  // Small batches so that the sync lasts long enough to be interrupted.
  const std::string cmd =
      server.SyncCommand(queue, "--batch 25 --give-up 60 > '" + server.dir() + "/sync.out' 2>&1");
  int sync_status = -1;
  std::thread tablet([&] { Shell(cmd, &sync_status); });
  int kills = 0;
  for (int64_t threshold : {600, 1800}) {
    for (int i = 0; i < 2000 && QueueCount(queue, "sent") < threshold; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (QueueCount(queue, "pending") == 0) break;
    server.Kill(SIGKILL);
    ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the tablet meets a dead server
    server.Start();
  }
  tablet.join();
  CHECK(kills == 2);
  CHECK(sync_status == 0);
  CHECK(QueueCount(queue, "pending") == 0);
  CHECK(QueueCount(queue, "sent") == 3000);
  const auto stored = StoredIds(server);
  CHECK(stored.size() == 3000);
  CHECK(std::set<std::string>(stored.begin(), stored.end()).size() == 3000);
}

TEST_CASE("an interview the server rejects is kept aside with its reason, and the rest arrive",
          "[e2e]") {
  ServerProcess server;
  const std::string queue = TempPath("reject-queue.db");
  server.Simulate(queue, "--households 50 --seed 3");
  json bad = DemoInterview("0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71");
  bad["evaluations"][0]["answers"]["opp_wait"] = 12;
  {
    auto q = OfflineQueue::Open(queue);
    REQUIRE(q.ok());
    REQUIRE((*q)->Add({{"0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71", bad.dump()}}).ok());
  }
  int status = 0;
  Shell(server.SyncCommand(queue) + " 2>&1", &status);
  CHECK(status == 3);  // all handled, one needs attention
  CHECK(QueueCount(queue, "sent") == 50);
  CHECK(QueueCount(queue, "rejected") == 1);
  CHECK(QueueCount(queue, "pending") == 0);
  std::string listing =
      Shell(std::string(PERCEPT_TABLET_BIN) + " rejected --queue '" + queue + "'");
  CHECK(listing.find("0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71") != std::string::npos);
  CHECK(listing.find("out_of_range") != std::string::npos);
  // A second sync has nothing to do and does not resend the rejected one forever.
  Shell(server.SyncCommand(queue) + " 2>&1", &status);
  CHECK(status == 3);
  CHECK(StoredIds(server).size() == 50);
}

TEST_CASE("a bad token stops the sync at once and marks nothing sent", "[e2e]") {
  ServerProcess server;
  const std::string queue = TempPath("token-queue.db");
  server.Simulate(queue, "--households 20 --seed 4");
  std::string cmd = server.SyncCommand(queue);
  cmd.replace(cmd.find(server.enumerator_token), server.enumerator_token.size(), "pct_wrong");
  int status = 0;
  std::string out = Shell(cmd + " 2>&1", &status);
  CHECK(status == 2);
  CHECK(out.find("401") != std::string::npos);
  CHECK(QueueCount(queue, "pending") == 20);
}

TEST_CASE("mistakes a newcomer makes stop the tablet at once with exit 2, never 'all sent'",
          "[e2e]") {
  ServerProcess server;
  const std::string queue = TempPath("newcomer-queue.db");
  server.Simulate(queue, "--households 5 --seed 6");
  const std::string tablet = PERCEPT_TABLET_BIN;
  const std::string url = " --server https://127.0.0.1:" + std::to_string(server.port);
  int status = 0;
  // A misspelt queue: no new empty queue, no "all sent".
  std::string out =
      Shell(tablet + " sync --queue '" + TempPath("typo.db") + "'" + url + " --token " +
                server.enumerator_token + " --cacert '" + server.dir() + "/dev-cert.pem' 2>&1",
            &status);
  CHECK(status == 2);
  CHECK(out.find("no queue at") != std::string::npos);
  CHECK(access(TempPath("typo.db").c_str(), F_OK) != 0);
  Shell(tablet + " rejected --queue '" + TempPath("typo2.db") + "' 2>&1", &status);
  CHECK(status == 2);
  // No --cacert for a self-signed server: a sentence that says what to do, at once.
  const auto start = std::chrono::steady_clock::now();
  out = Shell(tablet + " sync --queue '" + queue + "'" + url + " --token " +
                  server.enumerator_token + " 2>&1",
              &status);
  CHECK(status == 2);
  CHECK(out.find("--cacert") != std::string::npos);
  CHECK(out.find("SSLServerVerification") == std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  // Another certificate than the server's.
  out = Shell(tablet + " sync --queue '" + queue + "'" + url + " --token " +
                  server.enumerator_token + " --cacert /etc/ssl/certs/ca-certificates.crt 2>&1",
              &status);
  CHECK(status == 2);
  CHECK(out.find("not the certificate this server uses") != std::string::npos);
  // A missing --token is a command-line mistake like any other.
  Shell(tablet + " sync --queue '" + queue + "'" + url + " 2>&1", &status);
  CHECK(status == 2);
  CHECK(QueueCount(queue, "pending") == 5);
}

TEST_CASE("load over the rate limit says so, and waits as the server asks", "[e2e]") {
  ServerProcess server({"--rate-limit", "20"});
  int status = 0;
  const std::string out =
      Shell(std::string(PERCEPT_TABLET_BIN) + " load --survey-file " +
                SourcePath("survey_defs/chs-perception.json") + " --institutions " +
                SourcePath("survey_defs/institutions-demo.csv") +
                " --concurrency 4 --duration 2 --server https://127.0.0.1:" +
                std::to_string(server.port) + " --token " + server.enumerator_token +
                " --cacert '" + server.dir() + "/dev-cert.pem' 2>&1",
            &status);
  INFO(out);
  std::smatch m;
  REQUIRE(std::regex_search(out, m,
                            std::regex("(\\d+) acknowledged, (\\d+) failed, (\\d+) throttled")));
  CHECK(std::stoll(m[1]) > 0);
  CHECK(std::stoll(m[2]) == 0);
  const long long throttled = std::stoll(m[3]);
  CHECK(throttled > 0);
  // Waiting for Retry-After keeps the 429s to a few per connection a second, not thousands.
  CHECK(throttled < 4 * 2 * 20);
  CHECK(out.find("--rate-limit") != std::string::npos);
}

TEST_CASE("the story: a planted weakness is found, and a uniform network raises few false alarms",
          "[e2e]") {
  ServerProcess server;
  auto c = server.Client();
  auto critical = [&](const std::string& from, const std::string& to) {
    auto r =
        c->Get(("/api/v1/critical-points?survey=chs-perception&from=" + from + "&to=" + to).c_str(),
               Bearer(server.analyst_token));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body)["items"];
  };
  // Each wave lives in its own ten days of fieldwork, so one server and a period filter
  // separate them.
  auto wave = [&](int index, const std::string& args) {
    char first[32], last[32];
    std::snprintf(first, sizeof first, "2026-%02d-01", 1 + index);
    std::snprintf(last, sizeof last, "2026-%02d-10", 1 + index);
    const std::string queue = TempPath("story-" + std::to_string(index) + ".db");
    server.Simulate(queue,
                    "--households 1500 --days 10 --first-day " + std::string(first) + " " + args);
    int status = 0;
    Shell(server.SyncCommand(queue) + " 2>&1", &status);
    REQUIRE(status == 0);
    return critical(first, last);
  };

  json planted = wave(0, "--seed 100 --uniform --plant cesfam-tal-1:transparency:-2");
  bool found = false;
  for (const json& item : planted) {
    if (item["institution_id"] == "cesfam-tal-1" && item["dimension"] == "transparency") {
      found = std::find(item["flags"].begin(), item["flags"].end(), "below_network") !=
              item["flags"].end();
    }
  }
  CHECK(found);
  CHECK(planted.size() == 1);  // the rest of that network is uniform

  int alarmed = 0;
  for (int seed = 1; seed <= 10; ++seed) {
    json items = wave(seed, "--uniform --seed " + std::to_string(seed));
    bool any = false;
    for (const json& item : items) {
      any = any || std::find(item["flags"].begin(), item["flags"].end(), "below_network") !=
                       item["flags"].end();
    }
    alarmed += any;
  }
  WARN("uniform networks with any below_network flag: " << alarmed << " of 10 seeds");
  CHECK(alarmed <= 3);  // Benjamini-Hochberg at 0.05 over a true null: about one seed in twenty
}
