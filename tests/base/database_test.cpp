// The SQL connection of base/ (docs/storage.md, "Backends") behaves the same on SQLite and on
// PostgreSQL: parameters by position and by number, text, integers, doubles, empty and binary
// blobs, NULL, unique violations as Conflict, transactions, the schema version; and on
// PostgreSQL, a lost connection comes back by itself (Unavailable when it took a transaction).
#include "percept/base/database.h"

#include <catch2/catch.hpp>
#include <string>

#include "pg_cluster.h"
#include "test_support.h"

using namespace percept;
using namespace percept::testing;

namespace {

void CheckContract(Database& db) {
  REQUIRE(db.Exec("CREATE TABLE t (id integer PRIMARY KEY, name text NOT NULL UNIQUE, "
                  "score double precision, data " +
                  std::string(db.backend() == Backend::kPostgres ? "bytea" : "blob") + ")")
              .ok());
  auto insert = db.Prepare("INSERT INTO t (id, name, score, data) VALUES (?, ?, ?, ?)");
  REQUIRE(insert.ok());
  const std::string binary("a\0b\xff\x01", 5);
  REQUIRE(insert->Bind(1, int64_t{1})
              .Bind(2, "uno ' \"quoted\" ?")
              .Bind(3, 2.5)
              .BindBlob(4, binary.data(), binary.size())
              .Run()
              .ok());
  CHECK(db.Changes() == 1);
  insert->Reset();
  REQUIRE(insert->Bind(1, int64_t{2}).Bind(2, "dos").BindNull(3).BindBlob(4, "", 0).Run().ok());
  insert->Reset();
  // The same name again: a unique violation is a Conflict, and stores nothing.
  Status dup = insert->Bind(1, int64_t{3}).Bind(2, "dos").BindNull(3).BindNull(4).Run();
  CHECK(dup.code() == StatusCode::kConflict);

  // Numbered parameters, used twice; a question mark inside a string is not one.
  auto select = db.Prepare(
      "SELECT id, name, score, data FROM t WHERE (?1 = 0 OR id = ?1) AND name <> '?' "
      "ORDER BY id");
  REQUIRE(select.ok());
  select->Bind(1, int64_t{0});
  REQUIRE(select->Step());
  CHECK(select->Int(0) == 1);
  CHECK(select->Text(1) == "uno ' \"quoted\" ?");
  CHECK(select->Double(2) == 2.5);
  CHECK(select->Blob(3) == binary);
  REQUIRE(select->Step());
  CHECK(select->Int(0) == 2);
  CHECK(select->IsNull(2));
  CHECK_FALSE(select->IsNull(3));
  CHECK(select->Blob(3).empty());
  CHECK_FALSE(select->Step());
  CHECK(select->status().ok());
  select->Reset();
  select->Bind(1, int64_t{2});
  REQUIRE(select->Step());
  CHECK(select->Text(1) == "dos");
  CHECK_FALSE(select->Step());

  // A transaction not committed leaves nothing; a committed one stays.
  {
    Transaction tx(&db);
    REQUIRE(tx.status().ok());
    REQUIRE(db.Exec("INSERT INTO t (id, name) VALUES (10, 'diez')").ok());
  }
  auto count = db.Prepare("SELECT count(*) FROM t");
  REQUIRE(count.ok());
  REQUIRE(count->Step());
  CHECK(count->Int(0) == 2);
  {
    Transaction tx(&db);
    REQUIRE(db.Exec("UPDATE t SET score = 1 WHERE id = 2").ok());
    CHECK(db.Changes() == 1);
    REQUIRE(tx.Commit().ok());
  }
  count->Reset();
  REQUIRE(count->Step());
  CHECK(count->Int(0) == 2);

  // A streaming statement, read whole, then one abandoned half-way: the connection goes on.
  REQUIRE(db.Exec("CREATE TABLE many (n integer)").ok());
  REQUIRE(db.Exec("INSERT INTO many (n) SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3").ok());
  auto stream = db.PrepareStreaming("SELECT n FROM many WHERE n >= ? ORDER BY n");
  REQUIRE(stream.ok());
  stream->Bind(1, int64_t{2});
  REQUIRE(stream->Step());
  CHECK(stream->Int(0) == 2);
  REQUIRE(stream->Step());
  CHECK(stream->Int(0) == 3);
  CHECK_FALSE(stream->Step());
  CHECK(stream->status().ok());
  stream->Reset();
  stream->Bind(1, int64_t{1});
  REQUIRE(stream->Step());
  CHECK(stream->Int(0) == 1);
  stream->Reset();  // two rows never read
  count->Reset();
  REQUIRE(count->Step());
  CHECK(count->Int(0) == 2);
  count->Reset();

  CHECK(db.UserVersion() == 0);
  REQUIRE(db.SetUserVersion(4).ok());
  CHECK(db.UserVersion() == 4);
}

}  // namespace

TEST_CASE("database contract on SQLite", "[unit]") {
  auto db = Database::Open(TempPath("database-contract.db"), true);
  REQUIRE(db.ok());
  CHECK((*db)->backend() == Backend::kSqlite);
  CheckContract(**db);
}

TEST_CASE("database contract on PostgreSQL, and a lost connection comes back", "[unit][pg]") {
  const std::string url = FreshPostgresDatabase();
  CHECK(Database::IsPostgresUrl(url));
  auto db = Database::Open(url, false);
  REQUIRE(db.ok());
  CHECK((*db)->backend() == Backend::kPostgres);
  CheckContract(**db);

  // Another connection ends this one's session, as a restarted server would.
  auto pid = (*db)->Prepare("SELECT pg_backend_pid()");
  REQUIRE(pid.ok());
  REQUIRE(pid->Step());
  const int64_t backend = pid->Int(0);
  pid->Reset();
  auto admin = Database::Open(url, false);
  REQUIRE(admin.ok());
  auto kill = (*admin)->Prepare("SELECT pg_terminate_backend(?)");
  REQUIRE(kill.ok());
  REQUIRE(kill->Bind(1, backend).Step());
  // Outside a transaction, the next use goes through on a new connection, its statement
  // prepared again: nothing of it had run.
  REQUIRE(pid->Step());
  const int64_t second = pid->Int(0);
  CHECK(second != backend);
  pid->Reset();
  auto read = (*db)->Prepare("SELECT count(*) FROM t");
  REQUIRE(read.ok());
  REQUIRE(read->Step());
  CHECK(read->Int(0) == 2);
  read->Reset();

  // Inside a transaction the cut loses it: Unavailable, and the next use comes back.
  {
    Transaction tx(db->get());
    REQUIRE(tx.status().ok());
    kill->Reset();
    REQUIRE(kill->Bind(1, second).Step());
    kill->Reset();
    CHECK_FALSE(read->Step());
    CHECK(read->status().code() == StatusCode::kUnavailable);
    read->Reset();
  }
  REQUIRE(read->Step());
  CHECK(read->Int(0) == 2);

  // A server that is not there: a clear Unavailable, not a crash.
  auto none = Database::Open("postgresql://percept@127.0.0.1:1/postgres", false);
  CHECK(none.status().code() == StatusCode::kUnavailable);
}
