// What the report's parts render from: the contents the scoring library assembled, seen
// through plain pointers, with the reader's language. Internal to server/reports.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "percept/indicator_layout.h"
#include "percept/institutions.h"
#include "percept/plans/plan_service.h"
#include "percept/scores.h"
#include "percept/scoring/trend_service.h"
#include "percept/storage/answer_records.h"
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
  // The survey's waves and the change between the last two (null: fewer than two waves hold
  // interviews).
  const ReportTrends* trends = nullptr;
  // The action plans the reader may see (docs/plans.md); null or empty: none.
  const std::vector<PlanView>* plans = nullptr;
};

}  // namespace percept
