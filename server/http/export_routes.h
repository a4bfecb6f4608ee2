// The five exports over HTTPS.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include <string>

#include "audit_trail.h"
#include "percept/storage/institution_cache.h"
#include "percept/storage/roles.h"
#include "percept/storage/store_pool.h"
#include "percept/survey_definition.h"
#include "router.h"

namespace percept {

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

}  // namespace percept
