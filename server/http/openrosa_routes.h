// OpenRosa for ODK Collect, KoboCollect and ODK Web Forms.
// Internal to server/http: one class over the narrow context its constructor takes.
#pragma once

#include <httplib.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "percept/storage/institution_cache.h"
#include "percept/storage/roles.h"
#include "percept/storage/submission_writer.h"
#include "percept/submission.h"
#include "percept/survey_definition.h"
#include "router.h"
#include "percept/base/thread_annotations.h"

namespace percept {

// OpenRosa under /key/{token}/ (docs/openrosa.md): the form list, the XForms, and submissions
// as ODK Collect, KoboCollect and ODK Web Forms send them, into the same validator and writer
// as JSON.
class OpenRosaResource {
 public:
  OpenRosaResource(const SurveyCatalog* catalog, const InstitutionCache* institutions,
                   const IdentifierHasher* hasher, SubmissionWriter* writer, size_t max_body,
                   std::string web_dir, QualityOptions quality)
      : catalog_(catalog),
        institutions_(institutions),
        hasher_(hasher),
        writer_(writer),
        max_body_(max_body),
        web_dir_(std::move(web_dir)),
        quality_(quality) {}
  void Register(Router& router);

 private:
  // The XForm of the latest version of `survey`, made again only when the institutions change.
  std::shared_ptr<const std::string> Form(const SurveyDefinition& def) const;
  void FormList(const httplib::Request& req, httplib::Response& res) const;
  void Submit(const httplib::Request& req, httplib::Response& res, const Principal& who);
  // GET /key/{token}/enter/{survey}: the page where ODK Web Forms renders the form.
  void EnterPage(const httplib::Request& req, httplib::Response& res) const;

  const SurveyCatalog* catalog_;
  const InstitutionCache* institutions_;
  const IdentifierHasher* hasher_;
  SubmissionWriter* writer_;
  const size_t max_body_;
  const std::string web_dir_;
  const QualityOptions quality_;
  // The bundles under /web/, read once at Register (read-only after).
  std::map<std::string, std::string> web_files_;
  // Threading: any worker; mu_ guards forms_ (per survey: the directory it was made from, and
  // the XForm's bytes).
  mutable Mutex mu_;
  mutable std::map<std::string, std::pair<std::shared_ptr<const InstitutionCache::Directory>,
                                          std::shared_ptr<const std::string>>>
      forms_ GUARDED_BY(mu_);
};

}  // namespace percept
