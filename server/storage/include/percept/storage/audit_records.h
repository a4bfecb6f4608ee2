// The audit trail (`percept audit`): who did what, and when. Never a token or an answer.
// Each function runs on the thread that owns `store`, in its transaction if one is open.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "percept/base/status.h"
#include "percept/storage/store.h"

namespace percept {

// One line of the audit trail: who did what, and when. Never a token or an answer.
struct AuditEntry {
  std::string at, actor, action, detail;
};

// The audit trail (`percept audit`).
Status Audit(Store& store, const std::string& actor, const std::string& action,
             const std::string& detail);

// The latest `limit` entries at or after `since` (RFC 3339 or a date; "" for all), oldest first.
Result<std::vector<AuditEntry>> ListAudit(Store& store, int64_t limit, const std::string& since);

}  // namespace percept
