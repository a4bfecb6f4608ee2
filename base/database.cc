// What both backends share: choosing one, running a statement out, transactions.
#include "percept/base/database.h"

#include "backends.h"

namespace percept {

bool Database::IsPostgresUrl(std::string_view target) {
  return target.rfind("postgresql://", 0) == 0 || target.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& target, bool create) {
  if (IsPostgresUrl(target)) return OpenPostgres(target);
  return OpenSqlite(target, create);
}

Status Statement::Run() {
  while (Step()) {
  }
  return status_;
}

Transaction::Transaction(Database* db) : db_(db) {
  status_ = db_->Exec(db_->BeginWrite());
  open_ = status_.ok();
}

Transaction::~Transaction() {
  if (open_) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  Status s = db_->Exec("COMMIT");
  if (s.ok()) open_ = false;
  return s;
}

}  // namespace percept
