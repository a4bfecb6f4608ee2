// One client connection and the counts it is admitted by: what the reactor, the workers and the
// stream of connections.cc share. Internal to server/net.
#pragma once

#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "percept/net/connection_limits.h"
#include "percept/net/request_reader.h"
#include "percept/net/request_scope.h"

namespace percept {

using Clock = std::chrono::steady_clock;

// Connections accepted over the cap that still get their 503; beyond these, closed at once.
inline constexpr int64_t kOverCapBacklog = 64;
// The same, for one address over its own limit.
inline constexpr int kOverAddressBacklog = 8;
// Time for a TLS handshake, and for a connection over the cap to send the request it is
// refused.
inline constexpr auto kHandshakeTime = std::chrono::seconds(10);
inline constexpr auto kOverCapRequestTime = std::chrono::seconds(3);
// After an answer a worker looks this long for the client's next request before handing the
// connection back to the reactor: back-to-back requests (a tablet's batches) skip the hop.
inline constexpr auto kWorkerKeepsFor = std::chrono::milliseconds(2);
inline constexpr auto kLinger = std::chrono::seconds(2);
inline constexpr int kReactorTickMs = 100;

enum class Wait { kReady, kTimedOut, kError };

// Waits until `fd` is ready for `events` or `deadline` passes. Readiness includes the peer
// closing: the next read then sees it.
Wait WaitFor(int fd, short events, Clock::time_point deadline);
inline bool Ready(int fd, short events, Clock::time_point deadline) {
  return WaitFor(fd, events, deadline) == Wait::kReady;
}

struct ConnectionGate {
  enum class Admission { kServe, kRefuse, kClose };

  explicit ConnectionGate(const ConnectionLimits& l) : limits(l) {}

  // Counts a connection from `address` in (unless closed at once) and says how to treat it:
  // served, answered 503, or closed. Over the global cap it is still let in, up to
  // kOverCapBacklog: the reactor then sheds an idle connection for it, or answers it 503.
  Admission Admit(const std::string& address) {
    const int64_t now_open = open.load();
    if (now_open >= limits.max_connections + kOverCapBacklog) return Reject(Admission::kClose);
    bool refuse = false;
    if (limits.max_per_address > 0) {
      std::lock_guard<std::mutex> lock(addresses_mu);
      int& n = per_address[address];
      if (n >= limits.max_per_address + kOverAddressBacklog) {
        rejected_per_address++;
        return Reject(Admission::kClose);
      }
      if (n >= limits.max_per_address) {
        rejected_per_address++;
        refuse = true;
      }
      ++n;
    }
    open++;
    return refuse ? Reject(Admission::kRefuse) : (accepted++, Admission::kServe);
  }

  // Memory for a body about to be received; false when the budget is spent.
  bool ReserveBody(int64_t bytes) {
    if (body_reserved.fetch_add(bytes) + bytes <= static_cast<int64_t>(limits.body_budget)) {
      return true;
    }
    body_reserved -= bytes;
    return false;
  }

  void Leave(const std::string& address) {
    open--;
    if (limits.max_per_address <= 0) return;
    std::lock_guard<std::mutex> lock(addresses_mu);
    auto it = per_address.find(address);
    if (it != per_address.end() && --it->second <= 0) per_address.erase(it);
  }

  Admission Reject(Admission a) {
    rejected++;
    return a;
  }

  // Threading: shared by the accept thread, the reactor and the workers (a shared_ptr each);
  // every counter is an atomic, read by /metrics on any thread; addresses_mu guards per_address.
  const ConnectionLimits limits;
  std::atomic<int64_t> open{0};
  std::atomic<int64_t> waiting{0};
  std::atomic<int64_t> body_reserved{0};
  std::atomic<uint64_t> accepted{0}, rejected{0}, rejected_per_address{0}, timed_out{0},
      headers_too_large{0}, malformed{0}, refused_bodies{0}, shed{0};
  std::mutex addresses_mu;
  std::unordered_map<std::string, int> per_address;  // open connections by peer address
};

struct ClientConnection {
  // kHandshake: TLS; kIdle: between requests; kHeaders: a request's head is arriving; kBody:
  // an admitted body is arriving; kLinger: answered and closing, the peer's bytes drained.
  enum class State { kHandshake, kIdle, kHeaders, kBody, kLinger };

