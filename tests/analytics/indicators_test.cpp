// Part (b) of docs/analytics.md, indicator cells: both worked examples, to 1e-6 (p and q
// relatively). The counts below are read off the examples' rows by hand.
#include "percept/indicators.h"

#include <boost/math/distributions/hypergeometric.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "percept/autonomy.h"
#include "percept/indicator_layout.h"
#include "percept/submission.h"

using namespace percept;

namespace {

constexpr Valence kBad = Valence::kBad;
constexpr Valence kGood = Valence::kGood;

const IndicatorCell& Cell(const IndicatorReport& r, const std::string& inst,
                          const std::string& indicator) {
  for (const IndicatorCell& c : r.cells)
    if (c.count.institution_id == inst && c.count.indicator == indicator) return c;
  FAIL("no cell " << inst << " " << indicator);
  return r.cells.front();
}

const NetworkIndicator& Network(const IndicatorReport& r, const std::string& indicator) {
  for (const NetworkIndicator& n : r.network)
    if (n.indicator == indicator) return n;
  FAIL("no network cell " << indicator);
  return r.network.front();
}

void CheckRelative(double actual, double expected) {
  CHECK(actual == Approx(expected).epsilon(1e-6));
}

// The first worked example: 16 evaluations of institutions a (6), b (5) and c (5).
//   a: had_problems 5; waits 4; bad_treatment 3; papers 0; benefit no 3, yes 2, partly 1;
//      knows_how 2 of 5 (a6 missing); knows_rights 2
//   b: had_problems 1; waits 1; bad_treatment 0; papers 0; benefit no 0, yes 4, partly 1;
//      knows_how 4 of 5; knows_rights 4
//   c: had_problems 1; waits 0; bad_treatment 0; papers 1; benefit no 1, yes 3, partly 1;
//      knows_how 3 of 5; knows_rights 4
std::vector<IndicatorCount> FirstExample() {
  struct Row {
    const char* indicator;
    Valence valence;
    int64_t a_n, a_x, b_n, b_x, c_n, c_x;
  };
  const Row rows[] = {
      {"had_problems", kBad, 6, 5, 5, 1, 5, 1},
      {"problems=waits", kBad, 6, 4, 5, 1, 5, 0},
      {"problems=bad_treatment", kBad, 6, 3, 5, 0, 5, 0},
      {"problems=papers", kBad, 6, 0, 5, 0, 5, 1},
      {"benefit=no", kBad, 6, 3, 5, 0, 5, 1},
      {"benefit=yes", kGood, 6, 2, 5, 4, 5, 3},
      {"benefit=partly", Valence::kNone, 6, 1, 5, 1, 5, 1},
      {"knows_how", kGood, 5, 2, 5, 4, 5, 3},
      {"knows_rights", kGood, 6, 2, 5, 4, 5, 4},
  };
  std::vector<IndicatorCount> counts;
  for (const Row& r : rows) {
    counts.push_back({"a", r.indicator, r.valence, false, r.a_n, r.a_x, ""});
    counts.push_back({"b", r.indicator, r.valence, false, r.b_n, r.b_x, ""});
    counts.push_back({"c", r.indicator, r.valence, false, r.c_n, r.c_x, ""});
  }
  return counts;
}

}  // namespace

