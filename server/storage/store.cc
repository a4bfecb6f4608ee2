#include "percept/storage/store.h"

#include <algorithm>
#include <ctime>

#include "percept/base/crypto.h"
#include "percept/base/utf8.h"
#include "percept/storage/aggregate_codec.h"

namespace percept {

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<Statement*> Store::Cached(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto st = db_->Prepare(sql);
    if (!st.ok()) return st.status();
    it = cache_.emplace(sql, std::move(st).value()).first;
  } else {
    it->second.Reset();
  }
  return &it->second;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, bool create) {
  auto db = Database::Open(path, create);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Store>(new Store(std::move(db).value()));
}

Status Store::RunUtility(const char* sql) {
  if (!dialect_->prepares_savepoints) return db_->Exec(sql);
  auto st = Cached(sql);
  return st.ok() ? (*st)->Run() : st.status();
}

Status Store::InSnapshot(const std::function<Status()>& read) {
  Status s = db_->Exec(dialect_->begin_snapshot);
  if (!s.ok()) return s;
  s = read();
  Status end = db_->Exec(s.ok() ? "COMMIT" : "ROLLBACK");
  return s.ok() ? end : s;
}

Status Store::Migrate() {
  int version = db_->UserVersion();
  if (version > kSchemaVersion) {
    return Status::Internal("the database has schema version " + std::to_string(version) +
                            ", newer than this percept (" + std::to_string(kSchemaVersion) + ")");
  }
  if (version == kSchemaVersion) return Status::Ok();
  if (dialect_->backend == Backend::kPostgres) {  // its own schema text (schema.h)
    // One step per transaction, under a lock that a second `percept init` waits for; the
    // version is read again under it.
    Status s;
    while (s.ok() && version < kSchemaVersion) {
      Transaction tx(db_.get());
      s = tx.status();
      if (s.ok()) s = db_->Exec("SELECT pg_advisory_xact_lock(7291)");  // "percept init"
      if (s.ok()) version = db_->UserVersion();
      if (!s.ok() || version >= kSchemaVersion) break;
      int to = 0;
      const char* sql = PostgresMigrationFrom(version, &to);
      if (!sql) return Status::Internal("no migration from schema " + std::to_string(version));
      s = db_->Exec(sql);
      if (s.ok()) s = db_->SetUserVersion(to);
      if (s.ok()) s = tx.Commit();
      if (!s.ok())
        s = Status::Internal("migration to schema " + std::to_string(to) + ": " + s.message());
      version = to;
    }
    return s;
  }
  // A migration may rebuild a table others refer to (SQLite's documented way to change a
  // constraint): foreign keys are off while migrating, and checked before each commit.
  Status s = db_->Exec("PRAGMA foreign_keys=OFF");
  while (s.ok() && version < kSchemaVersion) {
    Transaction tx(db_.get());
    s = tx.status();
    if (s.ok()) s = db_->Exec(MigrationFrom(version));
    if (s.ok()) s = db_->SetUserVersion(version + 1);
    if (s.ok()) {
      auto check = db_->Prepare("PRAGMA foreign_key_check");
      if (!check.ok()) {
        s = check.status();
      } else if (check->Step()) {
        s = Status::Internal("a foreign key would break (table " + check->Text(0) + ")");
      }
    }
    if (s.ok()) s = tx.Commit();
    if (!s.ok())
      s = Status::Internal("migration to schema " + std::to_string(version + 1) + ": " +
                           s.message());
    ++version;
  }
  Status on = db_->Exec("PRAGMA foreign_keys=ON");
  return s.ok() ? on : s;
}

Status Store::CheckSchema() {
  int version = db_->UserVersion();
  if (version == kSchemaVersion) return Status::Ok();
  return Status::Internal("the database has schema version " + std::to_string(version) +
                          ", this percept needs " + std::to_string(kSchemaVersion) +
                          ": run `percept init` first");
}

Status Store::UpsertInstitutions(const std::vector<Institution>& institutions) {
  Transaction tx(db_.get());
  if (!tx.status().ok()) return tx.status();
  auto st = db_->Prepare(
      "INSERT INTO institutions (id, name, type, comuna, region, updated_at) VALUES (?,?,?,?,?,?) "
      "ON CONFLICT(id) DO UPDATE SET name=excluded.name, type=excluded.type, "
      "comuna=excluded.comuna, region=excluded.region, updated_at=excluded.updated_at");
  if (!st.ok()) return st.status();
  std::string now = NowRfc3339();
  for (const Institution& i : institutions) {
    st->Reset();
    st->Bind(1, i.id)
        .Bind(2, i.name)
        .Bind(3, i.type)
        .Bind(4, i.comuna)
        .Bind(5, i.region)
        .Bind(6, now);
    Status s = st->Run();
    if (!s.ok()) return s;
  }
  return tx.Commit();
}

