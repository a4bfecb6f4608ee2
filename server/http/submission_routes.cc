// The routes of interviews: submit one or a batch, list what is stored.
#include "submission_routes.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <ctime>

#include "percept/http/http_support.h"
#include "percept/storage/reviews.h"
#include "percept/storage/submission_records.h"
#include "percept/submission.h"

namespace percept {

using nlohmann::json;

namespace {

const char* OutcomeName(SubmissionOutcome o) {
  return o == SubmissionOutcome::kCreated     ? "created"
         : o == SubmissionOutcome::kDuplicate ? "duplicate"
                                              : "rejected";
}

Result<int64_t> IntParam(const httplib::Request& req, const char* name, int64_t fallback,
                         int64_t lo, int64_t hi) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n < lo || n > hi) {
    return Status::InvalidParameter(std::string("'") + name + "' must be an integer in " +
                                    std::to_string(lo) + ".." + std::to_string(hi));
  }
  return static_cast<int64_t>(n);
}

}  // namespace

void SubmissionResource::Register(Router& router) {
  const std::vector<Role> submitters = {Role::kEnumerator};
  router.On("POST", "/api/v1/submissions", Access::kApi, submitters, limits_.max_body,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Submit(req, res, *who);
            });
  router.On("POST", "/api/v1/submissions/batch", Access::kApi, submitters, limits_.max_body,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              SubmitBatch(req, res, *who);
            });
  router.On("GET", R"(/api/v1/submissions/([0-9a-fA-F-]{36})\.xml)", Access::kApi,
            {Role::kAnalyst, Role::kAdmin}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal*) {
              auto reader = readers_->Acquire();
              if (!reader.ok()) return SendError(res, reader.status());
              std::string id = req.matches[1].str();
              for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
              auto xml = SubmissionXml(**reader, id);
              if (!xml.ok()) return SendError(res, xml.status());
              if (!xml->has_value()) {
                return SendError(res, Status::NotFound("no interview with this instance_id "
                                                       "arrived as XML"));
              }
              res.status = 200;
              res.set_content(**xml, "text/xml; charset=utf-8");
            });
  router.On("GET", "/api/v1/submissions", Access::kApi,
            {Role::kAnalyst, Role::kAdmin, Role::kSupervisor}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              List(req, res, *who);
            });
}

Result<ValidSubmission> AdmitInterview(const nlohmann::json& doc, const SurveyCatalog& catalog,
                                       const InstitutionLookup& institutions,
                                       const IdentifierHasher& hasher,
                                       const QualityOptions& quality) {
  auto sub = ValidateSubmission(doc, catalog, institutions, hasher);
  if (sub.ok())
    sub->flags = QualityFlags(*sub, static_cast<long long>(std::time(nullptr)), quality);
  return sub;
}

void SubmissionResource::Submit(const httplib::Request& req, httplib::Response& res,
                                const Principal& who) {
  auto doc = ParseJsonBody(req, limits_.max_json_depth);
  if (!doc.ok()) return SendError(res, doc.status());
  auto sub = AdmitInterview(*doc, *catalog_, *institutions_, *hasher_, quality_);
  if (!sub.ok()) return SendError(res, sub.status());
  SubmissionOutcome outcome = writer_->Write({&sub.value()}, who.name).at(0);
  Status refused = OutcomeStatus(outcome, sub->instance_id);
  if (!refused.ok()) return SendError(res, refused);
  SendJson(res, outcome == SubmissionOutcome::kCreated ? 201 : 200,
           {{"instance_id", sub->instance_id}, {"status", OutcomeName(outcome)}});
}

