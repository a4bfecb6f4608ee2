// Storage: schema, tokens, idempotent submissions, and group commit under concurrency, on
// SQLite and on PostgreSQL (docs/storage.md, "Backends"): each case runs once per backend.
#include "percept/storage/store.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <thread>

#include "percept/base/crypto.h"
#include "percept/base/uuid.h"
#include "percept/http/auth.h"
#include "percept/storage/aggregate_tables.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/institution_records.h"
#include "percept/storage/plan_records.h"
#include "percept/storage/rate_spend.h"
#include "percept/storage/reviews.h"
#include "percept/storage/schema_shape.h"
#include "percept/storage/submission_records.h"
#include "percept/storage/submission_writer.h"
#include "percept/storage/token_records.h"
#include "percept/storage/waves.h"
#include "percept/submission.h"
#include "pg_cluster.h"
#include "test_support.h"

using namespace percept;
using nlohmann::json;
using percept::testing::TempPath;

namespace {

// A new empty database of `backend` ("sqlite": a file in the build tree; "postgres": a new
// database on the tests' PostgreSQL server).
std::string NewDatabase(const std::string& backend, const std::string& name) {
  return backend == "postgres" ? percept::testing::FreshPostgresDatabase() : TempPath(name);
}

std::unique_ptr<Store> MemoryStore(const std::string& backend) {
  auto s = Store::Open(backend == "postgres" ? NewDatabase(backend, "") : ":memory:", true);
  REQUIRE(s.ok());
  REQUIRE((*s)->Migrate().ok());
  REQUIRE(UpsertInstitutions(**s, {{"cesfam-tal-1", "CESFAM Los Cerros", "cesfam", "8110", "8"},
                                   {"omil-tal", "OMIL Talcahuano", "omil", "8110", "8"}})
              .ok());
  return std::move(s).value();
}

ValidSubmission Sub(const std::string& id, const std::string& body = "{}") {
  ValidSubmission v;
  v.instance_id = id;
  v.survey_id = "chs-perception";
  v.survey_version = 1;
  v.device_id = "tab-1";
  v.started_at = "2026-11-20T14:03:00-03:00";
  v.completed_at = "2026-11-20T14:41:12-03:00";
  v.completed_day = "2026-11-20";
  v.evaluations = {{"cesfam-tal-1", "{\"overall\":5}", {}, "", ""},
                   {"omil-tal", "{\"overall\":3}", {}, "", ""}};
  v.canonical_json = body;
  return v;
}

SubmissionQuery Query(int64_t after, int limit) {
  SubmissionQuery q;
  q.survey_id = "chs-perception";
  q.after = after;
  q.limit = limit;
  return q;
}

int64_t Count(Store& store, const char* table) {
  auto st = store.db()->Prepare(std::string("SELECT count(*) FROM ") + table);
  REQUIRE(st.ok());
  REQUIRE(st->Step());
  return st->Int(0);
}

}  // namespace

TEST_CASE("init migrates to the current schema and is idempotent", "[unit][pg]") {
  auto store = MemoryStore(GENERATE(as<std::string>{}, "sqlite", "postgres"));
  CHECK(store->db()->UserVersion() == kSchemaVersion);
  CHECK(store->Migrate().ok());
  CHECK(store->CheckSchema().ok());
}

TEST_CASE("a database newer than the program is refused, not damaged", "[unit][pg]") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgres");
  auto s = Store::Open(backend == "postgres" ? NewDatabase(backend, "") : ":memory:", true);
  REQUIRE(s.ok());
  REQUIRE((*s)->db()->SetUserVersion(kSchemaVersion + 1).ok());
  CHECK_FALSE((*s)->Migrate().ok());
  CHECK_FALSE((*s)->CheckSchema().ok());
}

