// Analytics against docs/analytics.md's worked example (computed by hand, not by this code), and
// incremental sums against a direct recomputation from raw evaluations.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>

#include "percept/scores.h"
#include "percept/statistics.h"
#include "percept/survey_definition.h"

using namespace percept;

namespace {

SurveyDefinition WorkedExampleDefinition() {
  auto def = ParseSurveyDefinition(R"({
    "id": "example", "version": 1, "title": {"es": "e", "en": "e"},
    "scale": {"min": 1, "max": 7, "missing": {"8": "no sabe", "9": "no aplica"}},
    "dimensions": [{"id": "transparency", "label": {"es": "t", "en": "t"}},
                   {"id": "utility", "label": {"es": "u", "en": "u"}}],
    "household": [],
    "evaluation": [
      {"id": "trn_1", "type": "likert", "dimension": "transparency", "label": {"es": "a", "en": "a"}},
      {"id": "trn_2", "type": "likert", "dimension": "transparency", "label": {"es": "a", "en": "a"}},
      {"id": "utl_1", "type": "likert", "dimension": "utility", "label": {"es": "a", "en": "a"}},
      {"id": "utl_2", "type": "likert", "dimension": "utility", "label": {"es": "a", "en": "a"}},
      {"id": "overall", "type": "likert", "role": "overall", "label": {"es": "a", "en": "a"}}]
  })",
                                   "example.json");
  REQUIRE(def.ok());
  return std::move(def).value();
}

// The rows of the worked example: institution, then trn_1 trn_2 utl_1 utl_2 overall.
const std::vector<std::pair<std::string, std::vector<int>>> kRows = {
    {"a", {2, 3, 6, 5, 3}}, {"a", {3, 3, 6, 6, 4}}, {"a", {2, 9, 5, 6, 3}}, {"a", {4, 3, 7, 6, 5}},
    {"b", {6, 7, 5, 5, 6}}, {"b", {5, 6, 6, 4, 5}}, {"b", {7, 7, 6, 6, 7}}, {"b", {6, 5, 8, 9, 6}},
    {"c", {5, 5, 4, 5, 5}}, {"c", {6, 6, 5, 5, 6}}, {"c", {5, 4, 4, 4, 4}}, {"c", {6, 5, 6, 5, 6}}};

std::vector<int> Likert(const std::vector<int>& row) {
  std::vector<int> out;
  for (int v : row) out.push_back(v >= 1 && v <= 7 ? v : kNoAnswer);
  return out;
}

std::map<std::string, std::vector<int64_t>> Sums(const ScoreLayout& layout) {
  std::map<std::string, std::vector<int64_t>> sums;
  for (const auto& [inst, row] : kRows) {
    auto& s = sums[inst];
    s.resize(layout.width(), 0);
    layout.Accumulate(Likert(row), s.data());
  }
  return sums;
}

const ScoreCell& Cell(const ScoreReport& r, const std::string& inst, const std::string& dim) {
  for (const ScoreCell& c : r.cells)
    if (c.institution_id == inst && c.dimension == dim) return c;
  FAIL("no cell " << inst << " " << dim);
  throw;
}

const NetworkCell& Network(const ScoreReport& r, const std::string& dim) {
  for (const NetworkCell& c : r.network)
    if (c.dimension == dim) return c;
  FAIL("no network cell " << dim);
  throw;
}

struct Expected {
  const char* inst;
  const char* dim;
  int64_t n;
  double mean, sd, index, ci_low, ci_high, isn, p, q;
};

}  // namespace

