// Reading a survey definition from JSON, every problem located (docs/formats.md): the top-level
// sections here, their items in item_parser.cc, both over definition_parser.h.
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "definition_parser.h"
#include "json_pointer.h"
#include "percept/survey_definition.h"

namespace percept {

using nlohmann::json;

namespace {

// "autonomy" and "stages" (docs/formats.md, "Part (b)").
void ParsePartB(DefinitionParser& p, const json& doc, SurveyDefinition* def) {
  if (const json* a = p.Field(doc, "", "autonomy", json::value_t::array, false)) {
    std::set<std::string> ids;
    for (size_t i = 0; i < a->size(); ++i) {
      const std::string ap = "/autonomy/" + std::to_string(i);
      const json& c = (*a)[i];
      if (!c.is_object()) {
        p.Problem(ap, "wrong_type", "a component of autonomy is an object");
        continue;
      }
      p.CheckKeys(c, ap, {"id", "item", "equals"});
      AutonomyComponent component;
      if (const json* id = p.Field(c, ap, "id", json::value_t::string, true)) {
        component.id = *id;
        if (!ids.insert(component.id).second)
          p.Problem(ap + "/id", "duplicate_id", "component '" + component.id + "' twice");
      }
      const json* item = p.Field(c, ap, "item", json::value_t::string, true);
      auto eq = c.find("equals");
      if (eq == c.end()) p.Problem(ap + "/equals", "required", "'equals' is required");
      if (item && eq != c.end()) {
        const Item* it = def->FindEvaluationItem(item->get<std::string>());
        const bool fits = it && ((it->type == ItemType::kBoolean && eq->is_boolean()) ||
                                 (it->type == ItemType::kSingle && eq->is_string() &&
                                  it->HasOption(eq->get<std::string>())));
        if (!it) {
          p.Problem(ap + "/item", "unknown_item",
                    "'" + item->get<std::string>() + "' is not an evaluation item");
        } else if (!fits) {
          p.Problem(ap + "/equals", "wrong_type",
                    "a component is a yes/no item's answer or a single choice's option");
        }
        component.item = *item;
        component.equals_json = eq->dump();
      }
      def->autonomy.push_back(std::move(component));
    }
  }
  int stage_items = 0;
  for (const Item& it : def->household) stage_items += it.role == "stage";
  if (const json* s = p.Field(doc, "", "stages", json::value_t::array, false)) {
    for (size_t i = 0; i < s->size(); ++i) {
      const json& v = (*s)[i];
      if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 1200 ||
          (i > 0 && v.get<long long>() <= def->stages.back())) {
        p.Problem("/stages/" + std::to_string(i), "bad_range",
                  "stages are ascending whole months, 1 to 1200");
        continue;
      }
      def->stages.push_back(v.get<int>());
    }
    if (stage_items != 1) {
      p.Problem("/stages", "stage_without_item", "stages need one household item of role stage");
    }
  } else if (stage_items > 0) {
    p.Problem("/household", "stage_without_bands", "an item of role stage needs /stages");
  }
  if (stage_items > 1) p.Problem("/household", "duplicate_role", "more than one stage item");
}

}  // namespace

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
                {"id", "version", "title", "scale", "dimensions", "household", "evaluation",
                 "autonomy", "stages"});
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
    ParsePartB(p, doc, &def);
  }
  if (!problems.empty()) {
    return Status::ValidationFailed(source_name + ": not a valid survey definition (" +
                                        std::to_string(problems.size()) + " problem" +
                                        (problems.size() == 1 ? "" : "s") + ")",
                                    std::move(problems));
  }
  for (const Item& it : def.evaluation) {
    if (it.type == ItemType::kBoolean) {
      def.indicators.push_back({it.id, "", it.valence, it.high_severity});
    } else if (it.type == ItemType::kSingle || it.type == ItemType::kMulti) {
      for (const Option& o : it.options)
        def.indicators.push_back({it.id, o.value, o.valence, o.high_severity});
    }
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
