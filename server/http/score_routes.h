// The score API: part (a) and the critical points.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include <functional>
#include <string>

#include "json_writer.h"
#include "percept/indicator_layout.h"
#include "percept/scoring/score_service.h"
#include "percept/storage/roles.h"
#include "router.h"

namespace percept {

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

}  // namespace percept
