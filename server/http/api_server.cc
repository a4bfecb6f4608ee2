#include "percept/http/api_server.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "audit_trail.h"
#include "export_routes.h"
#include "metrics_routes.h"
#include "openrosa.h"
#include "openrosa_routes.h"
#include "part_b_routes.h"
#include "percept/base/log.h"
#include "percept/http/auth.h"
#include "percept/http/http_support.h"
#include "percept/net/connections.h"
#include "percept/net/tls.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/institution_cache.h"
#include "percept/storage/secrets.h"
#include "percept/storage/store.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/submission_records.h"
#include "percept/storage/submission_writer.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"
#include "plan_pages.h"
#include "plan_routes.h"
#include "proposal_routes.h"
#include "rate_limiter.h"
#include "report_routes.h"
#include "review_routes.h"
#include "router.h"
#include "score_routes.h"
#include "session_routes.h"
#include "shared_limits.h"
#include "submission_routes.h"
#include "supervise_routes.h"
#include "survey_routes.h"
#include "trend_routes.h"
#include "wave_routes.h"

namespace percept {

using nlohmann::json;

// ApiServer's insides: the objects every resource is given a part of, the router, and the
// resources themselves.
//
// Threading: everything here is built by ApiServer::Create before anything listens, and
// read-only after it but for the objects that are themselves thread-safe (the writer, the pools,
// the caches, the limiters, the counters). ApiServer owns all of it; the resources hold plain
// pointers into it.
struct ApiServer::Impl {
  ServerOptions options;
  SurveyCatalog catalog;
  std::unique_ptr<StorePool> readers;
  std::unique_ptr<InstitutionCache> institutions;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<Aggregates> aggregates;
  std::unique_ptr<SubmissionWriter> writer;
  std::unique_ptr<GuardedTlsServer> http;
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<RateLimiter> sign_in_limiter;
  std::unique_ptr<RateLimiter> sign_in_ceiling;
  ProxyTrust proxies;
  std::unique_ptr<SharedLimits> shared_limits;  // PostgreSQL only; after what it points to
  IdentifierHasher hasher;                      // empty when the server has no household key
  ResponseCounts responses{};
  std::string tls_error;

  // Built by Routes(), in this order.
  std::unique_ptr<Router> router;
  std::unique_ptr<AuditTrail> audit;
  std::optional<SurveyResource> surveys;
  std::optional<SubmissionResource> submissions;
  std::optional<OpenRosaResource> openrosa;
  std::optional<ExportResource> exports;
  std::optional<ScoreService> score_service;
  std::optional<ScoreResource> scores;
  std::optional<TrendService> trend_service;
  std::optional<TrendResource> trends;
  std::optional<PlanService> plan_service;
  std::optional<PlanResource> plans;
  std::optional<PlanPages> plan_pages;
  std::optional<PartBResource> part_b;
  std::optional<ReviewResource> reviews;
  std::optional<SupervisePage> supervise;
  std::optional<ProposalResource> proposals;
  std::optional<WaveResource> waves;
  std::optional<ReportResource> reports;
  std::optional<SessionResource> sessions;
  std::optional<MetricsResource> metrics;

