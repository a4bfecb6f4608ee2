// The HTML pages people read: the report of a survey (heat map, indices with confidence
// whiskers, critical points, importance–performance charts, methodology) and the sign-in page.
// Self-contained: inline CSS and server-drawn SVG, no script, no external resource, so it works
// offline, on a tablet, and prints to PDF from the browser.
#pragma once

#include <string>

#include "percept/plans/plan_service.h"
#include "percept/reports/html.h"
#include "percept/scoring/score_service.h"

namespace percept {

// The report of `contents` (assembled by the scoring library for one reader), in `lang` ("es" or
// "en"), with `reader` (the token's name) in its header. Renders; computes and looks up nothing.
// `plans`: the action plans the reader may see, for the report's "Plan de mejora" section.
std::string RenderReport(const ReportContents& contents, const std::string& lang,
                         const std::string& reader, const std::vector<PlanView>* plans = nullptr);
// `error` (may be empty) is shown above the form; `lang` "es" or "en".
std::string RenderSignIn(const std::string& lang, const std::string& error,
                         const std::string& next);
// The page a browser gets when something went wrong: what it means for a person in `lang`
// ("es" or "en"), the server's own message (`detail`), and a way back to signing in.
std::string RenderErrorPage(const std::string& lang, int http_status, const std::string& detail);

}  // namespace percept
