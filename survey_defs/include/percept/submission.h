// Checking a tablet's submission against its survey definition (docs/formats.md, "Submissions").
//
// The validator collects every problem (not just the first) so a tablet can show them all.
// It is pure: no I/O; institutions are looked up through the interface below.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "percept/base/status.h"
#include "percept/survey_definition.h"

namespace percept {

// The value Likert item `item_id` counts with in `answers` (an object, or null for none): the
// answer when it is an integer on the scale, else kNoAnswer (absent, a declared missing code or
// anything else). The one rule for the validator's likert vector and for the exports.
int LikertValue(const nlohmann::json* answers, const std::string& item_id, const Scale& scale);

// Whether `item` was asked: it has no relevance rule, or the item the rule names (in `answers`,
// else in `household`) was answered as the rule says. The validator's rule and part (b)'s.
bool IsRelevant(const Item& item, const nlohmann::json& answers, const nlohmann::json* household);

// What part (b) counts of one evaluation (docs/analytics.md), one byte per indicator of
// def.indicators: kFactOut (not in the indicator's sample: unanswered, or a single choice or
// yes/no not asked), kFactNo (answered without it; a multiple choice not asked counts so) or
// kFactYes; then one byte, the household's stage band + 1 (0 when there is none).
inline constexpr char kFactOut = 0, kFactNo = 1, kFactYes = 2;
std::string EvaluationFacts(const SurveyDefinition& def, const nlohmann::json& answers,
                            const nlohmann::json* household);
// The institution that referred the family to the one evaluated: the answer to the first
// evaluation item of type institution, or empty.
std::string ReferredBy(const SurveyDefinition& def, const nlohmann::json& answers);

class InstitutionLookup {
 public:
  virtual ~InstitutionLookup() = default;
  // True when `id` names a known institution. Called from many threads at once.
  virtual bool Exists(const std::string& id) const = 0;
};

// What storage needs of a valid submission.
struct ValidSubmission {
  struct Evaluation {
    std::string institution_id;
    std::string answers_json;  // the evaluation's answers object, compact, keys sorted
    // One entry per likert item of the definition (SurveyDefinition::LikertItems order): the
    // answer on the scale, or kNoAnswer for an absent answer or a declared missing code.
    std::vector<int> likert;
    // Part (b): see EvaluationFacts and ReferredBy below.
    std::string facts;
    std::string referred_by;
    // Likert answers given as a declared missing code (don't know, not applicable).
    int missing_codes = 0;
  };
  std::string instance_id;
  std::string survey_id;
  int survey_version = 0;
  int scale_min = 1;  // the definition's scale minimum (how likert answers are encoded)
  std::string device_id;
  std::string started_at;     // RFC 3339 as sent
  std::string completed_at;   // RFC 3339 as sent
  std::string completed_day;  // completed_at's local calendar date, YYYY-MM-DD
  std::vector<Evaluation> evaluations;
  // The whole submission as compact JSON with sorted keys: what is stored, and what decides
  // whether a resubmission is identical.
  std::string canonical_json;
  // The XForm instance as received, when the interview came over OpenRosa (kept byte for byte,
  // not part of what decides a resubmission); empty for JSON.
  std::string source_xml;
  // The interview this one corrects ("deprecated_id"; ODK's meta/deprecatedID), or empty.
  std::string deprecated_id;
  // The household's identifier as stored (its keyed hash), or empty: what finds a household
  // interviewed twice.
  std::string household_key;
  // Quality flags (docs/supervision.md): QualityFlags' at the route, duplicate_household added
  // by the store.
  std::vector<std::string> flags;
};

// What makes an interview suspect (docs/supervision.md, "Quality flags").
struct QualityOptions {
  double min_minutes_per_evaluation = 3;  // too_fast below this × evaluations
  int straight_lining_items = 10;         // an evaluation's scale answers, all equal
  double many_missing_share = 0.4;        // of scale answers: don't know / not applicable
  long long clock_ahead_seconds = 600;    // completed after it arrived, beyond this: clock_skew
  long long clock_behind_days = 60;       // or completed this long before it arrived
};
// Every quality flag, in the order supervisors read them: too_fast, straight_lining,
// many_missing, off_hours, duplicate_household, clock_skew.
const std::vector<std::string>& QualityFlagNames();
bool IsQualityFlag(std::string_view name);
// The flags an interview shows by itself: too_fast, straight_lining, many_missing, off_hours,
// clock_skew (against `received_epoch`, seconds since 1970; 0: not checked).
std::vector<std::string> QualityFlags(const ValidSubmission& sub, long long received_epoch,
                                      const QualityOptions& options = {});

// Turns an identifier answer into what may be stored (a keyed hash); see the server's secrets.
using IdentifierHasher = std::function<std::string(const std::string& normalized)>;

// Validates one submission object. On failure the Status is kValidationFailed with one Detail
// per problem, each a JSON pointer relative to the submission. Identifier answers are
// normalized (NormalizeIdentifier) and replaced by `hasher`'s result in what is returned;
// without a hasher a submission with an identifier answer is refused (nothing raw is kept).
Result<ValidSubmission> ValidateSubmission(const nlohmann::json& doc, const SurveyCatalog& catalog,
                                           const InstitutionLookup& institutions,
                                           const IdentifierHasher& hasher = nullptr);

// Upper case, without spaces, dots or dashes: "12.345.678-k" and "12345678K" are one person.
std::string NormalizeIdentifier(const std::string& raw);

// True for an RFC 3339 date-time with an explicit offset ("Z" or "+hh:mm"); fills its local
// date (YYYY-MM-DD) and its instant in seconds since 1970 when asked.
bool ParseRfc3339(std::string_view s, std::string* date = nullptr, long long* epoch = nullptr);
// True for a valid calendar date YYYY-MM-DD.
bool IsIsoDate(std::string_view s);
// True for a UUID in its canonical 8-4-4-4-12 hex form (either case; stored in lower case).
bool IsUuid(std::string_view s);
// True when `s` holds a C0 or C1 control character or DEL; with `allow_lines`, tab, CR and LF
// pass.
bool HasControlCharacter(std::string_view s, bool allow_lines = false);
// The largest survey_version a submission or definition may carry.
inline constexpr int64_t kMaxSurveyVersion = 1000000;

}  // namespace percept
