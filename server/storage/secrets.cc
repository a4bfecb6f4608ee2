#include "percept/storage/secrets.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "percept/base/crypto.h"
#include "percept/base/database.h"

namespace percept {

std::string DataDirectory(const std::string& db) {
  // A PostgreSQL database has no folder of its own: the files live where percept runs (every
  // server behind a proxy needs the same household key: docs/operations.md).
  if (Database::IsPostgresUrl(db)) return "";
  return db.substr(0, db.find_last_of('/') + 1);
}

std::string HouseholdKeyPath(const std::string& db_path) {
  return DataDirectory(db_path) + "household-key";
}

std::string PrintableDatabase(const std::string& db) {
  if (!Database::IsPostgresUrl(db)) return db;
  // postgresql://user:secret@host/db -> postgresql://user:***@host/db
  const size_t scheme = db.find("://") + 3, at = db.find('@', scheme);
  const size_t colon = db.find(':', scheme);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return db;
  return db.substr(0, colon + 1) + "***" + db.substr(at);
}

Status EnsureHouseholdKey(const std::string& path, bool* created) {
  *created = false;
  struct stat st;
  if (stat(path.c_str(), &st) == 0) return Status::Ok();
  mode_t old = umask(077);
  FILE* f = std::fopen(path.c_str(), "wb");
  umask(old);
  if (!f) return Status::Internal("cannot write " + path);
  const std::string key = RandomBytes(32);
  const bool ok = std::fwrite(key.data(), 1, key.size(), f) == key.size();
  if (std::fclose(f) != 0 || !ok) return Status::Internal("cannot write " + path);
  *created = true;
  return Status::Ok();
}

Result<std::string> LoadHouseholdKey(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + " is missing (made by `percept init`)");
  std::stringstream buf;
  buf << in.rdbuf();
  if (buf.str().size() < 32) return Status::Internal(path + " is too short to be a key");
  return buf.str();
}

std::string PseudonymizeIdentifier(const std::string& key, const std::string& normalized) {
  return "hmac-sha256:" + Hex(HmacSha256(key, normalized));
}

}  // namespace percept
