// ApiServer's insides, shared by the files that define its routes. Internal to server/.
#pragma once

#include <httplib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "percept/http/api_server.h"
#include "percept/http/auth.h"
#include "percept/http/http_support.h"
#include "percept/net/connections.h"
#include "percept/scores.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/institution_cache.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/submission_writer.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"
#include "rate_limiter.h"

namespace percept {

// The filters of a score request, parsed once: what /scores, /critical-points and the report
// pages run (RunScores). Dates are checked YYYY-MM-DD, `from` <= `to`.
struct ScoreQuery {
  const SurveyDefinition* survey = nullptr;
  std::string institution;  // which cells to list (the API only); empty: all the reader may see
  std::string comuna, region, from, to;
};

// What the connection layer may know of a route before its body is read (docs/security.md).
struct RouteRule {
  std::string method;
  std::string literal;  // the path when the pattern is a plain one (compared without a regex)
  std::regex path;
  std::vector<Role> roles;  // a bearer token of one of these; empty: anyone (forms, pages)
  size_t max_body = 0;      // 0: takes no body
};

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
  std::unique_ptr<RateLimiter> sign_in_limiter;  // per client address: 10 at once, then 1 in 6 s
  IdentifierHasher hasher;                       // empty when the server has no household key
  // Requests answered, by status class (1xx..5xx), for /metrics.
  std::array<std::atomic<uint64_t>, 6> responses{};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  void Metrics(const httplib::Request& req, httplib::Response& res);
  std::string tls_error;

  void Routes();
  std::vector<RouteRule> rules;
  // Registers `handler` for METHOD `pattern` with cpp-httplib, and its rule for admission.
  void On(const char* method, const std::string& pattern, std::vector<Role> roles, size_t max_body,
          httplib::Server::Handler handler);
  // The connection layer's question before a body is read (RequestHooks::admit_body).
  Status AdmitBody(const RequestHead& head, size_t* max_body);
  // The methods `path` has a route for, e.g. "GET, POST"; empty when none.
  std::string AllowedMethods(const std::string& path) const;
  void Log(const httplib::Request& req, const httplib::Response& res);
  void LogLine(const std::string& method, const std::string& path, int status, double ms,
               const std::string& token_name);

  // Runs `handler` for a caller with one of `roles`; every failure becomes the contract's
  // error body. No exception escapes a request (ClickHouse's rule: catch at the top).
  template <typename Handler>
  httplib::Server::Handler Guard(std::initializer_list<Role> roles, Handler handler) {
    std::vector<Role> allowed(roles);
    return [this, allowed, handler](const httplib::Request& req, httplib::Response& res) {
      try {
        auto principal = auth->Authenticate(req);
        if (!principal.ok()) return SendError(res, principal.status());
        CurrentRequest().token_name = principal->name;
        int retry_after = 1;
        if (!limiter->Allow(principal->name, &retry_after)) {
          res.set_header("Retry-After", std::to_string(retry_after));
          return SendError(res,
                           Status::TooManyRequests("too many requests for this token; slow down"));
        }
        if (std::find(allowed.begin(), allowed.end(), principal->role) == allowed.end()) {
          return SendError(res, Status::Forbidden(std::string("the ") + RoleName(principal->role) +
                                                  " role may not do this"));
        }
        handler(req, res, *principal);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "percept: internal error on %s %s: %s\n", req.method.c_str(),
                     req.path.c_str(), e.what());
        SendError(res, Status::Internal("internal error; it has been logged"));
      }
    };
  }

  void ListSurveys(httplib::Response& res);
  void GetSurvey(const httplib::Request& req, httplib::Response& res);
  void ListInstitutions(httplib::Response& res, const Principal& who);
  void Submit(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void SubmitBatch(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void ListSubmissions(const httplib::Request& req, httplib::Response& res);
  void ExportSurvey(const httplib::Request& req, httplib::Response& res, const Principal& who);
  // Appends to the audit trail; a failure is logged, never fatal to the request.
  void Audit(const std::string& actor, const std::string& action, const std::string& detail) {
    auto reader = readers->Acquire();
    Status s = reader.ok() ? (*reader)->Audit(actor, action, detail) : reader.status();
    if (!s.ok()) std::fprintf(stderr, "percept: audit: %s\n", s.message().c_str());
  }
  // score_routes.cc
  ScoreOptions Scoring() const {
    ScoreOptions o;
    o.min_n = options.min_n;
    o.standard = options.standard;
    o.min_gap = options.min_gap;
    return o;
  }
  // The filters of `req` for survey `survey` (the query's `institution` too, when asked).
  Result<ScoreQuery> ScoreQueryOf(const httplib::Request& req, const std::string& survey,
                                  bool with_institution) const;
  // Runs `q` for `who` (what an institution may ask, what it may see) over one snapshot of the
  // institutions; no HTTP types.
  Status RunScores(const ScoreQuery& q, const Principal& who, ScoreReport* out,
                   std::shared_ptr<const InstitutionCache::Directory>* directory);
  void Scores(const httplib::Request& req, httplib::Response& res, const Principal& who,
              bool critical_only);
  Status RefreshAggregates();
  // report_routes.cc
  void ReportRoutes();
};

}  // namespace percept
