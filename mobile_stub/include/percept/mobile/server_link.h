// How percept-tablet reaches the server: its URL, token and trusted CA, and the two things it
// does there: sync the offline queue, and drive load.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/mobile/offline_queue.h"

namespace percept {

struct ServerEndpoint {
  std::string host;
  int port = 443;
  std::string token;
  std::string cacert;  // a PEM file to trust (e.g. the server's development certificate)
};

// Accepts https://HOST[:PORT][/]; plain http is refused (interviews travel encrypted only).
Result<ServerEndpoint> ParseServerUrl(const std::string& url, const std::string& token,
                                      const std::string& cacert);

struct SyncOptions {
  int batch = 200;               // interviews per request (the server takes up to 1000)
  double give_up_seconds = 300;  // stop retrying after this long without any progress
  bool progress = false;         // draw a progress bar on stderr
  uint64_t seed = 0;             // for the backoff jitter; 0: from the clock
};

struct SyncReport {
  int64_t created = 0, duplicate = 0, rejected = 0, pending = 0;
  int64_t retries = 0;
  double seconds = 0;
  std::string last_error;  // why the last attempt failed, when pending > 0
};

// Sends every pending interview in batches. An interview is marked sent only once the server
// acknowledged it (created or duplicate); one the server rejects is kept aside with its
// reason. Network errors, 429 and 503 are retried with exponential backoff and jitter
// (honouring Retry-After); 401 and 403 stop at once (retrying cannot help).
Result<SyncReport> Sync(OfflineQueue& queue, const ServerEndpoint& server,
                        const SyncOptions& options);

struct LoadOptions {
  int concurrency = 16;
  double seconds = 10;  // used when count is 0
  int64_t count = 0;
};

struct LoadReport {
  int64_t ok = 0, failed = 0;
  int64_t throttled = 0;  // answered 429 or 503: waited for Retry-After, then went on
  double seconds = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
};

// `concurrency` connections over TLS keep-alive, each POSTing one interview at a time from
// `next_body` (called from many threads; must be thread-safe) until the time or count is up.
Result<LoadReport> RunLoad(const ServerEndpoint& server, const LoadOptions& options,
                           const std::function<std::string()>& next_body);

}  // namespace percept