TEST_CASE("the worked example of docs/analytics.md, every statistic to 1e-6") {
  const SurveyDefinition def = WorkedExampleDefinition();
  const ScoreLayout layout(def);
  ScoreOptions options;
  options.min_n = 3;
  options.standard = 50;
  const ScoreReport r = ComputeScores(layout, Sums(layout), options);
  const double eps = 1e-6;

  const Expected table[] = {
      {"a", "transparency", 4, 2.75, 0.645497, 29.166667, 12.047831, 46.285502, -100, 0.0000897757,
       0.000538654},
      {"a", "utility", 4, 5.875, 0.478714, 81.25, 68.554332, 93.945668, 50, 0.983346, 0.996110},
      {"b", "transparency", 4, 6.125, 0.75, 85.416667, 65.526377, 100, 50, 0.996110, 0.996110},
      {"b", "utility", 3, 5.333333, 0.57735, 72.222222, 48.318596, 96.125848, 33.333333, 0.518117,
       0.996110},
      {"c", "transparency", 4, 5.25, 0.645497, 70.833333, 53.714498, 87.952169, 25, 0.846988,
       0.996110},
      {"c", "utility", 4, 4.75, 0.645497, 62.5, 45.381165, 79.618835, -25, 0.031406, 0.094219},
  };
  for (const Expected& e : table) {
    INFO(e.inst << " · " << e.dim);
    const ScoreCell& c = Cell(r, e.inst, e.dim);
    CHECK_FALSE(c.suppressed);
    CHECK(c.stats.n == e.n);
    CHECK(c.stats.mean == Approx(e.mean).margin(eps));
    CHECK(c.stats.sd == Approx(e.sd).margin(eps));
    CHECK(c.stats.index == Approx(e.index).margin(eps));
    CHECK(c.stats.ci_low == Approx(e.ci_low).margin(eps));
    CHECK(c.stats.ci_high == Approx(e.ci_high).margin(eps));
    CHECK(c.stats.isn == Approx(e.isn).margin(eps));
    CHECK(c.p == Approx(e.p).margin(eps));
    CHECK(c.q == Approx(e.q).margin(eps));
    CHECK_FALSE(c.stats.reliable);  // n < 60: every cell is "limited"
  }
  // p and q of a·transparency are tiny: check them relative to their size as well.
  CHECK(Cell(r, "a", "transparency").p == Approx(0.0000897757).epsilon(1e-5));
  CHECK(Cell(r, "a", "transparency").q == Approx(0.000538654).epsilon(1e-5));

  const NetworkCell& nt = Network(r, "transparency");
  CHECK(nt.stats.n == 12);
  CHECK(nt.stats.mean == Approx(4.708333).margin(eps));
  CHECK(nt.stats.sd == Approx(1.616089).margin(eps));
  CHECK(nt.stats.index == Approx(61.805556).margin(eps));
  CHECK(nt.stats.ci_low == Approx(44.691994).margin(eps));
  CHECK(nt.stats.ci_high == Approx(78.919118).margin(eps));
  CHECK(nt.stats.isn == Approx(-8.333333).margin(eps));
  CHECK(nt.stats.isn_ci_low == Approx(-51.289275).margin(eps));
  CHECK(nt.stats.isn_ci_high == Approx(34.622609).margin(eps));
  const NetworkCell& nu = Network(r, "utility");
  CHECK(nu.stats.n == 11);
  CHECK(nu.stats.mean == Approx(5.318182).margin(eps));
  CHECK(nu.stats.sd == Approx(0.716684).margin(eps));
  CHECK(nu.stats.index == Approx(71.969697).margin(eps));
  CHECK(nu.stats.ci_low == Approx(63.945113).margin(eps));
  CHECK(nu.stats.ci_high == Approx(79.994281).margin(eps));
  CHECK(nu.stats.isn == Approx(18.181818).margin(eps));

  CHECK(nt.importance == Approx(0.923467).margin(eps));
  CHECK(nu.importance == Approx(0.087793).margin(eps));
  CHECK(nt.high_importance);
  CHECK_FALSE(nu.high_importance);

  CHECK(Cell(r, "a", "transparency").gap == Approx(-32.638889).margin(eps));
  CHECK(Cell(r, "c", "utility").gap == Approx(-9.469697).margin(eps));
  CHECK(Cell(r, "b", "utility").gap == Approx(0.252525).margin(eps));

  const ScoreCell& au = Cell(r, "a", "utility");
  CHECK(au.stats.isn_ci_low == Approx(1).margin(eps));
  CHECK(au.stats.isn_ci_high == Approx(99).margin(eps));
  const ScoreCell& cu = Cell(r, "c", "utility");
  CHECK(cu.stats.isn_ci_low == Approx(-67.435245).margin(eps));
  CHECK(cu.stats.isn_ci_high == Approx(17.435245).margin(eps));
  CHECK(Cell(r, "a", "transparency").stats.cv == Approx(0.117363).margin(eps));

  const ScoreCell& at = Cell(r, "a", "transparency");
  CHECK(at.flags == std::vector<std::string>{"below_standard", "below_network"});
  CHECK(at.critical);
  CHECK(at.high_severity);
  CHECK(cu.flags.empty());  // gap beyond min_gap, but q >= 0.05
  auto critical = CriticalPoints(r);
  REQUIRE(critical.size() == 1);
  CHECK(critical[0] == &at);
}

