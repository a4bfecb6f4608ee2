// `percept serve`: the HTTPS API of docs/api.md over the storage library.
//
// Its routes are resources (one class each, its header beside its .cc) registered on a Router
// whose one guard admits every caller (router.h); api_server.cc wires them to the storage and
// the network.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/net/connection_limits.h"
#include "percept/submission.h"  // QualityOptions

namespace percept {

struct ServerOptions {
  std::string db_path = "data/percept.db";
  std::string host = "127.0.0.1";
  int port = 8443;        // 0 picks a free port, printed on start
  std::string cert_path;  // empty: the development certificate next to the database
  std::string key_path;
  std::string survey_dir = "survey_defs";
  int min_n = 10;
  double standard = 50;
  double min_gap = 5;
  double min_gap_pp = 10;  // part (b): indicator cells, in percentage points
  QualityOptions quality;  // what flags an interview at ingest (docs/supervision.md)
  size_t max_body_bytes = 2 * 1024 * 1024;
  size_t max_batch = 1000;
  int max_json_depth = 32;
  double rate_limit = 200;       // requests a second per token (bursts of twice that); 0: no limit
  ConnectionLimits connections;  // workers, connection cap, request deadline, keep-alive
  bool log_requests = true;
  // The windows institution readers may ask for (month, quarter or year): see RunScores.
  std::string institution_period = "month";
  // Whether institution readers see the families' proposals about themselves (free text may
  // name a family: off by default).
  bool share_proposals = false;
  // The browser tablet's bundles (web/, built by CMake into build/web): /web/enter.js.
  std::string web_dir = PERCEPT_WEB_DIR;
  // Reverse proxies whose X-Forwarded-For is believed (docs/security.md, "Behind a proxy").
  std::vector<std::string> trusted_proxies;
};

class ApiServer {
 public:
  // Opens the database (which must be initialised), loads and publishes the survey
  // definitions, and prepares TLS. Nothing listens yet.
  static Result<std::unique_ptr<ApiServer>> Create(const ServerOptions& options);
  ~ApiServer();

  // Binds the listening socket; returns the port (the chosen one when options.port is 0).
  Result<int> Bind();
  // Serves until Stop(); then lets in-flight requests finish and the writer drain.
  void Run();
  // Safe from any thread.
  void Stop();

  struct Impl;  // api_server.cc

 private:
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace percept
