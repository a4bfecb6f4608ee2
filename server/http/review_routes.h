// Supervisors' reviews of interviews, and the enumerator summary.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/enumerators.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/enumerator_cache.h"
#include "percept/storage/reviews.h"
#include "percept/storage/roles.h"
#include "percept/storage/store.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/submission_records.h"
#include "percept/storage/submission_writer.h"
#include "percept/survey_definition.h"
#include "router.h"
#include "token_gate.h"

namespace percept {

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
  // rows, each still compared with every enumerator). RateExceeded while `who` has
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

}  // namespace percept