Result<std::vector<Institution>> Store::ListInstitutions() {
  auto st = Cached("SELECT id, name, type, comuna, region FROM institutions ORDER BY id");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  std::vector<Institution> out;
  while (q.Step()) out.push_back({q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)});
  if (!q.status().ok()) return q.status();
  return out;
}

Result<std::optional<Institution>> Store::FindInstitution(const std::string& id) {
  auto st = db_->Prepare("SELECT id, name, type, comuna, region FROM institutions WHERE id = ?");
  if (!st.ok()) return st.status();
  st->Bind(1, id);
  if (st->Step()) {
    return std::optional<Institution>(
        Institution{st->Text(0), st->Text(1), st->Text(2), st->Text(3), st->Text(4)});
  }
  if (!st->status().ok()) return st->status();
  return std::optional<Institution>();
}

Status Store::CreateToken(const std::string& name, Role role, const std::string& hash,
                          const std::vector<std::string>& institutions, const std::string& team) {
  Transaction tx(db_.get());
  if (!tx.status().ok()) return tx.status();
  auto st = db_->Prepare(
      "INSERT INTO tokens (name, role, hash, created_at, team) VALUES (?,?,?,?,?) RETURNING id");
  if (!st.ok()) return st.status();
  st->Bind(1, name)
      .Bind(2, std::string_view(RoleName(role)))
      .BindBlob(3, hash.data(), hash.size())
      .Bind(4, NowRfc3339());
  if (team.empty())
    st->BindNull(5);
  else
    st->Bind(5, team);
  const int64_t token_id = st->Step() ? st->Int(0) : 0;
  Status s = st->Run();
  if (s.code() == StatusCode::kConflict)
    return Status::Conflict("a token named '" + name + "' already exists");
  if (!s.ok()) return s;
  auto link =
      db_->Prepare("INSERT INTO token_institutions (token_id, institution_id) VALUES (?,?)");
  if (!link.ok()) return link.status();
  for (const std::string& inst : institutions) {
    link->Reset();
    link->Bind(1, token_id).Bind(2, inst);
    s = link->Run();
    if (s.code() == StatusCode::kConflict) return Status::NotFound("no institution '" + inst + "'");
    if (!s.ok()) return s;
  }
  return tx.Commit();
}

Result<std::vector<TokenRecord>> Store::ListTokens() {
  auto st = db_->Prepare(Sql(
      "SELECT t.id, t.name, t.role, t.created_at, t.revoked_at, "
      "(SELECT group_concat(institution_id, ',') FROM token_institutions WHERE token_id = t.id), "
      "t.team FROM tokens t ORDER BY t.name",
      "SELECT t.id, t.name, t.role, t.created_at, t.revoked_at, "
      "(SELECT string_agg(institution_id, ',') FROM token_institutions WHERE token_id = t.id), "
      "t.team FROM tokens t ORDER BY t.name"));
  if (!st.ok()) return st.status();
  std::vector<TokenRecord> out;
  while (st->Step()) {
    TokenRecord r;
    r.id = st->Int(0);
    r.name = st->Text(1);
    r.role = ParseRole(st->TextView(2)).value_or(Role::kEnumerator);
    r.created_at = st->Text(3);
    if (!st->IsNull(4)) r.revoked_at = st->Text(4);
    if (!st->IsNull(6)) r.team = st->Text(6);
    std::string insts = st->Text(5);
    for (size_t pos = 0; !insts.empty() && pos <= insts.size();) {
      size_t comma = insts.find(',', pos);
      if (comma == std::string::npos) comma = insts.size();
      r.institutions.push_back(insts.substr(pos, comma - pos));
      pos = comma + 1;
    }
    out.push_back(std::move(r));
  }
  if (!st->status().ok()) return st->status();
  return out;
}

Status Store::RevokeToken(const std::string& name) {
  auto st = db_->Prepare("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL");
  if (!st.ok()) return st.status();
  st->Bind(1, NowRfc3339()).Bind(2, name);
  Status s = st->Run();
  if (!s.ok()) return s;
  if (db_->Changes() == 0) return Status::NotFound("no active token named '" + name + "'");
  return Status::Ok();
}

Result<std::optional<TokenRecord>> ReadTokenRows(Statement& q) {
  std::optional<TokenRecord> found;
  while (q.Step()) {
    if (!found) {
      found.emplace();
      found->id = q.Int(0);
      found->name = q.Text(1);
      found->role = ParseRole(q.TextView(2)).value_or(Role::kEnumerator);
      found->hash = q.Blob(3);
      found->created_at = q.Text(4);
      if (!q.IsNull(6)) found->team = q.Text(6);
    }
    if (!q.IsNull(5)) found->institutions.push_back(q.Text(5));
  }
  if (!q.status().ok()) return q.status();
  return found;
}

