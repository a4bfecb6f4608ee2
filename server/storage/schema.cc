#include "percept/storage/schema.h"

namespace percept {

namespace {

// Each entry migrates from version i to i+1. Never edit a published step: add one.
const char* const kMigrations[] = {
    // 0 -> 1
    R"sql(
CREATE TABLE institutions (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  comuna TEXT NOT NULL,
  region TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('enumerator', 'institution', 'analyst', 'admin')),
  hash BLOB NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE token_institutions (
  token_id INTEGER NOT NULL REFERENCES tokens(id),
  institution_id TEXT NOT NULL REFERENCES institutions(id),
  PRIMARY KEY (token_id, institution_id)
);
CREATE TABLE survey_versions (
  survey_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  sha256 BLOB NOT NULL,
  definition TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  PRIMARY KEY (survey_id, version)
);
CREATE TABLE submissions (
  seq INTEGER PRIMARY KEY,
  instance_id TEXT NOT NULL UNIQUE,
  content_sha256 BLOB NOT NULL,
  survey_id TEXT NOT NULL,
  survey_version INTEGER NOT NULL,
  device_id TEXT NOT NULL,
  enumerator TEXT NOT NULL,
  started_at TEXT NOT NULL,
  completed_at TEXT NOT NULL,
  completed_day TEXT NOT NULL,
  received_at TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX submissions_by_survey ON submissions (survey_id, seq);
CREATE TABLE evaluations (
  submission_seq INTEGER NOT NULL REFERENCES submissions(seq),
  position INTEGER NOT NULL,
  institution_id TEXT NOT NULL REFERENCES institutions(id),
  survey_id TEXT NOT NULL,
  survey_version INTEGER NOT NULL,
  completed_day TEXT NOT NULL,
  answers TEXT NOT NULL,
  likert BLOB NOT NULL,
  PRIMARY KEY (submission_seq, position)
) WITHOUT ROWID;
CREATE INDEX evaluations_by_institution ON evaluations (institution_id, completed_day);
CREATE TABLE aggregates (
  survey_id TEXT NOT NULL,
  survey_version INTEGER NOT NULL,
  institution_id TEXT NOT NULL,
  day TEXT NOT NULL,
  sums BLOB NOT NULL,
  PRIMARY KEY (survey_id, survey_version, institution_id, day)
) WITHOUT ROWID;
CREATE TABLE aggregate_log (
  seq INTEGER PRIMARY KEY,
  delta BLOB NOT NULL
);
CREATE TABLE sessions (
  hash BLOB PRIMARY KEY,
  token_id INTEGER NOT NULL REFERENCES tokens(id),
  created_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
    // 1 -> 2: the XForm instance an interview arrived as over OpenRosa, byte for byte.
    R"sql(
CREATE TABLE submission_xml (
  submission_seq INTEGER PRIMARY KEY REFERENCES submissions (seq),
  xml BLOB NOT NULL
);
)sql",
    // 2 -> 3: part (b) of docs/analytics.md. `facts` are an evaluation's indicator bytes
    // (EvaluationFacts), `referred_by` the institution that sent the family (circuits). Rows
    // stored before are NULL until `percept init` rebuilds the aggregates, which fills them.
    R"sql(
ALTER TABLE evaluations ADD COLUMN facts BLOB;
ALTER TABLE evaluations ADD COLUMN referred_by TEXT;
CREATE INDEX evaluations_referrals ON evaluations (institution_id, completed_day, referred_by)
  WHERE referred_by IS NOT NULL;
)sql",
    // 3 -> 4: supervision (docs/supervision.md). Tokens gain the supervisor role and a team
    // (SQLite cannot alter a CHECK: the table is rebuilt, with foreign keys off, see
    // Store::Migrate); interviews gain their review state, quality flags, household key and
    // the interview they replace; every review is kept.
    R"sql(
CREATE TABLE tokens_new (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL
    CHECK (role IN ('enumerator', 'institution', 'analyst', 'admin', 'supervisor')),
  hash BLOB NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  team TEXT
);
INSERT INTO tokens_new (id, name, role, hash, created_at, revoked_at)
  SELECT id, name, role, hash, created_at, revoked_at FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;
ALTER TABLE submissions ADD COLUMN review_state TEXT NOT NULL DEFAULT 'received';
ALTER TABLE submissions ADD COLUMN flags TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN household_key TEXT;
ALTER TABLE submissions ADD COLUMN replaces TEXT;
CREATE INDEX submissions_by_household ON submissions (survey_id, household_key)
  WHERE household_key IS NOT NULL;
CREATE INDEX submissions_by_enumerator ON submissions (enumerator, seq);
CREATE TABLE reviews (
  id INTEGER PRIMARY KEY,
  submission_seq INTEGER NOT NULL REFERENCES submissions (seq),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  comment TEXT NOT NULL
);
CREATE INDEX reviews_by_submission ON reviews (submission_seq, id);
)sql",
    // 4 -> 5: rate limits shared by the servers of one database (docs/storage.md, "Several
    // servers"). One server on SQLite never writes it; the table is kept alike on both engines.
    R"sql(
CREATE TABLE rate_spend (
  seq INTEGER PRIMARY KEY,
  server TEXT NOT NULL,
  caller TEXT NOT NULL,
  spent INTEGER NOT NULL,
  at INTEGER NOT NULL
);
)sql",
    // 5 -> 6: a .sav export counts its rows before the first (ReadStat writes the count in the
    // header): evaluations counted from an index of the survey's instead of the whole table
    // (0.13 s instead of 0.66 s at national scale), less the few interviews left out.
    R"sql(
CREATE INDEX evaluations_by_survey ON evaluations (survey_id, submission_seq);
CREATE INDEX submissions_excluded ON submissions (survey_id, completed_day)
  WHERE review_state IN ('rejected', 'deprecated');
)sql",
    // 6 -> 7: no query needs evaluations by institution and day any more (the scores come from
    // the aggregates; referrals read evaluations_referrals, proposals evaluations_by_survey), and
    // it was the index each commit wrote most: ~9 of ~29 pages per commit, one per institution
    // touched (docs/storage.md, "What a commit writes").
    "DROP INDEX evaluations_by_institution;",
    // 7 -> 8: a correction may reach the server before the interview it replaces (Collect sends
    // in any order after a dropped connection); each new interview asks whether one already
    // names it (docs/supervision.md, "Corrections"). The index holds only the corrections.
    "CREATE INDEX submissions_corrections ON submissions (replaces) WHERE replaces IS NOT NULL;",
    // 8 -> 9: the waves of a survey (docs/waves.md): named windows of fieldwork, never
    // overlapping within a survey, that scores, reports and exports can be asked for.
    R"sql(
