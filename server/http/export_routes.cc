// GET /api/v1/exports/{survey}...: the five exports, streamed (docs/api.md, "Exports").
#include "export_routes.h"

#include "percept/base/log.h"
#include "percept/http/http_support.h"
#include "percept/reports/exports.h"
#include "percept/storage/waves.h"

namespace percept {

void ExportResource::Register(Router& router) {
  router.On("GET", R"(/api/v1/exports/([a-z0-9-]+)(\.csv|\.sav|\.jsonl|/codebook\.csv))",
            Access::kApi, {Role::kAnalyst, Role::kAdmin}, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Export(req, res, *who);
            });
}

void ExportResource::Export(const httplib::Request& req, httplib::Response& res,
                            const Principal& who) {
  const SurveyDefinition* def = catalog_->Latest(req.matches[1].str());
  if (!def) return SendError(res, Status::NotFound("no such survey"));
  const std::string kind = req.matches[2].str();
  ExportFormat format = ExportFormat::kCsvWide;
  if (kind == ".sav")
    format = ExportFormat::kSav;
  else if (kind == ".jsonl")
    format = ExportFormat::kJsonLines;
  else if (kind == "/codebook.csv")
    format = ExportFormat::kCodebook;
  else if (req.has_param("layout")) {
    const std::string layout = req.get_param_value("layout");
    if (layout == "long")
      format = ExportFormat::kCsvLong;
    else if (layout != "wide")
      return SendError(res, Status::InvalidParameter("'layout' is wide or long"));
  }
  const std::string include = req.get_param_value("include_rejected");
  if (!include.empty() && include != "true" && include != "false")
    return SendError(res, Status::InvalidParameter("'include_rejected' is true or false"));
  ExportScope scope;
  scope.include_rejected = include == "true";
  if (req.has_param("from") || req.has_param("to")) {
    return SendError(res, Status::InvalidParameter(
                              "exports take a whole wave (wave=ID) or every interview, not dates"));
  }
  scope.wave = req.get_param_value("wave");
  auto lease = readers_->Acquire();
  if (!lease.ok()) return SendError(res, lease.status());
  if (!scope.wave.empty()) {  // before the first byte: a streamed answer can no longer say 404
    auto wave = FindWave(**lease, def->id, scope.wave);
    if (!wave.ok()) return SendError(res, wave.status());
    if (!*wave) {
      return SendError(
          res, Status::NotFound("survey '" + def->id + "' has no wave '" + scope.wave + "'"));
    }
  }
  audit_->Record(who.name, "export",
                 def->id + " " + NamesOf(format).name +
                     (scope.include_rejected ? " include_rejected" : "") +
                     (scope.wave.empty() ? "" : " wave " + scope.wave));
  auto shared = std::make_shared<StorePool::Lease>(std::move(lease).value());
  auto directory = institutions_->Snapshot();
  const std::string name = def->id + NamesOf(format).file_tail;
  res.set_header("Content-Disposition", "attachment; filename=\"" + name + "\"");
  if (format == ExportFormat::kCsvWide || format == ExportFormat::kCsvLong) {
    res.set_header("Link", "</api/v1/exports/" + def->id + "/codebook.csv>; rel=\"describedby\"");
  }
  // Streamed in chunks as rows are made: memory stays flat however large the wave.
  res.set_chunked_content_provider(
      NamesOf(format).media_type,
      [shared, def, directory, format, scope](size_t, httplib::DataSink& sink) {
        auto stats = percept::Export(
            **shared, *def, *directory, format,
            [&](std::string_view chunk) { return sink.write(chunk.data(), chunk.size()); }, scope);
        if (!stats.ok()) {
          Log(LogLevel::kWarning, "export of %s stopped: %s", def->id.c_str(),
              stats.status().message().c_str());
          return false;  // the client sees a cut-off chunked body, never a complete-looking file
        }
        sink.done();
        return true;
      });
}

}  // namespace percept
