// The wide export layout as an SPSS .sav file, written with ReadStat: variable and value labels,
// don't-know and not-applicable as user-missing values, measures. Internal to server/reports.
#pragma once

#include <readstat.h>

#include <functional>
#include <memory>
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

  Status WriteRow(const std::vector<Cell>& row);
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
