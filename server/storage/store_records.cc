// Store: the small records beside the interviews — meta values, published survey versions,
// browser sessions and the audit trail.
#include <algorithm>

#include "percept/base/utf8.h"
#include "percept/storage/store.h"

namespace percept {

Result<std::string> Store::GetMeta(const std::string& key) {
  auto st = Cached("SELECT value FROM meta WHERE key = ?");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.Bind(1, key);
  if (q.Step()) return q.Text(0);
  if (!q.status().ok()) return q.status();
  return std::string();
}

Status Store::SetMeta(const std::string& key, const std::string& value) {
  auto st = Cached(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
      "excluded.value");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, key).Bind(2, value);
  return (*st)->Run();
}

Result<std::map<std::pair<std::string, int>, std::string>> Store::ListSurveyVersions() {
  auto st = db_->Prepare("SELECT survey_id, version, definition FROM survey_versions");
  if (!st.ok()) return st.status();
  std::map<std::pair<std::string, int>, std::string> out;
  while (st->Step()) out[{st->Text(0), static_cast<int>(st->Int(1))}] = st->Text(2);
  if (!st->status().ok()) return st->status();
  return out;
}

}  // namespace percept

namespace percept {

Status Store::CreateSession(const std::string& hash, int64_t token_id, int64_t expires_at) {
  auto st =
      Cached("INSERT INTO sessions (hash, token_id, created_at, expires_at) VALUES (?,?,?,?)");
  if (!st.ok()) return st.status();
  (*st)
      ->BindBlob(1, hash.data(), hash.size())
      .Bind(2, token_id)
      .Bind(3, NowRfc3339())
      .Bind(4, expires_at);
  return (*st)->Run();
}

Result<std::optional<TokenRecord>> Store::FindSessionToken(const std::string& hash, int64_t now) {
  auto st = Cached(
      "SELECT t.id, t.name, t.role, t.hash, t.created_at, ti.institution_id, t.team "
      "FROM sessions s "
      "JOIN tokens t ON t.id = s.token_id LEFT JOIN token_institutions ti ON ti.token_id = t.id "
      "WHERE s.hash = ? AND s.expires_at > ? AND t.revoked_at IS NULL");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.BindBlob(1, hash.data(), hash.size()).Bind(2, now);
  return ReadTokenRows(q);
}

Status Store::DeleteSession(const std::string& hash) {
  auto st = Cached(Sql("DELETE FROM sessions WHERE hash = ? OR expires_at < strftime('%s', 'now')",
                       "DELETE FROM sessions WHERE hash = ? OR "
                       "expires_at < extract(epoch from now())::bigint"));
  if (!st.ok()) return st.status();
  (*st)->BindBlob(1, hash.data(), hash.size());
  return (*st)->Run();
}

}  // namespace percept

namespace percept {

Status Store::Audit(const std::string& actor, const std::string& action,
                    const std::string& detail) {
  auto st = Cached("INSERT INTO audit (at, actor, action, detail) VALUES (?,?,?,?)");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, NowRfc3339()).Bind(2, actor).Bind(3, action).Bind(4, detail);
  return (*st)->Run();
}

