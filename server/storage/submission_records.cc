#include "percept/storage/submission_records.h"

#include <algorithm>

#include "percept/base/crypto.h"
#include "percept/base/utf8.h"
#include "percept/storage/aggregate_codec.h"

namespace percept {

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

Status RegisterSurveyVersion(Store& store, const std::string& id, int version,
                             const std::string& json) {
  std::string sha = Sha256(json);
  auto st = store.db()->Prepare(
      "INSERT INTO survey_versions (survey_id, version, sha256, definition, first_seen) "
      "VALUES (?,?,?,?,?) ON CONFLICT(survey_id, version) DO NOTHING");
  if (!st.ok()) return st.status();
  st->Bind(1, id)
      .Bind(2, static_cast<int64_t>(version))
      .BindBlob(3, sha.data(), sha.size())
      .Bind(4, json)
      .Bind(5, NowRfc3339());
  Status s = st->Run();
  if (!s.ok()) return s;
  auto check =
      store.db()->Prepare("SELECT sha256 FROM survey_versions WHERE survey_id = ? AND version = ?");
  if (!check.ok()) return check.status();
  check->Bind(1, id).Bind(2, static_cast<int64_t>(version));
  if (check->Step() && check->Blob(0) != sha) {
    return Status::Conflict("survey '" + id + "' version " + std::to_string(version) +
                            " was published with other content; a change needs a new version");
  }
  return check->status();
}

Result<SubmissionOutcome> InsertSubmission(Store& store, const ValidSubmission& sub,
                                           const std::string& enumerator,
                                           const std::string& received_at) {
  // duplicate_household (docs/supervision.md): the same household in another interview of the
  // survey in the same wave when the interview is in one (a visit in the next wave is the panel,
  // docs/waves.md); outside every wave, within 120 days.
  std::string flags;
  for (const std::string& f : sub.flags) flags += (flags.empty() ? "" : ",") + f;
  if (!sub.household_key.empty()) {
    auto wave = store.Cached(
        "SELECT from_day, to_day FROM waves WHERE survey_id = ? AND ? BETWEEN from_day AND to_day");
    if (!wave.ok()) return wave.status();
    ResetOnExit reset_wave(**wave);
    (*wave)->Bind(1, sub.survey_id).Bind(2, sub.completed_day);
    const bool in_wave = (*wave)->Step();
    if (!(*wave)->status().ok()) return (*wave)->status();
    auto dup = in_wave
                   ? store.Cached(
                         "SELECT 1 FROM submissions WHERE survey_id = ? AND household_key = ? AND "
                         "instance_id <> ? AND completed_day BETWEEN ? AND ? LIMIT 1")
                   : store.Cached(store.Sql(
                         "SELECT 1 FROM submissions WHERE survey_id = ? AND household_key = ? AND "
                         "instance_id <> ? AND completed_day BETWEEN date(?, '-120 days') AND "
                         "date(?, '+120 days') LIMIT 1",
                         "SELECT 1 FROM submissions WHERE survey_id = ? AND household_key = ? AND "
                         "instance_id <> ? AND completed_day BETWEEN to_char(?::date - 120, "
                         "'YYYY-MM-DD') AND to_char(?::date + 120, 'YYYY-MM-DD') LIMIT 1"));
    if (!dup.ok()) return dup.status();
    ResetOnExit reset(**dup);
    (*dup)->Bind(1, sub.survey_id).Bind(2, sub.household_key).Bind(3, sub.instance_id);
    if (in_wave)
      (*dup)->Bind(4, (*wave)->Text(0)).Bind(5, (*wave)->Text(1));
    else
      (*dup)->Bind(4, sub.completed_day).Bind(5, sub.completed_day);
    if ((*dup)->Step()) flags += std::string(flags.empty() ? "" : ",") + "duplicate_household";
    if (!(*dup)->status().ok()) return (*dup)->status();
  }
  auto ins = store.Cached(
      "INSERT INTO submissions (instance_id, content_sha256, survey_id, survey_version, device_id, "
      "enumerator, started_at, completed_at, completed_day, received_at, body, flags, "
      "household_key, replaces) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(instance_id) DO NOTHING RETURNING seq");
  if (!ins.ok()) return ins.status();
  std::string sha = Sha256(sub.canonical_json);
  (*ins)
      ->Bind(1, sub.instance_id)
      .BindBlob(2, sha.data(), sha.size())
      .Bind(3, sub.survey_id)
      .Bind(4, static_cast<int64_t>(sub.survey_version))
      .Bind(5, sub.device_id)
      .Bind(6, enumerator)
      .Bind(7, sub.started_at)
      .Bind(8, sub.completed_at)
      .Bind(9, sub.completed_day)
      .Bind(10, received_at)
      .Bind(11, sub.canonical_json)
      .Bind(12, flags);
  for (const auto& [index, value] :
       {std::pair<int, const std::string&>{13, sub.household_key}, {14, sub.deprecated_id}}) {
    if (value.empty())
      (*ins)->BindNull(index);
    else
      (*ins)->Bind(index, value);
  }
  // RETURNING gives the new row's seq, and no row when the instance_id was taken.
  const bool inserted = (*ins)->Step();
  const int64_t seq = inserted ? (*ins)->Int(0) : 0;
  Status s = (*ins)->Run();
  if (!s.ok()) return s;
  if (!inserted) {
    // The instance_id is taken (UNIQUE): identical content is a retry, anything else a conflict.
    auto find = store.Cached("SELECT content_sha256 FROM submissions WHERE instance_id = ?");
    if (!find.ok()) return find.status();
    ResetOnExit reset(**find);
    (*find)->Bind(1, sub.instance_id);
    if (!(*find)->Step())
      return (*find)->status().ok() ? Status::Internal("instance_id vanished") : (*find)->status();
    return (*find)->Blob(0) == sha ? SubmissionOutcome::kDuplicate : SubmissionOutcome::kConflict;
  }
  auto ev_st = store.Cached(
      "INSERT INTO evaluations (submission_seq, position, institution_id, survey_id, "
      "survey_version, "
      "completed_day, answers, likert, facts, referred_by) VALUES (?,?,?,?,?,?,?,?,?,?)");
  if (!ev_st.ok()) return ev_st.status();
  Statement& ev = **ev_st;
  for (size_t i = 0; i < sub.evaluations.size(); ++i) {
    ev.Reset();
    ev.Bind(1, seq)
        .Bind(2, static_cast<int64_t>(i))
        .Bind(3, sub.evaluations[i].institution_id)
        .Bind(4, sub.survey_id)
        .Bind(5, static_cast<int64_t>(sub.survey_version))
        .Bind(6, sub.completed_day)
        .Bind(7, sub.evaluations[i].answers_json);
    const std::string likert = EncodeLikert(sub.evaluations[i].likert, sub.scale_min);
    ev.BindBlob(8, likert.data(), likert.size());
    const ValidSubmission::Evaluation& e = sub.evaluations[i];
    ev.BindBlob(9, e.facts.data(), e.facts.size());
    if (e.referred_by.empty())
      ev.BindNull(10);
    else
      ev.Bind(10, e.referred_by);
    s = ev.Run();
    if (!s.ok()) return s;
  }
  if (!sub.source_xml.empty()) {
    auto xml = store.Cached("INSERT INTO submission_xml (submission_seq, xml) VALUES (?, ?)");
    if (!xml.ok()) return xml.status();
    s = (*xml)->Bind(1, seq).BindBlob(2, sub.source_xml.data(), sub.source_xml.size()).Run();
    if (!s.ok()) return s;
  }
  return SubmissionOutcome::kCreated;
}

Result<SubmissionPage> ListSubmissions(Store& store, const SubmissionQuery& q) {
#define PERCEPT_LIST_SUBMISSIONS(FIND)                                              \
  "SELECT s.seq, s.body, s.enumerator, s.review_state, s.flags FROM submissions s " \
  "LEFT JOIN tokens t ON t.name = s.enumerator "                                    \
  "WHERE s.survey_id = ?1 AND s.seq > ?2 AND (?3 = '' OR s.review_state = ?3) "     \
  "AND (?4 = '' OR s.enumerator = ?4) AND (?5 = '' OR t.team = ?5) "                \
  "AND (?6 = '' OR " FIND                                                           \
  "(',' || s.flags || ',', ',' || ?6 || ',') > 0) "                                 \
  "ORDER BY s.seq LIMIT ?7"
  auto st = store.Cached(
      store.Sql(PERCEPT_LIST_SUBMISSIONS("instr"), PERCEPT_LIST_SUBMISSIONS("strpos")));
#undef PERCEPT_LIST_SUBMISSIONS
  if (!st.ok()) return st.status();
  Statement& s = **st;
  ResetOnExit reset(s);
  s.Bind(1, q.survey_id)
      .Bind(2, q.after)
      .Bind(3, q.review_state)
      .Bind(4, q.enumerator)
      .Bind(5, q.team)
      .Bind(6, q.flag)
      .Bind(7, static_cast<int64_t>(q.limit) + 1);
  SubmissionPage page;
  int64_t last = q.after;
  while (s.Step()) {
    if (static_cast<int>(page.items.size()) == q.limit) {
      page.next = last;
      break;
    }
    last = s.Int(0);
    page.items.push_back(ToValidUtf8(s.TextView(1)));  // see ListProposals
    page.enumerators.push_back(s.Text(2));
    page.review_states.push_back(s.Text(3));
    page.flags.push_back(SplitFlags(s.TextView(4)));
  }
  if (!s.status().ok()) return s.status();
  return page;
}

Result<std::optional<std::string>> SubmissionXml(Store& store, const std::string& instance_id) {
  auto st = store.Cached(
      "SELECT x.xml FROM submissions s JOIN submission_xml x ON x.submission_seq = s.seq "
      "WHERE s.instance_id = ?");
  if (!st.ok()) return st.status();
  ResetOnExit reset(**st);
  (*st)->Bind(1, instance_id);
  if (!(*st)->Step()) {
    if (!(*st)->status().ok()) return (*st)->status();
    return std::optional<std::string>();
  }
  return std::optional<std::string>(ToValidUtf8((*st)->Blob(0)));  // see ListProposals
}

Result<int64_t> CountSubmissions(Store& store) {
  auto st = store.db()->Prepare("SELECT count(*) FROM submissions");
  if (!st.ok()) return st.status();
  if (!st->Step()) return st->status();
  return st->Int(0);
}

Result<std::map<std::pair<std::string, int>, std::string>> ListSurveyVersions(Store& store) {
  auto st = store.db()->Prepare("SELECT survey_id, version, definition FROM survey_versions");
  if (!st.ok()) return st.status();
  std::map<std::pair<std::string, int>, std::string> out;
  while (st->Step()) out[{st->Text(0), static_cast<int>(st->Int(1))}] = st->Text(2);
  if (!st->status().ok()) return st->status();
  return out;
}

Result<std::optional<InterviewInfo>> FindInterview(Store& store, const std::string& instance_id) {
  auto st = store.Cached(
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

Result<std::optional<std::string>> FindEarlyCorrection(Store& store, const std::string& instance_id,
                                                       const std::string& enumerator,
                                                       const std::string& survey_id) {
  auto st = store.Cached(
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

Result<int64_t> CountExcluded(Store& store, const std::string& survey_id, const std::string& from,
                              const std::string& to) {
  auto st = store.Cached(
      "SELECT count(*) FROM submissions WHERE survey_id = ?1 AND "
      "review_state IN ('rejected', 'deprecated') AND (?2 = '' OR completed_day >= ?2) AND "
      "(?3 = '' OR completed_day <= ?3)");
  if (!st.ok()) return st.status();
  ResetOnExit reset(**st);
  (*st)->Bind(1, survey_id).Bind(2, from).Bind(3, to);
  if (!(*st)->Step()) return (*st)->status();
  return (*st)->Int(0);
}

Result<std::string> SubmissionBody(Store& store, int64_t seq) {
  auto st = store.Cached("SELECT body FROM submissions WHERE seq = ?");
  if (!st.ok()) return st.status();
  ResetOnExit reset(**st);
  (*st)->Bind(1, seq);
  if (!(*st)->Step())
    return (*st)->status().ok() ? Status::NotFound("no such interview") : (*st)->status();
  return ToValidUtf8((*st)->TextView(0));  // see ListProposals
}

}  // namespace percept
