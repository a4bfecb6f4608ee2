// The ODK XForms of docs/openrosa.md, written with pugixml: an instance, its binds, itext in
// Spanish and English, and the body's controls.
#include "percept/xform.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <sstream>

#include "percept/base/crypto.h"

namespace percept {

using nlohmann::json;

namespace {

constexpr const char* kHousehold = "/data/household/";
constexpr const char* kEvaluation = "/data/evaluation/";
constexpr const char* kConsentGiven = "'1'";  // a yes/no answer's value for yes

// The itext labels, in the order they are made, for both languages.
class Texts {
 public:
  // Adds a label and returns the reference a control's <label> gives it.
  std::string Add(const std::string& id, const LocalizedText& text) {
    texts_.push_back({id, text});
    return "jr:itext('" + id + "')";
  }
  void WriteTo(pugi::xml_node itext) const {
    for (const char* lang : {"es", "en"}) {
      pugi::xml_node t = itext.append_child("translation");
      t.append_attribute("lang") = std::string(lang) == "es" ? "Español (es)" : "English (en)";
      if (std::string(lang) == "es") t.append_attribute("default") = "true()";
      for (const auto& [id, text] : texts_) {
        pugi::xml_node e = t.append_child("text");
        e.append_attribute("id") = id.c_str();
        const std::string& value = std::string(lang) == "es" ? text.es : text.en;
        e.append_child("value").text() = (value.empty() ? text.es : value).c_str();
      }
    }
  }

 private:
  std::vector<std::pair<std::string, LocalizedText>> texts_;
};

// "no sabe / don't know" as its Spanish and English halves.
LocalizedText SplitLabel(const std::string& both) {
  const size_t slash = both.find(" / ");
  if (slash == std::string::npos) return {both, both};
  return {both.substr(0, slash), both.substr(slash + 3)};
}

// `text` as an XPath string literal.
std::string Literal(const std::string& text) {
  return text.find('\'') == std::string::npos ? "'" + text + "'" : "\"" + text + "\"";
}

// The value an answer takes in the XForm for a definition's JSON value (relevance).
std::string XFormValue(const std::string& json_value) {
  if (json_value == "true") return "1";
  if (json_value == "false") return "0";
  auto v = json::parse(json_value, nullptr, false);
  return v.is_string() ? v.get<std::string>() : json_value;
}

bool IsChoice(const Item& it) {
  return it.type == ItemType::kLikert || it.type == ItemType::kSingle ||
         it.type == ItemType::kBoolean;
}

class XFormWriter {
 public:
  XFormWriter(const SurveyDefinition& def, const std::vector<Institution>& institutions)
      : def_(def), institutions_(institutions) {}

  std::string Write() {
    pugi::xml_document doc;
    pugi::xml_node decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    pugi::xml_node html = doc.append_child("h:html");
    html.append_attribute("xmlns") = "http://www.w3.org/2002/xforms";
    html.append_attribute("xmlns:h") = "http://www.w3.org/1999/xhtml";
    html.append_attribute("xmlns:ev") = "http://www.w3.org/2001/xml-events";
    html.append_attribute("xmlns:jr") = "http://openrosa.org/javarosa";
    html.append_attribute("xmlns:odk") = "http://www.opendatakit.org/xforms";
    html.append_attribute("xmlns:orx") = "http://openrosa.org/xforms";
    pugi::xml_node head = html.append_child("h:head");
    head.append_child("h:title").text() = def_.title.es.c_str();
    model_ = head.append_child("model");
    model_.append_attribute("odk:xforms-version") = "1.0.0";
    pugi::xml_node itext = model_.append_child("itext");
    Instance();
    Institutions();
    body_ = html.append_child("h:body");
    Meta();
    Household();
    Evaluations();
    texts_.WriteTo(itext);
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
    return out.str();
  }

 private:
  void Instance() {
    pugi::xml_node data = model_.append_child("instance").append_child("data");
    data.append_attribute("id") = def_.id.c_str();
    data.append_attribute("version") = std::to_string(def_.version).c_str();
    for (const char* meta : {"start", "end", "deviceid"}) data.append_child(meta);
    pugi::xml_node household = data.append_child("household");
    for (const Item& it : def_.household) household.append_child(it.id.c_str());
    pugi::xml_node evaluation = data.append_child("evaluation");
    evaluation.append_attribute("jr:template") = "";
    evaluation.append_child("institution_id");
    for (const Item& it : def_.evaluation) evaluation.append_child(it.id.c_str());
    data.append_child("meta").append_child("instanceID");
  }

