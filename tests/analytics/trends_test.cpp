// Change between two waves (analytics/trends.h) against the worked example of docs/analytics.md,
// "Waves and trends": from the answers (dimensions, interviews as clusters) and from the counts
// (indicators). Values agree to 1e-6 (p and q relatively).
#include "percept/trends.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "percept/follow_up.h"
#include "percept/statistics.h"
#include "percept/trend_report.h"
#include "worked_example.h"

using namespace percept;

namespace {

// One evaluation: trn_1 trn_2 utl_1 utl_2 overall (8 = don't know, 9 = not applicable).
struct Row {
  std::string institution, household;
  std::vector<int> answers;
};

const std::vector<Row> kWaveA = {
    {"a", "h1", {2, 3, 6, 5, 3}}, {"a", "h2", {3, 3, 6, 6, 4}}, {"a", "h3", {2, 9, 5, 6, 3}},
    {"a", "h4", {4, 3, 7, 6, 5}}, {"b", "h1", {6, 7, 5, 5, 6}}, {"b", "h2", {5, 6, 6, 4, 5}},
    {"b", "h3", {7, 7, 6, 6, 7}}, {"b", "h4", {6, 5, 8, 9, 6}}, {"c", "h1", {5, 5, 4, 5, 5}},
    {"c", "h2", {6, 6, 5, 5, 6}}, {"c", "h3", {5, 4, 4, 4, 4}}, {"c", "h4", {6, 5, 6, 5, 6}}};
const std::vector<Row> kWaveB = {
    {"a", "h5", {6, 6, 6, 5, 6}}, {"a", "h6", {5, 6, 6, 6, 5}}, {"a", "h7", {6, 7, 5, 6, 6}},
    {"a", "h8", {5, 5, 7, 6, 5}}, {"b", "h5", {6, 6, 5, 5, 6}}, {"b", "h6", {5, 5, 6, 4, 5}},
    {"b", "h7", {7, 6, 6, 6, 7}}, {"b", "h8", {6, 6, 4, 5, 6}}, {"c", "h5", {4, 4, 3, 4, 4}},
    {"c", "h6", {5, 4, 4, 4, 5}}, {"c", "h7", {4, 4, 3, 4, 4}}, {"c", "h9", {5, 5, 4, 5, 5}}};

// A dimension's score of one evaluation: the mean of its items answered, when at least half are.
bool Score(const Row& r, const std::vector<int>& items, double* score) {
  double sum = 0;
  int answered = 0;
  for (int i : items) {
    if (r.answers[i] >= 8) continue;
    sum += r.answers[i];
    ++answered;
  }
  if (answered * 2 < static_cast<int>(items.size())) return false;
  *score = sum / answered;
  return true;
}

// The scores of `items` for `institution` ("" for every one), grouped by household.
ClusterMean Cell(const std::vector<Row>& wave, const std::string& institution,
                 const std::vector<int>& items) {
  std::map<std::string, std::vector<double>> by_household;
  for (const Row& r : wave) {
    double s = 0;
    if ((institution.empty() || r.institution == institution) && Score(r, items, &s))
      by_household[r.household].push_back(s);
  }
  std::vector<std::vector<double>> grouped;
  for (auto& [h, scores] : by_household) grouped.push_back(scores);
  return ClusterMeanOf(grouped);
}

constexpr double kK = 100.0 / 6;  // index points per scale point, 1..7
double Index(double mean) { return kK * (mean - 1); }

void CheckRelative(double actual, double expected) {
  CHECK(actual == Approx(expected).epsilon(1e-6));
}

}  // namespace

