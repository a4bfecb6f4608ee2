// The definition of docs/analytics.md's worked example, shared by the analytics tests: two
// dimensions of two items each (transparency, utility) and the overall item, on 1..7 with the
// missing codes 8 (no sabe) and 9 (no aplica).
#pragma once

#include <catch2/catch.hpp>

#include "percept/survey_definition.h"

namespace percept::testing {

inline SurveyDefinition WorkedExampleDefinition() {
  auto def = ParseSurveyDefinition(R"({
    "id": "example", "version": 1, "title": {"es": "e", "en": "e"},
    "scale": {"min": 1, "max": 7, "missing": {"8": "no sabe", "9": "no aplica"}},
    "dimensions": [{"id": "transparency", "label": {"es": "t", "en": "t"}},
                   {"id": "utility", "label": {"es": "u", "en": "u"}}],
    "household": [],
    "evaluation": [
      {"id": "trn_1", "type": "likert", "dimension": "transparency", "label": {"es": "a", "en": "a"}},
      {"id": "trn_2", "type": "likert", "dimension": "transparency", "label": {"es": "a", "en": "a"}},
      {"id": "utl_1", "type": "likert", "dimension": "utility", "label": {"es": "a", "en": "a"}},
      {"id": "utl_2", "type": "likert", "dimension": "utility", "label": {"es": "a", "en": "a"}},
      {"id": "overall", "type": "likert", "role": "overall", "label": {"es": "a", "en": "a"}}]
  })",
                                   "example.json");
  REQUIRE(def.ok());
  return std::move(def).value();
}

}  // namespace percept::testing
