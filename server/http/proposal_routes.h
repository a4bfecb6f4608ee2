// What families propose.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include <string>

#include "percept/storage/roles.h"
#include "percept/storage/store_pool.h"
#include "percept/survey_definition.h"
#include "router.h"

namespace percept {

// GET /api/v1/proposals: what families propose, for analysts (and for an institution about
// itself when the server shares them).
class ProposalResource {
 public:
  ProposalResource(const SurveyCatalog* catalog, StorePool* readers, bool share_with_institutions)
      : catalog_(catalog), readers_(readers), share_(share_with_institutions) {}
  void Register(Router& router);

 private:
  void List(const httplib::Request& req, httplib::Response& res, const Principal& who) const;
  const SurveyCatalog* catalog_;
  StorePool* readers_;
  const bool share_;
};

}  // namespace percept
