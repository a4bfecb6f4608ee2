// What the submission targets share: the demo survey definitions, and two known institutions.
#pragma once

#include <string>
#include <utility>

#include "percept/submission.h"
#include "percept/survey_definition.h"

namespace percept::fuzzing {

class Known : public InstitutionLookup {
 public:
  bool Exists(const std::string& id) const override {
    return id == "cesfam-tal-1" || id == "omil-tal";
  }
};

// The definitions of survey_defs/, loaded once.
inline const SurveyCatalog& Catalog() {
  static const SurveyCatalog catalog = [] {
    auto c = SurveyCatalog::LoadDirectory(PERCEPT_SURVEY_DIR);
    if (!c.ok()) __builtin_trap();
    return std::move(c).value();
  }();
  return catalog;
}

}  // namespace percept::fuzzing