  // Every route, and what cpp-httplib answers by itself, in the contract's shape.
  void Routes();
  void Log(const httplib::Request& req, const httplib::Response& res);
  void LogLine(const std::string& method, const std::string& path, int status, double ms,
               const std::string& token_name);
};

void ApiServer::Impl::Routes() {
  router = std::make_unique<Router>(http.get(), auth.get(), limiter.get(), &proxies);
  audit = std::make_unique<AuditTrail>(readers.get());
  ScoreOptions scoring;
  scoring.min_n = options.min_n;
  scoring.standard = options.standard;
  scoring.min_gap = options.min_gap;
  scoring.min_gap_pp = options.min_gap_pp;
  const std::string first_report =
      "/reports/" + (catalog.LatestAll().empty() ? std::string() : catalog.LatestAll().front()->id);

  reviews.emplace(&catalog, writer.get(), aggregates.get(), readers.get());
  metrics.emplace(writer.get(), http.get(), aggregates.get(), &responses, &*reviews);
  surveys.emplace(&catalog, readers.get());
  submissions.emplace(
      &catalog, institutions.get(), &hasher, writer.get(), readers.get(),
      SubmissionResource::Limits{options.max_body_bytes, options.max_batch, options.max_json_depth},
      options.quality);
  openrosa.emplace(&catalog, institutions.get(), &hasher, writer.get(), options.max_body_bytes,
                   options.web_dir, options.quality);
  exports.emplace(&catalog, readers.get(), institutions.get(), audit.get());
  score_service.emplace(&catalog, aggregates.get(), writer.get(), readers.get(), institutions.get(),
                        scoring, options.institution_period);
  scores.emplace(&*score_service);
  trend_service.emplace(&*score_service, aggregates.get(), readers.get());
  trends.emplace(&*trend_service);
  plan_service.emplace(&*score_service, &*trend_service, aggregates.get(), writer.get(),
                       readers.get());
  plans.emplace(&*plan_service);
  plan_pages.emplace(&*plan_service, &*score_service, readers.get(), institutions.get());
  part_b.emplace(&*score_service, readers.get(), institutions.get());
  supervise.emplace(&catalog, readers.get(), institutions.get(), &*reviews);
  proposals.emplace(&catalog, readers.get(), options.share_proposals);
  waves.emplace(&catalog, writer.get(), readers.get());
  reports.emplace(&*score_service, &*trend_service, &*plan_service, audit.get(),
                  options.share_proposals);
  sessions.emplace(auth.get(), sign_in_limiter.get(), sign_in_ceiling.get(), &proxies, audit.get(),
                   first_report);
  metrics->Register(*router);
  surveys->Register(*router);
  submissions->Register(*router);
  openrosa->Register(*router);
  exports->Register(*router);
  scores->Register(*router);
  trends->Register(*router);
  plans->Register(*router);
  plan_pages->Register(*router);
  part_b->Register(*router);
  reviews->Register(*router);
  waves->Register(*router);
  supervise->Register(*router);
  proposals->Register(*router);
  sessions->Register(*router);
  reports->Register(*router);

  // Whatever cpp-httplib answers by itself (no route, body too large, bad request line) still
  // gets the contract's error body.
  httplib::Server& s = *http;
  s.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req,
                                                                  httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    // OpenRosa clients read an OpenRosaResponse (docs/openrosa.md), whatever went wrong.
    const bool openrosa = IsOpenRosaPath(req.path);
    auto fail = [&](const Status& s) { openrosa ? SendOpenRosaError(res, s) : SendError(res, s); };
    if (res.status == 404) {
      const std::string allowed = router->AllowedMethods(req.path);
      if (!allowed.empty()) {
        res.set_header("Allow", allowed);
        fail(Status::OperationNotSupported(req.method + " is not allowed here; use " + allowed));
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    switch (res.status) {
      case 413:
        fail(Status::InputTooLarge("the body is larger than the server accepts"));
        break;
      case 404:
        fail(Status::NotFound("no such endpoint"));
        break;
      case 400:
        fail(Status::InvalidParameter("the request could not be read"));
        break;
      default:
        return httplib::Server::HandlerResponse::Unhandled;
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
        percept::Log(LogLevel::kError, "internal error on %s %s", EscapeForLog(req.method).c_str(),
                     EscapeForLog(LoggedPath(req.path)).c_str());
        SendError(res, Status::Internal("internal error; it has been logged"));
      });
  s.set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) { Log(req, res); });
}

void ApiServer::Impl::Log(const httplib::Request& req, const httplib::Response& res) {
  if (res.status >= 100 && res.status < 600) responses[res.status / 100]++;
  if (!options.log_requests) return;
  // The request's scope (the connection layer's): when it arrived, who was admitted.
  const RequestScope* scope = RequestScopeOf(req);
  const double ms = scope ? std::chrono::duration<double, std::milli>(
                                std::chrono::steady_clock::now() - scope->start)
                                .count()
                          : 0;
  LogLine(req.method, LoggedPath(req.path), res.status, ms, scope ? scope->caller : "");
}