TEST_CASE("indicators: the first worked example, rates, Wilson intervals and Fisher p-values",
          "[unit]") {
  IndicatorOptions options;
  options.min_n = 3;
  options.min_gap_pp = 10;
  const IndicatorReport r = ComputeIndicators(FirstExample(), options);

  const NetworkIndicator& problems = Network(r, "had_problems");
  CHECK(problems.n == 16);
  CHECK(problems.x == 7);
  CHECK(problems.rate == Approx(43.75));
  CHECK(problems.wilson.low == Approx(23.098652).margin(1e-6));
  CHECK(problems.wilson.high == Approx(66.821444).margin(1e-6));
  const NetworkIndicator& knows = Network(r, "knows_how");
  CHECK(knows.n == 15);
  CHECK(knows.rate == Approx(60));
  CHECK(knows.wilson.low == Approx(35.746830).margin(1e-6));
  CHECK(knows.wilson.high == Approx(80.175504).margin(1e-6));

  struct Expected {
    const char* inst;
    const char* indicator;
    double rate, low, high, others, p;
  };
  const Expected table[] = {
      {"a", "had_problems", 83.333333, 43.649718, 96.994663, 20, 0.024475524},
      {"a", "problems=waits", 66.666667, 29.999332, 90.322859, 10, 0.035714286},
      {"a", "problems=bad_treatment", 50, 18.761631, 81.238369, 0, 0.035714286},
      {"c", "problems=papers", 20, 3.622411, 62.446537, 0, 0.3125},
      {"a", "benefit=no", 50, 18.761631, 81.238369, 10, 0.118131868},
      {"a", "benefit=yes", 33.333333, 9.677141, 70.000668, 70, 0.181818182},
      {"a", "knows_how", 40, 11.762077, 76.927572, 70, 0.286713287},
      {"a", "knows_rights", 33.333333, 9.677141, 70.000668, 80, 0.091908092},
  };
  for (const Expected& e : table) {
    CAPTURE(e.inst, e.indicator);
    const IndicatorCell& c = Cell(r, e.inst, e.indicator);
    CHECK_FALSE(c.suppressed);
    CHECK(c.rate == Approx(e.rate).margin(1e-6));
    CHECK(c.wilson.low == Approx(e.low).margin(1e-6));
    CHECK(c.wilson.high == Approx(e.high).margin(1e-6));
    CHECK(c.others == Approx(e.others).margin(1e-6));
    CheckRelative(c.p, e.p);
  }
  // BH over the 24 valenced institution cells: the smallest q is 0.285714286, no flag at all.
  double smallest = 1;
  int family = 0;
  for (const IndicatorCell& c : r.cells) {
    if (c.count.valence == Valence::kNone) {
      CHECK(c.q == 1);  // described, never tested
      continue;
    }
    ++family;
    smallest = std::min(smallest, c.q);
    CHECK_FALSE(c.flagged);
  }
  CHECK(family == 24);
  CheckRelative(smallest, 0.285714286);
  CheckRelative(Cell(r, "a", "had_problems").q, 0.285714286);
  CheckRelative(Cell(r, "a", "problems=waits").q, 0.285714286);
  CheckRelative(Cell(r, "a", "problems=bad_treatment").q, 0.285714286);
}

TEST_CASE("indicators: the second worked example, what is flagged and what is not", "[unit]") {
  const std::map<std::string, std::pair<int64_t, int64_t>> problems = {
      {"p", {40, 30}}, {"q", {40, 10}},    {"r", {40, 12}},
      {"s", {40, 9}},  {"t", {2000, 800}}, {"u", {2000, 640}}};
  const std::map<std::string, std::pair<int64_t, int64_t>> knows = {
      {"p", {40, 12}}, {"q", {40, 26}},     {"r", {40, 24}},
      {"s", {40, 27}}, {"t", {2000, 1220}}, {"u", {2000, 1180}}};
  std::vector<IndicatorCount> counts;
  for (const auto& [inst, nx] : problems)
    counts.push_back({inst, "had_problems", kBad, false, nx.first, nx.second, ""});
  for (const auto& [inst, nx] : knows)
    counts.push_back({inst, "knows_how", kGood, false, nx.first, nx.second, ""});
  IndicatorOptions options;
  options.min_n = 3;
  const IndicatorReport r = ComputeIndicators(counts, options);

  const IndicatorCell& p_problems = Cell(r, "p", "had_problems");
  CHECK(p_problems.rate == Approx(75));
  CHECK(p_problems.others == Approx(35.703883).margin(1e-6));
  CheckRelative(p_problems.p, 5.41936558e-07);
  CheckRelative(p_problems.q, 3.25161935e-06);
  CHECK(p_problems.flagged);

  const IndicatorCell& p_knows = Cell(r, "p", "knows_how");
  CHECK(p_knows.rate == Approx(30));
  CHECK(p_knows.others == Approx(60.121359).margin(1e-6));
  CheckRelative(p_knows.p, 1.21186278e-04);
  CheckRelative(p_knows.q, 4.84745112e-04);
  CHECK(p_knows.flagged);

  // A large institution's small difference is not a critical point.
  const IndicatorCell& t_problems = Cell(r, "t", "had_problems");
  CHECK(t_problems.rate == Approx(40));
  CHECK(t_problems.others == Approx(32.453704).margin(1e-6));
  CheckRelative(t_problems.p, 2.42786965e-07);
  CheckRelative(t_problems.q, 2.91344358e-06);
  CHECK(t_problems.gap_pp == Approx(7.546296).margin(1e-6));
  CHECK_FALSE(t_problems.flagged);

  const IndicatorCell& u_knows = Cell(r, "u", "knows_how");
  CheckRelative(u_knows.p, 0.153555212);
  CheckRelative(u_knows.q, 0.460665636);
  CHECK_FALSE(u_knows.flagged);

  const NetworkIndicator& net = Network(r, "had_problems");
  CHECK(net.n == 4160);
  CHECK(net.rate == Approx(36.081731).margin(1e-6));
  CHECK(net.wilson.low == Approx(34.635844).margin(1e-6));
  CHECK(net.wilson.high == Approx(37.553298).margin(1e-6));
  // Only p's two cells are flagged.
  int flagged = 0;
  for (const IndicatorCell& c : r.cells) flagged += c.flagged;
  CHECK(flagged == 2);
}