TEST_CASE("trends: the worked example from the answers, interviews as clusters", "[unit]") {
  const std::vector<int> trn = {0, 1}, utl = {2, 3}, overall = {4};
  struct Expected {
    std::string institution;
    const std::vector<int>* items;
    double index_a, index_b, change, low, high, df, p, q;
    std::vector<std::string> flags;
  };
  const std::vector<Expected> cells = {
      {"a",
       &trn,
       29.166667,
       79.166667,
       50,
       31.385711,
       68.614289,
       6,
       0.000594765,
       0.00356859,
       {"improved"}},
      {"a", &utl, 81.25, 81.25, 0, -13.804726, 13.804726, 6, 1, 1, {}},
      {"b",
       &trn,
       85.416667,
       81.25,
       -4.166667,
       -24.275537,
       15.942203,
       5.823853,
       0.628298762,
       0.80370282,
       {}},
      {"b",
       &utl,
       72.222222,
       68.75,
       -3.472222,
       -23.524796,
       16.580351,
       4.676142,
       0.66975235,
       0.80370282,
       {}},
      {"c",
       &trn,
       70.833333,
       56.25,
       -14.583333,
       -31.310956,
       2.144290,
       5.533589,
       0.076111358,
       0.152222715,
       {}},
      {"c",
       &utl,
       62.5,
       47.916667,
       -14.583333,
       -31.310956,
       2.144290,
       5.533589,
       0.076111358,
       0.152222715,
       {}},
  };
  std::vector<TrendChange> changes;
  std::vector<double> p;
  for (const Expected& e : cells) {
    const ClusterMean a = Cell(kWaveA, e.institution, *e.items);
    const ClusterMean b = Cell(kWaveB, e.institution, *e.items);
    changes.push_back(IndexChange(a, b, kK));
    p.push_back(changes.back().p);
  }
  // One family: the institutions' dimension cells (not overall).
  const std::vector<double> q = BenjaminiHochberg(p);
  for (size_t i = 0; i < cells.size(); ++i) {
    const Expected& e = cells[i];
    CAPTURE(e.institution, e.items == &trn ? "transparency" : "utility");
    CHECK(Index(Cell(kWaveA, e.institution, *e.items).mean) == Approx(e.index_a).margin(1e-6));
    CHECK(Index(Cell(kWaveB, e.institution, *e.items).mean) == Approx(e.index_b).margin(1e-6));
    CHECK(changes[i].change == Approx(e.change).margin(1e-6));
    CHECK(changes[i].low == Approx(e.low).margin(1e-6));
    CHECK(changes[i].high == Approx(e.high).margin(1e-6));
    CHECK(changes[i].df == Approx(e.df).margin(1e-6));
    CheckRelative(changes[i].p, e.p);
    CheckRelative(q[i], e.q);
    CHECK(TrendFlags(changes[i].change, q[i], 5, false) == e.flags);
  }

  // The network: every institution's scores, the households as clusters (H 4 -> 5).
  struct Network {
    const std::vector<int>* items;
    double index_a, index_b, change, low, high, df, p;
  };
  for (const Network& n : std::vector<Network>{
           {&trn, 61.805556, 72.222222, 10.416667, 3.929923, 16.903410, 6.178484, 0.007519519},
           {&utl, 71.969697, 65.972222, -5.997475, -15.287424, 3.292475, 5.968551, 0.165059174},
           {&overall, 66.666667, 72.222222, 5.555556, -6.170006, 17.281117, 4.993499,
            0.277481464}}) {
    const ClusterMean a = Cell(kWaveA, "", *n.items), b = Cell(kWaveB, "", *n.items);
    const TrendChange t = IndexChange(a, b, kK);
    CHECK(Index(a.mean) == Approx(n.index_a).margin(1e-6));
    CHECK(Index(b.mean) == Approx(n.index_b).margin(1e-6));
    CHECK(t.change == Approx(n.change).margin(1e-6));
    CHECK(t.low == Approx(n.low).margin(1e-6));
    CHECK(t.high == Approx(n.high).margin(1e-6));
    CHECK(t.df == Approx(n.df).margin(1e-6));
    CheckRelative(t.p, n.p);
  }
  const ClusterMean trn_a = Cell(kWaveA, "", trn);
  CHECK(trn_a.m == 12);
  CHECK(trn_a.h == 4);
  CHECK(Cell(kWaveB, "", trn).h == 5);
  // Its 95% interval in wave A alone: households hardly vary, so it is narrow.
  const double half = StudentTQuantile(trn_a.df, 0.975) * kK * std::sqrt(trn_a.v);
  CHECK(Index(trn_a.mean) - half == Approx(57.573666).margin(1e-6));
  CHECK(Index(trn_a.mean) + half == Approx(66.037445).margin(1e-6));
}

namespace {

// One wave's sums as the server keeps them: per institution, and per interview for the network.
WaveSums SumsOf(const std::vector<Row>& wave, const ScoreLayout& layout,
                const IndicatorLayout& indicators) {
  WaveSums w;
  std::map<std::string, std::vector<int64_t>> by_household;
  for (const Row& r : wave) {
    std::vector<int> likert;
    for (int v : r.answers) likert.push_back(v >= 1 && v <= 7 ? v : kNoAnswer);
    for (auto* m : {&w.scores[r.institution], &by_household[r.household]}) {
      m->resize(layout.width(), 0);
      layout.Accumulate(likert, m->data());
    }
  }
  const std::vector<int64_t> none(indicators.width() + 1, 0);
  for (const auto& [household, sums] : by_household)
    w.network.AddInterview(layout, indicators, sums.data(), none.data());
  return w;
}

}  // namespace

