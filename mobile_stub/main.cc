// `percept-tablet`: a tablet's stand-in (README, "percept-tablet"). It fills an offline queue with
// realistic interviews, syncs it to the server as a good tablet would, and drives load.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "percept/base/log.h"
#include "percept/institutions.h"
#include "percept/mobile/interview_generator.h"
#include "percept/mobile/offline_queue.h"
#include "percept/mobile/server_link.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"

namespace percept {
namespace {

int Fail(const Status& s) {
  Log(LogLevel::kError, "%s", s.ToString().c_str());
  return 2;
}

class InstitutionSet : public InstitutionLookup {
 public:
  explicit InstitutionSet(const std::vector<Institution>& all) {
    for (const auto& i : all) ids_.insert(i.id);
  }
  bool Exists(const std::string& id) const override { return ids_.count(id) > 0; }

 private:
  std::set<std::string> ids_;
};

struct Fieldwork {
  SurveyCatalog catalog;
  const SurveyDefinition* def = nullptr;
  std::vector<Institution> institutions;
};

Result<Fieldwork> LoadFieldwork(const std::string& survey_file,
                                const std::string& institutions_file) {
  Fieldwork f;
  auto def = LoadSurveyDefinitionFile(survey_file);
  if (!def.ok()) return def.status();
  Status s = f.catalog.Add(std::move(def).value());
  if (!s.ok()) return s;
  f.def = f.catalog.All().front();
  auto insts = LoadInstitutionsFile(institutions_file);
  if (!insts.ok()) return insts.status();
  f.institutions = std::move(insts).value();
  return f;
}

// What simulate plants (docs: README, "percept-tablet").
struct Plants {
  std::vector<std::string> scores, rates, autonomy;
};

int Simulate(const std::string& survey_file, const std::string& institutions_file, int households,
             uint64_t seed, const Plants& plants, bool uniform, const std::string& style,
             const std::string& first_day, int days, const std::string& queue_path) {
  auto f = LoadFieldwork(survey_file, institutions_file);
  if (!f.ok()) return Fail(f.status());
  GeneratorOptions options;
  options.seed = seed;
  options.uniform = uniform;
  auto parsed_style = ParseEnumeratorStyle(style);
  if (!parsed_style.ok()) return Fail(parsed_style.status());
  options.style = *parsed_style;
  if (!IsIsoDate(first_day))
    return Fail(Status::InvalidParameter("--first-day is a date, YYYY-MM-DD"));
  options.first_day = first_day;
  options.days = days;
  for (const std::string& spec : plants.scores) {
    auto p = ParsePlant(spec, *f->def, f->institutions);
    if (!p.ok()) return Fail(p.status());
    options.plants.push_back(*p);
  }
  for (const std::string& spec : plants.rates) {
    auto p = ParseRatePlant(spec, *f->def, f->institutions);
    if (!p.ok()) return Fail(p.status());
    options.rate_plants.push_back(*p);
  }
  for (const std::string& spec : plants.autonomy) {
    auto p = ParseAutonomyPlant(spec, *f->def, f->institutions);
    if (!p.ok()) return Fail(p.status());
    options.rate_plants.insert(options.rate_plants.end(), p->begin(), p->end());
  }
  auto queue = OfflineQueue::Open(queue_path);
  if (!queue.ok()) return Fail(queue.status());
  InterviewGenerator generator(*f->def, f->institutions, options);
  InstitutionSet known(f->institutions);
  std::vector<std::pair<std::string, std::string>> chunk;
  for (int i = 0; i < households; ++i) {
    const std::string body = generator.Next();
    // A tablet checks an interview against its questionnaire before keeping it.
    const auto doc = nlohmann::json::parse(body);
    // The server, not the tablet, turns identifiers into keyed hashes: here they pass as they are.
    auto valid =
        ValidateSubmission(doc, f->catalog, known, [](const std::string& id) { return id; });
    if (!valid.ok())
      return Fail(Status::Internal("generated an invalid interview: " + valid.status().ToString()));
    chunk.push_back({valid->instance_id, body});
    if (chunk.size() == 1000 || i + 1 == households) {
      Status s = (*queue)->Add(chunk);
      if (!s.ok()) return Fail(s);
      chunk.clear();
    }
  }
  auto counts = (*queue)->Counts();
  if (!counts.ok()) return Fail(counts.status());
  std::printf("queued %d interviews in %s (%lld pending)\n", households, queue_path.c_str(),
              static_cast<long long>(counts->pending));
  return 0;
}

// sync and rejected read a queue that simulate (or the tablet) made; a misspelt path must not
// become a new empty queue that reports "all sent".
Status QueueExists(const std::string& path) {
  if (::access(path.c_str(), F_OK) == 0) return Status::Ok();
  return Status::NotFound("no queue at " + path +
                          " (check --queue; `percept-tablet simulate --queue " + path +
                          "` makes one)");
}

int SyncQueue(const std::string& queue_path, const ServerEndpoint& server, int batch,
              double give_up) {
  if (Status s = QueueExists(queue_path); !s.ok()) return Fail(s);
  auto queue = OfflineQueue::Open(queue_path);
  if (!queue.ok()) return Fail(queue.status());
  SyncOptions options;
  options.batch = batch;
  options.give_up_seconds = give_up;
  options.progress = isatty(STDERR_FILENO);
  auto report = Sync(**queue, server, options);
  if (!report.ok()) return Fail(report.status());
  std::printf(
      "sync: %lld created, %lld already on the server, %lld rejected, %lld still pending; %.1f s, "
      "%lld retries\n",
      static_cast<long long>(report->created), static_cast<long long>(report->duplicate),
      static_cast<long long>(report->rejected), static_cast<long long>(report->pending),
      report->seconds, static_cast<long long>(report->retries));
  if (report->pending > 0) {
    Log(LogLevel::kWarning, "%lld interviews are still waiting (%s); run sync again later",
                 static_cast<long long>(report->pending), report->last_error.c_str());
    return 1;
  }
  auto counts = (*queue)->Counts();
  if (counts.ok() && counts->rejected > 0) {
    Log(LogLevel::kWarning,
        "%lld interviews were rejected by the server and kept aside; "
        "see `percept-tablet rejected --queue %s`",
                 static_cast<long long>(counts->rejected), queue_path.c_str());
    return 3;
  }
  return 0;
}

int ShowRejected(const std::string& queue_path) {
  if (Status s = QueueExists(queue_path); !s.ok()) return Fail(s);
  auto queue = OfflineQueue::Open(queue_path);
  if (!queue.ok()) return Fail(queue.status());
  auto counts = (*queue)->Counts();
  auto rejected = (*queue)->Rejected();
  if (!counts.ok() || !rejected.ok())
    return Fail(counts.ok() ? rejected.status() : counts.status());
  std::printf("%lld pending, %lld sent, %lld rejected\n", static_cast<long long>(counts->pending),
              static_cast<long long>(counts->sent), static_cast<long long>(counts->rejected));
  for (const auto& [id, reason] : *rejected) std::printf("%s  %s\n", id.c_str(), reason.c_str());
  return 0;
}

int Load(const std::string& survey_file, const std::string& institutions_file,
         const ServerEndpoint& server, const LoadOptions& options, uint64_t seed) {
  auto f = LoadFieldwork(survey_file, institutions_file);
  if (!f.ok()) return Fail(f.status());
  GeneratorOptions g;
  g.seed = seed;
  InterviewGenerator generator(*f->def, f->institutions, g);
  // A pool of interviews made beforehand; each request gets a fresh instance_id, so that every
  // one is a durable insert, and the generator's cost stays out of the measurement.
  std::vector<std::string> pool;
  for (int i = 0; i < 500; ++i) pool.push_back(generator.Next());
  std::atomic<uint64_t> counter{0};
  std::mutex rng_mu;
  std::mt19937_64 rng(seed * 7919 + 1);
  auto next = [&] {
    std::string body = pool[counter++ % pool.size()];
    const size_t at = body.find("\"instance_id\":\"") + 15;
    std::string id;
    {
      std::lock_guard<std::mutex> lock(rng_mu);
      id = RandomUuid(rng);
    }
    body.replace(at, 36, id);
    return body;
  };
  auto report = RunLoad(server, options, next);
  if (!report.ok()) return Fail(report.status());
  std::printf("load: %d connections, %.1f s: %lld acknowledged, %lld failed, %lld throttled\n",
              options.concurrency, report->seconds, static_cast<long long>(report->ok),
              static_cast<long long>(report->failed), static_cast<long long>(report->throttled));
  if (report->throttled > 0) {
    Log(LogLevel::kWarning,
        "%lld requests were answered 429 or 503 and retried after the "
        "server's Retry-After: the server limits each token to --rate-limit requests a "
        "second (default 200); to measure throughput, serve with --rate-limit 0",
                 static_cast<long long>(report->throttled));
  }
  std::printf("throughput    %.0f durable submissions/s\n", report->ok / report->seconds);
  std::printf("latency       p50 %.2f ms   p95 %.2f ms   p99 %.2f ms   max %.2f ms\n",
              report->p50_ms, report->p95_ms, report->p99_ms, report->max_ms);
  return report->failed > 0 ? 1 : 0;
}

}  // namespace
}  // namespace percept

