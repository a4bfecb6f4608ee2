// The survey-definition loader, the submission validator and the institutions file.
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <pugixml.hpp>
#include <random>
#include <set>

#include "percept/canonical_json.h"
#include "percept/institutions.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"
#include "percept/xform.h"
#include "test_support.h"

using nlohmann::json;
using namespace percept;
using percept::testing::DemoInterview;
using percept::testing::SourcePath;

namespace {

const SurveyCatalog& DemoCatalog() {
  static const SurveyCatalog catalog = [] {
    auto c = SurveyCatalog::LoadDirectory(SourcePath("survey_defs"));
    if (!c.ok()) FAIL(c.status().ToString());
    return std::move(c).value();
  }();
  return catalog;
}

class DemoInstitutions : public InstitutionLookup {
 public:
  DemoInstitutions() {
    auto all = LoadInstitutionsFile(SourcePath("survey_defs/institutions-demo.csv"));
    REQUIRE(all.ok());
    for (const auto& i : *all) ids_.insert(i.id);
  }
  bool Exists(const std::string& id) const override { return ids_.count(id) > 0; }

 private:
  std::set<std::string> ids_;
};

const std::string kId = "0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71";

// The problems of a submission, as "path code" lines; empty when it is valid.
std::vector<std::string> Problems(const json& doc) {
  static const DemoInstitutions institutions;
  auto r = ValidateSubmission(doc, DemoCatalog(), institutions);
  std::vector<std::string> out;
  if (r.ok()) return out;
  CHECK(r.status().code() == StatusCode::kValidationFailed);
  for (const Detail& d : r.status().details()) out.push_back(d.path + " " + d.code);
  return out;
}

using Lines = std::vector<std::string>;

// A small definition that exercises every item type; edited by the loader's failing cases.
json MiniDefinition() {
  return json::parse(R"({
    "id": "mini", "version": 2,
    "title": {"es": "Mini", "en": "Mini"},
    "scale": {"min": 1, "max": 7, "missing": {"8": "no sabe", "9": "no aplica"}},
    "dimensions": [{"id": "utility", "label": {"es": "Utilidad", "en": "Utility"}}],
    "household": [
      {"id": "consent", "type": "boolean", "role": "consent", "required": true, "label": {"es": "a", "en": "a"}},
      {"id": "visit", "type": "date", "label": {"es": "b", "en": "b"}}],
    "evaluation": [
      {"id": "used", "type": "boolean", "required": true, "label": {"es": "c", "en": "c"}},
      {"id": "utl_1", "type": "likert", "dimension": "utility", "required": true, "label": {"es": "d", "en": "d"},
       "relevant": {"item": "used", "equals": true}},
      {"id": "overall", "type": "likert", "role": "overall", "label": {"es": "e", "en": "e"}}]
  })");
}

Lines DefinitionProblems(const json& def) {
  auto r = ParseSurveyDefinition(def.dump(), "mini.json");
  Lines out;
  if (r.ok()) return out;
  CHECK(r.status().message().find("mini.json") != std::string::npos);
  for (const Detail& d : r.status().details()) out.push_back(d.path + " " + d.code);
  return out;
}

}  // namespace

TEST_CASE("the demo questionnaire loads with the six dimensions and an overall item", "[unit]") {
  const SurveyDefinition* def = DemoCatalog().Latest("chs-perception");
  REQUIRE(def != nullptr);
  CHECK(def->version == 2);
  CHECK(DemoCatalog().Find("chs-perception", 1) != nullptr);  // old versions keep validating
  REQUIRE(def->dimensions.size() == 6);
  for (const std::string& dim : QualityDimensions()) {
    auto items = def->DimensionItems(dim);
    CHECK(items.size() >= 3);
    CHECK(items.size() <= 4);
  }
  REQUIRE(def->OverallItem() != nullptr);
  CHECK(def->OverallItem()->id == "overall");
  const Item* consent = def->FindHouseholdItem("consent");
  REQUIRE(consent != nullptr);
  CHECK(consent->role == "consent");
  CHECK(consent->required);
  const Item* problems = def->FindEvaluationItem("problems");
  REQUIRE(problems != nullptr);
  REQUIRE(problems->relevant);
  CHECK(problems->relevant->item == "had_problems");
  CHECK(def->scale.IsMissingCode(8));
  CHECK(def->scale.IsMissingCode(9));
  CHECK_FALSE(def->scale.IsMissingCode(7));
}