TEST_CASE("indicators: small cells are suppressed and stay out of the tests", "[unit]") {
  IndicatorOptions options;
  options.min_n = 10;
  const IndicatorReport r = ComputeIndicators({{"a", "had_problems", kBad, false, 9, 9, ""},
                                               {"b", "had_problems", kBad, false, 200, 20, ""}},
                                              options);
  CHECK(Cell(r, "a", "had_problems").suppressed);
  CHECK_FALSE(Cell(r, "a", "had_problems").flagged);
  CHECK(Cell(r, "a", "had_problems").q == 1);
  CHECK_FALSE(Cell(r, "b", "had_problems").suppressed);
}

namespace {

// Autonomy of the first worked example: components knows_how, benefit = yes, knows_rights; a(e)
// kept as X = 100 × met with scale 3. a6 is out (knows_how missing).
//   a: met 0, 1, 0, 2, 3        b: 3, 3, 2, 1, 3        c: 2, 1, 3, 2, 2
AutonomyCount Autonomy(const std::string& id, const std::vector<int>& met) {
  AutonomyCount c{id, {}, 0, ""};
  c.moments.scale = 3;
  for (int m : met) {
    c.moments.n++;
    c.moments.sum += 100 * m;
    c.moments.sum_sq += 100 * m * 100 * m;
    c.full += m == 3;
  }
  return c;
}

}  // namespace

TEST_CASE("autonomy: the first worked example's cells, Welch test and BH", "[unit]") {
  AutonomyOptions options;
  options.min_n = 3;
  const AutonomyReport r =
      ComputeAutonomy({Autonomy("a", {0, 1, 0, 2, 3}), Autonomy("b", {3, 3, 2, 1, 3}),
                       Autonomy("c", {2, 1, 3, 2, 2})},
                      options);
  CHECK(r.network.stats.n == 15);
  CHECK(r.network.stats.mean == Approx(62.222222).margin(1e-6));
  CHECK(r.network.stats.sd == Approx(35.336628).margin(1e-6));
  CHECK(r.network.stats.ci_low == Approx(42.653450).margin(1e-6));
  CHECK(r.network.stats.ci_high == Approx(81.790994).margin(1e-6));
  const AutonomyCell& a = r.cells[0];
  CHECK(a.stats.n == 5);
  CHECK(a.stats.mean == Approx(40));
  CHECK(a.stats.index == Approx(40));
  CHECK(a.stats.sd == Approx(43.461349).margin(1e-6));
  CHECK(a.stats.ci_low == 0);  // the t interval, clipped to the scale
  CHECK(a.stats.ci_high == Approx(93.964393).margin(1e-6));
  CHECK(a.full == 1);
  CheckRelative(a.p, 0.085111250);
  CHECK(a.df == Approx(5.515913).margin(1e-6));
  CheckRelative(a.q, 0.255333751);
  CHECK_FALSE(a.flagged);  // five families are not evidence
  CHECK(r.cells[1].stats.mean == Approx(80));
  CHECK(r.cells[1].stats.sd == Approx(29.814240).margin(1e-6));
  CHECK(r.cells[2].stats.mean == Approx(66.666667).margin(1e-6));
  CHECK(r.cells[2].stats.sd == Approx(23.570226).margin(1e-6));
}

// ---------------------------------------------------------------------------------------------
// The same worked example, but from the families' answers: the definition says what is bad and
// good, EvaluationFacts turns each evaluation into facts, the layout sums them per institution
// and ComputePartB reads the cells back. Every number must match the example's.

