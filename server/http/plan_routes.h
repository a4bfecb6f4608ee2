// Action plans over HTTP (docs/plans.md, docs/api.md "Action plans"): the plans library's
// answers as JSON. Internal to server/http: one class over the narrow context its constructor
// takes.
#pragma once

#include <httplib.h>

#include "percept/plans/plan_service.h"
#include "percept/storage/roles.h"
#include "router.h"

namespace percept {

// POST/GET /api/v1/action-plans, PUT/PATCH /api/v1/action-plans/{id},
// GET /api/v1/action-plans/summary.
class PlanResource {
 public:
  explicit PlanResource(PlanService* plans) : plans_(plans) {}
  void Register(Router& router);

 private:
  void Create(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void Replace(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void Move(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void List(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void Summary(const httplib::Request& req, httplib::Response& res, const Principal& who);
  PlanService* plans_;
};

}  // namespace percept