TEST_CASE("version 2 of the demo questionnaire says what part (b) counts", "[unit]") {
  const SurveyDefinition* def = DemoCatalog().Find("chs-perception", 2);
  REQUIRE(def != nullptr);
  CHECK(def->FindEvaluationItem("had_problems")->valence == Valence::kBad);
  CHECK(def->FindEvaluationItem("knows_how")->valence == Valence::kGood);
  CHECK(def->FindEvaluationItem("knows_rights")->valence == Valence::kGood);
  for (const Option& o : def->FindEvaluationItem("problems")->options) {
    CAPTURE(o.value);
    CHECK(o.valence == Valence::kBad);
    CHECK(o.high_severity == (o.value == "mal_trato" || o.value == "rechazo_sin_razon"));
  }
  for (const Option& o : def->FindEvaluationItem("benefit_received")->options) {
    CAPTURE(o.value);
    CHECK(o.valence == (o.value == "si"   ? Valence::kGood
                        : o.value == "no" ? Valence::kBad
                                          : Valence::kNone));
  }
  const Item* referred = def->FindEvaluationItem("referred_by");
  REQUIRE(referred != nullptr);
  CHECK(referred->type == ItemType::kInstitution);
  CHECK(referred->relevant->item == "pathway");
  CHECK(def->FindEvaluationItem("proposal")->role == "proposal");
  CHECK(def->FindHouseholdItem("months_in_programme")->role == "stage");
  CHECK(def->stages == std::vector<int>{6, 12, 24});
  REQUIRE(def->autonomy.size() == 3);
  CHECK(def->autonomy[1].item == "benefit_received");
  CHECK(def->autonomy[1].equals_json == "\"si\"");
  // Its scored items are version 1's: the scores of both versions add up.
  CHECK(def->LikertItems().size() == DemoCatalog().Find("chs-perception", 1)->LikertItems().size());
}

TEST_CASE("a valid mini definition loads", "[unit]") {
  CHECK(DefinitionProblems(MiniDefinition()).empty());
}

