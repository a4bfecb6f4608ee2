#include "percept/storage/export_reading.h"

namespace percept {

Result<InterviewCursor> StreamInterviews(Store& store, const std::string& survey_id,
                                         bool include_rejected) {
  auto st = store.db()->PrepareStreaming(
      "SELECT enumerator, body, instance_id FROM submissions WHERE survey_id = ? AND "
      "(? OR review_state NOT IN ('rejected', 'deprecated')) ORDER BY seq");
  if (!st.ok()) return st.status();
  st->Bind(1, survey_id).Bind(2, static_cast<int64_t>(include_rejected));
  return InterviewCursor(std::move(st).value());
}

Result<int64_t> CountExportedEvaluations(Store& store, const std::string& survey_id,
                                         bool include_rejected) {
  auto count = store.Cached(
      "SELECT (SELECT count(*) FROM evaluations WHERE survey_id = ?1) - "
      "(SELECT count(*) FROM submissions s JOIN evaluations e ON e.submission_seq = s.seq "
      "WHERE s.survey_id = ?1 AND s.review_state IN ('rejected', 'deprecated') AND NOT ?2)");
  if (!count.ok()) return count.status();
  (*count)->Bind(1, survey_id).Bind(2, static_cast<int64_t>(include_rejected));
  if (!(*count)->Step()) return (*count)->status();
  const int64_t rows = (*count)->Int(0);
  (*count)->Reset();
  return rows;
}

}  // namespace percept
