// The wide export layout as an SPSS .sav file, written with ReadStat: variable and value labels,
// don't-know and not-applicable as user-missing values, measures. Internal to server/reports.
#pragma once

#include <readstat.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "export_layout.h"
#include "percept/base/status.h"

namespace percept {

class SavWriter {
 public:
  // Receives the file's bytes; returns false to stop.
  using Output = std::function<bool(std::string_view bytes)>;

  // Starts a file of `rows` rows (ReadStat needs the count first) of `columns`.
  static Result<std::unique_ptr<SavWriter>> Begin(const SurveyDefinition& def,
                                                  const std::vector<Column>& columns, long rows,
                                                  Output output);
  ~SavWriter();
  SavWriter(const SavWriter&) = delete;
  SavWriter& operator=(const SavWriter&) = delete;

  // Rows are encoded (on any thread) and written (on the writer's) apart, so that workers can
  // make them while ReadStat writes: a number is 8 bytes (NaN for missing), a string its
  // length (4 bytes) and bytes, cut at its column's width.
  static void EncodeRow(const std::vector<Column>& columns, const std::vector<Cell>& row,
                        std::string* out);
  // Writes the `rows` rows encoded in `encoded`.
  Status WriteRows(std::string_view encoded, size_t rows);
  Status Finish();

 private:
  SavWriter(const std::vector<Column>& columns, Output output)
      : columns_(columns), output_(std::move(output)) {}
  // Adds the variables, their labels, value labels, missing values and measures.
  void Define(const SurveyDefinition& def);
  static ssize_t Bytes(const void* data, size_t len, void* ctx);

  const std::vector<Column>& columns_;
  Output output_;
  readstat_writer_t* writer_ = nullptr;
  std::vector<readstat_variable_t*> vars_;
  std::string text_;  // WriteRow: a string cell, NUL-terminated
};

}  // namespace percept
