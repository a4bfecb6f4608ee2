#include "percept/mobile/server_link.h"

#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

namespace percept {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::unique_ptr<httplib::SSLClient> Connect(const ServerEndpoint& s) {
  auto c = std::make_unique<httplib::SSLClient>(s.host, s.port);
  if (!s.cacert.empty()) c->set_ca_cert_path(s.cacert.c_str());
  c->enable_server_certificate_verification(true);
  c->set_keep_alive(true);
  c->set_tcp_nodelay(true);
  c->set_connection_timeout(5, 0);
  c->set_read_timeout(60, 0);
  c->set_write_timeout(60, 0);
  c->set_default_headers({{"Authorization", "Bearer " + s.token}});
  return c;
}

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void DrawProgress(const SyncReport& r, int64_t total) {
  const int64_t done = r.created + r.duplicate + r.rejected;
  const int width = 30;
  const int filled = total > 0 ? static_cast<int>(width * done / total) : width;
  std::fprintf(stderr, "\r[%.*s%*s] %lld/%lld sent%s", filled, "##############################",
               width - filled, "", static_cast<long long>(done), static_cast<long long>(total),
               r.retries ? (", retrying (" + std::to_string(r.retries) + ")").c_str() : "");
  std::fflush(stderr);
}

}  // namespace

Result<ServerEndpoint> ParseServerUrl(const std::string& url, const std::string& token,
                                      const std::string& cacert) {
  const std::string scheme = "https://";
  if (url.compare(0, scheme.size(), scheme) != 0) {
    return Status::InvalidParameter(
        "--server must be an https:// URL (interviews never travel unencrypted)");
  }
  std::string rest = url.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  ServerEndpoint e;
  e.token = token;
  e.cacert = cacert;
  const size_t colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']') == std::string::npos) {
    e.host = rest.substr(0, colon);
    try {
      e.port = std::stoi(rest.substr(colon + 1));
    } catch (const std::exception&) {
      return Status::InvalidParameter("--server: '" + rest.substr(colon + 1) + "' is not a port");
    }
  } else {
    e.host = rest;
  }
  if (e.host.empty() || e.host.find('/') != std::string::npos)
    return Status::InvalidParameter("--server: no host in " + url);
  if (token.empty()) return Status::InvalidParameter("--token is required");
  if (!cacert.empty() && ::access(cacert.c_str(), R_OK) != 0) {
    return Status::InvalidParameter("--cacert: cannot read " + cacert);
  }
  return e;
}

namespace {

// A certificate the tablet does not trust is a setting to fix, not a network hiccup to retry.
bool IsCertificateError(httplib::Error e) {
  return e == httplib::Error::SSLServerVerification || e == httplib::Error::SSLLoadingCerts;
}

Status CertificateError(const ServerEndpoint& server) {
  return Status::InvalidParameter(
      "the server's certificate is not trusted by this tablet: " +
      std::string(server.cacert.empty()
                      ? "pass the certificate to trust with --cacert FILE (for the demo server: "
                        "--cacert data/dev-cert.pem)"
                      : "--cacert " + server.cacert + " is not the certificate this server uses"));
}

}  // namespace

