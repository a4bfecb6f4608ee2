// The two backends of database.h, chosen by Database::Open. Internal to base.
#pragma once

#include <memory>
#include <string>

#include "percept/base/database.h"

namespace percept {

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, bool create);
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url);

}  // namespace percept