CREATE TABLE waves (
  survey_id TEXT NOT NULL,
  id TEXT NOT NULL,
  label TEXT NOT NULL,
  from_day TEXT NOT NULL,
  to_day TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (survey_id, id)
);
)sql",
    // 9 -> 10: action plans (docs/plans.md): an institution's answer to a critical point of a
    // wave, its actions, its state, and every change of state with who made it.
    R"sql(
CREATE TABLE action_plans (
  id INTEGER PRIMARY KEY,
  survey_id TEXT NOT NULL,
  wave_id TEXT NOT NULL,
  institution_id TEXT NOT NULL REFERENCES institutions (id),
  target_kind TEXT NOT NULL,
  target_dimension TEXT NOT NULL,
  target_item TEXT NOT NULL,
  target_option TEXT NOT NULL,
  goal TEXT NOT NULL,
  target_value REAL,
  actions TEXT NOT NULL,
  state TEXT NOT NULL,
  first_submitted_at TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX action_plans_by_wave ON action_plans (survey_id, wave_id, institution_id);
CREATE TABLE action_plan_history (
  id INTEGER PRIMARY KEY,
  plan_id INTEGER NOT NULL REFERENCES action_plans (id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  comment TEXT NOT NULL
);
CREATE INDEX action_plan_history_by_plan ON action_plan_history (plan_id, id);
)sql",
};
constexpr int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kMigrationCount == kSchemaVersion, "one migration per schema version");

}  // namespace

// PostgreSQL's schema, in the same tables and columns as SQLite's at version 4: identities for
// the integer keys, bytea for blobs, bigint for integers that can grow.
const char* const kPostgresSchema4 = R"sql(
CREATE TABLE institutions (
  id text PRIMARY KEY,
  name text NOT NULL,
  type text NOT NULL,
  comuna text NOT NULL,
  region text NOT NULL,
  updated_at text NOT NULL
);
CREATE TABLE tokens (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  role text NOT NULL
    CHECK (role IN ('enumerator', 'institution', 'analyst', 'admin', 'supervisor')),
  hash bytea NOT NULL UNIQUE,
  created_at text NOT NULL,
  revoked_at text,
  team text
);
CREATE TABLE token_institutions (
  token_id bigint NOT NULL REFERENCES tokens(id),
  institution_id text NOT NULL REFERENCES institutions(id),
  PRIMARY KEY (token_id, institution_id)
);
CREATE TABLE survey_versions (
  survey_id text NOT NULL,
  version integer NOT NULL,
  sha256 bytea NOT NULL,
  definition text NOT NULL,
  first_seen text NOT NULL,
  PRIMARY KEY (survey_id, version)
);
CREATE TABLE submissions (
  seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  instance_id text NOT NULL UNIQUE,
  content_sha256 bytea NOT NULL,
  survey_id text NOT NULL,
  survey_version integer NOT NULL,
  device_id text NOT NULL,
  enumerator text NOT NULL,
  started_at text NOT NULL,
  completed_at text NOT NULL,
  completed_day text NOT NULL,
  received_at text NOT NULL,
  body text NOT NULL,
  review_state text NOT NULL DEFAULT 'received',
  flags text NOT NULL DEFAULT '',
  household_key text,
  replaces text
);
CREATE INDEX submissions_by_survey ON submissions (survey_id, seq);
CREATE INDEX submissions_by_household ON submissions (survey_id, household_key)
  WHERE household_key IS NOT NULL;
