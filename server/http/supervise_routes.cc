// The supervisor's page (docs/supervision.md): GET /supervise/{survey} (the queue and the
// enumerators), GET and POST /supervise/{survey}/interviews/{id} (one interview and its
// review), POST /supervise/{survey}/bulk (every interview listed at once).
#include "supervise_routes.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "pages.h"
#include "percept/reports/supervise_page.h"
#include "percept/storage/review_records.h"
#include "percept/storage/reviews.h"
#include "percept/storage/submission_records.h"

namespace percept {

namespace {

constexpr size_t kFormBytes = 8 * 1024;
constexpr int kQueueRows = 200;
constexpr int kBulkMost = 1000;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Problems(const std::vector<Detail>& details) {
  std::string out;
  for (const Detail& d : details) out += (out.empty() ? "" : "; ") + d.message;
  return out;
}

}  // namespace

void SupervisePage::Register(Router& router) {
  const std::vector<Role> reviewers = {Role::kSupervisor, Role::kAdmin};
  router.On("GET", R"(/supervise/([a-z0-9-]+))", Access::kPage, reviewers, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              // Back from a bulk review: say what it did.
              std::string message;
              if (req.has_param("done")) {
                const long done = std::strtol(req.get_param_value("done").c_str(), nullptr, 10);
                const long skipped =
                    std::strtol(req.get_param_value("skipped").c_str(), nullptr, 10);
                message = std::to_string(done) +
                          (Lang(req) == "en" ? " interviews reviewed" : " entrevistas revisadas");
                if (skipped > 0)
                  message += " (" + std::to_string(skipped) +
                             (Lang(req) == "en" ? " skipped)" : " omitidas)");
              }
              Queue(req, res, *who, message);
            });
  router.On("POST", R"(/supervise/([a-z0-9-]+)/bulk)", Access::kPage, reviewers, kFormBytes,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Bulk(req, res, *who);
            });
  const std::string interview = R"(/supervise/([a-z0-9-]+)/interviews/([0-9a-fA-F-]{36}))";
  router.On("GET", interview, Access::kPage, reviewers, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Interview(req, res, *who, "");
            });
  router.On("POST", interview, Access::kPage, reviewers, kFormBytes,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              if (CrossSite(req))
                return SendHtmlError(req, res,
                                     Status::Forbidden("review from this site's own page"));
              const std::string to = req.get_param_value("review_state");
              const std::string comment = req.get_param_value("comment");
              auto problems = ReviewProblems(to, comment);
              if (!problems.empty()) return Interview(req, res, *who, Problems(problems));
              auto change = reviews_->Apply(*who, Lower(req.matches[2].str()), to, comment);
              if (!change.ok()) {
                if (change.status().code() == StatusCode::kNotFound)
                  return SendHtmlError(req, res, change.status());
                return Interview(req, res, *who, change.status().message());
              }
              // After a post, a get: reloading the page does not review twice.
              res.status = 303;
              res.set_header("Location", req.path + "?lang=" + Lang(req));
            });
}

Result<SubmissionQuery> SupervisePage::Filter(const httplib::Request& req, const Principal& who,
                                              const SurveyDefinition& def, int limit) {
  SubmissionQuery q;
  q.survey_id = def.id;
  q.limit = limit;
  q.review_state = req.get_param_value("state");
  q.flag = req.get_param_value("flag");
  q.enumerator = req.get_param_value("enumerator");
  if (!q.review_state.empty() && !IsReviewState(q.review_state))
    return Status::InvalidParameter("no such review state");
  if (!q.flag.empty() && !IsQualityFlag(q.flag)) return Status::InvalidParameter("no such flag");
  if (q.enumerator.size() > 64) return Status::InvalidParameter("no such enumerator");
  if (who.role == Role::kSupervisor) q.team = who.team;
  return q;
}

