// The surveys and institutions a client may list.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <string>

#include "percept/storage/store_pool.h"
#include "percept/survey_definition.h"
#include "router.h"

namespace percept {

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

}  // namespace percept
