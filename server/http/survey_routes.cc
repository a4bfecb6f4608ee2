// The questionnaires and the institutions, as tablets and readers see them.
#include "survey_routes.h"

#include <nlohmann/json.hpp>

#include "percept/http/http_support.h"
#include "percept/storage/institution_records.h"

namespace percept {

using nlohmann::json;

namespace {

const std::vector<Role> kAnyRole = {Role::kEnumerator, Role::kInstitution, Role::kAnalyst,
                                    Role::kAdmin, Role::kSupervisor};

}  // namespace

void SurveyResource::Register(Router& router) {
  router.On("GET", "/api/v1/surveys", Access::kApi, kAnyRole, 0,
            [this](const httplib::Request&, httplib::Response& res, const Principal*) {
              json out = json::array();
              for (const SurveyDefinition* d : catalog_->LatestAll()) {
                out.push_back({{"id", d->id},
                               {"version", d->version},
                               {"title", {{"es", d->title.es}, {"en", d->title.en}}}});
              }
              SendJson(res, 200, out);
            });
  router.On("GET", R"(/api/v1/surveys/([^/]+))", Access::kApi, kAnyRole, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal*) {
              const SurveyDefinition* d = catalog_->Latest(req.matches[1].str());
              if (!d) return SendError(res, Status::NotFound("no such survey"));
              res.status = 200;
              res.set_content(d->json, "application/json");
            });
  router.On("GET", "/api/v1/institutions", Access::kApi, kAnyRole, 0,
            [this](const httplib::Request&, httplib::Response& res, const Principal* who) {
              auto reader = readers_->Acquire();
              if (!reader.ok()) return SendError(res, reader.status());
              auto all = ListInstitutions(**reader);
              if (!all.ok()) return SendError(res, all.status());
              json out = json::array();
              for (const Institution& i : *all) {
                if (!who->MayRead(i.id)) continue;  // an institution sees its own
                out.push_back({{"id", i.id},
                               {"name", i.name},
                               {"type", i.type},
                               {"comuna", i.comuna},
                               {"region", i.region}});
              }
              SendJson(res, 200, out);
            });
}

}  // namespace percept