TEST_CASE("the loader refuses a bad definition, naming the file and the JSON path", "[unit]") {
  json def = MiniDefinition();
  SECTION("not JSON at all") {
    auto r = ParseSurveyDefinition("{\"id\": ", "broken.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kMalformedJson);
    CHECK(r.status().message().find("broken.json") != std::string::npos);
  }
  SECTION("a dimension outside the six") {
    def["dimensions"][0]["id"] = "speed";
    CHECK(DefinitionProblems(def) ==
          Lines{"/dimensions/0/id unknown_dimension", "/evaluation/1/dimension unknown_dimension"});
  }
  SECTION("a likert item scoring an undeclared dimension") {
    def["evaluation"][1]["dimension"] = "linkage";
    CHECK(DefinitionProblems(def) == Lines{"/evaluation/1/dimension unknown_dimension",
                                           "/evaluation dimension_without_items"});
  }
  SECTION("an item id used twice") {
    def["evaluation"][2]["id"] = "used";
    CHECK(DefinitionProblems(def) == Lines{"/evaluation/2/id duplicate_id"});
  }
  SECTION("relevance pointing at an unknown item") {
    def["evaluation"][1]["relevant"]["item"] = "nope";
    CHECK(DefinitionProblems(def) == Lines{"/evaluation/1/relevant/item unknown_item"});
  }
  SECTION("relevance expecting an answer its item cannot have") {
    def["evaluation"][1]["relevant"]["equals"] = "yes";
    CHECK(DefinitionProblems(def) == Lines{"/evaluation/1/relevant/equals wrong_type"});
  }
  SECTION("a misspelt key") {
    def["evaluation"][0]["requried"] = true;
    CHECK(DefinitionProblems(def) == Lines{"/evaluation/0/requried unknown_key"});
  }
  SECTION("a single-choice item without options") {
    def["household"][1]["type"] = "single";
    CHECK(DefinitionProblems(def) == Lines{"/household/1/options required"});
  }
  SECTION("an unknown item type") {
    def["household"][1]["type"] = "photo";
    CHECK(DefinitionProblems(def) == Lines{"/household/1/type unknown_type"});
  }
  SECTION("a missing code inside the scale") {
    def["scale"]["missing"]["5"] = "oops";
    CHECK(DefinitionProblems(def) == Lines{"/scale/missing/5 bad_code"});
  }
  SECTION("a consent item that is not required") {
    def["household"][0]["required"] = false;
    CHECK(DefinitionProblems(def) == Lines{"/household/0/required consent_optional"});
  }
  SECTION("a version that is not a positive integer") {
    def["version"] = "1";
    CHECK(DefinitionProblems(def) == Lines{"/version wrong_type"});
  }
  SECTION("a label without its English text") {
    def["title"].erase("en");
    CHECK(DefinitionProblems(def) == Lines{"/title/en required"});
  }
}

TEST_CASE("a definition file that fails names its file", "[unit]") {
  std::string path = std::string(PERCEPT_BINARY_DIR) + "/bad-definition.json";
  json def = MiniDefinition();
  def["dimensions"][0]["id"] = "speed";
  std::ofstream(path) << def.dump();
  auto r = LoadSurveyDefinitionFile(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().ToString().find(path) != std::string::npos);
  CHECK(r.status().ToString().find("/dimensions/0/id") != std::string::npos);
}

TEST_CASE("the demo interview is valid", "[unit]") {
  CHECK(Problems(DemoInterview(kId)) == Lines{});
}

TEST_CASE("every validation rule passes good input and names bad input by path and code",
          "[unit]") {
  json s = DemoInterview(kId);
  json& a0 = s["evaluations"][0]["answers"];
  SECTION("likert: a declared missing code is an answer") {
    a0["opp_wait"] = 8;
    a0["trn_status"] = 9;
    CHECK(Problems(s).empty());
  }
  SECTION("an empty survey id names no survey (it crashed the validator: found by fuzzing)") {
    s["survey_id"] = "";
    CHECK(Problems(s) == Lines{"/survey_id unknown_survey"});
  }
  SECTION("text: bytes that are not UTF-8 (what XML could carry)") {
    a0["proposal"] = "Que atiend\xe1n";
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/proposal bad_encoding"});
  }
  SECTION("text: a C1 control character") {
    a0["proposal"] = "Que \xc2\x85 atiendan";
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/proposal control_character"});
  }
  SECTION("device_id: empty or absent, as ODK's engine outside Collect sends it") {
    s["device_id"] = "";
    CHECK(Problems(s).empty());
    s.erase("device_id");
    CHECK(Problems(s).empty());
  }
  SECTION("likert: out of the scale") {
    a0["opp_wait"] = 10;
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/opp_wait out_of_range"});
  }
  SECTION("likert: not a number") {
    a0["opp_wait"] = "5";
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/opp_wait wrong_type"});
  }
  SECTION("likert: not a whole number") {
    a0["opp_wait"] = 5.5;
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/opp_wait wrong_type"});
  }
  SECTION("single: an option of the item") {
    a0["pathway"] = "por_su_cuenta";
    CHECK(Problems(s).empty());
  }
  SECTION("single: not an option") {
    a0["pathway"] = "teleport";
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/pathway unknown_option"});
  }
  SECTION("multi: options of the item") {
    a0["actions"] = {"insistio", "reclamo", "nada"};
    CHECK(Problems(s).empty());
  }
  SECTION("multi: an unknown option") {
    a0["actions"] = {"insistio", "bribe"};
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/actions unknown_option"});
  }
  SECTION("multi: an option twice") {
    a0["actions"] = {"insistio", "insistio"};
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/actions duplicate_option"});
  }
  SECTION("multi: not an array") {
    a0["actions"] = "insistio";
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/actions wrong_type"});
  }
  SECTION("integer: within min and max") {
    s["household"]["household_size"] = 20;
    CHECK(Problems(s).empty());
  }
  SECTION("integer: outside min and max") {
    s["household"]["household_size"] = 0;
    CHECK(Problems(s) == Lines{"/household/household_size out_of_range"});
  }
  SECTION("text: a matching pattern") {
    s["household"]["comuna"] = "13101";
    CHECK(Problems(s).empty());
  }
  SECTION("text: a pattern not matched") {
    s["household"]["comuna"] = "81a0";
    CHECK(Problems(s) == Lines{"/household/comuna pattern_mismatch"});
  }
  SECTION("text: too long") {
    a0["proposal"] = std::string(1001, 'x');
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/proposal too_long"});
  }
  SECTION("text: long in bytes but not in characters") {
    std::string enye;
    for (int i = 0; i < 1000; ++i) enye += "ñ";
    a0["proposal"] = enye;
    CHECK(Problems(s).empty());
  }
  SECTION("boolean: not true or false") {
    a0["knows_how"] = "si";
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/knows_how wrong_type"});
  }
  SECTION("required: an optional item may be left out") {
    a0.erase("proposal");
    CHECK(Problems(s).empty());
  }
  SECTION("required: a required item left out") {
    a0.erase("overall");
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/overall required"});
  }
  SECTION("relevance: a skipped question is not required") {
    a0["had_problems"] = false;
    a0.erase("problems");
    CHECK(Problems(s).empty());
  }
  SECTION("relevance: required when relevant") {
    a0.erase("problems");
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/problems required"});
  }
  SECTION("relevance: an answer to a question that was not asked") {
    a0["had_problems"] = false;
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/problems not_relevant"});
  }
  SECTION("an unknown item") {
    a0["opp_waiting"] = 3;
    CHECK(Problems(s) == Lines{"/evaluations/0/answers/opp_waiting unknown_item"});
  }
  SECTION("an unknown household item") {
    s["household"]["rut"] = "12.345.678-9";
    CHECK(Problems(s) == Lines{"/household/rut unknown_item"});
  }
  SECTION("an unknown institution") {
    s["evaluations"][1]["institution_id"] = "cesfam-nowhere";
    CHECK(Problems(s) == Lines{"/evaluations/1/institution_id unknown_institution"});
  }
  SECTION("the same institution twice in one interview") {
    s["evaluations"][1]["institution_id"] = "cesfam-tal-1";
    CHECK(Problems(s) == Lines{"/evaluations/1/institution_id duplicate_institution"});
  }
  SECTION("consent not given") {
    s["household"]["consent"] = false;
    CHECK(Problems(s) == Lines{"/household/consent consent_not_given"});
  }
  SECTION("consent missing") {
    s["household"].erase("consent");
    CHECK(Problems(s) == Lines{"/household/consent required"});
  }
  SECTION("instance_id not a UUID") {
    s["instance_id"] = "interview-1";
    CHECK(Problems(s) == Lines{"/instance_id bad_uuid"});
  }
  SECTION("instance_id missing") {
    s.erase("instance_id");
    CHECK(Problems(s) == Lines{"/instance_id required"});
  }
  SECTION("an unknown survey") {
    s["survey_id"] = "census";
    CHECK(Problems(s) == Lines{"/survey_id unknown_survey"});
  }
  SECTION("an unknown version of a known survey") {
    s["survey_version"] = 7;
    CHECK(Problems(s) == Lines{"/survey_version unknown_version"});
  }
  SECTION("a timestamp without offset") {
    s["started_at"] = "2026-11-20T14:03:00";
    CHECK(Problems(s) == Lines{"/started_at bad_timestamp"});
  }
  SECTION("a timestamp in UTC with fractions") {
    s["started_at"] = "2026-11-20T17:03:00.250Z";
    CHECK(Problems(s).empty());
  }
  SECTION("completed before started, offsets considered") {
    s["started_at"] = "2026-11-20T14:03:00-03:00";
    s["completed_at"] = "2026-11-20T16:41:12Z";  // 13:41 in Chile: before the start
    CHECK(Problems(s) == Lines{"/completed_at completed_before_started"});
  }
  SECTION("an unknown top-level field") {
    s["enumerator"] = "maria";
    CHECK(Problems(s) == Lines{"/enumerator unknown_field"});
  }
  SECTION("evaluations not an array") {
    s["evaluations"] = json::object();
    CHECK(Problems(s) == Lines{"/evaluations wrong_type"});
  }
  SECTION("a submission that is not an object") {
    CHECK(Problems(json::array()) == Lines{" wrong_type"});
  }
  SECTION("every problem is reported at once") {
    a0["opp_wait"] = 0;
    s["household"]["consent"] = false;
    s["evaluations"][1]["institution_id"] = "x";
    CHECK(Problems(s).size() == 3);
  }
}

TEST_CASE("a valid submission is stored canonically: same content, same text", "[unit]") {
  static const DemoInstitutions institutions;
  json s = DemoInterview(kId);
  auto a = ValidateSubmission(s, DemoCatalog(), institutions);
  auto b = ValidateSubmission(json::parse(s.dump(2)), DemoCatalog(), institutions);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->canonical_json == b->canonical_json);
  CHECK(a->completed_day == "2026-11-20");
  REQUIRE(a->evaluations.size() == 2);
  CHECK(a->evaluations[1].institution_id == "omil-tal");
}

