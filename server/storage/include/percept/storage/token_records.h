// Tokens and browser sessions (docs/security.md): only hashes are stored; a token names its
// role, its institutions and its team.
// Each function runs on the thread that owns `store`, in its transaction if one is open.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "percept/base/database.h"
#include "percept/base/status.h"
#include "percept/storage/roles.h"
#include "percept/storage/store.h"

namespace percept {

struct TokenRecord {
  int64_t id = 0;
  std::string name;
  Role role = Role::kEnumerator;
  std::string hash;  // SHA-256 of the token, 32 raw bytes
  std::string created_at;
  std::optional<std::string> revoked_at;
  std::vector<std::string> institutions;  // institution role: the institutions it may read
  std::string team;  // enumerators and supervisors (docs/supervision.md); empty: none
};

// Reads the rows of `SELECT id, name, role, hash, created_at, institution_id` (one row per
// institution of one token, joined) into that token, if there is a row.
Result<std::optional<TokenRecord>> ReadTokenRows(Statement& q);

Status CreateToken(Store& store, const std::string& name, Role role, const std::string& hash,
                   const std::vector<std::string>& institutions, const std::string& team = "");

Result<std::vector<TokenRecord>> ListTokens(Store& store);

// NotFound when no active token has that name.
Status RevokeToken(Store& store, const std::string& name);

// The active (not revoked) token with this hash, if any.
Result<std::optional<TokenRecord>> FindActiveToken(Store& store, const std::string& hash);

// Browser sessions (the report pages): stored by the SHA-256 of the cookie's value.
Status CreateSession(Store& store, const std::string& hash, int64_t token_id, int64_t expires_at);

// The active token behind an unexpired session, if any.
Result<std::optional<TokenRecord>> FindSessionToken(Store& store, const std::string& hash,
                                                    int64_t now);

// Ends that session (and clears expired ones).
Status DeleteSession(Store& store, const std::string& hash);

}  // namespace percept
