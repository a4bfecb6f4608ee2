#include "sav_writer.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>

namespace percept {

ssize_t SavWriter::Bytes(const void* data, size_t len, void* ctx) {
  auto* self = static_cast<SavWriter*>(ctx);
  return self->output_(std::string_view(static_cast<const char*>(data), len))
             ? static_cast<ssize_t>(len)
             : -1;
}

Result<std::unique_ptr<SavWriter>> SavWriter::Begin(const SurveyDefinition& def,
                                                    const std::vector<Column>& columns, long rows,
                                                    Output output) {
  std::unique_ptr<SavWriter> self(new SavWriter(columns, std::move(output)));
  self->Define(def);
  if (readstat_begin_writing_sav(self->writer_, self.get(), rows) != READSTAT_OK) {
    return Status::Internal("ReadStat could not start the .sav file");
  }
  return self;
}

void SavWriter::Define(const SurveyDefinition& def) {
  writer_ = readstat_writer_init();
  readstat_set_data_writer(writer_, &SavWriter::Bytes);
  readstat_writer_set_compression(writer_,
                                  READSTAT_COMPRESS_ROWS);  // empty long strings cost a byte
  readstat_writer_set_file_label(writer_, def.title.es.substr(0, 64).c_str());
  std::map<const Item*, readstat_label_set_t*> label_sets;
  for (const Column& c : columns_) {
    readstat_variable_t* v = readstat_add_variable(
        writer_, c.name.substr(0, 64).c_str(),
        c.numeric ? READSTAT_TYPE_DOUBLE : READSTAT_TYPE_STRING, c.numeric ? 0 : c.width);
    readstat_variable_set_label(
        v, (c.label_es.size() > 250 ? c.label_es.substr(0, 250) : c.label_es).c_str());
    if (c.item && (c.item->type == ItemType::kLikert || c.item->type == ItemType::kSingle ||
                   c.item->type == ItemType::kBoolean || !c.option.empty())) {
      readstat_label_set_t*& set = label_sets[c.option.empty() ? c.item : nullptr];
      if (!set || !c.option.empty()) {
        set = readstat_add_label_set(writer_, READSTAT_TYPE_DOUBLE,
                                     (c.name + "_labels").substr(0, 32).c_str());
        if (c.item->type == ItemType::kLikert) {
          // The grades themselves need no label; the missing codes do.
          for (const auto& [code, label] : def.scale.missing)
            readstat_label_double_value(set, code, label.c_str());
        } else if (c.item->type == ItemType::kSingle) {
          for (size_t k = 0; k < c.item->options.size(); ++k) {
            readstat_label_double_value(set, static_cast<double>(k + 1),
                                        c.item->options[k].label.es.c_str());
          }
        } else {
          readstat_label_double_value(set, 1, "sí");
          readstat_label_double_value(set, 0, "no");
        }
      }
      readstat_variable_set_label_set(v, set);
    }
    if (c.item && c.item->type == ItemType::kLikert) {
      // Don't know and not applicable are user-missing in SPSS, never numbers.
      for (const auto& [code, label] : def.scale.missing)
        readstat_variable_add_missing_double_value(v, code);
      readstat_variable_set_measure(v, READSTAT_MEASURE_ORDINAL);
    } else if (c.numeric && !c.categorical) {
      readstat_variable_set_measure(
          v, c.from == Column::From::kScore || (c.item && c.item->type == ItemType::kInteger)
                 ? READSTAT_MEASURE_SCALE
                 : READSTAT_MEASURE_NOMINAL);
    } else {
      readstat_variable_set_measure(v, READSTAT_MEASURE_NOMINAL);
    }
    vars_.push_back(v);
  }
}

SavWriter::~SavWriter() {
  if (writer_) readstat_writer_free(writer_);
}

void SavWriter::EncodeRow(const std::vector<Column>& columns, const std::vector<Cell>& row,
                          std::string* out) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].numeric) {
      const double v = row[i].present ? row[i].number : kMissing;
      out->append(reinterpret_cast<const char*>(&v), sizeof v);
    } else {
      const std::string_view t = row[i].text.substr(0, columns[i].width);
      const uint32_t size = static_cast<uint32_t>(t.size());
      out->append(reinterpret_cast<const char*>(&size), sizeof size).append(t);
    }
  }
}

Status SavWriter::WriteRows(std::string_view encoded, size_t rows) {
  const char* p = encoded.data();
  for (size_t r = 0; r < rows; ++r) {
    readstat_begin_row(writer_);
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].numeric) {
        double v;
        std::memcpy(&v, p, sizeof v);
        p += sizeof v;
        if (std::isnan(v))
          readstat_insert_missing_value(writer_, vars_[i]);
        else
          readstat_insert_double_value(writer_, vars_[i], v);
      } else {
        uint32_t size;
        std::memcpy(&size, p, sizeof size);
        p += sizeof size;
        text_.assign(p, size);  // ReadStat reads a C string
        p += size;
        readstat_insert_string_value(writer_, vars_[i], text_.c_str());
      }
    }
    if (readstat_end_row(writer_) != READSTAT_OK) {
      return Status::Internal("ReadStat could not write a row");
    }
  }
  return Status::Ok();
}

Status SavWriter::Finish() {
  if (readstat_end_writing(writer_) != READSTAT_OK) {
    return Status::Internal("ReadStat could not finish the .sav file");
  }
  return Status::Ok();
}

}  // namespace percept