TEST_CASE("trends: the trend report from the kept sums is the worked example", "[unit]") {
  // The same oracle as above, through what the server computes: integer sums per institution
  // and per interview (ClusterSums), the cells, the institutions' family and its flags.
  const SurveyDefinition def = testing::WorkedExampleDefinition();
  const ScoreLayout layout(def);
  const IndicatorLayout indicators(def);
  TrendOptions o;
  o.min_n = 3;
  const TrendReport r = ComputeTrends(layout, indicators, SumsOf(kWaveA, layout, indicators),
                                      SumsOf(kWaveB, layout, indicators), o);
  auto cell = [&](const std::string& inst, const std::string& dim) -> const IndexTrend& {
    for (const IndexTrend& c : inst.empty() ? r.network : r.cells)
      if (c.institution_id == inst && c.dimension == dim) return c;
    FAIL("no cell " << inst << " " << dim);
    throw;
  };
  struct Expected {
    std::string inst, dim;
    double index_a, index_b, change, low, high, df, p, q;
    std::vector<std::string> flags;
  };
  const double kNone = std::nan("");
  for (const Expected& e :
       std::vector<Expected>{{"a",
                              "transparency",
                              29.166667,
                              79.166667,
                              50,
                              31.385711,
                              68.614289,
                              6,
                              0.000594765,
                              0.00356859,
                              {"improved"}},
                             {"a", "utility", 81.25, 81.25, 0, -13.804726, 13.804726, 6, 1, 1, {}},
                             {"b",
                              "transparency",
                              85.416667,
                              81.25,
                              -4.166667,
                              -24.275537,
                              15.942203,
                              5.823853,
                              0.628298762,
                              0.80370282,
                              {}},
                             {"b",
                              "utility",
                              72.222222,
                              68.75,
                              -3.472222,
                              -23.524796,
                              16.580351,
                              4.676142,
                              0.66975235,
                              0.80370282,
                              {}},
                             {"c",
                              "transparency",
                              70.833333,
                              56.25,
                              -14.583333,
                              -31.310956,
                              2.144290,
                              5.533589,
                              0.076111358,
                              0.152222715,
                              {}},
                             {"c",
                              "utility",
                              62.5,
                              47.916667,
                              -14.583333,
                              -31.310956,
                              2.144290,
                              5.533589,
                              0.076111358,
                              0.152222715,
                              {}},
                             {"",
                              "transparency",
                              61.805556,
                              72.222222,
                              10.416667,
                              3.929923,
                              16.903410,
                              6.178484,
                              0.007519519,
                              kNone,
                              {}},
                             {"",
                              "utility",
                              71.969697,
                              65.972222,
                              -5.997475,
                              -15.287424,
                              3.292475,
                              5.968551,
                              0.165059174,
                              kNone,
                              {}},
                             {"",
                              "overall",
                              66.666667,
                              72.222222,
                              5.555556,
                              -6.170006,
                              17.281117,
                              4.993499,
                              0.277481464,
                              kNone,
                              {}}}) {
    CAPTURE(e.inst, e.dim);
    const IndexTrend& c = cell(e.inst, e.dim);
    CHECK(c.a.index == Approx(e.index_a).margin(1e-6));
    CHECK(c.b.index == Approx(e.index_b).margin(1e-6));
    CHECK(c.change.change == Approx(e.change).margin(1e-6));
    CHECK(c.change.low == Approx(e.low).margin(1e-6));
    CHECK(c.change.high == Approx(e.high).margin(1e-6));
    CHECK(c.change.df == Approx(e.df).margin(1e-6));
    CheckRelative(c.change.p, e.p);
    if (std::isnan(e.q)) {
      CHECK(std::isnan(c.q));  // a network cell is never tested
    } else {
      CheckRelative(c.q, e.q);
    }
    CHECK(c.flags == e.flags);
  }
  // The network's wave A, interviews as clusters: n 12 from H 4, and its narrow interval.
  const IndexTrend& trn = cell("", "transparency");
  CHECK(trn.a.n == 12);
  CHECK(trn.a.h == 4);
  CHECK(trn.b.h == 5);
  CHECK(trn.a.ci_low == Approx(57.573666).margin(1e-6));
  CHECK(trn.a.ci_high == Approx(66.037445).margin(1e-6));
  // Overall is described, never tested.
  CHECK(std::isnan(cell("a", "overall").q));
  CHECK_FALSE(cell("a", "overall").tested);
  // With min_n 5 every institution side (4 evaluations) is suppressed: no change, no flag.
  o.min_n = 5;
  const TrendReport hidden = ComputeTrends(layout, indicators, SumsOf(kWaveA, layout, indicators),
                                           SumsOf(kWaveB, layout, indicators), o);
  for (const IndexTrend& c : hidden.cells) {
    CHECK(c.a.suppressed);
    CHECK(std::isnan(c.change.change));
    CHECK(c.flags.empty());
  }
  CHECK(hidden.network[0].a.suppressed);        // H 4 < 5
  CHECK_FALSE(hidden.network[0].b.suppressed);  // H 5
}

