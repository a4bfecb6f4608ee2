// GET /reports/{survey}: the HTML report a person opens in a browser (docs/api.md, "Reports").
#include "report_routes.h"

#include "pages.h"
#include "percept/reports/report_page.h"

namespace percept {

void ReportResource::Register(Router& router) {
  router.On("GET", R"(/reports/([a-z0-9-]+))", Access::kPage,
            {Role::kAnalyst, Role::kAdmin, Role::kInstitution}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Report(req, res, *who);
            });
}

void ReportResource::Report(const httplib::Request& req, httplib::Response& res,
                            const Principal& who) {
  // The report takes the score filters from the query string, and the survey from the path; it
  // shows every institution the reader may see.
  auto query = scores_->QueryOf(req.params, req.matches[1].str(), /*with_institution=*/false);
  if (!query.ok()) return SendHtmlError(req, res, query.status());
  auto contents = scores_->AssembleReport(*query, who, req.get_param_value("pq"), share_proposals_);
  if (!contents.ok()) return SendHtmlError(req, res, contents.status());
  auto trends = trends_->ForReport(*query, who);
  if (!trends.ok()) return SendHtmlError(req, res, trends.status());
  contents->trends = std::move(trends).value();
  const ScoreQuery& q = *query;
  audit_->Record(who.name, "report",
                 q.survey->id + (q.comuna.empty() ? "" : " comuna=" + q.comuna) +
                     (q.region.empty() ? "" : " region=" + q.region) +
                     (q.from.empty() ? "" : " from=" + q.from) +
                     (q.to.empty() ? "" : " to=" + q.to));
  // The action plans the reader may see, of every wave (docs/plans.md).
  PlanQuery pq;
  pq.survey_id = q.survey->id;
  auto plans = plans_->List(pq, who);
  if (!plans.ok()) return SendHtmlError(req, res, plans.status());
  SendHtml(res, 200, RenderReport(*contents, Lang(req), who.name, &*plans));
}

}  // namespace percept
