// The resources of the API and the pages, one class each, each over the narrow context it needs
// and nothing else: what it may touch is what its constructor takes. Each registers its routes
// on the Router, whose guard has already admitted the caller when a handler runs. Handlers run
// on the connection layer's workers, any number at once; the objects they are given are
// thread-safe or read-only, and outlive them (ApiServer owns them all). Internal to server/http.
#pragma once

#include <httplib.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "json_writer.h"
#include "percept/http/auth.h"
#include "percept/indicator_layout.h"
#include "percept/net/connections.h"
#include "percept/scores.h"
#include "percept/scoring/score_service.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/institution_cache.h"
#include "percept/storage/reviews.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/submission_writer.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"
#include "percept/storage/enumerator_cache.h"
#include "rate_limiter.h"
#include "token_gate.h"
#include "router.h"

namespace percept {

// The audit trail (who exported, read a report, signed in): appended through a read
// connection; a failure is logged, never fatal to the request.
class AuditTrail {
 public:
  explicit AuditTrail(StorePool* readers) : readers_(readers) {}
  void Record(const std::string& actor, const std::string& action, const std::string& detail) const;

 private:
  StorePool* readers_;
};

// GET /api/v1/surveys, /api/v1/surveys/{id}, /api/v1/institutions.
class SurveyResource {
 public:
  SurveyResource(const SurveyCatalog* catalog, StorePool* readers)
      : catalog_(catalog), readers_(readers) {}
  void Register(Router& router);

 private:
  const SurveyCatalog* catalog_;
  StorePool* readers_;
};

// An interview as the routes admit it, JSON or OpenRosa alike: validated
// (survey_defs/submission.h), then given the quality flags it shows by itself against the time
// it arrived (docs/supervision.md).
Result<ValidSubmission> AdmitInterview(const nlohmann::json& doc, const SurveyCatalog& catalog,
                                       const InstitutionLookup& institutions,
                                       const IdentifierHasher& hasher,
                                       const QualityOptions& quality);

// POST /api/v1/submissions, /api/v1/submissions/batch; GET /api/v1/submissions.
class SubmissionResource {
 public:
  struct Limits {
    size_t max_body = 0;
    size_t max_batch = 0;
    int max_json_depth = 0;
  };
  SubmissionResource(const SurveyCatalog* catalog, const InstitutionCache* institutions,
                     const IdentifierHasher* hasher, SubmissionWriter* writer, StorePool* readers,
                     Limits limits, QualityOptions quality)
      : catalog_(catalog),
        institutions_(institutions),
        hasher_(hasher),
        writer_(writer),
        readers_(readers),
        limits_(limits),
        quality_(quality) {}
  void Register(Router& router);

