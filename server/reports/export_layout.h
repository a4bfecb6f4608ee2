// The wide export layout, one row per evaluation: its variables (with labels in Spanish and
// English, types and SPSS widths), and how one evaluation of a stored interview fills a row.
// Shared by the CSV and SPSS writers of exports.cc. Internal to server/reports.
#pragma once

#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "percept/institutions.h"
#include "percept/score_layout.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"

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

// A cell: a number, a text, or empty (missing). Single-choice cells carry both.
struct Cell {
  bool present = false;
  double number = kMissing;
  std::string text;
};

// The variables of `def`'s wide layout, in order; `layout` gives the dimension scores.
std::vector<Column> WideColumns(const SurveyDefinition& def, const ScoreLayout& layout);

// The codebook's "values" of an item: its codes and their labels.
std::string CodeList(const SurveyDefinition& def, const Item& item);

// A number as the exports write it ("" for missing).
std::string FormatNumber(double v);

// Fills rows of the wide layout from stored interviews.
class WideRowMaker {
 public:
  WideRowMaker(const SurveyDefinition& def, const std::vector<Column>& columns,
               const std::map<std::string, Institution>& institutions);
  // One cell per column for `evaluation` of the interview `doc`, stored from `enumerator`.
  void Fill(const nlohmann::json& doc, const nlohmann::json& evaluation,
            const std::string& enumerator, std::vector<Cell>* row) const;

 private:
  const SurveyDefinition& def_;
  const std::vector<Column>& columns_;
  const std::map<std::string, Institution>& institutions_;
  std::vector<const Item*> likert_items_;
};

}  // namespace percept
