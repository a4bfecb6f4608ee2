#include "export_layout.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace percept {

namespace {

// One answer in its column, as the exports have always read it: a multi item's column is 1 when
// its option was chosen, a yes/no 1 or 0, a single choice its value and 1-based code, a likert
// or integer its JSON number, anything else its text (JSON text when it is not a string).
Cell AnswerCell(const Column& c, const StoredInterview& doc, const StoredValue& v) {
  Cell cell;
  cell.present = true;
  switch (c.item->type) {
    case ItemType::kMulti:
      cell.number = 0;
      if (v.kind == StoredValue::Kind::kArray) {
        const StoredValue* options = doc.elements(v);
        for (uint32_t k = 0; k < v.count; ++k) {
          if (options[k].kind == StoredValue::Kind::kString && options[k].text == c.option)
            cell.number = 1;
        }
      }
      cell.text = cell.number == 1 ? "1" : "0";
      break;
    case ItemType::kBoolean:
      cell.number = v.kind == StoredValue::Kind::kBoolean && v.truth ? 1 : 0;
      cell.text = cell.number == 1 ? "1" : "0";
      break;
    case ItemType::kSingle:
      cell.text = v.text;
      for (size_t k = 0; k < c.item->options.size(); ++k) {
        if (c.item->options[k].value == cell.text) cell.number = static_cast<double>(k + 1);
      }
      break;
    case ItemType::kLikert:
    case ItemType::kInteger:
      if (v.kind == StoredValue::Kind::kNumber)
        std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), cell.number);
      cell.text = v.raw;
      break;
    default:
      cell.text = v.text;
  }
  return cell;
}

// A likert answer as LikertValue reads it: an integer on the scale, else kNoAnswer.
int LikertOf(const StoredValue& v, const Scale& scale) {
  if (v.kind != StoredValue::Kind::kNumber) return kNoAnswer;
  long long x = 0;
  auto r = std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), x);
  if (r.ec != std::errc() || r.ptr != v.raw.data() + v.raw.size()) return kNoAnswer;
  return x >= scale.min && x <= scale.max ? static_cast<int>(x) : kNoAnswer;
}

}  // namespace

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
  meta(Column::From::kInterview, "wave", "Ola (ronda de terreno; vacía fuera de toda ola)",
       "Wave (round of fieldwork; empty outside every wave)");
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

void FormatNumberInto(double v, std::string* out) {
  out->clear();
  if (std::isnan(v)) return;
  // printf's %.15g: the standard defines to_chars with a precision so, without the locale.
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 15);
  out->append(buf, r.ptr);
}

std::string FormatNumber(double v) {
  std::string s;
  FormatNumberInto(v, &s);
  return s;
}