TEST_CASE("dates and times are checked as calendars, not as shapes", "[unit]") {
  CHECK(IsIsoDate("2024-02-29"));
  CHECK_FALSE(IsIsoDate("2023-02-29"));
  CHECK_FALSE(IsIsoDate("2023-13-01"));
  long long a = 0, b = 0;
  REQUIRE(ParseRfc3339("2026-11-20T14:00:00-03:00", nullptr, &a));
  REQUIRE(ParseRfc3339("2026-11-20T17:00:00Z", nullptr, &b));
  CHECK(a == b);
  CHECK_FALSE(ParseRfc3339("2026-11-20 14:00:00-03:00"));
  CHECK_FALSE(ParseRfc3339("2026-11-20T14:00:00+3"));
}

TEST_CASE("the institutions file is read as RFC 4180 CSV", "[unit]") {
  auto r = ParseInstitutionsCsv(
      "id,name,type,comuna,region\r\n"
      "omil-x,\"Oficina \"\"OMIL\"\", piso 2\nedificio B\",omil,8110,8\r\n"
      "cesfam-y,CESFAM Y,cesfam,13101,13\n",
      "x.csv");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].name == "Oficina \"OMIL\", piso 2\nedificio B");
  CHECK((*r)[1].comuna == "13101");
}

