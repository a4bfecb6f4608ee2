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
#include <string>

#include "aggregates.h"
#include "api_server.h"
#include "auth.h"
#include "connections.h"
#include "http_support.h"
#include "institution_cache.h"
#include "percept/scores.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"
#include "rate_limiter.h"
#include "store_pool.h"
#include "submission_writer.h"

namespace percept {

struct ScoreQuery {
  const SurveyDefinition* survey = nullptr;
  std::string institution, comuna, region, from, to;
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
  IdentifierHasher hasher;  // empty when the server has no household key
  // Requests answered, by status class (1xx..5xx), for /metrics.
  std::array<std::atomic<uint64_t>, 6> responses{};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  void Metrics(const httplib::Request& req, httplib::Response& res);
  std::string tls_error;

  void Routes();
  void Log(const httplib::Request& req, const httplib::Response& res);

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
  Status PrepareScores(const httplib::Request& req, const Principal& who, ScoreQuery& q,
                       ScoreReport* out,
                       std::shared_ptr<const InstitutionCache::Directory>* directory);
  void Scores(const httplib::Request& req, httplib::Response& res, const Principal& who,
              bool critical_only);
  Status RefreshAggregates();
  // report_routes.cc
  void ReportRoutes();
};

}  // namespace percept
