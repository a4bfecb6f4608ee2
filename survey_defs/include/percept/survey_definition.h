// The questionnaire as Percept understands it (docs/formats.md), and the loader that refuses a bad
// one. A SurveyDefinition is immutable once loaded and safe to share between threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "percept/base/status.h"

namespace percept {

// The six quality attributes of the 2007 study, in the order reports show them.
inline const std::vector<std::string>& QualityDimensions() {
  static const std::vector<std::string> kDims = {"opportunity", "proficiency",  "appropriateness",
                                                 "utility",     "transparency", "linkage"};
  return kDims;
}

// An evaluation's likert answer that does not count toward scores: absent, or a declared
// missing code (don't know, not applicable).
inline constexpr int kNoAnswer = -2147483647 - 1;

struct LocalizedText {
  std::string es;
  std::string en;
};

// kIdentifier: a household key (e.g. the RUT) the server never stores raw, only as a keyed hash.
// kInstitution: an institution of the network (of the household's comuna on a tablet), answered
// with its id; it draws the referral circuits (docs/analytics.md, part (b)).
enum class ItemType {
  kLikert,
  kSingle,
  kMulti,
  kInteger,
  kText,
  kDate,
  kBoolean,
  kIdentifier,
  kInstitution
};
const char* ItemTypeName(ItemType type);

// Which way an answer is bad (docs/analytics.md, part (b)): a problem met or "no, I did not get
// it" (bad when common), a benefit or knowing how (bad when rare), or neither (described only).
enum class Valence { kNone, kGood, kBad };

struct Option {
  std::string value;
  LocalizedText label;
  Valence valence = Valence::kNone;
  bool high_severity = false;  // "severity": "high" (default medium)
};

// "Asked only when item `item` was answered with `equals`".
struct Relevance {
  std::string item;
  std::string equals_json;  // the expected answer as compact JSON, compared textually
};

struct Item {
  std::string id;
  ItemType type = ItemType::kText;
  LocalizedText label;
  std::string dimension;  // likert items that score a dimension; else empty
  std::string role;       // "overall" (overall satisfaction), "consent" (must be true), or empty
  std::vector<Option> options;        // single, multi
  std::optional<long long> min, max;  // integer
  std::string pattern;                // text: ECMAScript regex the whole answer must match
  std::shared_ptr<const std::regex> pattern_re;
  size_t max_length = 2000;  // text
  bool required = false;
  std::optional<Relevance> relevant;
  // A boolean item's answer `true` as an indicator (options carry their own).
  Valence valence = Valence::kNone;
  bool high_severity = false;

  bool HasOption(std::string_view value) const;
};

struct Dimension {
  std::string id;
  LocalizedText label;
};

struct Scale {
  int min = 1;
  int max = 7;
  std::map<int, std::string> missing;  // declared missing codes, e.g. 8 don't know, 9 n/a
  bool IsMissingCode(long long v) const { return missing.count(static_cast<int>(v)) > 0; }
};

// One component of autonomy: an evaluation item answered `equals` (JSON, compared textually).
struct AutonomyComponent {
  std::string id;
  std::string item;
  std::string equals_json;
};

// An indicator of part (b) (docs/analytics.md, "Indicator cells"): an option of a single or
// multiple choice of the evaluation, or the answer true of a yes/no item.
struct IndicatorDef {
  std::string item;
  std::string option;  // empty for a yes/no item (its answer true)
  Valence valence = Valence::kNone;
  bool high_severity = false;
  // "item=option", or the item's id for a yes/no item.
  std::string Key() const { return option.empty() ? item : item + "=" + option; }
};

struct SurveyDefinition {
  std::string id;
  int version = 0;
  LocalizedText title;
  Scale scale;
  std::vector<Dimension> dimensions;
  std::vector<Item> household;
  std::vector<Item> evaluation;
  // Part (b): what autonomy is made of, and the bands of the stage item (months in the
  // programme: [6, 12, 24] gives 0-6, 7-12, 13-24, 25+).
  std::vector<AutonomyComponent> autonomy;
  std::vector<int> stages;
  // Every indicator of the evaluation in definition order: the order of an evaluation's facts
  // (submission.h). Filled by the parser.
  std::vector<IndicatorDef> indicators;
  std::string json;         // the definition as compact JSON, served by GET /api/v1/surveys/{id}
  std::string source_path;  // where it was loaded from, for messages

  const Item* FindHouseholdItem(std::string_view id) const;
  const Item* FindEvaluationItem(std::string_view id) const;
  // The likert items that score `dimension`, in definition order.
  std::vector<const Item*> DimensionItems(std::string_view dimension) const;
  const Item* OverallItem() const;
  // The evaluation's likert items in definition order: the order of ValidSubmission's `likert`.
  std::vector<const Item*> LikertItems() const;
  // The band of `months` in the programme (0 for 0..stages[0], ..., stages.size() past the
  // last), and every band's label ("0-6", "7-12", "13-24", "25+").
  int StageBand(long long months) const;
  std::vector<std::string> StageBandLabels() const;
};

// Parses and checks a definition. On failure the Status names `source_name` in its message and
// every problem by JSON pointer in its details.
Result<SurveyDefinition> ParseSurveyDefinition(std::string_view json_text,
                                               const std::string& source_name);
Result<SurveyDefinition> LoadSurveyDefinitionFile(const std::string& path);

// Every definition of a folder, by id and version. Thread-safe for reading after Load.
class SurveyCatalog {
 public:
  // Loads every *.json file of `dir` that has a "dimensions" key (others, such as data files,
  // are skipped). Fails on the first invalid definition or on a repeated (id, version).
  static Result<SurveyCatalog> LoadDirectory(const std::string& dir);
  Status Add(SurveyDefinition def);

  const SurveyDefinition* Find(std::string_view id, int version) const;
  const SurveyDefinition* Latest(std::string_view id) const;
  // The latest version of every survey, by id.
  std::vector<const SurveyDefinition*> LatestAll() const;
  std::vector<const SurveyDefinition*> All() const;
  bool empty() const { return by_key_.empty(); }

 private:
  std::map<std::pair<std::string, int>, std::shared_ptr<const SurveyDefinition>> by_key_;
};

}  // namespace percept