  // A secondary instance of the institutions, each with its comuna, for the repeat's choice.
  void Institutions() {
    pugi::xml_node instance = model_.append_child("instance");
    instance.append_attribute("id") = "institutions";
    pugi::xml_node root = instance.append_child("root");
    std::vector<const Institution*> sorted;
    for (const Institution& i : institutions_) sorted.push_back(&i);
    std::sort(sorted.begin(), sorted.end(),
              [](const Institution* a, const Institution* b) { return a->id < b->id; });
    for (const Institution* i : sorted) {
      pugi::xml_node item = root.append_child("item");
      item.append_child("name").text() = i->id.c_str();
      item.append_child("label").text() = i->name.c_str();
      item.append_child("comuna").text() = i->comuna.c_str();
    }
  }

  pugi::xml_node Bind(const std::string& nodeset, const char* type) {
    pugi::xml_node b = model_.append_child("bind");
    b.append_attribute("nodeset") = nodeset.c_str();
    b.append_attribute("type") = type;
    return b;
  }

  void Meta() {
    Bind("/data/start", "dateTime").append_attribute("jr:preload") = "timestamp";
    model_.last_child().append_attribute("jr:preloadParams") = "start";
    Bind("/data/end", "dateTime").append_attribute("jr:preload") = "timestamp";
    model_.last_child().append_attribute("jr:preloadParams") = "end";
    Bind("/data/deviceid", "string").append_attribute("jr:preload") = "property";
    model_.last_child().append_attribute("jr:preloadParams") = "deviceid";
    pugi::xml_node id = Bind("/data/meta/instanceID", "string");
    id.append_attribute("readonly") = "true()";
    id.append_attribute("jr:preload") = "uid";
  }

  // The consent item's path, when the definition has one: everything else waits for a yes.
  std::string ConsentPath() const {
    for (const Item& it : def_.household)
      if (it.role == "consent") return kHousehold + it.id;
    return "";
  }

  std::string RelevantOf(const Item& it, const std::string& section) const {
    std::vector<std::string> terms;
    const std::string consent = ConsentPath();
    if (!consent.empty() && it.role != "consent" && section == kHousehold) {
      terms.push_back(consent + " = " + kConsentGiven);
    }
    if (it.relevant) {
      const std::string other =
          section == kHousehold ? kHousehold + it.relevant->item : "../" + it.relevant->item;
      const Item* target = section == kHousehold ? def_.FindHouseholdItem(it.relevant->item)
                                                 : def_.FindEvaluationItem(it.relevant->item);
      const std::string value = XFormValue(it.relevant->equals_json);
      terms.push_back(target && target->type == ItemType::kMulti
                          ? "selected(" + other + ", " + Literal(value) + ")"
                          : other + " = " + Literal(value));
    }
    std::string out;
    for (const std::string& t : terms) out += (out.empty() ? "" : " and ") + t;
    return out;
  }

  void BindItem(const Item& it, const std::string& section) {
    const std::string path = section + it.id;
    const char* type = it.type == ItemType::kInteger ? "int"
                       : it.type == ItemType::kDate  ? "date"
                                                     : "string";
    pugi::xml_node b = Bind(path, type);
    if (it.required) b.append_attribute("required") = "true()";
    const std::string relevant = RelevantOf(it, section);
    if (!relevant.empty()) b.append_attribute("relevant") = relevant.c_str();
    std::string constraint, message;
    if (it.role == "consent") {
      constraint = std::string(". = ") + kConsentGiven;
      message = "Sin consentimiento no se hace la entrevista / No interview without consent";
    } else if (it.type == ItemType::kInteger && (it.min || it.max)) {
      if (it.min) constraint = ". >= " + std::to_string(*it.min);
      if (it.max)
        constraint += (constraint.empty() ? "" : " and ") + (". <= " + std::to_string(*it.max));
      message = "Entre / Between " + (it.min ? std::to_string(*it.min) : "") + " – " +
                (it.max ? std::to_string(*it.max) : "");
    } else if (it.type == ItemType::kText || it.type == ItemType::kIdentifier) {
      constraint = "string-length(.) <= " + std::to_string(it.max_length);
      if (!it.pattern.empty()) constraint += " and regex(., " + Literal(it.pattern) + ")";
      message = "Revise el formato / Check the format";
    }
    if (!constraint.empty()) {
      b.append_attribute("constraint") = constraint.c_str();
      b.append_attribute("jr:constraintMsg") = message.c_str();
    }
  }

  void Choice(pugi::xml_node control, const std::string& path, const std::string& value,
              const LocalizedText& label) {
    pugi::xml_node item = control.append_child("item");
    item.append_child("label").append_attribute("ref") =
        texts_.Add(path + "/" + value + ":label", label).c_str();
    item.append_child("value").text() = value.c_str();
  }

