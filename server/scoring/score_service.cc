// docs/analytics.md over the aggregates mirror, for an analyst and an institution reader alike
// (score_service.h).
#include "percept/scoring/score_service.h"

#include <algorithm>
#include <sstream>

#include "institution_privacy.h"
#include "percept/storage/aggregate_tables.h"
#include "percept/storage/answer_records.h"
#include "percept/storage/submission_records.h"
#include "percept/storage/waves.h"

namespace percept {

// Each institution's type, the peers of compare=type.
static PeerTypes TypesOf(const InstitutionCache::Directory& directory) {
  PeerTypes types;
  for (const auto& [id, institution] : directory)
    types.emplace_hint(types.end(), id, institution.type);
  return types;
}

int InstitutionPeriodMonths(const std::string& period) {
  if (period == "month") return 1;
  if (period == "quarter") return 3;
  if (period == "year") return 12;
  return 0;
}

Status ScoreService::RefreshAggregates() {
  // `percept rebuild-aggregates` bumps the generation; the mirror is then reloaded on the
  // writer thread, so that no commit falls between reading the table and swapping the mirror.
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  auto gen = (*reader)->GetMeta(kGenerationKey);
  if (!gen.ok()) return gen.status();
  const int64_t stored = gen->empty() ? 0 : std::stoll(*gen);
  if (stored == aggregates_->loaded_generation()) return Status::Ok();
  return writer_->RunExclusive([this](Store& store) { return aggregates_->Load(store); });
}

Status ScoreService::Prepare(const ScoreQuery& q, const Principal& who,
                             std::shared_ptr<const InstitutionCache::Directory>* dir,
                             std::function<bool(const std::string&)>* include) {
  if (who.role == Role::kInstitution) {
    // Two overlapping periods, or two networks one inside the other, subtracted, would give
    // what suppression hides: a few families' answers, another institution's day. So an
    // institution reads the whole network, over all time or over one fixed window
    // (docs/security.md, "Differencing").
    if (!q.comuna.empty() || !q.region.empty()) {
      return Status::InvalidParameter(
          "institution readers compare themselves with the whole network: no 'comuna' or "
          "'region'");
    }
    bool waves = false;
    auto windows = InstitutionWindows(q, &waves);
    if (!windows.ok()) return windows.status();
    if (waves) {
      // A survey with waves: whole waves only (docs/waves.md), or all of them.
      const bool whole = std::find(windows->begin(), windows->end(),
                                   std::make_pair(q.from, q.to)) != windows->end();
      if ((!q.from.empty() || !q.to.empty()) && !whole) {
        return Status::InvalidParameter(
            "institution readers of a survey with waves see one whole wave (wave=ID) or all of "
            "them (no wave, no dates)");
      }
    } else {
      const int months = InstitutionPeriodMonths(institution_period_);
      if ((!q.from.empty() || !q.to.empty()) &&
          (q.from.empty() || q.to.empty() || !IsWholeWindow(q.from, q.to, months))) {
        return Status::InvalidParameter(
            "institution readers see all time, or one whole " + institution_period_ +
            " from its first day to its last (e.g. from=2026-10-01&to=2026-" +
            (months == 1 ? "10-31" : "12-31") + ")");
      }
    }
  }
  auto directory = institutions_->Snapshot();
  if (!q.institution.empty() && !directory->count(q.institution) &&
      institutions_->Exists(q.institution)) {
    directory = institutions_->Snapshot();  // imported since the last read: read again
  }
  if (!q.institution.empty() && (!directory->count(q.institution) || !who.MayRead(q.institution))) {
    // Another institution's id answers exactly like an unknown one.
    return Status::NotFound("no such institution");
  }

  Status s = RefreshAggregates();
  if (!s.ok()) return s;
  if (!aggregates_->Layout(q.survey->id, q.survey->version))
    return Status::NotFound("no such survey");
  *include = [directory, comuna = q.comuna, region = q.region](const std::string& id) {
    auto it = directory->find(id);
    if (it == directory->end()) return false;
    return (comuna.empty() || it->second.comuna == comuna) &&
           (region.empty() || it->second.region == region);
  };
  *dir = directory;
  return Status::Ok();
}

Status ScoreService::Run(const ScoreQuery& q, const Principal& who, ScoreReport* out,
                         std::shared_ptr<const InstitutionCache::Directory>* dir) {
  std::function<bool(const std::string&)> include;
  Status s = Prepare(q, who, dir, &include);
  if (!s.ok()) return s;
  const PeerTypes types = q.by_type ? TypesOf(**dir) : PeerTypes{};
  auto compute = [&](const DayRanges& ranges) {
    return ComputeScores(*aggregates_->Layout(q.survey->id, q.survey->version),
                         SumOver(q, SumPart::kScores, ranges, include), scoring_,
                         q.by_type ? &types : nullptr);
  };
  return ForReader<ScoreReport>(
      q, who, compute,
      [](const ScoreReport& raw, const ScoreReport& shown, ScoreReport& all) {
        HideWhatAWindowHides(raw, shown, all);
      },
      out);
}

template <typename Report, typename Compute, typename HideWindow>
Status ScoreService::ForReader(const ScoreQuery& q, const Principal& who, const Compute& compute,
                               const HideWindow& hide_window, Report* out) const {
  auto ranges = RangesFor(q, who);
  if (!ranges.ok()) return ranges.status();
  Report report = compute(*ranges);
  if (who.role == Role::kInstitution) {
    ProtectOtherInstitutions(report, who);
    if (q.from.empty()) {
      // All time: what any window the reader may ask for hides, it hides too.
      bool waves = false;
      auto windows = InstitutionWindows(q, &waves);
      if (!windows.ok()) return windows.status();
      for (const auto& window : *windows) {
        const Report raw = compute(DayRanges{window});
        Report shown = raw;
        ProtectOtherInstitutions(shown, who);
        hide_window(raw, shown, report);
      }
    }
  }
  *out = std::move(report);
  return Status::Ok();
}

Result<ScoreService::DayRanges> ScoreService::InstitutionWindows(const ScoreQuery& q,
                                                                 bool* waves) const {
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  auto defined = ListWaves(**reader, q.survey->id);
  if (!defined.ok()) return defined.status();
  *waves = !defined->empty();
  if (*waves) {
    DayRanges windows;
    for (const Wave& w : *defined) windows.emplace_back(w.from, w.to);
    return windows;
  }
  const auto [first, last] = aggregates_->Days(q.survey->id);
  return WholeWindows(first, last, InstitutionPeriodMonths(institution_period_));
}

Result<ScoreService::DayRanges> ScoreService::RangesFor(const ScoreQuery& q,
                                                        const Principal& who) const {
  if (who.role == Role::kInstitution && q.from.empty() && q.to.empty()) {
    bool waves = false;
    auto windows = InstitutionWindows(q, &waves);
    if (!windows.ok()) return windows.status();
    if (waves) return windows;  // all its waves, and nothing outside them
  }
  return DayRanges{{q.from, q.to}};
}

std::map<std::string, std::vector<int64_t>> ScoreService::SumOver(
    const ScoreQuery& q, SumPart part, const DayRanges& ranges,
    const std::function<bool(const std::string&)>& include) const {
  std::map<std::string, std::vector<int64_t>> total;
  for (const auto& [from, to] : ranges) {
    auto sums = aggregates_->Sum(q.survey->id, q.survey->version, part, from, to, include);
    if (total.empty()) {
      total = std::move(sums);
      continue;
    }
    for (auto& [institution, values] : sums) {
      std::vector<int64_t>& into = total[institution];
      if (into.empty()) into.assign(values.size(), 0);
      for (size_t i = 0; i < values.size(); ++i) into[i] += values[i];
    }
  }
  return total;
}

Result<ScoreQuery> ScoreService::QueryOf(const QueryParams& params, const std::string& survey,
                                         bool with_institution) const {
  auto q = ParseScoreQuery(*catalog_, survey, params, with_institution);
  if (!q.ok() || q->wave.empty()) return q;
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  auto wave = FindWave(**reader, q->survey->id, q->wave);
  if (!wave.ok()) return wave.status();
  if (!*wave)
    return Status::NotFound("survey '" + q->survey->id + "' has no wave '" + q->wave + "'");
  q->from = (*wave)->from;
  q->to = (*wave)->to;
  return q;
}

Result<int64_t> ScoreService::CountExcluded(const ScoreQuery& q) const {
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  return percept::CountExcluded(**reader, q.survey->id, q.from, q.to);
}

PartBOptions ScoreService::part_b_options() const {
  PartBOptions o;
  o.indicators.min_n = o.autonomy.min_n = scoring_.min_n;
  o.indicators.alpha = o.autonomy.alpha = scoring_.alpha_fdr;
  o.indicators.min_gap_pp = scoring_.min_gap_pp;
  o.autonomy.min_gap = scoring_.min_gap;
  return o;
}

Status ScoreService::RunPartB(const ScoreQuery& q, const Principal& who, PartBReport* out,
                              std::shared_ptr<const InstitutionCache::Directory>* dir) {
  std::function<bool(const std::string&)> include;
  Status s = Prepare(q, who, dir, &include);
  if (!s.ok()) return s;
  const PeerTypes types = q.by_type ? TypesOf(**dir) : PeerTypes{};
  auto compute = [&](const DayRanges& ranges) {
    return ComputePartB(*aggregates_->Indicators(q.survey->id, q.survey->version),
                        SumOver(q, SumPart::kIndicators, ranges, include), part_b_options(),
                        q.by_type ? &types : nullptr);
  };
  return ForReader<PartBReport>(
      q, who, compute,
      [this](const PartBReport& raw, const PartBReport& shown, PartBReport& all) {
        HideWhatAWindowHides(raw, shown, scoring_.min_n, all);
      },
      out);
}

Result<ReportContents> ScoreService::AssembleReport(const ScoreQuery& q, const Principal& who,
                                                    const std::string& proposal_words,
                                                    bool share_proposals) {
  ReportContents c;
  c.query = q;
  Status s = Run(q, who, &c.scores, &c.institutions);
  if (s.ok()) s = RunPartB(q, who, &c.part_b, &c.institutions);
  if (!s.ok()) return s;
  c.visible = [reader = who](const std::string& id) { return reader.MayRead(id); };
  c.options = scoring_;
  c.indicators = IndicatorsOf(*q.survey);
  c.institution_reader = who.role == Role::kInstitution;
  const bool analyst = !c.institution_reader;
  const InstitutionCache::Directory& directory = *c.institutions;

  auto store = readers_->Acquire();
  if (!store.ok()) return store.status();
  // The circuit of the chosen comuna (analysts: a small comuna's edges are a few families).
  if (analyst && !q.comuna.empty()) {
    std::vector<std::string> members;
    for (const auto& [id, inst] : directory)
      if (inst.comuna == q.comuna) members.push_back(id);
    auto r = ListReferrals(**store, q.survey->id, members, q.from, q.to);
    if (!r.ok()) return r.status();
    c.referrals = std::move(r).value();
  }
  // The proposals: analysts; an institution about itself when the server shares them.
  const Item* proposal_item = nullptr;
  for (const Item& it : q.survey->evaluation)
    if (it.role == "proposal") proposal_item = &it;
  if (proposal_item && (analyst || share_proposals)) {
    ProposalQuery pq;
    pq.survey_id = q.survey->id;
    pq.item = proposal_item->id;
    pq.limit = 50;
    if (!analyst) {
      pq.institutions = who.institutions;
    } else if (!q.comuna.empty() || !q.region.empty()) {  // the report's population
      for (const auto& [id, inst] : directory) {
        if ((q.comuna.empty() || inst.comuna == q.comuna) &&
            (q.region.empty() || inst.region == q.region))
          pq.institutions.push_back(id);
      }
    }
    const bool nobody = (!q.comuna.empty() || !q.region.empty()) && pq.institutions.empty();
    c.proposal_words = proposal_words;
    std::istringstream words(proposal_words);
    for (std::string w; words >> w && pq.words.size() < 5;) pq.words.push_back(w);
    c.proposals.emplace();
    if (!nobody) {  // (no institutions would mean every one to ListProposals)
      auto page = ListProposals(**store, pq);
      if (!page.ok()) return page.status();
      *c.proposals = std::move(page->items);
    }
  }
  return c;
}

}  // namespace percept
