#include "percept/storage/review_records.h"

#include <algorithm>

namespace percept {

Status SetReviewState(Store& store, int64_t seq, const std::string& state) {
  auto st = store.Cached("UPDATE submissions SET review_state = ? WHERE seq = ?");
  if (!st.ok()) return st.status();
  return (*st)->Bind(1, state).Bind(2, seq).Run();
}

Status AddReview(Store& store, int64_t seq, const std::string& actor, const std::string& from,
                 const std::string& to, const std::string& comment) {
  auto st = store.Cached(
      "INSERT INTO reviews (submission_seq, at, actor, from_state, to_state, comment) "
      "VALUES (?,?,?,?,?,?)");
  if (!st.ok()) return st.status();
  return (*st)
      ->Bind(1, seq)
      .Bind(2, NowRfc3339())
      .Bind(3, actor)
      .Bind(4, from)
      .Bind(5, to)
      .Bind(6, comment)
      .Run();
}

Result<std::vector<ReviewRecord>> ListReviews(Store& store, int64_t seq) {
  auto st = store.Cached(
      "SELECT at, actor, from_state, to_state, comment FROM reviews WHERE submission_seq = ? "
      "ORDER BY id");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.Bind(1, seq);
  std::vector<ReviewRecord> out;
  while (q.Step()) out.push_back({q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)});
  if (!q.status().ok()) return q.status();
  return out;
}

}  // namespace percept
