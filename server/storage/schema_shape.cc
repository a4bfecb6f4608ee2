#include "percept/storage/schema_shape.h"

#include <functional>

namespace percept {

namespace {

// Rows of (a, b) from `sql`, bound to nothing.
Status ReadPairs(Store& store, const char* sql,
                 const std::function<void(std::string, std::string)>& row) {
  auto st = store.db()->Prepare(sql);
  if (!st.ok()) return st.status();
  while (st->Step()) row(st->Text(0), st->Text(1));
  return st->status();
}

}  // namespace

Result<SchemaShape> ReadSchemaShape(Store& store) {
  SchemaShape shape;
  auto column = [&](std::string table, std::string name) {
    shape.columns[std::move(table)].insert(std::move(name));
  };
  auto index = [&](std::string name, std::string table) {
    shape.indexes[std::move(name)] = std::move(table);
  };
  // Each engine describes itself in its own catalog.
  Status s = ReadPairs(store,
                       store.Sql("SELECT m.name, p.name FROM sqlite_master m, "
                                 "pragma_table_info(m.name) p "
                                 "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                                 "SELECT table_name, column_name FROM information_schema.columns "
                                 "WHERE table_schema = current_schema()"),
                       column);
  if (s.ok()) {
    s = ReadPairs(store,
                  store.Sql("SELECT name, tbl_name FROM sqlite_master "
                            "WHERE type = 'index' AND sql IS NOT NULL",
                            "SELECT i.indexname, i.tablename FROM pg_indexes i "
                            "WHERE i.schemaname = current_schema() AND NOT EXISTS "
                            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"),
                  index);
  }
  if (!s.ok()) return s;
  return shape;
}

}  // namespace percept