TEST_CASE("a resubmitted identical interview is a duplicate, not a new row", "[unit][pg]") {
  auto store = MemoryStore(GENERATE(as<std::string>{}, "sqlite", "postgres"));
  auto first = InsertSubmission(*store, Sub("id-1", "{\"a\":1}"), "tab-1", "t");
  auto again = InsertSubmission(*store, Sub("id-1", "{\"a\":1}"), "tab-1", "t");
  REQUIRE(first.ok());
  REQUIRE(again.ok());
  CHECK(*first == SubmissionOutcome::kCreated);
  CHECK(*again == SubmissionOutcome::kDuplicate);
  CHECK(Count(*store, "submissions") == 1);
  CHECK(Count(*store, "evaluations") == 2);
}

TEST_CASE("the same instance_id with other content is a conflict and changes nothing",
          "[unit][pg]") {
  auto store = MemoryStore(GENERATE(as<std::string>{}, "sqlite", "postgres"));
  REQUIRE(*InsertSubmission(*store, Sub("id-1", "{\"a\":1}"), "tab-1", "t") ==
          SubmissionOutcome::kCreated);
  auto changed = InsertSubmission(*store, Sub("id-1", "{\"a\":2}"), "tab-1", "t");
  REQUIRE(changed.ok());
  CHECK(*changed == SubmissionOutcome::kConflict);
  auto page = ListSubmissions(*store, Query(0, 10));
  REQUIRE(page.ok());
  CHECK(page->items == std::vector<std::string>{"{\"a\":1}"});
}

TEST_CASE("submissions are listed in pages with a cursor", "[unit][pg]") {
  auto store = MemoryStore(GENERATE(as<std::string>{}, "sqlite", "postgres"));
  for (int i = 0; i < 5; ++i) {
    REQUIRE(InsertSubmission(*store,
                             Sub("id-" + std::to_string(i), "{\"i\":" + std::to_string(i) + "}"),
                             "t", "t")
                .ok());
  }
  auto p1 = ListSubmissions(*store, Query(0, 2));
  REQUIRE(p1.ok());
  CHECK(p1->items.size() == 2);
  REQUIRE(p1->next);
  auto p2 = ListSubmissions(*store, Query(*p1->next, 2));
  auto p3 = ListSubmissions(*store, Query(*p2->next, 2));
  CHECK(p2->items == std::vector<std::string>{"{\"i\":2}", "{\"i\":3}"});
  CHECK(p3->items == std::vector<std::string>{"{\"i\":4}"});
  CHECK_FALSE(p3->next);
}

TEST_CASE("tokens are stored only as hashes, found by hash, and revoked by name", "[unit][pg]") {
  auto store = MemoryStore(GENERATE(as<std::string>{}, "sqlite", "postgres"));
  std::string token = NewToken();
  CHECK(token.size() == 4 + 43);
  CHECK(token != NewToken());
  REQUIRE(
      CreateToken(*store, "cesfam-staff", Role::kInstitution, TokenHash(token), {"cesfam-tal-1"})
          .ok());
  auto st = store->db()->Prepare("SELECT count(*) FROM tokens WHERE hash = ?");
  REQUIRE(st.ok());
  st->Bind(1, token);
  REQUIRE(st->Step());
  CHECK(st->Int(0) == 0);  // the token itself is nowhere

  auto found = FindActiveToken(*store, TokenHash(token));
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->role == Role::kInstitution);
  CHECK((*found)->institutions == std::vector<std::string>{"cesfam-tal-1"});

  CHECK(CreateToken(*store, "cesfam-staff", Role::kAnalyst, TokenHash(NewToken()), {}).code() ==
        StatusCode::kConflict);
  CHECK(CreateToken(*store, "x", Role::kInstitution, TokenHash(NewToken()), {"nowhere"}).code() ==
        StatusCode::kNotFound);
  REQUIRE(RevokeToken(*store, "cesfam-staff").ok());
  CHECK(RevokeToken(*store, "cesfam-staff").code() == StatusCode::kNotFound);
  auto gone = FindActiveToken(*store, TokenHash(token));
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->has_value());
}

