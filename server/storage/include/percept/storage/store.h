// Percept's SQLite storage: schema and migrations, institutions, tokens, submissions.
// docs/storage.md explains the tables and why they are shaped so.
//
// A Store owns one connection and is used by one thread at a time. The server keeps one Store
// for its writer thread and a small pool of Stores for readers (WAL lets them run together).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "percept/base/database.h"
#include "percept/base/status.h"
#include "percept/institutions.h"
#include "percept/storage/roles.h"
#include "percept/storage/dialect.h"
#include "percept/storage/schema.h"
#include "percept/submission.h"

namespace percept {

struct TokenRecord {
  int64_t id = 0;
  std::string name;
  Role role = Role::kEnumerator;
  std::string hash;  // SHA-256 of the token, 32 raw bytes
  std::string created_at;
  std::optional<std::string> revoked_at;
  std::vector<std::string> institutions;  // institution role: the institutions it may read
  std::string team;  // enumerators and supervisors (docs/supervision.md); empty: none
};

// What became of a submission: stored now, already stored with the same content (a retry), or
// its instance_id already stored with different content, or refused and not stored because it
// corrects an interview it may not replace (docs/supervision.md, "Corrections"). kFailed only
// from the writer, when the machine failed (the store itself returns a Status then); the tablet
// simply retries.
enum class SubmissionOutcome { kCreated, kDuplicate, kConflict, kBadCorrection, kFailed };

// Why a submission with `outcome` was not taken, in the contract's error shape; Ok for created
// and duplicate. The one wording of these refusals for JSON and OpenRosa alike.
Status OutcomeStatus(SubmissionOutcome outcome, const std::string& instance_id);

// One line of the audit trail: who did what, and when. Never a token or an answer.
struct AuditEntry {
  std::string at, actor, action, detail;
};

struct SubmissionPage {
  std::vector<std::string> items;  // stored submissions, JSON text
  std::optional<int64_t> next;     // cursor for the next page; none at the end
  // Per item (docs/supervision.md): who sent it, its review state, its quality flags.
  std::vector<std::string> enumerators, review_states;
  std::vector<std::vector<std::string>> flags;
};
// Which stored interviews to list; empty filters take everything.
struct SubmissionQuery {
  std::string survey_id;
  int64_t after = 0;
  int limit = 100;
  std::string review_state, flag, enumerator;
  std::string team;  // a supervisor's: its team's enumerators only
};

// One family's proposal about one institution (docs/analytics.md, part (b)).
struct Proposal {
  std::string instance_id, institution_id, completed_at, text;
};
struct ProposalQuery {
  std::string survey_id;
  std::string item;                       // the definition's proposal item
  std::vector<std::string> institutions;  // empty: every institution
  std::vector<std::string> words;         // each must appear (case-insensitive for ASCII)
  int64_t after = 0;                      // cursor
  int limit = 100;
};
struct ProposalPage {
  std::vector<Proposal> items;
  std::optional<int64_t> next;
};

// A referral edge of the circuits (docs/analytics.md, part (b)): how many evaluations of `to`
// say `from` sent the family.
struct Referral {
  std::string from, to;
  int64_t n = 0;
};

// Quality flags as stored in submissions.flags: comma-separated names.
std::vector<std::string> SplitFlags(std::string_view text);

// What supervision needs to know of one stored interview (docs/supervision.md).
struct InterviewInfo {
  int64_t seq = 0;
  std::string instance_id, survey_id, enumerator;
  std::string team;  // the enumerator's token's team; empty: none
  std::string review_state;
  std::vector<std::string> flags;
  std::string completed_at, started_at;
};
// One change of an interview's review state.
struct ReviewRecord {
  std::string at, actor, from, to, comment;
};

class Store {
 public:
  // Opens the database file (`create` allows a new one), or the PostgreSQL database of a
  // postgresql:// URL (docs/storage.md, "Backends"). Does not migrate: see Migrate().
  static Result<std::unique_ptr<Store>> Open(const std::string& path, bool create);

  // Brings the schema to kSchemaVersion; idempotent. Refuses a database newer than this build.
  Status Migrate();
  // Fails unless the schema is exactly kSchemaVersion (a server never migrates silently).
  Status CheckSchema();

  // Institutions: insert or update by id, all in one transaction.
  Status UpsertInstitutions(const std::vector<Institution>& institutions);
  Result<std::vector<Institution>> ListInstitutions();
  Result<std::optional<Institution>> FindInstitution(const std::string& id);

  Status CreateToken(const std::string& name, Role role, const std::string& hash,
                     const std::vector<std::string>& institutions, const std::string& team = "");
  Result<std::vector<TokenRecord>> ListTokens();
  // NotFound when no active token has that name.
  Status RevokeToken(const std::string& name);
  // The active (not revoked) token with this hash, if any.
  Result<std::optional<TokenRecord>> FindActiveToken(const std::string& hash);

