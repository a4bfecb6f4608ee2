#include "percept/reports/exports.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "csv.h"
#include "export_layout.h"
#include "ordered_batches.h"
#include "percept/base/utf8.h"
#include "percept/score_layout.h"
#include "percept/storage/export_reading.h"
#include "percept/storage/waves.h"
#include "sav_writer.h"
#include "stored_interview.h"

namespace percept {

namespace {

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

Status NotReceived() { return Status::Unavailable("the export was not received"); }

void WriteCodebook(const SurveyDefinition& def, const std::vector<Column>& cols, Chunker& out,
                   ExportStats& stats) {
  std::string& b = out.buffer();
  b += kByteOrderMark;
  AppendCsvRow(b, {"variable", "section", "type", "label_es", "label_en", "values"});
  for (const Column& c : cols) {
    const char* section = c.from == Column::From::kHousehold     ? "household"
                          : c.from == Column::From::kEvaluation  ? "evaluation"
                          : c.from == Column::From::kScore       ? "score"
                          : c.from == Column::From::kInstitution ? "institution"
                                                                 : "interview";
    std::string type = c.item
                           ? (c.option.empty() ? ItemTypeName(c.item->type) : "multi option (0/1)")
                       : c.numeric ? "number"
                                   : "text";
    std::string values = c.item ? CodeList(def, *c.item) : "";
    if (values.empty() && !c.numeric && (!c.item || c.item->type == ItemType::kText)) {
      values = kFormulaNote;
    }
    AppendCsvRow(b, {c.name, section, type, c.label_es, c.label_en, values});
    ++stats.rows;
  }
}

// The long layout: one row per answer (a multi item's options one row each). The first three
// fields are the same for every answer of a section: written once, copied to each row.
int64_t AppendLongRows(const StoredInterview& doc, std::string& b) {
  const std::string_view instance_id = doc.Field("instance_id");
  std::string prefix;
  int64_t rows = 0;
  auto answer_rows = [&](const StoredSection& section, std::string_view evaluation,
                         std::string_view institution) {
    prefix.clear();
    for (std::string_view f : {instance_id, evaluation, institution}) {
      AppendCsvField(prefix, f);
      prefix += ',';
    }
    auto row = [&](std::string_view item, std::string_view value) {
      b += prefix;
      AppendCsvField(b, item);
      b += ',';
      AppendCsvField(b, value);
      b += "\r\n";
    };
    const StoredAnswer* answers = doc.answers(section);
    for (uint32_t a = 0; a < section.count; ++a) {
      const StoredValue& v = answers[a].value;
      if (v.kind == StoredValue::Kind::kArray) {
        const StoredValue* options = doc.elements(v);
        for (uint32_t k = 0; k < v.count; ++k) row(answers[a].item, options[k].text);
      } else {
        row(answers[a].item,
            v.kind == StoredValue::Kind::kBoolean ? (v.truth ? "1" : "0") : v.text);
      }
      ++rows;
    }
  };
  answer_rows(doc.household(), "0", "");
  char index[24];
  for (size_t k = 0; k < doc.evaluations().size(); ++k) {
    const auto r = std::to_chars(index, index + sizeof index, k + 1);
    const StoredEvaluation& e = doc.evaluations()[k];
    answer_rows(e.answers, std::string_view(index, r.ptr - index), e.institution_id);
  }
  return rows;
}

constexpr ExportFormatNames kFormats[] = {
    {ExportFormat::kCsvWide, "csv", ".csv", "text/csv; charset=utf-8"},
    {ExportFormat::kCsvLong, "csv-long", "-long.csv", "text/csv; charset=utf-8"},
    {ExportFormat::kCodebook, "codebook", "-codebook.csv", "text/csv; charset=utf-8"},
    {ExportFormat::kJsonLines, "jsonl", ".jsonl", "application/x-ndjson"},
    {ExportFormat::kSav, "sav", ".sav", "application/x-spss-sav"},
};

}  // namespace

const ExportFormatNames& NamesOf(ExportFormat format) {
  for (const ExportFormatNames& f : kFormats) {
    if (f.format == format) return f;
  }
  return kFormats[0];
}

Result<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "csv-wide") return ExportFormat::kCsvWide;
  std::string all;
  for (const ExportFormatNames& f : kFormats) {
    if (name == f.name) return f.format;
    all += std::string(all.empty() ? "" : ", ") + f.name;
  }
  return Status::InvalidParameter("the format is one of " + all);
}

