// The trend cells of two waves for one reader (trend_service.h).
#include "percept/scoring/trend_service.h"

#include "percept/storage/interview_reading.h"

namespace percept {

namespace {

// How many institutions other than `who`'s own have a score in `count`'s sense.
template <typename HasData>
int64_t OthersWith(const std::map<std::string, std::vector<int64_t>>& sums, const Principal& who,
                   const HasData& has_data) {
  int64_t others = 0;
  for (const auto& [id, s] : sums)
    if (!who.MayRead(id) && has_data(s.data())) ++others;
  return others;
}

void Hide(IndexSide& side) { side.suppressed = true; }
void Hide(RateSide& side) { side.suppressed = true; }

// A network cell an institution reader may not see: either side pooled from fewer than three
// other institutions (docs/security.md). Its change goes with it.
template <typename Cell>
void HideNetwork(Cell& cell, bool hide_a, bool hide_b) {
  if (hide_a) Hide(cell.a);
  if (hide_b) Hide(cell.b);
  if (hide_a || hide_b) cell.change = TrendChange{};
}

}  // namespace

Result<TrendQuery> TrendService::QueryOf(const QueryParams& params,
                                         const std::string& survey) const {
  for (const char* name : {"from", "to", "wave"}) {
    if (params.count(name)) {
      return Status::InvalidParameter(
          std::string("trends compare two whole waves: give waves=A,B, not '") + name + "'");
    }
  }
  if (ParamValue(params, "compare") == "type")
    return Status::InvalidParameter("trends compare each cell with itself: no compare=type");
  auto filters = scores_->QueryOf(params, survey, /*with_institution=*/true);
  if (!filters.ok()) return filters.status();
  const std::string waves = ParamValue(params, "waves");
  const size_t comma = waves.find(',');
  if (comma == std::string::npos || waves.find(',', comma + 1) != std::string::npos || comma == 0 ||
      comma + 1 == waves.size()) {
    return Status::InvalidParameter(
        "'waves' names two waves of the survey, the earlier first (e.g. waves=2027-1,2027-2)");
  }
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  TrendQuery q;
  q.filters = std::move(filters).value();
  for (const auto& [id, into] : {std::make_pair(waves.substr(0, comma), &q.a),
                                 std::make_pair(waves.substr(comma + 1), &q.b)}) {
    auto wave = FindWave(**reader, q.filters.survey->id, id);
    if (!wave.ok()) return wave.status();
    if (!*wave)
      return Status::NotFound("survey '" + q.filters.survey->id + "' has no wave '" + id + "'");
    *into = **wave;
  }
  if (!(q.a.to < q.b.from)) {
    return Status::InvalidParameter("wave '" + q.a.id + "' (" + q.a.from + " to " + q.a.to +
                                    ") must end before wave '" + q.b.id + "' (" + q.b.from +
                                    " to " + q.b.to + ") begins: give the earlier first");
  }
  return q;
}

Result<std::shared_ptr<const TrendService::WaveInterviews>> TrendService::Interviews(
    const ScoreQuery& filters, const Wave& wave,
    const std::function<bool(const std::string&)>& include,
    const std::shared_ptr<const InstitutionCache::Directory>& directory) {
  const SurveyDefinition& survey = *filters.survey;
  const CacheKey key{survey.id, survey.version, wave.from, wave.to, filters.comuna, filters.region};
  // Taken before the read: a change while it runs is newer, and reads again next time.
  const uint64_t changes = aggregates_->changes();
  {
    MutexLock lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.directory == directory &&
        aggregates_->LastChange(survey.id, wave.from, wave.to) <= it->second.changes)
      return it->second.interviews;
  }
  const ScoreLayout& scores = *aggregates_->Layout(survey.id, survey.version);
  const IndicatorLayout& indicators = *aggregates_->Indicators(survey.id, survey.version);
  auto read = std::make_shared<WaveInterviews>();
  std::vector<int64_t> score_sums(scores.width()), indicator_sums(indicators.width());
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  Status s = ForEachInterview(
      **reader, survey.id, wave.from, wave.to,
      [&](std::string_view household, const std::vector<StoredEvaluation>& evaluations) {
        std::fill(score_sums.begin(), score_sums.end(), 0);
        std::fill(indicator_sums.begin(), indicator_sums.end(), 0);
        bool any = false;
        for (const StoredEvaluation& e : evaluations) {
          if (!include(std::string(e.institution_id))) continue;
          any |= aggregates_->AddEvaluation(survey.id, e.version, survey.version, e.likert, e.facts,
                                            score_sums.data(), indicator_sums.data());
        }
        if (!any) return;
        read->network.AddInterview(scores, indicators, score_sums.data(), indicator_sums.data());
        if (!household.empty()) read->households.emplace(household);
      });
  if (!s.ok()) return s;
  MutexLock lock(mu_);
  if (cache_.size() >= 32) cache_.clear();  // a bound; waves read again are read again
  cache_[key] = {changes, directory, read};
  return std::shared_ptr<const WaveInterviews>(read);
}

