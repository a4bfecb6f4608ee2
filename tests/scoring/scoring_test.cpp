// The scoring library's rules without a server (server/scoring): the score query from a plain
// parameter map, the windows an institution reader may ask for, and the pools hidden from it
// (docs/security.md, "Differencing").
#include <catch2/catch.hpp>
#include <cmath>

#include "institution_privacy.h"
#include "percept/scoring/score_query.h"
#include "test_support.h"

using namespace percept;
using percept::testing::SourcePath;

namespace {

const SurveyCatalog& Catalog() {
  static const SurveyCatalog catalog = SurveyCatalog::LoadDirectory(SourcePath("survey_defs")).value();
  return catalog;
}

Result<ScoreQuery> Parse(const QueryParams& params, bool with_institution = true) {
  return ParseScoreQuery(Catalog(), "chs-perception", params, with_institution);
}

}  // namespace

TEST_CASE("a score query reads its filters from a plain parameter map", "[unit]") {
  auto q = Parse({{"comuna", "13101"}, {"from", "2026-10-01"}, {"to", "2026-10-31"},
                  {"compare", "type"}, {"institution", "cesfam-1"}, {"region", "RM"}});
  REQUIRE(q.ok());
  CHECK(q->survey == Catalog().Latest("chs-perception"));
  CHECK(q->comuna == "13101");
  CHECK(q->region == "RM");
  CHECK(q->from == "2026-10-01");
  CHECK(q->to == "2026-10-31");
  CHECK(q->by_type);
  CHECK(q->institution == "cesfam-1");
  // The report lists every institution the reader may see: no 'institution' there.
  CHECK(Parse({{"institution", "cesfam-1"}}, /*with_institution=*/false)->institution.empty());
  // A name given twice: the first counts, as in a query string.
  CHECK(Parse({{"from", "2026-01-01"}, {"from", "2026-02-01"}})->from == "2026-01-01");
  CHECK_FALSE(Parse({})->by_type);
}

TEST_CASE("a score query refuses what it cannot run, saying what would be right", "[unit]") {
  auto code = [](const Result<ScoreQuery>& r) { return r.status().code(); };
  CHECK(code(ParseScoreQuery(Catalog(), "", {}, true)) == StatusCode::kInvalidParameter);
  CHECK(code(ParseScoreQuery(Catalog(), "no-such-survey", {}, true)) == StatusCode::kNotFound);
  auto bad_date = Parse({{"from", "2026-13-01"}});
  CHECK(code(bad_date) == StatusCode::kInvalidParameter);
  CHECK(bad_date.status().message() == "'from' is a date, YYYY-MM-DD");
  CHECK(Parse({{"from", "2026-11-02"}, {"to", "2026-11-01"}}).status().message() ==
        "'from' is after 'to'");
  CHECK(code(Parse({{"comuna", "13 101"}})) == StatusCode::kInvalidParameter);
  CHECK(code(Parse({{"region", std::string(65, 'x')}})) == StatusCode::kInvalidParameter);
  CHECK(Parse({{"compare", "comuna"}}).status().message() ==
        "'compare' is 'network' (the default) or 'type'");
}

TEST_CASE("an institution reader's windows are whole calendar months, quarters or years",
          "[unit]") {
  CHECK(IsWholeWindow("2026-11-01", "2026-11-30", 1));
  CHECK_FALSE(IsWholeWindow("2026-11-01", "2026-11-29", 1));
  CHECK_FALSE(IsWholeWindow("2026-11-02", "2026-11-30", 1));
  CHECK(IsWholeWindow("2028-02-01", "2028-02-29", 1));  // a leap year
  CHECK_FALSE(IsWholeWindow("2027-02-01", "2027-02-29", 1));
  CHECK(IsWholeWindow("2026-10-01", "2026-12-31", 3));
  CHECK_FALSE(IsWholeWindow("2026-11-01", "2027-01-31", 3));  // three months, not a quarter
  CHECK(IsWholeWindow("2026-01-01", "2026-12-31", 12));
  CHECK_FALSE(IsWholeWindow("2026-07-01", "2027-06-30", 12));

  using Windows = std::vector<std::pair<std::string, std::string>>;
  CHECK(WholeWindows("2026-11-15", "2027-01-03", 1) ==
        Windows{{"2026-11-01", "2026-11-30"}, {"2026-12-01", "2026-12-31"},
                {"2027-01-01", "2027-01-31"}});
  CHECK(WholeWindows("2026-03-31", "2026-04-01", 3) ==
        Windows{{"2026-01-01", "2026-03-31"}, {"2026-04-01", "2026-06-30"}});
  CHECK(WholeWindows("2026-05-05", "2026-05-05", 12) == Windows{{"2026-01-01", "2026-12-31"}});
  CHECK(WholeWindows("", "", 1).empty());  // no interviews yet
}

TEST_CASE("an institution reader sees the network only when three others answered", "[unit]") {
  Principal reader;
  reader.role = Role::kInstitution;
  reader.institutions = {"own"};
  auto report_with = [](int others) {
    ScoreReport r;
    NetworkCell net;
    net.dimension = "opportunity";
    net.stats.n = 50;
    r.network.push_back(net);
    for (int i = 0; i <= others; ++i) {
      ScoreCell c;
      c.institution_id = i == 0 ? "own" : "other-" + std::to_string(i);
      c.dimension = "opportunity";
      c.stats.n = 10;
      c.network_index = 60;
      r.cells.push_back(c);
    }
    return r;
  };
  ScoreReport two = report_with(2);
  ProtectOtherInstitutions(two, reader);
  CHECK(two.network[0].suppressed);
  CHECK(std::isnan(two.cells[0].network_index));  // its own cell, read against them, too

  ScoreReport three = report_with(3);
  ProtectOtherInstitutions(three, reader);
  CHECK_FALSE(three.network[0].suppressed);
  CHECK(three.cells[0].network_index == 60);

}
