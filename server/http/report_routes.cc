// GET /reports/{survey}: the HTML report a person opens in a browser (docs/api.md, "Reports").
#include "pages.h"
#include "percept/reports/report_page.h"
#include "resources.h"

namespace percept {

void ReportResource::Register(Router& router) {
  router.On(
      "GET", R"(/reports/([a-z0-9-]+))", Access::kPage,
      {Role::kAnalyst, Role::kAdmin, Role::kInstitution}, 0,
      [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
        // The report takes the score filters from the query string, and the survey from the
        // path; it shows every institution the reader may see.
        auto query = scores_->QueryOf(req, req.matches[1].str(), /*with_institution=*/false);
        ScoreReport report;
        std::shared_ptr<const InstitutionCache::Directory> directory;
        Status s = query.ok() ? scores_->Run(*query, *who, &report, &directory) : query.status();
        if (!s.ok()) return SendHtmlError(res, s);
        const ScoreQuery& q = *query;
        ReportView view;
        view.survey = q.survey;
        view.report = &report;
        view.institutions = directory.get();
        const Principal reader = *who;
        view.visible = [reader](const ScoreCell& c) { return reader.MayRead(c.institution_id); };
        view.options = scores_->scoring();
        view.from = q.from;
        view.to = q.to;
        view.comuna = q.comuna;
        view.region = q.region;
        view.lang = Lang(req);
        view.reader = who->name;
        view.institution_role = who->role == Role::kInstitution;
        audit_->Record(who->name, "report",
                       q.survey->id + (q.comuna.empty() ? "" : " comuna=" + q.comuna) +
                           (q.region.empty() ? "" : " region=" + q.region) +
                           (q.from.empty() ? "" : " from=" + q.from) +
                           (q.to.empty() ? "" : " to=" + q.to));
        SendHtml(res, 200, RenderReport(view));
      });
}

}  // namespace percept
