#include "client_address.h"

#include <arpa/inet.h>

#include <cstdio>

namespace percept {

namespace {

bool IsAddress(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

}  // namespace

ProxyTrust::ProxyTrust(std::vector<std::string> trusted)
    : trusted_(trusted.begin(), trusted.end()) {}

ClientAddress ProxyTrust::Of(const httplib::Request& req) const {
  ClientAddress out{req.remote_addr, false};
  const bool forwarded = req.has_header("X-Forwarded-For") || req.has_header("Forwarded");
  if (!trusted_.count(req.remote_addr)) {
    // Whatever such a header says is the client's own word: not believed, but it says a proxy
    // stands between (an unconfigured one on this machine must not make everyone local).
    out.proxied = forwarded;
    return out;
  }
  out.proxied = true;
  // The last address is the one our proxy saw; those before it, the client may have written.
  const std::string header = req.get_header_value("X-Forwarded-For");
  const size_t comma = header.rfind(',');
  const std::string last = Trimmed(comma == std::string::npos ? header : header.substr(comma + 1));
  if (IsAddress(last)) out.address = last;
  return out;
}

bool ProxyTrust::FromThisMachine(const httplib::Request& req) const {
  const bool loopback = req.remote_addr == "127.0.0.1" || req.remote_addr == "::1";
  return loopback && !Of(req).proxied;
}

std::string SignInLimitKey(const std::string& address) {
  in6_addr v6{};
  if (address.find(':') == std::string::npos || inet_pton(AF_INET6, address.c_str(), &v6) != 1)
    return address;
  // An IPv4 client on an IPv6 socket (::ffff:a.b.c.d) is one address, not a /64 shared by all.
  if (IN6_IS_ADDR_V4MAPPED(&v6)) return address;
  char prefix[64];
  std::snprintf(prefix, sizeof prefix, "%x:%x:%x:%x::/64", v6.s6_addr[0] << 8 | v6.s6_addr[1],
                v6.s6_addr[2] << 8 | v6.s6_addr[3], v6.s6_addr[4] << 8 | v6.s6_addr[5],
                v6.s6_addr[6] << 8 | v6.s6_addr[7]);
  return prefix;
}

}  // namespace percept