  // A choice among the institutions of the household's comuna (the secondary instance, filtered
  // by the comuna answer when the household has one).
  void InstitutionChoice(pugi::xml_node parent, const std::string& path,
                         const LocalizedText& label) {
    pugi::xml_node choose = parent.append_child("select1");
    choose.append_attribute("ref") = path.c_str();
    choose.append_child("label").append_attribute("ref") =
        texts_.Add(path + ":label", label).c_str();
    pugi::xml_node itemset = choose.append_child("itemset");
    itemset.append_attribute("nodeset") =
        def_.FindHouseholdItem("comuna")
            ? "instance('institutions')/root/item[comuna = /data/household/comuna]"
            : "instance('institutions')/root/item";
    itemset.append_child("value").append_attribute("ref") = "name";
    itemset.append_child("label").append_attribute("ref") = "label";
  }

  void Control(pugi::xml_node parent, const Item& it, const std::string& section) {
    const std::string path = section + it.id;
    if (it.type == ItemType::kInstitution) return InstitutionChoice(parent, path, it.label);
    const char* tag = it.type == ItemType::kMulti ? "select" : IsChoice(it) ? "select1" : "input";
    pugi::xml_node control = parent.append_child(tag);
    control.append_attribute("ref") = path.c_str();
    if (it.type == ItemType::kLikert) control.append_attribute("appearance") = "likert";
    control.append_child("label").append_attribute("ref") =
        texts_.Add(path + ":label", it.label).c_str();
    if (it.type == ItemType::kLikert) {
      for (int v = def_.scale.min; v <= def_.scale.max; ++v) {
        Choice(control, path, std::to_string(v), {std::to_string(v), std::to_string(v)});
      }
      for (const auto& [code, label] : def_.scale.missing) {
        Choice(control, path, std::to_string(code), SplitLabel(label));
      }
    } else if (it.type == ItemType::kBoolean) {
      Choice(control, path, "1", {"Sí", "Yes"});
      Choice(control, path, "0", {"No", "No"});
    } else {
      for (const Option& o : it.options) Choice(control, path, o.value, o.label);
    }
  }

  void Household() {
    pugi::xml_node group = body_.append_child("group");
    group.append_attribute("ref") = "/data/household";
    group.append_child("label").append_attribute("ref") =
        texts_.Add("/data/household:label", {"Hogar", "Household"}).c_str();
    for (const Item& it : def_.household) {
      BindItem(it, kHousehold);
      Control(group, it, kHousehold);
    }
  }

  void Evaluations() {
    pugi::xml_node group = body_.append_child("group");
    group.append_attribute("ref") = "/data/evaluation";
    group.append_child("label").append_attribute("ref") =
        texts_
            .Add("/data/evaluation:label",
                 {"Instituciones que usó la familia", "Institutions the family used"})
            .c_str();
    pugi::xml_node repeat = group.append_child("repeat");
    repeat.append_attribute("nodeset") = "/data/evaluation";
    const std::string consent = ConsentPath();
    if (!consent.empty()) {
      Bind("/data/evaluation", "string").append_attribute("relevant") =
          (consent + " = " + kConsentGiven).c_str();
      model_.last_child().remove_attribute("type");
    }
    // The institution: one of those of the household's comuna.
    pugi::xml_node inst = Bind(std::string(kEvaluation) + "institution_id", "string");
    inst.append_attribute("required") = "true()";
    InstitutionChoice(repeat, std::string(kEvaluation) + "institution_id",
                      {"Institución que evalúa la familia", "Institution the family evaluates"});
    for (const Item& it : def_.evaluation) {
      BindItem(it, kEvaluation);
      Control(repeat, it, kEvaluation);
    }
  }