namespace {

// Interviews a worker reads in one go: enough to keep the threads' hand-offs rare, few enough
// to keep memory flat (2 batches a worker in flight).
constexpr size_t kBatchInterviews = 128;

// Threads that read interviews and make their rows while the calling thread writes.
int Workers() { return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u)); }

// Stored interviews, then what a worker made of them: CSV text, or .sav rows encoded.
struct Batch {
  // The first `size`; capacity kept for reuse.
  std::vector<std::string> enumerators, bodies, instance_ids;
  size_t size = 0;
  std::string out;
  std::string unreadable;  // the first interview whose body could not be read; "" when none
  int64_t interviews = 0, rows = 0;
};

// A worker's own reader and row maker.
struct Maker {
  Maker(const SurveyDefinition& def, const std::vector<Column>& cols,
        const std::map<std::string, Institution>& institutions, const std::vector<Wave>& waves)
      : rows(def, cols, institutions, waves), row(cols.size()) {}
  StoredInterview doc;
  WideRowMaker rows;
  std::vector<Cell> row;
};

void MakeBatch(ExportFormat format, const std::vector<Column>& cols, Maker& m, Batch& b) {
  b.out.clear();
  b.unreadable.clear();
  b.interviews = b.rows = 0;
  for (size_t i = 0; i < b.size; ++i) {
    ++b.interviews;
    if (!m.doc.Read(b.bodies[i])) {
      // Never a silent gap: /scores counts what the export would leave out.
      b.unreadable = b.instance_ids[i];
      return;
    }
    if (format == ExportFormat::kCsvLong) {
      b.rows += AppendLongRows(m.doc, b.out);
      continue;
    }
    m.rows.Start(m.doc, b.enumerators[i]);
    for (size_t k = 0; k < m.doc.evaluations().size(); ++k) {
      m.rows.Fill(m.doc, k, &m.row);
      ++b.rows;
      if (format == ExportFormat::kSav) {
        SavWriter::EncodeRow(cols, m.row, &b.out);
        continue;
      }
      for (size_t c = 0; c < m.row.size(); ++c) {
        if (c) b.out += ',';
        if (m.row[c].present) AppendCsvField(b.out, m.row[c].text);
      }
      b.out += "\r\n";
    }
  }
}

