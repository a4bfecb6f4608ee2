// Who is calling: bearer tokens (CONTRACT.md §2). Tokens are 256 random bits shown once;
// only their SHA-256 is stored, and it is compared in constant time.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <httplib.h>

#include "percept/status.h"
#include "store.h"
#include "store_pool.h"

namespace percept {

struct Principal {
  std::string name;  // the token's name: what logs and the audit trail show
  Role role = Role::kEnumerator;
  std::vector<std::string> institutions;  // institution role: what it may read

  // May this caller read data of institution `id`? Institution tokens: only their own.
  bool MayRead(const std::string& id) const {
    return role != Role::kInstitution ||
           std::find(institutions.begin(), institutions.end(), id) != institutions.end();
  }
};

// A new token: 32 random bytes, base64url (43 characters), prefixed "pct_" so that secret
// scanners and people recognise it.
std::string NewToken();
// What is stored of a token.
std::string TokenHash(const std::string& token);

class Authenticator {
 public:
  explicit Authenticator(StorePool* readers) : readers_(readers) {}
  // 401 without a bearer token, or with one that is unknown or revoked.
  Result<Principal> Authenticate(const httplib::Request& req) const;

 private:
  StorePool* readers_;
};

}  // namespace percept