TEST_CASE("trends: the worked example from the counts, and the plans' own family", "[unit]") {
  struct Expected {
    int64_t n_a, x_a, n_b, x_b;
    bool bad;
    double change, low, high, p, q;
    std::vector<std::string> flags;
  };
  const std::vector<Expected> cells = {
      {40, 30, 40, 14, true, -40, -56.805914, -18.299212, 0.0006476793, 0.0038860758, {"improved"}},
      {40, 12, 40, 22, false, 25, 3.361101, 43.615787, 0.0410796862, 0.0821593725, {}},
      {40, 10, 40, 11, true, 2.5, -16.490360, 21.263776, 1, 1, {}},
      {40, 26, 40, 25, false, -2.5, -22.618792, 17.904583, 1, 1, {}},
      {2000, 800, 2000, 740, true, -3, -6.008056, 0.015735, 0.0552034008, 0.0828051012, {}},
      {2000, 1220, 2000, 1300, false, 4, 1.007589, 6.982354, 0.00966549837, 0.0289964951, {}},
  };
  std::vector<double> p;
  std::vector<TrendChange> changes;
  for (const Expected& e : cells) {
    changes.push_back(RateChange(e.n_a, e.x_a, e.n_b, e.x_b));
    p.push_back(changes.back().p);
  }
  const std::vector<double> q = BenjaminiHochberg(p);
  for (size_t i = 0; i < cells.size(); ++i) {
    const Expected& e = cells[i];
    CAPTURE(i);
    CHECK(changes[i].change == Approx(e.change).margin(1e-6));
    CHECK(changes[i].low == Approx(e.low).margin(1e-6));
    CHECK(changes[i].high == Approx(e.high).margin(1e-6));
    CheckRelative(changes[i].p, e.p);
    CheckRelative(q[i], e.q);
    // t · knows_how rose 4 points with q < 0.05: real, but under min_gap_pp = 10.
    CHECK(TrendFlags(changes[i].change, q[i], 10, e.bad) == e.flags);
  }
  // Two plans stated in advance, judged in a family of their own: a · transparency and
  // p · had_problems.
  const std::vector<double> plans = BenjaminiHochberg({0.000594765, 0.0006476793});
  CheckRelative(plans[0], 0.000647679);
  CheckRelative(plans[1], 0.000647679);
}

TEST_CASE("trends: degenerate sides give no interval rather than a false one", "[unit]") {
  // One interview: no variance, no interval, no p; the change itself is still known.
  const ClusterMean one = ClusterMeanOf({{5, 6}});
  CHECK(one.h == 1);
  CHECK(std::isnan(one.v));
  const ClusterMean two = ClusterMeanOf({{5}, {6}});
  const TrendChange t = IndexChange(one, two, kK);
  CHECK(t.change == Approx(kK * (5.5 - 5.5)).margin(1e-12));
  CHECK(std::isnan(t.low));
  CHECK(std::isnan(t.p));
  // Both sides constant: a total variance of 0 gives no interval either.
  const TrendChange flat = IndexChange(ClusterMeanOf({{4}, {4}}), ClusterMeanOf({{6}, {6}}), kK);
  CHECK(flat.change == Approx(2 * kK));
  CHECK(std::isnan(flat.df));
  // A side with zero variance drops out of the degrees of freedom.
  const TrendChange half = IndexChange(ClusterMeanOf({{4}, {4}}), ClusterMeanOf({{5}, {7}}), kK);
  CHECK(half.df == Approx(1));
  CHECK(TrendFlags(std::nan(""), 0.01, 5, false).empty());
}