Result<std::optional<TokenRecord>> Store::FindActiveToken(const std::string& hash) {
  auto st = Cached(
      "SELECT t.id, t.name, t.role, t.hash, t.created_at, ti.institution_id, t.team FROM tokens t "
      "LEFT JOIN token_institutions ti ON ti.token_id = t.id "
      "WHERE t.hash = ? AND t.revoked_at IS NULL");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  ResetOnExit reset(q);
  q.BindBlob(1, hash.data(), hash.size());
  return ReadTokenRows(q);
}

Status Store::RegisterSurveyVersion(const std::string& id, int version, const std::string& json) {
  std::string sha = Sha256(json);
  auto st = db_->Prepare(
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
      db_->Prepare("SELECT sha256 FROM survey_versions WHERE survey_id = ? AND version = ?");
  if (!check.ok()) return check.status();
  check->Bind(1, id).Bind(2, static_cast<int64_t>(version));
  if (check->Step() && check->Blob(0) != sha) {
    return Status::Conflict("survey '" + id + "' version " + std::to_string(version) +
                            " was published with other content; a change needs a new version");
  }
  return check->status();
}

Result<SubmissionOutcome> Store::InsertSubmission(const ValidSubmission& sub,
                                                  const std::string& enumerator,
                                                  const std::string& received_at) {
  // duplicate_household (docs/supervision.md): the same household in another interview of the
  // survey within 120 days.
  std::string flags;
  for (const std::string& f : sub.flags) flags += (flags.empty() ? "" : ",") + f;
  if (!sub.household_key.empty()) {
    auto dup = Cached(Sql(
        "SELECT 1 FROM submissions WHERE survey_id = ? AND household_key = ? AND "
        "instance_id <> ? AND completed_day BETWEEN date(?, '-120 days') AND date(?, '+120 days') "
        "LIMIT 1",
        "SELECT 1 FROM submissions WHERE survey_id = ? AND household_key = ? AND "
        "instance_id <> ? AND completed_day BETWEEN to_char(?::date - 120, 'YYYY-MM-DD') AND "
        "to_char(?::date + 120, 'YYYY-MM-DD') LIMIT 1"));
    if (!dup.ok()) return dup.status();
    ResetOnExit reset(**dup);
    (*dup)
        ->Bind(1, sub.survey_id)
        .Bind(2, sub.household_key)
        .Bind(3, sub.instance_id)
        .Bind(4, sub.completed_day)
        .Bind(5, sub.completed_day);
    if ((*dup)->Step()) flags += std::string(flags.empty() ? "" : ",") + "duplicate_household";
    if (!(*dup)->status().ok()) return (*dup)->status();
  }
  auto ins = Cached(
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
    auto find = Cached("SELECT content_sha256 FROM submissions WHERE instance_id = ?");
    if (!find.ok()) return find.status();
    ResetOnExit reset(**find);
    (*find)->Bind(1, sub.instance_id);
    if (!(*find)->Step())
      return (*find)->status().ok() ? Status::Internal("instance_id vanished") : (*find)->status();
    return (*find)->Blob(0) == sha ? SubmissionOutcome::kDuplicate : SubmissionOutcome::kConflict;
  }
  auto ev_st = Cached(
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
    auto xml = Cached("INSERT INTO submission_xml (submission_seq, xml) VALUES (?, ?)");
    if (!xml.ok()) return xml.status();
    s = (*xml)->Bind(1, seq).BindBlob(2, sub.source_xml.data(), sub.source_xml.size()).Run();
    if (!s.ok()) return s;
  }
  return SubmissionOutcome::kCreated;
}

Result<std::vector<Referral>> Store::ListReferrals(const std::string& survey_id,
                                                   const std::vector<std::string>& institutions,
                                                   const std::string& from, const std::string& to) {
  // One institution at a time, so that each reads its own stretch of evaluations_referrals.
  auto st = Cached(
      "SELECT referred_by, count(*) FROM evaluations "
      "WHERE institution_id = ?1 AND completed_day >= ?2 AND completed_day <= ?3 "
      "AND referred_by IS NOT NULL AND survey_id = ?4 GROUP BY referred_by ORDER BY referred_by");
  if (!st.ok()) return st.status();
  Statement& q = **st;
  std::vector<Referral> out;
  for (const std::string& id : institutions) {
    ResetOnExit reset(q);
    q.Bind(1, id)
        .Bind(2, from.empty() ? std::string_view("0000-00-00") : std::string_view(from))
        .Bind(3, to.empty() ? std::string_view("9999-99-99") : std::string_view(to))
        .Bind(4, survey_id);
    while (q.Step()) out.push_back({q.Text(0), id, q.Int(1)});
    if (!q.status().ok()) return q.status();
  }
  return out;
}

Result<ProposalPage> Store::ListProposals(const ProposalQuery& q) {
  // A cursor names an evaluation: its interview's seq and its position in the interview.
  constexpr int64_t kPerInterview = int64_t{1} << 20;
  constexpr size_t kWords = 5;
  if (q.words.size() > kWords) return Status::InvalidParameter("at most 5 words in 'q'");
  // The proposal's text, and a word's place in it, in each engine's words.
  const std::string text = dialect_->JsonText("e.answers", "?1");
  const std::string find = dialect_->find_function;
  std::string sql =
      "SELECT seq, position, instance_id, institution_id, completed_at, text FROM ("
      "SELECT s.seq, e.position, s.instance_id, e.institution_id, s.completed_at, " +
      text +
      " AS text FROM evaluations e "
      "JOIN submissions s ON s.seq = e.submission_seq "
      "WHERE e.survey_id = ?2 AND (e.submission_seq > ?3 OR (e.submission_seq = ?3 AND "
      "e.position > ?4))";
  if (!q.institutions.empty()) {
    sql += " AND e.institution_id IN (";
    for (size_t i = 0; i < q.institutions.size(); ++i)
      sql += (i ? ",?" : "?") + std::to_string(5 + kWords + i);
    sql += ")";
  }
  sql += ") p WHERE text IS NOT NULL";
  for (size_t w = 0; w < kWords; ++w) {
    const std::string n = std::to_string(5 + w);
    sql += " AND (?" + n + " = '' OR " + find + "(lower(text), lower(?" + n + ")) > 0)";
  }
  sql += " ORDER BY seq, position LIMIT ?" + std::to_string(5 + kWords + q.institutions.size());
  auto st = db_->Prepare(sql);
  if (!st.ok()) return st.status();
  st->Bind(1, dialect_->JsonPath(q.item))
      .Bind(2, q.survey_id)
      .Bind(3, q.after / kPerInterview)
      .Bind(4, q.after % kPerInterview);
  int index = 5;
  for (size_t w = 0; w < kWords; ++w) {
    // An unused slot is '' (a null pointer would bind NULL, and NULL = '' is not true).
    st->Bind(index++, w < q.words.size() ? std::string_view(q.words[w]) : std::string_view(""));
  }
  for (const std::string& id : q.institutions) st->Bind(index++, id);
  st->Bind(index, static_cast<int64_t>(q.limit) + 1);
  ProposalPage page;
  int64_t last = 0;
  while (st->Step()) {
    if (static_cast<int>(page.items.size()) == q.limit) {
      page.next = last;
      break;
    }
    last = st->Int(0) * kPerInterview + st->Int(1);
    // Stored text is UTF-8 as it arrives; what an older server let in is repaired on the way out.
    page.items.push_back({st->Text(2), st->Text(3), st->Text(4), ToValidUtf8(st->TextView(5))});
  }
  if (!st->status().ok()) return st->status();
  return page;
}

Result<std::optional<std::string>> Store::SubmissionXml(const std::string& instance_id) {
  auto st = Cached(
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

Result<SubmissionPage> Store::ListSubmissions(const SubmissionQuery& q) {
#define PERCEPT_LIST_SUBMISSIONS(FIND)                                              \
  "SELECT s.seq, s.body, s.enumerator, s.review_state, s.flags FROM submissions s " \
  "LEFT JOIN tokens t ON t.name = s.enumerator "                                    \
  "WHERE s.survey_id = ?1 AND s.seq > ?2 AND (?3 = '' OR s.review_state = ?3) "     \
  "AND (?4 = '' OR s.enumerator = ?4) AND (?5 = '' OR t.team = ?5) "                \
  "AND (?6 = '' OR " FIND                                                           \
  "(',' || s.flags || ',', ',' || ?6 || ',') > 0) "                                 \
  "ORDER BY s.seq LIMIT ?7"
  auto st = Cached(Sql(PERCEPT_LIST_SUBMISSIONS("instr"), PERCEPT_LIST_SUBMISSIONS("strpos")));
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

Result<int64_t> Store::CountSubmissions() {
  auto st = db_->Prepare("SELECT count(*) FROM submissions");
  if (!st.ok()) return st.status();
  if (!st->Step()) return st->status();
  return st->Int(0);
}

}  // namespace percept
