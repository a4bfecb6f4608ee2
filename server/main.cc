// `percept`: the server and its administration commands (README, "Commands").
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <thread>

#include "percept/base/log.h"
#include "percept/http/api_server.h"
#include "percept/http/auth.h"
#include "percept/http/http_support.h"
#include "percept/institutions.h"
#include "percept/reports/exports.h"
#include "percept/storage/aggregate_rebuild.h"
#include "percept/storage/aggregate_tables.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/audit_records.h"
#include "percept/storage/institution_records.h"
#include "percept/storage/secrets.h"
#include "percept/storage/store.h"
#include "percept/storage/token_records.h"
#include "percept/storage/waves.h"
#include "percept/tablets/collect_qr.h"

namespace percept {
namespace {

int Fail(const Status& s) {
  Log(LogLevel::kError, "%s", s.ToString().c_str());
  return s.code() == StatusCode::kInternal ? 2 : 1;
}

void MakeParentDir(const std::string& path) {
  if (Database::IsPostgresUrl(path)) return;  // a server's database, not a file
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return;
  std::string dir = path.substr(0, slash);
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') mkdir(dir.substr(0, i).c_str(), 0755);
  }
}

Result<std::unique_ptr<Store>> OpenInitialised(const std::string& db) {
  auto store = Store::Open(db, /*create=*/false);
  if (!store.ok())
    return Status::Internal(store.status().message() + " (run `percept init --db " +
                            PrintableDatabase(db) + "` first)");
  Status s = (*store)->CheckSchema();
  if (!s.ok()) return s;
  return store;
}

int Init(const std::string& db) {
  MakeParentDir(db);
  auto store = Store::Open(db, /*create=*/true);
  if (!store.ok()) return Fail(store.status());
  const int before = (*store)->db()->UserVersion();
  Status s = (*store)->Migrate();
  if (!s.ok()) return Fail(s);
  if (before > 0 && before < 3) {
    // Schema 3 gave every evaluation part (b) facts, and the aggregates their slots.
    Log(LogLevel::kInfo, "computing part (b) of the stored evaluations...");
    auto read = RebuildAggregates(**store);
    if (!read.ok()) return Fail(read.status());
    std::printf("computed part (b) of %lld stored evaluations (schema %d -> %d)\n",
                static_cast<long long>(*read), before, kSchemaVersion);
  }
  bool created = false;
  s = EnsureHouseholdKey(HouseholdKeyPath(db), &created);
  if (!s.ok()) return Fail(s);
  if (created)
    std::printf("made the household-identifier key %s (back it up with the database)\n",
                HouseholdKeyPath(db).c_str());
  std::printf("database %s is ready (schema version %d)\n", PrintableDatabase(db).c_str(),
              kSchemaVersion);
  return 0;
}

// Each open connection is a file descriptor; the usual soft limit of 1,024 would be met long
// before --max-connections. Raises it to the hard limit, and lowers the cap if even that is
// short (room is kept for the database, its readers and the listening socket).
void FitConnectionsToFileLimit(ConnectionLimits* limits) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  constexpr rlim_t kReserved = 64 + 64;  // over-cap answers, database and the rest
  const rlim_t wanted = static_cast<rlim_t>(limits->max_connections) + kReserved;
  if (rl.rlim_cur != RLIM_INFINITY && wanted > rl.rlim_cur) {
    const int fits = rl.rlim_cur > kReserved * 2 ? static_cast<int>(rl.rlim_cur - kReserved) : 64;
    Log(LogLevel::kWarning,
        "--max-connections %d needs more open files than allowed (%llu); using %d",
        limits->max_connections, static_cast<unsigned long long>(rl.rlim_cur), fits);
    limits->max_connections = fits;
  }
}

