#include "percept/storage/aggregates.h"

#include <algorithm>
#include <mutex>

#include "percept/storage/aggregate_tables.h"

namespace percept {

namespace {

bool SameShape(const ScoreLayout& a, const ScoreLayout& b) {
  if (a.likert_items() != b.likert_items() || a.width() != b.width() || a.lo() != b.lo() ||
      a.hi() != b.hi())
    return false;
  for (size_t i = 0; i < a.blocks().size(); ++i) {
    if (a.blocks()[i].id != b.blocks()[i].id || a.blocks()[i].items != b.blocks()[i].items)
      return false;
  }
  return true;
}

// How many leading slots of version `own`'s sums of `part` mean the same in `wanted`'s: all
// of them or none for the scores, the indicators' for part (b) (IndicatorLayout::CommonWidth).
size_t CommonSlots(const ScoreLayout& own_scores, const IndicatorLayout& own_indicators,
                   const ScoreLayout& wanted_scores, const IndicatorLayout& wanted_indicators,
                   SumPart part) {
  if (part == SumPart::kScores)
    return SameShape(own_scores, wanted_scores) ? wanted_scores.width() : 0;
  return wanted_indicators.CommonWidth(own_indicators);
}

}  // namespace

Aggregates::Aggregates(const std::vector<const SurveyDefinition*>& definitions) {
  for (const SurveyDefinition* d : definitions) {
    layouts_[{d->id, d->version}] = {std::make_shared<const ScoreLayout>(*d),
                                     std::make_shared<const IndicatorLayout>(*d)};
  }
}

const Aggregates::Layouts* Aggregates::Find(const std::string& survey_id, int version) const {
  auto it = layouts_.find({survey_id, version});
  return it == layouts_.end() ? nullptr : &it->second;
}

const ScoreLayout* Aggregates::Layout(const std::string& survey_id, int version) const {
  const Layouts* l = Find(survey_id, version);
  return l ? l->scores.get() : nullptr;
}

const IndicatorLayout* Aggregates::Indicators(const std::string& survey_id, int version) const {
  const Layouts* l = Find(survey_id, version);
  return l ? l->indicators.get() : nullptr;
}

size_t Aggregates::Width(const std::string& survey_id, int version) const {
  const Layouts* l = Find(survey_id, version);
  return l ? l->width() : 0;
}

void Aggregates::Accumulate(const std::string& survey_id, int version,
                            const std::vector<int>& likert, std::string_view facts,
                            int64_t* sums) const {
  const Layouts* l = Find(survey_id, version);
  if (!l) return;
  l->scores->Accumulate(likert, sums);
  l->indicators->Accumulate(facts, sums + l->scores->width());
}

bool Aggregates::AddEvaluation(const std::string& survey_id, int own_version, int wanted_version,
                               std::string_view likert_blob, std::string_view facts,
                               int64_t* scores, int64_t* indicators) const {
  const Layouts* own = Find(survey_id, own_version);
  const Layouts* wanted = Find(survey_id, wanted_version);
  if (!own || !wanted) return false;
  const size_t common_scores = CommonSlots(*own->scores, *own->indicators, *wanted->scores,
                                           *wanted->indicators, SumPart::kScores);
  const size_t common_indicators = CommonSlots(*own->scores, *own->indicators, *wanted->scores,
                                               *wanted->indicators, SumPart::kIndicators);
  if (common_scores == 0 && common_indicators == 0) return false;
  std::vector<int64_t> sums(own->width(), 0);
  Accumulate(survey_id, own_version, DecodeLikert(likert_blob, own->scores->lo()), facts,
             sums.data());
  for (size_t i = 0; i < common_scores; ++i) scores[i] += sums[i];
  const int64_t* own_indicators = sums.data() + own->scores->width();
  for (size_t i = 0; i < common_indicators; ++i) indicators[i] += own_indicators[i];
  return true;
}

void Aggregates::Add(const ValidSubmission& sub, AggregateDelta* delta) const {
  const Layouts* l = Find(sub.survey_id, sub.survey_version);
  if (!l) return;
  for (const auto& ev : sub.evaluations) {
    auto& sums =
        (*delta)[{sub.survey_id, sub.survey_version, ev.institution_id, sub.completed_day}];
    if (sums.empty()) sums.assign(l->width(), 0);
    l->scores->Accumulate(ev.likert, sums.data());
    l->indicators->Accumulate(ev.facts, sums.data() + l->scores->width());
  }
}

void Aggregates::DaySeries::Add(const std::string& day, const std::vector<int64_t>& delta) {
  const size_t width = delta.size();
  auto it = std::lower_bound(days.begin(), days.end(), day);
  const size_t at = static_cast<size_t>(it - days.begin());
  if (it == days.end() || *it != day) {
    days.insert(it, day);
    sums.insert(sums.begin() + static_cast<std::ptrdiff_t>(at * width), width, 0);
  }
  int64_t* into = sums.data() + at * width;
  bool zero = true;
  for (size_t i = 0; i < width; ++i) zero &= (into[i] += delta[i]) == 0;
  if (!zero) return;
  // A day whose every interview left (rejected, deprecated) holds nothing: it goes, as it would
  // from a rebuild, so that the mirror and the table stay equal to one.
  days.erase(days.begin() + static_cast<std::ptrdiff_t>(at));
  sums.erase(sums.begin() + static_cast<std::ptrdiff_t>(at * width),
             sums.begin() + static_cast<std::ptrdiff_t>((at + 1) * width));
}

namespace {

// Several servers: runs `read` in one read-only snapshot, so that a fold committed by another
// server between two of its statements cannot hide rows (else the caller is the only writer).
Status InSnapshot(Store& store, const std::function<Status()>& read) {
  return store.dialect().shared_by_servers ? store.InSnapshot(read) : read();
}

}  // namespace

Status Aggregates::Load(Store& store) {
  return InSnapshot(store, [&] { return LoadNow(store); });
}

Status Aggregates::LoadNow(Store& store) {
  decltype(mirror_) fresh;
  auto gen = store.GetMeta(kGenerationKey);
  if (!gen.ok()) return gen.status();
  // In key order, so that every series grows at its end; row by row, so that the mirror is
  // the only copy of the sums in memory (a national wave's aggregates are ~100 MB as rows).
  auto st = store.db()->PrepareStreaming(
      "SELECT survey_id, survey_version, institution_id, day, sums FROM aggregates "
      "ORDER BY survey_id, survey_version, institution_id, day");
  if (!st.ok()) return st.status();
  Statement& q = *st;
  ResetOnExit reset(q);
  // Sums of another width were written by a build with other layouts: reading them would
  // mix slots, so the server refuses them rather than serve wrong scores.
  auto check = [&](const std::string& survey, int version, size_t width) {
    const size_t expected = Width(survey, version);
    if (expected == 0 || expected == width) return Status::Ok();
    return Status::Internal("the aggregates of survey " + survey + " v" + std::to_string(version) +
                            " were built by another percept: run `percept rebuild-aggregates`");
  };
  while (q.Step()) {
    const std::string survey = q.Text(0);
    const int version = static_cast<int>(q.Int(1));
    std::vector<int64_t> sums = SumsFromBlob(q.BlobView(4));
    Status s = check(survey, version, sums.size());
    if (!s.ok()) return s;
    fresh[{survey, version}][q.Text(2)].Add(q.Text(3), sums);
  }
  if (!q.status().ok()) return q.status();
  auto folded = store.GetMeta(kFoldedKey);
  if (!folded.ok()) return folded.status();
  int64_t last = folded->empty() ? 0 : std::stoll(*folded);
  auto pending = ReadAggregateLog(store, &last);
  if (!pending.ok()) return pending.status();
  for (const auto& [key, sums] : *pending) {
    Status s = check(key.survey_id, key.version, sums.size());
    if (!s.ok()) return s;
    fresh[{key.survey_id, key.version}][key.institution_id].Add(key.day, sums);
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  mirror_ = std::move(fresh);
  generation_ = gen->empty() ? 0 : std::stoll(*gen);
  loaded_at_ = changes_.fetch_add(1, std::memory_order_release) + 1;
  day_changes_.clear();
  log_seen_ = last;
  return Status::Ok();
}

Status Aggregates::Committed(Store& store, const AggregateDelta& delta) {
  if (!store.dialect().shared_by_servers) {
    Apply(delta);
    return Status::Ok();
  }
  return Follow(store);
}

Status Aggregates::Follow(Store& store) {
  bool reload = false;
  int64_t last = log_seen_;
  AggregateDelta delta;
  Status s = InSnapshot(store, [&] {
    auto folded = store.GetMeta(kFoldedKey);
    if (!folded.ok()) return folded.status();
    if (!folded->empty() && std::stoll(*folded) > log_seen_) {
      reload = true;  // rows this mirror never read were folded away
      return Status::Ok();
    }
    auto read = ReadAggregateLog(store, &last, log_seen_);
    if (!read.ok()) return read.status();
    delta = std::move(read).value();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (reload) return Load(store);
  Apply(delta);
  log_seen_ = last;
  return Status::Ok();
}

void Aggregates::Apply(const AggregateDelta& delta) {
  if (delta.empty()) return;
  std::unique_lock<std::shared_mutex> lock(mu_);
  const uint64_t change = changes_.load(std::memory_order_relaxed) + 1;
  for (const auto& [key, sums] : delta) {
    mirror_[{key.survey_id, key.version}][key.institution_id].Add(key.day, sums);
    day_changes_[key.survey_id][key.day] = change;
  }
  changes_.store(change, std::memory_order_release);
}

uint64_t Aggregates::LastChange(const std::string& survey_id, const std::string& from,
                                const std::string& to) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  uint64_t last = loaded_at_;
  auto survey = day_changes_.find(survey_id);
  if (survey == day_changes_.end()) return last;
  const auto& days = survey->second;
  for (auto it = from.empty() ? days.begin() : days.lower_bound(from);
       it != days.end() && (to.empty() || it->first <= to); ++it)
    last = std::max(last, it->second);
  return last;
}

int64_t Aggregates::loaded_generation() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return generation_;
}

bool Aggregates::HasDays(const std::string& survey_id, const std::string& from,
                         const std::string& to) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [sv, institutions] : mirror_) {
    if (sv.first != survey_id) continue;
    for (const auto& [id, series] : institutions) {
      auto it = std::lower_bound(series.days.begin(), series.days.end(), from);
      if (it != series.days.end() && *it <= to) return true;
    }
  }
  return false;
}

