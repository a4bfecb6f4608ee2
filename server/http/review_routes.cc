// Supervision (docs/supervision.md): review an interview, read its history.
#include "review_routes.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "percept/base/log.h"
#include "percept/http/http_support.h"
#include "percept/storage/aggregate_tables.h"
#include "percept/storage/review_records.h"
#include "percept/storage/reviews.h"
#include "percept/storage/submission_records.h"

namespace percept {

using nlohmann::json;

namespace {

constexpr size_t kMaxReviewBody = 16 * 1024;
constexpr size_t kMaxComment = 2000;
const char* kInterviewPath = R"(/api/v1/submissions/([0-9a-fA-F-]{36}))";

}  // namespace

std::vector<Detail> ReviewProblems(const std::string& to, const std::string& comment) {
  std::vector<Detail> problems;
  if (!IsSupervisorState(to)) {
    problems.push_back({"/review_state", "bad_state",
                        "review_state is received, has_issues, approved or rejected"});
  }
  if (comment.size() > kMaxComment)
    problems.push_back({"/comment", "too_long", "a comment is at most 2000 bytes"});
  if (HasControlCharacter(comment, /*allow_lines=*/true)) {
    problems.push_back(
        {"/comment", "control_character", "a comment holds no control character but line breaks"});
  }
  // Sending an interview back, or throwing it out, says why: the enumerator reads it.
  if ((to == "rejected" || to == "has_issues") && comment.empty())
    problems.push_back({"/comment", "required", "say why (a comment) to reject or flag issues"});
  return problems;
}

bool MayReview(const Principal& who, const InterviewInfo& interview) {
  if (who.role == Role::kAnalyst || who.role == Role::kAdmin) return true;
  return who.role == Role::kSupervisor && (who.team.empty() || who.team == interview.team);
}

void ReviewResource::Register(Router& router) {
  router.On("PATCH", kInterviewPath, Access::kApi, {Role::kSupervisor, Role::kAdmin},
            kMaxReviewBody,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Review(req, res, *who);
            });
  router.On("GET", "/api/v1/enumerators", Access::kApi,
            {Role::kSupervisor, Role::kAnalyst, Role::kAdmin}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Enumerators(req, res, *who);
            });
  router.On("GET", std::string(kInterviewPath) + "/reviews", Access::kApi,
            {Role::kSupervisor, Role::kAnalyst, Role::kAdmin}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              History(req, res, *who);
            });
}

