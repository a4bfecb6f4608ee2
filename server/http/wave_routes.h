// The waves of a survey over HTTP (docs/waves.md): list them with their interviews, define and
// edit them (admins).
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include "percept/storage/roles.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/submission_writer.h"
#include "percept/survey_definition.h"
#include "router.h"

namespace percept {

// GET /api/v1/waves?survey=S, POST /api/v1/waves, PATCH /api/v1/waves/{id}.
class WaveResource {
 public:
  WaveResource(const SurveyCatalog* catalog, SubmissionWriter* writer, StorePool* readers)
      : catalog_(catalog), writer_(writer), readers_(readers) {}
  void Register(Router& router);

 private:
  void List(const httplib::Request& req, httplib::Response& res) const;
  void Create(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void Edit(const httplib::Request& req, httplib::Response& res, const Principal& who);
  const SurveyCatalog* catalog_;
  SubmissionWriter* writer_;  // waves are written on the writer's thread, as reviews are
  StorePool* readers_;
};

}  // namespace percept
