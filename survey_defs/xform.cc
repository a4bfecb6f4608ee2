// The ODK XForms of docs/openrosa.md, written with pugixml: an instance, its binds, itext in
// Spanish and English, and the body's controls.
#include "percept/xform.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <sstream>

#include "percept/base/crypto.h"
#include "percept/base/utf8.h"

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

// Refuses the characters JSON could never carry into a submission (docs/openrosa.md,
// "What an instance may hold"): bytes that are not UTF-8, control characters other than tab and
// line breaks, and character references to them, to surrogates or to nothing (pugixml would
// write those as bytes that are not UTF-8, or cut the text at a NUL).
Status CheckInstanceText(std::string_view xml) {
  if (const size_t bad = InvalidUtf8At(xml); bad != std::string_view::npos)
    return Status::MalformedXml("not UTF-8 at byte " + std::to_string(bad));
  if (HasControlCodePoint(xml, /*allow_lines=*/true))
    return Status::MalformedXml("a control character: an instance holds none but line breaks");
  for (size_t at = xml.find("&#"); at != std::string_view::npos; at = xml.find("&#", at + 2)) {
    size_t i = at + 2;
    const bool hex = i < xml.size() && (xml[i] == 'x' || xml[i] == 'X');
    if (hex) ++i;
    unsigned long cp = 0;
    size_t digits = 0;
    for (; i < xml.size() && xml[i] != ';' && digits < 9; ++i, ++digits) {
      const int d = std::isdigit(static_cast<unsigned char>(xml[i]))   ? xml[i] - '0'
                    : hex && std::isxdigit(static_cast<unsigned char>(xml[i]))
                        ? std::tolower(static_cast<unsigned char>(xml[i])) - 'a' + 10
                        : -1;
      if (d < 0) break;
      cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(d);
    }
    if (i >= xml.size() || xml[i] != ';' || digits == 0) continue;  // the parser's to judge
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF ||
        IsControlCodePoint(static_cast<unsigned>(cp), /*allow_lines=*/true)) {
      return Status::MalformedXml("the character reference " + std::string(xml.substr(at, i - at + 1)) +
                                  " names no character an answer may hold");
    }
  }
  return Status::Ok();
}

// The text of an element that should hold only text: its text and CDATA joined. Refused when it
// holds elements (mixed content such as 3<x/>7 would otherwise read as 3).
Result<std::string> TextOf(pugi::xml_node e) {
  std::string text;
  for (pugi::xml_node c : e.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      text += c.value();
    } else if (c.type() == pugi::node_element) {
      return Status::MalformedXml("<" + std::string(e.name()) + "> holds the element <" +
                                  c.name() + "> where an answer is text");
    }
  }
  return text;
}

// The one child element `name` of `parent`, if any; refused when there are two (JSON refuses a
// key given twice, and the XML must not read differently).
Result<pugi::xml_node> OnlyChild(pugi::xml_node parent, const char* name) {
  pugi::xml_node first = parent.child(name);
  if (first && first.next_sibling(name))
    return Status::MalformedXml("<" + std::string(name) + "> given twice in <" + parent.name() + ">");
  return first;
}

// The text of the one child `name` of `parent` ("" when absent).
Result<std::string> OnlyChildText(pugi::xml_node parent, const char* name) {
  auto child = OnlyChild(parent, name);
  if (!child.ok()) return child.status();
  if (!*child) return std::string();
  return TextOf(*child);
}

// An integer written as XForms writes one: an optional minus and digits, nothing around them.
bool ParseInteger(const std::string& text, long long* out) {
  const size_t first = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == first || text.size() - first > 18) return false;
  for (size_t i = first; i < text.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  *out = std::stoll(text);
  return true;
}