  // Browser sessions (the report pages): stored by the SHA-256 of the cookie's value.
  Status CreateSession(const std::string& hash, int64_t token_id, int64_t expires_at);
  // The active token behind an unexpired session, if any.
  Result<std::optional<TokenRecord>> FindSessionToken(const std::string& hash, int64_t now);
  // Ends that session (and clears expired ones).
  Status DeleteSession(const std::string& hash);

  // Records a published definition; Conflict when (id, version) was published with other content.
  Status RegisterSurveyVersion(const std::string& id, int version, const std::string& json);

  // Inserts one valid submission inside the caller's transaction. The UNIQUE instance_id decides
  // between created / duplicate (same content hash) / conflict (other content).
  Result<SubmissionOutcome> InsertSubmission(const ValidSubmission& sub,
                                             const std::string& enumerator,
                                             const std::string& received_at);
  Result<SubmissionPage> ListSubmissions(const SubmissionQuery& q);
  // Proposals in the order they were stored, a page at a time.
  Result<ProposalPage> ListProposals(const ProposalQuery& q);
  // Referrals into `institutions` in survey `survey_id` (every version), completed between
  // `from` and `to` (YYYY-MM-DD; empty: unbounded), by (from, to).
  Result<std::vector<Referral>> ListReferrals(const std::string& survey_id,
                                              const std::vector<std::string>& institutions,
                                              const std::string& from, const std::string& to);
  // The XForm instance an interview arrived as over OpenRosa, byte for byte; nullopt when it
  // came as JSON or is unknown.
  Result<std::optional<std::string>> SubmissionXml(const std::string& instance_id);
  Result<int64_t> CountSubmissions();

  // Supervision (docs/supervision.md).
  Result<std::optional<InterviewInfo>> FindInterview(const std::string& instance_id);
  // The instance_id of a stored correction of `instance_id` sent by `enumerator` for
  // `survey_id` (one that arrived before the interview it replaces), if any.
  Result<std::optional<std::string>> FindEarlyCorrection(const std::string& instance_id,
                                                         const std::string& enumerator,
                                                         const std::string& survey_id);
  Status SetReviewState(int64_t seq, const std::string& state);
  Status AddReview(int64_t seq, const std::string& actor, const std::string& from,
                   const std::string& to, const std::string& comment);
  Result<std::vector<ReviewRecord>> ListReviews(int64_t seq);
  // Interviews of `survey_id` completed in [from, to] (empty: unbounded) that a supervisor
  // rejected or a correction replaced: what the scores leave out.
  Result<int64_t> CountExcluded(const std::string& survey_id, const std::string& from,
                                const std::string& to);
  // The stored interview (its JSON) at `seq`.
  Result<std::string> SubmissionBody(int64_t seq);

  // The audit trail (`percept audit`).
  Status Audit(const std::string& actor, const std::string& action, const std::string& detail);
  // The latest `limit` entries at or after `since` (RFC 3339 or a date; "" for all), oldest first.
  Result<std::vector<AuditEntry>> ListAudit(int64_t limit, const std::string& since);

  // Small named values (e.g. the aggregates generation); "" when unset.
  Result<std::string> GetMeta(const std::string& key);
  Status SetMeta(const std::string& key, const std::string& value);
  // Every published definition, by (survey id, version), as JSON text.
  Result<std::map<std::pair<std::string, int>, std::string>> ListSurveyVersions();

  Database* db() { return db_.get(); }
  // What this database's engine spells differently and can do (dialect.h).
  const Dialect& dialect() const { return *dialect_; }
  // `sqlite`, or on PostgreSQL `postgres`: the one statement in each engine's words, where they
  // differ (docs/storage.md, "Backends"). Both must be constants (Cached keys on the text).
  const char* Sql(const char* sqlite, const char* postgres_sql) const {
    return dialect_->Pick(sqlite, postgres_sql);
  }
  // Runs `read` in one read-only transaction: every statement in it sees the same snapshot of
  // the database, however long it takes and whatever is written meanwhile.
  Status InSnapshot(const std::function<Status()>& read);
  // A statement that PostgreSQL cannot prepare (SAVEPOINT, ROLLBACK TO, RELEASE): cached on
  // SQLite, executed as text on PostgreSQL.
  Status RunUtility(const char* sql);

  // The statement for `sql`, prepared on first use and kept for this connection's life, reset
  // and with no bindings. `sql` must be a constant: the cache is keyed by its text.
  Result<Statement*> Cached(const char* sql);

 private:
  explicit Store(std::unique_ptr<Database> db)
      : db_(std::move(db)), dialect_(&DialectOf(db_->backend())) {}
  std::unique_ptr<Database> db_;
  const Dialect* dialect_;
  std::map<const char*, Statement> cache_;  // after db_: finalized before the connection closes
};

// Reads the rows of `SELECT id, name, role, hash, created_at, institution_id` (one row per
// institution of one token, joined) into that token, if there is a row.
Result<std::optional<TokenRecord>> ReadTokenRows(Statement& q);

// Current UTC time as RFC 3339, e.g. 2026-11-22T20:43:19Z.
std::string NowRfc3339();

}  // namespace percept
