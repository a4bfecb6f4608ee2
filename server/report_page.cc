#include "report_page.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace percept {

namespace {

struct Text {
  const char* es;
  const char* en;
};

// Every sentence of the pages, in both languages.
const std::map<std::string, Text>& Strings() {
  static const std::map<std::string, Text> k = {
      {"report", {"Informe de calidad percibida", "Perceived quality report"}},
      {"signed_in", {"Sesión de", "Signed in as"}},
      {"sign_out", {"Cerrar sesión", "Sign out"}},
      {"filters", {"Filtros", "Filters"}},
      {"comuna", {"Comuna (código)", "Commune (code)"}},
      {"region", {"Región (código)", "Region (code)"}},
      {"from", {"Desde", "From"}},
      {"to", {"Hasta", "To"}},
      {"apply", {"Aplicar", "Apply"}},
      {"heatmap",
       {"Mapa de calor: índice 0–100 por institución y dimensión",
        "Heat map: index 0–100 by institution and dimension"}},
      {"heat_note",
       {"▲ punto crítico · gris: celda suprimida (menos de %d evaluaciones)",
        "▲ critical point · grey: suppressed cell (fewer than %d evaluations)"}},
      {"institution", {"Institución", "Institution"}},
      {"network", {"Red", "Network"}},
      {"critical", {"Puntos críticos", "Critical points"}},
      {"none",
       {"Ningún punto crítico con estos filtros.", "No critical point under these filters."}},
      {"dimension", {"Dimensión", "Dimension"}},
      {"index", {"Índice", "Index"}},
      {"ci", {"IC 95%", "95% CI"}},
      {"gap", {"Brecha", "Gap"}},
      {"importance", {"Importancia", "Importance"}},
      {"severity", {"Severidad", "Severity"}},
      {"flags", {"Alertas", "Flags"}},
      {"high", {"alta", "high"}},
      {"medium", {"media", "medium"}},
      {"below_standard", {"bajo el estándar", "below standard"}},
      {"below_network", {"bajo la red", "below network"}},
      {"by_institution",
       {"Por institución: índice con IC 95% (●) y la red (◆)",
        "By institution: index with 95% CI (●) and the network (◆)"}},
      {"ipa", {"Importancia–desempeño", "Importance–performance"}},
      {"ipa_note",
       {"Arriba a la izquierda: importa mucho y anda mal — lo primero que mejorar.",
        "Top left: matters most and performs worst — the first thing to improve."}},
      {"method", {"Metodología", "Methodology"}},
      {"evaluations",
       {"Evaluaciones (red, satisfacción general)", "Evaluations (network, overall satisfaction)"}},
      {"period", {"Período", "Period"}},
      {"all", {"todo", "all"}},
      {"alpha", {"Confiabilidad (alfa de Cronbach)", "Reliability (Cronbach's alpha)"}},
      {"alpha_warn",
       {"bajo 0,7: los ítems de esta dimensión no miden lo mismo; interprete con cautela",
        "below 0.7: this dimension's items do not measure one thing; read with care"}},
      {"rule_standard",
       {"«Bajo el estándar»: el extremo superior del IC 95%% del índice queda bajo %g (la nota 4,0 "
        "en la escala de 1 a 7).",
        "'Below standard': the upper end of the index's 95%% CI is below %g (the passing grade 4.0 "
        "on the 1–7 scale)."}},
      {"rule_network",
       {"«Bajo la red»: al menos %g puntos bajo la red y una prueba t de Welch unilateral contra "
        "el resto de la red, con p ajustado por Benjamini–Hochberg (q < 0,05).",
        "'Below network': at least %g points below the network and a one-sided Welch t-test "
        "against the rest of the network, with p adjusted by Benjamini–Hochberg (q < 0.05)."}},
      {"rule_severity",
       {"Severidad alta cuando la dimensión pesa en la satisfacción general (correlación con la "
        "nota general sobre la mediana).",
        "High severity when the dimension weighs on overall satisfaction (its correlation with the "
        "overall grade is at or above the median)."}},
      {"rule_min_n",
       {"Celdas con menos de %d evaluaciones no se publican: pocas respuestas son inestables y "
        "podrían identificar a una familia.",
        "Cells with fewer than %d evaluations are not published: few answers are unstable and "
        "could point to a family."}},
      {"limited",
       {"precisión limitada (INE: n < 60 o CV > 15%)",
        "limited precision (INE: n < 60 or CV > 15%)"}},
      {"sign_in", {"Ingresar", "Sign in"}},
      {"token", {"Token de acceso", "Access token"}},
      {"sign_in_intro",
       {"Pegue el token que le entregó el equipo de Percept. Se guarda una sesión de 8 horas en "
        "este navegador.",
        "Paste the token the Percept team gave you. This browser keeps a session for 8 hours."}},
  };
  return k;
}

std::string T(const ReportView& v, const char* key) {
  const Text& t = Strings().at(key);
  return v.lang == "en" ? t.en : t.es;
}

std::string Fmt(double v, int decimals = 1) {
  if (!std::isfinite(v)) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Color(double index) {
  const double h = std::clamp(index, 0.0, 100.0) * 1.2;  // 0 red … 120 green
  char buf[40];
  std::snprintf(buf, sizeof buf, "hsl(%.0f,65%%,62%%)", h);
  return buf;
}

std::string DimensionLabel(const ReportView& v, const std::string& id) {
  for (const Dimension& d : v.survey->dimensions) {
    if (d.id == id) return v.lang == "en" ? d.label.en : d.label.es;
  }
  return id == "overall" ? (v.lang == "en" ? "Overall" : "General") : id;
}

std::string InstitutionName(const ReportView& v, const std::string& id) {
  auto it = v.institutions->find(id);
  return it == v.institutions->end() ? id : it->second.name;
}

const NetworkCell* Net(const ReportView& v, const std::string& dim) {
  for (const NetworkCell& c : v.report->network)
    if (c.dimension == dim) return &c;
  return nullptr;
}

void HeatMap(const ReportView& v, const std::vector<std::string>& insts, std::string& h) {
  const auto& dims = v.survey->dimensions;
  const int name_w = 300, cell_w = 96, cell_h = 28, top = 34;
  const int width = name_w + cell_w * static_cast<int>(dims.size()) + 10;
  const int height = top + cell_h * static_cast<int>(insts.size() + 1) + 10;
  h += "<svg class='heat' viewBox='0 0 " + std::to_string(width) + " " + std::to_string(height) +
       "' width='" + std::to_string(width) + "' role='img' aria-label='" +
       HtmlEscape(T(v, "heatmap")) + "'>";
  for (size_t d = 0; d < dims.size(); ++d) {
    h += "<text x='" + std::to_string(name_w + cell_w * d + cell_w / 2) +
         "' y='22' text-anchor='middle' class='hd'>" + HtmlEscape(DimensionLabel(v, dims[d].id)) +
         "</text>";
  }
  auto row = [&](size_t r, const std::string& id_of_row, const std::string& label,
                 const std::function<const ScoreCell*(const std::string&)>& cell, bool network) {
    const int y = top + cell_h * static_cast<int>(r);
    // Long names are cut to fit their column; the full name shows on hover and in the tables.
    std::string shown = label;
    if (shown.size() > 44) {
      size_t cut = 42;
      while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80)
        --cut;  // not inside a UTF-8 character
      shown = shown.substr(0, cut) + "…";
    }
    h += "<text x='4' y='" + std::to_string(y + 19) + "' class='" + (network ? "nw" : "nm") +
         "'><title>" + HtmlEscape(label) + "</title>" + HtmlEscape(shown) + "</text>";
    for (size_t d = 0; d < dims.size(); ++d) {
      const int x = name_w + cell_w * static_cast<int>(d);
      double index = NAN;
      bool suppressed = false, critical = false;
      int64_t n = 0;
      if (network) {
        const NetworkCell* nc = Net(v, dims[d].id);
        if (nc) index = nc->stats.index, suppressed = nc->suppressed, n = nc->stats.n;
      } else if (const ScoreCell* c = cell(dims[d].id)) {
        index = c->stats.index, suppressed = c->suppressed, critical = c->critical, n = c->stats.n;
      } else {
        suppressed = true;
      }
      const std::string fill = suppressed ? "#d9d9d9" : Color(index);
      h += "<rect x='" + std::to_string(x + 1) + "' y='" + std::to_string(y + 1) + "' width='" +
           std::to_string(cell_w - 2) + "' height='" + std::to_string(cell_h - 2) + "' fill='" +
           fill + "'" + (critical ? " class='crit'" : "") + " data-institution='" +
           HtmlEscape(network ? std::string("network") : id_of_row) + "' data-dimension='" +
           dims[d].id + "'/>";
      const std::string label =
          suppressed ? "n=" + std::to_string(n) : Fmt(index) + (critical ? " ▲" : "");
      h += "<text x='" + std::to_string(x + cell_w / 2) + "' y='" + std::to_string(y + 19) +
           "' text-anchor='middle'" + (critical ? " class='critmark'" : "") + ">" + label +
           "</text>";
    }
  };
  for (size_t r = 0; r < insts.size(); ++r) {
    const std::string& id = insts[r];
    row(
        r, id, InstitutionName(v, id),
        [&](const std::string& dim) -> const ScoreCell* {
          for (const ScoreCell& c : v.report->cells)
            if (c.institution_id == id && c.dimension == dim) return &c;
          return nullptr;
        },
        false);
  }
  row(insts.size(), "", T(v, "network"), nullptr, true);
  h += "</svg>";
}

void Whiskers(const ReportView& v, const std::string& inst, std::string& h) {
  const auto& dims = v.survey->dimensions;
  const int left = 150, right = 470, row_h = 22, top = 20;
  auto x = [&](double index) {
    return left + (right - left) * std::clamp(index, 0.0, 100.0) / 100.0;
  };
  const int height = top + row_h * static_cast<int>(dims.size()) + 10;
  h += "<svg viewBox='0 0 490 " + std::to_string(height) + "' width='490' class='whisk'>";
  for (int tick = 0; tick <= 100; tick += 25) {
    h += "<line x1='" + Fmt(x(tick), 0) + "' x2='" + Fmt(x(tick), 0) + "' y1='12' y2='" +
         std::to_string(height - 6) + "' class='grid'/><text x='" + Fmt(x(tick), 0) +
         "' y='10' text-anchor='middle' class='tick'>" + std::to_string(tick) + "</text>";
  }
  h += "<line x1='" + Fmt(x(v.options.standard), 0) + "' x2='" + Fmt(x(v.options.standard), 0) +
       "' y1='12' y2='" + std::to_string(height - 6) + "' class='std'/>";
  for (size_t d = 0; d < dims.size(); ++d) {
    const int y = top + row_h * static_cast<int>(d) + 11;
    h += "<text x='4' y='" + std::to_string(y + 4) + "'>" +
         HtmlEscape(DimensionLabel(v, dims[d].id)) + "</text>";
    if (const NetworkCell* nc = Net(v, dims[d].id); nc && !nc->suppressed) {
      h += "<path d='M" + Fmt(x(nc->stats.index)) + " " + std::to_string(y - 6) +
           " l5 6 l-5 6 l-5 -6 z' class='netmark'/>";
    }
    for (const ScoreCell& c : v.report->cells) {
      if (c.institution_id != inst || c.dimension != dims[d].id) continue;
      if (c.suppressed) {
        h += "<text x='" + std::to_string(left) + "' y='" + std::to_string(y + 4) +
             "' class='tick'>n=" + std::to_string(c.stats.n) + "</text>";
        continue;
      }
      h += "<line x1='" + Fmt(x(c.stats.ci_low)) + "' x2='" + Fmt(x(c.stats.ci_high)) + "' y1='" +
           std::to_string(y) + "' y2='" + std::to_string(y) + "' class='ci'/><circle cx='" +
           Fmt(x(c.stats.index)) + "' cy='" + std::to_string(y) + "' r='4' fill='" +
           (c.critical ? "#b00020" : "#1f4e79") + "'/>";
    }
  }
  h += "</svg>";
}

void ImportancePerformance(const ReportView& v, const std::string& inst, std::string& h) {
  const int w = 300, ht = 220, l = 36, b = 28, t = 10, r = 10;
  auto px = [&](double index) { return l + (w - l - r) * std::clamp(index, 0.0, 100.0) / 100.0; };
  auto py = [&](double imp) { return ht - b - (ht - b - t) * std::clamp(imp, 0.0, 1.0); };
  std::vector<double> imps;
  for (const NetworkCell& c : v.report->network)
    if (c.dimension != "overall" && std::isfinite(c.importance)) imps.push_back(c.importance);
  std::sort(imps.begin(), imps.end());
  const double median = imps.empty()      ? 0.5
                        : imps.size() % 2 ? imps[imps.size() / 2]
                                          : (imps[imps.size() / 2 - 1] + imps[imps.size() / 2]) / 2;
  h += "<svg viewBox='0 0 " + std::to_string(w) + " " + std::to_string(ht) +
       "' width=" + std::to_string(w) + " class='ipa'>";
  h += "<rect x='" + std::to_string(l) + "' y='" + std::to_string(t) + "' width='" +
       std::to_string(w - l - r) + "' height='" + std::to_string(ht - b - t) + "' class='frame'/>";
  h += "<line x1='" + Fmt(px(v.options.standard)) + "' x2='" + Fmt(px(v.options.standard)) +
       "' y1='" + std::to_string(t) + "' y2='" + std::to_string(ht - b) + "' class='std'/>";
  h += "<line x1='" + std::to_string(l) + "' x2='" + std::to_string(w - r) + "' y1='" +
       Fmt(py(median)) + "' y2='" + Fmt(py(median)) + "' class='std'/>";
  h += "<text x='" + std::to_string(w / 2) + "' y='" + std::to_string(ht - 4) +
       "' text-anchor='middle' class='tick'>" + HtmlEscape(T(v, "index")) +
       "</text><text x='10' y='" + std::to_string(ht / 2) +
       "' class='tick' transform='rotate(-90 10 " + std::to_string(ht / 2) +
       ")' text-anchor='middle'>" + HtmlEscape(T(v, "importance")) + "</text>";
  for (const ScoreCell& c : v.report->cells) {
    if (c.institution_id != inst || c.suppressed || c.dimension == "overall" ||
        !std::isfinite(c.importance))
      continue;
    h += "<circle cx='" + Fmt(px(c.stats.index)) + "' cy='" + Fmt(py(c.importance)) +
         "' r='4' fill='" + (c.critical ? "#b00020" : "#1f4e79") + "'/><text x='" +
         Fmt(px(c.stats.index) + 6) + "' y='" + Fmt(py(c.importance) + 4) + "' class='tick'>" +
         HtmlEscape(DimensionLabel(v, c.dimension)) + "</text>";
  }
  h += "</svg>";
}

const char* kStyle =
    "body{font-family:system-ui,-apple-system,'Segoe "
    "UI',Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}"
    "header{background:#1f4e79;color:#fff;padding:12px "
    "20px;display:flex;justify-content:space-between;align-items:center;flex-wrap:wrap}"
    "header h1{font-size:1.25rem;margin:0}header a{color:#fff}header "
    "button{color:#fff;background:transparent;border:1px solid "
    "#fff;border-radius:4px;cursor:pointer}main{padding:12px 20px;max-width:1200px}"
    "section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin:14px "
    "0;overflow-x:auto}"
    "h2{font-size:1.1rem;margin:4px 0 10px}h3{font-size:1rem;margin:10px 0 4px}"
    "table{border-collapse:collapse;font-size:.9rem}th,td{border-bottom:1px solid "
    "#e3e3e3;padding:4px 8px;text-align:left}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}form.filters{display:flex;gap:10px;"
    "flex-wrap:wrap;align-items:end}"
    "label{display:flex;flex-direction:column;font-size:.85rem}input{font-size:1rem;padding:4px}"
    "svg "
    "text{font-size:12px;fill:#1b1b1b}.hd{font-weight:600}.nw{font-weight:700}.tick{font-size:10px;"
    "fill:#555}"
    ".crit{stroke:#000;stroke-width:3}.critmark{font-weight:700}.grid{stroke:#eee}.std{stroke:#"
    "b00020;stroke-dasharray:4 3}"
    ".ci{stroke:#1f4e79;stroke-width:2}.netmark{fill:#888}.frame{fill:none;stroke:#ccc}.warn{color:"
    "#b00020}"
    ".inst{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start;border-top:1px solid "
    "#eee;padding-top:8px}"
    ".lim{color:#8a5a00}@media print{header "
    "form,form.filters{display:none}section{break-inside:avoid;border:none}}";

}  // namespace

