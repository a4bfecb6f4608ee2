// Interviews in as JSON, and the one admission JSON and OpenRosa share.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "percept/base/status.h"
#include "percept/storage/institution_cache.h"
#include "percept/storage/roles.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/submission_writer.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"
#include "router.h"

namespace percept {

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

}  // namespace percept
