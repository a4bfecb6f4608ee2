// Health and metrics.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include <array>
#include <atomic>
#include <chrono>
#include <string>

#include "percept/net/connections.h"
#include "percept/storage/aggregates.h"
#include "percept/storage/submission_writer.h"
#include "review_routes.h"
#include "router.h"

namespace percept {

// Requests answered, by status class (1xx..5xx), for /metrics.
using ResponseCounts = std::array<std::atomic<uint64_t>, 6>;

// GET /healthz, GET /metrics (Prometheus text).
class MetricsResource {
 public:
  MetricsResource(const SubmissionWriter* writer, const GuardedTlsServer* http,
                  const Aggregates* aggregates, const ResponseCounts* responses,
                  const ReviewResource* reviews)
      : writer_(writer),
        http_(http),
        aggregates_(aggregates),
        responses_(responses),
        reviews_(reviews) {}
  void Register(Router& router);

 private:
  void Metrics(httplib::Response& res) const;

  const SubmissionWriter* writer_;
  const GuardedTlsServer* http_;
  const Aggregates* aggregates_;
  const ResponseCounts* responses_;
  const ReviewResource* reviews_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace percept
