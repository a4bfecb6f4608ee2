// GET /api/v1/proposals (docs/api.md): the families' proposals, searchable, a page at a time.
#include "proposal_routes.h"

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "percept/http/http_support.h"
#include "percept/storage/answer_records.h"

namespace percept {

using nlohmann::json;

void ProposalResource::Register(Router& router) {
  router.On("GET", "/api/v1/proposals", Access::kApi,
            {Role::kAnalyst, Role::kAdmin, Role::kInstitution}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              List(req, res, *who);
            });
}

void ProposalResource::List(const httplib::Request& req, httplib::Response& res,
                            const Principal& who) const {
  if (who.role == Role::kInstitution && !share_) {
    return SendError(res, Status::Forbidden("this server does not share proposals with "
                                            "institutions (free text may name a family)"));
  }
  const std::string survey = req.get_param_value("survey");
  if (survey.empty()) return SendError(res, Status::InvalidParameter("'survey' is required"));
  const SurveyDefinition* def = catalog_->Latest(survey);
  if (!def) return SendError(res, Status::NotFound("no such survey"));
  ProposalQuery q;
  q.survey_id = def->id;
  for (const Item& it : def->evaluation) {
    if (it.role == "proposal") q.item = it.id;
  }
  if (q.item.empty()) {
    return SendError(res, Status::NotFound("survey " + def->id + " asks for no proposal"));
  }
  const std::string institution = req.get_param_value("institution");
  if (who.role == Role::kInstitution) {
    // Its own institutions only; another's answers like an unknown one.
    if (!institution.empty() && !who.MayRead(institution)) {
      return SendError(res, Status::NotFound("no such institution"));
    }
    q.institutions = institution.empty() ? who.institutions : std::vector<std::string>{institution};
  } else if (!institution.empty()) {
    q.institutions = {institution};
  }
  std::istringstream words(req.get_param_value("q"));
  for (std::string w; words >> w;) q.words.push_back(w);
  for (const auto& [name, target, lo, hi] :
       {std::tuple<const char*, int64_t*, int64_t, int64_t>{"after", &q.after, 0, INT64_MAX},
        {"limit", nullptr, 1, 1000}}) {
    if (!req.has_param(name)) continue;
    const std::string v = req.get_param_value(name);
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0 || n < lo || n > hi) {
      return SendError(
          res, Status::InvalidParameter(std::string("'") + name + "' must be an integer in " +
                                        std::to_string(lo) + ".." + std::to_string(hi)));
    }
    if (target)
      *target = n;
    else
      q.limit = static_cast<int>(n);
  }
  auto reader = readers_->Acquire();
  if (!reader.ok()) return SendError(res, reader.status());
  auto page = ListProposals(**reader, q);
  if (!page.ok()) return SendError(res, page.status());
  json items = json::array();
  for (const Proposal& p : page->items) {
    items.push_back({{"instance_id", p.instance_id},
                     {"institution_id", p.institution_id},
                     {"completed_at", p.completed_at},
                     {"text", p.text}});
  }
  SendJson(res, 200,
           {{"items", std::move(items)},
            {"next", page->next ? json(std::to_string(*page->next)) : json(nullptr)}});
}

}  // namespace percept
