// The action plans' pages (docs/plans.md, "Pages"): GET /plans/{survey}?wave=W, and the forms
// it posts: POST /plans/{survey} (a new plan), POST /plans/{survey}/{id} (rewrite a draft or a
// returned plan), POST /plans/{survey}/{id}/state (submit, accept, return, done). Same sign-in
// as the report; cross-site posts refused. Internal to server/http.
#pragma once

#include <httplib.h>

#include "percept/plans/plan_service.h"
#include "percept/storage/institution_cache.h"
#include "percept/storage/roles.h"
#include "percept/storage/store_pool.h"
#include "router.h"

namespace percept {

class PlanPages {
 public:
  PlanPages(PlanService* plans, ScoreService* scores, StorePool* readers,
            InstitutionCache* institutions)
      : plans_(plans), scores_(scores), readers_(readers), institutions_(institutions) {}
  void Register(Router& router);

 private:
  void Page(const httplib::Request& req, httplib::Response& res, const Principal& who,
            const std::string& message);
  void Create(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void Rewrite(const httplib::Request& req, httplib::Response& res, const Principal& who);
  void State(const httplib::Request& req, httplib::Response& res, const Principal& who);
  // After a post, a get: back to the wave's page.
  static void Back(const httplib::Request& req, httplib::Response& res);
  PlanService* plans_;
  ScoreService* scores_;
  StorePool* readers_;
  InstitutionCache* institutions_;
};

}  // namespace percept
