#include "export_layout.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace percept {

using nlohmann::json;

namespace {

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

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
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
                           const std::map<std::string, Institution>& institutions)
    : def_(def), columns_(columns), institutions_(institutions), likert_items_(def.LikertItems()) {}

void WideRowMaker::Fill(const json& doc, const json& evaluation, const std::string& enumerator,
                        std::vector<Cell>* row) const {
  const json* household = doc.contains("household") ? &doc["household"] : nullptr;
  const json* answers = evaluation.contains("answers") ? &evaluation["answers"] : nullptr;
  const std::string inst_id = evaluation.value("institution_id", "");
  auto inst = institutions_.find(inst_id);
  std::vector<int> likert;
  for (const Item* it : likert_items_) likert.push_back(LikertValue(answers, it->id, def_.scale));
  for (size_t i = 0; i < columns_.size(); ++i) {
    const Column& c = columns_[i];
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
        else if (inst != institutions_.end()) {
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
    (*row)[i] = std::move(cell);
  }
}

}  // namespace percept
