// The change between two waves (docs/analytics.md, "Waves and trends"; docs/waves.md) for
// everything that reads it: the API, the report. The institutions' cells come from the
// aggregates mirror; the network's, whose interviews are the clusters, from the interviews of
// each wave, read once and kept until an interview of that wave changes (a closed wave rarely
// does; fieldwork in the next one leaves it kept).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "percept/base/status.h"
#include "percept/base/thread_annotations.h"
#include "percept/scoring/score_query.h"
#include "percept/scoring/score_service.h"
#include "percept/storage/waves.h"
#include "percept/trend_report.h"

namespace percept {

// GET /api/v1/trends?survey=S&waves=A,B[&institution=][&comuna=][&region=].
struct TrendQuery {
  ScoreQuery filters;  // survey, institution, comuna, region; never dates
  Wave a, b;           // a ends before b begins
};

struct TrendResult {
  TrendQuery query;
  TrendReport report;
  int64_t panel_n = 0;  // households (by household key) interviewed in both waves
  // The institutions as they were when the trends were computed.
  std::shared_ptr<const InstitutionCache::Directory> institutions;
};

// What the report shows of a survey's waves (docs/waves.md, "In the report"): the scores of
// every wave that holds interviews, as the reader sees them, and the change between the last
// two.
struct ReportTrends {
  std::vector<Wave> waves;           // those that hold interviews, earliest first (two or more)
  std::vector<ScoreReport> by_wave;  // one per wave: /scores?wave=W as the reader sees it
  TrendResult last;                  // the last two waves: /trends?waves=A,B
};

class TrendService {
 public:
  TrendService(ScoreService* scores, Aggregates* aggregates, StorePool* readers)
      : scores_(scores), aggregates_(aggregates), readers_(readers) {}

  // The query from `params`: InvalidParameter for dates, `wave`, compare=type, or `waves` that
  // are not two ids of which the first ends before the second begins; NotFound for an unknown
  // survey or wave.
  Result<TrendQuery> QueryOf(const QueryParams& params, const std::string& survey) const;
  const ScoreOptions& scoring() const { return scores_->scoring(); }
  const IndicatorLayout* IndicatorsOf(const SurveyDefinition& survey) const {
    return scores_->IndicatorsOf(survey);
  }
  // The trend cells of `q` for `who`: every cell of the query's whole population (so that a
  // `q` never depends on who asks), then what `who` may not see suppressed: for an institution
  // reader, a network side pooled from fewer than three other institutions. Cells are listed
  // by the caller (`institution=`, the reader's own).
  Status Run(const TrendQuery& q, const Principal& who, TrendResult* out);
  // The waves of `q`'s survey for the report of `q` (its comuna and region; not its dates nor
  // its institution), for `who`; null when fewer than two waves hold interviews.
  Result<std::shared_ptr<const ReportTrends>> ForReport(const ScoreQuery& q, const Principal& who);

 private:
  // The network's per-interview sums of one wave and its households, under the filters.
  struct WaveInterviews {
    NetworkClusters network;
    std::unordered_set<std::string> households;
  };
  // Kept until an interview of the wave changes (Aggregates::LastChange) or the institutions
  // are read again (`directory`, whose comunas `include` follows).
  Result<std::shared_ptr<const WaveInterviews>> Interviews(
      const ScoreQuery& filters, const Wave& wave,
      const std::function<bool(const std::string&)>& include,
      const std::shared_ptr<const InstitutionCache::Directory>& directory);

  ScoreService* scores_;
  Aggregates* aggregates_;
  StorePool* readers_;
  // (survey, version, from, to, comuna, region) → what was read, the mirror's change count
  // when it was, and the institutions it was read with.
  using CacheKey = std::tuple<std::string, int, std::string, std::string, std::string, std::string>;
  struct Cached {
    uint64_t changes = 0;
    std::shared_ptr<const InstitutionCache::Directory> directory;
    std::shared_ptr<const WaveInterviews> interviews;
  };
  Mutex mu_;
  std::map<CacheKey, Cached> cache_ GUARDED_BY(mu_);
};

}  // namespace percept
