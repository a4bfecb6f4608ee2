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

// Which interviews an export holds.
struct ExportScope {
  // Rejected and deprecated interviews (docs/supervision.md) too.
  bool include_rejected = false;
  // Only the interviews of this wave of the survey (docs/waves.md); "" for every one.
  std::string wave;
};

// Writes the export of the stored interviews of `def`'s survey that `scope` takes (all
// versions whose items `def` knows; unknown items are left out) to `sink`. `institutions` names
// and places them; each row says its interview's wave ("" outside every wave). NotFound for a
// wave the survey does not have.
Result<ExportStats> Export(Store& store, const SurveyDefinition& def,
                           const std::map<std::string, Institution>& institutions,
                           ExportFormat format, const ExportSink& sink,
                           const ExportScope& scope = {});

}  // namespace percept
