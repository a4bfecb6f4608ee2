// One client connection and the counts it is admitted by: what the reactor, the workers and the
// stream of connections.cc share. Internal to server/.
#pragma once

#include <openssl/ssl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "connections.h"

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

// Records why reading the current thread's request stopped, for CurrentReadFailure().
void SetCurrentReadFailure(ReadFailure failure);

struct GuardedTlsServer::Gate {
  enum class Admission { kServe, kRefuse, kClose };

  explicit Gate(const ConnectionLimits& l) : limits(l) {}

  // Counts a connection from `address` in (unless closed at once) and says how to treat it:
  // served, answered 503, or closed.
  Admission Admit(const std::string& address) {
    const int64_t now_open = open.load();
    if (now_open >= limits.max_connections + kOverCapBacklog) return Reject(Admission::kClose);
    bool refuse = now_open >= limits.max_connections;
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

  const ConnectionLimits limits;
  std::atomic<int64_t> open{0};
  std::atomic<int64_t> waiting{0};
  std::atomic<uint64_t> accepted{0}, rejected{0}, rejected_per_address{0}, timed_out{0},
      headers_too_large{0};
  std::mutex addresses_mu;
  std::unordered_map<std::string, int> per_address;  // open connections by peer address
};

struct GuardedTlsServer::Connection {
  enum class State { kHandshake, kIdle, kHeaders, kLinger };

  // Takes over `fd` and `ssl`, admitted by `g` for `from`.
  Connection(int fd_in, SSL* ssl_in, bool over, std::shared_ptr<Gate> g, std::string from)
      : fd(fd_in), ssl(ssl_in), over_cap(over), gate(std::move(g)), address(std::move(from)) {}
  ~Connection() {
    SSL_free(ssl);
    ::close(fd);
    gate->Leave(address);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Enter(State s, Clock::duration for_at_most) {
    state = s;
    deadline = Clock::now() + for_at_most;
  }

  const int fd;
  SSL* const ssl;
  const bool over_cap;
  std::shared_ptr<Gate> gate;
  const std::string address;  // the peer's address bytes, for its own limit
  State state = State::kHandshake;
  Clock::time_point deadline;
  Clock::time_point request_start;
  std::string buffered;  // decrypted bytes of the next request, read by the reactor
  ReadFailure failure = ReadFailure::kNone;  // found by the reactor; a worker answers it
};

using ConnectionPtr = std::unique_ptr<GuardedTlsServer::Connection>;

// The time a connection has for a request's headers; one over a cap gets a short time to say
// what it is refused.
inline Clock::duration RequestTime(const GuardedTlsServer::Connection& c) {
  return c.over_cap ? Clock::duration(kOverCapRequestTime)
                    : Clock::duration(std::chrono::seconds(c.gate->limits.request_timeout_seconds));
}

}  // namespace percept
