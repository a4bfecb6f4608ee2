#include "exports.h"

#include <readstat.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "percept/score_layout.h"

namespace percept {

using nlohmann::json;

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// One exported variable of the wide layout.
struct Column {
  enum class From { kInterview, kHousehold, kInstitution, kEvaluation, kScore };
  From from = From::kInterview;
  std::string name;  // also the SPSS variable name
  std::string label_es, label_en;
  const Item* item = nullptr;
  std::string option;                     // a multi item's option: this column is its 0/1 indicator
  const DimensionBlock* block = nullptr;  // a dimension score
  std::string field;                      // kInterview / kInstitution: which field
  bool numeric = false;                   // a number in SPSS (else a string)
  bool categorical = false;  // single choice: CSV writes the value, SPSS its 1-based code
  size_t width = 0;          // SPSS string width in bytes
};

// A cell: a number, a text, or empty (missing). Single-choice cells carry both.
struct Cell {
  bool present = false;
  double number = kMissing;
  std::string text;
};

std::vector<Column> WideColumns(const SurveyDefinition& def, const ScoreLayout& layout) {
  std::vector<Column> cols;
  auto meta = [&](Column::From from, const char* name, const char* es, const char* en) {
    Column c;
    c.from = from;
    c.name = name;
    c.field = name;
    c.label_es = es;
    c.label_en = en;
    c.width = from == Column::From::kInstitution ? 256 : 64;
    cols.push_back(c);
  };
  meta(Column::From::kInterview, "instance_id", "Identificador de la entrevista",
       "Interview identifier");
  meta(Column::From::kInterview, "device_id", "Tableta", "Tablet");
  meta(Column::From::kInterview, "enumerator", "Encuestador (nombre del token)",
       "Enumerator (token name)");
  meta(Column::From::kInterview, "started_at", "Inicio de la entrevista", "Interview start");
  meta(Column::From::kInterview, "completed_at", "Término de la entrevista", "Interview end");
  meta(Column::From::kInterview, "survey_version", "Versión del cuestionario",
       "Questionnaire version");
  cols.back().numeric = true;
  auto items = [&](const std::vector<Item>& list, Column::From from) {
    for (const Item& it : list) {
      Column c;
      c.from = from;
      c.item = &it;
      c.name = it.id;
      c.label_es = it.label.es;
      c.label_en = it.label.en;
      if (it.type == ItemType::kMulti) {
        for (const Option& o : it.options) {
          Column m = c;
          m.name = it.id + "__" + o.value;
          m.option = o.value;
          m.numeric = true;
          m.label_es = it.label.es + " — " + o.label.es;
          m.label_en = it.label.en + " — " + o.label.en;
          cols.push_back(m);
        }
        continue;
      }
      c.numeric = it.type == ItemType::kLikert || it.type == ItemType::kInteger ||
                  it.type == ItemType::kBoolean || it.type == ItemType::kSingle;
      c.categorical = it.type == ItemType::kSingle;
      // UTF-8 takes up to 4 bytes a character; SPSS strings are sized in bytes.
      c.width = it.type == ItemType::kText         ? std::min<size_t>(4 * it.max_length, 32767)
                : it.type == ItemType::kIdentifier ? 96
                                                   : 32;
      cols.push_back(c);
    }
  };
  items(def.household, Column::From::kHousehold);
  meta(Column::From::kInstitution, "institution_id", "Institución", "Institution");
  meta(Column::From::kInstitution, "institution_name", "Nombre de la institución",
       "Institution name");
  meta(Column::From::kInstitution, "institution_type", "Tipo de institución", "Institution type");
  meta(Column::From::kInstitution, "institution_comuna", "Comuna de la institución",
       "Institution's commune");
  meta(Column::From::kInstitution, "institution_region", "Región de la institución",
       "Institution's region");
  items(def.evaluation, Column::From::kEvaluation);
  for (const DimensionBlock& b : layout.blocks()) {
    if (b.id == "overall") continue;
    Column c;
    c.from = Column::From::kScore;
    c.block = &b;
    c.name = "score_" + b.id;
    for (const Dimension& d : def.dimensions) {
      if (d.id == b.id) {
        c.label_es = "Puntaje de " + d.label.es + " (promedio de sus ítems, regla de la mitad)";
        c.label_en = d.label.en + " score (mean of its items, half rule)";
      }
    }
    c.numeric = true;
    cols.push_back(c);
  }
  return cols;
}

Cell AnswerCell(const Column& c, const json* answers) {
  Cell cell;
  if (!answers) return cell;
  auto it = answers->find(c.item->id);
  if (it == answers->end() || it->is_null()) return cell;
  const json& v = *it;
  cell.present = true;
  switch (c.item->type) {
    case ItemType::kMulti:
      cell.number = 0;
      if (v.is_array()) {
        for (const json& o : v)
          if (o.is_string() && o.get_ref<const std::string&>() == c.option) cell.number = 1;
      }
      cell.text = cell.number == 1 ? "1" : "0";
      break;
    case ItemType::kBoolean:
      cell.number = v.is_boolean() && v.get<bool>() ? 1 : 0;
      cell.text = cell.number == 1 ? "1" : "0";
      break;
    case ItemType::kSingle:
      cell.text = v.is_string() ? v.get<std::string>() : v.dump();
      for (size_t k = 0; k < c.item->options.size(); ++k) {
        if (c.item->options[k].value == cell.text) cell.number = static_cast<double>(k + 1);
      }
      break;
    case ItemType::kLikert:
    case ItemType::kInteger:
      cell.number = v.is_number() ? v.get<double>() : kMissing;
      cell.text = v.dump();
      break;
    default:
      cell.text = v.is_string() ? v.get<std::string>() : v.dump();
  }
  return cell;
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

// RFC 4180: quote a field that holds a comma, a quote or a line break; double its quotes.
void AppendCsvField(std::string& out, std::string_view f) {
  if (f.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += f;
    return;
  }
  out += '"';
  for (char ch : f) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

void AppendCsvRow(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    AppendCsvField(out, fields[i]);
  }
  out += "\r\n";
}

std::string Codes(const SurveyDefinition& def, const Item& it) {
  std::string s;
  auto add = [&](const std::string& code, const std::string& label) {
    s += (s.empty() ? "" : "; ") + code + "=" + label;
  };
  if (it.type == ItemType::kLikert) {
    add(std::to_string(def.scale.min), "mínimo / lowest");
    add(std::to_string(def.scale.max), "máximo / highest");
    for (const auto& [code, label] : def.scale.missing)
      add(std::to_string(code), label + " (perdido / missing)");
  } else if (it.type == ItemType::kSingle) {
    for (size_t k = 0; k < it.options.size(); ++k) {
      add(it.options[k].value, it.options[k].label.es + " / " + it.options[k].label.en + " (SPSS " +
                                   std::to_string(k + 1) + ")");
    }
  } else if (it.type == ItemType::kBoolean || it.type == ItemType::kMulti) {
    add("1", "sí / yes");
    add("0", "no");
  }
  return s;
}

// Buffers output and hands it to the sink in chunks of ~64 KiB.
class Chunker {
 public:
  explicit Chunker(const ExportSink& sink) : sink_(sink) {}
  std::string& buffer() { return buf_; }
  bool MaybeFlush() {
    if (buf_.size() < 64 * 1024) return ok_;
    return Flush();
  }
  bool Flush() {
    if (ok_ && !buf_.empty()) ok_ = sink_(buf_);
    buf_.clear();
    return ok_;
  }

 private:
  const ExportSink& sink_;
  std::string buf_;
  bool ok_ = true;
};

// The SPSS writer: ReadStat calls back with bytes, which go to the sink.
ssize_t SavBytes(const void* data, size_t len, void* ctx) {
  auto* chunker = static_cast<Chunker*>(ctx);
  chunker->buffer().append(static_cast<const char*>(data), len);
  return chunker->MaybeFlush() ? static_cast<ssize_t>(len) : -1;
}

}  // namespace

Result<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "csv" || name == "csv-wide") return ExportFormat::kCsvWide;
  if (name == "csv-long") return ExportFormat::kCsvLong;
  if (name == "codebook") return ExportFormat::kCodebook;
  if (name == "jsonl") return ExportFormat::kJsonLines;
  if (name == "sav") return ExportFormat::kSav;
  return Status::InvalidParameter("the format is csv, csv-long, codebook, jsonl or sav");
}

