// The CPU that validating and storing an interview cost by themselves, with no TLS, HTTP, JSON
// parse or token check: the validator on parsed interviews, then the server's own
// SubmissionWriter (one transaction per group, the aggregates, synchronous=FULL) fed by one
// thread. bench/ingest.sh adds both to the bare TLS server's CPU per request: no server that
// answers like the bare one and validates and stores like Percept can cost less (docs/storage.md,
// "What a commit writes").
//   percept-bench-storage [--interviews N] [--group G]
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "percept/institutions.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/institution_cache.h"
#include "percept/storage/store.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/submission_records.h"
#include "percept/storage/submission_writer.h"
#include "percept/submission.h"

using namespace percept;
using nlohmann::json;

namespace {

// The folder the database lives in, removed however the benchmark ends.
struct TempDir {
  std::string path;
  ~TempDir() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
};

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Percept storage floor: the CPU each interview costs the validator and the writer alone (no "
      "HTTP)"};
  int interviews = 20000;
  int group = 7;
  app.add_option("--interviews", interviews, "Interviews to store")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  app.add_option("--group", group,
                 "Interviews per transaction (bench/ingest.sh passes the server's own average)")
      ->capture_default_str()
      ->check(CLI::Range(1, 2000));
  CLI11_PARSE(app, argc, argv);

  char tmpl[] = "/tmp/percept-storage-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return std::perror("cannot create a folder in /tmp"), 1;
  const TempDir dir{tmpl};
  const std::string db = dir.path + "/p.db";
  const std::string percept = PERCEPT_BIN;
  const std::string source = PERCEPT_SOURCE_DIR;
  // The database as bench/ingest.sh makes it: `percept init`, then the demo institutions.
  if (std::system((percept + " --db '" + db + "' init > /dev/null && " + percept + " --db '" + db +
                   "' institution import '" + source +
                   "/survey_defs/institutions-demo.csv' > /dev/null")
                      .c_str()) != 0) {
    return std::fprintf(stderr, "cannot create %s\n", db.c_str()), 1;
  }
  auto catalog = SurveyCatalog::LoadDirectory(source + "/survey_defs");
  if (!catalog.ok()) return std::fprintf(stderr, "%s\n", catalog.status().ToString().c_str()), 1;
  std::ifstream in(source + "/docs/example-submission.json");
  std::stringstream text;
  text << in.rdbuf();
  const json example = json::parse(text.str(), nullptr, false);
  if (example.is_discarded()) return std::fprintf(stderr, "cannot read the example\n"), 1;

  // The interviews bench/ingest.lua sends: the example, each with a new instance_id and two
  // different institutions of the demo network.
  std::vector<std::string> ids;
  for (const char* commune : {"stgo", "pa", "tal", "tem"})
    for (const char* kind : {"omil-", "dideco-", "uif-", "rc-", "chileatiende-"})
      ids.push_back(std::string(kind) + commune);
  // The server's own look-up of institutions, over the database's.
  StorePool readers(db);
  InstitutionCache directory(&readers);
  std::mt19937_64 rng(17);
  std::vector<json> docs;
  docs.reserve(static_cast<size_t>(interviews));
  for (int i = 0; i < interviews; ++i) {
    json s = example;
    char id[40];
    std::snprintf(id, sizeof id, "5f0a7c3e-0000-4000-8000-%012x", i);
    s["instance_id"] = id;
    const size_t a = rng() % ids.size();
    const size_t b = (a + 1 + rng() % (ids.size() - 1)) % ids.size();
    s["evaluations"][0]["institution_id"] = ids[a];
    s["evaluations"][1]["institution_id"] = ids[b];
    docs.push_back(std::move(s));
  }
  // What the server does to each parsed interview before handing it to the writer (the
  // submission route's AdmitInterview): validation, the canonical text, the quality flags.
  std::vector<ValidSubmission> subs;
  subs.reserve(docs.size());
  const double validate_start = CpuSeconds();
  for (const json& doc : docs) {
    auto v = ValidateSubmission(doc, *catalog, directory);
    if (!v.ok()) return std::fprintf(stderr, "%s\n", v.status().ToString().c_str()), 1;
    v->flags = QualityFlags(*v, static_cast<long long>(std::time(nullptr)));
    subs.push_back(std::move(v).value());
  }
  const double validate_cpu = CpuSeconds() - validate_start;

  auto store = Store::Open(db, /*create=*/false);
  if (!store.ok()) return std::fprintf(stderr, "%s\n", store.status().ToString().c_str()), 1;
  Aggregates aggregates(catalog->All());
  if (Status s = aggregates.Load(**store); !s.ok())
    return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
  SubmissionWriter writer(std::move(store).value(), &aggregates);

  const double cpu_start = CpuSeconds();
  const auto wall_start = std::chrono::steady_clock::now();
  int created = 0;
  for (int start = 0; start < interviews; start += group) {
    std::vector<const ValidSubmission*> batch;
    for (int i = start; i < std::min(interviews, start + group); ++i) batch.push_back(&subs[i]);
    for (SubmissionOutcome o : writer.Write(batch, "bench"))
      created += o == SubmissionOutcome::kCreated ? 1 : 0;
  }
  const double cpu = CpuSeconds() - cpu_start;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const WriterStats stats = writer.stats();
  writer.Stop();
  if (created != interviews) {
    return std::fprintf(stderr, "stored %d of %d interviews\n", created, interviews), 1;
  }
  std::printf("validating    %.1f µs of CPU per interview (the example, 2 evaluations)\n",
              validate_cpu * 1e6 / interviews);
  std::printf(
      "storing       %.1f µs of CPU per durable interview: %d in %llu transactions, "
      "synchronous=FULL, %.0f interviews/s on one thread\n",
      cpu * 1e6 / interviews, interviews, static_cast<unsigned long long>(stats.transactions),
      interviews / wall);
  return 0;
}
