#include "audit_trail.h"

#include <cstdio>

#include "percept/base/log.h"
#include "percept/storage/audit_records.h"

namespace percept {

void AuditTrail::Record(const std::string& actor, const std::string& action,
                        const std::string& detail) const {
  auto reader = readers_->Acquire();
  Status s = reader.ok() ? Audit(**reader, actor, action, detail) : reader.status();
  if (!s.ok()) Log(LogLevel::kError, "audit: %s", s.message().c_str());
}

}  // namespace percept
