// GET /api/v1/trends (docs/api.md, "Trends"): the scoring library's trend cells of two waves
// (percept/scoring/trend_service.h) as JSON.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include "percept/scoring/trend_service.h"
#include "percept/storage/roles.h"
#include "router.h"

namespace percept {

class TrendResource {
 public:
  explicit TrendResource(TrendService* trends) : trends_(trends) {}
  void Register(Router& router);

 private:
  void Trends(const httplib::Request& req, httplib::Response& res, const Principal& who);
  TrendService* trends_;
};

}  // namespace percept