int main(int argc, char** argv) {
  using namespace percept;
  // A server that dies mid-request must be a retry, not the end of the tablet: writing to its
  // closed TLS socket would otherwise kill this process with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  SetLogProgram("percept-tablet");
  CLI::App app{"percept-tablet: a tablet's stand-in — offline interviews, sync, and load"};
  app.require_subcommand(1);

  std::string survey_file = "survey_defs/chs-perception-v2.json",
              institutions_file = "survey_defs/institutions-demo.csv";
  std::string queue = "tablet-queue.db", url = "https://localhost:8443", token, cacert;
  int households = 100, batch = 200;
  uint64_t seed = 1;
  Plants plants;
  bool uniform = false;
  double give_up = 300;
  std::string first_day = "2026-11-02";
  int days = 20;
  LoadOptions load;

  auto* sim =
      app.add_subcommand("simulate", "Fill the offline queue with realistic completed interviews");
  sim->add_option("--survey-file", survey_file, "Survey definition")->capture_default_str();
  sim->add_option("--institutions", institutions_file, "Institutions CSV")->capture_default_str();
  sim->add_option("--households", households, "Interviews to make")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  sim->add_option("--seed", seed, "Random seed (same seed, same interviews)")
      ->capture_default_str();
  sim->add_option("--plant", plants.scores,
                  "institution_id:dimension:shift — move that cell's answers by shift scale "
                  "points, fractions allowed (repeatable)");
  sim->add_option("--plant-rate", plants.rates,
                  "institution_id:item[=option]:points — make a yes/no answer or an option that "
                  "many percentage points more (+) or less (-) common there (repeatable)");
  sim->add_option("--plant-autonomy", plants.autonomy,
                  "institution_id:points — move every component of autonomy that many points "
                  "(repeatable)");
  sim->add_flag("--uniform", uniform, "Give every institution the same true quality");
  std::string style = "careful";
  sim->add_option("--enumerator-style", style,
                  "How the enumerator works: careful, fast (rushes), or fabricator (a few "
                  "minutes an interview, often the same answer throughout, ratings lifted)")
      ->capture_default_str();
  sim->add_option("--first-day", first_day, "First day of fieldwork (YYYY-MM-DD)")
      ->capture_default_str();
  sim->add_option("--days", days, "Days of fieldwork, interviews spread evenly")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));
  sim->add_option("--queue", queue, "The queue file (SQLite)")->capture_default_str();

  auto add_server = [&](CLI::App* cmd) {
    cmd->add_option("--server", url, "Server URL")->capture_default_str();
    cmd->add_option("--token", token, "Enumerator token")->required()->envname("PERCEPT_TOKEN");
    cmd->add_option("--cacert", cacert, "PEM file of the CA to trust (e.g. data/dev-cert.pem)");
  };
  auto* sync =
      app.add_subcommand("sync", "Send every pending interview; exit 0 only when none is left");
  sync->add_option("--queue", queue, "The queue file")->capture_default_str();
  sync->add_option("--batch", batch, "Interviews per request")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sync->add_option("--give-up", give_up, "Seconds without progress before giving up")
      ->capture_default_str();
  add_server(sync);

  auto* rejected = app.add_subcommand(
      "rejected", "Show the queue's counts and the interviews the server rejected");
  rejected->add_option("--queue", queue, "The queue file")->capture_default_str();

  auto* ld = app.add_subcommand(
      "load", "Drive the server at a fixed concurrency; print submissions/s and latency");
  ld->add_option("--survey-file", survey_file, "Survey definition")->capture_default_str();
  ld->add_option("--institutions", institutions_file, "Institutions CSV")->capture_default_str();
  ld->add_option("--concurrency", load.concurrency, "Connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  auto* duration =
      ld->add_option("--duration", load.seconds, "Seconds to run")->capture_default_str();
  ld->add_option("--count", load.count, "Requests to send (instead of --duration)")
      ->excludes(duration);
  ld->add_option("--seed", seed, "Random seed")->capture_default_str();
  add_server(ld);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a success; every mistake in the command line is the README's exit status 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*sim)
    return Simulate(survey_file, institutions_file, households, seed, plants, uniform, style,
                    first_day, days, queue);
  if (*rejected) return ShowRejected(queue);
  auto server = ParseServerUrl(url, token, cacert);
  if (!server.ok()) return Fail(server.status());
  if (*sync) return SyncQueue(queue, *server, batch, give_up);
  if (*ld) return Load(survey_file, institutions_file, *server, load, seed);
  return 2;
}