TEST_CASE("a bad institutions row is reported by line and nothing is imported", "[unit]") {
  auto r = ParseInstitutionsCsv(
      "id,name,type,comuna,region\n"
      "ok-1,Fine,omil,8110,8\n"
      "\"two\nlines\",Name,omil,8110,8\n"
      "Bad Id,Name,omil,81,8\n",
      "x.csv");
  REQUIRE_FALSE(r.ok());
  Lines got;
  for (const auto& d : r.status().details()) got.push_back(d.path + " " + d.code);
  CHECK(got == Lines{"/line/3 bad_id", "/line/5 bad_id", "/line/5 bad_comuna"});
  CHECK(r.status().message().find("line 3") != std::string::npos);
}

TEST_CASE("the institutions file must have the contract's header", "[unit]") {
  auto r = ParseInstitutionsCsv("id,name,kind,comuna,region\n", "x.csv");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("line 1") != std::string::npos);
}

TEST_CASE("an unterminated quote in CSV is an error, not a silent merge", "[unit]") {
  auto r = ParseCsv("a,\"b\nc,d\n");
  CHECK_FALSE(r.ok());
}

TEST_CASE("an identifier is stored only as what the hasher makes of its normalized form",
          "[unit]") {
  static const DemoInstitutions institutions;
  json s = DemoInterview(kId);
  s["household"]["household_key"] = "12.345.678-k";
  auto hashed = ValidateSubmission(s, DemoCatalog(), institutions,
                                   [](const std::string& n) { return "H(" + n + ")"; });
  REQUIRE(hashed.ok());
  CHECK(hashed->canonical_json.find("H(12345678K)") != std::string::npos);
  CHECK(hashed->canonical_json.find("12.345.678") == std::string::npos);
  CHECK(NormalizeIdentifier(" 12.345.678-k ") == "12345678K");

  auto refused = ValidateSubmission(s, DemoCatalog(), institutions);  // no key, no identifier
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().details()[0].code == "no_identifier_key");

  s["household"]["household_key"] = "12.345.678-X";
  CHECK(Problems(s) == Lines{"/household/household_key pattern_mismatch"});
  s["household"]["household_key"] = 12345678;
  CHECK(Problems(s) == Lines{"/household/household_key wrong_type"});
}