const char* ExportMediaType(ExportFormat format) {
  switch (format) {
    case ExportFormat::kJsonLines:
      return "application/x-ndjson";
    case ExportFormat::kSav:
      return "application/x-spss-sav";
    default:
      return "text/csv; charset=utf-8";
  }
}

Result<ExportStats> Export(Store& store, const SurveyDefinition& def,
                           const std::map<std::string, Institution>& institutions,
                           ExportFormat format, const ExportSink& sink) {
  const ScoreLayout layout(def);
  const std::vector<Column> cols = WideColumns(def, layout);
  Chunker out(sink);
  ExportStats stats;

  if (format == ExportFormat::kCodebook) {
    std::string& b = out.buffer();
    b += "\xEF\xBB\xBF";  // a UTF-8 byte-order mark, so that Excel reads the accents right
    AppendCsvRow(b, {"variable", "section", "type", "label_es", "label_en", "values"});
    for (const Column& c : cols) {
      const char* section = c.from == Column::From::kHousehold     ? "household"
                            : c.from == Column::From::kEvaluation  ? "evaluation"
                            : c.from == Column::From::kScore       ? "score"
                            : c.from == Column::From::kInstitution ? "institution"
                                                                   : "interview";
      std::string type =
          c.item      ? (c.option.empty() ? ItemTypeName(c.item->type) : "multi option (0/1)")
          : c.numeric ? "number"
                      : "text";
      AppendCsvRow(
          b, {c.name, section, type, c.label_es, c.label_en, c.item ? Codes(def, *c.item) : ""});
      ++stats.rows;
    }
    if (!out.Flush()) return Status::Unavailable("the export was not received");
    return stats;
  }

  // ReadStat needs the row count before the first row: one row per evaluation.
  readstat_writer_t* sav = nullptr;
  std::vector<readstat_variable_t*> vars;
  if (format == ExportFormat::kSav) {
    auto count = store.Cached("SELECT count(*) FROM evaluations WHERE survey_id = ?");
    if (!count.ok()) return count.status();
    (*count)->Bind(1, def.id);
    if (!(*count)->Step()) return (*count)->status();
    const long rows = static_cast<long>((*count)->Int(0));
    (*count)->Reset();
    sav = readstat_writer_init();
    readstat_set_data_writer(sav, SavBytes);
    readstat_writer_set_compression(sav, READSTAT_COMPRESS_ROWS);  // empty long strings cost a byte
    readstat_writer_set_file_label(sav, def.title.es.substr(0, 64).c_str());
    std::map<const Item*, readstat_label_set_t*> label_sets;
    for (const Column& c : cols) {
      readstat_variable_t* v = readstat_add_variable(
          sav, c.name.substr(0, 64).c_str(),
          c.numeric ? READSTAT_TYPE_DOUBLE : READSTAT_TYPE_STRING, c.numeric ? 0 : c.width);
      readstat_variable_set_label(
          v, (c.label_es.size() > 250 ? c.label_es.substr(0, 250) : c.label_es).c_str());
      if (c.item && (c.item->type == ItemType::kLikert || c.item->type == ItemType::kSingle ||
                     c.item->type == ItemType::kBoolean || !c.option.empty())) {
        readstat_label_set_t*& set = label_sets[c.option.empty() ? c.item : nullptr];
        if (!set || !c.option.empty()) {
          set = readstat_add_label_set(sav, READSTAT_TYPE_DOUBLE,
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
      vars.push_back(v);
    }
    if (readstat_begin_writing_sav(sav, &out, rows) != READSTAT_OK) {
      readstat_writer_free(sav);
      return Status::Internal("ReadStat could not start the .sav file");
    }
  }
  struct SavGuard {
    readstat_writer_t* w;
    ~SavGuard() {
      if (w) readstat_writer_free(w);
    }
  } guard{sav};

  if (format == ExportFormat::kCsvWide) {
    out.buffer() += "\xEF\xBB\xBF";
    std::vector<std::string> header;
    for (const Column& c : cols) header.push_back(c.name);
    AppendCsvRow(out.buffer(), header);
  } else if (format == ExportFormat::kCsvLong) {
    out.buffer() += "\xEF\xBB\xBF";
    AppendCsvRow(out.buffer(), {"instance_id", "evaluation", "institution_id", "item", "value"});
  }

  // One read snapshot for the whole export: a consistent picture even while tablets sync.
  auto st = store.db()->Prepare(
      "SELECT enumerator, body FROM submissions WHERE survey_id = ? ORDER BY seq");
  if (!st.ok()) return st.status();
  st->Bind(1, def.id);
  const std::vector<const Item*> likert_items = def.LikertItems();
  std::vector<Cell> row(cols.size());
  std::vector<std::string> text(cols.size());
  while (st->Step()) {
    ++stats.interviews;
    const std::string enumerator = st->Text(0);
    const std::string_view body = st->TextView(1);
    if (format == ExportFormat::kJsonLines) {
      out.buffer().append(body).append("\n");
      ++stats.rows;
      if (!out.MaybeFlush()) return Status::Unavailable("the export was not received");
      continue;
    }
    const json doc = json::parse(body, nullptr, false);
    if (!doc.is_object()) continue;
    const json* household = doc.contains("household") ? &doc["household"] : nullptr;
    const std::string instance_id = doc.value("instance_id", "");
    if (format == ExportFormat::kCsvLong) {
      auto answer_rows = [&](const json* answers, const std::string& evaluation,
                             const std::string& institution) {
        if (!answers || !answers->is_object()) return;
        for (const auto& [item, v] : answers->items()) {
          if (v.is_array()) {
            for (const json& o : v)
              AppendCsvRow(out.buffer(), {instance_id, evaluation, institution, item,
                                          o.is_string() ? o.get<std::string>() : o.dump()});
          } else {
            AppendCsvRow(out.buffer(), {instance_id, evaluation, institution, item,
                                        v.is_string()    ? v.get<std::string>()
                                        : v.is_boolean() ? (v.get<bool>() ? "1" : "0")
                                                         : v.dump()});
          }
          ++stats.rows;
        }
      };
      answer_rows(household, "0", "");
      int index = 0;
      for (const json& e : doc.value("evaluations", json::array())) {
        answer_rows(e.contains("answers") ? &e["answers"] : nullptr, std::to_string(++index),
                    e.value("institution_id", ""));
      }
      if (!out.MaybeFlush()) return Status::Unavailable("the export was not received");
      continue;
    }
    for (const json& e : doc.value("evaluations", json::array())) {
      const json* answers = e.contains("answers") ? &e["answers"] : nullptr;
      const std::string inst_id = e.value("institution_id", "");
      auto inst = institutions.find(inst_id);
      std::vector<int> likert;
      for (const Item* it : likert_items) {
        auto a = answers ? answers->find(it->id) : json::const_iterator();
        bool on_scale = answers && a != answers->end() && a->is_number_integer() &&
                        a->get<int>() >= def.scale.min && a->get<int>() <= def.scale.max;
        likert.push_back(on_scale ? a->get<int>() : kNoAnswer);
      }
      for (size_t i = 0; i < cols.size(); ++i) {
        const Column& c = cols[i];
        Cell cell;
        switch (c.from) {
          case Column::From::kInterview:
            if (c.field == "enumerator")
              cell.text = enumerator;
            else if (c.field == "survey_version")
              cell.number = doc.value("survey_version", 0), cell.text = FormatNumber(cell.number);
            else
              cell.text = doc.value(c.field, "");
            cell.present = true;
            break;
          case Column::From::kHousehold:
            cell = AnswerCell(c, household);
            break;
          case Column::From::kEvaluation:
            cell = AnswerCell(c, answers);
            break;
          case Column::From::kInstitution:
            cell.present = true;
            if (c.field == "institution_id")
              cell.text = inst_id;
            else if (inst != institutions.end()) {
              cell.text = c.field == "institution_name"     ? inst->second.name
                          : c.field == "institution_type"   ? inst->second.type
                          : c.field == "institution_comuna" ? inst->second.comuna
                                                            : inst->second.region;
            }
            break;
          case Column::From::kScore:
            cell.number = c.block->Score(likert);
            cell.present = !std::isnan(cell.number);
            cell.text = FormatNumber(cell.number);
            break;
        }
        row[i] = std::move(cell);
      }
      ++stats.rows;
      if (format == ExportFormat::kCsvWide) {
        for (size_t i = 0; i < cols.size(); ++i) text[i] = row[i].present ? row[i].text : "";
        AppendCsvRow(out.buffer(), text);
      } else {
        readstat_begin_row(sav);
        for (size_t i = 0; i < cols.size(); ++i) {
          if (cols[i].numeric) {
            if (row[i].present && !std::isnan(row[i].number))
              readstat_insert_double_value(sav, vars[i], row[i].number);
            else
              readstat_insert_missing_value(sav, vars[i]);
          } else {
            const std::string& t = row[i].text;
            readstat_insert_string_value(
                sav, vars[i], (t.size() > cols[i].width ? t.substr(0, cols[i].width) : t).c_str());
          }
        }
        if (readstat_end_row(sav) != READSTAT_OK)
          return Status::Internal("ReadStat could not write a row");
      }
      if (!out.MaybeFlush()) return Status::Unavailable("the export was not received");
    }
  }
  if (!st->status().ok()) return st->status();
  if (sav && readstat_end_writing(sav) != READSTAT_OK)
    return Status::Internal("ReadStat could not finish the .sav file");
  if (!out.Flush()) return Status::Unavailable("the export was not received");
  return stats;
}

}  // namespace percept
