// OpenRosa: ODK Collect, KoboCollect and browsers as the tablet app (docs/openrosa.md).
#include "openrosa_routes.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "openrosa.h"
#include "pages.h"
#include "percept/base/log.h"
#include "percept/http/http_support.h"
#include "percept/reports/report_page.h"  // HtmlEscape: valid XML text too
#include "percept/storage/submission_records.h"
#include "percept/xform.h"
#include "submission_routes.h"

namespace percept {

namespace {

const char* kKeyPrefix = "/key/([A-Za-z0-9_-]{1,256})";

}  // namespace

std::shared_ptr<const std::string> OpenRosaResource::Form(const SurveyDefinition& def) const {
  auto directory = institutions_->Snapshot();
  MutexLock lock(mu_);
  auto& cached = forms_[def.id];
  if (cached.first != directory || !cached.second) {
    std::vector<Institution> list;
    for (const auto& [id, institution] : *directory) list.push_back(institution);
    cached = {directory, std::make_shared<const std::string>(XFormOf(def, list))};
  }
  return cached.second;
}

void OpenRosaResource::Register(Router& router) {
  const std::vector<Role> enumerators = {Role::kEnumerator};
  const std::string key = kKeyPrefix;
  for (const char* name : {"enter.js", "engine-check.js"}) {
    std::ifstream in(web_dir_ + "/" + name, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (in) web_files_[name] = bytes.str();
  }
  if (web_files_.empty()) {
    Log(LogLevel::kWarning,
        "no browser tablet in %s (build it: cmake --build build); "
        "/key/.../enter answers 503",
        web_dir_.c_str());
  }
  router.On("GET", R"(/web/([a-z-]+\.js))", Access::kOpen, {}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal*) {
              auto it = web_files_.find(req.matches[1].str());
              if (it == web_files_.end()) {
                return SendError(res, Status::NotFound("no such file"));
              }
              res.status = 200;
              res.set_header("Cache-Control", "public, max-age=3600");
              res.set_header("X-Content-Type-Options", "nosniff");
              res.set_content(it->second, "text/javascript; charset=utf-8");
            });
  router.On("GET", key + R"(/enter/([a-z0-9-]+))", Access::kKey, enumerators, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal*) {
              EnterPage(req, res);
            });
  router.On("GET", key + "/formList", Access::kKey, enumerators, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal*) {
              FormList(req, res);
            });
  router.On("GET", key + R"(/forms/([a-z0-9-]+)\.xml)", Access::kKey, enumerators, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal*) {
              const SurveyDefinition* def = catalog_->Latest(req.matches[2].str());
              if (!def) return SendOpenRosaError(res, Status::NotFound("no such form"));
              SetOpenRosaHeaders(res);
              res.status = 200;
              res.set_content(*Form(*def), "text/xml; charset=utf-8");
            });
  // HEAD comes here too (cpp-httplib answers HEAD with the GET route, without the body).
  router.On("GET", key + "/submission", Access::kKey, enumerators, 0,
            [this](const httplib::Request&, httplib::Response& res, const Principal*) {
              SetOpenRosaHeaders(res);
              res.set_header("X-OpenRosa-Accept-Content-Length", std::to_string(max_body_));
              res.status = 204;
            });
  router.On("POST", key + "/submission", Access::kKey, enumerators, max_body_,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Submit(req, res, *who);
            });
}

void OpenRosaResource::EnterPage(const httplib::Request& req, httplib::Response& res) const {
  const SurveyDefinition* def = catalog_->Latest(req.matches[2].str());
  if (!def) return SendOpenRosaError(res, Status::NotFound("no such form"));
  if (!web_files_.count("enter.js")) {
    return SendOpenRosaError(res, Status::Unavailable("the browser tablet is not built"));
  }
  const std::string key = "/key/" + req.matches[1].str();
  const std::string page =
      "<!doctype html><html lang=\"es\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      HtmlEscape(def->title.es) +
      "</title>"
      "<style>#percept-status{font:16px sans-serif;padding:8px 16px}"
      ".sent{background:#e6f4ea}.refused{background:#fce8e6}</style></head><body>"
      "<div id=\"percept-status\" role=\"status\"></div>"
      "<div id=\"percept-form\" data-form=\"" +
      key + "/forms/" + def->id +
      ".xml\" "
      "data-submit=\"" +
      key +
      "/submission\"></div>"
      "<script type=\"module\" src=\"/web/enter.js\"></script></body></html>";
  // ODK Web Forms runs our own script, the styles it injects and its XPath parser (WebAssembly
  // from a data: URL); nothing from elsewhere.
  SendHtml(res, 200, page,
           "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; "
           "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
           "connect-src 'self' data:; "
           "worker-src 'self' blob:; form-action 'self'; frame-ancestors 'none'; "
           "base-uri 'none'");
}

void OpenRosaResource::FormList(const httplib::Request& req, httplib::Response& res) const {
  // Absolute download URLs, on the address the client used.
  const std::string base =
      "https://" + req.get_header_value("Host") + "/key/" + req.matches[1].str() + "/forms/";
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<xforms xmlns=\"http://openrosa.org/xforms/xformsList\">\n";
  for (const SurveyDefinition* def : catalog_->LatestAll()) {
    xml += "  <xform>\n    <formID>" + HtmlEscape(def->id) + "</formID>\n    <name>" +
           HtmlEscape(def->title.es) + "</name>\n    <version>" + std::to_string(def->version) +
           "</version>\n    <hash>" + XFormHash(*Form(*def)) + "</hash>\n    <downloadUrl>" +
           HtmlEscape(base + def->id) + ".xml</downloadUrl>\n  </xform>\n";
  }
  xml += "</xforms>\n";
  SetOpenRosaHeaders(res);
  res.status = 200;
  res.set_content(xml, "text/xml; charset=utf-8");
}

void OpenRosaResource::Submit(const httplib::Request& req, httplib::Response& res,
                              const Principal& who) {
  if (!req.is_multipart_form_data() || !req.has_file("xml_submission_file")) {
    return SendOpenRosaError(
        res, Status::InvalidParameter(
                 "send multipart/form-data with the instance in the part xml_submission_file"));
  }
  // Other parts (photos, audit logs) are read within the body's limit and not kept.
  const std::string& xml = req.get_file_value("xml_submission_file").content;
  std::string canonical;
  auto doc = SubmissionFromXml(xml, *catalog_, &canonical);
  if (!doc.ok()) return SendOpenRosaError(res, doc.status());
  auto sub = AdmitInterview(*doc, *catalog_, *institutions_, *hasher_, quality_);
  if (!sub.ok()) return SendOpenRosaError(res, sub.status());
  // What the instance means, for analysts (GET /api/v1/submissions/{id}.xml); not its padding.
  sub->source_xml = std::move(canonical);
  const SubmissionOutcome outcome = writer_->Write({&sub.value()}, who.name).at(0);
  if (outcome == SubmissionOutcome::kCreated)
    return SendOpenRosa(res, 201, "Entrevista recibida / Interview received");
  // Collect sends again when it did not hear the answer: this one is already stored.
  if (outcome == SubmissionOutcome::kDuplicate)
    return SendOpenRosa(res, 202, "Ya estaba recibida / Already received");
  SendOpenRosaError(res, OutcomeStatus(outcome, sub->instance_id));
}

}  // namespace percept
