// The PostgreSQL backend of database.h, over libpq (docs/storage.md, "Backends"). Statements
// are prepared server-side once per connection; parameters go as text (blobs as binary) and
// results come back as text, bytea decoded from its hex form. A lost connection answers
// Unavailable (the server turns it into 503 with Retry-After) and is re-established on the
// next use, its statements prepared again.
#include <libpq-fe.h>

#include <cstdlib>
#include <vector>

#include "backends.h"

namespace percept {

namespace {

constexpr Oid kByteaOid = 17;

// libpq's connection, shared by the statements prepared on it, with a count of how many times
// it was re-established (a statement prepared before then must be prepared again).
struct Connection {
  PGconn* conn = nullptr;
  int generation = 0;
  int64_t changes = 0;
  int64_t next_name = 0;
  ~Connection() { PQfinish(conn); }

  // After a failure: when the connection itself is gone, tries once to re-establish it.
  void Recover() {
    if (PQstatus(conn) == CONNECTION_OK) return;
    PQreset(conn);
    if (PQstatus(conn) == CONNECTION_OK) ++generation;
  }
};

std::string Trimmed(const char* message) {
  std::string s = message ? message : "unknown error";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The Status of a failed result (or of a null one: out of memory or no connection).
Status ErrorOf(Connection& c, const PGresult* res, const std::string& what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = Trimmed(
      res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(c.conn));
  if (PQstatus(c.conn) != CONNECTION_OK) {
    c.Recover();
    return Status::Unavailable("database unreachable: " + message);
  }
  const std::string sqlstate = state ? state : "";
  if (sqlstate.rfind("23", 0) == 0) return Status::Conflict(message);
  // 08: connection exceptions; 57P: the server shutting down; 40: serialization or deadlock,
  // which a retry settles.
  if (sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0 || sqlstate.rfind("40", 0) == 0)
    return Status::Unavailable("database: " + message);
  return Status::Internal(what + ": " + message);
}

// `?` and `?N` parameters as PostgreSQL's `$N`, outside quotes and comments. A bare `?` takes
// the number after the largest so far, as SQLite numbers them.
std::string NumberParameters(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int largest = 0;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char ch = sql[i];
    if (quote) {
      out += ch;
      if (ch == quote) quote = 0;  // '' inside a string closes and reopens: same result
      continue;
    }
    if (ch == '\'' || ch == '"') {
      quote = ch;
      out += ch;
    } else if (ch == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      const size_t stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (ch == '?') {
      size_t j = i + 1;
      int n = 0;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
      if (j == i + 1) n = largest + 1;
      largest = std::max(largest, n);
      out += '$' + std::to_string(n);
      i = j - 1;
    } else {
      out += ch;
    }
  }
  *count = largest;
  return out;
}

int Hex(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
}

class PostgresStatement : public StatementImpl {
 public:
  PostgresStatement(Connection* c, std::string sql, int parameters, bool streaming)
      : c_(c),
        sql_(std::move(sql)),
        streaming_(streaming),
        values_(parameters),
        formats_(parameters, 0) {}
  ~PostgresStatement() override {
    Reset();
    if (prepared_ == c_->generation && PQstatus(c_->conn) == CONNECTION_OK &&
        PQtransactionStatus(c_->conn) == PQTRANS_IDLE) {
      PQclear(PQexec(c_->conn, ("DEALLOCATE " + name_).c_str()));
    }
  }

  Status Prepare() {
    name_ = "p" + std::to_string(++c_->next_name);
    PGresult* res = PQprepare(c_->conn, name_.c_str(), sql_.c_str(), 0, nullptr);
    Status s =
        PQresultStatus(res) == PGRES_COMMAND_OK ? Status::Ok() : ErrorOf(*c_, res, "prepare");
    PQclear(res);
    if (s.ok()) prepared_ = c_->generation;
    return s;
  }

  void Bind(int index, std::string_view text) override { Set(index, std::string(text), 0); }
  void Bind(int index, int64_t value) override { Set(index, std::to_string(value), 0); }
  void Bind(int index, double value) override {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    Set(index, buf, 0);
  }
  void BindBlob(int index, const void* data, size_t size) override {
    Set(index, std::string(static_cast<const char*>(data), size), 1);
  }
  void BindNull(int index) override {
    if (index >= 1 && index <= static_cast<int>(values_.size())) values_[index - 1].reset();
  }

  bool Step(Status* status) override {
    if (streaming_) return StepStreaming(status);
    if (!res_) {
      if (!Send(status)) return false;
      const ExecStatusType st = PQresultStatus(res_);
      if (st == PGRES_COMMAND_OK) {
        c_->changes = std::atoll(PQcmdTuples(res_));
        return false;
      }
      if (st != PGRES_TUPLES_OK) {
        *status = ErrorOf(*c_, res_, "execute");
        return false;
      }
      c_->changes = std::atoll(PQcmdTuples(res_));  // INSERT ... RETURNING
      row_ = 0;
    } else {
      ++row_;
    }
    decoded_.assign(PQnfields(res_), std::nullopt);
    return row_ < PQntuples(res_);
  }

  void Reset() override {
    if (sending_) {  // abandoned mid-stream: the server stops sending, the rest is dropped
      if (PGcancel* cancel = PQgetCancel(c_->conn)) {
        char error[256];
        PQcancel(cancel, error, sizeof error);
        PQfreeCancel(cancel);
      }
      Drain();
    }
    Clear();
    for (auto& v : values_) v.reset();
    std::fill(formats_.begin(), formats_.end(), 0);
  }

  int64_t Int(int column) const override {
    const char* v = PQgetvalue(res_, row_, column);
    if (v[0] == 't' && v[1] == 0) return 1;  // a boolean
    return std::strtoll(v, nullptr, 10);
  }
  double Double(int column) const override {
    return std::strtod(PQgetvalue(res_, row_, column), nullptr);
  }
  std::string_view TextView(int column) const override {
    return {PQgetvalue(res_, row_, column), static_cast<size_t>(PQgetlength(res_, row_, column))};
  }
  std::string_view BlobView(int column) const override {
    if (PQftype(res_, column) != kByteaOid) return TextView(column);
    auto& d = decoded_[column];
    if (!d) {  // "\x0a1b..." to bytes
      const std::string_view hex = TextView(column);
      d.emplace();
      d->reserve(hex.size() / 2);
      for (size_t i = 2; i + 1 < hex.size(); i += 2)
        d->push_back(static_cast<char>(Hex(hex[i]) << 4 | Hex(hex[i + 1])));
    }
    return *d;
  }
  bool IsNull(int column) const override { return PQgetisnull(res_, row_, column); }

 private:
  // Sends the statement with its bound values: waits for its whole result in res_, or, when
  // streaming, starts single-row mode. Outside a transaction, a connection the server dropped
  // while idle (a restart, an outage now over) is re-established and the statement sent once
  // more: nothing of it ran. Inside one, the transaction is lost: the caller hears Unavailable
  // (from res_, or here when nothing could be sent).
  bool Send(Status* status) {
    std::vector<const char*> values(values_.size());
    std::vector<int> lengths(values_.size());
    for (size_t i = 0; i < values_.size(); ++i) {
      values[i] = values_[i] ? values_[i]->data() : nullptr;
      lengths[i] = values_[i] ? static_cast<int>(values_[i]->size()) : 0;
    }
    const int n = static_cast<int>(values.size());
    const bool idle = PQtransactionStatus(c_->conn) == PQTRANS_IDLE;
    for (int attempt = 0;; ++attempt) {
      if (prepared_ != c_->generation) {  // a new connection: prepare again
        Status s = Prepare();
        if (!s.ok()) {
          *status = s;
          return false;
        }
      }
      if (streaming_) {
        if (PQsendQueryPrepared(c_->conn, name_.c_str(), n, values.data(), lengths.data(),
                                formats_.data(), 0)) {
          PQsetSingleRowMode(c_->conn);
          sending_ = true;
          return true;
        }
        if (PQstatus(c_->conn) == CONNECTION_OK) break;  // not the connection: no retry
      } else {
        res_ = PQexecPrepared(c_->conn, name_.c_str(), n, values.data(), lengths.data(),
                              formats_.data(), 0);
        if (PQstatus(c_->conn) == CONNECTION_OK || !idle) return true;
        Clear();
      }
      if (!idle || attempt == 1) break;
      c_->Recover();
      if (PQstatus(c_->conn) != CONNECTION_OK) break;
    }
    *status = ErrorOf(*c_, nullptr, "execute");
    return false;
  }

  // Single-row mode: each Step takes the next row off the connection.
  bool StepStreaming(Status* status) {
    if (!sending_ && !res_ && !Send(status)) return false;
    if (!sending_) return false;  // already at the end
    PQclear(res_);
    res_ = PQgetResult(c_->conn);
    row_ = 0;
    const ExecStatusType st = PQresultStatus(res_);
    if (st == PGRES_SINGLE_TUPLE) {
      decoded_.assign(PQnfields(res_), std::nullopt);
      return true;
    }
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) *status = ErrorOf(*c_, res_, "execute");
    Drain();
    return false;
  }

  // Reads what is left of a query's results off the connection.
  void Drain() {
    while (PGresult* r = PQgetResult(c_->conn)) PQclear(r);
    sending_ = false;
  }

  void Set(int index, std::string value, int format) {
    if (index < 1 || index > static_cast<int>(values_.size())) return;
    values_[index - 1] = std::move(value);
    formats_[index - 1] = format;
  }
  void Clear() {
    PQclear(res_);
    res_ = nullptr;
    row_ = 0;
  }

  Connection* c_;
  std::string sql_, name_;
  const bool streaming_;
  bool sending_ = false;  // streaming: the query runs and its rows are still coming
  int prepared_ = -1;     // the connection generation it was prepared on
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;
  PGresult* res_ = nullptr;
  int row_ = 0;
  mutable std::vector<std::optional<std::string>> decoded_;  // bytea columns of the row
};

class PostgresDatabase : public Database {
 public:
  explicit PostgresDatabase(std::unique_ptr<Connection> c) : c_(std::move(c)) {}

