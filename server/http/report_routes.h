// The report page.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include <string>

#include "audit_trail.h"
#include "percept/plans/plan_service.h"
#include "percept/scoring/score_service.h"
#include "percept/scoring/trend_service.h"
#include "percept/storage/roles.h"
#include "router.h"

namespace percept {

// GET /reports/{survey}: the HTML report.
class ReportResource {
 public:
  ReportResource(ScoreService* scores, TrendService* trends, PlanService* plans,
                 const AuditTrail* audit, bool share_proposals)
      : scores_(scores),
        trends_(trends),
        plans_(plans),
        audit_(audit),
        share_proposals_(share_proposals) {}
  void Register(Router& router);

 private:
  void Report(const httplib::Request& req, httplib::Response& res, const Principal& who);
  ScoreService* scores_;
  TrendService* trends_;  // the waves' section
  PlanService* plans_;    // the improvement plans' section
  const AuditTrail* audit_;
  const bool share_proposals_;
};

}  // namespace percept
