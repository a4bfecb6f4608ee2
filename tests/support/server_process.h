// Runs the real `percept` binary for end-to-end tests: a temporary database with the demo
// institutions and tokens, and `percept serve` on a free loopback port over real TLS. With
// PERCEPT_TEST_BACKEND=postgres the database is a new one on the tests' PostgreSQL server
// (pg_cluster.h), and percept runs in the temporary folder, where it keeps its other files.
#pragma once

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pg_cluster.h"
#include "test_support.h"

namespace percept::testing {

// Whether this run's servers keep their data in PostgreSQL (PERCEPT_TEST_BACKEND=postgres).
inline bool TestingOnPostgres() {
  const char* b = std::getenv("PERCEPT_TEST_BACKEND");
  return b && std::string(b) == "postgres";
}

inline std::string Shell(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed: " + cmd);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (status) *status = WEXITSTATUS(rc);
  return out;
}

inline std::string LastLine(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.find_last_of('\n') + 1);
}

class ServerProcess {
 public:
  // Makes a fresh folder with an initialised database, the demo institutions and one token of
  // each role (plus an institution token for cesfam-tal-1).
  // `on_postgres`: a PostgreSQL database whatever PERCEPT_TEST_BACKEND says.
  explicit ServerProcess(std::vector<std::string> extra_args = {}, bool on_postgres = false)
      : extra_args_(std::move(extra_args)) {
    char tmpl[] = "/tmp/percept-e2e-XXXXXX";
    dir_ = mkdtemp(tmpl);
    db_ = TestingOnPostgres() || on_postgres ? FreshPostgresDatabase() : dir_ + "/percept.db";
    Admin("init");
    Admin("institution import " + SourcePath("survey_defs/institutions-demo.csv"));
    enumerator_token = LastLine(Admin("token create --role enumerator --name tab-e2e"));
    analyst_token = LastLine(Admin("token create --role analyst --name consultant"));
    institution_token = LastLine(
        Admin("token create --role institution --name cesfam-staff --institution cesfam-tal-1"));
    Start();
  }
  // A second server on `primary`'s (PostgreSQL) database: its own folder, port and
  // certificate; the same tokens and household-identifier key.
  struct SameDatabase {
    const ServerProcess& as;
  };
  ServerProcess(SameDatabase same, std::vector<std::string> extra_args = {})
      : enumerator_token(same.as.enumerator_token),
        analyst_token(same.as.analyst_token),
        institution_token(same.as.institution_token),
        extra_args_(std::move(extra_args)) {
    char tmpl[] = "/tmp/percept-e2e-XXXXXX";
    dir_ = mkdtemp(tmpl);
    db_ = same.as.db_;
    Shell("cp '" + same.as.dir_ + "/household-key' '" + dir_ + "/'");
    Start();
  }

  ~ServerProcess() {
    Kill(SIGKILL);
    Shell("rm -rf '" + dir_ + "'");
  }

  // Runs `percept --db <db> ARGS`; throws unless it exits 0.
  std::string Admin(const std::string& args) {
    int status = 0;
    std::string out = Shell("cd '" + dir_ + "' && " + std::string(PERCEPT_BIN) + " --db '" + db_ +
                                "' " + args + " 2>/dev/null",
                            &status);
    if (status != 0) throw std::runtime_error("percept " + args + " failed");
    return out;
  }

