// The wide export layout on its own (server/reports/export_layout.h): which variables, in which
// order, and how one evaluation fills a row; the numbers are worked out by hand below.
#include "export_layout.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>

#include "test_support.h"

using namespace percept;
using nlohmann::json;

namespace {

const SurveyDefinition& Definition() {
  static const SurveyDefinition def = [] {
    auto d = LoadSurveyDefinitionFile(testing::SourcePath("survey_defs/chs-perception.json"));
    REQUIRE(d.ok());
    return std::move(d).value();
  }();
  return def;
}

size_t IndexOf(const std::vector<Column>& cols, const std::string& name) {
  for (size_t i = 0; i < cols.size(); ++i)
    if (cols[i].name == name) return i;
  FAIL("no column " << name);
  return 0;
}

}  // namespace

TEST_CASE("export layout: one variable per item, per option of a multiple choice, per score",
          "[unit]") {
  const SurveyDefinition& def = Definition();
  const ScoreLayout layout(def);
  const std::vector<Column> cols = WideColumns(def, layout);
  std::set<std::string> names;
  for (const Column& c : cols) {
    CHECK(names.insert(c.name).second);  // unique: SPSS and R need it
    CHECK_FALSE(c.label_es.empty());
    CHECK_FALSE(c.label_en.empty());
  }
  CHECK(cols.front().name == "instance_id");
  for (const Item* it : def.LikertItems()) CHECK(names.count(it->id) == 1);
  for (const auto& item : def.evaluation) {
    if (item.type != ItemType::kMulti) continue;
    CHECK(names.count(item.id) == 0);  // a multiple choice is only its indicators
    for (const auto& o : item.options) CHECK(names.count(item.id + "__" + o.value) == 1);
  }
  // The scores come last, one per quality dimension in the layout's order ("overall" is an item
  // of its own, already a column).
  std::vector<std::string> dimensions;
  for (const DimensionBlock& b : layout.blocks())
    if (b.id != "overall") dimensions.push_back(b.id);
  REQUIRE(dimensions.size() == def.dimensions.size());
  REQUIRE(cols.size() > dimensions.size());
  for (size_t d = 0; d < dimensions.size(); ++d) {
    const Column& c = cols[cols.size() - dimensions.size() + d];
    CHECK(c.from == Column::From::kScore);
    CHECK(c.name == "score_" + dimensions[d]);
  }
}

TEST_CASE("export layout: a row keeps the codes as answered and scores with the half rule",
          "[unit]") {
  const SurveyDefinition& def = Definition();
  const ScoreLayout layout(def);
  const std::vector<Column> cols = WideColumns(def, layout);
  const std::map<std::string, Institution> institutions = {
      {"cesfam-tal-1", {"cesfam-tal-1", "CESFAM Los Cerros", "cesfam", "8110", "8"}}};
  const std::vector<Wave> no_waves;
  WideRowMaker rows(def, cols, institutions, no_waves);
  // Opportunity has four items: 4 and 6 answered, 9 (no aplica) and none missing. Two of four is
  // half, so the score is (4 + 6) / 2 = 5. Proficiency has three: one answered (5) is under
  // ceil(3/2) = 2, so no score.
  const json doc = {{"instance_id", "3f2b6c1e-0000-4000-8000-000000000001"},
                    {"survey_version", 1},
                    {"household", json::object()}};
  json stored = doc;
  stored["evaluations"] = {
      {{"institution_id", "cesfam-tal-1"},
       {"answers", {{"opp_wait", 4}, {"opp_speed", 6}, {"opp_hours", 9}, {"prf_knowledge", 5}}}}};
  StoredInterview read;
  REQUIRE(read.Read(stored.dump()));
  REQUIRE(read.evaluations().size() == 1);
  std::vector<Cell> row(cols.size());
  rows.Start(read, "field-7");
  rows.Fill(read, 0, &row);

  const Cell& wait = row[IndexOf(cols, "opp_wait")];
  CHECK(wait.present);
  CHECK(wait.number == 4);
  const Cell& hours = row[IndexOf(cols, "opp_hours")];
  CHECK(hours.number == 9);  // the code stays: SPSS declares it user-missing
  CHECK_FALSE(row[IndexOf(cols, "opp_appointment")].present);
  const Cell& opportunity = row[IndexOf(cols, "score_opportunity")];
  CHECK(opportunity.present);
  CHECK(opportunity.number == Approx(5.0));
  CHECK(opportunity.text == "5");
  const Cell& proficiency = row[IndexOf(cols, "score_proficiency")];
  CHECK_FALSE(proficiency.present);
  CHECK(proficiency.text.empty());
  CHECK(row[IndexOf(cols, "institution_name")].text == "CESFAM Los Cerros");
  CHECK(row[IndexOf(cols, "enumerator")].text == "field-7");
}

