// docs/analytics.md over the aggregates mirror, for everything that reads scores: the API, the
// report pages, the command line. It decides what a reader may ask and may see — an institution
// reader's windows and the pools hidden from it (docs/security.md, "Differencing") — and what a
// report shows; the layers above only parse requests and write answers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "percept/base/status.h"
#include "percept/indicator_layout.h"
#include "percept/scores.h"
#include "percept/scoring/score_query.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/answer_records.h"
#include "percept/storage/institution_cache.h"
#include "percept/storage/roles.h"
#include "percept/storage/store.h"
#include "percept/storage/store_pool.h"
#include "percept/storage/submission_writer.h"
#include "percept/survey_definition.h"

namespace percept {

// "month" 1, "quarter" 3, "year" 12; 0 for anything else (serve refuses it).
int InstitutionPeriodMonths(const std::string& period);

struct ReportTrends;  // trend_service.h

// Everything a report page shows, assembled for one reader (ScoreService::AssembleReport): what
// the report renders and nothing it must compute or look up again.
struct ReportContents {
  ScoreQuery query;
  ScoreReport scores;
  PartBReport part_b;
  // The institutions as they were when the scores were computed.
  std::shared_ptr<const InstitutionCache::Directory> institutions;
  std::function<bool(const std::string&)> visible;  // which institutions the reader may see
  ScoreOptions options;
  const IndicatorLayout* indicators = nullptr;
  bool institution_reader = false;
  // The circuit of the query's comuna: analysts, when a comuna is chosen.
  std::optional<std::vector<Referral>> referrals;
  // The families' proposals (analysts; an institution about itself when the server shares
  // them), and the words searched for (at most five).
  std::optional<std::vector<Proposal>> proposals;
  std::string proposal_words;
  // The survey's waves and the change between the last two (TrendService::ForReport); null
  // when fewer than two waves hold interviews.
  std::shared_ptr<const ReportTrends> trends;
};

class ScoreService {
 public:
  ScoreService(const SurveyCatalog* catalog, Aggregates* aggregates, SubmissionWriter* writer,
               StorePool* readers, InstitutionCache* institutions, ScoreOptions scoring,
               std::string institution_period)
      : catalog_(catalog),
        aggregates_(aggregates),
        writer_(writer),
        readers_(readers),
        institutions_(institutions),
        scoring_(scoring),
        institution_period_(std::move(institution_period)) {}

  // The query for survey `survey` from `params` (score_query.h), a wave's window in place of its
  // id (NotFound for a wave the survey does not have).
  Result<ScoreQuery> QueryOf(const QueryParams& params, const std::string& survey,
                             bool with_institution) const;
  // Runs `q` for `who` (what an institution may ask, what it may see) over one snapshot of
  // the institutions, which it hands back in *directory.
  Status Run(const ScoreQuery& q, const Principal& who, ScoreReport* out,
             std::shared_ptr<const InstitutionCache::Directory>* directory);
  // The same for part (b): indicators, autonomy and autonomy by stage.
  Status RunPartB(const ScoreQuery& q, const Principal& who, PartBReport* out,
                  std::shared_ptr<const InstitutionCache::Directory>* directory);
  // What the report of `q` shows `who`: both parts, the comuna's circuit, the proposals matching
  // `proposal_words` (the first five words) when `share_proposals` or `who` is an analyst.
  Result<ReportContents> AssembleReport(const ScoreQuery& q, const Principal& who,
                                        const std::string& proposal_words, bool share_proposals);
  // Checks what `who` may ask, takes one snapshot of the institutions and brings the mirror up
  // to date; `include` then says which institutions the query's filters take in.
  Status Prepare(const ScoreQuery& q, const Principal& who,
                 std::shared_ptr<const InstitutionCache::Directory>* directory,
                 std::function<bool(const std::string&)>* include);
  const ScoreOptions& scoring() const { return scoring_; }
  PartBOptions part_b_options() const;
  // Interviews of the query's survey and period that rejection or correction left out.
  Result<int64_t> CountExcluded(const ScoreQuery& q) const;
  const IndicatorLayout* IndicatorsOf(const SurveyDefinition& survey) const {
    return aggregates_->Indicators(survey.id, survey.version);
  }

 private:
  // Reloads the mirror when `percept rebuild-aggregates` bumped the generation.
  Status RefreshAggregates();
  // `compute(from, to)` for `who`: as it is for analysts; for an institution reader, with what
  // it may not see hidden (institution_privacy.h), over all time what any window hides too.
  template <typename Report, typename Compute, typename HideWindow>
  Status ForReader(const ScoreQuery& q, const Principal& who, const Compute& compute,
                   const HideWindow& hide_window, Report* out) const;
  using DayRanges = std::vector<std::pair<std::string, std::string>>;
  // The windows an institution reader may ask for (docs/security.md, "Differencing"): the
  // survey's waves when it has any, else the whole --institution-period windows that hold its
  // interviews (institution_privacy.h). `waves` says which.
  Result<DayRanges> InstitutionWindows(const ScoreQuery& q, bool* waves) const;
  // The day ranges `q` covers for `who`: its window; for an institution reader asking for all
  // time of a survey with waves, every wave (never an interview outside them).
  Result<DayRanges> RangesFor(const ScoreQuery& q, const Principal& who) const;
  // `part`'s sums of the query's survey over `ranges`, added.
  std::map<std::string, std::vector<int64_t>> SumOver(
      const ScoreQuery& q, SumPart part, const DayRanges& ranges,
      const std::function<bool(const std::string&)>& include) const;

  const SurveyCatalog* catalog_;
  Aggregates* aggregates_;
  SubmissionWriter* writer_;
  StorePool* readers_;
  InstitutionCache* institutions_;
  const ScoreOptions scoring_;
  const std::string institution_period_;
};

}  // namespace percept
