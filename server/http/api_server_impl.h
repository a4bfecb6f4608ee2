// ApiServer's insides: the objects every resource is given a part of, the router, and the
// resources themselves. Internal to server/http.
//
// Threading: everything here is built by ApiServer::Create before anything listens, and
// read-only after it but for the objects that are themselves thread-safe (the writer, the pools,
// the caches, the limiters, the counters). ApiServer owns all of it; the resources hold plain
// pointers into it.
#pragma once

#include <httplib.h>

#include <memory>
#include <optional>
#include <string>

#include "percept/http/api_server.h"
#include "percept/http/auth.h"
#include "percept/net/connections.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/institution_cache.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/submission_writer.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"
#include "rate_limiter.h"
#include "resources.h"
#include "router.h"
#include "shared_limits.h"

namespace percept {

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
  IdentifierHasher hasher;  // empty when the server has no household key
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
  std::optional<PartBResource> part_b;
  std::optional<ReviewResource> reviews;
  std::optional<SupervisePage> supervise;
  std::optional<ProposalResource> proposals;
  std::optional<ReportResource> reports;
  std::optional<SessionResource> sessions;
  std::optional<MetricsResource> metrics;

  // Every route, and what cpp-httplib answers by itself, in the contract's shape.
  void Routes();
  void Log(const httplib::Request& req, const httplib::Response& res);
  void LogLine(const std::string& method, const std::string& path, int status, double ms,
               const std::string& token_name);
};

}  // namespace percept
