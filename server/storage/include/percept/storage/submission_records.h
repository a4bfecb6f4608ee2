// The interviews as stored (docs/storage.md): inserted exactly once, listed a page at a time,
// found for supervision, and the published survey versions they answer.
// Each function runs on the thread that owns `store`, in its transaction if one is open.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "percept/base/status.h"
#include "percept/storage/store.h"
#include "percept/submission.h"

namespace percept {

// What became of a submission: stored now, already stored with the same content (a retry), or
// its instance_id already stored with different content, or refused and not stored because it
// corrects an interview it may not replace (docs/supervision.md, "Corrections"). kFailed only
// from the writer, when the machine failed (the store itself returns a Status then); the tablet
// simply retries.
enum class SubmissionOutcome { kCreated, kDuplicate, kConflict, kBadCorrection, kFailed };

// Why a submission with `outcome` was not taken, in the contract's error shape; Ok for created
// and duplicate. The one wording of these refusals for JSON and OpenRosa alike.
Status OutcomeStatus(SubmissionOutcome outcome, const std::string& instance_id);

struct SubmissionPage {
  std::vector<std::string> items;  // stored submissions, JSON text
  std::optional<int64_t> next;     // cursor for the next page; none at the end
  // Per item (docs/supervision.md): who sent it, its review state, its quality flags.
  std::vector<std::string> enumerators, review_states;
  std::vector<std::vector<std::string>> flags;
};

// Which stored interviews to list; empty filters take everything.
struct SubmissionQuery {
  std::string survey_id;
  int64_t after = 0;
  int limit = 100;
  std::string review_state, flag, enumerator;
  std::string team;  // a supervisor's: its team's enumerators only
};

// Quality flags as stored in submissions.flags: comma-separated names.
std::vector<std::string> SplitFlags(std::string_view text);

// What supervision needs to know of one stored interview (docs/supervision.md).
struct InterviewInfo {
  int64_t seq = 0;
  std::string instance_id, survey_id, enumerator;
  std::string team;  // the enumerator's token's team; empty: none
  std::string review_state;
  std::vector<std::string> flags;
  std::string completed_at, started_at;
};

// Records a published definition; Conflict when (id, version) was published with other content.
Status RegisterSurveyVersion(Store& store, const std::string& id, int version,
                             const std::string& json);

// Inserts one valid submission inside the caller's transaction. The UNIQUE instance_id decides
// between created / duplicate (same content hash) / conflict (other content).
Result<SubmissionOutcome> InsertSubmission(Store& store, const ValidSubmission& sub,
                                           const std::string& enumerator,
                                           const std::string& received_at);

Result<SubmissionPage> ListSubmissions(Store& store, const SubmissionQuery& q);

// The XForm instance an interview arrived as over OpenRosa, byte for byte; nullopt when it
// came as JSON or is unknown.
Result<std::optional<std::string>> SubmissionXml(Store& store, const std::string& instance_id);

Result<int64_t> CountSubmissions(Store& store);

// Supervision (docs/supervision.md).
Result<std::optional<InterviewInfo>> FindInterview(Store& store, const std::string& instance_id);

// The instance_id of a stored correction of `instance_id` sent by `enumerator` for
// `survey_id` (one that arrived before the interview it replaces), if any.
Result<std::optional<std::string>> FindEarlyCorrection(Store& store, const std::string& instance_id,
                                                       const std::string& enumerator,
                                                       const std::string& survey_id);

// Interviews of `survey_id` completed in [from, to] (empty: unbounded) that a supervisor
// rejected or a correction replaced: what the scores leave out.
Result<int64_t> CountExcluded(Store& store, const std::string& survey_id, const std::string& from,
                              const std::string& to);

// The stored interview (its JSON) at `seq`.
Result<std::string> SubmissionBody(Store& store, int64_t seq);

// Every published definition, by (survey id, version), as JSON text.
Result<std::map<std::pair<std::string, int>, std::string>> ListSurveyVersions(Store& store);

}  // namespace percept
