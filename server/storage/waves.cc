#include "percept/storage/waves.h"

#include <cctype>

#include "percept/storage/submission_records.h"
#include "percept/submission.h"

namespace percept {

namespace {

Result<std::vector<Wave>> ReadWaves(Statement& st) {
  std::vector<Wave> out;
  while (st.Step()) {
    out.push_back({st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4)});
  }
  if (!st.status().ok()) return st.status();
  return out;
}

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 32 || !std::isalnum(static_cast<unsigned char>(id[0])))
    return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
      return false;
  }
  return true;
}

// The wave of `survey_id` other than `except` whose window meets [from, to], if any.
Result<std::optional<Wave>> Overlapping(Store& store, const std::string& survey_id,
                                        const std::string& except, const std::string& from,
                                        const std::string& to) {
  auto all = ListWaves(store, survey_id);
  if (!all.ok()) return all.status();
  for (const Wave& w : *all) {
    if (w.id != except && w.from <= to && from <= w.to) return std::optional<Wave>(w);
  }
  return std::optional<Wave>();
}

Status OverlapConflict(const Wave& other) {
  return Status::Conflict("the window overlaps wave '" + other.id + "' (" + other.from + " to " +
                          other.to + "); the waves of a survey never overlap");
}

}  // namespace

Result<std::vector<Wave>> ListWaves(Store& store, const std::string& survey_id) {
  auto st = store.Cached(
      "SELECT survey_id, id, label, from_day, to_day FROM waves WHERE survey_id = ? "
      "ORDER BY from_day, id");
  if (!st.ok()) return st.status();
  ResetOnExit reset(**st);
  (*st)->Bind(1, survey_id);
  return ReadWaves(**st);
}

Result<std::optional<Wave>> FindWave(Store& store, const std::string& survey_id,
                                     const std::string& id) {
  auto st = store.Cached(
      "SELECT survey_id, id, label, from_day, to_day FROM waves WHERE survey_id = ? AND id = ?");
  if (!st.ok()) return st.status();
  ResetOnExit reset(**st);
  (*st)->Bind(1, survey_id).Bind(2, id);
  auto found = ReadWaves(**st);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<Wave>();
  return std::optional<Wave>(found->front());
}

Result<int64_t> CountWaveInterviews(Store& store, const Wave& wave, bool every) {
  auto st = store.Cached(
      "SELECT count(*) FROM submissions WHERE survey_id = ? AND completed_day BETWEEN ? AND ? "
      "AND (? OR review_state NOT IN ('rejected', 'deprecated'))");
  if (!st.ok()) return st.status();
  ResetOnExit reset(**st);
  (*st)->Bind(1, wave.survey_id).Bind(2, wave.from).Bind(3, wave.to).Bind(4, int64_t{every});
  if (!(*st)->Step()) return (*st)->status();
  return (*st)->Int(0);
}

std::vector<Detail> WaveProblems(const Wave& wave) {
  std::vector<Detail> problems;
  if (!ValidId(wave.id)) {
    problems.push_back({"/id", "invalid",
                        "1 to 32 letters, digits, '.', '_' or '-', starting with a letter or "
                        "digit (e.g. 2027-1)"});
  }
  const bool from_ok = IsIsoDate(wave.from), to_ok = IsIsoDate(wave.to);
  if (!from_ok) problems.push_back({"/from", "invalid", "a date, YYYY-MM-DD"});
  if (!to_ok) problems.push_back({"/to", "invalid", "a date, YYYY-MM-DD"});
  if (from_ok && to_ok && wave.from > wave.to)
    problems.push_back({"/to", "before_from", "'to' is before 'from'"});
  if (wave.label.size() > 200) problems.push_back({"/label", "too_long", "at most 200 bytes"});
  return problems;
}

Status CreateWave(Store& store, const Wave& wave) {
  auto problems = WaveProblems(wave);
  if (!problems.empty()) return Status::ValidationFailed("the wave is not valid", problems);
  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  auto same = FindWave(store, wave.survey_id, wave.id);
  if (!same.ok()) return same.status();
  if (*same)
    return Status::Conflict("survey '" + wave.survey_id + "' has a wave '" + wave.id + "'");
  auto other = Overlapping(store, wave.survey_id, "", wave.from, wave.to);
  if (!other.ok()) return other.status();
  if (*other) return OverlapConflict(**other);
  auto st = store.Cached(
      "INSERT INTO waves (survey_id, id, label, from_day, to_day, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  (*st)
      ->Bind(1, wave.survey_id)
      .Bind(2, wave.id)
      .Bind(3, wave.label)
      .Bind(4, wave.from)
      .Bind(5, wave.to)
      .Bind(6, NowRfc3339());
  Status s = (*st)->Run();
  if (!s.ok()) return s;
  return tx.Commit();
}

Result<Wave> EditWave(Store& store, const std::string& survey_id, const std::string& id,
                      const std::optional<std::string>& from, const std::optional<std::string>& to,
                      const std::optional<std::string>& label) {
  Transaction tx(store.db());
  if (!tx.status().ok()) return tx.status();
  auto found = FindWave(store, survey_id, id);
  if (!found.ok()) return found.status();
  if (!*found) return Status::NotFound("survey '" + survey_id + "' has no wave '" + id + "'");
  Wave now = **found;
  if (from) now.from = *from;
  if (to) now.to = *to;
  if (label) now.label = *label;
  auto problems = WaveProblems(now);
  if (!problems.empty()) return Status::ValidationFailed("the wave is not valid", problems);
  if (now.from != (*found)->from || now.to != (*found)->to) {
    auto held = CountWaveInterviews(store, **found, /*every=*/true);
    if (!held.ok()) return held.status();
    if (*held > 0) {
      return Status::Conflict("wave '" + id + "' holds " + std::to_string(*held) +
                              " interviews: its dates stay as they are (its label may change)");
    }
    auto other = Overlapping(store, survey_id, id, now.from, now.to);
    if (!other.ok()) return other.status();
    if (*other) return OverlapConflict(**other);
  }
  auto st = store.Cached(
      "UPDATE waves SET label = ?, from_day = ?, to_day = ? WHERE survey_id = ? AND id = ?");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, now.label).Bind(2, now.from).Bind(3, now.to).Bind(4, survey_id).Bind(5, id);
  Status s = (*st)->Run();
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s;
  return now;
}

}  // namespace percept
