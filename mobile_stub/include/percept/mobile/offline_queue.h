// The tablet's offline queue: completed interviews waiting to reach the server, in a SQLite
// file of their own (as a tablet keeps its forms). An interview is pending until the server
// acknowledged it (created or duplicate), or rejected with the server's reason and kept aside.
// Every change is committed with synchronous=FULL: a tablet killed mid-sync loses nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "percept/base/status.h"

namespace percept {

class Database;

struct QueuedInterview {
  int64_t id = 0;
  std::string instance_id;
  std::string body;
};

struct QueueCounts {
  int64_t pending = 0, sent = 0, rejected = 0;
};

class OfflineQueue {
 public:
  static Result<std::unique_ptr<OfflineQueue>> Open(const std::string& path);
  ~OfflineQueue();

  // Adds interviews, in one transaction.
  Status Add(const std::vector<std::pair<std::string, std::string>>& instance_id_and_body);
  // Up to `limit` pending interviews, oldest first.
  Result<std::vector<QueuedInterview>> Pending(int limit);
  // Marks interviews sent / rejected (with the server's reason), in one transaction.
  Status Settle(const std::vector<int64_t>& sent,
                const std::vector<std::pair<int64_t, std::string>>& rejected);
  Result<QueueCounts> Counts();
  // Rejected interviews with their reasons.
  Result<std::vector<std::pair<std::string, std::string>>> Rejected();

 private:
  explicit OfflineQueue(std::unique_ptr<Database> db);
  std::unique_ptr<Database> db_;
};

}  // namespace percept