// An answer's JSON value from its text, by its item's type; text as given when it does not fit
// the type (the validator then says what is wrong).
json Answer(const Item* item, const std::string& text) {
  if (!item) return text;
  switch (item->type) {
    case ItemType::kLikert:
    case ItemType::kInteger: {
      long long v = 0;
      if (ParseInteger(text, &v)) return v;
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

Result<json> Answers(pugi::xml_node section, const std::vector<Item>* items,
                     const char* skip = nullptr) {
  json out = json::object();
  for (pugi::xml_node e : section.children()) {
    if (e.type() != pugi::node_element) continue;
    const std::string name = e.name();
    if (skip && name == skip) continue;
    if (out.contains(name) || e.next_sibling(name.c_str()))
      return Status::MalformedXml("the answer <" + name + "> given twice in <" + section.name() + ">");
    auto text = TextOf(e);
    if (!text.ok()) return text.status();
    if (text->empty()) continue;  // not asked, or not answered
    const Item* item = nullptr;
    if (items) {
      for (const Item& it : *items)
        if (it.id == name) item = &it;
    }
    out[name] = Answer(item, *text);
  }
  return out;
}

// What an instance means, as it is kept (docs/openrosa.md, "What is kept"): its elements and
// their text, the root's own attributes (id, version, namespaces); no comments, processing
// instructions, other attributes, or white space between elements. Drops, in place, what it
// does not keep.
std::string CanonicalInstance(pugi::xml_document& doc) {
  std::vector<pugi::xml_node> todo = {doc.document_element()};
  while (!todo.empty()) {
    pugi::xml_node n = todo.back();
    todo.pop_back();
    if (n != doc.document_element()) {
      while (n.first_attribute()) n.remove_attribute(n.first_attribute());
    }
    const bool has_elements = static_cast<bool>(n.find_child(
        [](pugi::xml_node c) { return c.type() == pugi::node_element; }));
    for (pugi::xml_node c = n.first_child(); c;) {
      pugi::xml_node next = c.next_sibling();
      if (c.type() == pugi::node_element) {
        todo.push_back(c);
      } else if (c.type() != pugi::node_pcdata && c.type() != pugi::node_cdata) {
        n.remove_child(c);
      } else if (has_elements) {
        n.remove_child(c);  // white space between elements (text beside elements is refused)
      }
      c = next;
    }
  }
  for (pugi::xml_node c = doc.first_child(); c;) {
    pugi::xml_node next = c.next_sibling();
    if (c != doc.document_element()) doc.remove_child(c);
    c = next;
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return out.str();
}

}  // namespace

std::string XFormOf(const SurveyDefinition& def, const std::vector<Institution>& institutions) {
  return XFormWriter(def, institutions).Write();
}

std::string XFormHash(std::string_view xform) { return "md5:" + Hex(Md5(xform)); }

Result<json> SubmissionFromXml(std::string_view xml, const SurveyCatalog& catalog,
                               std::string* canonical) {
  if (xml.size() > kMaxInstanceBytes) {
    return Status::InputTooLarge("the submission is over " +
                                   std::to_string(kMaxInstanceBytes / 1024) + " KiB");
  }
  if (DeclaresEntities(xml)) {
    return Status::MalformedXml("a DTD or entity declaration: not accepted in a submission");
  }
  if (Status text = CheckInstanceText(xml); !text.ok()) return text;
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
  // Digits alone ("1junk", "1.9" and " 1" stay text, which the validator refuses).
  long long version = 0;
  if (ParseInteger(version_text, &version) && version_text[0] != '-')
    out["survey_version"] = version;
  else
    out["survey_version"] = version_text;
  const SurveyDefinition* def =
      version > 0 && version <= INT32_MAX ? catalog.Find(survey, static_cast<int>(version)) : nullptr;
  auto meta = OnlyChild(root, "meta");
  if (!meta.ok()) return meta.status();
  auto instance_id = OnlyChildText(*meta, "instanceID");
  if (!instance_id.ok()) return instance_id.status();
  if (instance_id->rfind("uuid:", 0) == 0) *instance_id = instance_id->substr(5);
  if (!instance_id->empty()) out["instance_id"] = *instance_id;
  // A correction names the interview it replaces (ODK's meta/deprecatedID).
  auto deprecated = OnlyChildText(*meta, "deprecatedID");
  if (!deprecated.ok()) return deprecated.status();
  if (deprecated->rfind("uuid:", 0) == 0) *deprecated = deprecated->substr(5);
  if (!deprecated->empty()) out["deprecated_id"] = *deprecated;
  for (const auto& [field, element] : {std::pair<const char*, const char*>{"device_id", "deviceid"},
                                       {"started_at", "start"},
                                       {"completed_at", "end"}}) {
    auto value = OnlyChildText(root, element);
    if (!value.ok()) return value.status();
    if (!value->empty()) out[field] = *value;
  }
  auto household_node = OnlyChild(root, "household");
  if (!household_node.ok()) return household_node.status();
  auto household = Answers(*household_node, def ? &def->household : nullptr);
  if (!household.ok()) return household.status();
  out["household"] = std::move(*household);
  json evaluations = json::array();
  for (pugi::xml_node e : root.children("evaluation")) {
    auto institution = OnlyChildText(e, "institution_id");
    if (!institution.ok()) return institution.status();
    auto answers = Answers(e, def ? &def->evaluation : nullptr, "institution_id");
    if (!answers.ok()) return answers.status();
    evaluations.push_back({{"institution_id", *institution}, {"answers", std::move(*answers)}});
  }
  out["evaluations"] = std::move(evaluations);
  if (canonical) {
    *canonical = CanonicalInstance(doc);
    if (canonical->size() > kMaxStoredInstanceBytes) {
      return Status::InputTooLarge("the instance is over " +
                                     std::to_string(kMaxStoredInstanceBytes / 1024) +
                                     " KiB once comments and padding are left out");
    }
  }
  return out;
}

}  // namespace percept
