// The action plans' pages (docs/plans.md, "Pages"): an institution's critical points of a wave,
// each with its plan or a form to write one; an analyst's plans of the wave, with accept and
// return. Server-drawn HTML, no script, like the report; the forms post to the same origin.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "percept/indicator_layout.h"
#include "percept/institutions.h"
#include "percept/plans/plan_service.h"
#include "percept/survey_definition.h"

namespace percept {

struct PlansPageView {
  const SurveyDefinition* survey = nullptr;
  const IndicatorLayout* indicators = nullptr;
  const std::map<std::string, Institution>* institutions = nullptr;
  std::string lang = "es", reader;
  bool institution_role = false;
  std::vector<Wave> waves;
  std::string wave;              // the wave shown
  std::vector<PlanCell> points;  // its critical points the reader may answer
  std::vector<PlanView> plans;   // the plans of that wave the reader may see
  std::string message;           // what the last post did, or why it failed
};
std::string RenderPlansPage(const PlansPageView& v);

}  // namespace percept