namespace {

const SurveyDefinition& ExampleDefinition() {
  static const SurveyDefinition def = [] {
    auto r = ParseSurveyDefinition(R"({
      "id": "example", "version": 1, "title": {"es": "Ejemplo", "en": "Example"},
      "scale": {"min": 1, "max": 7},
      "dimensions": [{"id": "utility", "label": {"es": "Utilidad", "en": "Utility"}}],
      "household": [
        {"id": "months", "type": "integer", "role": "stage", "label": {"es": "m", "en": "m"}}],
      "evaluation": [
        {"id": "utl", "type": "likert", "dimension": "utility", "label": {"es": "u", "en": "u"}},
        {"id": "had_problems", "type": "boolean", "valence": "bad", "label": {"es": "p", "en": "p"}},
        {"id": "problems", "type": "multi", "label": {"es": "q", "en": "q"},
         "relevant": {"item": "had_problems", "equals": true},
         "options": [
           {"value": "waits", "valence": "bad", "label": {"es": "w", "en": "w"}},
           {"value": "bad_treatment", "valence": "bad", "severity": "high", "label": {"es": "t", "en": "t"}},
           {"value": "papers", "valence": "bad", "label": {"es": "x", "en": "x"}}]},
        {"id": "benefit", "type": "single", "label": {"es": "b", "en": "b"},
         "options": [
           {"value": "yes", "valence": "good", "label": {"es": "s", "en": "y"}},
           {"value": "partly", "label": {"es": "e", "en": "p"}},
           {"value": "no", "valence": "bad", "label": {"es": "n", "en": "n"}}]},
        {"id": "knows_how", "type": "boolean", "valence": "good", "label": {"es": "k", "en": "k"}},
        {"id": "knows_rights", "type": "boolean", "valence": "good", "label": {"es": "r", "en": "r"}}],
      "autonomy": [
        {"id": "self_management", "item": "knows_how", "equals": true},
        {"id": "efficacy", "item": "benefit", "equals": "yes"},
        {"id": "rights", "item": "knows_rights", "equals": true}],
      "stages": [6, 12, 24]
    })",
                                   "example.json");
    REQUIRE(r.ok());
    return std::move(r).value();
  }();
  return def;
}

// One row of the example: "a1 yes {waits,bad_treatment} no no no" ('?' missing, '-' not asked).
nlohmann::json Answers(const std::string& had, const std::vector<std::string>& problems,
                       const std::string& benefit, const std::string& knows_how,
                       const std::string& knows_rights) {
  nlohmann::json a = nlohmann::json::object();
  a["had_problems"] = had == "yes";
  if (had == "yes") a["problems"] = problems;
  a["benefit"] = benefit;
  if (knows_how != "?") a["knows_how"] = knows_how == "yes";
  a["knows_rights"] = knows_rights == "yes";
  return a;
}

std::map<std::string, std::vector<int64_t>> ExampleSums(const IndicatorLayout& layout) {
  struct Row {
    const char* inst;
    nlohmann::json answers;
    int months;
  };
  const std::vector<Row> rows = {
      {"a", Answers("yes", {"waits", "bad_treatment"}, "no", "no", "no"), 3},
      {"a", Answers("yes", {"waits"}, "partly", "no", "yes"), 3},
      {"a", Answers("yes", {"bad_treatment"}, "no", "no", "no"), 10},
      {"a", Answers("yes", {"waits", "bad_treatment"}, "yes", "yes", "no"), 10},
      {"a", Answers("no", {}, "yes", "yes", "yes"), 30},
      {"a", Answers("yes", {"waits"}, "no", "?", "no"), 30},
      {"b", Answers("no", {}, "yes", "yes", "yes"), 3},
      {"b", Answers("no", {}, "yes", "yes", "yes"), 10},
      {"b", Answers("yes", {"waits"}, "yes", "no", "yes"), 20},
      {"b", Answers("no", {}, "partly", "yes", "no"), 20},
      {"b", Answers("no", {}, "yes", "yes", "yes"), 30},
      {"c", Answers("no", {}, "yes", "yes", "no"), 3},
      {"c", Answers("yes", {"papers"}, "partly", "no", "yes"), 10},
      {"c", Answers("no", {}, "yes", "yes", "yes"), 20},
      {"c", Answers("no", {}, "no", "yes", "yes"), 30},
      {"c", Answers("no", {}, "yes", "no", "yes"), 30},
  };
  std::map<std::string, std::vector<int64_t>> sums;
  for (const Row& row : rows) {
    const nlohmann::json household = {{"months", row.months}};
    auto& s = sums[row.inst];
    s.resize(layout.width());
    layout.Accumulate(EvaluationFacts(ExampleDefinition(), row.answers, &household), s.data());
  }
  return sums;
}

}  // namespace