std::string HtmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderReport(const ReportView& v) {
  std::string h;
  h.reserve(1 << 16);
  const std::string title = v.lang == "en" ? v.survey->title.en : v.survey->title.es;
  h += "<!doctype html><html lang='" + v.lang +
       "'><head><meta charset=utf-8><meta name=viewport "
       "content='width=device-width,initial-scale=1'>";
  h += "<title>" + HtmlEscape(T(v, "report")) + " — " + HtmlEscape(title) + "</title><style>" +
       kStyle + "</style></head><body>";
  h += "<header><h1>" + HtmlEscape(T(v, "report")) + ": " + HtmlEscape(title) + "</h1><div>" +
       HtmlEscape(T(v, "signed_in")) + " " + HtmlEscape(v.reader) +
       " · <a href='?lang=" + (v.lang == "en" ? "es" : "en") + "'>" +
       (v.lang == "en" ? "Español" : "English") +
       "</a> <form method=post action='/sign-out' style='display:inline'><button>" +
       HtmlEscape(T(v, "sign_out")) + "</button></form></div></header><main>";

  // Filters: a plain GET form; the page is its own URL, so a filtered view can be bookmarked.
  h += "<section><h2>" + HtmlEscape(T(v, "filters")) +
       "</h2><form class=filters method=get><input type=hidden name=lang value='" + v.lang + "'>";
  h += "<label>" + HtmlEscape(T(v, "comuna")) + "<input name=comuna size=6 value='" +
       HtmlEscape(v.comuna) + "'></label>";
  h += "<label>" + HtmlEscape(T(v, "region")) + "<input name=region size=4 value='" +
       HtmlEscape(v.region) + "'></label>";
  h += "<label>" + HtmlEscape(T(v, "from")) + "<input type=date name=from value='" +
       HtmlEscape(v.from) + "'></label>";
  h += "<label>" + HtmlEscape(T(v, "to")) + "<input type=date name=to value='" + HtmlEscape(v.to) +
       "'></label>";
  h += "<button>" + HtmlEscape(T(v, "apply")) + "</button></form></section>";

  std::vector<std::string> insts;
  for (const ScoreCell& c : v.report->cells) {
    if (v.visible(c) && (insts.empty() || insts.back() != c.institution_id))
      insts.push_back(c.institution_id);
  }
  std::sort(insts.begin(), insts.end(), [&](const std::string& a, const std::string& b) {
    return InstitutionName(v, a) < InstitutionName(v, b);
  });

  char note[256];
  std::snprintf(note, sizeof note, T(v, "heat_note").c_str(), static_cast<int>(v.options.min_n));
  h += "<section id=heatmap><h2>" + HtmlEscape(T(v, "heatmap")) + "</h2>";
  HeatMap(v, insts, h);
  h += "<p class=tick>" + HtmlEscape(note) + "</p></section>";

  h += "<section id=critical><h2>" + HtmlEscape(T(v, "critical")) + "</h2>";
  std::vector<const ScoreCell*> critical;
  for (const ScoreCell* c : CriticalPoints(*v.report))
    if (v.visible(*c)) critical.push_back(c);
  if (critical.empty()) {
    h += "<p>" + HtmlEscape(T(v, "none")) + "</p>";
  } else {
    h += "<table><thead><tr><th>" + HtmlEscape(T(v, "institution")) + "</th><th>" +
         HtmlEscape(T(v, "dimension")) + "</th><th>" + HtmlEscape(T(v, "index")) + "</th><th>" +
         HtmlEscape(T(v, "ci")) + "</th><th>n</th><th>" + HtmlEscape(T(v, "network")) +
         "</th><th>" + HtmlEscape(T(v, "gap")) + "</th><th>q</th><th>" +
         HtmlEscape(T(v, "importance")) + "</th><th>" + HtmlEscape(T(v, "severity")) + "</th><th>" +
         HtmlEscape(T(v, "flags")) + "</th></tr></thead><tbody>";
    for (const ScoreCell* c : critical) {
      std::string flags;
      for (const std::string& f : c->flags) flags += (flags.empty() ? "" : ", ") + T(v, f.c_str());
      char q[32];
      std::snprintf(q, sizeof q, "%.2g", c->q);
      h += "<tr data-institution='" + HtmlEscape(c->institution_id) + "' data-dimension='" +
           HtmlEscape(c->dimension) + "'><td>" + HtmlEscape(InstitutionName(v, c->institution_id)) +
           "</td><td>" + HtmlEscape(DimensionLabel(v, c->dimension)) + "</td><td class=num>" +
           Fmt(c->stats.index) + "</td><td class=num>" + Fmt(c->stats.ci_low) + "–" +
           Fmt(c->stats.ci_high) + "</td><td class=num>" + std::to_string(c->stats.n) +
           (c->stats.reliable
                ? ""
                : " <span class=lim title='" + HtmlEscape(T(v, "limited")) + "'>*</span>") +
           "</td><td class=num>" + Fmt(c->network_index) + "</td><td class=num>" + Fmt(c->gap) +
           "</td><td class=num>" + q + "</td><td class=num>" + Fmt(c->importance, 2) + "</td><td>" +
           HtmlEscape(T(v, c->high_severity ? "high" : "medium")) + "</td><td>" +
           HtmlEscape(flags) + "</td></tr>";
    }
    h += "</tbody></table><p class=tick>* " + HtmlEscape(T(v, "limited")) + "</p>";
  }
  h += "</section>";

  h += "<section id=institutions><h2>" + HtmlEscape(T(v, "by_institution")) + "</h2>";
  for (const std::string& id : insts) {
    h += "<h3>" + HtmlEscape(InstitutionName(v, id)) + "</h3><div class=inst><div>";
    Whiskers(v, id, h);
    h += "</div><div><div class=tick>" + HtmlEscape(T(v, "ipa")) + "</div>";
    ImportancePerformance(v, id, h);
    h += "</div></div>";
  }
  h += "<p class=tick>" + HtmlEscape(T(v, "ipa_note")) + "</p></section>";

  h += "<section id=method><h2>" + HtmlEscape(T(v, "method")) + "</h2><ul>";
  const NetworkCell* overall = Net(v, "overall");
  h += "<li>" + HtmlEscape(T(v, "evaluations")) + ": " +
       (overall ? std::to_string(overall->stats.n) : "—") + "</li>";
  h += "<li>" + HtmlEscape(T(v, "period")) + ": " +
       HtmlEscape(v.from.empty() && v.to.empty()
                      ? T(v, "all")
                      : (v.from.empty() ? "…" : v.from) + " – " + (v.to.empty() ? "…" : v.to)) +
       "</li>";
  if (!v.comuna.empty())
    h += "<li>" + HtmlEscape(T(v, "comuna")) + ": " + HtmlEscape(v.comuna) + "</li>";
  if (!v.region.empty())
    h += "<li>" + HtmlEscape(T(v, "region")) + ": " + HtmlEscape(v.region) + "</li>";
  h += "<li>min_n = " + std::to_string(v.options.min_n) +
       " · standard = " + Fmt(v.options.standard, 0) + " · min_gap = " + Fmt(v.options.min_gap, 0) +
       "</li>";
  h += "<li>" + HtmlEscape(T(v, "alpha")) + ":<ul>";
  for (const NetworkCell& c : v.report->network) {
    if (c.dimension == "overall") continue;
    const bool low = std::isfinite(c.alpha) && c.alpha < 0.7;
    h += "<li" + std::string(low ? " class=warn" : "") + ">" +
         HtmlEscape(DimensionLabel(v, c.dimension)) + ": " + Fmt(c.alpha, 2) +
         (low ? " — " + HtmlEscape(T(v, "alpha_warn")) : "") + "</li>";
  }
  h += "</ul></li>";
  char rule[512];
  std::snprintf(rule, sizeof rule, T(v, "rule_standard").c_str(), v.options.standard);
  h += "<li>" + HtmlEscape(rule) + "</li>";
  std::snprintf(rule, sizeof rule, T(v, "rule_network").c_str(), v.options.min_gap);
  h += "<li>" + HtmlEscape(rule) + "</li><li>" + HtmlEscape(T(v, "rule_severity")) + "</li>";
  std::snprintf(rule, sizeof rule, T(v, "rule_min_n").c_str(), static_cast<int>(v.options.min_n));
  h += "<li>" + HtmlEscape(rule) + "</li></ul></section></main></body></html>";
  return h;
}