namespace {

// The mini definition with part (b): a stage, valenced answers, a referral, a proposal, and
// what autonomy is made of.
json PartBDefinition() {
  json d = MiniDefinition();
  d["household"].push_back({{"id", "months"},
                            {"type", "integer"},
                            {"role", "stage"},
                            {"min", 0},
                            {"label", {{"es", "f"}, {"en", "f"}}}});
  d["evaluation"].push_back(
      {{"id", "pathway"},
       {"type", "single"},
       {"label", {{"es", "g"}, {"en", "g"}}},
       {"options",
        {{{"value", "otra_institucion"}, {"label", {{"es", "o"}, {"en", "o"}}}},
         {{"value", "por_su_cuenta"}, {"label", {{"es", "s"}, {"en", "s"}}}}}}});
  d["evaluation"].push_back({{"id", "referred_by"},
                             {"type", "institution"},
                             {"label", {{"es", "h"}, {"en", "h"}}},
                             {"relevant", {{"item", "pathway"}, {"equals", "otra_institucion"}}}});
  d["evaluation"].push_back({{"id", "problems"},
                             {"type", "multi"},
                             {"label", {{"es", "i"}, {"en", "i"}}},
                             {"options",
                              {{{"value", "mal_trato"},
                                {"valence", "bad"},
                                {"severity", "high"},
                                {"label", {{"es", "m"}, {"en", "m"}}}},
                               {{"value", "otro"}, {"label", {{"es", "x"}, {"en", "x"}}}}}}});
  d["evaluation"].push_back({{"id", "knows_how"},
                             {"type", "boolean"},
                             {"valence", "good"},
                             {"label", {{"es", "k"}, {"en", "k"}}}});
  d["evaluation"].push_back({{"id", "proposal"},
                             {"type", "text"},
                             {"role", "proposal"},
                             {"label", {{"es", "p"}, {"en", "p"}}}});
  d["autonomy"] = {{{"id", "self_management"}, {"item", "knows_how"}, {"equals", true}}};
  d["stages"] = {6, 12, 24};
  return d;
}

}  // namespace