void ReviewResource::Review(const httplib::Request& req, httplib::Response& res,
                            const Principal& who) {
  auto doc = ParseJsonBody(req, 4);
  if (!doc.ok()) return SendError(res, doc.status());
  std::vector<Detail> problems;
  if (!doc->is_object()) {
    problems.push_back({"", "wrong_type", "a review is {\"review_state\": …, \"comment\": …}"});
  } else {
    for (const auto& [key, value] : doc->items()) {
      if (key != "review_state" && key != "comment")
        problems.push_back({"/" + key, "unknown_field", "'" + key + "' is not a review field"});
    }
  }
  std::string to, comment;
  if (problems.empty()) {
    const json* state = doc->contains("review_state") ? &(*doc)["review_state"] : nullptr;
    if (state && state->is_string()) to = state->get<std::string>();
    if (doc->contains("comment")) {
      const json& c = (*doc)["comment"];
      if (!c.is_string())
        problems.push_back({"/comment", "wrong_type", "a comment is a string"});
      else
        comment = c.get<std::string>();
    }
    for (Detail& d : ReviewProblems(to, comment)) problems.push_back(std::move(d));
  }
  if (!problems.empty()) {
    return SendError(res,
                     Status::ValidationFailed("the review has " + std::to_string(problems.size()) +
                                                  " problem" + (problems.size() == 1 ? "" : "s"),
                                              std::move(problems)));
  }
  std::string instance_id = req.matches[1].str();
  for (char& c : instance_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto change = Apply(who, instance_id, to, comment);
  Status s = change.status();
  if (!s.ok()) return SendError(res, s);
  SendJson(res, 200,
           {{"instance_id", instance_id},
            {"review_state", change->to},
            {"previous", change->interview.review_state},
            {"changed", change->changed}});
}

Result<ReviewChange> ReviewResource::Apply(const Principal& who, const std::string& instance_id,
                                           const std::string& to, const std::string& comment) {
  ReviewChange change;
  // Only an admin undoes a correction's deprecation (docs/supervision.md, "Corrections");
  // another team's interview answers like an unknown one.
  const ReviewAuthority authority =
      who.role == Role::kAdmin ? ReviewAuthority::kAdmin : ReviewAuthority::kSupervisor;
  Status s = writer_->RunExclusive([&](Store& store) {
    auto done = ReviewInterview(store, aggregates_, instance_id, to, who.name, comment, authority,
                                [&who](const InterviewInfo& i) { return MayReview(who, i); });
    if (!done.ok()) return done.status();
    change = std::move(done).value();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return change;
}

void ReviewResource::History(const httplib::Request& req, httplib::Response& res,
                             const Principal& who) {
  std::string instance_id = req.matches[1].str();
  for (char& c : instance_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto reader = readers_->Acquire();
  if (!reader.ok()) return SendError(res, reader.status());
  auto found = FindInterview(**reader, instance_id);
  if (!found.ok()) return SendError(res, found.status());
  if (!*found || !MayReview(who, **found))
    return SendError(res, Status::NotFound("no such interview"));
  auto reviews = ListReviews(**reader, (*found)->seq);
  if (!reviews.ok()) return SendError(res, reviews.status());
  json items = json::array();
  for (const ReviewRecord& r : *reviews) {
    items.push_back(
        {{"at", r.at}, {"actor", r.actor}, {"from", r.from}, {"to", r.to}, {"comment", r.comment}});
  }
  SendJson(res, 200,
           {{"instance_id", instance_id},
            {"enumerator", (*found)->enumerator},
            {"review_state", (*found)->review_state},
            {"flags", (*found)->flags},
            {"items", std::move(items)}});
}

Result<std::vector<EnumeratorRow>> ReviewResource::EnumeratorRows(const Principal& who,
                                                                  const SurveyDefinition& def) {
  TokenGate::Place place = summaries_.Enter(who.name);
  if (!place.ok()) {
    return Status::RateExceeded("this token already has " + std::to_string(kSummariesPerToken) +
                                " enumerator summaries under way; wait for them");
  }
  auto inputs = enumerator_inputs_.Get(def.id);
  if (!inputs.ok()) return inputs.status();
  EnumeratorOptions options;
  options.lo = def.scale.min;
  options.hi = def.scale.max;
  // Every enumerator is the others' benchmark; a team's supervisor then reads its team's rows.
  std::vector<EnumeratorRow> rows;
  for (EnumeratorRow& r : ComputeEnumerators(**inputs, options)) {
    if (who.role == Role::kSupervisor && !who.team.empty() && r.team != who.team) continue;
    rows.push_back(std::move(r));
  }
  return rows;
}

void ReviewResource::Enumerators(const httplib::Request& req, httplib::Response& res,
                                 const Principal& who) {
  const std::string survey = req.get_param_value("survey");
  if (survey.empty()) return SendError(res, Status::InvalidParameter("'survey' is required"));
  const SurveyDefinition* def = catalog_->Latest(survey);
  if (!def) return SendError(res, Status::NotFound("no such survey"));
  auto rows = EnumeratorRows(who, *def);
  if (!rows.ok()) {
    if (rows.status().code() == StatusCode::kRateExceeded) res.set_header("Retry-After", "1");
    return SendError(res, rows.status());
  }
  json items = json::array();
  for (const EnumeratorRow& r : *rows) {
    json flags = json::object();
    for (const std::string& f : QualityFlagNames()) flags[f] = r.flags.count(f) ? r.flags.at(f) : 0;
    auto number = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    items.push_back({{"enumerator", r.enumerator},
                     {"team", r.team.empty() ? json(nullptr) : json(r.team)},
                     {"interviews", r.interviews},
                     {"minutes_per_evaluation", number(r.median_minutes_per_evaluation)},
                     {"flags", std::move(flags)},
                     {"evaluations", r.evaluations},
                     {"overall_index", number(r.overall_index)},
                     {"others_index", number(r.others_index)},
                     {"gap", number(r.gap)},
                     {"p", number(r.p)},
                     {"q", number(r.q)},
                     {"deviant", r.deviant}});
  }
  SendJson(
      res, 200,
      {{"survey", def->id}, {"min_gap", EnumeratorOptions{}.min_gap}, {"items", std::move(items)}});
}

}  // namespace percept
