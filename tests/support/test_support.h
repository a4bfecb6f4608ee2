// Shared by the tests: paths of the source tree and a valid interview to start from.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "percept/base/uuid.h"

namespace percept::testing {

inline std::string SourcePath(const std::string& rel) {
  return std::string(PERCEPT_SOURCE_DIR) + "/" + rel;
}

// A complete, valid interview of chs-perception v1 evaluating `institutions` (demo ids).
// `seed` varies the answers so that different interviews differ in content.
inline nlohmann::json DemoInterview(const std::string& instance_id,
                                    const std::vector<std::string>& institutions = {"cesfam-tal-1",
                                                                                    "omil-tal"},
                                    unsigned seed = 1) {
  std::mt19937 rng(seed);
  auto grade = [&] { return static_cast<int>(rng() % 7) + 1; };
  nlohmann::json evals = nlohmann::json::array();
  for (const std::string& id : institutions) {
    nlohmann::json a;
    for (const char* item :
         {"opp_wait",     "opp_speed",  "opp_hours",   "opp_appointment",  "prf_knowledge",
          "prf_explain",  "prf_solve",  "apr_fit",     "apr_situation",    "apr_words",
          "utl_useful",   "utl_better", "utl_solved",  "trn_requirements", "trn_status",
          "trn_reasons",  "trn_rights", "lnk_respect", "lnk_listen",       "lnk_trust",
          "lnk_followup", "overall"}) {
      a[item] = grade();
    }
    a["pathway"] = "apoyo_familiar";
    a["had_problems"] = true;
    a["problems"] = {"esperas_largas", "muchas_vueltas"};
    a["benefit_received"] = "en_parte";
    a["knows_how"] = true;
    a["knows_rights"] = false;
    a["actions"] = {"llego_temprano"};
    a["proposal"] = "Que atiendan por la tarde, \"sin\" tantas vueltas,\ny con buen trato.";
    evals.push_back({{"institution_id", id}, {"answers", a}});
  }
  return {{"instance_id", instance_id},
          {"survey_id", "chs-perception"},
          {"survey_version", 1},
          {"device_id", "tab-017"},
          {"started_at", "2026-11-20T14:03:00-03:00"},
          {"completed_at", "2026-11-20T14:41:12-03:00"},
          {"household",
           {{"consent", true},
            {"region", "8"},
            {"comuna", "8110"},
            {"programme", "familias"},
            {"household_size", 4},
            {"head_sex", "mujer"},
            {"months_in_programme", 14}}},
          {"evaluations", evals}};
}

using percept::RandomUuid;

}  // namespace percept::testing
