// The audit trail of the API and the pages.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <string>

#include "percept/storage/store_pool.h"

namespace percept {

// The audit trail (who exported, read a report, signed in): appended through a read
// connection; a failure is logged, never fatal to the request.
class AuditTrail {
 public:
  explicit AuditTrail(StorePool* readers) : readers_(readers) {}
  void Record(const std::string& actor, const std::string& action, const std::string& detail) const;

 private:
  StorePool* readers_;
};

}  // namespace percept
