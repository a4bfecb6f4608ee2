#include "percept/trend_report.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "percept/statistics.h"

namespace percept {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// An institution cell's sums read as clusters: every interview gives it at most one score.
ClusterSums OneScoreEach(int64_t n, int64_t sum, int64_t sum_sq) {
  return {n, n, sum, sum_sq, sum, n};
}

// One side of an index cell: the index k·(mean − lo) and its interval, t(0.975, df).
IndexSide SideOf(const ClusterMean& c, double lo, double k, int64_t min_n, bool network) {
  IndexSide side;
  side.n = c.m;
  side.h = c.h;
  side.suppressed = (network ? c.h : c.m) < min_n || c.m == 0;
  side.index = c.m ? k * (c.mean - lo) : kNaN;
  side.ci_low = side.ci_high = kNaN;
  if (!std::isnan(c.v) && c.v > 0) {
    const double half = StudentTQuantile(c.df, 0.975) * k * std::sqrt(c.v);
    side.ci_low = side.index - half;
    side.ci_high = side.index + half;
  }
  return side;
}

// The change of an index cell, when neither side is suppressed.
IndexTrend IndexCell(std::string institution, std::string dimension, const ClusterMean& a,
                     const ClusterMean& b, double lo, double k, const TrendOptions& o) {
  const bool network = institution.empty();
  IndexTrend t;
  t.institution_id = std::move(institution);
  t.dimension = std::move(dimension);
  t.a = SideOf(a, lo, k, o.min_n, network);
  t.b = SideOf(b, lo, k, o.min_n, network);
  if (!t.a.suppressed && !t.b.suppressed) t.change = IndexChange(a, b, k);
  t.tested = !network && t.dimension != "overall" && !std::isnan(t.change.p);
  return t;
}

RateSide RateOf(int64_t n, int64_t x, int64_t min_n) {
  RateSide r;
  r.n = n;
  r.x = x;
  r.suppressed = n < min_n || n == 0;
  r.rate = n ? 100.0 * static_cast<double>(x) / static_cast<double>(n) : kNaN;
  return r;
}

// BH over the tested cells of one family, then their flags.
template <typename Cell>
void Flag(std::vector<Cell*>& family, const TrendOptions& o, double min_gap,
          const std::function<bool(const Cell&)>& lower_is_better) {
  std::vector<double> p;
  p.reserve(family.size());
  for (const Cell* c : family) p.push_back(c->change.p);
  const std::vector<double> q = BenjaminiHochberg(p);
  for (size_t i = 0; i < family.size(); ++i) {
    Cell& c = *family[i];
    c.q = q[i];
    c.flags = c.q < o.alpha ? TrendFlags(c.change.change, c.q, min_gap, lower_is_better(c))
                            : std::vector<std::string>{};
  }
}

}  // namespace

void ClusterSums::AddInterview(int64_t s_h, int64_t m_h) {
  if (m_h == 0) return;
  h += 1;
  m += m_h;
  s += s_h;
  ss += s_h * s_h;
  sm += s_h * m_h;
  mm += m_h * m_h;
}

void ClusterSums::Add(const ClusterSums& o) {
  h += o.h;
  m += o.m;
  s += o.s;
  ss += o.ss;
  sm += o.sm;
  mm += o.mm;
}

ClusterMean ClusterMeanOfSums(const ClusterSums& c, int64_t scale) {
  ClusterMean out;
  out.m = c.m;
  out.h = c.h;
  if (c.m == 0) return out;
  const double l = static_cast<double>(scale), m = static_cast<double>(c.m);
  out.mean = static_cast<double>(c.s) / (m * l);
  if (c.h < 2) return out;
  // Σ_h (S_h − m_h·S/m)² · m² = m²·ΣS_h² − 2mS·ΣS_h·m_h + S²·Σm_h², exactly.
  const __int128 big_m = c.m, big_s = c.s;
  const __int128 between_m2 =
      big_m * big_m * c.ss - 2 * big_m * big_s * c.sm + big_s * big_s * c.mm;
  const double between = static_cast<double>(between_m2) / (m * m) / (l * l);
  const double h = static_cast<double>(c.h);
  out.v = h / (h - 1) * between / (m * m);
  out.df = h - 1;
  return out;
}

void NetworkClusters::AddInterview(const ScoreLayout& scores, const IndicatorLayout& indicators,
                                   const int64_t* score_sums, const int64_t* indicator_sums) {
  blocks.resize(scores.blocks().size());
  for (size_t i = 0; i < scores.blocks().size(); ++i) {
    const Moments m = scores.blocks()[i].moments(score_sums);
    blocks[i].AddInterview(m.sum, m.n);
  }
  this->indicators.resize(indicators.indicators().size());
  for (size_t i = 0; i < indicators.indicators().size(); ++i) {
    const IndicatorCount c = indicators.Count("", i, indicator_sums);
    this->indicators[i].AddInterview(c.x, c.n);
  }
  if (!indicators.components().empty()) {
    const Moments m = indicators.Autonomy("", indicator_sums).moments;
    autonomy.AddInterview(m.sum, m.n);
  }
}

void NetworkClusters::Add(const NetworkClusters& o) {
  if (blocks.size() < o.blocks.size()) blocks.resize(o.blocks.size());
  for (size_t i = 0; i < o.blocks.size(); ++i) blocks[i].Add(o.blocks[i]);
  if (indicators.size() < o.indicators.size()) indicators.resize(o.indicators.size());
  for (size_t i = 0; i < o.indicators.size(); ++i) indicators[i].Add(o.indicators[i]);
  autonomy.Add(o.autonomy);
}