  const SurveyDefinition& def_;
  const std::vector<Institution>& institutions_;
  pugi::xml_node model_, body_;
  Texts texts_;
};

// Whether `xml` holds a DTD or entity declaration (never processed: refused), ignoring case.
bool DeclaresEntities(std::string_view xml) {
  for (size_t at = xml.find("<!"); at != std::string_view::npos; at = xml.find("<!", at + 2)) {
    std::string word;
    for (size_t i = at + 2; i < xml.size() && i < at + 9; ++i)
      word += static_cast<char>(std::toupper(static_cast<unsigned char>(xml[i])));
    if (word.rfind("DOCTYPE", 0) == 0 || word.rfind("ENTITY", 0) == 0) return true;
  }
  return false;
}

int Depth(pugi::xml_node node) {
  int deepest = 0;
  // Iterative: an instance nested thousands deep must not take the stack with it.
  std::vector<std::pair<pugi::xml_node, int>> todo = {{node, 1}};
  while (!todo.empty()) {
    auto [n, d] = todo.back();
    todo.pop_back();
    deepest = std::max(deepest, d);
    if (d > kMaxInstanceDepth) break;
    for (pugi::xml_node c : n.children())
      if (c.type() == pugi::node_element) todo.push_back({c, d + 1});
  }
  return deepest;
}

// An answer's JSON value from its text, by its item's type; text as given when it does not fit
// the type (the validator then says what is wrong).
json Answer(const Item* item, const std::string& text) {
  if (!item) return text;
  switch (item->type) {
    case ItemType::kLikert:
    case ItemType::kInteger: {
      size_t used = 0;
      try {
        const long long v = std::stoll(text, &used);
        if (used == text.size()) return v;
      } catch (const std::exception&) {
      }
      return text;
    }
    case ItemType::kBoolean:
      if (text == "1" || text == "true" || text == "yes") return true;
      if (text == "0" || text == "false" || text == "no") return false;
      return text;
    case ItemType::kMulti: {
      json values = json::array();
      std::istringstream words(text);
      for (std::string w; words >> w;) values.push_back(w);
      return values;
    }
    default:
      return text;
  }
}

json Answers(pugi::xml_node section, const std::vector<Item>* items, const char* skip = nullptr) {
  json out = json::object();
  for (pugi::xml_node e : section.children()) {
    if (e.type() != pugi::node_element) continue;
    const std::string name = e.name();
    if (skip && name == skip) continue;
    const std::string text = e.child_value();
    if (text.empty()) continue;  // not asked, or not answered
    const Item* item = nullptr;
    if (items) {
      for (const Item& it : *items)
        if (it.id == name) item = &it;
    }
    out[name] = Answer(item, text);
  }
  return out;
}

}  // namespace

std::string XFormOf(const SurveyDefinition& def, const std::vector<Institution>& institutions) {
  return XFormWriter(def, institutions).Write();
}

std::string XFormHash(std::string_view xform) { return "md5:" + Hex(Md5(xform)); }

Result<json> SubmissionFromXml(std::string_view xml, const SurveyCatalog& catalog) {
  if (xml.size() > kMaxInstanceBytes) {
    return Status::PayloadTooLarge("the submission is over " +
                                   std::to_string(kMaxInstanceBytes / 1024) + " KiB");
  }
  if (DeclaresEntities(xml)) {
    return Status::MalformedXml("a DTD or entity declaration: not accepted in a submission");
  }
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(
      xml.data(), xml.size(), pugi::parse_default & ~pugi::parse_doctype, pugi::encoding_utf8);
  if (!parsed) {
    return Status::MalformedXml(std::string("not well-formed XML: ") + parsed.description() +
                                " at byte " + std::to_string(parsed.offset));
  }
  const pugi::xml_node root = doc.document_element();
  if (!root) return Status::MalformedXml("no root element");
  if (Depth(root) > kMaxInstanceDepth) {
    return Status::MalformedXml("elements nest deeper than " + std::to_string(kMaxInstanceDepth));
  }
  json out = json::object();
  const std::string survey = root.attribute("id").value();
  const std::string version_text = root.attribute("version").value();
  out["survey_id"] = survey;
  out["survey_version"] = Answer(nullptr, version_text);
  int version = 0;
  try {
    version = std::stoi(version_text);
    out["survey_version"] = version;
  } catch (const std::exception&) {
  }
  const SurveyDefinition* def = catalog.Find(survey, version);
  std::string instance_id = root.child("meta").child_value("instanceID");
  if (instance_id.rfind("uuid:", 0) == 0) instance_id = instance_id.substr(5);
  if (!instance_id.empty()) out["instance_id"] = instance_id;
  // A correction names the interview it replaces (ODK's meta/deprecatedID).
  std::string deprecated = root.child("meta").child_value("deprecatedID");
  if (deprecated.rfind("uuid:", 0) == 0) deprecated = deprecated.substr(5);
  if (!deprecated.empty()) out["deprecated_id"] = deprecated;
  for (const auto& [field, element] : {std::pair<const char*, const char*>{"device_id", "deviceid"},
                                       {"started_at", "start"},
                                       {"completed_at", "end"}}) {
    const std::string value = root.child_value(element);
    if (!value.empty()) out[field] = value;
  }
  out["household"] = Answers(root.child("household"), def ? &def->household : nullptr);
  json evaluations = json::array();
  for (pugi::xml_node e : root.children("evaluation")) {
    json evaluation = {{"institution_id", e.child_value("institution_id")},
                       {"answers", Answers(e, def ? &def->evaluation : nullptr, "institution_id")}};
    evaluations.push_back(std::move(evaluation));
  }
  out["evaluations"] = std::move(evaluations);
  return out;
}

}  // namespace percept