 private:
  void Submit(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void SubmitBatch(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void List(const httplib::Request& req, httplib::Response& res, const Principal& who);

  const SurveyCatalog* catalog_;
  const InstitutionCache* institutions_;
  const IdentifierHasher* hasher_;  // empty when the server has no household key
  SubmissionWriter* writer_;
  StorePool* readers_;
  const Limits limits_;
  const QualityOptions quality_;
};

// GET /api/v1/exports/{survey}.csv|.sav|.jsonl|/codebook.csv.
class ExportResource {
 public:
  ExportResource(const SurveyCatalog* catalog, StorePool* readers,
                 const InstitutionCache* institutions, const AuditTrail* audit)
      : catalog_(catalog), readers_(readers), institutions_(institutions), audit_(audit) {}
  void Register(Router& router);

 private:
  void Export(const httplib::Request& req, httplib::Response& res, const Principal& who);

  const SurveyCatalog* catalog_;
  StorePool* readers_;
  const InstitutionCache* institutions_;
  const AuditTrail* audit_;
};

// OpenRosa under /key/{token}/ (docs/openrosa.md): the form list, the XForms, and submissions
// as ODK Collect, KoboCollect and ODK Web Forms send them, into the same validator and writer
// as JSON.
class OpenRosaResource {
 public:
  OpenRosaResource(const SurveyCatalog* catalog, const InstitutionCache* institutions,
                   const IdentifierHasher* hasher, SubmissionWriter* writer, size_t max_body,
                   std::string web_dir, QualityOptions quality)
      : catalog_(catalog),
        institutions_(institutions),
        hasher_(hasher),
        writer_(writer),
        max_body_(max_body),
        web_dir_(std::move(web_dir)),
        quality_(quality) {}
  void Register(Router& router);

 private:
  // The XForm of the latest version of `survey`, made again only when the institutions change.
  std::shared_ptr<const std::string> Form(const SurveyDefinition& def) const;
  void FormList(const httplib::Request& req, httplib::Response& res) const;
  void Submit(const httplib::Request& req, httplib::Response& res, const Principal& who);
  // GET /key/{token}/enter/{survey}: the page where ODK Web Forms renders the form.
  void EnterPage(const httplib::Request& req, httplib::Response& res) const;

  const SurveyCatalog* catalog_;
  const InstitutionCache* institutions_;
  const IdentifierHasher* hasher_;
  SubmissionWriter* writer_;
  const size_t max_body_;
  const std::string web_dir_;
  const QualityOptions quality_;
  // The bundles under /web/, read once at Register (read-only after).
  std::map<std::string, std::string> web_files_;
  // Threading: any worker; mu_ guards forms_ (per survey: the directory it was made from, and
  // the XForm's bytes).
  mutable std::mutex mu_;
  mutable std::map<std::string, std::pair<std::shared_ptr<const InstitutionCache::Directory>,
                                          std::shared_ptr<const std::string>>>
      forms_;
};

// GET /api/v1/scores and /api/v1/critical-points.
class ScoreResource {
 public:
  explicit ScoreResource(ScoreService* scores) : scores_(scores) {}
  void Register(Router& router);

 private:
  void Scores(const httplib::Request& req, httplib::Response& res, const Principal& who,
              bool critical_only);
  static void WriteCriticalPoints(JsonWriter& w, const ScoreReport& report,
                                  const PartBReport& part_b, const IndicatorLayout& layout,
                                  const std::function<bool(const std::string&)>& visible,
                                  bool hide_n);
  ScoreService* scores_;
};

// GET /api/v1/indicators, /api/v1/autonomy and /api/v1/circuits: part (b) of
// docs/analytics.md over the aggregates mirror (circuits: over the referrals stored).
class PartBResource {
 public:
  PartBResource(ScoreService* scores, StorePool* readers, InstitutionCache* institutions)
      : scores_(scores), readers_(readers), institutions_(institutions) {}
  void Register(Router& router);

 private:
  // What /indicators and /autonomy answer from: the request's query, part (b) for `who`, and
  // which cells `who` is shown.
  struct Answer {
    ScoreQuery q;
    PartBReport report;
    const IndicatorLayout* layout = nullptr;
    PartBOptions options;
    bool hide_n = false;
    std::function<bool(const std::string&)> visible;
  };
  Result<Answer> Run(const httplib::Request& req, const Principal& who);
  void Indicators(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void Autonomy(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void Circuits(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void Table(const httplib::Request& req, httplib::Response& res, const Principal& who);
  ScoreService* scores_;
  StorePool* readers_;
  InstitutionCache* institutions_;
};

// PATCH /api/v1/submissions/{instance_id} and GET /api/v1/submissions/{instance_id}/reviews:
// supervisors review interviews (docs/supervision.md). A review runs on the writer's thread, in
// a transaction of its own, so that the aggregates follow it at once.
class ReviewResource {
 public:
  ReviewResource(const SurveyCatalog* catalog, SubmissionWriter* writer, Aggregates* aggregates,
                 StorePool* readers)
      : catalog_(catalog),
        writer_(writer),
        aggregates_(aggregates),
        readers_(readers),
        enumerator_inputs_(readers, aggregates) {}
  void Register(Router& router);
  // The enumerator summary of survey `def` that `who` may read (a team's supervisor: its team's
  // rows, each still compared with every enumerator). TooManyRequests while `who` has
  // kSummariesPerToken under way: each may wait for a read of the whole survey.
  Result<std::vector<EnumeratorRow>> EnumeratorRows(const Principal& who,
                                                    const SurveyDefinition& def);
  static constexpr int kSummariesPerToken = 2;
  // How many times a survey's interviews were read for the enumerator summary.
  uint64_t enumerator_reads() const { return enumerator_inputs_.reads(); }
  // Moves `instance_id` to `to` for `who` (NotFound for an interview it may not review), on the
  // writer thread; the API and the supervisor's page both review through here.
  Result<ReviewChange> Apply(const Principal& who, const std::string& instance_id,
                             const std::string& to, const std::string& comment);

 private:
  void Review(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void History(const httplib::Request& req, httplib::Response& res, const Principal& who);
  // GET /api/v1/enumerators: the enumerator summary with its deviance test.
  void Enumerators(const httplib::Request& req, httplib::Response& res, const Principal& who);
  const SurveyCatalog* catalog_;
  SubmissionWriter* writer_;
  Aggregates* aggregates_;  // Apply runs on the writer thread, inside RunExclusive
  StorePool* readers_;
  EnumeratorInputCache enumerator_inputs_;
  TokenGate summaries_{kSummariesPerToken};
};

// What is wrong with a review asked for: a state a supervisor may set, a comment within bounds,
// and a reason given to reject or flag issues. Empty when nothing is.
std::vector<Detail> ReviewProblems(const std::string& to, const std::string& comment);

// Whether `who` may see and review `interview`: analysts and admins all; a supervisor its
// team's (every team when it has none); nobody else.
bool MayReview(const Principal& who, const InterviewInfo& interview);

// The supervisor's page (docs/supervision.md): the queue, one interview and its review, a bulk
// review of what is listed, and the enumerators' dashboard. Same sign-in as the report; forms
// refuse cross-site posts.
class SupervisePage {
 public:
  SupervisePage(const SurveyCatalog* catalog, StorePool* readers, const Aggregates* aggregates,
                InstitutionCache* institutions, ReviewResource* reviews)
      : catalog_(catalog),
        readers_(readers),
        aggregates_(aggregates),
        institutions_(institutions),
        reviews_(reviews) {}
  void Register(Router& router);

 private:
  void Queue(const httplib::Request& req, httplib::Response& res, const Principal& who,
             const std::string& message);
  void Interview(const httplib::Request& req, httplib::Response& res, const Principal& who,
                 const std::string& error);
  void Bulk(const httplib::Request& req, httplib::Response& res, const Principal& who);
  // The queue's filters (state, flag, enumerator) and, for a supervisor, its team.
  static Result<SubmissionQuery> Filter(const httplib::Request& req, const Principal& who,
                                        const SurveyDefinition& def, int limit);
  const SurveyCatalog* catalog_;
  StorePool* readers_;
  const Aggregates* aggregates_;
  InstitutionCache* institutions_;
  ReviewResource* reviews_;
};

// GET /api/v1/proposals: what families propose, for analysts (and for an institution about
// itself when the server shares them).
class ProposalResource {
 public:
  ProposalResource(const SurveyCatalog* catalog, StorePool* readers, bool share_with_institutions)
      : catalog_(catalog), readers_(readers), share_(share_with_institutions) {}
  void Register(Router& router);

 private:
  void List(const httplib::Request& req, httplib::Response& res, const Principal& who) const;
  const SurveyCatalog* catalog_;
  StorePool* readers_;
  const bool share_;
};

// GET /reports/{survey}: the HTML report.
class ReportResource {
 public:
  ReportResource(ScoreService* scores, const AuditTrail* audit, bool share_proposals)
      : scores_(scores), audit_(audit), share_proposals_(share_proposals) {}
  void Register(Router& router);

 private:
  void Report(const httplib::Request& req, httplib::Response& res, const Principal& who);
  ScoreService* scores_;
  const AuditTrail* audit_;
  const bool share_proposals_;
};

// GET and POST /sign-in, POST /sign-out: browser sessions.
class SessionResource {
 public:
  SessionResource(const Authenticator* auth, RateLimiter* sign_in_limiter,
                  RateLimiter* sign_in_ceiling, const ProxyTrust* proxies,
                  const AuditTrail* audit, std::string first_report)
      : auth_(auth),
        limiter_(sign_in_limiter),
        ceiling_(sign_in_ceiling),
        proxies_(proxies),
        audit_(audit),
        first_report_(std::move(first_report)) {}
  void Register(Router& router);

 private:
  const Authenticator* auth_;
  RateLimiter* limiter_;  // per client (SignInLimitKey): 10 at once, then 1 in 6 s
  RateLimiter* ceiling_;  // every client's together, one key: a guesser with many addresses
  const ProxyTrust* proxies_;
  const AuditTrail* audit_;
  const std::string first_report_;  // where a sign-in without `next` lands
};

// Requests answered, by status class (1xx..5xx), for /metrics.
using ResponseCounts = std::array<std::atomic<uint64_t>, 6>;

// GET /healthz, GET /metrics (Prometheus text).
class MetricsResource {
 public:
  MetricsResource(const SubmissionWriter* writer, const GuardedTlsServer* http,
                  const Aggregates* aggregates, const ResponseCounts* responses,
                  const ReviewResource* reviews)
      : writer_(writer),
        http_(http),
        aggregates_(aggregates),
        responses_(responses),
        reviews_(reviews) {}
  void Register(Router& router);

 private:
  void Metrics(httplib::Response& res) const;

  const SubmissionWriter* writer_;
  const GuardedTlsServer* http_;
  const Aggregates* aggregates_;
  const ResponseCounts* responses_;
  const ReviewResource* reviews_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace percept