CREATE INDEX submissions_by_enumerator ON submissions (enumerator, seq);
-- The few interviews the scores leave out (/scores counts them on every call).
CREATE INDEX submissions_excluded ON submissions (survey_id, completed_day)
  WHERE review_state IN ('rejected', 'deprecated');
CREATE TABLE evaluations (
  submission_seq bigint NOT NULL REFERENCES submissions(seq),
  position integer NOT NULL,
  institution_id text NOT NULL REFERENCES institutions(id),
  survey_id text NOT NULL,
  survey_version integer NOT NULL,
  completed_day text NOT NULL,
  answers text NOT NULL,
  likert bytea NOT NULL,
  facts bytea,
  referred_by text,
  PRIMARY KEY (submission_seq, position)
);
CREATE INDEX evaluations_by_institution ON evaluations (institution_id, completed_day);
CREATE INDEX evaluations_referrals ON evaluations (institution_id, completed_day, referred_by)
  WHERE referred_by IS NOT NULL;
CREATE TABLE aggregates (
  survey_id text NOT NULL,
  survey_version integer NOT NULL,
  institution_id text NOT NULL,
  day text NOT NULL,
  sums bytea NOT NULL,
  PRIMARY KEY (survey_id, survey_version, institution_id, day)
);
-- Appended under an advisory lock held to commit, so that seq order is commit order: the
-- servers sharing the database follow the log by seq (docs/storage.md, "Several servers").
CREATE TABLE aggregate_log (
  seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  delta bytea NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sessions (
  hash bytea PRIMARY KEY,
  token_id bigint NOT NULL REFERENCES tokens(id),
  created_at text NOT NULL,
  expires_at bigint NOT NULL
);
CREATE TABLE audit (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  at text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  detail text NOT NULL
);
CREATE TABLE meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
CREATE TABLE submission_xml (
  submission_seq bigint PRIMARY KEY REFERENCES submissions (seq),
  xml bytea NOT NULL
);
CREATE TABLE reviews (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  submission_seq bigint NOT NULL REFERENCES submissions (seq),
  at text NOT NULL,
  actor text NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  comment text NOT NULL
);
CREATE INDEX reviews_by_submission ON reviews (submission_seq, id);
)sql";

const char* PostgresMigrationFrom(int version, int* to) {
  if (version == 0) {
    *to = 4;
    return kPostgresSchema4;
  }
  if (version == 4) {
    // As SQLite's 4 -> 5. Not UNLOGGED: a crash would restart its numbering under the servers'
    // feet.
    *to = 5;
    return R"sql(
CREATE TABLE rate_spend (
  seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  server text NOT NULL,
  caller text NOT NULL,
  spent integer NOT NULL,
  at bigint NOT NULL
);
)sql";
  }
  if (version == 5) {  // as SQLite's 5 -> 6; submissions_excluded has been there since 4
    *to = 6;
    return "CREATE INDEX evaluations_by_survey ON evaluations (survey_id, submission_seq);";
  }
  if (version == 6) {  // as SQLite's 6 -> 7
    *to = 7;
    return "DROP INDEX evaluations_by_institution;";
  }
  if (version == 7) {  // as SQLite's 7 -> 8
    *to = 8;
    return "CREATE INDEX submissions_corrections ON submissions (replaces) "
           "WHERE replaces IS NOT NULL;";
  }
  if (version == 8) {  // as SQLite's 8 -> 9
    *to = 9;
    return R"sql(
CREATE TABLE waves (
  survey_id text NOT NULL,
  id text NOT NULL,
  label text NOT NULL,
  from_day text NOT NULL,
  to_day text NOT NULL,
  created_at text NOT NULL,
  PRIMARY KEY (survey_id, id)
);
)sql";
  }
  if (version == 9) {  // as SQLite's 9 -> 10
    *to = 10;
    return R"sql(
CREATE TABLE action_plans (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  survey_id text NOT NULL,
  wave_id text NOT NULL,
  institution_id text NOT NULL REFERENCES institutions (id),
  target_kind text NOT NULL,
  target_dimension text NOT NULL,
  target_item text NOT NULL,
  target_option text NOT NULL,
  goal text NOT NULL,
  target_value double precision,
  actions text NOT NULL,
  state text NOT NULL,
  first_submitted_at text,
  created_by text NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL
);
CREATE INDEX action_plans_by_wave ON action_plans (survey_id, wave_id, institution_id);
CREATE TABLE action_plan_history (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  plan_id bigint NOT NULL REFERENCES action_plans (id),
  at text NOT NULL,
  actor text NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  comment text NOT NULL
);
CREATE INDEX action_plan_history_by_plan ON action_plan_history (plan_id, id);
)sql";
  }
  return nullptr;  // 10 is the last
}

const char* MigrationFrom(int version) {
  return version >= 0 && version < kMigrationCount ? kMigrations[version] : nullptr;
}

}  // namespace percept
