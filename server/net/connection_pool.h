// cpp-httplib's task queue, replaced by a reactor and workers. Accepted sockets are adopted by
// the reactor on the accept thread (GuardedTlsServer::process_and_close_socket); the reactor
// does their TLS handshakes, reads requests (heads, then admitted bodies) and keeps idle
// connections, and passes a connection to a worker only once a request's head is here to be
// admitted, or the whole request to be answered. Internal to server/net.
//
// Threads: the reactor alone touches `Watched` and the connections in it; a connection is owned
// by exactly one of the inbox, the reactor, the ready queue or a worker at a time (a
// ConnectionPtr moves between them). `mu_` guards stopped_, inbox_ and ready_.
#pragma once

#include <httplib.h>
#include <sys/epoll.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "connection.h"

namespace percept {

class ConnectionPool final : public httplib::TaskQueue {
 public:
  // `serve` runs on a worker for each connection with a request to answer.
  ConnectionPool(std::shared_ptr<ConnectionGate> gate, std::function<void(ConnectionPtr)> serve);
  ~ConnectionPool() override;

  // cpp-httplib's accept loop calls this with a task that calls process_and_close_socket.
  void enqueue(std::function<void()> fn) override { fn(); }
  // Closes what the reactor holds; workers finish the requests they have, then stop.
  void shutdown() override;

  // Any thread: the reactor takes `c` over (new, between requests, or lingering).
  void Watch(ConnectionPtr c);
  // Whether a connection with a request is waiting for a worker.
  bool Busy() const { return gate_->waiting.load() > 0; }

 private:
  enum class Next { kWatch, kDispatch, kClose };
  using Watched = std::unordered_map<int, ConnectionPtr>;

  void Wake();
  void React();
  void Handle(Watched& watched, Watched::iterator it);
  Watched::iterator Release(Watched& watched, Watched::iterator it, Next next);
  // Moves a connection on as far as its bytes allow, without blocking.
  Next Advance(ClientConnection& c);
  // The connection to shed for a newcomer at the cap (connection.h, SheddingClass), or end().
  Watched::iterator Victim(Watched& watched);
  void Dispatch(ConnectionPtr c);
  void Work();

  std::shared_ptr<ConnectionGate> gate_;
  std::function<void(ConnectionPtr)> serve_;
  int epoll_ = -1;
  int wake_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::vector<ConnectionPtr> inbox_;  // for the reactor
  std::deque<ConnectionPtr> ready_;   // for the workers
  std::thread reactor_;
  std::vector<std::thread> workers_;
};

}  // namespace percept