int Serve(ServerOptions options) {
  FitConnectionsToFileLimit(&options.connections);
  // Signals go to one thread that stops the server cleanly; workers never see them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = ApiServer::Create(options);
  if (!server.ok()) return Fail(server.status());
  auto port = (*server)->Bind();
  if (!port.ok()) return Fail(port.status());
  std::printf("percept: listening on https://%s:%d\n", options.host.c_str(), *port);
  std::fflush(stdout);
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    Log(LogLevel::kInfo, "signal %d, stopping: finishing in-flight requests", sig);
    (*server)->Stop();
  });
  (*server)->Run();
  // Run() may also end without a signal (the listener failed): wake the stopper to finish.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  Log(LogLevel::kInfo, "stopped; everything acknowledged is stored");
  return 0;
}

int ImportInstitutions(const std::string& db, const std::string& file) {
  auto institutions = LoadInstitutionsFile(file);
  if (!institutions.ok()) return Fail(institutions.status());
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  Status s = UpsertInstitutions(**store, *institutions);
  if (!s.ok()) return Fail(s);
  std::printf("imported %zu institutions from %s\n", institutions->size(), file.c_str());
  return 0;
}

int ListInstitutions(const std::string& db) {
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  auto all = ListInstitutions(**store);
  if (!all.ok()) return Fail(all.status());
  std::printf("%-28s %-8s %-6s %-14s %s\n", "ID", "COMUNA", "REGION", "TYPE", "NAME");
  for (const Institution& i : *all) {
    std::printf("%-28s %-8s %-6s %-14s %s\n", i.id.c_str(), i.comuna.c_str(), i.region.c_str(),
                i.type.c_str(), i.name.c_str());
  }
  return 0;
}

// Where a tablet is set up by QR code: the PNG to write and the server's public URL.
struct CollectQr {
  std::string png_path;
  std::string server_url;
};

int CreateToken(const std::string& db, const std::string& role_name, const std::string& name,
                const std::vector<std::string>& institutions, const std::string& team,
                const CollectQr& qr) {
  auto role = ParseRole(role_name);
  if (!role) {
    return Fail(Status::InvalidParameter(
        "--role is enumerator, supervisor, institution, analyst or admin"));
  }
  if (!team.empty() && *role != Role::kEnumerator && *role != Role::kSupervisor)
    return Fail(Status::InvalidParameter("--team is for enumerators and supervisors"));
  if (team.size() > 64 || HasControlCharacter(team))
    return Fail(Status::InvalidParameter("--team is a name of at most 64 characters"));
  if (*role == Role::kInstitution && institutions.empty()) {
    return Fail(
        Status::InvalidParameter("an institution token needs --institution ID (one or more)"));
  }
  if (*role != Role::kInstitution && !institutions.empty()) {
    return Fail(Status::InvalidParameter("--institution is only for the institution role"));
  }
  if (name.empty() || name.size() > 64)
    return Fail(Status::InvalidParameter("--name is 1 to 64 characters"));
  if (qr.png_path.empty() != qr.server_url.empty()) {
    return Fail(Status::InvalidParameter("--collect-qr and --server-url go together"));
  }
  if (!qr.png_path.empty() && *role != Role::kEnumerator) {
    return Fail(Status::InvalidParameter("--collect-qr sets up a tablet: enumerator tokens only"));
  }
  if (!qr.server_url.empty() && qr.server_url.rfind("https://", 0) != 0) {
    return Fail(Status::InvalidParameter(
        "--server-url is the address tablets reach, e.g. https://percept.example.cl:8443"));
  }
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  for (const std::string& id : institutions) {
    auto found = FindInstitution(**store, id);
    if (!found.ok()) return Fail(found.status());
    if (!found->has_value())
      return Fail(Status::NotFound("no institution '" + id + "' (see `percept institution list`)"));
  }
  std::string token = NewToken();
  Status s = CreateToken(**store, name, *role, TokenHash(token), institutions, team);
  if (!s.ok()) return Fail(s);
  std::string detail = std::string(RoleName(*role)) + " token '" + name + "'";
  if (!team.empty()) detail += " team '" + team + "'";
  for (const auto& i : institutions) detail += " " + i;
  (void)Audit(**store, "cli", "token create", detail);
  if (!qr.png_path.empty()) {
    const std::string payload =
        CollectQrPayload(CollectSettings(qr.server_url, token, "Percept " + name));
    Status written = WriteQrPng(payload, qr.png_path);
    if (!written.ok()) return Fail(written);
    Log(LogLevel::kInfo,
        "wrote %s: scan it in ODK Collect (Configure with QR code) to send to %s/key/...",
        qr.png_path.c_str(), qr.server_url.c_str());
    const std::string drawn = isatty(STDERR_FILENO) ? QrForTerminal(payload) : std::string();
    if (!drawn.empty()) std::fprintf(stderr, "%s", drawn.c_str());
  }
  Log(LogLevel::kInfo, "created %s token '%s'; it is shown once, keep it safe:", role_name.c_str(),
      name.c_str());
  std::printf("%s\n", token.c_str());
  return 0;
}

