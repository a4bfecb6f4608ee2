// A survey definition as an ODK XForm, and an OpenRosa submission back as the JSON submission
// of docs/formats.md (docs/openrosa.md). Both are pure: no storage, no network.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "percept/base/status.h"
#include "percept/institutions.h"
#include "percept/survey_definition.h"

namespace percept {

// The XForm of `def`: the household questions, then one repeat per institution evaluated (the
// institution chosen among `institutions` of the household's comuna, from a secondary instance),
// labels in Spanish (the default) and English, binds for required, relevant and constraints,
// consent gating the rest, and meta/instanceID, start, end and device id. The same definition
// and institutions give the same bytes.
std::string XFormOf(const SurveyDefinition& def, const std::vector<Institution>& institutions);

// "md5:" and the hex MD5 of `xform`, as the OpenRosa form list gives it.
std::string XFormHash(std::string_view xform);

// Limits on a submitted instance: its size in bytes and how deep its elements nest.
inline constexpr size_t kMaxInstanceBytes = 2 * 1024 * 1024;
inline constexpr int kMaxInstanceDepth = 16;
// What is kept of one instance, in its canonical form (docs/openrosa.md, "What is kept"): a
// real interview's is 5–20 KiB; text answers are bounded by their items.
inline constexpr size_t kMaxStoredInstanceBytes = 256 * 1024;

// The instance of an OpenRosa submission (the `xml_submission_file` part) as a JSON submission,
// for the same validator as every other: the root's `id` and `version` name the survey,
// meta/instanceID (without "uuid:") is the instance_id, deviceid, start and end the device and
// times; household items are the children of <household>, each <evaluation> one institution's
// answers. Answers keep the definition's types (integers, true/false, lists for multiple
// choices); empty elements are no answer. MalformedXml for anything that is not plain XML: a
// DTD, an entity declaration, nesting deeper than kMaxInstanceDepth; and for what JSON could not
// carry or would read otherwise: bytes that are not UTF-8, control characters (raw or as
// references), an element given twice where one is read (meta, instanceID, an answer), an
// answer that holds elements. With `canonical`, also writes there what is kept of the instance
// (CanonicalInstance: elements and text, the root's attributes); InputTooLarge when that is
// over kMaxStoredInstanceBytes.
Result<nlohmann::json> SubmissionFromXml(std::string_view xml, const SurveyCatalog& catalog,
                                         std::string* canonical = nullptr);

}  // namespace percept