Status TrendService::Run(const TrendQuery& q, const Principal& who, TrendResult* out) {
  std::function<bool(const std::string&)> include;
  Status s = scores_->Prepare(q.filters, who, &out->institutions, &include);
  if (!s.ok()) return s;
  const SurveyDefinition& survey = *q.filters.survey;
  const ScoreLayout& layout = *aggregates_->Layout(survey.id, survey.version);
  const IndicatorLayout& indicators = *aggregates_->Indicators(survey.id, survey.version);
  WaveSums sums[2];
  std::shared_ptr<const WaveInterviews> interviews[2];
  const Wave* waves[2] = {&q.a, &q.b};
  for (int w = 0; w < 2; ++w) {
    sums[w].scores = aggregates_->Sum(survey.id, survey.version, SumPart::kScores, waves[w]->from,
                                      waves[w]->to, include);
    sums[w].indicators = aggregates_->Sum(survey.id, survey.version, SumPart::kIndicators,
                                          waves[w]->from, waves[w]->to, include);
    auto read = Interviews(q.filters, *waves[w], include, out->institutions);
    if (!read.ok()) return read.status();
    interviews[w] = std::move(read).value();
    sums[w].network = interviews[w]->network;
  }
  const ScoreOptions& o = scores_->scoring();
  TrendOptions options;
  options.min_n = o.min_n;
  options.min_gap = o.min_gap;
  options.min_gap_pp = o.min_gap_pp;
  options.alpha = o.alpha_fdr;
  out->query = q;
  out->report = ComputeTrends(layout, indicators, sums[0], sums[1], options);
  const auto& smaller = interviews[0]->households.size() < interviews[1]->households.size()
                            ? interviews[0]->households
                            : interviews[1]->households;
  const auto& larger = &smaller == &interviews[0]->households ? interviews[1]->households
                                                              : interviews[0]->households;
  out->panel_n = 0;
  for (const std::string& h : smaller) out->panel_n += larger.count(h);

  if (who.role != Role::kInstitution) return Status::Ok();
  // An institution reader: a network side pooled from fewer than three other institutions
  // would be a few others' families.
  auto few = [&](int w, const auto& has_data, bool scores) {
    return OthersWith(scores ? sums[w].scores : sums[w].indicators, who, has_data) < 3;
  };
  TrendReport& r = out->report;
  for (size_t i = 0; i < r.network.size(); ++i) {
    const DimensionBlock& block = layout.blocks()[i];
    auto has = [&](const int64_t* s) { return block.moments(s).n > 0; };
    HideNetwork(r.network[i], few(0, has, true), few(1, has, true));
  }
  if (r.has_autonomy) {
    auto has = [&](const int64_t* s) { return indicators.Autonomy("", s).moments.n > 0; };
    HideNetwork(r.autonomy_network, few(0, has, false), few(1, has, false));
  }
  for (RateTrend& t : r.indicators_network) {
    auto has = [&](const int64_t* s) { return indicators.Count("", t.indicator, s).n > 0; };
    HideNetwork(t, few(0, has, false), few(1, has, false));
  }
  return Status::Ok();
}

Result<std::shared_ptr<const ReportTrends>> TrendService::ForReport(const ScoreQuery& q,
                                                                    const Principal& who) {
  auto out = std::make_shared<ReportTrends>();
  {
    auto reader = readers_->Acquire();
    if (!reader.ok()) return reader.status();
    auto waves = ListWaves(**reader, q.survey->id);
    if (!waves.ok()) return waves.status();
    for (const Wave& w : *waves) {
      auto n = CountWaveInterviews(**reader, w);
      if (!n.ok()) return n.status();
      if (*n > 0) out->waves.push_back(w);
    }
  }
  if (out->waves.size() < 2) return std::shared_ptr<const ReportTrends>();
  ScoreQuery base = q;
  base.from = base.to = base.wave = base.institution = "";
  base.by_type = false;
  for (const Wave& w : out->waves) {
    ScoreQuery one = base;
    one.wave = w.id;
    one.from = w.from;
    one.to = w.to;
    std::shared_ptr<const InstitutionCache::Directory> directory;
    out->by_wave.emplace_back();
    Status s = scores_->Run(one, who, &out->by_wave.back(), &directory);
    if (!s.ok()) return s;
  }
  TrendQuery last;
  last.filters = base;
  last.a = out->waves[out->waves.size() - 2];
  last.b = out->waves.back();
  Status s = Run(last, who, &out->last);
  if (!s.ok()) return s;
  return std::shared_ptr<const ReportTrends>(out);
}

}  // namespace percept