int ListTokens(const std::string& db) {
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  auto tokens = ListTokens(**store);
  if (!tokens.ok()) return Fail(tokens.status());
  std::printf("%-24s %-12s %-21s %-21s %-12s %s\n", "NAME", "ROLE", "CREATED", "REVOKED", "TEAM",
              "INSTITUTIONS");
  for (const TokenRecord& t : *tokens) {
    std::string insts;
    for (const auto& i : t.institutions) insts += (insts.empty() ? "" : ",") + i;
    std::printf("%-24s %-12s %-21s %-21s %-12s %s\n", t.name.c_str(), RoleName(t.role),
                t.created_at.c_str(), t.revoked_at ? t.revoked_at->c_str() : "-",
                t.team.empty() ? "-" : t.team.c_str(), insts.c_str());
  }
  return 0;
}

int RevokeToken(const std::string& db, const std::string& name) {
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  Status s = RevokeToken(**store, name);
  if (!s.ok()) return Fail(s);
  (void)Audit(**store, "cli", "token revoke", "'" + name + "'");
  std::printf("revoked token '%s'\n", name.c_str());
  return 0;
}

int Rebuild(const std::string& db) {
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  auto start = std::chrono::steady_clock::now();
  Log(LogLevel::kInfo, "rebuilding the aggregates of %s from its stored evaluations...",
      PrintableDatabase(db).c_str());
  auto read = RebuildAggregates(**store);
  if (!read.ok()) return Fail(read.status());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("rebuilt the aggregates from %lld evaluations in %.1f s\n",
              static_cast<long long>(*read), secs);
  return 0;
}

// `percept wave ...` (docs/waves.md). A conflict (an overlapping window, dates locked by the
// interviews they hold) exits 2, as the contract says; other mistakes 1.
int FailWave(const Status& s) {
  const int code = Fail(s);
  return s.code() == StatusCode::kConflict ? 2 : code;
}

Status CheckSurvey(const std::string& survey_dir, const std::string& survey) {
  auto catalog = SurveyCatalog::LoadDirectory(survey_dir);
  if (!catalog.ok()) return catalog.status();
  if (!catalog->Latest(survey))
    return Status::NotFound("no survey '" + survey + "' in " + survey_dir);
  return Status::Ok();
}

int CreateWaveCommand(const std::string& db, const std::string& survey_dir, const Wave& wave) {
  Status s = CheckSurvey(survey_dir, wave.survey_id);
  if (!s.ok()) return Fail(s);
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  s = CreateWave(**store, wave);
  if (!s.ok()) return FailWave(s);
  (void)Audit(**store, "cli", "wave create", wave.survey_id + " " + wave.id);
  std::printf("created wave %s of %s: %s to %s\n", wave.id.c_str(), wave.survey_id.c_str(),
              wave.from.c_str(), wave.to.c_str());
  return 0;
}

int EditWaveCommand(const std::string& db, const std::string& survey, const std::string& id,
                    const std::optional<std::string>& from, const std::optional<std::string>& to,
                    const std::optional<std::string>& label) {
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  auto wave = EditWave(**store, survey, id, from, to, label);
  if (!wave.ok()) return FailWave(wave.status());
  (void)Audit(**store, "cli", "wave edit", survey + " " + id);
  std::printf("wave %s of %s: %s to %s%s%s\n", wave->id.c_str(), survey.c_str(), wave->from.c_str(),
              wave->to.c_str(), wave->label.empty() ? "" : ", ", wave->label.c_str());
  return 0;
}