Result<SyncReport> Sync(OfflineQueue& queue, const ServerEndpoint& server,
                        const SyncOptions& options) {
  SyncReport report;
  const auto start = Clock::now();
  auto counts = queue.Counts();
  if (!counts.ok()) return counts.status();
  const int64_t total = counts->pending;
  std::mt19937_64 rng(
      options.seed ? options.seed : static_cast<uint64_t>(Clock::now().time_since_epoch().count()));
  auto client = Connect(server);
  int batch = std::clamp(options.batch, 1, 1000);
  int attempt = 0;
  auto last_progress = Clock::now();

  for (;;) {
    auto pending = queue.Pending(batch);
    if (!pending.ok()) return pending.status();
    if (pending->empty()) break;
    std::string body = "{\"submissions\":[";
    for (size_t i = 0; i < pending->size(); ++i) {
      if (i) body += ',';
      body += (*pending)[i].body;
    }
    body += "]}";
    auto res = client->Post("/api/v1/submissions/batch", body, "application/json");

    double retry_after = -1;
    if (res && res->status == 200) {
      json parsed = json::parse(res->body, nullptr, false);
      const json* results =
          parsed.is_object() && parsed.contains("results") ? &parsed["results"] : nullptr;
      if (!results || !results->is_array() || results->size() != pending->size()) {
        report.last_error = "the server's answer does not list one result per interview";
      } else {
        std::vector<int64_t> sent;
        std::vector<std::pair<int64_t, std::string>> rejected;
        for (size_t i = 0; i < pending->size(); ++i) {
          const json& r = (*results)[i];
          const std::string status = r.value("status", "");
          if (status == "created" || status == "duplicate") {
            sent.push_back((*pending)[i].id);
            (status == "created" ? report.created : report.duplicate)++;
          } else {
            rejected.push_back(
                {(*pending)[i].id, r.contains("error") ? r["error"].dump() : "rejected"});
            report.rejected++;
          }
        }
        Status s = queue.Settle(sent, rejected);
        if (!s.ok()) return s;
        attempt = 0;
        last_progress = Clock::now();
        if (options.progress) DrawProgress(report, total);
        continue;
      }
    } else if (res && (res->status == 401 || res->status == 403)) {
      if (options.progress) std::fprintf(stderr, "\n");
      return res->status == 401
                 ? Status::Unauthenticated("the server does not accept this token (401)")
                 : Status::Forbidden("this token may not submit interviews (403)");
    } else if (res && res->status == 413 && batch > 1) {
      batch = std::max(1, batch / 2);  // a smaller batch fits
      continue;
    } else if (res) {
      report.last_error = "HTTP " + std::to_string(res->status);
      if (res->has_header("Retry-After")) {
        try {
          retry_after = std::stod(res->get_header_value("Retry-After"));
        } catch (const std::exception&) {
        }
      }
      if (res->status != 408 && res->status != 429 && res->status != 503 && res->status < 500) {
        // The whole batch was refused for a reason retrying cannot change.
        if (options.progress) std::fprintf(stderr, "\n");
        return Status::Internal("the server refused the batch: HTTP " +
                                std::to_string(res->status) + " " + res->body.substr(0, 300));
      }
    } else {
      if (IsCertificateError(res.error())) {
        if (options.progress) std::fprintf(stderr, "\n");
        return CertificateError(server);
      }
      report.last_error = "network: " + httplib::to_string(res.error());
      client = Connect(server);  // a fresh connection after a dropped one
    }

    // Retry later: exponential backoff with jitter, so that a fleet of tablets coming back
    // online does not hammer the server in step.
    if (Since(last_progress) > options.give_up_seconds) break;
    report.retries++;
    const double base = std::min(10.0, 0.2 * std::pow(2.0, attempt++));
    const double wait = retry_after >= 0
                            ? retry_after
                            : base * std::uniform_real_distribution<double>(0.5, 1.5)(rng);
    if (options.progress) DrawProgress(report, total);
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  }
  if (options.progress) std::fprintf(stderr, "\n");
  counts = queue.Counts();
  if (!counts.ok()) return counts.status();
  report.pending = counts->pending;
  report.seconds = Since(start);
  return report;
}

Result<LoadReport> RunLoad(const ServerEndpoint& server, const LoadOptions& options,
                           const std::function<std::string()>& next_body) {
  std::atomic<int64_t> issued{0}, ok{0}, failed{0}, throttled{0};
  std::atomic<bool> untrusted{false};
  std::mutex mu;
  std::vector<double> latencies;
  const auto start = Clock::now();
  auto more = [&] {
    if (options.count > 0) return issued++ < options.count;
    return Since(start) < options.seconds;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < options.concurrency; ++t) {
    threads.emplace_back([&] {
      auto client = Connect(server);
      std::vector<double> mine;
      while (more() && !untrusted) {
        const std::string body = next_body();
        const auto t0 = Clock::now();
        auto res = client->Post("/api/v1/submissions", body, "application/json");
        mine.push_back(Since(t0) * 1000);
        if (res && (res->status == 201 || res->status == 200)) {
          ok++;
        } else if (res && (res->status == 429 || res->status == 503)) {
          // Over the server's rate limit (or busy): wait as it says, like a tablet would.
          throttled++;
          double wait = 1;
          try {
            if (res->has_header("Retry-After"))
              wait = std::stod(res->get_header_value("Retry-After"));
          } catch (const std::exception&) {
          }
          std::this_thread::sleep_for(std::chrono::duration<double>(std::clamp(wait, 0.05, 10.0)));
        } else {
          failed++;
          if (!res && IsCertificateError(res.error())) {
            untrusted = true;
            break;
          }
          if (!res) client = Connect(server);
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  if (untrusted) return CertificateError(server);
  LoadReport r;
  r.seconds = Since(start);
  r.ok = ok;
  r.failed = failed;
  r.throttled = throttled;
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double p) {
      return latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * latencies.size()))];
    };
    r.p50_ms = pct(0.50);
    r.p95_ms = pct(0.95);
    r.p99_ms = pct(0.99);
    r.max_ms = latencies.back();
  }
  return r;
}

}  // namespace percept