TEST_CASE("trends: two-sided Fisher by ratios from the mode is the sum over every table",
          "[unit]") {
  // The reference: every table with the margins, each probability from lgamma, as R's
  // fisher.test sums them.
  auto reference = [](int64_t n_a, int64_t x_a, int64_t n_b, int64_t x_b) {
    const int64_t n = n_a + n_b, chose = x_a + x_b;
    auto lc = [](int64_t a, int64_t b) {
      return std::lgamma(a + 1.0) - std::lgamma(b + 1.0) - std::lgamma(a - b + 1.0);
    };
    auto lp = [&](int64_t k) { return lc(chose, k) + lc(n - chose, n_a - k) - lc(n, n_a); };
    const double bound = lp(x_a) + std::log1p(1e-7);
    double p = 0;
    for (int64_t k = std::max<int64_t>(0, n_a - (n - chose)); k <= std::min(n_a, chose); ++k)
      if (lp(k) <= bound) p += std::exp(lp(k));
    return std::min(1.0, p);
  };
  std::mt19937_64 rng(7);
  int small = 0;
  for (int i = 0; i < 2000; ++i) {
    const int64_t n_a = 1 + static_cast<int64_t>(rng() % 3000);
    const int64_t n_b = 1 + static_cast<int64_t>(rng() % 3000);
    const double rate = std::uniform_real_distribution<double>(0, 1)(rng);
    const double shift = std::uniform_real_distribution<double>(-0.2, 0.2)(rng);
    const int64_t x_a = std::clamp<int64_t>(static_cast<int64_t>(rate * n_a), 0, n_a);
    const int64_t x_b = std::clamp<int64_t>(static_cast<int64_t>((rate + shift) * n_b), 0, n_b);
    const double expected = reference(n_a, x_a, n_b, x_b);
    CAPTURE(n_a, x_a, n_b, x_b);
    CHECK(FisherTwoSided(n_a, x_a, n_b, x_b) == Approx(expected).epsilon(1e-9).margin(1e-300));
    small += expected < 1e-6;
  }
  CHECK(small > 100);  // the tails were tried, not only p near 1
  // Degenerate margins: nobody or everybody chose it.
  CHECK(FisherTwoSided(10, 0, 12, 0) == 1);
  CHECK(FisherTwoSided(10, 10, 12, 12) == 1);
}

TEST_CASE("follow-up: the worked example's two plans, judged in their own family", "[unit]") {
  // a · transparency (index points) and p · had_problems (a bad indicator, percentage points),
  // both critical in 2027-1 and submitted before 2027-2 began.
  FollowUpInput transparency;
  transparency.cell = "2027-1/a/dimension/transparency";
  transparency.in_advance = true;
  transparency.change = 50;
  transparency.p = 0.000594765;
  transparency.own_q = 0.00356859;
  transparency.min_gap = 5;
  FollowUpInput problems;
  problems.cell = "2027-1/p/indicator/had_problems";
  problems.in_advance = true;
  problems.change = -40;
  problems.p = 0.0006476793;
  problems.own_q = 0.0038860758;
  problems.min_gap = 10;
  problems.lower_is_better = true;
  const std::vector<FollowUpVerdict> v = JudgePlans({transparency, problems});
  REQUIRE(v.size() == 2);
  for (const FollowUpVerdict& one : v) {
    CheckRelative(one.q, 0.000647679);
    CHECK(one.verdict == "improved");
    CHECK_FALSE(one.post_hoc);
  }
  // A second plan on the same cell is the same hypothesis: the family does not grow.
  const std::vector<FollowUpVerdict> twice = JudgePlans({transparency, problems, transparency});
  CheckRelative(twice[2].q, 0.000647679);
  CheckRelative(twice[1].q, 0.000647679);
  // Written after the wave began: judged by its cell's own q, and said to be post hoc.
  FollowUpInput late = transparency;
  late.in_advance = false;
  const std::vector<FollowUpVerdict> after = JudgePlans({late, problems});
  CHECK(after[0].post_hoc);
  CheckRelative(after[0].q, 0.00356859);
  CheckRelative(after[1].q, 0.0006476793);  // alone in its family now
  // Too few answers, or no p: no verdict but that.
  FollowUpInput thin = transparency;
  thin.suppressed = true;
  CHECK(JudgePlans({thin})[0].verdict == "insufficient_n");
  FollowUpInput no_p = transparency;
  no_p.p = std::nan("");
  CHECK(JudgePlans({no_p})[0].verdict == "insufficient_n");
  // Significant but small, and significant the wrong way.
  FollowUpInput small = transparency;
  small.change = 4;
  CHECK(JudgePlans({small})[0].verdict == "no_change");
  FollowUpInput worse = problems;
  worse.change = 40;
  CHECK(JudgePlans({worse})[0].verdict == "worsened");
  CHECK(TargetMet(20, 25, /*lower_is_better=*/true));
  CHECK_FALSE(TargetMet(70, 75, false));
}
