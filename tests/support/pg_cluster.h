// A PostgreSQL server for the tests (docs/storage.md, "Backends"): $PERCEPT_TEST_PG when set
// (scripts/test.sh starts one throwaway cluster for the whole run), else a throwaway cluster of
// this test process, started on first use with scripts/pg-throwaway.sh and stopped at exit.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "percept/base/database.h"
#include "test_support.h"

namespace percept::testing {

namespace pg_detail {

inline std::string Run(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  if (pclose(p) != 0) throw std::runtime_error(command + " failed");
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

struct OwnCluster {
  std::string dir, url;
  OwnCluster() {
    char tmpl[] = "/tmp/percept-pg-XXXXXX";
    dir = mkdtemp(tmpl);
    url = Run("bash '" + SourcePath("scripts/pg-throwaway.sh") + "' start '" + dir + "'");
  }
  ~OwnCluster() {
    std::system(
        ("bash '" + SourcePath("scripts/pg-throwaway.sh") + "' stop '" + dir + "'").c_str());
  }
};

}  // namespace pg_detail

// The URL of the server's maintenance database.
inline const std::string& PostgresBaseUrl() {
  static const std::string url = [] {
    if (const char* env = std::getenv("PERCEPT_TEST_PG"); env && *env) return std::string(env);
    static pg_detail::OwnCluster cluster;
    return cluster.url;
  }();
  return url;
}

// A new, empty database on that server; its URL.
inline std::string FreshPostgresDatabase() {
  static int counter = 0;
  const std::string name = "t_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  const std::string& base = PostgresBaseUrl();
  auto admin = Database::Open(base, false);
  if (!admin.ok()) throw std::runtime_error(admin.status().message());
  Status s = (*admin)->Exec("CREATE DATABASE " + name);  // a name we made, never input
  if (!s.ok()) throw std::runtime_error(s.message());
  return base.substr(0, base.rfind('/') + 1) + name;
}

}  // namespace percept::testing