  Backend backend() const override { return Backend::kPostgres; }

  Status Exec(const std::string& sql) override {
    PGresult* res = PQexec(c_->conn, sql.c_str());
    const ExecStatusType st = PQresultStatus(res);
    Status s =
        st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? Status::Ok() : ErrorOf(*c_, res, "exec");
    if (s.ok()) c_->changes = std::atoll(PQcmdTuples(res));
    PQclear(res);
    return s;
  }

  Result<Statement> Prepare(std::string_view sql) override { return PrepareAs(sql, false); }
  Result<Statement> PrepareStreaming(std::string_view sql) override { return PrepareAs(sql, true); }
  Result<Statement> PrepareAs(std::string_view sql, bool streaming) {
    int parameters = 0;
    std::string numbered = NumberParameters(sql, &parameters);
    auto st =
        std::make_unique<PostgresStatement>(c_.get(), std::move(numbered), parameters, streaming);
    Status s = st->Prepare();
    if (!s.ok()) return s;
    return Statement(std::move(st));
  }

  int64_t Changes() const override { return c_->changes; }

  int UserVersion() override {
    Status s = Exec("CREATE TABLE IF NOT EXISTS percept_schema (version integer NOT NULL)");
    if (!s.ok()) return -1;
    auto st = Prepare("SELECT version FROM percept_schema");
    if (!st.ok()) return -1;
    return st->Step() ? static_cast<int>(st->Int(0)) : 0;
  }
  Status SetUserVersion(int version) override {
    Status s = Exec("CREATE TABLE IF NOT EXISTS percept_schema (version integer NOT NULL)");
    if (s.ok()) s = Exec("DELETE FROM percept_schema");
    if (!s.ok()) return s;
    auto st = Prepare("INSERT INTO percept_schema (version) VALUES (?)");
    if (!st.ok()) return st.status();
    return st->Bind(1, static_cast<int64_t>(version)).Run();
  }

  Status BeginWrite() override { return Exec("BEGIN"); }

 private:
  std::unique_ptr<Connection> c_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url) {
  auto c = std::make_unique<Connection>();
  c->conn = PQconnectdb(url.c_str());
  if (PQstatus(c->conn) != CONNECTION_OK) {
    // The URL may hold a password: say where, never what.
    return Status::Unavailable("cannot connect to PostgreSQL: " + Trimmed(PQerrorMessage(c->conn)));
  }
  // Notices (e.g. "relation already exists, skipping") are not errors: keep them off stderr.
  PQsetNoticeProcessor(
      c->conn, [](void*, const char*) {}, nullptr);
  std::unique_ptr<Database> db = std::make_unique<PostgresDatabase>(std::move(c));
  Status s = db->Exec("SET client_min_messages = warning");
  if (!s.ok()) return s;
  return db;
}

}  // namespace percept