TrendReport ComputeTrends(const ScoreLayout& scores, const IndicatorLayout& indicators,
                          const WaveSums& a, const WaveSums& b, const TrendOptions& o) {
  TrendReport r;
  const double lo = scores.lo(), k = 100.0 / (scores.hi() - scores.lo());
  const std::vector<int64_t> no_scores(scores.width(), 0), no_indicators(indicators.width(), 0);
  auto sums_of = [](const std::map<std::string, std::vector<int64_t>>& m, const std::string& id,
                    const std::vector<int64_t>& none) {
    auto it = m.find(id);
    return it == m.end() ? none.data() : it->second.data();
  };
  std::vector<std::string> institutions;
  for (const auto* m : {&a.scores, &b.scores, &a.indicators, &b.indicators})
    for (const auto& [id, s] : *m) institutions.push_back(id);
  std::sort(institutions.begin(), institutions.end());
  institutions.erase(std::unique(institutions.begin(), institutions.end()), institutions.end());

  // The network, interviews as clusters.
  const size_t blocks = scores.blocks().size();
  auto cluster = [](const std::vector<ClusterSums>& v, size_t i) {
    return i < v.size() ? v[i] : ClusterSums{};
  };
  for (size_t i = 0; i < blocks; ++i) {
    const DimensionBlock& block = scores.blocks()[i];
    r.network.push_back(
        IndexCell("", block.id, ClusterMeanOfSums(cluster(a.network.blocks, i), block.scale),
                  ClusterMeanOfSums(cluster(b.network.blocks, i), block.scale), lo, k, o));
  }
  // Institutions: one score per interview.
  for (const std::string& id : institutions) {
    const int64_t* sa = sums_of(a.scores, id, no_scores);
    const int64_t* sb = sums_of(b.scores, id, no_scores);
    for (const DimensionBlock& block : scores.blocks()) {
      const Moments ma = block.moments(sa), mb = block.moments(sb);
      r.cells.push_back(IndexCell(
          id, block.id, ClusterMeanOfSums(OneScoreEach(ma.n, ma.sum, ma.sum_sq), block.scale),
          ClusterMeanOfSums(OneScoreEach(mb.n, mb.sum, mb.sum_sq), block.scale), lo, k, o));
    }
  }

  r.has_autonomy = !indicators.components().empty();
  const int64_t components = static_cast<int64_t>(indicators.components().size());
  if (r.has_autonomy) {
    r.autonomy_network =
        IndexCell("", "autonomy", ClusterMeanOfSums(a.network.autonomy, components),
                  ClusterMeanOfSums(b.network.autonomy, components), 0, 1, o);
    for (const std::string& id : institutions) {
      const Moments ma = indicators.Autonomy(id, sums_of(a.indicators, id, no_indicators)).moments;
      const Moments mb = indicators.Autonomy(id, sums_of(b.indicators, id, no_indicators)).moments;
      r.autonomy.push_back(IndexCell(
          id, "autonomy", ClusterMeanOfSums(OneScoreEach(ma.n, ma.sum, ma.sum_sq), components),
          ClusterMeanOfSums(OneScoreEach(mb.n, mb.sum, mb.sum_sq), components), 0, 1, o));
    }
  }

  for (size_t i = 0; i < indicators.indicators().size(); ++i) {
    if (indicators.indicators()[i].valence == Valence::kNone) continue;
    RateTrend t;
    t.indicator = i;
    const ClusterSums ca = cluster(a.network.indicators, i), cb = cluster(b.network.indicators, i);
    t.a = RateOf(ca.m, ca.s, o.min_n);
    t.b = RateOf(cb.m, cb.s, o.min_n);
    t.a.suppressed = t.a.suppressed || ca.h < o.min_n;
    t.b.suppressed = t.b.suppressed || cb.h < o.min_n;
    if (!t.a.suppressed && !t.b.suppressed)
      t.change = IndexChange(ClusterMeanOfSums(ca, 1), ClusterMeanOfSums(cb, 1), 100);
    r.indicators_network.push_back(t);
  }
  for (const std::string& id : institutions) {
    const int64_t* sa = sums_of(a.indicators, id, no_indicators);
    const int64_t* sb = sums_of(b.indicators, id, no_indicators);
    for (size_t i = 0; i < indicators.indicators().size(); ++i) {
      if (indicators.indicators()[i].valence == Valence::kNone) continue;
      const IndicatorCount ca = indicators.Count(id, i, sa), cb = indicators.Count(id, i, sb);
      RateTrend t;
      t.institution_id = id;
      t.indicator = i;
      t.a = RateOf(ca.n, ca.x, o.min_n);
      t.b = RateOf(cb.n, cb.x, o.min_n);
      if (!t.a.suppressed && !t.b.suppressed) t.change = RateChange(ca.n, ca.x, cb.n, cb.x);
      t.tested = !std::isnan(t.change.p);
      r.indicators.push_back(t);
    }
  }

  // Three families, each over this whole input.
  std::vector<IndexTrend*> dimensions, autonomy;
  for (IndexTrend& c : r.cells)
    if (c.tested) dimensions.push_back(&c);
  for (IndexTrend& c : r.autonomy)
    if (c.tested) autonomy.push_back(&c);
  std::vector<RateTrend*> rates;
  for (RateTrend& c : r.indicators)
    if (c.tested) rates.push_back(&c);
  const std::function<bool(const IndexTrend&)> higher_is_better = [](const IndexTrend&) {
    return false;
  };
  Flag<IndexTrend>(dimensions, o, o.min_gap, higher_is_better);
  Flag<IndexTrend>(autonomy, o, o.min_gap, higher_is_better);
  Flag<RateTrend>(rates, o, o.min_gap_pp, [&](const RateTrend& c) {
    return indicators.indicators()[c.indicator].valence == Valence::kBad;
  });
  return r;
}

}  // namespace percept