std::string CodeList(const SurveyDefinition& def, const Item& it) {
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

WideRowMaker::WideRowMaker(const SurveyDefinition& def, const std::vector<Column>& columns,
                           const std::map<std::string, Institution>& institutions,
                           const std::vector<Wave>& waves)
    : def_(def), columns_(columns), waves_(waves), numbers_(columns.size()) {
  for (const auto& [id, inst] : institutions) institutions_[id] = &inst;
  for (size_t i = 0; i < columns_.size(); ++i) {
    const Column& c = columns_[i];
    Source source = Source::kAnswer;
    switch (c.from) {
      case Column::From::kInterview:
        source = c.field == "enumerator"       ? Source::kEnumerator
                 : c.field == "survey_version" ? Source::kSurveyVersion
                 : c.field == "wave"           ? Source::kWave
                                               : Source::kField;
        break;
      case Column::From::kHousehold:
        household_.by_item[c.item->id].columns.push_back(i);
        break;
      case Column::From::kEvaluation:
        evaluation_.by_item[c.item->id].columns.push_back(i);
        break;
      case Column::From::kInstitution:
        source = c.field == "institution_id"       ? Source::kInstitutionId
                 : c.field == "institution_name"   ? Source::kInstitutionName
                 : c.field == "institution_type"   ? Source::kInstitutionType
                 : c.field == "institution_comuna" ? Source::kInstitutionComuna
                                                   : Source::kInstitutionRegion;
        break;
      case Column::From::kScore:
        source = Source::kScore;
        break;
    }
    sources_.push_back(source);
  }
  // Likert answers are read from the evaluation, as LikertValue reads them.
  const std::vector<const Item*> likert = def.LikertItems();
  for (size_t k = 0; k < likert.size(); ++k)
    evaluation_.by_item[likert[k]->id].likert = static_cast<int>(k);
  likert_.resize(likert.size());
}

const WideRowMaker::Target* WideRowMaker::Section::Find(std::string_view item, size_t position) {
  if (position < last.size() && last[position].first == item) return last[position].second;
  auto found = by_item.find(item);
  const Target* target = found == by_item.end() ? nullptr : &found->second;
  if (position >= last.size()) last.resize(position + 1);
  last[position].first.assign(item);
  last[position].second = target;
  return target;
}

void WideRowMaker::Place(const StoredInterview& doc, const StoredSection& section, Section& targets,
                         std::vector<Cell>* row) {
  const StoredAnswer* answers = doc.answers(section);
  for (uint32_t a = 0; a < section.count; ++a) {
    const StoredAnswer& answer = answers[a];
    const Target* target = targets.Find(answer.item, a);
    if (!target) continue;
    if (target->likert >= 0) likert_[target->likert] = LikertOf(answer.value, def_.scale);
    if (answer.value.kind == StoredValue::Kind::kNull) continue;  // unanswered
    for (size_t i : target->columns) (*row)[i] = AnswerCell(columns_[i], doc, answer.value);
  }
}

void WideRowMaker::Start(const StoredInterview& doc, std::string_view enumerator) {
  shared_.assign(columns_.size(), Cell{});
  Place(doc, doc.household(), household_, &shared_);
  for (size_t i = 0; i < columns_.size(); ++i) {
    Cell& cell = shared_[i];
    switch (sources_[i]) {
      case Source::kEnumerator:
        cell.text = enumerator;
        cell.present = true;
        break;
      case Source::kSurveyVersion:
        cell.number = static_cast<double>(doc.survey_version());
        FormatNumberInto(cell.number, &numbers_[i]);
        cell.text = numbers_[i];
        cell.present = true;
        break;
      case Source::kWave: {
        // The wave whose window holds the day the interview was completed (its local date, as
        // the scores count it); waves never overlap.
        const std::string_view day = doc.Field("completed_at").substr(0, 10);
        cell.text = {};
        for (const Wave& w : waves_) {
          if (w.from <= day && day <= w.to) cell.text = w.id;
        }
        cell.present = !cell.text.empty();
        break;
      }
      case Source::kField:
        cell.text = doc.Field(columns_[i].field);
        cell.present = true;
        break;
      default:
        break;  // the evaluation's
    }
  }
}

void WideRowMaker::Fill(const StoredInterview& doc, size_t k, std::vector<Cell>* row) {
  const StoredEvaluation& evaluation = doc.evaluations()[k];
  std::copy(shared_.begin(), shared_.end(), row->begin());
  std::fill(likert_.begin(), likert_.end(), kNoAnswer);
  Place(doc, evaluation.answers, evaluation_, row);
  auto found = institutions_.find(evaluation.institution_id);
  const Institution* inst = found == institutions_.end() ? nullptr : found->second;
  for (size_t i = 0; i < columns_.size(); ++i) {
    Cell& cell = (*row)[i];
    switch (sources_[i]) {
      case Source::kInstitutionId:
        cell.text = evaluation.institution_id;
        cell.present = true;
        break;
      case Source::kInstitutionName:
      case Source::kInstitutionType:
      case Source::kInstitutionComuna:
      case Source::kInstitutionRegion:
        cell.present = true;
        if (!inst) break;
        cell.text = sources_[i] == Source::kInstitutionName     ? inst->name
                    : sources_[i] == Source::kInstitutionType   ? inst->type
                    : sources_[i] == Source::kInstitutionComuna ? inst->comuna
                                                                : inst->region;
        break;
      case Source::kScore:
        cell.number = columns_[i].block->Score(likert_);
        cell.present = !std::isnan(cell.number);
        FormatNumberInto(cell.number, &numbers_[i]);
        cell.text = numbers_[i];
        break;
      default:
        break;  // the interview's, or an answer placed above
    }
  }
}

}  // namespace percept
