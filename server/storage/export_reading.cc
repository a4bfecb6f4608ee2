#include "percept/storage/export_reading.h"

namespace percept {

Result<InterviewCursor> StreamInterviews(Store& store, const std::string& survey_id,
                                         bool include_rejected, const std::string& from,
                                         const std::string& to) {
  auto st = store.db()->PrepareStreaming(
      "SELECT enumerator, body, instance_id FROM submissions WHERE survey_id = ?1 AND "
      "(?2 OR review_state NOT IN ('rejected', 'deprecated')) AND "
      "(?3 = '' OR completed_day >= ?3) AND (?4 = '' OR completed_day <= ?4) ORDER BY seq");
  if (!st.ok()) return st.status();
  st->Bind(1, survey_id).Bind(2, static_cast<int64_t>(include_rejected)).Bind(3, from).Bind(4, to);
  return InterviewCursor(std::move(st).value());
}

Result<int64_t> CountExportedEvaluations(Store& store, const std::string& survey_id,
                                         bool include_rejected, const std::string& from,
                                         const std::string& to) {
  // Unbounded, the evaluations of the survey less those of the interviews left out: two
  // counts over indexes, where a join would read every row.
  const bool windowed = !from.empty() || !to.empty();
  auto count = !windowed
                   ? store.Cached(
                         "SELECT (SELECT count(*) FROM evaluations WHERE survey_id = ?1) - "
                         "(SELECT count(*) FROM submissions s JOIN evaluations e ON "
                         "e.submission_seq = s.seq WHERE s.survey_id = ?1 AND s.review_state IN "
                         "('rejected', 'deprecated') AND NOT ?2)")
                   : store.Cached(
                         "SELECT count(*) FROM submissions s JOIN evaluations e ON "
                         "e.submission_seq = s.seq WHERE s.survey_id = ?1 AND (?2 OR "
                         "s.review_state NOT IN ('rejected', 'deprecated')) AND (?3 = '' OR "
                         "s.completed_day >= ?3) AND (?4 = '' OR s.completed_day <= ?4)");
  if (!count.ok()) return count.status();
  (*count)->Bind(1, survey_id).Bind(2, static_cast<int64_t>(include_rejected));
  if (windowed) (*count)->Bind(3, from).Bind(4, to);
  if (!(*count)->Step()) return (*count)->status();
  const int64_t rows = (*count)->Int(0);
  (*count)->Reset();
  return rows;
}

}  // namespace percept
