#include "percept/reports/part_b_tables.h"

#include <vector>

#include "csv.h"

namespace percept {

namespace {

struct ColumnDoc {
  const char* table;
  const char* name;
  const char* type;
  const char* es;
  const char* en;
};

// The codebook, and the header rows, in one place.
const std::vector<ColumnDoc>& Columns() {
  static const std::vector<ColumnDoc> k = {
      {"indicators", "institution_id", "text",
       "Institución (id), o network para la red (network:TIPO, con compare=type, para las "
       "instituciones de un tipo)",
       "Institution (id), or network for the network (network:TYPE, with compare=type, for the "
       "institutions of one type)"},
      {"indicators", "institution", "text", "Nombre de la institución", "Institution's name"},
      {"indicators", "item", "text", "Pregunta (id)", "Question (id)"},
      {"indicators", "option", "text", "Opción; true para una pregunta sí/no",
       "Option; true for a yes/no question"},
      {"indicators", "label_es", "text", "Opción o pregunta, en castellano",
       "Option or question, in Spanish"},
      {"indicators", "valence", "text", "bad (un problema), good (un beneficio) o vacío",
       "bad (a problem), good (a benefit) or empty"},
      {"indicators", "severity", "text", "high o medium (solo con valencia)",
       "high or medium (valenced options only)"},
      {"indicators", "n", "number", "Evaluaciones en la muestra del indicador",
       "Evaluations in the indicator's sample"},
      {"indicators", "suppressed", "0/1", "1: menos de min_n evaluaciones, sin estadísticas",
       "1: fewer than min_n evaluations, no statistics"},
      {"indicators", "x", "number", "Evaluaciones que eligieron la opción",
       "Evaluations that chose the option"},
      {"indicators", "rate", "number", "Porcentaje (100·x/n)", "Percentage (100·x/n)"},
      {"indicators", "wilson_low", "number", "IC de Wilson 95%, límite inferior (%)",
       "95% Wilson CI, lower bound (%)"},
      {"indicators", "wilson_high", "number", "IC de Wilson 95%, límite superior (%)",
       "95% Wilson CI, upper bound (%)"},
      {"indicators", "others", "number", "Porcentaje en el resto de la red",
       "Percentage in the rest of the network"},
      {"indicators", "gap_pp", "number", "rate − others, en puntos porcentuales",
       "rate − others, in percentage points"},
      {"indicators", "p", "number", "Prueba exacta de Fisher unilateral (hacia lo malo)",
       "One-sided Fisher exact test (toward the bad side)"},
      {"indicators", "q", "number", "p ajustado por Benjamini-Hochberg",
       "p adjusted by Benjamini-Hochberg"},
      {"indicators", "worse_than_network", "0/1", "1: punto crítico", "1: critical point"},
      {"autonomy", "institution_id", "text",
       "Institución (id), o network para la red (network:TIPO, con compare=type, para las "
       "instituciones de un tipo)",
       "Institution (id), or network for the network (network:TYPE, with compare=type, for the "
       "institutions of one type)"},
      {"autonomy", "institution", "text", "Nombre de la institución", "Institution's name"},
      {"autonomy", "band", "text", "Meses en el programa (solo filas de la red por etapa)",
       "Months in the programme (the network's rows by stage only)"},
      {"autonomy", "n", "number", "Evaluaciones con todos los componentes respondidos",
       "Evaluations with every component answered"},
      {"autonomy", "suppressed", "0/1", "1: menos de min_n evaluaciones",
       "1: fewer than min_n evaluations"},
      {"autonomy", "index", "number", "Índice de autonomía 0–100 (la media de a(e))",
       "Autonomy index 0–100 (the mean of a(e))"},
      {"autonomy", "sd", "number", "Desviación estándar de a(e)", "Standard deviation of a(e)"},
      {"autonomy", "ci_low", "number", "IC t 95%, límite inferior", "95% t CI, lower bound"},
      {"autonomy", "ci_high", "number", "IC t 95%, límite superior", "95% t CI, upper bound"},
      {"autonomy", "cv", "number", "Coeficiente de variación del índice",
       "Coefficient of variation of the index"},
      {"autonomy", "full", "number", "Evaluaciones con todos los componentes cumplidos",
       "Evaluations with every component met"},
      {"autonomy", "full_low", "number", "IC de Wilson 95% de full (%), inferior",
       "95% Wilson CI of full (%), lower"},
      {"autonomy", "full_high", "number", "IC de Wilson 95% de full (%), superior",
       "95% Wilson CI of full (%), upper"},
      {"autonomy", "gap", "number", "Índice − índice de la red", "Index − the network's index"},
      {"autonomy", "p", "number", "Prueba t de Welch unilateral contra el resto",
       "One-sided Welch t-test against the rest"},
      {"autonomy", "q", "number", "p ajustado por Benjamini-Hochberg",
       "p adjusted by Benjamini-Hochberg"},
      {"autonomy", "below_network", "0/1", "1: punto crítico (severidad alta)",
       "1: critical point (high severity)"},
  };
  return k;
}

std::string Header(const char* table) {
  std::vector<std::string> names;
  for (const ColumnDoc& c : Columns())
    if (std::string(c.table) == table) names.push_back(c.name);
  std::string out = kByteOrderMark;
  AppendCsvRow(out, names);
  return out;
}

std::string Name(const std::map<std::string, Institution>& institutions, const std::string& id) {
  auto it = institutions.find(id);
  return it == institutions.end() ? "" : it->second.name;
}

std::string Label(const SurveyDefinition& def, const IndicatorDef& ind) {
  const Item* item = def.FindEvaluationItem(ind.item);
  if (!item) return "";
  for (const Option& o : item->options)
    if (o.value == ind.option) return o.label.es;
  return item->label.es;
}

std::string N(int64_t v) { return std::to_string(v); }

// The autonomy columns after "band".
std::vector<std::string> AutonomyFields(const AutonomyCell& c, bool tested) {
  if (c.suppressed) return {N(c.stats.n), "1"};
  std::vector<std::string> f = {N(c.stats.n),
                                "0",
                                CsvNumber(c.stats.index),
                                CsvNumber(c.stats.sd),
                                CsvNumber(c.stats.ci_low),
                                CsvNumber(c.stats.ci_high),
                                CsvNumber(c.stats.cv),
                                N(c.full),
                                CsvNumber(c.full_wilson.low),
                                CsvNumber(c.full_wilson.high)};
  if (tested) {
    f.insert(f.end(), {CsvNumber(c.gap), CsvNumber(c.p), CsvNumber(c.q), c.flagged ? "1" : "0"});
  }
  return f;
}

}  // namespace

std::string IndicatorTableCsv(const SurveyDefinition& def, const IndicatorLayout& layout,
                              const PartBReport& report,
                              const std::map<std::string, Institution>& institutions) {
  std::string out = Header("indicators");
  const auto& defs = layout.indicators();
  auto describe = [&](const IndicatorDef& d) {
    return std::vector<std::string>{d.item, d.option.empty() ? "true" : d.option, Label(def, d),
                                    d.valence == Valence::kNone  ? ""
                                    : d.valence == Valence::kBad ? "bad"
                                                                 : "good",
                                    d.valence == Valence::kNone ? ""
                                    : d.high_severity           ? "high"
                                                                : "medium"};
  };
  for (size_t i = 0; i < report.indicators.cells.size(); ++i) {
    const IndicatorCell& c = report.indicators.cells[i];
    const IndicatorDef& d = defs[i % defs.size()];
    std::vector<std::string> row = {c.count.institution_id,
                                    Name(institutions, c.count.institution_id)};
    const auto what = describe(d);
    row.insert(row.end(), what.begin(), what.end());
    row.insert(row.end(), {N(c.count.n), c.suppressed ? "1" : "0"});
    if (!c.suppressed) {
      row.insert(row.end(), {N(c.count.x), CsvNumber(c.rate), CsvNumber(c.wilson.low),
                             CsvNumber(c.wilson.high), CsvNumber(c.others), CsvNumber(c.gap_pp)});
      if (d.valence != Valence::kNone)
        row.insert(row.end(), {CsvNumber(c.p), CsvNumber(c.q), c.flagged ? "1" : "0"});
    }
    AppendCsvRow(out, row);
  }
  // The network's rows, then under compare=type each type's ("network:cesfam").
  auto pooled = [&](const std::vector<NetworkIndicator>& rows) {
    for (size_t k = 0; k < rows.size(); ++k) {
      const NetworkIndicator& net = rows[k];
      std::vector<std::string> row = {net.type.empty() ? "network" : "network:" + net.type, ""};
      const auto what = describe(defs[k % defs.size()]);
      row.insert(row.end(), what.begin(), what.end());
      row.insert(row.end(), {N(net.n), "0", N(net.x), CsvNumber(net.rate),
                             CsvNumber(net.wilson.low), CsvNumber(net.wilson.high)});
      AppendCsvRow(out, row);
    }
  };
  pooled(report.indicators.network);
  pooled(report.indicators.peers);
  return out;
}

std::string AutonomyTableCsv(const PartBReport& report,
                             const std::map<std::string, Institution>& institutions) {
  std::string out = Header("autonomy");
  auto row = [&](const std::string& id, const std::string& name, const std::string& band,
                 const AutonomyCell& c, bool tested) {
    std::vector<std::string> f = {id, name, band};
    const auto rest = AutonomyFields(c, tested);
    f.insert(f.end(), rest.begin(), rest.end());
    AppendCsvRow(out, f);
  };
  for (const AutonomyCell& c : report.autonomy.cells)
    row(c.institution_id, Name(institutions, c.institution_id), "", c, true);
  row("network", "", "", report.autonomy.network, false);
  for (const AutonomyCell& peer : report.autonomy.peers)
    row("network:" + peer.type, "", "", peer, false);
  for (const BandCell& b : report.stages) row("network", "", b.band, b.cell, false);
  return out;
}

std::string PartBCodebookCsv() {
  std::string out = kByteOrderMark;
  AppendCsvRow(out, {"table", "column", "type", "label_es", "label_en"});
  for (const ColumnDoc& c : Columns()) AppendCsvRow(out, {c.table, c.name, c.type, c.es, c.en});
  return out;
}

}  // namespace percept
