#include "percept/storage/dialect.h"

namespace percept {

std::string Dialect::JsonText(const std::string& column, const std::string& path_parameter) const {
  return backend == Backend::kPostgres ? "(" + column + "::jsonb ->> " + path_parameter + ")"
                                       : "json_extract(" + column + ", " + path_parameter + ")";
}

std::string Dialect::JsonPath(const std::string& field) const {
  return backend == Backend::kPostgres ? field : "$." + field;
}

const Dialect& DialectOf(Backend backend) {
  static const Dialect kSqlite{Backend::kSqlite,
                               /*shared_by_servers=*/false,
                               /*sums_in_sql=*/true,
                               /*prepares_savepoints=*/true,
                               /*begin_snapshot=*/"BEGIN",
                               /*find_function=*/"instr"};
  static const Dialect kPostgres{Backend::kPostgres,
                                 /*shared_by_servers=*/true,
                                 /*sums_in_sql=*/false,
                                 /*prepares_savepoints=*/false,
                                 /*begin_snapshot=*/"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                                 /*find_function=*/"strpos"};
  return backend == Backend::kPostgres ? kPostgres : kSqlite;
}

}  // namespace percept
