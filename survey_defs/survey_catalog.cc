// SurveyCatalog: every definition of a folder, by id and version.
#include <dirent.h>

#include <algorithm>

#include "percept/survey_definition.h"

namespace percept {

Status SurveyCatalog::Add(SurveyDefinition def) {
  auto key = std::make_pair(def.id, def.version);
  if (by_key_.count(key)) {
    return Status::ValidationFailed(def.source_path + ": survey '" + def.id + "' version " +
                                    std::to_string(def.version) + " is defined twice (also in " +
                                    by_key_[key]->source_path + ")");
  }
  by_key_[key] = std::make_shared<const SurveyDefinition>(std::move(def));
  return Status::Ok();
}

Result<SurveyCatalog> SurveyCatalog::LoadDirectory(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (!d) return Status::NotFound(dir + ": no such survey folder");
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0)
      files.push_back(dir + "/" + name);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  SurveyCatalog catalog;
  for (const auto& f : files) {
    auto def = LoadSurveyDefinitionFile(f);
    if (!def.ok()) return def.status();
    Status s = catalog.Add(std::move(def).value());
    if (!s.ok()) return s;
  }
  if (catalog.empty()) return Status::NotFound(dir + ": holds no survey definition (*.json)");
  return catalog;
}

const SurveyDefinition* SurveyCatalog::Find(std::string_view id, int version) const {
  auto it = by_key_.find(std::make_pair(std::string(id), version));
  return it == by_key_.end() ? nullptr : it->second.get();
}

const SurveyDefinition* SurveyCatalog::Latest(std::string_view id) const {
  const SurveyDefinition* best = nullptr;
  for (const auto& [key, def] : by_key_)
    if (key.first == id) best = def.get();
  return best;
}

std::vector<const SurveyDefinition*> SurveyCatalog::LatestAll() const {
  std::vector<const SurveyDefinition*> out;
  for (const auto& [key, def] : by_key_) {
    if (!out.empty() && out.back()->id == key.first)
      out.back() = def.get();
    else
      out.push_back(def.get());
  }
  return out;
}

std::vector<const SurveyDefinition*> SurveyCatalog::All() const {
  std::vector<const SurveyDefinition*> out;
  for (const auto& [key, def] : by_key_) out.push_back(def.get());
  return out;
}

}  // namespace percept
