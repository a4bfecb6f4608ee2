#include "percept/reports/report_page.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "report_charts.h"
#include "report_part_b.h"
#include "report_plans.h"
#include "report_text.h"
#include "report_trends.h"

namespace percept {

namespace {

std::string Render(const ReportView& v) {
  std::string h;
  h.reserve(1 << 16);
  const std::string title = v.lang == "en" ? v.survey->title.en : v.survey->title.es;
  h += "<!doctype html><html lang='" + v.lang +
       "'><head><meta charset=utf-8><meta name=viewport "
       "content='width=device-width,initial-scale=1'>";
  h += "<title>" + HtmlEscape(T(v, "report")) + " — " + HtmlEscape(title) + "</title><style>" +
       PageStyle() + "</style></head><body>";
  h += "<header><h1>" + HtmlEscape(T(v, "report")) + ": " + HtmlEscape(title) + "</h1><div>" +
       HtmlEscape(T(v, "signed_in")) + " " + HtmlEscape(v.reader) +
       " · <a href='?lang=" + (v.lang == "en" ? "es" : "en") + "'>" +
       (v.lang == "en" ? "Español" : "English") +
       "</a> <form method=post action='/sign-out' style='display:inline'><button>" +
       HtmlEscape(T(v, "sign_out")) + "</button></form></div></header><main>";

  // Filters: a plain GET form; the page is its own URL, so a filtered view can be bookmarked.
  h += "<section><h2>" + HtmlEscape(T(v, "filters")) +
       "</h2><form class=filters method=get><input type=hidden name=lang value='" + v.lang + "'>";
  // An institution compares itself with the whole network, over all time or one whole window
  // (docs/security.md, "Differencing"): no commune or region to narrow it.
  if (!v.institution_role) {
    h += "<label>" + HtmlEscape(T(v, "comuna")) + "<input name=comuna size=6 value='" +
         HtmlEscape(v.comuna) + "'></label>";
    h += "<label>" + HtmlEscape(T(v, "region")) + "<input name=region size=4 value='" +
         HtmlEscape(v.region) + "'></label>";
  }
  h += "<label>" + HtmlEscape(T(v, "from")) + "<input type=date name=from value='" +
       HtmlEscape(v.from) + "'></label>";
  h += "<label>" + HtmlEscape(T(v, "to")) + "<input type=date name=to value='" + HtmlEscape(v.to) +
       "'></label>";
  // The comparison frame (docs/analytics.md, "Method 2"): the whole network, or each
  // institution's own type.
  h += "<label>" + HtmlEscape(T(v, "compare")) + "<select name=compare><option value=network" +
       (v.by_type ? "" : " selected") + ">" + HtmlEscape(T(v, "compare_network")) +
       "</option><option value=type" + (v.by_type ? " selected" : "") + ">" +
       HtmlEscape(T(v, "compare_type")) + "</option></select></label>";
  h += "<button>" + HtmlEscape(T(v, "apply")) + "</button>";
  if (v.institution_role) h += "<p class=note>" + HtmlEscape(T(v, "period_hint")) + "</p>";
  h += "</form></section>";

  std::vector<std::string> insts;
  for (const ScoreCell& c : v.report->cells) {
    if (v.visible(c.institution_id) && (insts.empty() || insts.back() != c.institution_id))
      insts.push_back(c.institution_id);
  }
  std::sort(insts.begin(), insts.end(), [&](const std::string& a, const std::string& b) {
    return InstitutionName(v, a) < InstitutionName(v, b);
  });

  char note[512];
  std::snprintf(note, sizeof note, T(v, "heat_note").c_str(), static_cast<int>(v.options.min_n));
  h += "<section id=heatmap><h2>" + HtmlEscape(T(v, "heatmap")) + "</h2>";
  // A filter that matches nothing (a comuna without institutions, a period without
  // fieldwork) says so, rather than showing an empty page.
  if (insts.empty()) h += "<p class=warn id=no-data>" + HtmlEscape(T(v, "no_data")) + "</p>";
  HeatMap(v, insts, h);
  h += "<p class=tick>" + HtmlEscape(note) + "</p>";
  if (v.trends) h += "<p class=tick>" + HtmlEscape(T(v, "heat_trend")) + "</p>";
  h += "</section>";

  h += "<section id=critical><h2>" + HtmlEscape(T(v, "critical")) + "</h2>";
  std::vector<const ScoreCell*> critical;
  for (const ScoreCell* c : CriticalPoints(*v.report))
    if (v.visible(c->institution_id)) critical.push_back(c);
  if (critical.empty()) {
    h += "<p>" + HtmlEscape(T(v, "none")) + "</p>";
  } else {
    h += "<table><thead><tr><th>" + HtmlEscape(T(v, "institution")) + "</th><th>" +
         HtmlEscape(T(v, "dimension")) + "</th><th>" + HtmlEscape(T(v, "index")) + "</th><th>" +
         HtmlEscape(T(v, "ci")) + "</th><th>n</th><th>" + HtmlEscape(ReferenceLabel(v)) +
         "</th><th>" + HtmlEscape(T(v, "gap")) + "</th><th>q</th><th>" +
         HtmlEscape(T(v, "importance")) + "</th><th>" + HtmlEscape(T(v, "severity")) + "</th><th>" +
         HtmlEscape(T(v, "flags")) + "</th></tr></thead><tbody>";
    for (const ScoreCell* c : critical) {
      std::string flags;
      for (const std::string& f : c->flags) flags += (flags.empty() ? "" : ", ") + T(v, f.c_str());
      const std::string q = FmtQ(c->q);
      h += "<tr data-institution='" + HtmlEscape(c->institution_id) + "' data-dimension='" +
           HtmlEscape(c->dimension) + "'><td>" + HtmlEscape(InstitutionName(v, c->institution_id)) +
           "</td><td>" + HtmlEscape(DimensionLabel(v, c->dimension)) + "</td><td class=num>" +
           Fmt(c->stats.index) + "</td><td class=num>" + Fmt(c->stats.ci_low) + "–" +
           Fmt(c->stats.ci_high) + "</td><td class=num>" + std::to_string(c->stats.n) +
           (c->stats.reliable
                ? ""
                : " <span class=lim title='" + HtmlEscape(T(v, "limited")) + "'>*</span>") +
           "</td><td class=num>" + Fmt(c->network_index) + "</td><td class=num>" + Fmt(c->gap) +
           "</td><td class=num>" + q + "</td><td class=num>" + Fmt(c->importance, 2) + "</td><td>" +
           HtmlEscape(T(v, c->high_severity ? "high" : "medium")) + "</td><td>" +
           HtmlEscape(flags) + "</td></tr>";
    }
    h += "</tbody></table><p class=tick>* " + HtmlEscape(T(v, "limited")) + "</p>";
  }
  PartBCriticalTable(v, h);
  h += "</section>";
  TrendSection(v, insts, h);
  PlansSection(v, h);

  h += "<section id=institutions><h2>" +
       HtmlEscape(T(v, v.by_type ? "by_institution_type" : "by_institution")) + "</h2>";
  for (const std::string& id : insts) {
    h += "<h3>" + HtmlEscape(InstitutionName(v, id)) + "</h3><div class=inst><div>";
    Whiskers(v, id, h);
    MinimumDetectableGaps(v, id, h);
    h += "</div><div><div class=tick>" + HtmlEscape(T(v, "ipa")) + "</div>";
    ImportancePerformance(v, id, h);
    h += "</div></div>";
  }
  h += "<p class=tick>" + HtmlEscape(T(v, "ipa_note")) + "</p></section>";

  if (v.part_b) {
    h += "<section id=part-b><h2>" + HtmlEscape(T(v, "part_b")) + "</h2>";
    for (const std::string& id : insts) {
      h += "<h3>" + HtmlEscape(InstitutionName(v, id)) + "</h3><div class=inst>";
      ProblemsProfile(v, id, h);
      AutonomyGauge(v, id, h);
      h += "</div>";
    }
    if (!v.part_b->stages.empty()) {
      h += "<h3>" + HtmlEscape(T(v, "autonomy_stages")) + "</h3>";
      AutonomyByStage(v, h);
    }
    h += "</section>";
  }
  if (!v.institution_role) {
    h += "<section id=circuits><h2>" + HtmlEscape(T(v, "circuit")) + "</h2>";
    if (v.referrals)
      CircuitGraph(v, h);
    else
      h += "<p>" + HtmlEscape(T(v, "circuit_hint")) + "</p>";
    h += "</section>";
  }
  if (v.proposals) {
    h += "<section id=proposals><h2>" + HtmlEscape(T(v, "proposals")) + "</h2><p class=tick>" +
         HtmlEscape(T(v, "proposals_note")) + "</p>";
    ProposalsList(v, h);
    h += "</section>";
  }

  h += "<section id=method><h2>" + HtmlEscape(T(v, "method")) + "</h2><ul>";
  const NetworkCell* overall = Net(v, "overall");
  h += "<li>" + HtmlEscape(T(v, "evaluations")) + ": " +
       (overall ? std::to_string(overall->stats.n) : "—") + "</li>";
  h += "<li>" + HtmlEscape(T(v, "period")) + ": " +
       HtmlEscape(v.from.empty() && v.to.empty()
                      ? T(v, "all")
                      : (v.from.empty() ? "…" : v.from) + " – " + (v.to.empty() ? "…" : v.to)) +
       "</li>";
  if (!v.comuna.empty())
    h += "<li>" + HtmlEscape(T(v, "comuna")) + ": " + HtmlEscape(v.comuna) + "</li>";
  if (!v.region.empty())
    h += "<li>" + HtmlEscape(T(v, "region")) + ": " + HtmlEscape(v.region) + "</li>";
  h += "<li>min_n = " + std::to_string(v.options.min_n) +
       " · standard = " + Fmt(v.options.standard, 0) + " · min_gap = " + Fmt(v.options.min_gap, 0) +
       "</li>";
  h += "<li>" + HtmlEscape(T(v, "alpha")) + ":<ul>";
  for (const NetworkCell& c : v.report->network) {
    if (c.dimension == "overall") continue;
    const bool low = std::isfinite(c.alpha) && c.alpha < 0.7;
    h += "<li" + std::string(low ? " class=warn" : "") + ">" +
         HtmlEscape(DimensionLabel(v, c.dimension)) + ": " + Fmt(c.alpha, 2) +
         (low ? " — " + HtmlEscape(T(v, "alpha_warn")) : "") + "</li>";
  }
  h += "</ul></li>";
  char rule[1024];
  std::snprintf(rule, sizeof rule, T(v, "rule_standard").c_str(), v.options.standard);
  h += "<li>" + HtmlEscape(rule) + "</li>";
  std::snprintf(rule, sizeof rule, T(v, "rule_network").c_str(), v.options.min_gap);
  h += "<li>" + HtmlEscape(rule) + "</li><li>" +
       HtmlEscape(T(v, v.by_type ? "rule_compare_type" : "rule_compare_network")) + "</li><li>" +
       HtmlEscape(T(v, "rule_severity")) + "</li><li>" + HtmlEscape(T(v, "rule_order")) +
       "</li><li>" + HtmlEscape(T(v, "rule_precision")) + "</li><li>" +
       HtmlEscape(T(v, "rule_isn")) + "</li>";
  std::snprintf(rule, sizeof rule, T(v, "rule_mdg").c_str(), v.options.min_gap);
  h += "<li>" + HtmlEscape(rule) + "<br>";
  MinimumDetectableGapTable(v, h);
  h += "</li>";
  std::snprintf(rule, sizeof rule, T(v, "rule_min_n").c_str(), static_cast<int>(v.options.min_n));
  h += "<li>" + HtmlEscape(rule) + "</li>";
  if (v.part_b) {
    std::snprintf(rule, sizeof rule, T(v, "rule_indicator").c_str(), v.min_gap_pp);
    h += "<li>" + HtmlEscape(rule) + "</li>";
  }
  h += "</ul></section></main></body></html>";
  return h;
}

}  // namespace

std::string RenderReport(const ReportContents& c, const std::string& lang,
                         const std::string& reader, const std::vector<PlanView>* plans) {
  ReportView v;
  v.survey = c.query.survey;
  v.report = &c.scores;
  v.institutions = c.institutions.get();
  v.visible = c.visible;
  v.options = c.options;
  v.from = c.query.from;
  v.to = c.query.to;
  v.comuna = c.query.comuna;
  v.region = c.query.region;
  v.by_type = c.query.by_type;
  v.lang = lang;
  v.reader = reader;
  v.institution_role = c.institution_reader;
  v.part_b = &c.part_b;
  v.indicators = c.indicators;
  v.min_gap_pp = c.options.min_gap_pp;
  v.referrals = c.referrals ? &*c.referrals : nullptr;
  v.proposals = c.proposals ? &*c.proposals : nullptr;
  v.proposal_words = c.proposal_words;
  v.trends = c.trends.get();
  v.plans = plans;
  return Render(v);
}

std::string RenderErrorPage(const std::string& lang, int http_status, const std::string& detail) {
  ReportView v;
  v.lang = lang == "en" ? "en" : "es";
  const char* key = http_status == 400   ? "error_400"
                    : http_status == 401 ? "error_401"
                    : http_status == 403 ? "error_403"
                    : http_status == 404 ? "error_404"
                    : http_status == 429 ? "error_429"
                                         : "error_other";
  return "<!doctype html><html lang='" + v.lang +
         "'><head><meta charset=utf-8><meta name=viewport "
         "content='width=device-width,initial-scale=1'><title>Percept — " +
         std::to_string(http_status) + "</title><style>" + PageStyle() +
         "</style></head><body><header><h1>Percept</h1></header><main><section><h2>" +
         HtmlEscape(T(v, key)) + "</h2><p class=tick>" + std::to_string(http_status) + " · " +
         HtmlEscape(detail) + "</p><p><a href='/sign-in?lang=" + v.lang + "'>" +
         HtmlEscape(T(v, "error_back")) + "</a></p></section></main></body></html>";
}

std::string RenderSignIn(const std::string& lang, const std::string& error,
                         const std::string& next) {
  ReportView v;
  v.lang = lang == "en" ? "en" : "es";
  std::string h = "<!doctype html><html lang='" + v.lang +
                  "'><head><meta charset=utf-8><meta name=viewport "
                  "content='width=device-width,initial-scale=1'><title>Percept — " +
                  HtmlEscape(T(v, "sign_in")) + "</title><style>" + PageStyle() +
                  "</style></head><body><header><h1>Percept</h1></header><main><section>";
  h += "<h2>" + HtmlEscape(T(v, "sign_in")) + "</h2><p>" + HtmlEscape(T(v, "sign_in_intro")) +
       "</p>";
  if (!error.empty()) h += "<p class=warn role=alert>" + HtmlEscape(error) + "</p>";
  h += "<form method=post action='/sign-in'><input type=hidden name=next value='" +
       HtmlEscape(next) + "'><input type=hidden name=lang value='" + v.lang + "'><label>" +
       HtmlEscape(T(v, "token")) +
       "<input type=password name=token autocomplete=off required size=50></label> <button "
       "type=submit id=sign-in>" +
       HtmlEscape(T(v, "sign_in")) + "</button></form></section></main></body></html>";
  return h;
}

}  // namespace percept
