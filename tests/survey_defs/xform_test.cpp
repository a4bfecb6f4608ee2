// XForms from survey definitions, and OpenRosa instances back to submissions (survey_defs/xform.h).
#include "percept/xform.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "percept/submission.h"
#include "test_support.h"

using namespace percept;
using nlohmann::json;

namespace {

const SurveyCatalog& Catalog() {
  static const SurveyCatalog catalog = [] {
    auto c = SurveyCatalog::LoadDirectory(testing::SourcePath("survey_defs"));
    REQUIRE(c.ok());
    return std::move(c).value();
  }();
  return catalog;
}

std::vector<Institution> DemoInstitutions() {
  auto list = LoadInstitutionsFile(testing::SourcePath("survey_defs/institutions-demo.csv"));
  REQUIRE(list.ok());
  return *list;
}

json Example() {
  std::ifstream in(testing::SourcePath("docs/example-submission.json"));
  return json::parse(in);
}

}  // namespace

TEST_CASE("xform: every definition gives a well-formed XForm with a bind and a control per item",
          "[unit]") {
  const auto institutions = DemoInstitutions();
  for (const SurveyDefinition* def : Catalog().All()) {
    CAPTURE(def->id, def->version);
    const std::string xform = XFormOf(*def, institutions);
    CHECK(xform == XFormOf(*def, institutions));  // the same bytes every time
    pugi::xml_document doc;
    REQUIRE(doc.load_string(xform.c_str()));
    const pugi::xml_node model = doc.child("h:html").child("h:head").child("model");
    const pugi::xml_node data = model.child("instance").child("data");
    CHECK(std::string(data.attribute("id").value()) == def->id);
    CHECK(data.attribute("version").as_int() == def->version);
    std::set<std::string> binds;
    for (pugi::xml_node b : model.children("bind")) binds.insert(b.attribute("nodeset").value());
    for (const Item& it : def->household) CHECK(binds.count("/data/household/" + it.id) == 1);
    for (const Item& it : def->evaluation) CHECK(binds.count("/data/evaluation/" + it.id) == 1);
    CHECK(binds.count("/data/meta/instanceID") == 1);
    CHECK(binds.count("/data/evaluation/institution_id") == 1);
    // Every label in both languages.
    const pugi::xml_node itext = model.child("itext");
    size_t es = 0, en = 0;
    for (pugi::xml_node t : itext.children("translation")) {
      const size_t n = std::distance(t.children("text").begin(), t.children("text").end());
      (std::string(t.attribute("lang").value()) == "English (en)" ? en : es) = n;
    }
    CHECK(es > def->household.size() + def->evaluation.size());
    CHECK(es == en);
    // The institutions, each with its comuna for the repeat's choice filter.
    size_t listed = 0;
    for (pugi::xml_node i : model.find_child_by_attribute("instance", "id", "institutions")
                                .child("root")
                                .children("item")) {
      CHECK_FALSE(std::string(i.child_value("comuna")).empty());
      ++listed;
    }
    CHECK(listed == institutions.size());
  }
}

TEST_CASE("xform: the form list hash changes exactly when the definition or institutions do",
          "[unit]") {
  const SurveyDefinition& def = *Catalog().Latest("chs-perception");
  auto institutions = DemoInstitutions();
  const std::string before = XFormHash(XFormOf(def, institutions));
  CHECK(before.rfind("md5:", 0) == 0);
  CHECK(before.size() == 4 + 32);
  CHECK(XFormHash(XFormOf(def, DemoInstitutions())) == before);
  institutions.push_back({"omil-nueva", "OMIL Nueva", "omil", "8110", "8"});
  CHECK(XFormHash(XFormOf(def, institutions)) != before);
  institutions.pop_back();
  institutions[0].name += " (renamed)";
  CHECK(XFormHash(XFormOf(def, institutions)) != before);
}

TEST_CASE("xform: an instance as Collect sends it is the JSON submission, and validates alike",
          "[unit]") {
  const json example = Example();
  auto converted = SubmissionFromXml(testing::InstanceXml(example), Catalog());
  REQUIRE(converted.ok());
  CHECK(*converted == example);  // types restored: integers, booleans, lists; empty = no answer
  struct AnyInstitution : InstitutionLookup {
    bool Exists(const std::string&) const override { return true; }
  } any;
  auto valid = ValidateSubmission(*converted, Catalog(), any);
  CHECK(valid.ok());
}

TEST_CASE("xform: hostile or broken instances are refused before anything reads them", "[unit]") {
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
      "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><data id=\"chs-perception\" "
      "version=\"1\"><household><comuna>&lol2;</comuna></household></data>";
  CHECK(SubmissionFromXml(laughs, Catalog()).status().code() == StatusCode::kMalformedXml);
  const std::string external =
      "<?xml version=\"1.0\"?><!doctype data [<!entity xxe SYSTEM \"file:///etc/passwd\">]>"
      "<data id=\"chs-perception\" version=\"1\"><deviceid>&xxe;</deviceid></data>";
  CHECK(SubmissionFromXml(external, Catalog()).status().code() == StatusCode::kMalformedXml);
  std::string deep = "<data>";
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  CHECK(SubmissionFromXml(deep, Catalog()).status().code() == StatusCode::kMalformedXml);
  std::string nested = "<data id=\"chs-perception\" version=\"1\">";
  for (int i = 0; i < 40; ++i) nested += "<a>";
  for (int i = 0; i < 40; ++i) nested += "</a>";
  CHECK(SubmissionFromXml(nested + "</data>", Catalog()).status().code() ==
        StatusCode::kMalformedXml);
  CHECK(SubmissionFromXml("{\"json\": true}", Catalog()).status().code() ==
        StatusCode::kMalformedXml);
  CHECK(SubmissionFromXml(std::string(kMaxInstanceBytes + 1, ' '), Catalog()).status().code() ==
        StatusCode::kInputTooLarge);
  // Well-formed but without an instanceID: converted, and the validator says what is missing.
  auto no_id = SubmissionFromXml("<data id=\"chs-perception\" version=\"1\"/>", Catalog());
  REQUIRE(no_id.ok());
  CHECK_FALSE(no_id->contains("instance_id"));
}