TEST_CASE("cells under min_n are suppressed and never tested or flagged") {
  const ScoreLayout layout(WorkedExampleDefinition());
  ScoreOptions options;
  options.min_n = 4;  // b·utility has 3
  const ScoreReport r = ComputeScores(layout, Sums(layout), options);
  const ScoreCell& bu = Cell(r, "b", "utility");
  CHECK(bu.suppressed);
  CHECK(bu.stats.n == 3);
  CHECK(std::isnan(bu.p));
  CHECK(bu.flags.empty());
  // One test fewer: the remaining five p-values are adjusted among themselves.
  CHECK(Cell(r, "a", "transparency").q == Approx(0.0000897757 * 5).epsilon(1e-5));
}

TEST_CASE("Benjamini-Hochberg keeps q monotone in p and never above 1") {
  auto q = BenjaminiHochberg({0.01, 0.04, 0.03, 0.9, std::nan("")});
  CHECK(q[0] == Approx(0.05));
  CHECK(q[2] == Approx(0.0666667).epsilon(1e-5));
  CHECK(q[1] == Approx(0.0666667).epsilon(1e-5));
  CHECK(q[3] == Approx(1.0));
  CHECK(q[4] == Approx(1.0));
}

TEST_CASE("Welch with no variance on either side is decided by the means") {
  Moments low{5, 10, 20, 1}, high{5, 15, 45, 1}, same{5, 10, 20, 1};
  CHECK(WelchBelow(low, high).p == 0.0);
  CHECK(WelchBelow(high, low).p == 1.0);
  CHECK(WelchBelow(low, same).p == 1.0);
  CHECK(std::isnan(WelchBelow({1, 2, 4, 1}, high).p));
}

