// The base library: the SQLite wrapper (bound parameters, transactions, conflicts, SQL functions),
// UUIDs and the stable names of status codes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "percept/base/database.h"
#include "percept/base/log.h"
#include "percept/base/status.h"
#include "percept/base/utf8.h"
#include "percept/base/uuid.h"

using namespace percept;

namespace {

std::unique_ptr<Database> Memory() {
  auto db = Database::Open(":memory:", true);
  REQUIRE(db.ok());
  REQUIRE((*db)->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB)").ok());
  return std::move(db).value();
}

}  // namespace

TEST_CASE("database: parameters are bound, never spliced", "[unit]") {
  auto db = Memory();
  const std::string hostile = "x'); DROP TABLE t; --";
  auto insert = db->Prepare("INSERT INTO t (k, v) VALUES (?, ?)");
  REQUIRE(insert.ok());
  REQUIRE(insert->Bind(1, hostile).BindBlob(2, "\0\1", 2).Run().ok());
  auto read = db->Prepare("SELECT k, length(v) FROM t");
  REQUIRE(read.ok());
  REQUIRE(read->Step());
  CHECK(read->Text(0) == hostile);
  CHECK(read->Int(1) == 2);
  CHECK_FALSE(read->Step());
}

TEST_CASE("database: a unique key twice is a conflict, and an uncommitted transaction rolls back",
          "[unit]") {
  auto db = Memory();
  {
    Transaction tx(db.get());
    REQUIRE(tx.status().ok());
    auto st = db->Prepare("INSERT INTO t (k) VALUES (?)");
    REQUIRE(st.ok());
    REQUIRE(st->Bind(1, std::string_view("a")).Run().ok());
    st->Reset();
    CHECK(st->Bind(1, std::string_view("a")).Run().code() == StatusCode::kConflict);
  }  // not committed
  auto count = db->Prepare("SELECT count(*) FROM t");
  REQUIRE(count.ok());
  REQUIRE(count->Step());
  CHECK(count->Int(0) == 0);
  CHECK(db->Prepare("SELECT nonsense FROM nowhere").status().code() == StatusCode::kInternal);
}

TEST_CASE("database: a blob function defined in C++ runs in SQL, and refuses what it cannot take",
          "[unit]") {
  auto db = Memory();
  REQUIRE(db->sqlite() != nullptr);
  REQUIRE(db->sqlite()->DefineBlobFunction(
                "glue",
                [](std::string_view a, std::string_view b) -> std::optional<std::string> {
                  if (a.empty()) return std::nullopt;
                  return std::string(a) + "+" + std::string(b);
                })
              .ok());
  auto st = db->Prepare("SELECT glue(?, ?)");
  REQUIRE(st.ok());
  st->BindBlob(1, "ab", 2).BindBlob(2, "c", 1);
  REQUIRE(st->Step());
  CHECK(st->Blob(0) == "ab+c");
  st->Reset();
  st->BindBlob(1, "", 0).BindBlob(2, "c", 1);
  CHECK_FALSE(st->Step());
  CHECK_FALSE(st->status().ok());
}