std::string RenderSignIn(const std::string& lang, const std::string& error,
                         const std::string& next) {
  ReportView v;
  v.lang = lang == "en" ? "en" : "es";
  std::string h = "<!doctype html><html lang='" + v.lang +
                  "'><head><meta charset=utf-8><meta name=viewport "
                  "content='width=device-width,initial-scale=1'><title>Percept — " +
                  HtmlEscape(T(v, "sign_in")) + "</title><style>" + kStyle +
                  "</style></head><body><header><h1>Percept</h1></header><main><section>";
  h += "<h2>" + HtmlEscape(T(v, "sign_in")) + "</h2><p>" + HtmlEscape(T(v, "sign_in_intro")) +
       "</p>";
  if (!error.empty()) h += "<p class=warn role=alert>" + HtmlEscape(error) + "</p>";
  h += "<form method=post action='/sign-in'><input type=hidden name=next value='" +
       HtmlEscape(next) + "'><input type=hidden name=lang value='" + v.lang + "'><label>" +
       HtmlEscape(T(v, "token")) +
       "<input type=password name=token autocomplete=off required size=50></label> <button "
       "type=submit id=sign-in>" +
       HtmlEscape(T(v, "sign_in")) + "</button></form></section></main></body></html>";
  return h;
}

}  // namespace percept
