#include "percept/submission.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "json_pointer.h"
#include "percept/base/utf8.h"
#include "percept/canonical_json.h"

namespace percept {

int LikertValue(const nlohmann::json* answers, const std::string& item_id, const Scale& scale) {
  if (answers == nullptr || !answers->is_object()) return kNoAnswer;
  auto a = answers->find(item_id);
  if (a == answers->end() || !a->is_number_integer()) return kNoAnswer;
  const long long v = a->get<long long>();
  return v >= scale.min && v <= scale.max ? static_cast<int>(v) : kNoAnswer;
}

namespace {

// The answer to `id`, or null when absent or null.
const nlohmann::json* Present(const nlohmann::json* section, const std::string& id) {
  if (section == nullptr || !section->is_object()) return nullptr;
  auto it = section->find(id);
  return it == section->end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

bool IsRelevant(const Item& item, const nlohmann::json& answers, const nlohmann::json* household) {
  if (!item.relevant) return true;
  const nlohmann::json* a = Present(&answers, item.relevant->item);
  if (!a) a = Present(household, item.relevant->item);
  return a && CanonicalJson(*a) == item.relevant->equals_json;
}

std::string EvaluationFacts(const SurveyDefinition& def, const nlohmann::json& answers,
                            const nlohmann::json* household) {
  std::string facts;
  facts.reserve(def.indicators.size() + 1);
  const Item* item = nullptr;
  const nlohmann::json* answer = nullptr;
  bool asked = true;
  for (const IndicatorDef& ind : def.indicators) {
    if (!item || item->id != ind.item) {  // indicators of one item are consecutive
      item = def.FindEvaluationItem(ind.item);
      answer = Present(&answers, ind.item);
      asked = IsRelevant(*item, answers, household);
    }
    char fact = kFactOut;
    if (answer) {
      bool chose = false;
      if (item->type == ItemType::kBoolean) {
        chose = answer->is_boolean() && answer->get<bool>();
      } else if (item->type == ItemType::kSingle) {
        chose = answer->is_string() && answer->get_ref<const std::string&>() == ind.option;
      } else if (answer->is_array()) {
        for (const auto& v : *answer) chose = chose || (v.is_string() && v == ind.option);
      }
      fact = chose ? kFactYes : kFactNo;
    } else if (item->type == ItemType::kMulti && !asked) {
      fact = kFactNo;  // no problems, so none of the problems
    }
    facts.push_back(fact);
  }
  char band = 0;
  for (const Item& h : def.household) {
    if (h.role != "stage") continue;
    const nlohmann::json* months = Present(household, h.id);
    if (months && months->is_number_integer())
      band = static_cast<char>(1 + def.StageBand(months->get<long long>()));
  }
  facts.push_back(band);
  return facts;
}

std::string ReferredBy(const SurveyDefinition& def, const nlohmann::json& answers) {
  for (const Item& item : def.evaluation) {
    if (item.type != ItemType::kInstitution) continue;
    const nlohmann::json* a = Present(&answers, item.id);
    return a && a->is_string() ? a->get<std::string>() : std::string();
  }
  return {};
}

namespace {

using nlohmann::json;

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidCalendarDate(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long long DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

// Checks the answers of one section (household, or one evaluation) against its items.
class SectionValidator {
 public:
  SectionValidator(const SurveyDefinition& def, const std::vector<Item>& items, const json& answers,
                   const json* household, std::string path, std::vector<Detail>* problems,
                   const InstitutionLookup* institutions)
      : institutions_(institutions),
        def_(def),
        items_(items),
        answers_(answers),
        household_(household),
        path_(std::move(path)),
        problems_(problems) {}

  void Run() {
    for (const auto& entry : answers_.items()) {
      const std::string& key = entry.key();
      bool known =
          std::any_of(items_.begin(), items_.end(), [&](const Item& it) { return it.id == key; });
      if (!known) Problem(key, "unknown_item", "'" + key + "' is not an item of this section");
    }
    for (const Item& item : items_) CheckItem(item);
  }

 private:
  void Problem(const std::string& id, const char* code, std::string message) {
    problems_->push_back({JoinPointer(path_, id), code, std::move(message)});
  }

  void CheckItem(const Item& item) {
    const json* a = Present(&answers_, item.id);
    bool relevant = IsRelevant(item, answers_, household_);
    if (!a) {
      if (relevant && item.required)
        Problem(item.id, "required", "'" + item.id + "' must be answered");
      return;
    }
    if (!relevant) {
      Problem(item.id, "not_relevant",
              "'" + item.id + "' is asked only when '" + item.relevant->item + "' is " +
                  item.relevant->equals_json);
      return;
    }
    CheckValue(item, *a);
  }

  void CheckValue(const Item& item, const json& a) {
    const std::string& id = item.id;
    switch (item.type) {
      case ItemType::kLikert: {
        if (!a.is_number_integer())
          return Problem(id, "wrong_type", "a likert answer is an integer");
        long long v = a.get<long long>();
        if ((v < def_.scale.min || v > def_.scale.max) && !def_.scale.IsMissingCode(v)) {
          Problem(id, "out_of_range",
                  std::to_string(v) + " is not in " + std::to_string(def_.scale.min) + ".." +
                      std::to_string(def_.scale.max) + " nor a declared missing code");
        }
        return;
      }
      case ItemType::kSingle:
        if (!a.is_string()) return Problem(id, "wrong_type", "a single-choice answer is a string");
        if (!item.HasOption(a.get<std::string>())) {
          Problem(id, "unknown_option",
                  "'" + a.get<std::string>() + "' is not an option of '" + id + "'");
        }
        return;
      case ItemType::kMulti: {
        if (!a.is_array())
          return Problem(id, "wrong_type", "a multiple-choice answer is an array of strings");
        std::set<std::string> seen;
        for (const json& v : a) {
          if (!v.is_string())
            return Problem(id, "wrong_type", "a multiple-choice answer is an array of strings");
          const std::string& s = v.get_ref<const std::string&>();
          if (!item.HasOption(s))
            Problem(id, "unknown_option", "'" + s + "' is not an option of '" + id + "'");
          else if (!seen.insert(s).second)
            Problem(id, "duplicate_option", "'" + s + "' is chosen twice");
        }
        return;
      }
      case ItemType::kInteger: {
        if (!a.is_number_integer())
          return Problem(id, "wrong_type", "an integer answer is a whole number");
        long long v = a.get<long long>();
        if ((item.min && v < *item.min) || (item.max && v > *item.max)) {
          Problem(id, "out_of_range",
                  std::to_string(v) + " is not in " + (item.min ? std::to_string(*item.min) : "") +
                      ".." + (item.max ? std::to_string(*item.max) : ""));
        }
        return;
      }
      case ItemType::kText: {
        if (!a.is_string()) return Problem(id, "wrong_type", "a text answer is a string");
        const std::string& s = a.get_ref<const std::string&>();
        size_t chars = std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; });
        if (chars > item.max_length) {
          return Problem(id, "too_long",
                         "longer than " + std::to_string(item.max_length) + " characters");
        }
        if (!IsValidUtf8(s)) return Problem(id, "bad_encoding", "a text answer is UTF-8");
        if (HasControlCharacter(s, /*allow_lines=*/true)) {
          return Problem(id, "control_character",
                         "a text answer holds no control character but tabs and line breaks");
        }
        if (item.pattern_re && !std::regex_match(s, *item.pattern_re)) {
          Problem(id, "pattern_mismatch", "does not match " + item.pattern);
        }
        return;
      }
      case ItemType::kIdentifier: {
        if (!a.is_string()) return Problem(id, "wrong_type", "an identifier is a string");
        const std::string norm = NormalizeIdentifier(a.get<std::string>());
        if (norm.empty() || norm.size() > 64)
          return Problem(id, "bad_identifier", "an identifier has 1 to 64 characters");
        if (item.pattern_re && !std::regex_match(norm, *item.pattern_re)) {
          Problem(id, "pattern_mismatch", "does not match " + item.pattern);
        }
        return;
      }
      case ItemType::kDate:
        if (!a.is_string() || !IsIsoDate(a.get<std::string>())) {
          Problem(id, "bad_date", "a date answer is YYYY-MM-DD");
        }
        return;
      case ItemType::kInstitution:
        if (!a.is_string()) return Problem(id, "wrong_type", "an institution is its id, a string");
        if (!institutions_->Exists(a.get<std::string>())) {
          Problem(id, "unknown_institution",
                  "no institution '" + a.get<std::string>() + "' in this network");
        }
        return;
      case ItemType::kBoolean:
        if (!a.is_boolean()) return Problem(id, "wrong_type", "a yes/no answer is true or false");
        if (item.role == "consent" && !a.get<bool>()) {
          Problem(id, "consent_not_given", "the interview cannot be kept without consent");
        }
        return;
    }
  }

  const InstitutionLookup* institutions_;
  const SurveyDefinition& def_;
  const std::vector<Item>& items_;
  const json& answers_;
  const json* household_;
  std::string path_;
  std::vector<Detail>* problems_;
};

const json* Field(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

}  // namespace

bool IsIsoDate(std::string_view s) {
  int y, m, d;
  return s.size() == 10 && Digits(s, 0, 4, &y) && s[4] == '-' && Digits(s, 5, 2, &m) &&
         s[7] == '-' && Digits(s, 8, 2, &d) && ValidCalendarDate(y, m, d);
}

bool ParseRfc3339(std::string_view s, std::string* date, long long* epoch) {
  int hh, mm, ss;
  if (s.size() < 20 || !IsIsoDate(s.substr(0, 10)) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &hh) || s[13] != ':' || !Digits(s, 14, 2, &mm) || s[16] != ':' ||
      !Digits(s, 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60) {
    return false;
  }
  size_t pos = 19;
  if (s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start || pos - start > 9) return false;
  }
  long long offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else {
    int oh, om;
    if (pos + 6 != s.size() || (s[pos] != '+' && s[pos] != '-') || !Digits(s, pos + 1, 2, &oh) ||
        s[pos + 3] != ':' || !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return false;
    }
    offset_s = (s[pos] == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
    pos += 6;
  }
  if (pos != s.size()) return false;
  if (date) *date = std::string(s.substr(0, 10));
  if (epoch) {
    int y = 0, mo = 0, d = 0;
    Digits(s, 0, 4, &y);
    Digits(s, 5, 2, &mo);
    Digits(s, 8, 2, &d);
    *epoch = DaysFromCivil(y, mo, d) * 86400 + hh * 3600LL + mm * 60LL + ss - offset_s;
  }
  return true;
}

bool HasControlCharacter(std::string_view s, bool allow_lines) {
  return HasControlCodePoint(s, allow_lines);
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

const std::vector<std::string>& QualityFlagNames() {
  static const std::vector<std::string> kNames = {
      "too_fast",  "straight_lining",     "many_missing",
      "off_hours", "duplicate_household", "clock_skew"};
  return kNames;
}

bool IsQualityFlag(std::string_view name) {
  const auto& names = QualityFlagNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> QualityFlags(const ValidSubmission& sub, long long received_epoch,
                                      const QualityOptions& options) {
  std::vector<std::string> flags;
  long long started = 0, completed = 0;
  const bool timed = ParseRfc3339(sub.started_at, nullptr, &started) &&
                     ParseRfc3339(sub.completed_at, nullptr, &completed);
  const double minutes = timed ? static_cast<double>(completed - started) / 60.0 : 0;
  if (timed && !sub.evaluations.empty() &&
      minutes < options.min_minutes_per_evaluation * static_cast<double>(sub.evaluations.size()))
    flags.push_back("too_fast");
  int answered = 0, missing = 0;
  bool straight = false;
  for (const ValidSubmission::Evaluation& e : sub.evaluations) {
    int on_scale = 0, first = kNoAnswer;
    bool all_equal = true;
    for (int v : e.likert) {
      if (v == kNoAnswer) continue;
      if (on_scale++ == 0) first = v;
      all_equal = all_equal && v == first;
    }
    straight = straight || (on_scale >= options.straight_lining_items && all_equal);
    answered += on_scale + e.missing_codes;
    missing += e.missing_codes;
  }
  if (straight) flags.push_back("straight_lining");
  if (answered > 0 && missing > options.many_missing_share * answered)
    flags.push_back("many_missing");
  // The local hour is the timestamp's own (the tablet's clock and offset).
  if (sub.started_at.size() >= 13) {
    const int hour = std::atoi(sub.started_at.substr(11, 2).c_str());
    if (hour < 7 || hour >= 22) flags.push_back("off_hours");
  }
  if (timed && received_epoch > 0 &&
      (completed > received_epoch + options.clock_ahead_seconds ||
       completed < received_epoch - options.clock_behind_days * 86400LL))
    flags.push_back("clock_skew");
  return flags;
}

std::string NormalizeIdentifier(const std::string& raw) {
  std::string out;
  for (char c : raw) {
    if (c == ' ' || c == '.' || c == '-' || c == '\t') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

Result<ValidSubmission> ValidateSubmission(const json& doc, const SurveyCatalog& catalog,
                                           const InstitutionLookup& institutions,
                                           const IdentifierHasher& hasher) {
  if (!doc.is_object()) {
    return Status::ValidationFailed("a submission is a JSON object",
                                    {{"", "wrong_type", "a submission is a JSON object"}});
  }
  std::vector<Detail> problems;
  auto problem = [&](std::string path, const char* code, std::string message) {
    problems.push_back({std::move(path), code, std::move(message)});
  };
  static const std::set<std::string> kKeys = {"instance_id", "survey_id",   "survey_version",
                                              "device_id",   "started_at",  "completed_at",
                                              "household",   "evaluations", "deprecated_id"};
  for (const auto& [key, value] : doc.items()) {
    if (!kKeys.count(key))
      problem(JoinPointer("", key), "unknown_field", "'" + key + "' is not a submission field");
  }
  auto string_field = [&](const char* key) -> std::string {
    const json* v = Field(doc, key);
    if (!v) {
      problem(std::string("/") + key, "required", std::string("'") + key + "' is required");
      return "";
    }
    if (!v->is_string()) {
      problem(std::string("/") + key, "wrong_type", std::string("'") + key + "' is a string");
      return "";
    }
    return v->get<std::string>();
  };

  ValidSubmission out;
  out.instance_id = string_field("instance_id");
  if (!out.instance_id.empty() && !IsUuid(out.instance_id)) {
    problem("/instance_id", "bad_uuid",
            "instance_id is a UUID such as 0b9e6f0e-6f5c-4a51-9a59-6f4a3c8e2b71");
  }
  // One interview, one identity: a UUID is compared and stored in lower case.
  const bool recased = std::any_of(out.instance_id.begin(), out.instance_id.end(),
                                   [](char c) { return c >= 'A' && c <= 'F'; });
  for (char& c : out.instance_id)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (const json* d = Field(doc, "deprecated_id")) {
    // A correction: this interview replaces that one (docs/supervision.md).
    if (!d->is_string() || !IsUuid(d->get<std::string>())) {
      problem("/deprecated_id", "bad_uuid", "deprecated_id is the UUID of the interview replaced");
    } else {
      out.deprecated_id = d->get<std::string>();
      for (char& c : out.deprecated_id)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (out.deprecated_id == out.instance_id)
        problem("/deprecated_id", "self_reference", "an interview cannot replace itself");
    }
  }
  // ODK's form engine outside Collect (Web Forms, Enketo) leaves the device id empty: the
  // token already says who sent it (docs/openrosa.md), so an empty or absent one is taken.
  if (const json* d = Field(doc, "device_id"); d && !d->is_string())
    problem("/device_id", "wrong_type", "'device_id' is a string");
  else if (d)
    out.device_id = d->get<std::string>();
  if (out.device_id.size() > 128)
    problem("/device_id", "too_long", "device_id is at most 128 characters");
  if (HasControlCharacter(out.device_id))
    problem("/device_id", "control_character", "device_id holds a control character");
  out.started_at = string_field("started_at");
  out.completed_at = string_field("completed_at");
  long long started = 0, completed = 0;
  if (!out.started_at.empty() && !ParseRfc3339(out.started_at, nullptr, &started)) {
    problem("/started_at", "bad_timestamp",
            "an RFC 3339 time with offset, e.g. 2026-11-20T14:03:00-03:00");
  }
  if (!out.completed_at.empty()) {
    if (!ParseRfc3339(out.completed_at, &out.completed_day, &completed)) {
      problem("/completed_at", "bad_timestamp",
              "an RFC 3339 time with offset, e.g. 2026-11-20T14:41:12-03:00");
    } else if (started != 0 && completed < started) {
      problem("/completed_at", "completed_before_started",
              "completed_at is earlier than started_at");
    }
  }
  out.survey_id = string_field("survey_id");
  if (const json* id = Field(doc, "survey_id"); id && id->is_string() && out.survey_id.empty())
    problem("/survey_id", "unknown_survey", "'survey_id' names a survey of this server");
  const SurveyDefinition* def = nullptr;
  const json* version = Field(doc, "survey_version");
  if (!version) {
    problem("/survey_version", "required", "'survey_version' is required");
  } else if (!version->is_number_integer()) {
    problem("/survey_version", "wrong_type", "'survey_version' is an integer");
  } else if (version->is_number_unsigned()
                 ? version->get<uint64_t>() > kMaxSurveyVersion
                 : version->get<int64_t>() < 1 || version->get<int64_t>() > kMaxSurveyVersion) {
    problem("/survey_version", "out_of_range",
            "'survey_version' is from 1 to " + std::to_string(kMaxSurveyVersion));
  } else if (!out.survey_id.empty()) {
    out.survey_version = version->get<int>();
    def = catalog.Find(out.survey_id, out.survey_version);
    if (!def) {
      if (!catalog.Latest(out.survey_id)) {
        problem("/survey_id", "unknown_survey", "no survey '" + out.survey_id + "' on this server");
      } else {
        problem(
            "/survey_version", "unknown_version",
            "survey '" + out.survey_id + "' has no version " + std::to_string(out.survey_version));
      }
    }
  }

  const json* household = Field(doc, "household");
  if (!household)
    problem("/household", "required", "'household' is required");
  else if (!household->is_object())
    problem("/household", "wrong_type", "'household' is an object");
  const json* evaluations = Field(doc, "evaluations");
  if (!evaluations)
    problem("/evaluations", "required", "'evaluations' is required");
  else if (!evaluations->is_array())
    problem("/evaluations", "wrong_type", "'evaluations' is an array");

  const json* hh = household && household->is_object() ? household : nullptr;
  if (def && hh)
    SectionValidator(*def, def->household, *hh, nullptr, "/household", &problems, &institutions)
        .Run();
  if (evaluations && evaluations->is_array()) {
    std::set<std::string> seen;
    for (size_t i = 0; i < evaluations->size(); ++i) {
      const json& e = (*evaluations)[i];
      std::string ep = "/evaluations/" + std::to_string(i);
      if (!e.is_object()) {
        problem(ep, "wrong_type", "an evaluation is an object");
        continue;
      }
      for (const auto& [key, value] : e.items()) {
        if (key != "institution_id" && key != "answers") {
          problem(JoinPointer(ep, key), "unknown_field",
                  "'" + key + "' is not an evaluation field");
        }
      }
      const json* inst = Field(e, "institution_id");
      ValidSubmission::Evaluation ev;
      if (!inst) {
        problem(ep + "/institution_id", "required", "'institution_id' is required");
      } else if (!inst->is_string()) {
        problem(ep + "/institution_id", "wrong_type", "'institution_id' is a string");
      } else {
        ev.institution_id = inst->get<std::string>();
        if (!institutions.Exists(ev.institution_id)) {
          problem(ep + "/institution_id", "unknown_institution",
                  "no institution '" + ev.institution_id + "' in this network");
        } else if (!seen.insert(ev.institution_id).second) {
          problem(ep + "/institution_id", "duplicate_institution",
                  "'" + ev.institution_id + "' is evaluated twice in one interview");
        }
      }
      const json* answers = Field(e, "answers");
      if (!answers) {
        problem(ep + "/answers", "required", "'answers' is required");
      } else if (!answers->is_object()) {
        problem(ep + "/answers", "wrong_type", "'answers' is an object");
      } else {
        if (def) {
          SectionValidator(*def, def->evaluation, *answers, hh, ep + "/answers", &problems,
                           &institutions)
              .Run();
          for (const Item* item : def->LikertItems()) {
            ev.likert.push_back(LikertValue(&*answers, item->id, def->scale));
            auto a = answers->find(item->id);
            if (a != answers->end() && a->is_number_integer() &&
                def->scale.IsMissingCode(a->get<long long>()))
              ++ev.missing_codes;
          }
          ev.facts = EvaluationFacts(*def, *answers, hh);
          ev.referred_by = ReferredBy(*def, *answers);
        }
        ev.answers_json = CanonicalJson(*answers);
      }
      out.evaluations.push_back(std::move(ev));
    }
  }
  if (!problems.empty()) {
    std::string msg = problems.size() == 1
                          ? "the submission has 1 problem"
                          : "the submission has " + std::to_string(problems.size()) + " problems";
    return Status::ValidationFailed(msg, std::move(problems));
  }
  out.scale_min = def->scale.min;
  // Identifiers leave here only as keyed hashes: the raw value is in no stored byte. Only an
  // interview that carries one pays for a copy of its document.
  std::optional<json> stored;
  for (const Item& item : def->household) {
    if (item.type != ItemType::kIdentifier || !hh->contains(item.id) || (*hh)[item.id].is_null())
      continue;
    if (!hasher) {
      return Status::ValidationFailed(
          "this server cannot keep identifiers",
          {{"/household/" + item.id, "no_identifier_key", "no key to protect identifiers"}});
    }
    if (!stored) stored = doc;
    const std::string key = hasher(NormalizeIdentifier((*hh)[item.id].get<std::string>()));
    (*stored)["household"][item.id] = key;
    if (out.household_key.empty()) out.household_key = key;
  }
  if (recased) {
    if (!stored) stored = doc;
    (*stored)["instance_id"] = out.instance_id;
  }
  out.canonical_json.reserve(1024);  // an interview is ~1–3 KB: a few growths, not ten
  AppendCanonicalJson(stored ? *stored : doc, &out.canonical_json);
  return out;
}

}  // namespace percept
