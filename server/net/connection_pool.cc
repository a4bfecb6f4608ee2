#include "connection_pool.h"

#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_map>

namespace percept {

ConnectionPool::ConnectionPool(std::shared_ptr<ConnectionGate> gate, std::function<void(ConnectionPtr)> serve)
    : gate_(std::move(gate)), serve_(std::move(serve)) {
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
  reactor_ = std::thread([this] { React(); });
  for (int i = 0; i < gate_->limits.threads; ++i) workers_.emplace_back([this] { Work(); });
}

ConnectionPool::~ConnectionPool() {
  shutdown();
  ::close(epoll_);
  ::close(wake_);
}

void ConnectionPool::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  Wake();
  reactor_.join();
  cv_.notify_all();
  for (auto& t : workers_) t.join();
  std::lock_guard<std::mutex> lock(mu_);
  inbox_.clear();
}

void ConnectionPool::Watch(ConnectionPtr c) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;  // closes it
    inbox_.push_back(std::move(c));
  }
  Wake();
}

void ConnectionPool::Wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_, &one, sizeof one);
}

void ConnectionPool::React() {
  Watched watched;
  std::vector<epoll_event> events(256);
  Clock::time_point next_sweep = Clock::now();
  for (;;) {
    const int n =
        ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), kReactorTickMs);
    std::vector<ConnectionPtr> arrived;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;  // `watched` closes everything it holds
      arrived.swap(inbox_);
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<size_t>(i)].data.fd;
      if (fd == wake_) {
        uint64_t count;
        [[maybe_unused]] ssize_t r = ::read(wake_, &count, sizeof count);
        continue;
      }
      auto it = watched.find(fd);
      if (it != watched.end()) Handle(watched, it);
    }
    for (ConnectionPtr& c : arrived) {
      // Over the cap, the newcomer takes the place of a connection that is not being served.
      while (c->state == ClientConnection::State::kHandshake && !c->over_cap &&
             gate_->open.load() > gate_->limits.max_connections) {
        auto victim = Victim(watched);
        if (victim == watched.end()) {
          c->over_cap = true;  // a worker answers it 503
          gate_->Reject(ConnectionGate::Admission::kRefuse);
          break;
        }
        gate_->shed++;
        Release(watched, victim, Next::kClose);
      }
      const int fd = c->fd;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.fd = fd;
      if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) continue;  // closes it
      auto it = watched.emplace(fd, std::move(c)).first;
      Handle(watched, it);  // TLS may hold bytes epoll cannot see
    }
    const Clock::time_point now = Clock::now();
    if (now >= next_sweep) {
      next_sweep = now + std::chrono::milliseconds(kReactorTickMs);
      for (auto it = watched.begin(); it != watched.end();) {
        ClientConnection& c = *it->second;
        if (now < c.deadline) {
          ++it;
          continue;
        }
        if (c.state == ClientConnection::State::kHeaders || c.state == ClientConnection::State::kBody) {
          c.timed_out = true;  // a worker answers 408
          it = Release(watched, it, Next::kDispatch);
        } else {
          it = Release(watched, it, Next::kClose);  // handshake, idle or linger over
        }
      }
    }
  }
}

void ConnectionPool::Handle(Watched& watched, Watched::iterator it) {
  const Next next = Advance(*it->second);
  if (next != Next::kWatch) Release(watched, it, next);
}

ConnectionPool::Watched::iterator ConnectionPool::Release(Watched& watched,
                                                                          Watched::iterator it,
                                                                          Next next) {
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, it->first, nullptr);
  ConnectionPtr c = std::move(it->second);
  it = watched.erase(it);
  if (next == Next::kDispatch) Dispatch(std::move(c));
  return it;
}

ConnectionPool::Next ConnectionPool::Advance(ClientConnection& c) {
  if (c.state == ClientConnection::State::kHandshake) {
    ERR_clear_error();
    const int r = SSL_accept(c.ssl);
    if (r != 1) {
      const int err = SSL_get_error(c.ssl, r);
      return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? Next::kWatch
                                                                       : Next::kClose;
    }
    c.Enter(ClientConnection::State::kIdle, RequestTime(c));
  }
  if (c.state == ClientConnection::State::kLinger) {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n > 0) continue;
      return n < 0 && (errno == EAGAIN || errno == EINTR) ? Next::kWatch : Next::kClose;
    }
  }
  switch (Pull(c)) {
    case Pulled::kMore:
      return Next::kWatch;
    case Pulled::kRequest:
      return Next::kDispatch;
    case Pulled::kClosed:
      return Next::kClose;
  }
  return Next::kClose;
}

ConnectionPool::Watched::iterator ConnectionPool::Victim(Watched& watched) {
  auto best = watched.end();
  for (auto it = watched.begin(); it != watched.end(); ++it) {
    const int k = it->second->SheddingClass();
    if (k < 0) continue;
    if (best == watched.end() || k < best->second->SheddingClass() ||
        (k == best->second->SheddingClass() && it->second->since < best->second->since)) {
      best = it;
    }
  }
  return best;
}

void ConnectionPool::Dispatch(ConnectionPtr c) {
  gate_->waiting++;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ready_.push_back(std::move(c));
  }
  cv_.notify_one();
}

void ConnectionPool::Work() {
  for (;;) {
    ConnectionPtr c;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopped_ || !ready_.empty(); });
      if (ready_.empty()) return;
      c = std::move(ready_.front());
      ready_.pop_front();
    }
    gate_->waiting--;
    serve_(std::move(c));
  }
}

}  // namespace percept
