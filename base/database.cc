// What both backends share: running a statement out, transactions. Choosing a backend is
// open_database.cc, above both.
#include "percept/base/database.h"

namespace percept {

Status Statement::Run() {
  while (Step()) {
  }
  return status_;
}

Transaction::Transaction(Database* db) : db_(db) {
  status_ = db_->BeginWrite();
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
