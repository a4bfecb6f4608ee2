// The wide export layout, one row per evaluation: its variables (with labels in Spanish and
// English, types and SPSS widths), and how one evaluation of a stored interview fills a row.
// Shared by the CSV and SPSS writers of exports.cc. Internal to server/reports.
#pragma once

#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "percept/institutions.h"
#include "percept/score_layout.h"
#include "percept/storage/waves.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"
#include "stored_interview.h"

namespace percept {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// One exported variable of the wide layout.
struct Column {
  enum class From { kInterview, kHousehold, kInstitution, kEvaluation, kScore };
  From from = From::kInterview;
  std::string name;  // also the SPSS variable name
  std::string label_es, label_en;
  const Item* item = nullptr;
  std::string option;                     // a multi item's option: this column is its 0/1 indicator
  const DimensionBlock* block = nullptr;  // a dimension score
  std::string field;                      // kInterview / kInstitution: which field
  bool numeric = false;                   // a number in SPSS (else a string)
  bool categorical = false;  // single choice: CSV writes the value, SPSS its 1-based code
  size_t width = 0;          // SPSS string width in bytes
};

// A cell: a number, a text, or empty (missing). Single-choice cells carry both. The text is a
// view into the stored interview being read, or into the WideRowMaker: valid until the next row.
struct Cell {
  bool present = false;
  double number = kMissing;
  std::string_view text;
};

// The variables of `def`'s wide layout, in order; `layout` gives the dimension scores.
std::vector<Column> WideColumns(const SurveyDefinition& def, const ScoreLayout& layout);

// The codebook's "values" of an item: its codes and their labels.
std::string CodeList(const SurveyDefinition& def, const Item& item);

// A number as the exports write it ("" for missing): printf's %.15g.
std::string FormatNumber(double v);
// The same, replacing `*out`'s contents (whose capacity it reuses).
void FormatNumberInto(double v, std::string* out);

// Fills rows of the wide layout from stored interviews, as nlohmann::json would read them.
class WideRowMaker {
 public:
  // `waves`: the survey's, which name each interview's (by its completed_at's date).
  WideRowMaker(const SurveyDefinition& def, const std::vector<Column>& columns,
               const std::map<std::string, Institution>& institutions,
               const std::vector<Wave>& waves);
  // Starts the rows of `doc`, an interview stored from `enumerator`: what all its rows share.
  void Start(const StoredInterview& doc, std::string_view enumerator);
  // One cell per column for evaluation `k` of the interview started last.
  void Fill(const StoredInterview& doc, size_t k, std::vector<Cell>* row);

 private:
  // Where an item's answer goes: its columns (a multi item has one per option), and its place
  // among the likert items (-1 for none).
  struct Target {
    std::vector<size_t> columns;
    int likert = -1;
  };
  // One section's targets by item id, and the last interview's items by position with their
  // targets: interviews of a survey mostly answer the same items in the same (sorted) order,
  // so one comparison usually replaces a hash lookup.
  struct Section {
    std::unordered_map<std::string_view, Target> by_item;
    std::vector<std::pair<std::string, const Target*>> last;
    const Target* Find(std::string_view item, size_t position);
  };
  // What fills a column that no answer fills.
  enum class Source {
    kAnswer,
    kEnumerator,
    kSurveyVersion,
    kWave,
    kField,
    kInstitutionId,
    kInstitutionName,
    kInstitutionType,
    kInstitutionComuna,
    kInstitutionRegion,
    kScore
  };
  // The answers of one section into their columns.
  void Place(const StoredInterview& doc, const StoredSection& section, Section& targets,
             std::vector<Cell>* row);

  const SurveyDefinition& def_;
  const std::vector<Column>& columns_;
  std::vector<Source> sources_;  // per column
  std::unordered_map<std::string_view, const Institution*> institutions_;
  const std::vector<Wave>& waves_;
  Section household_, evaluation_;
  std::vector<Cell> shared_;          // the cells all rows of the interview started share
  std::vector<int> likert_;           // the row being filled, in def.LikertItems() order
  std::vector<std::string> numbers_;  // per column: the text of a number written as such
};

}  // namespace percept
