// The baseline of bench/ingest.sh: a bare cpp-httplib TLS server that only parses each POSTed
// JSON body and answers 201, configured as docs/dependencies.md says (TCP_NODELAY, unlimited
// keep-alive, a thread per connection). What Percept adds over it (validation, the store, the
// fsync, the aggregates) is the ratio the benchmark prints.
//
//   percept-bench-bare-tls CERT KEY   prints "listening on https://127.0.0.1:PORT", then serves
#include <httplib.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s CERT KEY\n", argv[0]);
    return 2;
  }
  httplib::SSLServer server(argv[1], argv[2]);
  if (!server.is_valid()) {
    std::fprintf(stderr, "percept-bench-bare-tls: cannot load %s and %s\n", argv[1], argv[2]);
    return 1;
  }
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000000);
  server.set_keep_alive_timeout(30);
  server.Post("/api/v1/submissions", [](const httplib::Request& req, httplib::Response& res) {
    const auto doc = nlohmann::json::parse(req.body, nullptr, false);
    if (!doc.is_object()) {
      res.status = 400;
      return;
    }
    res.status = 201;
    res.set_content("{\"outcome\":\"created\"}", "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::printf("listening on https://127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
  return 0;
}
