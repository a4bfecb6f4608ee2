// Who is asking, as far as the network can tell (docs/security.md, "Behind a proxy"). Behind a
// reverse proxy every request comes from the proxy's address; the client's own address is then
// in X-Forwarded-For, which only a proxy the operator named (`serve --trusted-proxy ADDR`) may
// be believed on. Internal to server/http. Immutable after construction: safe from any thread.
#pragma once

#include <httplib.h>

#include <set>
#include <string>
#include <vector>

namespace percept {

struct ClientAddress {
  std::string address;   // the client's: the socket's peer, or what a trusted proxy forwarded
  bool proxied = false;  // relayed by a proxy (trusted or not): never this machine's own request
};

class ProxyTrust {
 public:
  // `trusted`: the proxies' addresses as the socket sees them (e.g. 127.0.0.1).
  explicit ProxyTrust(std::vector<std::string> trusted = {});

  ClientAddress Of(const httplib::Request& req) const;
  // A request made on this machine and relayed by no proxy: what /metrics answers untokened.
  bool FromThisMachine(const httplib::Request& req) const;

 private:
  std::set<std::string> trusted_;
};

// The key a client's sign-in attempts are counted under: its IPv4 address, or its IPv6 /64 (one
// subscriber's whole allocation, which it can vary at will).
std::string SignInLimitKey(const std::string& address);

}  // namespace percept
