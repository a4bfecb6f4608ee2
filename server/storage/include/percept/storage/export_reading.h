// What the exports read of the stored interviews (server/reports/exports.cc): the interviews of
// a survey in the order they were stored, as a cursor over one statement, and how many
// evaluations they hold. Run inside the read snapshot the caller opened (Store::InSnapshot), so
// that the count and the rows agree. Rejected and deprecated interviews are left out unless
// `include_rejected` (docs/supervision.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "percept/base/database.h"
#include "percept/base/status.h"
#include "percept/storage/store.h"

namespace percept {

// One interview at a time, in flat memory. Used by one thread at a time.
class InterviewCursor {
 public:
  explicit InterviewCursor(Statement statement) : st_(std::move(statement)) {}
  // Moves to the next interview: false at the end, or on an error (then status() says which).
  bool Next() { return st_.Step(); }
  // The current interview's fields, valid until the next Next().
  std::string_view enumerator() const { return st_.TextView(0); }
  std::string_view body() const { return st_.TextView(1); }  // the stored text, as received
  std::string_view instance_id() const { return st_.TextView(2); }
  const Status& status() const { return st_.status(); }

 private:
  Statement st_;
};

// `from` and `to` (YYYY-MM-DD, both included; "" for unbounded) keep the interviews completed
// in that window: a wave's (docs/waves.md).
Result<InterviewCursor> StreamInterviews(Store& store, const std::string& survey_id,
                                         bool include_rejected, const std::string& from = "",
                                         const std::string& to = "");

// The evaluations of the interviews StreamInterviews reads: one row each in the .sav export,
// whose writer needs the count before the first row.
Result<int64_t> CountExportedEvaluations(Store& store, const std::string& survey_id,
                                         bool include_rejected, const std::string& from = "",
                                         const std::string& to = "");

}  // namespace percept
