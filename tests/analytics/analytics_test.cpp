// Analytics against docs/analytics.md's worked example (computed by hand, not by this code), and
// incremental sums against a direct recomputation from raw evaluations.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>

#include "percept/scores.h"
#include "percept/statistics.h"
#include "percept/survey_definition.h"
#include "worked_example.h"

using namespace percept;

namespace {

using testing::WorkedExampleDefinition;

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

TEST_CASE("the worked example of docs/analytics.md, every statistic to 1e-6", "[unit]") {
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
  // Method 2's ISN interval (method 1 gave [-51.289275, 34.622609]).
  CHECK(nt.stats.isn_ci_low == Approx(-45.721212).margin(eps));
  CHECK(nt.stats.isn_ci_high == Approx(32.387878).margin(eps));
  const NetworkCell& nu = Network(r, "utility");
  CHECK(nu.stats.n == 11);
  CHECK(nu.stats.mean == Approx(5.318182).margin(eps));
  CHECK(nu.stats.sd == Approx(0.716684).margin(eps));
  CHECK(nu.stats.index == Approx(71.969697).margin(eps));
  CHECK(nu.stats.ci_low == Approx(63.945113).margin(eps));
  CHECK(nu.stats.ci_high == Approx(79.994281).margin(eps));
  CHECK(nu.stats.isn == Approx(18.181818).margin(eps));
  CHECK(nu.stats.isn_ci_low == Approx(-19.180687).margin(eps));
  CHECK(nu.stats.isn_ci_high == Approx(47.752115).margin(eps));

  // Method 2: Pearson's r (transparency 0.923467, utility 0.087793) divided by sqrt(alpha).
  CHECK(nt.alpha == Approx(0.916667).margin(eps));
  CHECK(nu.alpha == Approx(0.601770).margin(eps));
  CHECK(nt.importance == Approx(0.964530).margin(eps));
  CHECK(nu.importance == Approx(0.113174).margin(eps));
  CHECK(nt.high_importance);
  CHECK_FALSE(nu.high_importance);

  CHECK(Cell(r, "a", "transparency").gap == Approx(-32.638889).margin(eps));
  CHECK(Cell(r, "c", "utility").gap == Approx(-9.469697).margin(eps));
  CHECK(Cell(r, "b", "utility").gap == Approx(0.252525).margin(eps));

  // Method 2's ISN intervals: a·transparency (all four dissatisfied) no longer collapses to
  // [-100, -100].
  struct IsnInterval {
    const char* inst;
    const char* dim;
    double low, high;
  };
  const IsnInterval isn[] = {{"a", "transparency", -100, -3.179907},
                             {"a", "utility", -23.274497, 80.417354},
                             {"b", "utility", -38.319527, 71.652860},
                             {"c", "transparency", -33.042924, 61.614353},
                             {"c", "utility", -61.614353, 33.042924}};
  for (const IsnInterval& e : isn) {
    INFO(e.inst << " · " << e.dim);
    CHECK(Cell(r, e.inst, e.dim).stats.isn_ci_low == Approx(e.low).margin(eps));
    CHECK(Cell(r, e.inst, e.dim).stats.isn_ci_high == Approx(e.high).margin(eps));
  }
  const ScoreCell& cu = Cell(r, "c", "utility");
  CHECK(Cell(r, "a", "transparency").stats.cv == Approx(0.117363).margin(eps));
  // Precision by the interval's half width (index points).
  CHECK(Cell(r, "a", "transparency").stats.half_width ==
        Approx((46.285502 - 12.047831) / 2).margin(eps));
  CHECK(Cell(r, "b", "transparency").stats.half_width == Approx((100 - 65.526377) / 2).margin(eps));

  const ScoreCell& at = Cell(r, "a", "transparency");
  CHECK(at.flags == std::vector<std::string>{"below_standard", "below_network"});
  CHECK(at.critical);
  CHECK(at.high_severity);
  CHECK(at.importance == Approx(0.964530).margin(eps));
  CHECK(cu.flags.empty());  // gap beyond min_gap, but q >= 0.05
  auto critical = CriticalPoints(r);
  REQUIRE(critical.size() == 1);
  CHECK(critical[0] == &at);
}

TEST_CASE("cells under min_n are suppressed and never tested or flagged", "[unit]") {
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

TEST_CASE("Benjamini-Hochberg keeps q monotone in p and never above 1", "[unit]") {
  auto q = BenjaminiHochberg({0.01, 0.04, 0.03, 0.9, std::nan("")});
  CHECK(q[0] == Approx(0.05));
  CHECK(q[2] == Approx(0.0666667).epsilon(1e-5));
  CHECK(q[1] == Approx(0.0666667).epsilon(1e-5));
  CHECK(q[3] == Approx(1.0));
  CHECK(q[4] == Approx(1.0));
}

TEST_CASE("Welch with no variance on either side is decided by the means", "[unit]") {
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

TEST_CASE("incremental sums give the statistics of a direct recomputation, to 1e-9", "[unit]") {
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
      // Method 2: r disattenuated by the dimension's alpha when that is positive.
      const double alpha = r.network[d].alpha;
      const double want = DirectPearson(pairs[d]) / (alpha > 0 ? std::sqrt(alpha) : 1.0);
      CHECK(std::abs(r.network[d].importance - want) < 1e-9);
    }
    CHECK(std::isnan(r.network[2].importance));  // no variance, no correlation
  }
}

TEST_CASE(
    "method 2 precision: reliable needs n >= 60 and a 95% interval at most 5 points wide each "
    "way",
    "[unit]") {
  // 64 scores, half 3 and half 5 (sd 1.007905), and half 2 and half 6 (sd 2.015811): both have
  // a cv far under method 1's 0.15, but only the first a half width under 5 index points:
  // (100/6) * t(0.975, 63) * sd / 8 = 4.196 and 8.392.
  const Moments narrow{64, 32 * 3 + 32 * 5, 32 * 9 + 32 * 25, 1};
  const Moments wide{64, 32 * 2 + 32 * 6, 32 * 4 + 32 * 36, 1};
  const CellStatistics a = DescribeCell(narrow, 0, 0, 1, 7);
  const CellStatistics b = DescribeCell(wide, 0, 0, 1, 7);
  CHECK(a.half_width == Approx(4.196137).margin(1e-5));
  CHECK(b.half_width == Approx(8.392274).margin(1e-5));
  CHECK(a.cv < 0.15);
  CHECK(b.cv < 0.15);
  CHECK(a.reliable);
  CHECK_FALSE(b.reliable);
  // Under 60 evaluations nothing is reliable, however narrow.
  CHECK_FALSE(DescribeCell({59, 59 * 4, 59 * 16, 1}, 0, 0, 1, 7).reliable);
}

TEST_CASE("the minimum detectable gap: z(0.95) + z(0.80) standard errors, never under min_gap",
          "[unit]") {
  // sd 1.2 on 1..7, n 40 against 400 others: 2.486475 * 1.2 * sqrt(1/40 + 1/400) * 100/6.
  CHECK(MinimumDetectableGap(1.2, 40, 400, 1, 7, 5) == Approx(8.246704).margin(1e-5));
  CHECK(MinimumDetectableGap(1.2, 4000, 40000, 1, 7, 5) == 5);  // the flag's own floor
  CHECK(std::isnan(MinimumDetectableGap(1.2, 1, 400, 1, 7, 5)));
}

TEST_CASE("critical points are listed worst first, by gap, whatever their severity", "[unit]") {
  ScoreReport r;
  auto add = [&](const char* id, double gap, double index, bool high) {
    ScoreCell c;
    c.institution_id = id;
    c.dimension = "d";
    c.gap = gap;
    c.stats.index = index;
    c.critical = true;
    c.high_severity = high;
    r.cells.push_back(c);
  };
  add("medium-far", -16.8, 40, false);
  add("high-near", -6, 50, true);
  add("high-far-tie", -16.8, 35, true);
  add("not-critical", -30, 20, true);
  r.cells.back().critical = false;
  const auto list = CriticalPoints(r);
  REQUIRE(list.size() == 3);
  CHECK(list[0]->institution_id == "high-far-tie");  // same gap: the lower index first
  CHECK(list[1]->institution_id == "medium-far");
  CHECK(list[2]->institution_id == "high-near");
}

TEST_CASE("compare=type reads each institution against its own type, with one BH over all",
          "[unit]") {
  const ScoreLayout layout(WorkedExampleDefinition());
  ScoreOptions options;
  options.min_n = 3;
  // Two copies of the example under two types: type X holds a, b, c; type Y holds a2, b2, c2
  // with every answer of a2 one point higher (so Y's network differs from X's).
  std::map<std::string, std::vector<int64_t>> sums;
  PeerTypes types;
  for (const auto& [inst, row] : kRows) {
    for (int copy = 0; copy < 2; ++copy) {
      const std::string id = inst + (copy ? "2" : "");
      types[id] = copy ? "Y" : "X";
      std::vector<int> likert = Likert(row);
      if (copy && inst == "a")
        for (int& v : likert)
          if (v != kNoAnswer && v < 7) ++v;
      auto& s = sums[id];
      s.resize(layout.width(), 0);
      layout.Accumulate(likert, s.data());
    }
  }
  const ScoreReport both = ComputeScores(layout, sums, options, &types);
  CHECK(both.by_type);
  REQUIRE(both.peers.size() == 2 * layout.blocks().size());
  std::vector<double> all_p;
  for (const char* type : {"X", "Y"}) {
    INFO("type " << type);
    std::map<std::string, std::vector<int64_t>> alone;
    for (const auto& [id, s] : sums)
      if (types[id] == type) alone[id] = s;
    const ScoreReport own = ComputeScores(layout, alone, options);
    const auto reference = both.Reference(type);
    REQUIRE(reference.size() == own.network.size());
    for (size_t b = 0; b < own.network.size(); ++b) {
      CHECK(reference[b]->type == type);
      CHECK(reference[b]->stats.index == Approx(own.network[b].stats.index).margin(1e-12));
      if (own.network[b].dimension != "overall")
        CHECK(reference[b]->importance == Approx(own.network[b].importance).margin(1e-12));
    }
    for (const ScoreCell& c : own.cells) {
      const ScoreCell& mine = Cell(both, c.institution_id, c.dimension);
      CHECK(mine.peer_type == type);
      if (std::isnan(c.p)) continue;
      CHECK(mine.gap == Approx(c.gap).margin(1e-12));
      CHECK(mine.p == Approx(c.p).margin(1e-12));
      all_p.push_back(c.p);
    }
  }
  // q is adjusted over every tested cell of the request, both types together.
  const std::vector<double> q = BenjaminiHochberg(all_p);
  std::vector<double> got;
  for (const char* type : {"X", "Y"})
    for (const ScoreCell& c : both.cells)
      if (types[c.institution_id] == type && !std::isnan(c.p)) got.push_back(c.q);
  REQUIRE(got.size() == q.size());
  for (size_t i = 0; i < q.size(); ++i) CHECK(got[i] == Approx(q[i]).margin(1e-12));
  // The whole network is still there, one cell per block.
  CHECK(both.network.size() == layout.blocks().size());
  CHECK(both.network[0].stats.n == 24);
}