TEST_CASE("uuid: version 4, variant 1, lower case, and the same for the same seed", "[unit]") {
  std::mt19937_64 a(42), b(42);
  const std::regex form("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string u = RandomUuid(a);
    CHECK(std::regex_match(u, form));
    CHECK(u == RandomUuid(b));
    seen.insert(u);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("result: reading a value that is not there aborts, saying what the Result held",
          "[unit]") {
  Result<std::string> fine = std::string("valor");
  CHECK(*fine == "valor");
  CHECK(fine->size() == 5);
  // In a child process, whose stderr goes to a file: the parent reads how it ended.
  char path[] = "/tmp/percept-result-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    dup2(fd, 2);
    Result<std::string> none = Status::NotFound("no such interview");
    std::printf("%zu\n", none->size());  // must not get here
    _exit(0);
  }
  close(fd);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  std::ifstream in(path);
  std::stringstream said;
  said << in.rdbuf();
  std::remove(path);
  CHECK_THAT(said.str(), Catch::Contains("a Result without a value was read") &&
                             Catch::Contains("no such interview"));
}

TEST_CASE("log: one whole line per message, marked by level, the less severe dropped", "[unit]") {
  // stderr into a file for the length of the test.
  char path[] = "/tmp/percept-log-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  std::fflush(stderr);
  const int saved = dup(2);
  dup2(fd, 2);
  SetLogLevel(LogLevel::kWarning);
  Log(LogLevel::kError, "folding the aggregate log: %s (%d)", "disk full", 28);
  Log(LogLevel::kWarning, "failed sign-in from %s", "10.0.0.7");
  Log(LogLevel::kInfo, "%d submissions written in %d transactions", 10, 4);  // dropped
  SetLogLevel(LogLevel::kInfo);
  Log(LogLevel::kInfo, "%d submissions written in %d transactions", 10, 4);
  SetLogProgram("percept-tablet");  // the tablet's program says its own name
  Log(LogLevel::kWarning, "%d interviews are still waiting", 3);
  SetLogProgram("percept");
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::stringstream said;
  said << in.rdbuf();
  std::remove(path);
  CHECK(said.str() ==
        "percept: error: folding the aggregate log: disk full (28)\n"
        "percept: warning: failed sign-in from 10.0.0.7\n"
        "percept: 10 submissions written in 4 transactions\n"
        "percept-tablet: warning: 3 interviews are still waiting\n");
  LogLevel level;
  CHECK(ParseLogLevel("warning", &level));
  CHECK(level == LogLevel::kWarning);
  CHECK_FALSE(ParseLogLevel("debug", &level));
}

TEST_CASE("status: every code has its own stable name", "[unit]") {
  std::set<std::string> names;
  for (int c = 0; c <= static_cast<int>(StatusCode::kInternal); ++c) {
    names.insert(CodeName(static_cast<StatusCode>(c)));
  }
  CHECK(names.size() == static_cast<size_t>(StatusCode::kInternal) + 1);
  CHECK(std::string(CodeName(StatusCode::kValidationFailed)) == "validation_failed");
  CHECK(Status::Conflict("x").ToString().find("conflict") != std::string::npos);
}

TEST_CASE("utf8: RFC 3629 is valid and every other byte is found and replaced one run at a time",
          "[unit]") {
  using percept::InvalidUtf8At;
  using percept::ToValidUtf8;
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(InvalidUtf8At("Peñalolén, ñandú 𝄞") == std::string_view::npos);
  CHECK(InvalidUtf8At(std::string("a\0b", 3)) == std::string_view::npos);  // NUL is UTF-8
  CHECK(InvalidUtf8At("ab\xff") == 2);
  CHECK(InvalidUtf8At("Peñalol\xe9n") == 8);       // Latin-1 é
  CHECK(InvalidUtf8At("x\xc0\xaf") == 1);          // an overlong '/'
  CHECK(InvalidUtf8At("x\xed\xa0\x80") == 1);      // U+D800, a surrogate
  CHECK(InvalidUtf8At("x\xf4\x90\x80\x80") == 1);  // past U+10FFFF
  CHECK(InvalidUtf8At("x\xe2\x82") == 1);          // cut short at the end
  CHECK(ToValidUtf8("Peñalolén") == "Peñalolén");
  CHECK(ToValidUtf8("Pe\xf1"
                    "alol\xe9n") == "Pe" + fffd + "alol" + fffd + "n");
  // A truncated sequence is one replacement; a byte that cannot continue it is read afresh.
  CHECK(ToValidUtf8("a\xe2\x82"
                    "b") == "a" + fffd + "b");
  CHECK(ToValidUtf8("\xed\xa0\x80") == fffd + fffd + fffd);  // as WHATWG decoders do
  CHECK(percept::IsValidUtf8(ToValidUtf8("\xff\xfe\xc3")));
}

TEST_CASE("utf8: control characters are C0 and DEL and C1 (tabs and line breaks only when allowed)",
          "[unit]") {
  using percept::HasControlCodePoint;
  CHECK_FALSE(HasControlCodePoint("buen trato, ñ", false));
  CHECK(HasControlCodePoint("a\tb", false));
  CHECK_FALSE(HasControlCodePoint("a\tb\r\nc", true));
  CHECK(HasControlCodePoint(std::string("a\0b", 3), true));
  CHECK(HasControlCodePoint("a\x7f", true));
  CHECK(HasControlCodePoint("a\xc2\x85", true));        // NEL, U+0085
  CHECK_FALSE(HasControlCodePoint("a\xc2\xa0", true));  // no-break space, U+00A0
}