Result<ExportStats> ExportNow(Store& store, const SurveyDefinition& def,
                              const std::map<std::string, Institution>& institutions,
                              ExportFormat format, const ExportSink& sink,
                              const ExportScope& scope) {
  const bool include_rejected = scope.include_rejected;
  // The survey's waves name each row's; a wave asked for is its window.
  auto waves = ListWaves(store, def.id);
  if (!waves.ok()) return waves.status();
  std::string from, to;
  if (!scope.wave.empty()) {
    auto it = std::find_if(waves->begin(), waves->end(),
                           [&](const Wave& w) { return w.id == scope.wave; });
    if (it == waves->end())
      return Status::NotFound("survey '" + def.id + "' has no wave '" + scope.wave + "'");
    from = it->from;
    to = it->to;
  }
  const ScoreLayout layout(def);
  const std::vector<Column> cols = WideColumns(def, layout);
  Chunker out(sink);
  ExportStats stats;

  if (format == ExportFormat::kCodebook) {
    WriteCodebook(def, cols, out, stats);
    if (!out.Flush()) return NotReceived();
    return stats;
  }

  std::unique_ptr<SavWriter> sav;
  if (format == ExportFormat::kSav) {
    auto rows = CountExportedEvaluations(store, def.id, include_rejected, from, to);
    if (!rows.ok()) return rows.status();
    auto begun = SavWriter::Begin(def, cols, *rows, [&out](std::string_view bytes) {
      out.buffer().append(bytes);
      return out.MaybeFlush();
    });
    if (!begun.ok()) return begun.status();
    sav = std::move(*begun);
  } else if (format == ExportFormat::kCsvWide) {
    out.buffer() += kByteOrderMark;
    std::vector<std::string> header;
    for (const Column& c : cols) header.push_back(c.name);
    AppendCsvRow(out.buffer(), header);
  } else if (format == ExportFormat::kCsvLong) {
    out.buffer() += kByteOrderMark;
    AppendCsvRow(out.buffer(), {"instance_id", "evaluation", "institution_id", "item", "value"});
  }

  // Read row by row in flat memory, in the snapshot Export opened.
  // Rejected and deprecated interviews leave the exports unless asked for (docs/supervision.md).
  auto st = StreamInterviews(store, def.id, include_rejected, from, to);
  if (!st.ok()) return st.status();
  if (format == ExportFormat::kJsonLines) {  // the stored text itself: nothing to make
    while (st->Next()) {
      // What an older server stored that is not UTF-8 goes out with U+FFFD in its place.
      const std::string_view body = st->body();
      if (simdjson::validate_utf8(body.data(), body.size()))
        out.buffer().append(body);
      else
        out.buffer().append(ToValidUtf8(body));
      out.buffer().append("\n");
      ++stats.interviews;
      ++stats.rows;
      if (!out.MaybeFlush()) return NotReceived();
    }
    if (!st->status().ok()) return st->status();
    if (!out.Flush()) return NotReceived();
    return stats;
  }

  // Three kinds of thread at once: a feeder steps the statement (on its own: a connection is
  // used by one thread at a time), workers read the interviews and make their rows, and this
  // thread writes them out in order.
  std::deque<Maker> makers;  // a deque: a Maker does not move
  const int workers = Workers();
  for (int w = 0; w < workers; ++w) makers.emplace_back(def, cols, institutions, *waves);
  OrderedBatches<Batch> batches(workers,
                                [&](int w, Batch& b) { MakeBatch(format, cols, makers[w], b); });
  std::thread feeder([&] {
    for (bool more = true; more;) {
      Batch* b = batches.Fill();
      if (!b) return;  // the writer stopped
      b->size = 0;
      while (b->size < kBatchInterviews && (more = st->Next())) {
        if (b->size == b->enumerators.size()) {
          b->enumerators.emplace_back();
          b->bodies.emplace_back();
          b->instance_ids.emplace_back();
        }
        b->enumerators[b->size].assign(st->enumerator());
        b->bodies[b->size].assign(st->body());
        b->instance_ids[b->size].assign(st->instance_id());
        ++b->size;
      }
      if (b->size > 0) batches.Submit();
    }
    batches.Close();
  });
  Status written;
  while (const Batch* b = batches.Take()) {
    if (!b->unreadable.empty()) {
      written = Status::Internal("the stored interview " + b->unreadable +
                                 " could not be read; the export stops there");
      batches.Cancel();
      break;
    }
    stats.interviews += b->interviews;
    stats.rows += b->rows;
    if (sav) {
      written = sav->WriteRows(b->out, b->rows);
    } else {
      out.buffer().append(b->out);
      if (!out.MaybeFlush()) written = NotReceived();
    }
    if (!written.ok()) {
      batches.Cancel();
      break;
    }
  }
  feeder.join();
  if (!written.ok()) return written;
  if (!st->status().ok()) return st->status();
  if (sav) {
    Status s = sav->Finish();
    if (!s.ok()) return s;
  }
  if (!out.Flush()) return NotReceived();
  return stats;
}

}  // namespace

Result<ExportStats> Export(Store& store, const SurveyDefinition& def,
                           const std::map<std::string, Institution>& institutions,
                           ExportFormat format, const ExportSink& sink, const ExportScope& scope) {
  // One snapshot for the whole export: the .sav's row count, read first, and its rows agree
  // even while tablets sync, and every format is one consistent picture.
  Result<ExportStats> stats = ExportStats{};
  Status s = store.InSnapshot([&] {
    stats = ExportNow(store, def, institutions, format, sink, scope);
    return stats.status();
  });
  if (!s.ok()) return s;
  return stats;
}

}  // namespace percept