std::pair<std::string, std::string> Aggregates::Days(const std::string& survey_id) const {
  std::pair<std::string, std::string> range;
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [sv, institutions] : mirror_) {
    if (sv.first != survey_id) continue;
    for (const auto& [id, series] : institutions) {
      if (series.days.empty()) continue;
      if (range.first.empty() || series.days.front() < range.first)
        range.first = series.days.front();
      if (series.days.back() > range.second) range.second = series.days.back();
    }
  }
  return range;
}

std::map<std::string, std::vector<int64_t>> Aggregates::Sum(
    const std::string& survey_id, int version, SumPart part, const std::string& from,
    const std::string& to, const std::function<bool(const std::string&)>& include) const {
  std::map<std::string, std::vector<int64_t>> out;
  const Layouts* wanted = Find(survey_id, version);
  if (!wanted) return out;
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [sv, institutions] : mirror_) {
    if (sv.first != survey_id) continue;
    const Layouts* own = Find(sv.first, sv.second);
    if (!own) continue;
    const bool scores = part == SumPart::kScores;
    // The wanted version's width; this version's sums fill its first `common` slots.
    const size_t width = scores ? wanted->scores->width() : wanted->indicators->width();
    const size_t common =
        CommonSlots(*own->scores, *own->indicators, *wanted->scores, *wanted->indicators, part);
    if (common == 0) continue;
    const size_t stride = own->width();
    const size_t offset = scores ? 0 : own->scores->width();
    for (const auto& [inst, series] : institutions) {
      if (!include(inst)) continue;
      const auto& days = series.days;
      const size_t first =
          from.empty() ? 0 : std::lower_bound(days.begin(), days.end(), from) - days.begin();
      const size_t last =
          to.empty() ? days.size() : std::upper_bound(days.begin(), days.end(), to) - days.begin();
      if (first >= last) continue;
      std::vector<int64_t>& total = out[inst];
      if (total.empty()) total.assign(width, 0);
      int64_t* t = total.data();
      for (const int64_t* s = series.sums.data() + first * stride + offset;
           s < series.sums.data() + last * stride; s += stride) {
        for (size_t i = 0; i < common; ++i) t[i] += s[i];
      }
    }
  }
  return out;
}

}  // namespace percept
