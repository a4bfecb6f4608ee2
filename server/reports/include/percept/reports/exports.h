// Exports for analysts (issue 5): CSV wide (one row per evaluation, household answers
// repeated), CSV long (one row per answer), a codebook, JSON lines, and SPSS .sav with
// variable and value labels (written with ReadStat).
//
// Every export streams: rows are made one stored interview at a time from a single read
// snapshot and handed to a sink in chunks, so memory stays constant whatever the wave's size.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "percept/base/status.h"
#include "percept/institutions.h"
#include "percept/storage/store.h"
#include "percept/survey_definition.h"

namespace percept {

enum class ExportFormat { kCsvWide, kCsvLong, kCodebook, kJsonLines, kSav };

// Everything a format is called, in one table: its name on the command line and in the audit
// trail, the end of its file name (after the survey id) and its media type.
struct ExportFormatNames {
  ExportFormat format;
  const char* name;       // "csv" (wide), "csv-long", "codebook", "jsonl", "sav"
  const char* file_tail;  // e.g. "-long.csv": chs-perception-long.csv
  const char* media_type;
};
const ExportFormatNames& NamesOf(ExportFormat format);
// A format by its name ("csv-wide" is also accepted for "csv").
Result<ExportFormat> ParseExportFormat(std::string_view name);

// Receives the export in pieces; returns false to stop (e.g. the client went away).
using ExportSink = std::function<bool(std::string_view chunk)>;

struct ExportStats {
  int64_t interviews = 0;
  int64_t rows = 0;
};

// Writes the export of every stored interview of `def`'s survey (all versions whose items
// `def` knows; unknown items are left out) to `sink`. `institutions` names and places them.
// Rejected and deprecated interviews (docs/supervision.md) only with `include_rejected`.
Result<ExportStats> Export(Store& store, const SurveyDefinition& def,
                           const std::map<std::string, Institution>& institutions,
                           ExportFormat format, const ExportSink& sink,
                           bool include_rejected = false);

}  // namespace percept