TEST_CASE("part (b) from answers: facts summed per institution give the worked example's cells",
          "[unit]") {
  const IndicatorLayout layout(ExampleDefinition());
  REQUIRE(layout.indicators().size() == 9);
  CHECK(layout.components() == std::vector<std::string>{"self_management", "efficacy", "rights"});
  CHECK(layout.bands() == std::vector<std::string>{"0-6", "7-12", "13-24", "25+"});
  PartBOptions options;
  options.indicators.min_n = 3;
  options.autonomy.min_n = 3;
  const PartBReport r = ComputePartB(layout, ExampleSums(layout), options);

  const NetworkIndicator& net = Network(r.indicators, "had_problems");
  CHECK(net.n == 16);
  CHECK(net.x == 7);
  CHECK(net.wilson.low == Approx(23.098652).margin(1e-6));
  const IndicatorCell& waits = Cell(r.indicators, "a", "problems=waits");
  CHECK(waits.count.n == 6);  // a5 had no problems: asked nothing, chose none
  CHECK(waits.count.x == 4);
  CheckRelative(waits.p, 0.035714286);
  CHECK(Cell(r.indicators, "a", "problems=bad_treatment").count.high_severity);
  const IndicatorCell& papers = Cell(r.indicators, "c", "problems=papers");
  CHECK(papers.rate == Approx(20));
  CheckRelative(papers.p, 0.3125);
  const IndicatorCell& how = Cell(r.indicators, "a", "knows_how");
  CHECK(how.count.n == 5);  // a6 did not answer
  CHECK(how.count.x == 2);
  CheckRelative(how.p, 0.286713287);
  CheckRelative(Cell(r.indicators, "a", "benefit=yes").p, 0.181818182);
  CHECK(Cell(r.indicators, "a", "benefit=partly").count.valence == Valence::kNone);
  for (const IndicatorCell& c : r.indicators.cells) CHECK_FALSE(c.flagged);

  CHECK(r.autonomy.network.stats.n == 15);
  CHECK(r.autonomy.network.stats.mean == Approx(62.222222).margin(1e-6));
  REQUIRE(r.autonomy.cells.size() == 3);
  CHECK(r.autonomy.cells[0].stats.mean == Approx(40));
  CHECK(r.autonomy.cells[0].full == 1);
  CheckRelative(r.autonomy.cells[0].q, 0.255333751);

  // By stage: 0-6 holds a1 (0), a2 (33.3), b1 (100), c1 (66.7) -> mean 50; 25+ holds a5 (100),
  // b5 (100), c4 (66.7), c5 (66.7) and not a6 (knows_how missing) -> mean 83.3.
  REQUIRE(r.stages.size() == 4);
  CHECK(r.stages[0].band == "0-6");
  CHECK(r.stages[0].cell.stats.n == 4);
  CHECK(r.stages[0].cell.stats.mean == Approx(50));
  CHECK(r.stages[3].band == "25+");
  CHECK(r.stages[3].cell.stats.n == 4);
  CHECK(r.stages[3].cell.stats.mean == Approx(83.333333).margin(1e-6));
  int64_t in_bands = 0;
  for (const BandCell& b : r.stages) in_bands += b.cell.stats.n;
  CHECK(in_bands == 15);
}

