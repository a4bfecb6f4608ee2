// The supervisor's pages.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include <string>

#include "percept/base/status.h"
#include "percept/storage/institution_cache.h"
#include "percept/storage/roles.h"
#include "percept/storage/store.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/submission_records.h"
#include "percept/survey_definition.h"
#include "review_routes.h"
#include "router.h"

namespace percept {

// The supervisor's page (docs/supervision.md): the queue, one interview and its review, a bulk
// review of what is listed, and the enumerators' dashboard. Same sign-in as the report; forms
// refuse cross-site posts.
class SupervisePage {
 public:
  SupervisePage(const SurveyCatalog* catalog, StorePool* readers, InstitutionCache* institutions,
                ReviewResource* reviews)
      : catalog_(catalog), readers_(readers), institutions_(institutions), reviews_(reviews) {}
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
  InstitutionCache* institutions_;
  ReviewResource* reviews_;
};

}  // namespace percept
