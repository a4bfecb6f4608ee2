// The waves of a survey (docs/waves.md, docs/api.md "Waves").
#include "wave_routes.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "percept/http/http_support.h"
#include "percept/storage/audit_records.h"
#include "percept/storage/waves.h"

namespace percept {

using nlohmann::json;

namespace {

constexpr size_t kMaxWaveBody = 4 * 1024;

json WaveJson(const Wave& w, int64_t interviews) {
  return {
      {"id", w.id}, {"label", w.label}, {"from", w.from}, {"to", w.to}, {"interviews", interviews}};
}

// The body's string field `name`: absent (nullopt), a string, or a problem.
std::optional<std::string> StringField(const json& doc, const char* name,
                                       std::vector<Detail>* problems) {
  if (!doc.contains(name)) return std::nullopt;
  const json& v = doc[name];
  if (!v.is_string()) {
    problems->push_back(
        {std::string("/") + name, "wrong_type", std::string(name) + " is a string"});
    return std::nullopt;
  }
  return v.get<std::string>();
}

// The body as an object of only `allowed` string fields.
Result<json> WaveBody(const httplib::Request& req, const std::vector<std::string>& allowed) {
  auto doc = ParseJsonBody(req, 2);
  if (!doc.ok()) return doc.status();
  std::vector<Detail> problems;
  if (!doc->is_object()) {
    problems.push_back({"", "wrong_type", "a wave is a JSON object"});
  } else {
    for (const auto& [key, value] : doc->items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        problems.push_back({"/" + key, "unknown_field", "'" + key + "' is not a wave field"});
    }
  }
  if (!problems.empty()) return Status::ValidationFailed("the wave is not valid", problems);
  return doc;
}

}  // namespace

void WaveResource::Register(Router& router) {
  router.On("GET", "/api/v1/waves", Access::kApi,
            {Role::kAnalyst, Role::kAdmin, Role::kInstitution, Role::kSupervisor}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal*) {
              List(req, res);
            });
  router.On("POST", "/api/v1/waves", Access::kApi, {Role::kAdmin}, kMaxWaveBody,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Create(req, res, *who);
            });
  router.On("PATCH", R"(/api/v1/waves/([A-Za-z0-9._-]{1,32}))", Access::kApi, {Role::kAdmin},
            kMaxWaveBody,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Edit(req, res, *who);
            });
}

void WaveResource::List(const httplib::Request& req, httplib::Response& res) const {
  const std::string survey = req.get_param_value("survey");
  if (survey.empty()) return SendError(res, Status::InvalidParameter("'survey' is required"));
  if (!catalog_->Latest(survey)) return SendError(res, Status::NotFound("no such survey"));
  auto reader = readers_->Acquire();
  if (!reader.ok()) return SendError(res, reader.status());
  auto waves = ListWaves(**reader, survey);
  if (!waves.ok()) return SendError(res, waves.status());
  json out = json::array();
  for (const Wave& w : *waves) {
    auto n = CountWaveInterviews(**reader, w);
    if (!n.ok()) return SendError(res, n.status());
    out.push_back(WaveJson(w, *n));
  }
  SendJson(res, 200, out);
}

void WaveResource::Create(const httplib::Request& req, httplib::Response& res,
                          const Principal& who) {
  auto doc = WaveBody(req, {"survey", "id", "from", "to", "label"});
  if (!doc.ok()) return SendError(res, doc.status());
  std::vector<Detail> problems;
  Wave w;
  w.survey_id = StringField(*doc, "survey", &problems).value_or("");
  w.id = StringField(*doc, "id", &problems).value_or("");
  w.from = StringField(*doc, "from", &problems).value_or("");
  w.to = StringField(*doc, "to", &problems).value_or("");
  w.label = StringField(*doc, "label", &problems).value_or("");
  if (!problems.empty())
    return SendError(res, Status::ValidationFailed("the wave is not valid", problems));
  if (w.survey_id.empty()) return SendError(res, Status::InvalidParameter("'survey' is required"));
  if (!catalog_->Latest(w.survey_id)) return SendError(res, Status::NotFound("no such survey"));
  Status s = writer_->RunExclusive([&](Store& store) {
    Status created = CreateWave(store, w);
    if (created.ok()) (void)Audit(store, who.name, "wave create", w.survey_id + " " + w.id);
    return created;
  });
  if (!s.ok()) return SendError(res, s);
  SendJson(res, 201, WaveJson(w, 0));
}

void WaveResource::Edit(const httplib::Request& req, httplib::Response& res, const Principal& who) {
  auto doc = WaveBody(req, {"survey", "from", "to", "label"});
  if (!doc.ok()) return SendError(res, doc.status());
  std::vector<Detail> problems;
  const std::string survey = StringField(*doc, "survey", &problems).value_or("");
  const auto from = StringField(*doc, "from", &problems);
  const auto to = StringField(*doc, "to", &problems);
  const auto label = StringField(*doc, "label", &problems);
  if (!problems.empty())
    return SendError(res, Status::ValidationFailed("the wave is not valid", problems));
  if (survey.empty()) return SendError(res, Status::InvalidParameter("'survey' is required"));
  const std::string id = req.matches[1].str();
  Result<Wave> edited = Status::Internal("not run");
  int64_t interviews = 0;
  Status s = writer_->RunExclusive([&](Store& store) {
    edited = EditWave(store, survey, id, from, to, label);
    if (!edited.ok()) return edited.status();
    (void)Audit(store, who.name, "wave edit", survey + " " + id);
    auto n = CountWaveInterviews(store, *edited);
    if (!n.ok()) return n.status();
    interviews = *n;
    return Status::Ok();
  });
  if (!s.ok()) return SendError(res, s);
  SendJson(res, 200, WaveJson(*edited, interviews));
}

}  // namespace percept