  // Takes over `fd` and `ssl`, admitted by `g` for `from`.
  ClientConnection(int fd_in, SSL* ssl_in, bool over, std::shared_ptr<ConnectionGate> g, std::string from)
      : fd(fd_in),
        ssl(ssl_in),
        over_cap(over),
        gate(std::move(g)),
        address(std::move(from)),
        reader(kMaxHeaderBytes, gate->limits.max_body) {}
  ~ClientConnection() {
    SSL_free(ssl);
    ::close(fd);
    ReleaseBody();
    gate->Leave(address);
  }
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  void Enter(State s, Clock::duration for_at_most) {
    state = s;
    since = Clock::now();
    deadline = since + for_at_most;
  }
  void ReleaseBody() {
    gate->body_reserved -= reserved;
    reserved = 0;
  }

  // Which connections give way first when a new one arrives at the cap (lower first); -1:
  // never (its admitted body is arriving).
  int SheddingClass() const {
    switch (state) {
      case State::kHandshake:
      case State::kLinger:
        return 0;
      case State::kHeaders:
        return requests == 0 ? 0 : 1;
      case State::kIdle:
        return requests == 0 ? 0 : (authenticated ? 2 : 1);
      case State::kBody:
        return -1;
    }
    return -1;
  }

  const int fd;
  SSL* const ssl;
  bool over_cap;  // answered 503 once its request's head is read
  std::shared_ptr<ConnectionGate> gate;
  const std::string address;  // the peer's address bytes, for its own limit
  State state = State::kHandshake;
  Clock::time_point since;  // when it entered `state`
  Clock::time_point deadline;
  Clock::time_point request_start;
  RequestReader reader;        // the request arriving
  bool timed_out = false;      // found by the reactor past the deadline; a worker answers 408
  bool authenticated = false;  // a body of this connection's was admitted
  uint64_t requests = 0;       // answered on this connection
  RequestScope scope;          // the request being served's (RequestScopeOf)
  int64_t reserved = 0;        // of the gate's body budget, for the body arriving
  // The two ends as text, which cpp-httplib asks for at every request: looked up once.
  struct Endpoint {
    bool known = false;
    std::string ip;
    int port = 0;
  };
  Endpoint remote, local;
};

using ConnectionPtr = std::unique_ptr<ClientConnection>;

// The time a connection has for a request's headers; one over a cap gets a short time to say
// what it is refused.
inline Clock::duration RequestTime(const ClientConnection& c) {
  return c.over_cap ? Clock::duration(kOverCapRequestTime)
                    : Clock::duration(std::chrono::seconds(c.gate->limits.request_timeout_seconds));
}

// The request time allowed so far for the one arriving on `c`: its headers get RequestTime,
// its body 1 s more per `min_body_rate` bytes received.
inline Clock::time_point RequestDeadline(const ClientConnection& c) {
  auto allowance = std::chrono::duration<double>(RequestTime(c));
  if (c.state == ClientConnection::State::kBody) {
    allowance += std::chrono::duration<double>(
        static_cast<double>(c.reader.body_bytes()) /
        static_cast<double>(std::max<size_t>(1, c.gate->limits.min_body_rate)));
  }
  return c.request_start + std::chrono::duration_cast<Clock::duration>(allowance);
}

// Reads what `c`'s socket has without blocking, into its reader. kMore: nothing more for now;
// kRequest: a worker is needed (a head to admit, a whole request, or one to refuse); kClosed:
// the peer is gone.
enum class Pulled { kMore, kRequest, kClosed };
// `read_socket` false: only what is already held is looked at (kMore when it is not a request).
Pulled Pull(ClientConnection& c, bool read_socket = true);

}  // namespace percept