TEST_CASE("part (b) in a definition: valence, severity, stages, referrals, proposals, autonomy",
          "[unit]") {
  auto def = ParseSurveyDefinition(PartBDefinition().dump(), "mini.json");
  REQUIRE(def.ok());
  const Item* problems = def->FindEvaluationItem("problems");
  REQUIRE(problems != nullptr);
  CHECK(problems->options[0].valence == Valence::kBad);
  CHECK(problems->options[0].high_severity);
  CHECK(problems->options[1].valence == Valence::kNone);
  CHECK(def->FindEvaluationItem("knows_how")->valence == Valence::kGood);
  CHECK(def->FindEvaluationItem("referred_by")->type == ItemType::kInstitution);
  CHECK(def->FindEvaluationItem("proposal")->role == "proposal");
  CHECK(def->FindHouseholdItem("months")->role == "stage");
  CHECK(def->stages == std::vector<int>{6, 12, 24});
  REQUIRE(def->autonomy.size() == 1);
  CHECK(def->autonomy[0].item == "knows_how");
  CHECK(def->autonomy[0].equals_json == "true");
}

TEST_CASE("part (b) in a definition: each misuse is named where it is", "[unit]") {
  auto with = [](const std::function<void(json&)>& edit) {
    json d = PartBDefinition();
    edit(d);
    return DefinitionProblems(d);
  };
  CHECK(with([](json& d) { d["evaluation"][1]["valence"] = "bad"; }) ==
        Lines{"/evaluation/1/valence not_allowed"});  // a likert item
  CHECK(with([](json& d) { d["evaluation"][6]["valence"] = "awful"; }) ==
        Lines{"/evaluation/6/valence bad_valence"});
  CHECK(with([](json& d) { d["evaluation"][5]["options"][1]["severity"] = "high"; }) ==
        Lines{"/evaluation/5/options/1/severity not_allowed"});  // no valence
  CHECK(with([](json& d) { d["autonomy"][0]["item"] = "nothing"; }) ==
        Lines{"/autonomy/0/item unknown_item"});
  CHECK(with([](json& d) { d["autonomy"][0]["equals"] = "yes"; }) ==
        Lines{"/autonomy/0/equals wrong_type"});
  CHECK(with([](json& d) { d["stages"] = {12, 6}; }) == Lines{"/stages/1 bad_range"});
  CHECK(with([](json& d) { d.erase("stages"); }) == Lines{"/household stage_without_bands"});
  CHECK(with([](json& d) { d["household"][2].erase("role"); }) ==
        Lines{"/stages stage_without_item"});
  CHECK(with([](json& d) { d["evaluation"][7]["type"] = "integer"; }) ==
        Lines{"/evaluation/7/role bad_role"});  // a proposal is text
  CHECK(with([](json& d) { d["household"][1]["type"] = "institution"; }) ==
        Lines{"/household/1/type not_allowed"});
}

TEST_CASE("part (b) in a submission: who referred the family is an institution of the network",
          "[unit]") {
  SurveyCatalog catalog;
  auto def = ParseSurveyDefinition(PartBDefinition().dump(), "mini.json");
  REQUIRE(def.ok());
  REQUIRE(catalog.Add(std::move(def).value()).ok());
  static const DemoInstitutions institutions;
  json doc = {{"instance_id", kId},
              {"survey_id", "mini"},
              {"survey_version", 2},
              {"device_id", "tab-1"},
              {"started_at", "2026-11-20T14:03:00-03:00"},
              {"completed_at", "2026-11-20T14:41:12-03:00"},
              {"household", {{"consent", true}, {"months", 8}}},
              {"evaluations",
               {{{"institution_id", "cesfam-tal-1"},
                 {"answers",
                  {{"used", true},
                   {"utl_1", 5},
                   {"pathway", "otra_institucion"},
                   {"referred_by", "omil-tal"},
                   {"problems", {"mal_trato"}},
                   {"knows_how", true},
                   {"proposal", "Más horas de atención."}}}}}}};
  CHECK(ValidateSubmission(doc, catalog, institutions).ok());
  doc["evaluations"][0]["answers"]["referred_by"] = "nowhere";
  auto unknown = ValidateSubmission(doc, catalog, institutions);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().details().at(0).path == "/evaluations/0/answers/referred_by");
  CHECK(unknown.status().details().at(0).code == "unknown_institution");
  doc["evaluations"][0]["answers"]["pathway"] = "por_su_cuenta";
  doc["evaluations"][0]["answers"]["referred_by"] = "omil-tal";
  auto not_asked = ValidateSubmission(doc, catalog, institutions);
  REQUIRE_FALSE(not_asked.ok());
  CHECK(not_asked.status().details().at(0).code == "not_relevant");
}