void SubmissionResource::SubmitBatch(const httplib::Request& req, httplib::Response& res,
                                     const Principal& who) {
  auto doc = ParseJsonBody(req, limits_.max_json_depth + 1);
  if (!doc.ok()) return SendError(res, doc.status());
  if (!doc->is_object() || !doc->contains("submissions") || !(*doc)["submissions"].is_array()) {
    return SendError(res, Status::ValidationFailed(
                              "a batch is {\"submissions\": [...]}",
                              {{"/submissions", "required", "'submissions' must be an array"}}));
  }
  const json& items = (*doc)["submissions"];
  if (items.size() > limits_.max_batch) {
    return SendError(
        res, Status::InputTooLarge("a batch holds at most " + std::to_string(limits_.max_batch) +
                                   " submissions, this one " + std::to_string(items.size())));
  }
  json results = json::array();
  std::vector<Result<ValidSubmission>> checked;
  checked.reserve(items.size());
  std::vector<const ValidSubmission*> valid;
  for (const json& item : items) {
    checked.push_back(AdmitInterview(item, *catalog_, *institutions_, *hasher_, quality_));
    if (checked.back().ok()) valid.push_back(&checked.back().value());
  }
  std::vector<SubmissionOutcome> outcomes = writer_->Write(valid, who.name);
  if (std::find(outcomes.begin(), outcomes.end(), SubmissionOutcome::kFailed) != outcomes.end()) {
    // Nothing is "rejected" for the server's own failure: the tablet must simply retry.
    return SendError(res,
                     Status::Unavailable("the batch could not be stored; send it again later"));
  }
  size_t next = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const json& item = items[i];
    json id = item.is_object() && item.contains("instance_id") && item["instance_id"].is_string()
                  ? item["instance_id"]
                  : json(nullptr);
    if (!checked[i].ok()) {
      Status st = checked[i].status();
      results.push_back({{"instance_id", id}, {"status", "rejected"}, {"error", ErrorObject(st)}});
      continue;
    }
    SubmissionOutcome o = outcomes[next++];
    json r = {{"instance_id", id}, {"status", OutcomeName(o)}};
    if (Status refused = OutcomeStatus(o, id.get<std::string>()); !refused.ok())
      r["error"] = ErrorObject(refused);
    results.push_back(std::move(r));
  }
  SendJson(res, 200, {{"results", results}});
}

void SubmissionResource::List(const httplib::Request& req, httplib::Response& res,
                              const Principal& who) {
  SubmissionQuery q;
  q.survey_id = req.get_param_value("survey");
  if (q.survey_id.empty()) return SendError(res, Status::InvalidParameter("'survey' is required"));
  if (!catalog_->Latest(q.survey_id)) return SendError(res, Status::NotFound("no such survey"));
  auto after = IntParam(req, "after", 0, 0, INT64_MAX);
  if (!after.ok()) return SendError(res, after.status());
  auto limit = IntParam(req, "limit", 100, 1, 1000);
  if (!limit.ok()) return SendError(res, limit.status());
  q.after = *after;
  q.limit = static_cast<int>(*limit);
  q.review_state = req.get_param_value("review_state");
  if (!q.review_state.empty() && !IsReviewState(q.review_state)) {
    return SendError(res, Status::InvalidParameter(
                              "'review_state' is received, has_issues, approved, rejected or "
                              "deprecated"));
  }
  q.flag = req.get_param_value("flag");
  if (!q.flag.empty() && !IsQualityFlag(q.flag))
    return SendError(res, Status::InvalidParameter("no quality flag '" + q.flag + "'"));
  q.enumerator = req.get_param_value("enumerator");
  if (q.enumerator.size() > 64)
    return SendError(res, Status::InvalidParameter("'enumerator' is too long"));
  // A supervisor with a team sees its team's interviews only (docs/supervision.md).
  if (who.role == Role::kSupervisor) q.team = who.team;
  auto reader = readers_->Acquire();
  if (!reader.ok()) return SendError(res, reader.status());
  auto page = ListSubmissions(**reader, q);
  if (!page.ok()) return SendError(res, page.status());
  // Stored bodies are already compact JSON: splice them rather than parse and re-serialise,
  // each after what supervision adds (who sent it, its review state and flags).
  std::string body = "{\"items\":[";
  for (size_t i = 0; i < page->items.size(); ++i) {
    if (i) body += ',';
    json extra = {{"enumerator", page->enumerators[i]},
                  {"review_state", page->review_states[i]},
                  {"flags", page->flags[i]}};
    std::string head = extra.dump();
    head.back() = ',';  // {"enumerator":…,"flags":[…],"review_state":…, then the body's fields
    body += head;
    body.append(page->items[i], 1, std::string::npos);
  }
  body += "],\"next\":";
  body += page->next ? "\"" + std::to_string(*page->next) + "\"" : "null";
  body += "}";
  res.status = 200;
  res.set_content(body, "application/json");
}

}  // namespace percept
