// GET /reports/{survey}: the HTML report a person opens in a browser (docs/api.md, "Reports").
#include <sstream>

#include "pages.h"
#include "percept/reports/report_page.h"
#include "resources.h"

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
  auto query = scores_->QueryOf(req, req.matches[1].str(), /*with_institution=*/false);
  ScoreReport report;
  PartBReport part_b;
  std::shared_ptr<const InstitutionCache::Directory> directory;
  Status s = query.ok() ? scores_->Run(*query, who, &report, &directory) : query.status();
  if (s.ok()) s = scores_->RunPartB(*query, who, &part_b, &directory);
  if (!s.ok()) return SendHtmlError(req, res, s);
  const ScoreQuery& q = *query;
  const bool analyst = who.role != Role::kInstitution;
  ReportView view;
  view.survey = q.survey;
  view.report = &report;
  view.institutions = directory.get();
  const Principal reader = who;
  view.visible = [reader](const std::string& id) { return reader.MayRead(id); };
  view.options = scores_->scoring();
  view.from = q.from;
  view.to = q.to;
  view.comuna = q.comuna;
  view.region = q.region;
  view.by_type = q.by_type;
  view.lang = Lang(req);
  view.reader = who.name;
  view.institution_role = !analyst;
  view.part_b = &part_b;
  view.indicators = scores_->IndicatorsOf(*q.survey);
  view.min_gap_pp = scores_->scoring().min_gap_pp;

  auto store = readers_->Acquire();
  if (!store.ok()) return SendHtmlError(req, res, store.status());
  // The circuit of the chosen comuna (analysts: a small comuna's edges are a few families).
  std::vector<Referral> referrals;
  if (analyst && !q.comuna.empty()) {
    std::vector<std::string> members;
    for (const auto& [id, inst] : *directory)
      if (inst.comuna == q.comuna) members.push_back(id);
    auto r = (*store)->ListReferrals(q.survey->id, members, q.from, q.to);
    if (!r.ok()) return SendHtmlError(req, res, r.status());
    referrals = std::move(r).value();
    view.referrals = &referrals;
  }
  // The proposals: analysts; an institution about itself when the server shares them.
  std::vector<Proposal> proposals;
  const Item* proposal_item = nullptr;
  for (const Item& it : q.survey->evaluation)
    if (it.role == "proposal") proposal_item = &it;
  if (proposal_item && (analyst || share_proposals_)) {
    ProposalQuery pq;
    pq.survey_id = q.survey->id;
    pq.item = proposal_item->id;
    pq.limit = 50;
    if (!analyst) {
      pq.institutions = who.institutions;
    } else if (!q.comuna.empty() || !q.region.empty()) {  // the report's population
      for (const auto& [id, inst] : *directory) {
        if ((q.comuna.empty() || inst.comuna == q.comuna) &&
            (q.region.empty() || inst.region == q.region))
          pq.institutions.push_back(id);
      }
    }
    const bool nobody = (!q.comuna.empty() || !q.region.empty()) && pq.institutions.empty();
    view.proposal_words = req.get_param_value("pq");
    std::istringstream words(view.proposal_words);
    for (std::string w; words >> w && pq.words.size() < 5;) pq.words.push_back(w);
    if (!nobody) {  // (no institutions would mean every one to ListProposals)
      auto page = (*store)->ListProposals(pq);
      if (!page.ok()) return SendHtmlError(req, res, page.status());
      proposals = std::move(page->items);
    }
    view.proposals = &proposals;
  }
  audit_->Record(who.name, "report",
                 q.survey->id + (q.comuna.empty() ? "" : " comuna=" + q.comuna) +
                     (q.region.empty() ? "" : " region=" + q.region) +
                     (q.from.empty() ? "" : " from=" + q.from) +
                     (q.to.empty() ? "" : " to=" + q.to));
  SendHtml(res, 200, RenderReport(view));
}

}  // namespace percept
