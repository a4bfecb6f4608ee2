// Shared by the tests: paths of the source tree and a valid interview to start from.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "percept/base/uuid.h"

namespace percept::testing {

inline std::string SourcePath(const std::string& rel) {
  return std::string(PERCEPT_SOURCE_DIR) + "/" + rel;
}

// A database path in the build tree, with no file left at it (nor its WAL and shared memory).
inline std::string TempPath(const std::string& name) {
  std::string p = std::string(PERCEPT_BINARY_DIR) + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p + suffix).c_str());
  return p;
}

// A complete, valid interview of chs-perception v1 evaluating `institutions` (demo ids).
// `seed` varies the answers so that different interviews differ in content.
inline nlohmann::json DemoInterview(const std::string& instance_id,
                                    const std::vector<std::string>& institutions = {"cesfam-tal-1",
                                                                                    "omil-tal"},
                                    unsigned seed = 1) {
  std::mt19937 rng(seed);
  auto grade = [&] { return static_cast<int>(rng() % 7) + 1; };
  nlohmann::json evals = nlohmann::json::array();
  for (const std::string& id : institutions) {
    nlohmann::json a;
    for (const char* item :
         {"opp_wait",     "opp_speed",  "opp_hours",   "opp_appointment",  "prf_knowledge",
          "prf_explain",  "prf_solve",  "apr_fit",     "apr_situation",    "apr_words",
          "utl_useful",   "utl_better", "utl_solved",  "trn_requirements", "trn_status",
          "trn_reasons",  "trn_rights", "lnk_respect", "lnk_listen",       "lnk_trust",
          "lnk_followup", "overall"}) {
      a[item] = grade();
    }
    a["pathway"] = "apoyo_familiar";
    a["had_problems"] = true;
    a["problems"] = {"esperas_largas", "muchas_vueltas"};
    a["benefit_received"] = "en_parte";
    a["knows_how"] = true;
    a["knows_rights"] = false;
    a["actions"] = {"llego_temprano"};
    a["proposal"] = "Que atiendan por la tarde, \"sin\" tantas vueltas,\ny con buen trato.";
    evals.push_back({{"institution_id", id}, {"answers", a}});
  }
  return {{"instance_id", instance_id},
          {"survey_id", "chs-perception"},
          {"survey_version", 1},
          {"device_id", "tab-017"},
          {"started_at", "2026-11-20T14:03:00-03:00"},
          {"completed_at", "2026-11-20T14:41:12-03:00"},
          {"household",
           {{"consent", true},
            {"region", "8"},
            {"comuna", "8110"},
            {"programme", "familias"},
            {"household_size", 4},
            {"head_sex", "mujer"},
            {"months_in_programme", 14}}},
          {"evaluations", evals}};
}

// An answer as an XForm instance writes it.
inline std::string XmlAnswer(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string s;
    for (const nlohmann::json& x : v) s += (s.empty() ? "" : " ") + x.get<std::string>();
    return s;
  }
  return v.dump();
}

// The instance ODK Collect would send for the JSON submission `s` (docs/openrosa.md), written
// by hand: element per answer, yes/no as 1/0, multiple choices space-separated.
inline std::string InstanceXml(const nlohmann::json& s) {
  std::string x = "<?xml version='1.0' ?><data id=\"" + s["survey_id"].get<std::string>() +
                  "\" version=\"" + s["survey_version"].dump() + "\"><start>" +
                  s["started_at"].get<std::string>() + "</start><end>" +
                  s["completed_at"].get<std::string>() + "</end><deviceid>" +
                  s["device_id"].get<std::string>() + "</deviceid><household>";
  for (const auto& [k, v] : s["household"].items())
    x += "<" + k + ">" + XmlAnswer(v) + "</" + k + ">";
  x += "<household_key/></household>";
  for (const nlohmann::json& e : s["evaluations"]) {
    x += "<evaluation><institution_id>" + e["institution_id"].get<std::string>() +
         "</institution_id>";
    for (const auto& [k, v] : e["answers"].items()) {
      std::string t = XmlAnswer(v);
      std::string escaped;
      for (char c : t) escaped += c == '&' ? "&amp;" : c == '<' ? "&lt;" : std::string(1, c);
      x += "<" + k + ">" + escaped + "</" + k + ">";
    }
    x += "</evaluation>";
  }
  return x + "<meta><instanceID>uuid:" + s["instance_id"].get<std::string>() +
         "</instanceID></meta></data>";
}

using percept::RandomUuid;

}  // namespace percept::testing