TEST_CASE("a published survey version cannot change its content", "[unit][pg]") {
  auto store = MemoryStore(GENERATE(as<std::string>{}, "sqlite", "postgres"));
  CHECK(RegisterSurveyVersion(*store, "s", 1, "{\"a\":1}").ok());
  CHECK(RegisterSurveyVersion(*store, "s", 1, "{\"a\":1}").ok());
  CHECK(RegisterSurveyVersion(*store, "s", 1, "{\"a\":2}").code() == StatusCode::kConflict);
  CHECK(RegisterSurveyVersion(*store, "s", 2, "{\"a\":2}").ok());
}

TEST_CASE("group commit: concurrent writers each get their own outcome, every row stored once",
          "[unit][pg]") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgres");
  std::string path = NewDatabase(backend, "group-commit-test.db");
  {
    auto s = Store::Open(path, true);
    REQUIRE(s.ok());
    REQUIRE((*s)->Migrate().ok());
    REQUIRE(UpsertInstitutions(**s, {{"cesfam-tal-1", "C", "cesfam", "8110", "8"},
                                     {"omil-tal", "O", "omil", "8110", "8"}})
                .ok());
  }
  auto ws = Store::Open(path, false);
  REQUIRE(ws.ok());
  SubmissionWriter writer(std::move(ws).value());
  constexpr int kThreads = 8, kEach = 100;
  std::atomic<int> created{0}, duplicate{0}, conflict{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Threads 0-3 and 4-7 send the same ids: each pair races on every submission;
        // odd threads change the content of every tenth one.
        int id = (t % 4) * kEach + i;
        std::string body = "{\"n\":" + std::to_string(id) +
                           (t % 2 == 1 && i % 10 == 0 && t >= 4 ? ",\"x\":1}" : "}");
        ValidSubmission sub = Sub("id-" + std::to_string(id), body);
        auto out = writer.Write({&sub}, "tab-" + std::to_string(t)).at(0);
        (out == SubmissionOutcome::kCreated     ? created
         : out == SubmissionOutcome::kDuplicate ? duplicate
         : out == SubmissionOutcome::kConflict  ? conflict
                                                : failed)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  writer.Stop();
  CHECK(created == 4 * kEach);
  CHECK(failed == 0);
  CHECK(conflict == 2 * kEach / 10);  // threads 5 and 7 changed 10 ids each, racing an original
  CHECK(duplicate + conflict == 4 * kEach);
  CHECK(writer.stats().transactions < writer.stats().submissions);  // commits were shared
  auto check = Store::Open(path, false);
  REQUIRE(check.ok());
  CHECK(Count(**check, "submissions") == 4 * kEach);
  CHECK(Count(**check, "evaluations") == 2 * 4 * kEach);
}

TEST_CASE("after Stop the writer refuses new work instead of losing it silently", "[unit]") {
  auto ws = Store::Open(":memory:", true);
  REQUIRE(ws.ok());
  REQUIRE((*ws)->Migrate().ok());
  SubmissionWriter writer(std::move(ws).value());
  writer.Stop();
  ValidSubmission sub = Sub("id-1");
  CHECK(writer.Write({&sub}, "t").at(0) == SubmissionOutcome::kFailed);
}

TEST_CASE("an aggregate delta survives its compact encoding, negative sums included", "[unit]") {
  AggregateDelta delta;
  delta[{"chs-perception", 1, "cesfam-tal-1", "2026-11-20"}] = {0,   1,       -1,           127,
                                                                128, -300000, INT64_MAX / 4};
  delta[{"chs-perception", 2, "omil-tal", "2026-11-21"}] = {5, 6};
  auto back = DecodeDelta(EncodeDelta(delta));
  REQUIRE(back.ok());
  CHECK(*back == delta);
  CHECK_FALSE(DecodeDelta(EncodeDelta(delta).substr(0, 10)).ok());
}

