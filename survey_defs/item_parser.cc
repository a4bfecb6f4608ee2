#include <algorithm>
#include <map>
#include <optional>

#include "definition_parser.h"

namespace percept {

using nlohmann::json;

namespace {

bool IsItemId(const std::string& s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::optional<ItemType> ParseItemType(const std::string& s) {
  static const std::map<std::string, ItemType> kTypes = {{"likert", ItemType::kLikert},
                                                         {"single", ItemType::kSingle},
                                                         {"multi", ItemType::kMulti},
                                                         {"integer", ItemType::kInteger},
                                                         {"text", ItemType::kText},
                                                         {"date", ItemType::kDate},
                                                         {"boolean", ItemType::kBoolean},
                                                         {"identifier", ItemType::kIdentifier},
                                                         {"institution", ItemType::kInstitution}};
  auto it = kTypes.find(s);
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

// "valence" and "severity" of an option or of a yes/no item (its answer true).
void ParseValence(DefinitionParser& p, const json& j, const std::string& path, Valence* valence,
                  bool* high) {
  if (const json* v = p.Field(j, path, "valence", json::value_t::string, false)) {
    if (*v == "good")
      *valence = Valence::kGood;
    else if (*v == "bad")
      *valence = Valence::kBad;
    else
      p.Problem(path + "/valence", "bad_valence", "valence is 'good' or 'bad'");
  }
  if (const json* s = p.Field(j, path, "severity", json::value_t::string, false)) {
    if (*valence == Valence::kNone)
      p.Problem(path + "/severity", "not_allowed", "severity goes with a valence");
    if (*s == "high")
      *high = true;
    else if (*s != "medium")
      p.Problem(path + "/severity", "bad_severity", "severity is 'high' or 'medium'");
  }
}

}  // namespace

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
                 "max_length", "required", "relevant", "valence", "severity"});
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
                "' is not one of likert, single, multi, integer, text, date, boolean, identifier, "
                "institution");
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
      } else if (item.role == "stage") {
        if (is_evaluation || item.type != ItemType::kInteger) {
          p.Problem(ip + "/role", "bad_role",
                    "the stage item is an integer household item (months in the programme)");
        }
      } else if (item.role == "proposal") {
        if (!is_evaluation || item.type != ItemType::kText) {
          p.Problem(ip + "/role", "bad_role", "a proposal is a text evaluation item");
        }
      } else {
        p.Problem(ip + "/role", "unknown_role",
                  "role is 'overall', 'consent', 'stage' or 'proposal'");
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
        p.CheckKeys(o, op, {"value", "label", "valence", "severity"});
        Option option;
        if (const json* v = p.Field(o, op, "value", json::value_t::string, true)) {
          option.value = *v;
          if (!seen.insert(option.value).second) {
            p.Problem(op + "/value", "duplicate_option", "'" + option.value + "' appears twice");
          }
        }
        option.label = p.Text(o, op, "label");
        ParseValence(p, o, op, &option.valence, &option.high_severity);
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
    ParseValence(p, j, ip, &item.valence, &item.high_severity);
    if (item.valence != Valence::kNone && item.type != ItemType::kBoolean) {
      p.Problem(ip + "/valence", "not_allowed",
                "a valence belongs to a yes/no item or to the options of a choice");
    }
    if (item.type == ItemType::kInstitution && !is_evaluation) {
      p.Problem(ip + "/type", "not_allowed",
                "an institution item belongs to an evaluation (who referred the family)");
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
          bool fits = (ti.type == ItemType::kBoolean && eq->is_boolean()) ||
                      (ti.type == ItemType::kSingle && eq->is_string() &&
                       ti.HasOption(eq->get<std::string>())) ||
                      ((ti.type == ItemType::kInteger || ti.type == ItemType::kLikert) &&
                       eq->is_number_integer()) ||
                      ((ti.type == ItemType::kText || ti.type == ItemType::kDate ||
                        ti.type == ItemType::kInstitution) &&
                       eq->is_string());
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

}  // namespace percept