TEST_CASE("part (b) in the XForm: who referred the family is chosen among the institutions",
          "[unit]") {
  auto def = ParseSurveyDefinition(PartBDefinition().dump(), "mini.json");
  REQUIRE(def.ok());
  auto list = LoadInstitutionsFile(SourcePath("survey_defs/institutions-demo.csv"));
  REQUIRE(list.ok());
  pugi::xml_document doc;
  REQUIRE(doc.load_string(XFormOf(*def, *list).c_str()));
  const pugi::xpath_node choice =
      doc.select_node("//select1[@ref='/data/evaluation/referred_by']/itemset");
  REQUIRE(choice);
  CHECK(std::string(choice.node().attribute("nodeset").value()) ==
        "instance('institutions')/root/item");  // the mini survey asks no comuna
  const pugi::xpath_node bind = doc.select_node("//bind[@nodeset='/data/evaluation/referred_by']");
  REQUIRE(bind);
  CHECK(std::string(bind.node().attribute("relevant").value()) ==
        "../pathway = 'otra_institucion'");
}

TEST_CASE("canonical JSON is byte for byte what nlohmann's dump writes", "[unit]") {
  // Every kind of value, strings with each byte that must be escaped and some that must not
  // (DEL, multi-byte UTF-8), numbers at their limits; floats go through dump() itself.
  std::mt19937 rng(20261123);
  const std::vector<std::string> pieces = {
      "a",    "\"",   "\\",   "\n", "\t", "\b", "\f", "\r", std::string(1, '\0'),
      "\x01", "\x1f", "\x7f", "é",  "漢", "😀",  "/",  " ",  "ñandú"};
  const auto text = [&] {
    std::string s;
    for (int n = static_cast<int>(rng() % 6); n > 0; --n) s += pieces[rng() % pieces.size()];
    return s;
  };
  std::function<json(int)> value = [&](int depth) -> json {
    switch (rng() % (depth > 3 ? 6 : 8)) {
      case 0:
        return text();
      case 1:
        return static_cast<int64_t>(rng()) - static_cast<int64_t>(1u << 31);
      case 2:
        return std::vector<json>{INT64_MIN, INT64_MAX, UINT64_MAX, 0, -1}[rng() % 5];
      case 3:
        return std::vector<json>{0.1, -0.0, 1e20, 1.5e-7, 100.0, 3.0}[rng() % 6];
      case 4:
        return rng() % 2 == 0 ? json(nullptr) : json(rng() % 2 == 0);
      case 5:
        return json::object();
      case 6: {
        json o = json::object();
        for (int n = static_cast<int>(rng() % 5); n > 0; --n) o[text()] = value(depth + 1);
        return o;
      }
      default: {
        json a = json::array();
        for (int n = static_cast<int>(rng() % 5); n > 0; --n) a.push_back(value(depth + 1));
        return a;
      }
    }
  };
  for (int i = 0; i < 2000; ++i) {
    const json v = value(0);
    INFO(v.dump(-1, ' ', true));
    REQUIRE(CanonicalJson(v) == v.dump());
  }
  // A real interview, parsed from its pretty-printed text.
  std::ifstream example(SourcePath("docs/example-submission.json"));
  const json interview = json::parse(example);
  REQUIRE(interview.contains("evaluations"));
  CHECK(CanonicalJson(interview) == interview.dump());
  CHECK(CanonicalJson(json::parse("{\"b\":[1,{\"\\u0001\":\"x\"}],\"a\":-2}")) ==
        "{\"a\":-2,\"b\":[1,{\"\\u0001\":\"x\"}]}");
}