TEST_CASE("a row whose interviews all left is deleted, as a rebuild would never write it",
          "[unit][pg]") {
  auto store = MemoryStore(GENERATE(as<std::string>{}, "sqlite", "postgres"));
  REQUIRE(RegisterAggregateFunctions(store->db()).ok());
  const AggregateKey alone{"chs-perception", 2, "cesfam-tal-1", "2026-11-20"};
  const AggregateKey kept{"chs-perception", 2, "omil-tal", "2026-11-20"};
  AggregateDelta in, out;
  in[alone] = {1, 5, 25, 0};
  in[kept] = {2, 7, 29, 1};
  out[alone] = {-1, -5, -25, 0};  // its only interview rejected
  out[kept] = {-1, -3, -9, 0};    // one of two rejected
  REQUIRE(WriteAggregates(*store, in).ok());
  CHECK(Count(*store, "aggregates") == 2);
  REQUIRE(WriteAggregates(*store, out).ok());
  CHECK(Count(*store, "aggregates") == 1);
  auto st = store->db()->Prepare("SELECT institution_id, sums FROM aggregates");
  REQUIRE(st.ok());
  REQUIRE(st->Step());
  CHECK(st->Text(0) == "omil-tal");
  CHECK(SumsFromBlob(st->BlobView(1)) == std::vector<int64_t>{1, 4, 20, 1});
  // Taken in again (an admin's undo), the row comes back.
  AggregateDelta back;
  back[alone] = {1, 5, 25, 0};
  REQUIRE(WriteAggregates(*store, back).ok());
  CHECK(Count(*store, "aggregates") == 2);
}

TEST_CASE("rate spend: each server reads the others' rows once and never its own", "[unit][pg]") {
  auto store = MemoryStore(GENERATE(as<std::string>{}, "sqlite", "postgres"));
  int64_t seen_a = 0, seen_b = 0;
  auto a =
      ExchangeSpend(*store, "server-a", {{"token:tab-1", 3}, {"address:10.0.0.7", 1}}, &seen_a);
  REQUIRE(a.ok());
  CHECK(a->empty());  // nothing from anyone else yet, and not its own
  auto b = ExchangeSpend(*store, "server-b", {{"token:tab-1", 2}}, &seen_b);
  REQUIRE(b.ok());
  REQUIRE(b->size() == 2);
  CHECK((*b)[0].caller == "token:tab-1");
  CHECK((*b)[0].spent == 3);
  CHECK((*b)[1].caller == "address:10.0.0.7");
  a = ExchangeSpend(*store, "server-a", {}, &seen_a);
  REQUIRE(a.ok());
  REQUIRE(a->size() == 1);
  CHECK((*a)[0].spent == 2);
  // Read once: the next exchanges bring nothing new.
  CHECK(ExchangeSpend(*store, "server-a", {}, &seen_a)->empty());
  CHECK(ExchangeSpend(*store, "server-b", {}, &seen_b)->empty());
}

TEST_CASE("a snapshot read does not see what another connection commits meanwhile", "[unit][pg]") {
  // What a .sav export relies on: its row count, read first, and its rows agree while tablets
  // sync (server/reports/exports.cc).
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgres");
  const std::string path = NewDatabase(backend, "snapshot-test.db");
  auto reader = Store::Open(path, true);
  REQUIRE(reader.ok());
  REQUIRE((*reader)->Migrate().ok());
  REQUIRE(UpsertInstitutions(**reader, {{"cesfam-tal-1", "C", "cesfam", "8110", "8"},
                                        {"omil-tal", "O", "omil", "8110", "8"}})
              .ok());
  auto writer = Store::Open(path, false);
  REQUIRE(writer.ok());
  auto insert = [&](const std::string& id) {
    Transaction tx((*writer)->db());
    REQUIRE(InsertSubmission(**writer, Sub(id, "{\"id\":\"" + id + "\"}"), "tab-1", "t").ok());
    REQUIRE(tx.Commit().ok());
  };
  insert("before");
  int64_t first = -1, second = -1;
  Status s = (*reader)->InSnapshot([&] {
    first = Count(**reader, "evaluations");
    insert("meanwhile");
    second = Count(**reader, "evaluations");
    return Status::Ok();
  });
  REQUIRE(s.ok());
  CHECK(first == 2);
  CHECK(second == 2);
  CHECK(Count(**reader, "evaluations") == 4);  // and after it, the new interview is there
}