Result<std::vector<AuditEntry>> Store::ListAudit(int64_t limit, const std::string& since) {
  auto st = db_->Prepare(
      "SELECT at, actor, action, detail FROM audit WHERE at >= ? ORDER BY id DESC LIMIT ?");
  if (!st.ok()) return st.status();
  st->Bind(1, since).Bind(2, limit);
  std::vector<AuditEntry> out;
  while (st->Step()) out.push_back({st->Text(0), st->Text(1), st->Text(2), st->Text(3)});
  if (!st->status().ok()) return st->status();
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace percept

namespace percept {

std::vector<std::string> SplitFlags(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > start) out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Result<std::optional<InterviewInfo>> Store::FindInterview(const std::string& instance_id) {
  auto st = Cached(
      "SELECT s.seq, s.instance_id, s.survey_id, s.enumerator, t.team, s.review_state, s.flags, "
      "s.completed_at, s.started_at FROM submissions s LEFT JOIN tokens t ON t.name = s.enumerator "
      "WHERE s.instance_id = ?");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.Bind(1, instance_id);
  if (!q.Step()) {
    if (!q.status().ok()) return q.status();
    return std::optional<InterviewInfo>();
  }
  InterviewInfo i;
  i.seq = q.Int(0);
  i.instance_id = q.Text(1);
  i.survey_id = q.Text(2);
  i.enumerator = q.Text(3);
  if (!q.IsNull(4)) i.team = q.Text(4);
  i.review_state = q.Text(5);
  i.flags = SplitFlags(q.TextView(6));
  i.completed_at = q.Text(7);
  i.started_at = q.Text(8);
  return std::optional<InterviewInfo>(std::move(i));
}

Result<std::optional<std::string>> Store::FindEarlyCorrection(const std::string& instance_id,
                                                              const std::string& enumerator,
                                                              const std::string& survey_id) {
  auto st = Cached(
      "SELECT instance_id FROM submissions WHERE replaces = ? AND enumerator = ? AND "
      "survey_id = ? ORDER BY seq LIMIT 1");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.Bind(1, instance_id).Bind(2, enumerator).Bind(3, survey_id);
  if (!q.Step()) {
    if (!q.status().ok()) return q.status();
    return std::optional<std::string>();
  }
  return std::optional<std::string>(q.Text(0));
}

Status OutcomeStatus(SubmissionOutcome outcome, const std::string& instance_id) {
  switch (outcome) {
    case SubmissionOutcome::kCreated:
    case SubmissionOutcome::kDuplicate:
      return Status::Ok();
    case SubmissionOutcome::kConflict:
      return Status::Conflict(
          "instance_id " + instance_id +
          " is already stored with different content; a new interview needs a new instance_id");
    case SubmissionOutcome::kBadCorrection:
      return Status::ValidationFailed(
          "the interview this one corrects is not yours to replace",
          {{"/deprecated_id", "not_replaceable",
            "a correction replaces only an interview of the same enumerator and survey"}});
    case SubmissionOutcome::kFailed:
      break;
  }
  return Status::Unavailable("the interview could not be stored; send it again later");
}

Status Store::SetReviewState(int64_t seq, const std::string& state) {
  auto st = Cached("UPDATE submissions SET review_state = ? WHERE seq = ?");
  if (!st.ok()) return st.status();
  return (*st)->Bind(1, state).Bind(2, seq).Run();
}

Status Store::AddReview(int64_t seq, const std::string& actor, const std::string& from,
                        const std::string& to, const std::string& comment) {
  auto st = Cached(
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

Result<int64_t> Store::CountExcluded(const std::string& survey_id, const std::string& from,
                                     const std::string& to) {
  auto st = Cached(
      "SELECT count(*) FROM submissions WHERE survey_id = ?1 AND "
      "review_state IN ('rejected', 'deprecated') AND (?2 = '' OR completed_day >= ?2) AND "
      "(?3 = '' OR completed_day <= ?3)");
  if (!st.ok()) return st.status();
  ResetOnExit reset(**st);
  (*st)->Bind(1, survey_id).Bind(2, from).Bind(3, to);
  if (!(*st)->Step()) return (*st)->status();
  return (*st)->Int(0);
}

Result<std::string> Store::SubmissionBody(int64_t seq) {
  auto st = Cached("SELECT body FROM submissions WHERE seq = ?");
  if (!st.ok()) return st.status();
  ResetOnExit reset(**st);
  (*st)->Bind(1, seq);
  if (!(*st)->Step())
    return (*st)->status().ok() ? Status::NotFound("no such interview") : (*st)->status();
  return ToValidUtf8((*st)->TextView(0));  // see ListProposals
}

Result<std::vector<ReviewRecord>> Store::ListReviews(int64_t seq) {
  auto st = Cached(
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