TEST_CASE("export layout: each row names its interview's wave, empty outside every wave",
          "[unit]") {
  const SurveyDefinition& def = Definition();
  const ScoreLayout layout(def);
  const std::vector<Column> cols = WideColumns(def, layout);
  const std::vector<Wave> waves = {
      {"chs-perception", "2027-1", "Línea base", "2027-03-01", "2027-03-31"},
      {"chs-perception", "2027-2", "", "2027-09-01", "2027-09-30"}};
  WideRowMaker rows(def, cols, {}, waves);
  std::vector<Cell> row(cols.size());
  auto wave_of = [&](const std::string& completed_at) {
    const json doc = {{"instance_id", "3f2b6c1e-0000-4000-8000-000000000002"},
                      {"survey_version", 1},
                      {"completed_at", completed_at},
                      {"household", json::object()},
                      {"evaluations", {{{"institution_id", "x"}, {"answers", json::object()}}}}};
    StoredInterview read;
    REQUIRE(read.Read(doc.dump()));
    rows.Start(read, "field-7");
    rows.Fill(read, 0, &row);
    const Cell& cell = row[IndexOf(cols, "wave")];
    return cell.present ? std::string(cell.text) : std::string("(empty)");
  };
  // The local date of completed_at decides: 23:30 in Chile on the last day is still the wave's.
  CHECK(wave_of("2027-03-01T09:00:00-03:00") == "2027-1");
  CHECK(wave_of("2027-03-31T23:30:00-03:00") == "2027-1");
  CHECK(wave_of("2027-04-01T00:10:00-03:00") == "(empty)");
  CHECK(wave_of("2027-09-15T12:00:00-03:00") == "2027-2");
  CHECK(wave_of("2026-12-31T12:00:00-03:00") == "(empty)");
  // The column is declared where the codebook and SPSS read it.
  const Column& wave = cols[IndexOf(cols, "wave")];
  CHECK(wave.from == Column::From::kInterview);
  CHECK(wave.label_en.find("Wave") == 0);
}

TEST_CASE("export layout: numbers are written short and exact, missing as empty", "[unit]") {
  CHECK(FormatNumber(5) == "5");
  CHECK(FormatNumber(2.5) == "2.5");
  CHECK(FormatNumber(-3) == "-3");
  CHECK(FormatNumber(kMissing).empty());
  // Written as printf's %.15g always wrote them (the exports' bytes must not change), for the
  // scores' kind of numbers and for extremes.
  std::vector<double> values = {16.666666666666668,
                                1.0 / 3,
                                2.0 / 3,
                                1e20,
                                1e-5,
                                123456789012345678.0,
                                -0.0,
                                0.1,
                                100,
                                1e15,
                                1e16,
                                5e-324,
                                1.7976931348623157e308};
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> score(0, 100);
  for (int i = 0; i < 20000; ++i) values.push_back(score(rng));
  for (int i = 0; i < 2000; ++i) values.push_back((rng() % 2000) / 12.0);
  for (double v : values) {
    char printed[64];
    std::snprintf(printed, sizeof printed, "%.15g", v);
    INFO(printed);
    REQUIRE(FormatNumber(v) == printed);
  }
}
