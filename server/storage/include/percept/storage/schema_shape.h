// The shape of a migrated database as the database itself reports it: each table with its
// columns, each index with its table. SQLite and PostgreSQL are built by two schema texts
// (schema.cc); their shapes must agree, and a test compares them (docs/storage.md, "Backends").
#pragma once

#include <map>
#include <set>
#include <string>

#include "percept/base/status.h"
#include "percept/storage/store.h"

namespace percept {

struct SchemaShape {
  std::map<std::string, std::set<std::string>> columns;  // table -> its columns
  // Index -> its table: the indexes the schema creates, not those a key or a UNIQUE constraint
  // makes for itself (which each backend names its own way).
  std::map<std::string, std::string> indexes;
};

Result<SchemaShape> ReadSchemaShape(Store& store);

}  // namespace percept