void ApiServer::Impl::LogLine(const std::string& method, const std::string& path, int status,
                              double ms, const std::string& token_name) {
  // Method, path (never the query: it may carry filters of one institution), status, time,
  // token *name*. Never the token, never an answer. What the client chose is escaped, so that
  // no byte of it can start a line or move the terminal (docs/security.md, "Logs").
  std::fprintf(stderr, "%s %s %s %d %.1fms %s\n", NowRfc3339().c_str(),
               EscapeForLog(method).c_str(), EscapeForLog(path).c_str(), status, ms,
               token_name.empty() ? "-" : EscapeForLog(token_name).c_str());
}

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiServer::~ApiServer() = default;

Result<std::unique_ptr<ApiServer>> ApiServer::Create(const ServerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  auto catalog = SurveyCatalog::LoadDirectory(options.survey_dir);
  if (!catalog.ok()) return catalog.status();
  impl->catalog = std::move(catalog).value();

  auto store = Store::Open(options.db_path, /*create=*/false);
  if (!store.ok())
    return Status::Internal(store.status().message() + " (run `percept init` first)");
  Status s = (*store)->CheckSchema();
  if (!s.ok()) return s;
  for (const SurveyDefinition* d : impl->catalog.All()) {
    s = RegisterSurveyVersion(**store, d->id, d->version, d->json);
    if (!s.ok()) return Status::Conflict(d->source_path + ": " + s.message());
  }
  impl->aggregates = std::make_unique<Aggregates>(impl->catalog.All());
  s = impl->aggregates->Load(**store);
  if (!s.ok()) return s;
  impl->writer =
      std::make_unique<SubmissionWriter>(std::move(store).value(), impl->aggregates.get());
  impl->readers = std::make_unique<StorePool>(options.db_path);
  impl->institutions = std::make_unique<InstitutionCache>(impl->readers.get());
  impl->auth = std::make_unique<Authenticator>(impl->readers.get());
  impl->limiter = std::make_unique<RateLimiter>(options.rate_limit, 2 * options.rate_limit);
  impl->sign_in_limiter = std::make_unique<RateLimiter>(1.0 / 6, 10);
  // All clients' sign-ins together: far above what a team signs in with, far below guessing.
  impl->sign_in_ceiling = std::make_unique<RateLimiter>(1.0, 120);
  impl->proxies = ProxyTrust(options.trusted_proxies);
  if (Database::IsPostgresUrl(options.db_path)) {  // other servers may share the database
    impl->shared_limits = std::make_unique<SharedLimits>(
        impl->readers.get(), std::vector<std::pair<std::string, RateLimiter*>>{
                                 {"token:", impl->limiter.get()},
                                 {"address:", impl->sign_in_limiter.get()},
                                 {"sign-in:", impl->sign_in_ceiling.get()}});
  }
  if (auto key = LoadHouseholdKey(HouseholdKeyPath(options.db_path)); key.ok()) {
    impl->hasher = [k = *key](const std::string& id) { return PseudonymizeIdentifier(k, id); };
  } else {
    for (const SurveyDefinition* d : impl->catalog.All()) {
      for (const Item& it : d->household) {
        if (it.type == ItemType::kIdentifier) {
          return Status::NotFound(key.status().message() + "; survey " + d->id +
                                  " asks for an identifier");
        }
      }
    }
  }

  std::string cert = options.cert_path, key = options.key_path;
  if (cert.empty() != key.empty()) return Status::InvalidParameter("--cert and --key go together");
  if (cert.empty()) {
    const std::string dir = DataDirectory(options.db_path);
    cert = dir + "dev-cert.pem";
    key = dir + "dev-key.pem";
    bool created = false;
    s = EnsureDevCertificate(cert, key, &created);
    if (!s.ok()) return s;
    Log(LogLevel::kInfo, "%s development certificate %s (clients trust it with --cacert %s)",
        created ? "created a" : "using the", cert.c_str(), cert.c_str());
  }
  Impl* raw = impl.get();
  RequestHooks hooks;
  hooks.admit_body = [raw](const RequestHead& head, size_t* max_body, RequestScope* scope) {
    return raw->router->AdmitBody(head, max_body, scope);
  };
  hooks.answered = [raw](const RequestHead* head, int status) {
    if (status >= 100 && status < 600) raw->responses[status / 100]++;
    if (!raw->options.log_requests) return;
    raw->LogLine(
        head ? head->method : "-",
        head ? LoggedPath(httplib::detail::decode_url(std::string(head->Path()), false)) : "-",
        status, 0, "-");
  };
  hooks.render_refusal = [](const RequestHead* head, const Status& status, int* http,
                            std::string* content_type, std::string* body, std::string* headers) {
    // Collect shows an OpenRosaResponse; JSON would reach the enumerator as "unknown error".
    if (!head || !IsOpenRosaPath(head->Path())) return false;
    std::string message;
    *http = OpenRosaError(status, &message);
    *content_type = "text/xml; charset=utf-8";
    *body = OpenRosaXml(*http, message);
    *headers += "X-OpenRosa-Version: 1.0\r\n";
    return true;
  };
  ConnectionLimits limits = options.connections;
  limits.max_body = options.max_body_bytes;
  impl->http = std::make_unique<GuardedTlsServer>(
      [raw, cert, key](SSL_CTX& ctx) {
        return ConfigureServerTls(&ctx, cert, key, &raw->tls_error);
      },
      limits, std::move(hooks));
  if (!impl->http->is_valid()) return Status::Internal("TLS: " + impl->tls_error);

  httplib::Server& h = *impl->http;
  h.set_tcp_nodelay(true);  // without it every response waits ~44 ms for a delayed ACK
  // What the Keep-Alive header announces; connections.cc enforces the time, and no count.
  h.set_keep_alive_timeout(options.connections.keep_alive_seconds);
  h.set_keep_alive_max_count(1000000);
  h.set_payload_max_length(options.max_body_bytes);
  impl->Routes();
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

namespace {

// Whether another process already listens on host:port. cpp-httplib binds with SO_REUSEPORT, so
// a second server would share the port silently and take part of the tablets' traffic into
// another database. A listener is whatever accepts a connection there (a bind probe would also
// trip over the closing connections a killed server leaves behind).
bool PortTaken(const std::string& host, int port) {
  const std::string target = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(target.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    return false;
  }
  bool taken = false;
  for (addrinfo* a = found; a && !taken; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    taken = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return taken;
}

}  // namespace

Result<int> ApiServer::Bind() {
  if (impl_->options.port != 0 && PortTaken(impl_->options.host, impl_->options.port)) {
    return Status::Unavailable("port " + std::to_string(impl_->options.port) + " on " +
                               impl_->options.host +
                               " is in use by another process (another percept serve?); stop it "
                               "or choose --port");
  }
  int port = impl_->options.port == 0
                 ? impl_->http->bind_to_any_port(impl_->options.host)
                 : (impl_->http->bind_to_port(impl_->options.host, impl_->options.port)
                        ? impl_->options.port
                        : -1);
  if (port > 0) impl_->http->WidenBacklog();
  if (port <= 0) {
    return Status::Unavailable("cannot listen on " + impl_->options.host + ":" +
                               std::to_string(impl_->options.port) + " (in use, or not allowed)");
  }
  return port;
}

void ApiServer::Run() {
  impl_->http->listen_after_bind();
  // listen returns once stopped and every worker finished its request: drain the writer last.
  impl_->writer->Stop();
  WriterStats st = impl_->writer->stats();
  Log(LogLevel::kInfo, "%llu submissions written in %llu transactions",
      static_cast<unsigned long long>(st.submissions),
      static_cast<unsigned long long>(st.transactions));
}

void ApiServer::Stop() { impl_->http->stop(); }

}  // namespace percept