namespace {

// The demo survey definitions and institutions, as the server loads them.
const SurveyCatalog& Definitions() {
  static const SurveyCatalog catalog = [] {
    auto c = SurveyCatalog::LoadDirectory(percept::testing::SourcePath("survey_defs"));
    REQUIRE(c.ok());
    return std::move(c).value();
  }();
  return catalog;
}

class DemoNetwork : public InstitutionLookup {
 public:
  bool Exists(const std::string& id) const override {
    return id == "cesfam-tal-1" || id == "omil-tal" || id == "uif-tal";
  }
};

// Each enumerator's inputs as compared: the minutes sorted (their order is the reads').
std::string Described(std::vector<EnumeratorInput> inputs) {
  std::string out;
  for (EnumeratorInput& in : inputs) {
    std::sort(in.minutes_per_evaluation.begin(), in.minutes_per_evaluation.end());
    out += in.enumerator + "/" + in.team + " " + std::to_string(in.interviews) + " [";
    for (double m : in.minutes_per_evaluation) out += std::to_string(m) + " ";
    out += "] flags";
    for (const auto& [f, n] : in.flags) out += " " + f + "=" + std::to_string(n);
    out += " days";
    for (const auto& [d, n] : in.per_day) out += " " + d + "=" + std::to_string(n);
    out += " overall";
    for (const auto& [i, m] : in.overall)
      out += " " + i + ":" + std::to_string(m.n) + "," + std::to_string(m.sum) + "," +
             std::to_string(m.sum_sq);
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("the enumerator summary kept by what changed equals a read of everything", "[unit]") {
  const std::string path = TempPath("enumerator-follow-test.db");
  std::remove(path.c_str());
  {
    auto s = Store::Open(path, true);
    REQUIRE(s.ok());
    REQUIRE((*s)->Migrate().ok());
    REQUIRE(UpsertInstitutions(**s, {{"cesfam-tal-1", "C", "cesfam", "8110", "8"},
                                     {"omil-tal", "O", "omil", "8110", "8"},
                                     {"uif-tal", "U", "uif", "8110", "8"}})
                .ok());
    for (const char* name : {"enc-a", "enc-b", "enc-c"})
      REQUIRE(CreateToken(**s, name, Role::kEnumerator, Sha256(name), {}, "norte").ok());
  }
  Aggregates aggregates(Definitions().All());
  auto ws = Store::Open(path, false);
  REQUIRE(ws.ok());
  REQUIRE(aggregates.Load(**ws).ok());
  SubmissionWriter writer(std::move(ws).value(), &aggregates);
  auto reader = Store::Open(path, false);
  REQUIRE(reader.ok());
  static const DemoNetwork network;
  std::mt19937_64 rng(33);
  auto send = [&](const std::string& enumerator, json doc) {
    auto sub = ValidateSubmission(doc, Definitions(), network);
    REQUIRE(sub.ok());
    sub->flags = QualityFlags(*sub, 1795000000, QualityOptions{});
    REQUIRE(writer.Write({&sub.value()}, enumerator).at(0) == SubmissionOutcome::kCreated);
  };
  auto interview = [&](unsigned seed) {
    json doc = percept::testing::DemoInterview(
        RandomUuid(rng), {"cesfam-tal-1", seed % 2 ? "omil-tal" : "uif-tal"}, seed);
    const std::string day = "2026-11-" + std::to_string(10 + seed % 9);
    doc["started_at"] = day + "T14:03:00-03:00";
    doc["completed_at"] = day + "T14:4" + std::to_string(seed % 10) + ":12-03:00";
    return doc;
  };
  EnumeratorFollow follow;
  auto same = [&] {
    REQUIRE(FollowEnumeratorInputs(**reader, aggregates, "chs-perception", &follow).ok());
    CHECK(follow.whole);
    std::vector<EnumeratorInput> kept;
    for (const auto& [name, in] : follow.by_name) kept.push_back(in);
    auto all = ReadEnumeratorInputs(**reader, aggregates, "chs-perception", "");
    REQUIRE(all.ok());
    CHECK(Described(kept) == Described(*all));
    return Described(kept);
  };
  std::vector<json> sent;
  for (unsigned i = 0; i < 12; ++i) {
    sent.push_back(interview(i));
    send(i % 3 == 0 ? "enc-a" : i % 3 == 1 ? "enc-b" : "enc-c", sent.back());
  }
  const std::string first = same();
  CHECK(first.find("enc-a/norte 4") != std::string::npos);
  // More interviews; a correction of one of enc-a's; one that arrives before its original.
  for (unsigned i = 12; i < 16; ++i) send("enc-b", interview(i));
  json correction = interview(20);
  correction["deprecated_id"] = sent[0]["instance_id"];
  send("enc-a", correction);
  json original = interview(21), early = interview(22);
  early["deprecated_id"] = original["instance_id"];
  send("enc-c", early);
  send("enc-c", original);
  same();
  // An admin brings the deprecated one back.
  REQUIRE(writer
              .RunExclusive([&](Store& store) {
                Transaction tx(store.db());
                AggregateDelta delta;
                auto done =
                    ChangeReviewState(store, &aggregates, sent[0]["instance_id"].get<std::string>(),
                                      "received", "jefa", "", &delta, ReviewAuthority::kAdmin);
                if (!done.ok()) return done.status();
                Status s = AppendAggregateLog(store, delta);
                if (s.ok()) s = tx.Commit();
                if (s.ok()) aggregates.Apply(delta);
                return s;
              })
              .ok());
  const std::string undone = same();
  CHECK(undone.find("enc-a/norte 5") != std::string::npos);
  // A follow that missed an interview says so, and is then started again.
  follow.counted -= 1;
  REQUIRE(FollowEnumeratorInputs(**reader, aggregates, "chs-perception", &follow).ok());
  CHECK_FALSE(follow.whole);
  writer.Stop();
}

TEST_CASE("both backends' migrations build the same tables, columns and indexes", "[unit][pg]") {
  auto lite = MemoryStore("sqlite");
  auto pg = MemoryStore("postgres");
  auto a = ReadSchemaShape(*lite);
  auto b = ReadSchemaShape(*pg);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  // Two differences are meant, and nothing else may differ: where the schema's version is kept
  // (SQLite: its header's user_version; PostgreSQL: a table of its own), and the time of each
  // aggregate log row, by which several PostgreSQL servers know what all of them have read
  // (docs/storage.md, "Several servers").
  std::map<std::string, std::set<std::string>> pg_columns = b->columns;
  pg_columns.erase("percept_schema");
  CHECK(pg_columns["aggregate_log"].erase("at") == 1);
  CHECK(a->columns.size() >= 14);
  for (const auto& [table, columns] : a->columns) {
    INFO("table " << table);
    CHECK(pg_columns.count(table) == 1);
    CHECK(columns == pg_columns[table]);
  }
  for (const auto& [table, columns] : pg_columns) {
    INFO("table " << table);
    CHECK(a->columns.count(table) == 1);
  }
  CHECK(a->indexes.size() >= 8);
  CHECK(a->indexes == b->indexes);
}

TEST_CASE("each engine's dialect reads a JSON field and finds a word in its own words",
          "[unit][pg]") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgres");
  auto store = MemoryStore(backend);
  const Dialect& d = store->dialect();
  CHECK(d.shared_by_servers == (backend == "postgres"));
  CHECK(d.sums_in_sql == (backend == "sqlite"));
  auto st = store->db()->Prepare("SELECT " + d.JsonText("doc", "?1") + ", " + d.find_function +
                                 "(doc, ?2) FROM (SELECT '{\"proposal\":\"más horas\"}' AS doc) t");
  REQUIRE(st.ok());
  st->Bind(1, d.JsonPath("proposal")).Bind(2, "horas");
  REQUIRE(st->Step());
  CHECK(st->Text(0) == "más horas");
  CHECK(st->Int(1) > 0);
  // The snapshot a long read runs in opens and closes on both.
  int64_t seen = -1;
  REQUIRE(store
              ->InSnapshot([&] {
                seen = Count(*store, "institutions");
                return Status::Ok();
              })
              .ok());
  CHECK(seen == 2);
}

TEST_CASE("a household seen again in the same wave is a duplicate, in the next wave the panel",
          "[unit][pg]") {
  auto store = MemoryStore(GENERATE(as<std::string>{}, "sqlite", "postgres"));
  REQUIRE(CreateWave(*store, {"chs-perception", "2026-2", "", "2026-11-01", "2026-11-30"}).ok());
  REQUIRE(CreateWave(*store, {"chs-perception", "2026-3", "", "2026-12-01", "2026-12-31"}).ok());
  auto visit = [&](const std::string& id, const std::string& household, const std::string& day) {
    ValidSubmission s = Sub(id, "{\"id\":\"" + id + "\"}");
    s.household_key = household;
    s.completed_day = day;
    REQUIRE(*InsertSubmission(*store, s, "tab-1", "t") == SubmissionOutcome::kCreated);
    auto found = FindInterview(*store, id);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    const auto& flags = (*found)->flags;
    return std::find(flags.begin(), flags.end(), "duplicate_household") != flags.end();
  };
  CHECK_FALSE(visit("h1-nov", "h1", "2026-11-20"));
  // Fifteen days later, but in the next wave: the panel, not a duplicate (the 120-day rule alone
  // would have flagged it).
  CHECK_FALSE(visit("h1-dec", "h1", "2026-12-05"));
  CHECK(visit("h1-dec-again", "h1", "2026-12-28"));  // the same wave twice
  // Outside every wave, the 120-day rule as before.
  CHECK_FALSE(visit("h2-feb", "h2", "2027-02-01"));
  CHECK(visit("h2-mar", "h2", "2027-03-01"));
  CHECK_FALSE(visit("h2-dec", "h2", "2026-12-10"));  // in a wave without h2 in it
}

TEST_CASE("the mirror says when a window's sums last moved, day by day", "[unit]") {
  // What TrendService keeps a closed wave by: a change to another wave's days leaves it.
  Aggregates aggregates(Definitions().All());
  const SurveyDefinition* def = Definitions().Latest("chs-perception");
  REQUIRE(def);
  const std::vector<int64_t> one(aggregates.Width(def->id, def->version), 1);
  auto touch = [&](const std::string& day) {
    aggregates.Apply({{AggregateKey{def->id, def->version, "cesfam-tal-1", day}, one}});
    return aggregates.changes();
  };
  const uint64_t start = aggregates.LastChange(def->id, "", "");
  const uint64_t march = touch("2027-03-10");
  const uint64_t september = touch("2027-09-05");
  CHECK(september > march);
  CHECK(aggregates.LastChange(def->id, "2027-03-01", "2027-03-31") == march);
  CHECK(aggregates.LastChange(def->id, "2027-09-01", "2027-09-30") == september);
  CHECK(aggregates.LastChange(def->id, "", "") == september);
  CHECK(aggregates.LastChange(def->id, "2027-04-01", "2027-08-31") == start);  // nothing moved
  CHECK(aggregates.LastChange("census", "", "") == start);                     // another survey
  // The window's first and last days count.
  const uint64_t last_day = touch("2027-03-31");
  CHECK(aggregates.LastChange(def->id, "2027-03-01", "2027-03-31") == last_day);
  CHECK(aggregates.LastChange(def->id, "2027-04-01", "2027-09-30") == september);
  // A delta that moves nothing is no change.
  aggregates.Apply({});
  CHECK(aggregates.changes() == last_day);
  // Which windows hold sums: what the plans' follow-up asks of each wave.
  CHECK(aggregates.HasDays(def->id, "2027-03-01", "2027-03-31"));
  CHECK(aggregates.HasDays(def->id, "2027-09-05", "2027-09-05"));
  CHECK_FALSE(aggregates.HasDays(def->id, "2027-04-01", "2027-08-31"));
  CHECK_FALSE(aggregates.HasDays("census", "", "9999-12-31"));
}

TEST_CASE("action plans are kept with their history, and a move checks the state it leaves",
          "[unit][pg]") {
  auto store = MemoryStore(GENERATE(as<std::string>{}, "sqlite", "postgres"));
  ActionPlan plan;
  plan.survey_id = "chs-perception";
  plan.wave_id = "2027-1";
  plan.institution_id = "cesfam-tal-1";
  plan.target = {"indicator", "", "problems", "esperas_largas"};
  plan.goal = "Que nadie espere más de una hora — ni una";
  plan.target_value = 20;
  plan.actions = {{"Dar hora por teléfono", "Jefa del SOME", "2027-06-30"},
                  {"Abrir los sábados", "Dirección", "2027-08-31"}};
  auto kept = InsertPlan(*store, plan, "cesfam-staff");
  REQUIRE(kept.ok());
  CHECK(kept->id > 0);
  CHECK(kept->state == "draft");
  auto found = FindPlan(*store, kept->id);
  REQUIRE(found.ok());
  REQUIRE(*found);
  const ActionPlan& read = **found;
  CHECK(read.target == plan.target);
  CHECK(read.goal == plan.goal);
  CHECK(read.target_value == std::optional<double>(20));
  REQUIRE(read.actions.size() == 2);
  CHECK(read.actions[1].what == "Abrir los sábados");
  CHECK(read.actions[1].due == "2027-08-31");
  CHECK(read.first_submitted_at.empty());
  REQUIRE(read.history.size() == 1);
  CHECK(read.history[0].to == "draft");
  CHECK(read.history[0].actor == "cesfam-staff");

  // Submitted, returned with a comment, submitted again: the first submission's time stays.
  REQUIRE(MovePlan(*store, kept->id, "draft", "submitted", "cesfam-staff", "").ok());
  auto submitted = FindPlan(*store, kept->id);
  REQUIRE(submitted.ok());
  const std::string first = (*submitted)->first_submitted_at;
  CHECK_FALSE(first.empty());
  // A move from a state the plan has left is refused, and changes nothing.
  CHECK(MovePlan(*store, kept->id, "draft", "submitted", "x", "").code() == StatusCode::kConflict);
  REQUIRE(MovePlan(*store, kept->id, "submitted", "returned", "consultora", "Falta el plazo").ok());
  REQUIRE(ReplacePlanContent(*store, kept->id, "Nueva meta", std::nullopt,
                             {{"Una acción", "Alguien", "2027-07-01"}})
              .ok());
  REQUIRE(MovePlan(*store, kept->id, "returned", "submitted", "cesfam-staff", "").ok());
  auto again = FindPlan(*store, kept->id);
  REQUIRE(again.ok());
  CHECK((*again)->first_submitted_at == first);
  CHECK((*again)->goal == "Nueva meta");
  CHECK_FALSE((*again)->target_value);
  CHECK((*again)->actions.size() == 1);
  REQUIRE((*again)->history.size() == 4);
  CHECK((*again)->history[2].comment == "Falta el plazo");
  CHECK((*again)->history[2].from == "submitted");
  CHECK((*again)->history[3].to == "submitted");

  // Listing: by wave, institution and state, each plan with its own history.
  plan.institution_id = "omil-tal";
  plan.wave_id = "2027-2";
  REQUIRE(InsertPlan(*store, plan, "analista").ok());
  PlanQuery q;
  q.survey_id = "chs-perception";
  auto all = ListPlans(*store, q);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].history.size() == 4);
  CHECK((*all)[1].history.size() == 1);
  q.state = "submitted";
  auto some = ListPlans(*store, q);
  REQUIRE(some.ok());
  REQUIRE(some->size() == 1);
  CHECK((*some)[0].institution_id == "cesfam-tal-1");
  q.state.clear();
  q.wave_id = "2027-2";
  some = ListPlans(*store, q);
  REQUIRE(some.ok());
  REQUIRE(some->size() == 1);
  CHECK((*some)[0].institution_id == "omil-tal");
  CHECK(FindPlan(*store, 999).value() == std::nullopt);
}
