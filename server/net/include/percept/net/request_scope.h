// What travels with one request through the connection layer to the routes and the access log.
#pragma once

#include <httplib.h>

#include <any>
#include <chrono>
#include <string>

namespace percept {

// What the layers above keep of the request a connection is serving, from its admission
// (RequestHooks::admit_body) to its answer (the access log): one per connection, emptied after
// each answer, so nothing of one request reaches the next. The routes reach it from the request
// cpp-httplib hands them (RequestScopeOf): passed with the request, not kept by a thread.
struct RequestScope {
  std::chrono::steady_clock::time_point start;  // when the whole request had arrived
  std::string caller;  // the name of who was admitted, for the access log (never a secret)
  // What admission found, for the routes to reuse instead of looking it up again (the http
  // layer keeps its caller here); the connection layer never reads it.
  std::any admitted;
};

// The scope of the request `req`; null for a request no GuardedTlsServer is serving (a test's).
RequestScope* RequestScopeOf(const httplib::Request& req);

}  // namespace percept