int ListWavesCommand(const std::string& db, const std::string& survey) {
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  auto waves = ListWaves(**store, survey);
  if (!waves.ok()) return Fail(waves.status());
  std::printf("%-16s %-10s %-10s %10s  %s\n", "ID", "FROM", "TO", "INTERVIEWS", "LABEL");
  for (const Wave& w : *waves) {
    auto n = CountWaveInterviews(**store, w);
    if (!n.ok()) return Fail(n.status());
    std::printf("%-16s %-10s %-10s %10lld  %s\n", w.id.c_str(), w.from.c_str(), w.to.c_str(),
                static_cast<long long>(*n), w.label.c_str());
  }
  return 0;
}

int ExportSurvey(const std::string& db, const std::string& survey_dir, const std::string& survey,
                 const std::string& format_name, const std::string& out_path,
                 const ExportScope& scope) {
  auto format = ParseExportFormat(format_name);
  if (!format.ok()) return Fail(format.status());
  auto catalog = SurveyCatalog::LoadDirectory(survey_dir);
  if (!catalog.ok()) return Fail(catalog.status());
  const SurveyDefinition* def = catalog->Latest(survey);
  if (!def) return Fail(Status::NotFound("no survey '" + survey + "' in " + survey_dir));
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  auto list = ListInstitutions(**store);
  if (!list.ok()) return Fail(list.status());
  std::map<std::string, Institution> institutions;
  for (const Institution& i : *list) institutions[i.id] = i;
  const bool to_stdout = out_path.empty() || out_path == "-";
  const std::string out_name = to_stdout ? "standard output" : out_path;
  FILE* out = to_stdout ? stdout : std::fopen(out_path.c_str(), "wb");
  if (!out) return Fail(Status::Internal("cannot write " + out_name + ": " + std::strerror(errno)));
  int write_error = 0;  // why the file took no more (a full disk, a closed pipe)
  auto stats = Export(
      **store, *def, institutions, *format,
      [&](std::string_view chunk) {
        if (std::fwrite(chunk.data(), 1, chunk.size(), out) == chunk.size()) return true;
        write_error = errno ? errno : EIO;
        return false;
      },
      scope);
  // What stdio still holds is written now: a full disk may only say so here.
  if (std::fflush(out) != 0 && !write_error) write_error = errno;
  if (!to_stdout && std::fclose(out) != 0 && !write_error) write_error = errno;
  if (write_error) {
    return Fail(Status::Internal("cannot write " + out_name + ": " + std::strerror(write_error)));
  }
  if (!stats.ok()) return Fail(stats.status());
  (void)Audit(**store, "cli", "export",
              survey + " " + format_name + (scope.wave.empty() ? "" : " wave " + scope.wave) +
                  " to " + (to_stdout ? "-" : out_path));
  Log(LogLevel::kInfo, "exported %lld interviews as %lld rows (%s)%s%s",
      static_cast<long long>(stats->interviews), static_cast<long long>(stats->rows),
      format_name.c_str(), to_stdout ? "" : " to ", to_stdout ? "" : out_path.c_str());
  return 0;
}

int ShowAudit(const std::string& db, int64_t limit, const std::string& since) {
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  auto entries = ListAudit(**store, limit, since);
  if (!entries.ok()) return Fail(entries.status());
  // What callers chose (token names, filters, paths) is escaped: it cannot forge an entry's
  // line or send escape sequences to the terminal.
  for (const AuditEntry& e : *entries) {
    std::printf("%s  %-24s %-16s %s\n", EscapeForLog(e.at, true).c_str(),
                EscapeForLog(e.actor, true).c_str(), EscapeForLog(e.action, true).c_str(),
                EscapeForLog(e.detail, true).c_str());
  }
  return 0;
}

