// Database::Open: which of the two backends (backends.h) a target names. It sits above both,
// so that database.cc, which they build on, knows neither.
#include "backends.h"
#include "percept/base/database.h"

namespace percept {

bool Database::IsPostgresUrl(std::string_view target) {
  return target.rfind("postgresql://", 0) == 0 || target.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& target, bool create) {
  if (IsPostgresUrl(target)) return OpenPostgres(target);
  return OpenSqlite(target, create);
}

}  // namespace percept
