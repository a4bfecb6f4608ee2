// The machinery of the survey-definition loader: a parser that collects every problem with its
// JSON pointer, and the parsing of a section's items. Internal to survey_defs/.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "json_pointer.h"
#include "percept/base/status.h"
#include "percept/survey_definition.h"

namespace percept {

// Collects every problem of one definition instead of stopping at the first.
class DefinitionParser {
 public:
  using json = nlohmann::json;

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

// Whether `s` is a survey id: [a-z0-9-], 1 to `max_len` characters.
inline bool IsSlug(const std::string& s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// Parses the items of one section. `earlier` holds the items a relevance rule may point to
// (items asked before this one); it grows as the section is read. `all_ids` gathers every id.
std::vector<Item> ParseItems(DefinitionParser& p, const nlohmann::json& arr,
                             const std::string& path, const std::set<std::string>& dimension_ids,
                             std::map<std::string, const Item*>* earlier,
                             std::set<std::string>* all_ids, bool is_evaluation);

}  // namespace percept
