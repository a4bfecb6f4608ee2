#include "percept/storage/interview_reading.h"

namespace percept {

Status ForEachInterview(
    Store& store, const std::string& survey_id, const std::string& from, const std::string& to,
    const std::function<void(std::string_view household_key,
                             const std::vector<StoredEvaluation>& evaluations)>& each) {
  auto st = store.db()->PrepareStreaming(
      "SELECT s.seq, s.household_key, e.institution_id, e.survey_version, e.likert, e.facts "
      "FROM submissions s JOIN evaluations e ON e.submission_seq = s.seq "
      "WHERE s.survey_id = ?1 AND (?2 = '' OR s.completed_day >= ?2) AND "
      "(?3 = '' OR s.completed_day <= ?3) AND s.review_state NOT IN ('rejected', 'deprecated') "
      "ORDER BY s.seq, e.position");
  if (!st.ok()) return st.status();
  Statement& q = *st;
  q.Bind(1, survey_id).Bind(2, from).Bind(3, to);
  // The rows of one interview are copied out before the next is read: a streaming statement's
  // views last until its next step.
  int64_t seq = -1;
  std::string household;
  std::vector<std::string> text;  // institution, likert, facts, per evaluation
  std::vector<int> versions;
  auto flush = [&] {
    if (seq < 0) return;
    std::vector<StoredEvaluation> evaluations(versions.size());
    for (size_t i = 0; i < versions.size(); ++i)
      evaluations[i] = {text[3 * i], versions[i], text[3 * i + 1], text[3 * i + 2]};
    each(household, evaluations);
    text.clear();
    versions.clear();
  };
  while (q.Step()) {
    if (q.Int(0) != seq) {
      flush();
      seq = q.Int(0);
      household = q.IsNull(1) ? std::string() : std::string(q.TextView(1));
    }
    text.emplace_back(q.TextView(2));
    text.emplace_back(q.BlobView(4));
    text.emplace_back(q.IsNull(5) ? std::string_view() : q.BlobView(5));
    versions.push_back(static_cast<int>(q.Int(3)));
  }
  if (!q.status().ok()) return q.status();
  flush();
  return Status::Ok();
}

}  // namespace percept