void SupervisePage::Queue(const httplib::Request& req, httplib::Response& res, const Principal& who,
                          const std::string& message) {
  const SurveyDefinition* def = catalog_->Latest(req.matches[1].str());
  if (!def) return SendHtmlError(req, res, Status::NotFound("no such survey"));
  auto filter = Filter(req, who, *def, kQueueRows);
  if (!filter.ok()) return SendHtmlError(req, res, filter.status());
  const SubmissionQuery& q = *filter;
  auto reader = readers_->Acquire();
  if (!reader.ok()) return SendHtmlError(req, res, reader.status());
  auto page = ListSubmissions(**reader, q);
  if (!page.ok()) return SendHtmlError(req, res, page.status());
  QueueView view;
  view.survey = def;
  view.lang = Lang(req);
  view.reader = who.name;
  view.flag = q.flag;
  view.enumerator = q.enumerator;
  view.state = q.review_state;
  view.more = page->next.has_value();
  view.message = message;
  for (size_t i = 0; i < page->items.size(); ++i) {
    const auto doc = nlohmann::json::parse(page->items[i], nullptr, false);
    QueueRow row;
    row.instance_id = doc.value("instance_id", "");
    row.completed_at = doc.value("completed_at", "");
    row.evaluations = doc.contains("evaluations") ? static_cast<int>(doc["evaluations"].size()) : 0;
    row.enumerator = page->enumerators[i];
    row.review_state = page->review_states[i];
    row.flags = page->flags[i];
    view.rows.push_back(std::move(row));
  }
  auto rows = reviews_->EnumeratorRows(who, *def);
  if (!rows.ok()) return SendHtmlError(req, res, rows.status());
  view.enumerators = std::move(rows).value();
  SendHtml(res, 200, RenderQueue(view));
}

void SupervisePage::Interview(const httplib::Request& req, httplib::Response& res,
                              const Principal& who, const std::string& error) {
  const SurveyDefinition* latest = catalog_->Latest(req.matches[1].str());
  if (!latest) return SendHtmlError(req, res, Status::NotFound("no such survey"));
  auto reader = readers_->Acquire();
  if (!reader.ok()) return SendHtmlError(req, res, reader.status());
  const std::string id = Lower(req.matches[2].str());
  auto found = FindInterview(**reader, id);
  if (!found.ok()) return SendHtmlError(req, res, found.status());
  // Another team's interview answers like an unknown one.
  if (!*found || !MayReview(who, **found) || (*found)->survey_id != latest->id)
    return SendHtmlError(req, res, Status::NotFound("no such interview"));
  auto body = SubmissionBody(**reader, (*found)->seq);
  if (!body.ok()) return SendHtmlError(req, res, body.status());
  auto history = ListReviews(**reader, (*found)->seq);
  if (!history.ok()) return SendHtmlError(req, res, history.status());
  const auto doc = nlohmann::json::parse(*body, nullptr, false);
  const SurveyDefinition* def =
      catalog_->Find(latest->id, doc.is_object() ? doc.value("survey_version", 0) : 0);
  auto directory = institutions_->Snapshot();
  InterviewView view;
  view.survey = def ? def : latest;
  view.institutions = directory.get();
  view.lang = Lang(req);
  view.reader = who.name;
  view.info = **found;
  view.body = *body;
  view.reviews = std::move(history).value();
  view.error = error;
  SendHtml(res, error.empty() ? 200 : 422, RenderInterview(view));
}

void SupervisePage::Bulk(const httplib::Request& req, httplib::Response& res,
                         const Principal& who) {
  if (CrossSite(req))
    return SendHtmlError(req, res, Status::Forbidden("review from this site's own page"));
  const std::string to = req.get_param_value("review_state");
  const std::string comment = req.get_param_value("comment");
  auto problems = ReviewProblems(to, comment);
  const std::string lang = Lang(req);
  if (!problems.empty()) return Queue(req, res, who, Problems(problems));
  const SurveyDefinition* def = catalog_->Latest(req.matches[1].str());
  if (!def) return SendHtmlError(req, res, Status::NotFound("no such survey"));
  // The interviews the queue listed under the same filters, the supervisor's team's only.
  auto filter = Filter(req, who, *def, kBulkMost);
  if (!filter.ok()) return SendHtmlError(req, res, filter.status());
  const SubmissionQuery& q = *filter;
  std::vector<std::string> ids;
  {
    auto reader = readers_->Acquire();
    if (!reader.ok()) return SendHtmlError(req, res, reader.status());
    auto page = ListSubmissions(**reader, q);
    if (!page.ok()) return SendHtmlError(req, res, page.status());
    for (const std::string& item : page->items) {
      const auto doc = nlohmann::json::parse(item, nullptr, false);
      ids.push_back(doc.value("instance_id", ""));
    }
  }
  int done = 0, skipped = 0;
  for (const std::string& id : ids) {
    auto change = reviews_->Apply(who, id, to, comment);
    if (change.ok())
      done += change->changed;
    else
      ++skipped;  // a replaced interview, for one
  }
  std::string location = "/supervise/" + def->id + "?lang=" + lang;
  for (const char* name : {"state", "flag", "enumerator"}) {
    const std::string value = req.get_param_value(name);
    if (!value.empty()) location += std::string("&") + name + "=" + UrlEncode(value);
  }
  location += "&done=" + std::to_string(done) + "&skipped=" + std::to_string(skipped);
  res.status = 303;
  res.set_header("Location", location);
}

}  // namespace percept
