// Realistic completed interviews, as a tablet would hold them after a day in the field: each
// household uses 3–7 institutions of its commune; each institution has its own true quality
// per dimension; answers within a household share its leniency; some answers are "don't know"
// or "not applicable"; relevance and required rules are followed. Reproducible from a seed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/base/uuid.h"
#include "percept/institutions.h"
#include "percept/survey_definition.h"

namespace percept {

// "institution_id:dimension:shift": that cell's answers move by `shift` scale points.
struct Plant {
  std::string institution_id;
  std::string dimension;
  double shift = 0;  // scale points, fractions allowed (-0.5: half a point down)
};
Result<Plant> ParsePlant(const std::string& spec, const SurveyDefinition& def,
                         const std::vector<Institution>& institutions);

// Part (b): "institution_id:item:points" (a yes/no item's answer yes) or
// "institution_id:item=option:points" (an option of a choice) becomes that much more, or less,
// common in that institution's evaluations, in percentage points (about: an answer that cannot
// move further stays where it is).
struct RatePlant {
  std::string institution_id;
  std::string item;
  std::string option;  // empty for a yes/no item
  double points = 0;
};
Result<RatePlant> ParseRatePlant(const std::string& spec, const SurveyDefinition& def,
                                 const std::vector<Institution>& institutions);
// "institution_id:points": every component of autonomy (the definition's `autonomy`) moved by
// `points`, e.g. cesfam-tal-1:-30 for families that leave it less autonomous.
Result<std::vector<RatePlant>> ParseAutonomyPlant(const std::string& spec,
                                                  const SurveyDefinition& def,
                                                  const std::vector<Institution>& institutions);

// How an enumerator works (docs/supervision.md): careful takes its time, fast rushes, and a
// fabricator answers in a few minutes, often straight-lines and lifts the ratings.
enum class EnumeratorStyle { kCareful, kFast, kFabricator };
Result<EnumeratorStyle> ParseEnumeratorStyle(const std::string& name);

struct GeneratorOptions {
  uint64_t seed = 1;
  bool uniform = false;  // every institution has the same true quality
  EnumeratorStyle style = EnumeratorStyle::kCareful;
  std::vector<Plant> plants;
  std::vector<RatePlant> rate_plants;
  std::string first_day = "2026-11-02";  // fieldwork starts on this date and lasts `days`
  int days = 20;
};

class InterviewGenerator {
 public:
  InterviewGenerator(const SurveyDefinition& def, std::vector<Institution> institutions,
                     const GeneratorOptions& options);
  ~InterviewGenerator();
  // The next interview, as the JSON text of a submission (docs/formats.md, "Submissions").
  std::string Next();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace percept
