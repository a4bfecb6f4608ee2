#include "percept/survey_definition.h"


#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "json_pointer.h"

namespace percept {
namespace {

using nlohmann::json;

bool IsSlug(const std::string& s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool IsItemId(const std::string& s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Collects every problem of one definition instead of stopping at the first.
class DefinitionParser {
 public:
  explicit DefinitionParser(std::vector<Detail>* problems) : problems_(problems) {}

  void Problem(const std::string& path, const char* code, std::string message) {
    problems_->push_back({path, code, std::move(message)});
  }

  // Keys of `obj` not in `allowed` are reported: a typo such as "requried" must not pass silently.
  void CheckKeys(const json& obj, const std::string& path,
                 std::initializer_list<const char*> allowed) {
    for (const auto& entry : obj.items()) {
      const std::string& key = entry.key();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
        Problem(JoinPointer(path, key), "unknown_key", "'" + key + "' is not a known key here");
      }
    }
  }

  const json* Field(const json& obj, const std::string& path, const char* key, json::value_t type,
                    bool required) {
    auto it = obj.find(key);
    std::string p = JoinPointer(path, key);
    if (it == obj.end()) {
      if (required) Problem(p, "required", std::string("'") + key + "' is required");
      return nullptr;
    }
    bool ok =
        it->type() == type || (type == json::value_t::number_integer && it->is_number_unsigned());
    if (!ok) {
      Problem(p, "wrong_type", std::string("'") + key + "' must be " + TypeWord(type));
      return nullptr;
    }
    return &*it;
  }

  LocalizedText Text(const json& obj, const std::string& path, const char* key) {
    LocalizedText t;
    const json* v = Field(obj, path, key, json::value_t::object, true);
    if (!v) return t;
    std::string p = JoinPointer(path, key);
    CheckKeys(*v, p, {"es", "en"});
    if (const json* es = Field(*v, p, "es", json::value_t::string, true)) t.es = *es;
    if (const json* en = Field(*v, p, "en", json::value_t::string, true)) t.en = *en;
    return t;
  }

  static const char* TypeWord(json::value_t type) {
    switch (type) {
      case json::value_t::object:
        return "an object";
      case json::value_t::array:
        return "an array";
      case json::value_t::string:
        return "a string";
      case json::value_t::boolean:
        return "true or false";
      case json::value_t::number_integer:
        return "an integer";
      default:
        return "a value of another type";
    }
  }

 private:
  std::vector<Detail>* problems_;
};

std::optional<ItemType> ParseItemType(const std::string& s) {
  static const std::map<std::string, ItemType> kTypes = {
      {"likert", ItemType::kLikert},   {"single", ItemType::kSingle},
      {"multi", ItemType::kMulti},     {"integer", ItemType::kInteger},
      {"text", ItemType::kText},       {"date", ItemType::kDate},
      {"boolean", ItemType::kBoolean}, {"identifier", ItemType::kIdentifier}};
  auto it = kTypes.find(s);
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

// Parses the items of one section. `earlier` holds the items a relevance rule may point to
// (items asked before this one); it grows as the section is read.
std::vector<Item> ParseItems(DefinitionParser& p, const json& arr, const std::string& path,
                             const std::set<std::string>& dimension_ids,
                             std::map<std::string, const Item*>* earlier,
                             std::set<std::string>* all_ids, bool is_evaluation) {
  std::vector<Item> items;
  items.reserve(arr.size());
  for (size_t i = 0; i < arr.size(); ++i) {
    const json& j = arr[i];
    std::string ip = path + "/" + std::to_string(i);
    if (!j.is_object()) {
      p.Problem(ip, "wrong_type", "an item must be an object");
      continue;
    }
    p.CheckKeys(j, ip,
                {"id", "type", "label", "dimension", "role", "options", "min", "max", "pattern",
                 "max_length", "required", "relevant"});
    Item item;
    if (const json* id = p.Field(j, ip, "id", json::value_t::string, true)) {
      item.id = *id;
      if (!IsItemId(item.id)) {
        p.Problem(ip + "/id", "bad_id", "item ids are [a-z][a-z0-9_]{0,63}");
      } else if (!all_ids->insert(item.id).second) {
        p.Problem(ip + "/id", "duplicate_id", "item '" + item.id + "' is defined twice");
      }
    }
    if (const json* type = p.Field(j, ip, "type", json::value_t::string, true)) {
      auto t = ParseItemType(*type);
      if (!t) {
        p.Problem(
            ip + "/type", "unknown_type",
            "'" + type->get<std::string>() +
                "' is not one of likert, single, multi, integer, text, date, boolean, identifier");
      } else {
        item.type = *t;
      }
    }
    item.label = p.Text(j, ip, "label");
    if (const json* d = p.Field(j, ip, "dimension", json::value_t::string, false)) {
      item.dimension = *d;
      if (item.type != ItemType::kLikert) {
        p.Problem(ip + "/dimension", "not_allowed", "only likert items score a dimension");
      } else if (!dimension_ids.count(item.dimension)) {
        p.Problem(ip + "/dimension", "unknown_dimension",
                  "'" + item.dimension + "' is not declared in /dimensions");
      }
    }
    if (const json* r = p.Field(j, ip, "role", json::value_t::string, false)) {
      item.role = *r;
      if (item.role == "overall") {
        if (!is_evaluation || item.type != ItemType::kLikert || !item.dimension.empty()) {
          p.Problem(ip + "/role", "bad_role",
                    "the overall item is a likert evaluation item with no dimension");
        }
      } else if (item.role == "consent") {
        if (is_evaluation || item.type != ItemType::kBoolean) {
          p.Problem(ip + "/role", "bad_role", "the consent item is a boolean household item");
        }
      } else {
        p.Problem(ip + "/role", "unknown_role", "role is 'overall' or 'consent'");
      }
    }
    bool has_options = item.type == ItemType::kSingle || item.type == ItemType::kMulti;
    if (const json* opts = p.Field(j, ip, "options", json::value_t::array, has_options)) {
      if (!has_options)
        p.Problem(ip + "/options", "not_allowed", "only single and multi have options");
      if (opts->empty()) p.Problem(ip + "/options", "empty", "at least one option is needed");
      std::set<std::string> seen;
      for (size_t k = 0; k < opts->size(); ++k) {
        std::string op = ip + "/options/" + std::to_string(k);
        const json& o = (*opts)[k];
        if (!o.is_object()) {
          p.Problem(op, "wrong_type", "an option must be an object");
          continue;
        }
        p.CheckKeys(o, op, {"value", "label"});
        Option option;
        if (const json* v = p.Field(o, op, "value", json::value_t::string, true)) {
          option.value = *v;
          if (!seen.insert(option.value).second) {
            p.Problem(op + "/value", "duplicate_option", "'" + option.value + "' appears twice");
          }
        }
        option.label = p.Text(o, op, "label");
        item.options.push_back(std::move(option));
      }
    }
    if (const json* v = p.Field(j, ip, "min", json::value_t::number_integer, false))
      item.min = v->get<long long>();
    if (const json* v = p.Field(j, ip, "max", json::value_t::number_integer, false))
      item.max = v->get<long long>();
    if ((item.min || item.max) && item.type != ItemType::kInteger) {
      p.Problem(ip, "not_allowed", "min and max belong to integer items");
    }
    if (item.min && item.max && *item.min > *item.max) {
      p.Problem(ip + "/min", "bad_range", "min is greater than max");
    }
    if (item.type == ItemType::kIdentifier && is_evaluation) {
      p.Problem(ip + "/type", "not_allowed",
                "an identifier belongs to the household, asked once per interview");
    }
    if (const json* v = p.Field(j, ip, "pattern", json::value_t::string, false)) {
      item.pattern = *v;
      if (item.type != ItemType::kText && item.type != ItemType::kIdentifier)
        p.Problem(ip + "/pattern", "not_allowed", "only text items have a pattern");
      try {
        item.pattern_re = std::make_shared<const std::regex>(item.pattern, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        p.Problem(ip + "/pattern", "bad_pattern", std::string("not a valid regex: ") + e.what());
      }
    }
    if (const json* v = p.Field(j, ip, "max_length", json::value_t::number_integer, false)) {
      if (v->get<long long>() < 1)
        p.Problem(ip + "/max_length", "bad_range", "max_length must be >= 1");
      else
        item.max_length = v->get<size_t>();
    }
    if (const json* v = p.Field(j, ip, "required", json::value_t::boolean, false))
      item.required = *v;
    if (item.role == "consent" && !item.required) {
      p.Problem(ip + "/required", "consent_optional", "the consent item must be required");
    }
    if (const json* rel = p.Field(j, ip, "relevant", json::value_t::object, false)) {
      std::string rp = ip + "/relevant";
      p.CheckKeys(*rel, rp, {"item", "equals"});
      const json* target = p.Field(*rel, rp, "item", json::value_t::string, true);
      auto eq = rel->find("equals");
      if (eq == rel->end()) p.Problem(rp + "/equals", "required", "'equals' is required");
      if (target && eq != rel->end()) {
        auto t = earlier->find(target->get<std::string>());
        if (t == earlier->end()) {
          p.Problem(rp + "/item", "unknown_item",
                    "'" + target->get<std::string>() + "' is not an item asked before this one");
        } else {
          const Item& ti = *t->second;
          bool fits =
              (ti.type == ItemType::kBoolean && eq->is_boolean()) ||
              (ti.type == ItemType::kSingle && eq->is_string() &&
               ti.HasOption(eq->get<std::string>())) ||
              ((ti.type == ItemType::kInteger || ti.type == ItemType::kLikert) &&
               eq->is_number_integer()) ||
              ((ti.type == ItemType::kText || ti.type == ItemType::kDate) && eq->is_string());
          if (!fits) {
            p.Problem(rp + "/equals", "wrong_type",
                      "'equals' cannot be an answer of " + std::string(ItemTypeName(ti.type)) +
                          " item '" + ti.id + "'");
          }
          item.relevant = Relevance{ti.id, eq->dump()};
        }
      }
    }
    items.push_back(std::move(item));
    // Added once complete, so relevance never points to itself or ahead. The reserve() above
    // keeps the address stable, and moving the vector out keeps its buffer.
    if (!items.back().id.empty()) (*earlier)[items.back().id] = &items.back();
  }
  return items;
}

}  // namespace

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

const Item* SurveyDefinition::OverallItem() const {
  for (const Item& it : evaluation)
    if (it.role == "overall") return &it;
  return nullptr;
}

Result<SurveyDefinition> ParseSurveyDefinition(std::string_view json_text,
                                               const std::string& source_name) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Status::MalformedJson(source_name + ": not valid JSON");
  }
  std::vector<Detail> problems;
  DefinitionParser p(&problems);
  SurveyDefinition def;
  def.source_path = source_name;
  if (!doc.is_object()) {
    problems.push_back({"", "wrong_type", "a survey definition is a JSON object"});
  } else {
    p.CheckKeys(doc, "",
                {"id", "version", "title", "scale", "dimensions", "household", "evaluation"});
    if (const json* v = p.Field(doc, "", "id", json::value_t::string, true)) {
      def.id = *v;
      if (!IsSlug(def.id, 64)) p.Problem("/id", "bad_id", "survey ids are [a-z0-9-]{1,64}");
    }
    if (const json* v = p.Field(doc, "", "version", json::value_t::number_integer, true)) {
      if (v->get<long long>() < 1 || v->get<long long>() > 1000000) {
        p.Problem("/version", "bad_range", "version is a positive integer");
      } else {
        def.version = v->get<int>();
      }
    }
    def.title = p.Text(doc, "", "title");
    if (const json* s = p.Field(doc, "", "scale", json::value_t::object, true)) {
      p.CheckKeys(*s, "/scale", {"min", "max", "missing"});
      if (const json* v = p.Field(*s, "/scale", "min", json::value_t::number_integer, true))
        def.scale.min = *v;
      if (const json* v = p.Field(*s, "/scale", "max", json::value_t::number_integer, true))
        def.scale.max = *v;
      if (def.scale.min >= def.scale.max)
        p.Problem("/scale/max", "bad_range", "max must exceed min");
      // Scores are kept as exact integer sums (analytics/statistics.h): keep them far from
      // overflow.
      if (def.scale.min < -100 || def.scale.max > 100)
        p.Problem("/scale", "bad_range", "the scale lies within -100..100");
      if (const json* m = p.Field(*s, "/scale", "missing", json::value_t::object, false)) {
        for (const auto& [code, label] : m->items()) {
          std::string mp = "/scale/missing/" + EscapePointerToken(code);
          char* end = nullptr;
          long v = std::strtol(code.c_str(), &end, 10);
          if (code.empty() || *end != '\0') {
            p.Problem(mp, "bad_code", "missing codes are integers");
          } else if (v >= def.scale.min && v <= def.scale.max) {
            p.Problem(mp, "bad_code", "a missing code cannot be a point of the scale");
          } else if (!label.is_string()) {
            p.Problem(mp, "wrong_type", "a missing code's label is a string");
          } else {
            def.scale.missing[static_cast<int>(v)] = label.get<std::string>();
          }
        }
      }
    }
    std::set<std::string> dimension_ids;
    if (const json* dims = p.Field(doc, "", "dimensions", json::value_t::array, true)) {
      for (size_t i = 0; i < dims->size(); ++i) {
        std::string dp = "/dimensions/" + std::to_string(i);
        const json& d = (*dims)[i];
        if (!d.is_object()) {
          p.Problem(dp, "wrong_type", "a dimension is an object");
          continue;
        }
        p.CheckKeys(d, dp, {"id", "label"});
        Dimension dim;
        if (const json* id = p.Field(d, dp, "id", json::value_t::string, true)) {
          dim.id = *id;
          const auto& known = QualityDimensions();
          if (std::find(known.begin(), known.end(), dim.id) == known.end()) {
            p.Problem(dp + "/id", "unknown_dimension",
                      "'" + dim.id + "' is not one of the six quality dimensions");
          } else if (!dimension_ids.insert(dim.id).second) {
            p.Problem(dp + "/id", "duplicate_id", "dimension '" + dim.id + "' is declared twice");
          }
        }
        dim.label = p.Text(d, dp, "label");
        def.dimensions.push_back(std::move(dim));
      }
    }
    std::map<std::string, const Item*> earlier;
    std::set<std::string> all_ids;
    if (const json* h = p.Field(doc, "", "household", json::value_t::array, true)) {
      def.household = ParseItems(p, *h, "/household", dimension_ids, &earlier, &all_ids, false);
    }
    if (const json* e = p.Field(doc, "", "evaluation", json::value_t::array, true)) {
      def.evaluation = ParseItems(p, *e, "/evaluation", dimension_ids, &earlier, &all_ids, true);
      for (const auto& d : def.dimensions) {
        if (dimension_ids.count(d.id) && def.DimensionItems(d.id).empty()) {
          p.Problem("/evaluation", "dimension_without_items",
                    "no likert item scores dimension '" + d.id + "'");
        } else if (def.DimensionItems(d.id).size() > 12) {
          p.Problem("/evaluation", "too_many_items",
                    "dimension '" + d.id + "' has more than 12 items");
        }
      }
      int overall = 0;
      for (const Item& it : def.evaluation) overall += it.role == "overall";
      if (overall > 1) p.Problem("/evaluation", "duplicate_role", "more than one overall item");
    }
  }
  if (!problems.empty()) {
    return Status::ValidationFailed(source_name + ": not a valid survey definition (" +
                                        std::to_string(problems.size()) + " problem" +
                                        (problems.size() == 1 ? "" : "s") + ")",
                                    std::move(problems));
  }
  def.json = doc.dump();
  return def;
}

Result<SurveyDefinition> LoadSurveyDefinitionFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot be read");
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseSurveyDefinition(buf.str(), path);
}

}  // namespace percept