int Backup(const std::string& db, const std::string& out) {
  auto store = OpenInitialised(db);
  if (!store.ok()) return Fail(store.status());
  struct stat st;
  if (stat(out.c_str(), &st) == 0)
    return Fail(Status::Conflict(out + " exists; choose a new file"));
  SqliteOnly* lite = (*store)->db()->sqlite();
  if (lite == nullptr) {
    return Fail(Status::InvalidParameter(
        "PostgreSQL is backed up with pg_dump or base backups (docs/operations.md)"));
  }
  Status s = lite->BackupTo(out);
  if (!s.ok()) return Fail(s);
  (void)Audit(**store, "cli", "backup", out);
  std::printf("backed up %s to %s\n", PrintableDatabase(db).c_str(), out.c_str());
  return 0;
}

}  // namespace
}  // namespace percept

int main(int argc, char** argv) {
  using namespace percept;
  // The database, its WAL, backups, exports and keys hold families' answers: this user's only.
  umask(0077);
  CLI::App app{
      "percept: user-perception surveys of the social-protection network, scored per institution"};
  app.require_subcommand(1);
  std::string db = "data/percept.db";
  app.add_option("--db", db, "SQLite database file, or postgresql://USER@HOST:PORT/DB")
      ->capture_default_str();

  auto* init = app.add_subcommand("init", "Create or migrate the database (idempotent)");

  ServerOptions so;
  auto* serve = app.add_subcommand("serve", "Run the HTTPS server");
  serve->add_option("--host", so.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", so.port, "Port (0 picks a free one and prints it)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve->add_option(
      "--cert", so.cert_path,
      "TLS certificate chain (PEM); default: a development certificate next to the database");
  serve->add_option("--key", so.key_path, "TLS private key (PEM)");
  serve->add_option("--survey-dir", so.survey_dir, "Folder of survey definitions (*.json)")
      ->capture_default_str();
  serve
      ->add_option("--web-dir", so.web_dir,
                   "Folder of the browser tablet's bundles (built from web/ by CMake)")
      ->capture_default_str();
  ConnectionLimits& limits = so.connections;
  serve
      ->add_option(
          "--threads", limits.threads,
          "Worker threads; each answers one request at a time (idle connections take none)")
      ->capture_default_str()
      ->check(CLI::Range(2, 4096));
  serve
      ->add_option("--max-connections", limits.max_connections,
                   "Connections open at once, idle ones included; the next 64 get 503 with "
                   "Retry-After, later ones are closed")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  serve
      ->add_option("--max-per-address", limits.max_per_address,
                   "Connections open at once from one client address (0: no limit); the next 8 "
                   "get 503 with Retry-After, later ones are closed")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  serve
      ->add_option("--request-timeout", limits.request_timeout_seconds,
                   "Seconds a client has to send a request's headers; its body may take 1 s more "
                   "per 1,000 bytes. Later: 408 and the connection is closed")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--keep-alive", limits.keep_alive_seconds,
                   "Seconds an idle connection is kept open for its next request")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve->add_option("--min-n", so.min_n, "Cells with fewer evaluations are suppressed")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  serve->add_option("--standard", so.standard, "Passing standard on the 0-100 index")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  serve->add_option("--min-gap", so.min_gap, "Least gap to the network that can flag a cell")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  serve
      ->add_option("--min-gap-pp", so.min_gap_pp,
                   "Least gap to the other institutions, in percentage points, that can flag a "
                   "problem or benefit rate (part b)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  serve
      ->add_option("--min-minutes-per-evaluation", so.quality.min_minutes_per_evaluation,
                   "An interview faster than this many minutes per institution evaluated is "
                   "flagged too_fast for its supervisor")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 120.0));
  serve
      ->add_option("--institution-period", so.institution_period,
                   "The windows an institution may read its scores for: all time, or one whole "
                   "month, quarter or year (so that no two of its requests can be subtracted)")
      ->capture_default_str()
      ->check(CLI::IsMember({"month", "quarter", "year"}));
  serve->add_option("--max-body", so.max_body_bytes, "Largest request body in bytes")
      ->capture_default_str();
  serve->add_flag("!--no-log", so.log_requests, "Do not log one line per request");
  std::string log_level = "info";
  serve
      ->add_option("--log-level", log_level,
                   "The least severe of the server's own messages to print: error, warning or "
                   "info (the per-request lines are --no-log's)")
      ->capture_default_str()
      ->check(CLI::IsMember({"error", "warning", "info"}));
  serve->add_flag("--share-proposals", so.share_proposals,
                  "Let institution readers see the families' proposals about themselves (free "
                  "text may name a family; off by default)");
  serve
      ->add_option("--trusted-proxy", so.trusted_proxies,
                   "Address of a reverse proxy in front (repeat for several): its "
                   "X-Forwarded-For names the client for rate limits, the audit trail and "
                   "/metrics (docs/security.md, \"Behind a proxy\")")
      ->check(CLI::Validator(
          [](std::string& a) {
            unsigned char buf[16];
            return inet_pton(AF_INET, a.c_str(), buf) == 1 ||
                           inet_pton(AF_INET6, a.c_str(), buf) == 1
                       ? std::string()
                       : "not an IPv4 or IPv6 address: " + a;
          },
          "ADDR"));
  serve
      ->add_option("--rate-limit", so.rate_limit,
                   "Requests a second per token, bursts of twice that (0: no limit); over it: 429 "
                   "with Retry-After")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9));

  auto* inst = app.add_subcommand("institution", "Manage the network's institutions");
  inst->require_subcommand(1);
  std::string csv;
  auto* inst_import = inst->add_subcommand(
      "import", "Import or update institutions from a CSV file (id,name,type,comuna,region)");
  inst_import->add_option("FILE", csv, "CSV file")->required();
  auto* inst_list = inst->add_subcommand("list", "List institutions");

  auto* token = app.add_subcommand("token", "Manage access tokens");
  token->require_subcommand(1);
  std::string role, name;
  std::vector<std::string> token_insts;
  auto* tok_create =
      token->add_subcommand("create", "Create a token; prints it alone on the last line");
  tok_create->add_option("--role", role, "enumerator | supervisor | institution | analyst | admin")
      ->required();
  std::string team;
  tok_create->add_option("--team", team,
                         "The field team of an enumerator, or the team a supervisor reviews (a "
                         "supervisor without one reviews every team)");
  tok_create->add_option("--name", name, "A unique name, shown in logs")->required();
  CollectQr collect_qr;
  tok_create->add_option("--collect-qr", collect_qr.png_path,
                         "Also write the ODK Collect set-up QR code (PNG) for this enumerator");
  tok_create->add_option("--server-url", collect_qr.server_url,
                         "The server's address as tablets reach it, for --collect-qr");
  tok_create->add_option("--institution", token_insts,
                         "Institution id(s) an institution token may read");
  auto* tok_list = token->add_subcommand("list", "List tokens (never the tokens themselves)");
  auto* tok_revoke = token->add_subcommand("revoke", "Revoke a token by name");
  tok_revoke->add_option("NAME", name, "Token name")->required();

  auto* rebuild = app.add_subcommand(
      "rebuild-aggregates",
      "Recompute the score aggregates from the stored evaluations (safe while serving)");

  std::string export_survey = "chs-perception", export_format = "csv", export_out,
              export_dir = "survey_defs";
  auto* exp = app.add_subcommand("export", "Export a survey's interviews for Excel, R or SPSS");
  exp->add_option("--survey", export_survey, "Survey id")->capture_default_str();
  exp->add_option(
         "--format", export_format,
         "csv (one row per evaluation), csv-long (one row per answer), codebook, jsonl, sav (SPSS)")
      ->capture_default_str();
  exp->add_option("--out", export_out, "Output file (default: standard output)");
  ExportScope export_scope;
  exp->add_flag("--include-rejected", export_scope.include_rejected,
                "Also export interviews a supervisor rejected or a correction replaced");
  exp->add_option("--wave", export_scope.wave,
                  "Only the interviews of this wave of the survey (see `percept wave list`)");
  exp->add_option("--survey-dir", export_dir, "Folder of survey definitions")
      ->capture_default_str();

  auto* wave = app.add_subcommand(
      "wave", "Manage a survey's waves: named, non-overlapping windows of fieldwork");
  wave->require_subcommand(1);
  Wave wave_def;
  std::string wave_dir = "survey_defs";
  auto* wave_create = wave->add_subcommand("create",
                                           "Define a wave (refused, exit 2, when it "
                                           "overlaps another wave of the survey)");
  wave_create->add_option("--survey", wave_def.survey_id, "Survey id")->required();
  wave_create->add_option("--id", wave_def.id, "The wave's id, e.g. 2027-1")->required();
  wave_create->add_option("--from", wave_def.from, "First day, YYYY-MM-DD")->required();
  wave_create->add_option("--to", wave_def.to, "Last day, YYYY-MM-DD")->required();
  wave_create->add_option("--label", wave_def.label, "What people call it, e.g. 'Línea base'");
  wave_create->add_option("--survey-dir", wave_dir, "Folder of survey definitions")
      ->capture_default_str();
  std::string wave_survey, wave_id;
  auto* wave_list = wave->add_subcommand("list", "List a survey's waves with their interviews");
  wave_list->add_option("--survey", wave_survey, "Survey id")->required();
  std::optional<std::string> wave_from, wave_to, wave_label;
  auto* wave_edit = wave->add_subcommand(
      "edit", "Change a wave's label, or its dates while its window holds no interviews");
  wave_edit->add_option("--survey", wave_survey, "Survey id")->required();
  wave_edit->add_option("--id", wave_id, "The wave's id")->required();
  wave_edit->add_option("--from", wave_from, "New first day, YYYY-MM-DD");
  wave_edit->add_option("--to", wave_to, "New last day, YYYY-MM-DD");
  wave_edit->add_option("--label", wave_label, "New label");

  int64_t audit_limit = 100;
  std::string audit_since;
  auto* audit = app.add_subcommand(
      "audit", "Show the audit trail: submissions by token, exports, reports, tokens, sign-ins");
  audit->add_option("--limit", audit_limit, "The latest N entries")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  audit->add_option("--since", audit_since,
                    "Only entries at or after this date or time (YYYY-MM-DD or RFC 3339, UTC)");

  std::string backup_out;
  auto* backup =
      app.add_subcommand("backup", "Copy the database consistently, even while the server runs");
  backup->add_option("--out", backup_out, "Backup file (must not exist)")->required();

  // `--db` goes before the subcommand or after it (`percept init --db P`, the contract's form);
  // every subcommand's --help shows it.
  std::function<void(CLI::App*)> accept_db = [&](CLI::App* parent) {
    for (CLI::App* sub : parent->get_subcommands({})) {
      sub->add_option("--db", db,
                      "SQLite database file, or postgresql://USER@HOST:PORT/DB (before or after "
                      "the subcommand)")
          ->capture_default_str();
      accept_db(sub);
    }
  };
  accept_db(&app);

  CLI11_PARSE(app, argc, argv);
  so.db_path = db;
  if (*init) return Init(db);
  if (*serve) {
    LogLevel least = LogLevel::kInfo;
    ParseLogLevel(log_level.c_str(), &least);  // checked by CLI11 above
    SetLogLevel(least);
    return Serve(so);
  }
  if (*inst_import) return ImportInstitutions(db, csv);
  if (*inst_list) return ListInstitutions(db);
  if (*tok_create) return CreateToken(db, role, name, token_insts, team, collect_qr);
  if (*tok_list) return ListTokens(db);
  if (*tok_revoke) return RevokeToken(db, name);
  if (*backup) return Backup(db, backup_out);
  if (*rebuild) return Rebuild(db);
  if (*audit) return ShowAudit(db, audit_limit, audit_since);
  if (*wave_create) return CreateWaveCommand(db, wave_dir, wave_def);
  if (*wave_list) return ListWavesCommand(db, wave_survey);
  if (*wave_edit) return EditWaveCommand(db, wave_survey, wave_id, wave_from, wave_to, wave_label);
  if (*exp)
    return ExportSurvey(db, export_dir, export_survey, export_format, export_out, export_scope);
  return 1;
}
