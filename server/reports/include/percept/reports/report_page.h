// The HTML pages people read: the report of a survey (heat map, indices with confidence
// whiskers, critical points, importance–performance charts, methodology) and the sign-in page.
// Self-contained: inline CSS and server-drawn SVG, no script, no external resource, so it works
// offline, on a tablet, and prints to PDF from the browser.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "percept/institutions.h"
#include "percept/scores.h"
#include "percept/survey_definition.h"

namespace percept {

struct ReportView {
  const SurveyDefinition* survey = nullptr;
  const ScoreReport* report = nullptr;
  const std::map<std::string, Institution>* institutions = nullptr;
  std::function<bool(const ScoreCell&)> visible;  // cells this reader may see
  ScoreOptions options;
  std::string from, to, comuna, region;
  std::string lang = "es";  // "es" or "en"
  std::string reader;       // the token's name, shown in the header
  bool institution_role = false;
};

std::string RenderReport(const ReportView& view);
// `error` (may be empty) is shown above the form; `lang` "es" or "en".
std::string RenderSignIn(const std::string& lang, const std::string& error,
                         const std::string& next);
std::string HtmlEscape(const std::string& s);

}  // namespace percept