  void Start() {
    std::string out = dir_ + "/serve.out";
    std::remove(out.c_str());
    std::fflush(stdout);  // else the child would write our buffered output a second time
    std::fflush(stderr);
    pid_ = fork();
    if (pid_ == 0) {
      if (chdir(dir_.c_str()) != 0) _exit(126);
      std::freopen(out.c_str(), "w", stdout);
      std::freopen((dir_ + "/serve.log").c_str(), "a", stderr);
      // A restart keeps the port, as a real server's address stays put for its tablets.
      std::vector<std::string> args = {PERCEPT_BIN,
                                       "--db",
                                       db_,
                                       "serve",
                                       "--port",
                                       std::to_string(port),
                                       "--survey-dir",
                                       SourcePath("survey_defs")};
      args.insert(args.end(), extra_args_.begin(), extra_args_.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(PERCEPT_BIN, argv.data());
      _exit(127);
    }
    // The server prints "percept: listening on https://127.0.0.1:PORT" once it accepts.
    for (int i = 0; i < 300; ++i) {
      std::ifstream in(out);
      std::string line;
      if (std::getline(in, line) && line.find("listening on") != std::string::npos) {
        port = std::stoi(line.substr(line.rfind(':') + 1));
        return;
      }
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("percept serve exited early; see " + dir_ + "/serve.log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("percept serve did not start");
  }

  // Queues interviews with `percept-tablet simulate ARGS` into `queue`; throws unless it exits 0.
  void Simulate(const std::string& queue, const std::string& args) {
    int status = 0;
    Shell(std::string(PERCEPT_TABLET_BIN) + " simulate --survey-file " +
              SourcePath("survey_defs/chs-perception-v2.json") + " --institutions " +
              SourcePath("survey_defs/institutions-demo.csv") + " --queue '" + queue + "' " + args +
              " 2>&1",
          &status);
    if (status != 0) throw std::runtime_error("percept-tablet simulate " + args + " failed");
  }

  // The command line of `percept-tablet sync` against this server.
  std::string SyncCommand(const std::string& queue, const std::string& extra = "") const {
    return std::string(PERCEPT_TABLET_BIN) + " sync --queue '" + queue +
           "' --server https://127.0.0.1:" + std::to_string(port) + " --token " + enumerator_token +
           " --cacert '" + dir_ + "/dev-cert.pem' " + extra;
  }

  // Sends `sig` and waits for the process; returns its exit status (-1 when killed by a signal).
  // A server still running 60 s after a SIGTERM is killed and answers -2 (a failure the test
  // sees, rather than a test that hangs).
  int Kill(int sig) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    int status = 0;
    for (int i = 0; i < 6000 && waitpid(pid_, &status, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (kill(pid_, 0) == 0 && waitpid(pid_, &status, WNOHANG) == 0) {
      std::fprintf(stderr, "percept serve ignored signal %d for 60 s; killed\n", sig);
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return -2;
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::unique_ptr<httplib::SSLClient> Client() const {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
    c->set_ca_cert_path((dir_ + "/dev-cert.pem").c_str());
    c->enable_server_certificate_verification(true);
    c->set_keep_alive(true);
    c->set_read_timeout(30, 0);
    return c;
  }

  pid_t pid() const { return pid_; }
  // The server's peak resident memory so far, in MB (VmHWM), or -1 when not running.
  double PeakRssMb() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    }
    return -1;
  }

  std::string Log() const {
    std::ifstream in(dir_ + "/serve.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  const std::string& dir() const { return dir_; }
  const std::string& db() const { return db_; }

  int port = 0;
  std::string enumerator_token, analyst_token, institution_token;

 private:
  std::vector<std::string> extra_args_;
  std::string dir_, db_;
  pid_t pid_ = -1;
};

inline httplib::Headers Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// Every stored interview of chs-perception, read through the API page by page, as a consultant
// would. Throws when the server does not answer 200.
// GET `path` with `token`; requires `expect_status` and returns the body as JSON.
inline nlohmann::json GetJson(httplib::SSLClient& c, const std::string& path,
                              const std::string& token, int expect_status = 200) {
  auto r = c.Get(path.c_str(), Bearer(token));
  REQUIRE(r);
  INFO(path << " -> " << r->body.substr(0, 300));
  REQUIRE(r->status == expect_status);
  return nlohmann::json::parse(r->body);
}

inline std::vector<nlohmann::json> StoredSubmissions(ServerProcess& server) {
  auto c = server.Client();
  std::vector<nlohmann::json> all;
  std::string cursor;
  for (;;) {
    const std::string path = "/api/v1/submissions?survey=chs-perception&limit=1000" +
                             (cursor.empty() ? std::string() : "&after=" + cursor);
    auto r = c->Get(path.c_str(), Bearer(server.analyst_token));
    if (!r || r->status != 200) throw std::runtime_error("listing the stored submissions failed");
    nlohmann::json page = nlohmann::json::parse(r->body);
    for (nlohmann::json& item : page["items"]) all.push_back(std::move(item));
    if (page["next"].is_null()) return all;
    cursor = page["next"].get<std::string>();
  }
}

}  // namespace percept::testing
