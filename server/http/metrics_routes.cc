// GET /healthz and GET /metrics (Prometheus text): open to the machine itself (a local agent),
// elsewhere to analysts and admins.
#include <string>

#include "percept/http/http_support.h"
#include "metrics_routes.h"

namespace percept {

void MetricsResource::Register(Router& router) {
  router.On("GET", "/healthz", Access::kOpen, {}, 0,
            [](const httplib::Request&, httplib::Response& res, const Principal*) {
              SendJson(res, 200, {{"status", "ok"}});
            });
  router.On(
      "GET", "/metrics", Access::kLocalApi, {Role::kAnalyst, Role::kAdmin}, 0,
      [this](const httplib::Request&, httplib::Response& res, const Principal*) { Metrics(res); });
}

void MetricsResource::Metrics(httplib::Response& res) const {
  const WriterStats w = writer_->stats();
  const ConnectionStats c = http_->stats();
  std::string out;
  auto metric = [&out](const char* name, const char* type, const char* help, auto value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(value) + "\n";
  };
  out +=
      "# HELP percept_http_responses_total HTTP responses by status class.\n# TYPE "
      "percept_http_responses_total counter\n";
  for (int k = 1; k <= 5; ++k) {
    out += "percept_http_responses_total{class=\"" + std::to_string(k) + "xx\"} " +
           std::to_string((*responses_)[k].load()) + "\n";
  }
  metric("percept_submissions_written_total", "counter",
         "Submissions through the writer (created, duplicate or conflict).", w.submissions);
  metric("percept_write_transactions_total", "counter", "Group-commit transactions.",
         w.transactions);
  metric("percept_aggregates_generation", "gauge", "Generation of the aggregates mirror.",
         aggregates_->loaded_generation());
  metric("percept_enumerator_summary_reads_total", "counter",
         "Reads of a survey's interviews for the enumerator summary (callers at once share one).",
         reviews_->enumerator_reads());
  metric("percept_connections_open", "gauge",
         "Connections open: handshaking, idle, waiting for a worker or being answered.", c.open);
  metric("percept_connections_waiting", "gauge",
         "Connections with a request read, waiting for a worker.", c.waiting);
  metric("percept_connections_accepted_total", "counter", "Connections within the cap.",
         c.accepted);
  metric("percept_connections_rejected_total", "counter",
         "Connections over a cap, answered 503 or closed.", c.rejected);
  metric("percept_connections_rejected_per_address_total", "counter",
         "Of those, connections over their address's own cap.", c.rejected_per_address);
  metric("percept_requests_timed_out_total", "counter",
         "Requests cut off at their read deadline (408).", c.timed_out);
  metric("percept_requests_headers_too_large_total", "counter",
         "Requests refused for their header size (431).", c.headers_too_large);
  metric("percept_requests_malformed_total", "counter",
         "Requests refused as malformed or ambiguous (400), their connection closed.", c.malformed);
  metric("percept_requests_bodies_refused_total", "counter",
         "Requests whose body was refused before it was read (401, 403, 404, 405, 413).",
         c.refused_bodies);
  metric("percept_connections_shed_total", "counter",
         "Idle or unauthenticated connections closed to make room at the cap.", c.shed);
  metric("percept_body_bytes_reserved", "gauge",
         "Memory promised to request bodies being received.", c.body_bytes_reserved);
  metric(
      "percept_uptime_seconds", "gauge", "Seconds since the server started.",
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count());
  res.status = 200;
  res.set_content(out, "text/plain; version=0.0.4");
}

}  // namespace percept
