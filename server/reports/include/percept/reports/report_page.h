// The HTML pages people read: the report of a survey (heat map, indices with confidence
// whiskers, critical points, importance–performance charts, methodology) and the sign-in page.
// Self-contained: inline CSS and server-drawn SVG, no script, no external resource, so it works
// offline, on a tablet, and prints to PDF from the browser.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "percept/indicator_layout.h"
#include "percept/institutions.h"
#include "percept/scores.h"
#include "percept/storage/store.h"
#include "percept/survey_definition.h"

namespace percept {

struct ReportView {
  const SurveyDefinition* survey = nullptr;
  const ScoreReport* report = nullptr;
  const std::map<std::string, Institution>* institutions = nullptr;
  std::function<bool(const std::string&)> visible;  // institutions this reader may see
  ScoreOptions options;
  std::string from, to, comuna, region;
  std::string lang = "es";  // "es" or "en"
  std::string reader;       // the token's name, shown in the header
  bool institution_role = false;
  // compare=type (docs/analytics.md, "Method 2"): each institution is read against the
  // institutions of its own type; the report says "its type" where it said "the network".
  bool by_type = false;

  // Part (b) (docs/analytics.md): problems, benefits and autonomy per institution, autonomy by
  // stage; null when not computed.
  const PartBReport* part_b = nullptr;
  const IndicatorLayout* indicators = nullptr;
  double min_gap_pp = 10;
  // The circuit of `comuna`: its referrals (analysts, when a comuna is chosen; else null).
  const std::vector<Referral>* referrals = nullptr;
  // The families' proposals shown, and the words searched (null: not shown to this reader).
  const std::vector<Proposal>* proposals = nullptr;
  std::string proposal_words;
};

std::string RenderReport(const ReportView& view);
// `error` (may be empty) is shown above the form; `lang` "es" or "en".
std::string RenderSignIn(const std::string& lang, const std::string& error,
                         const std::string& next);
// The page a browser gets when something went wrong: what it means for a person in `lang`
// ("es" or "en"), the server's own message (`detail`), and a way back to signing in.
std::string RenderErrorPage(const std::string& lang, int http_status, const std::string& detail);
// & < > " and ' as entities: safe in HTML and XML text and in quoted attributes.
std::string HtmlEscape(const std::string& s);

}  // namespace percept
