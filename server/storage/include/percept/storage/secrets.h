// The server's own secret: the key under which household identifiers (e.g. the RUT) are kept,
// as HMAC-SHA256, so that a family can be followed across waves without its RUT being stored.
// The key lives in a file next to the database, readable by its owner only, made by `init`.
// Losing it means new waves can no longer be linked to old ones; back it up with the database.
#pragma once

#include <string>

#include "percept/base/status.h"

namespace percept {

// Where percept keeps its files beside a database: the SQLite file's folder ("dir/"), or for a
// PostgreSQL URL the working directory ("").
std::string DataDirectory(const std::string& db);
// <data directory>household-key
std::string HouseholdKeyPath(const std::string& db_path);
// The database as it may be printed: a PostgreSQL URL's password as ***.
std::string PrintableDatabase(const std::string& db);
// Creates the key file (32 random bytes, mode 0600) unless it exists; `created` says whether.
Status EnsureHouseholdKey(const std::string& path, bool* created);
// Reads it; NotFound when there is none.
Result<std::string> LoadHouseholdKey(const std::string& path);
// What is stored for an identifier: "hmac-sha256:" and the hex digest.
std::string PseudonymizeIdentifier(const std::string& key, const std::string& normalized);

}  // namespace percept
