// The score API of part (b): indicators, autonomy, circuits, their tables.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include <functional>
#include <string>

#include "percept/base/status.h"
#include "percept/indicator_layout.h"
#include "percept/scoring/score_service.h"
#include "percept/storage/institution_cache.h"
#include "percept/storage/roles.h"
#include "percept/storage/store_pool.h"
#include "router.h"

namespace percept {

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

}  // namespace percept