namespace {

// Statistics straight from raw evaluation scores, with two-pass formulas in double: the
// reference the incremental sums must agree with.
struct Direct {
  int64_t n = 0;
  double mean = 0, sd = 0, isn = 0;
};
Direct DirectCell(const std::vector<double>& x) {
  Direct d;
  d.n = static_cast<int64_t>(x.size());
  if (x.empty()) return d;
  double s = 0;
  for (double v : x) s += v;
  d.mean = s / d.n;
  double ss = 0;
  for (double v : x) ss += (v - d.mean) * (v - d.mean);
  d.sd = d.n > 1 ? std::sqrt(ss / (d.n - 1)) : 0;
  int64_t sat = 0, dis = 0;
  for (double v : x) {
    sat += v >= 6 - 1e-12;
    dis += v <= 4 + 1e-12;
  }
  d.isn = 100.0 * (static_cast<double>(sat) - dis) / d.n;
  return d;
}

double DirectPearson(const std::vector<std::pair<double, double>>& xy) {
  double mx = 0, my = 0;
  for (auto [x, y] : xy) {
    mx += x;
    my += y;
  }
  mx /= xy.size();
  my /= xy.size();
  double sxy = 0, sxx = 0, syy = 0;
  for (auto [x, y] : xy) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
    syy += (y - my) * (y - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace

TEST_CASE("incremental sums give the statistics of a direct recomputation, to 1e-9") {
  auto def = ParseSurveyDefinition(R"({
    "id": "prop", "version": 1, "title": {"es": "p", "en": "p"},
    "scale": {"min": 1, "max": 7, "missing": {"8": "ns", "9": "na"}},
    "dimensions": [{"id": "opportunity", "label": {"es": "o", "en": "o"}},
                   {"id": "utility", "label": {"es": "u", "en": "u"}},
                   {"id": "linkage", "label": {"es": "l", "en": "l"}}],
    "household": [],
    "evaluation": [
      {"id": "o1", "type": "likert", "dimension": "opportunity", "label": {"es": "a", "en": "a"}},
      {"id": "o2", "type": "likert", "dimension": "opportunity", "label": {"es": "a", "en": "a"}},
      {"id": "o3", "type": "likert", "dimension": "opportunity", "label": {"es": "a", "en": "a"}},
      {"id": "u1", "type": "likert", "dimension": "utility", "label": {"es": "a", "en": "a"}},
      {"id": "u2", "type": "likert", "dimension": "utility", "label": {"es": "a", "en": "a"}},
      {"id": "u3", "type": "likert", "dimension": "utility", "label": {"es": "a", "en": "a"}},
      {"id": "u4", "type": "likert", "dimension": "utility", "label": {"es": "a", "en": "a"}},
      {"id": "l1", "type": "likert", "dimension": "linkage", "label": {"es": "a", "en": "a"}},
      {"id": "l2", "type": "likert", "dimension": "linkage", "label": {"es": "a", "en": "a"}},
      {"id": "ov", "type": "likert", "role": "overall", "label": {"es": "a", "en": "a"}}]
  })",
                                   "prop.json");
  REQUIRE(def.ok());
  const ScoreLayout layout(*def);
  const std::vector<std::vector<int>> dims = {{0, 1, 2}, {3, 4, 5, 6}, {7, 8}};
  for (unsigned seed : {1u, 2u, 3u, 4u, 5u}) {
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    const int institutions = 6;
    std::map<std::string, std::vector<int64_t>> sums;
    // Raw x(e,d) per institution and dimension, and (x, overall) pairs network-wide.
    std::map<std::string, std::vector<std::vector<double>>> raw;
    std::vector<std::vector<std::pair<double, double>>> pairs(3);
    for (int i = 0; i < institutions; ++i) {
      std::string id = "inst-" + std::to_string(i);
      sums[id].assign(layout.width(), 0);
      raw[id].resize(3);
      const int evaluations = 5 + static_cast<int>(rng() % 200);  // unequal group sizes
      for (int e = 0; e < evaluations; ++e) {
        std::vector<int> likert(10);
        for (int k = 0; k < 10; ++k) {
          int v = 1 + static_cast<int>(rng() % 7);
          if (k == 7 || k == 8) v = 5;                  // linkage never varies
          if (rng() % 6 == 0) v = (rng() % 2) ? 8 : 9;  // don't know / not applicable
          if (rng() % 15 == 0) v = 0;                   // not answered
          likert[k] = (v >= 1 && v <= 7) ? v : kNoAnswer;
        }
        layout.Accumulate(likert, sums[id].data());
        for (int d = 0; d < 3; ++d) {
          double total = 0;
          int present = 0;
          for (int pos : dims[d])
            if (likert[pos] != kNoAnswer) {
              total += likert[pos];
              ++present;
            }
          if (present == 0 || present < (static_cast<int>(dims[d].size()) + 1) / 2) continue;
          double x = total / present;
          raw[id][d].push_back(x);
          if (likert[9] != kNoAnswer) pairs[d].push_back({x, static_cast<double>(likert[9])});
        }
      }
    }
    ScoreOptions options;
    options.min_n = 1;
    const ScoreReport r = ComputeScores(layout, sums, options);
    for (const ScoreCell& c : r.cells) {
      if (c.dimension == "overall") continue;
      const int d = c.dimension == "opportunity" ? 0 : c.dimension == "utility" ? 1 : 2;
      const Direct want = DirectCell(raw[c.institution_id][d]);
      INFO(c.institution_id << " " << c.dimension);
      CHECK(c.stats.n == want.n);
      CHECK(std::abs(c.stats.mean - want.mean) < 1e-9);
      CHECK(std::abs(c.stats.sd - want.sd) < 1e-9);
      CHECK(std::abs(c.stats.isn - want.isn) < 1e-9);
      if (d == 2) CHECK(c.stats.sd == 0);
    }
    for (int d = 0; d < 2; ++d) {
      CHECK(std::abs(r.network[d].importance - DirectPearson(pairs[d])) < 1e-9);
    }
    CHECK(std::isnan(r.network[2].importance));  // no variance, no correlation
  }
}
