// What a survey definition answers about itself. Reading one from JSON is definition_loader.cc.
#include "percept/survey_definition.h"

#include <algorithm>

namespace percept {

const char* ItemTypeName(ItemType type) {
  switch (type) {
    case ItemType::kLikert:
      return "likert";
    case ItemType::kSingle:
      return "single";
    case ItemType::kMulti:
      return "multi";
    case ItemType::kInteger:
      return "integer";
    case ItemType::kText:
      return "text";
    case ItemType::kDate:
      return "date";
    case ItemType::kInstitution:
      return "institution";
    case ItemType::kBoolean:
      return "boolean";
    case ItemType::kIdentifier:
      return "identifier";
  }
  return "text";
}

bool Item::HasOption(std::string_view value) const {
  return std::any_of(options.begin(), options.end(),
                     [&](const Option& o) { return o.value == value; });
}

const Item* SurveyDefinition::FindHouseholdItem(std::string_view id) const {
  for (const Item& it : household)
    if (it.id == id) return &it;
  return nullptr;
}

const Item* SurveyDefinition::FindEvaluationItem(std::string_view id) const {
  for (const Item& it : evaluation)
    if (it.id == id) return &it;
  return nullptr;
}

std::vector<const Item*> SurveyDefinition::DimensionItems(std::string_view dimension) const {
  std::vector<const Item*> out;
  for (const Item& it : evaluation)
    if (it.dimension == dimension) out.push_back(&it);
  return out;
}

std::vector<const Item*> SurveyDefinition::LikertItems() const {
  std::vector<const Item*> out;
  for (const Item& it : evaluation)
    if (it.type == ItemType::kLikert) out.push_back(&it);
  return out;
}

int SurveyDefinition::StageBand(long long months) const {
  int band = 0;
  while (band < static_cast<int>(stages.size()) && months > stages[band]) ++band;
  return band;
}

std::vector<std::string> SurveyDefinition::StageBandLabels() const {
  std::vector<std::string> labels;
  int from = 0;
  for (int upper : stages) {
    labels.push_back(std::to_string(from) + "-" + std::to_string(upper));
    from = upper + 1;
  }
  if (!stages.empty()) labels.push_back(std::to_string(from) + "+");
  return labels;
}

const Item* SurveyDefinition::OverallItem() const {
  for (const Item& it : evaluation)
    if (it.role == "overall") return &it;
  return nullptr;
}

}  // namespace percept