TEST_CASE("part (b) facts: not asked, unanswered and answered are told apart", "[unit]") {
  const SurveyDefinition& def = ExampleDefinition();
  const nlohmann::json household = {{"months", 7}};
  // No problems: the problems were not asked, so none was met; knows_how unanswered.
  const std::string facts = EvaluationFacts(
      def, {{"had_problems", false}, {"benefit", "partly"}, {"knows_rights", true}}, &household);
  REQUIRE(facts.size() == def.indicators.size() + 1);
  CHECK(def.indicators[0].Key() == "had_problems");
  CHECK(facts[0] == kFactNo);
  CHECK(facts[1] == kFactNo);   // problems=waits: not asked counts as answered, none chosen
  CHECK(facts[4] == kFactNo);   // benefit=yes
  CHECK(facts[5] == kFactYes);  // benefit=partly
  CHECK(facts[7] == kFactOut);  // knows_how: not answered
  CHECK(facts[8] == kFactYes);
  CHECK(facts[9] == 2);  // stage band 7-12, plus one
  // Had problems but did not say which: the problems are out of the sample.
  const std::string unsaid = EvaluationFacts(def, {{"had_problems", true}}, nullptr);
  CHECK(unsaid[1] == kFactOut);
  CHECK(unsaid[4] == kFactOut);  // benefit unanswered
  CHECK(unsaid[9] == 0);         // no stage
}

TEST_CASE("Fisher's one-sided test agrees with Boost's exact hypergeometric tails", "[unit]") {
  // The summed tails against Boost.Math's distribution, over small and mid populations, both
  // tails, x on either side of the mode.
  using boost::math::hypergeometric_distribution;
  int compared = 0;
  for (const int64_t N : {12, 200, 5000}) {
    for (const int64_t K : {N / 10, N / 3, N - 2}) {
      for (const int64_t n : {int64_t{3}, N / 4, N / 2}) {
        const hypergeometric_distribution<double> dist(
            static_cast<unsigned>(K), static_cast<unsigned>(n), static_cast<unsigned>(N));
        const int64_t lo = std::max<int64_t>(0, n - (N - K)), hi = std::min(n, K);
        for (int64_t x = lo; x <= hi; x += std::max<int64_t>(1, (hi - lo) / 7)) {
          const double up =
              x == lo
                  ? 1.0
                  : boost::math::cdf(boost::math::complement(dist, static_cast<unsigned>(x - 1)));
          const double down = boost::math::cdf(dist, static_cast<unsigned>(x));
          INFO("N " << N << " K " << K << " n " << n << " x " << x);
          CHECK(FisherOneSided(N, K, n, x, true) == Approx(up).epsilon(1e-9).margin(1e-300));
          CHECK(FisherOneSided(N, K, n, x, false) == Approx(down).epsilon(1e-9).margin(1e-300));
          ++compared;
        }
      }
    }
  }
  CHECK(compared > 100);
}

TEST_CASE("part (b) with compare=type: each type's cells are that type's alone, one BH over all",
          "[unit]") {
  const IndicatorLayout layout(ExampleDefinition());
  PartBOptions options;
  options.indicators.min_n = 3;
  options.autonomy.min_n = 3;
  // a and b are one type, c another (alone in its type: nothing to compare it with).
  std::map<std::string, std::vector<int64_t>> sums = ExampleSums(layout);
  const PeerTypes types = {{"a", "cesfam"}, {"b", "cesfam"}, {"c", "omil"}};
  const PartBReport both = ComputePartB(layout, sums, options, &types);
  std::map<std::string, std::vector<int64_t>> cesfams = {{"a", sums["a"]}, {"b", sums["b"]}};
  const PartBReport alone = ComputePartB(layout, cesfams, options);

  for (const IndicatorCell& c : alone.indicators.cells) {
    INFO(c.count.institution_id << " " << c.count.indicator);
    const IndicatorCell& mine = Cell(both.indicators, c.count.institution_id, c.count.indicator);
    CHECK(mine.others == Approx(c.others).margin(1e-12));
    CHECK(mine.p == Approx(c.p).margin(1e-12));
  }
  // The peers: one per type and indicator; the network still pools everyone.
  CHECK(both.indicators.peers.size() == 2 * layout.indicators().size());
  CHECK(both.indicators.peers.front().type == "cesfam");
  CHECK(both.indicators.network.size() == layout.indicators().size());
  CHECK(Network(both.indicators, "had_problems").n == 16);
  REQUIRE(both.autonomy.peers.size() == 2);
  CHECK(both.autonomy.peers[0].type == "cesfam");
  CHECK(both.autonomy.peers[0].stats.mean == Approx(alone.autonomy.network.stats.mean));
  CHECK(both.autonomy.cells[0].gap == Approx(alone.autonomy.cells[0].gap).margin(1e-12));
  CHECK(both.autonomy.network.stats.n == 15);
  // c is alone in its type: no others, no test.
  const IndicatorCell& c = Cell(both.indicators, "c", "had_problems");
  CHECK(std::isnan(c.others));
}
