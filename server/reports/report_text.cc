#include "report_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include "percept/storage/answer_records.h"

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
      {"period_hint",
       {"Todo el período, o un período completo (por ejemplo un mes: desde el primer día hasta el "
        "último).",
        "All time, or one whole period (a month, for example: from its first day to its last)."}},
      {"apply", {"Aplicar", "Apply"}},
      {"heatmap",
       {"Mapa de calor: índice 0–100 por institución y dimensión",
        "Heat map: index 0–100 by institution and dimension"}},
      {"heat_note",
       {"▲ punto crítico · gris: celda suprimida (menos de %d evaluaciones) · color: rojo en 40 o "
        "menos, verde en 90 o más",
        "▲ critical point · grey: suppressed cell (fewer than %d evaluations) · colour: red at 40 "
        "or below, green at 90 or above"}},
      {"institution", {"Institución", "Institution"}},
      {"network", {"Red", "Network"}},
      {"peers", {"Su tipo", "Its type"}},
      {"compare", {"Comparar con", "Compare with"}},
      {"compare_network", {"toda la red", "the whole network"}},
      {"compare_type", {"instituciones del mismo tipo", "institutions of the same type"}},
      {"mdg_short", {"brecha mín. detectable", "min. detectable gap"}},
      {"mdg_inst",
       {"Brecha mínima detectable en esta ola, por dimensión (puntos)",
        "Minimum detectable gap in this wave, by dimension (points)"}},
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
      {"by_institution_type",
       {"Por institución: índice con IC 95% (●) y las instituciones de su tipo (◆)",
        "By institution: index with 95% CI (●) and the institutions of its type (◆)"}},
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
       {"Severidad alta cuando la dimensión pesa en la satisfacción general: su correlación con la "
        "nota general, corregida por la confiabilidad de la dimensión (dividida por la raíz de su "
        "alfa), está en la mediana o sobre ella. Sin esa corrección, una dimensión con más "
        "preguntas parecía más importante solo porque se mide con menos ruido.",
        "High severity when the dimension weighs on overall satisfaction: its correlation with the "
        "overall grade, corrected for the dimension's reliability (divided by the square root of "
        "its alpha), is at or above the median. Without that correction, a dimension with more "
        "questions looked more important only because it is measured with less noise."}},
      {"rule_order",
       {"Los puntos críticos se listan del que está más lejos bajo su referencia al más cercano "
        "(por brecha); la severidad se muestra, pero no ordena.",
        "Critical points are listed from the furthest below its reference to the nearest (by "
        "gap); severity is shown, but does not decide the order."}},
      {"rule_compare_network",
       {"Referencia: toda la red (el marco del estudio). Con «instituciones del mismo tipo», un "
        "CESFAM se compara con los CESFAM, una OMIL con las OMIL.",
        "Reference: the whole network (the study's frame). With 'institutions of the same type', "
        "a CESFAM is compared with CESFAMs, an OMIL with OMILs."}},
      {"rule_compare_type",
       {"Referencia: las instituciones del mismo tipo (un CESFAM contra los CESFAM, no contra el "
        "Registro Civil). «Bajo la red» significa aquí bajo las de su tipo. El ajuste por "
        "comparaciones múltiples cubre todas las celdas del informe.",
        "Reference: the institutions of the same type (a CESFAM against CESFAMs, not against the "
        "civil registry). 'Below network' here means below those of its type. The adjustment for "
        "multiple comparisons covers every cell of the report."}},
      {"rule_precision",
       {"Precisión: «confiable» cuando hay al menos 60 evaluaciones y el IC 95% del índice no se "
        "aleja más de 5 puntos a cada lado; si no, «limitada» (*).",
        "Precision: 'reliable' when there are at least 60 evaluations and the index's 95% CI "
        "reaches no further than 5 points either side; else 'limited' (*)."}},
      {"rule_isn",
       {"ISN (satisfechos menos insatisfechos): su intervalo se calcula agregando una respuesta "
        "satisfecha, una insatisfecha y una neutra, para que no se reduzca a un punto cuando "
        "todas las respuestas están de un lado (por ejemplo, 4 de 4 insatisfechos).",
        "ISN (satisfied minus dissatisfied): its interval is computed with one satisfied, one "
        "dissatisfied and one neutral answer added, so that it does not shrink to a point when "
        "every answer is on one side (4 of 4 dissatisfied, for example)."}},
      {"rule_mdg",
       {"Brecha mínima detectable: la menor diferencia bajo la referencia que esta ola podía ver "
        "con 80%% de probabilidad (prueba unilateral al 5%%, antes del ajuste por comparaciones "
        "múltiples, que la agranda), dado el n de la celda; nunca menos de %g puntos. Una "
        "institución sin alerta no es «igual a la red»: su diferencia puede ser menor que esto.",
        "Minimum detectable gap: the smallest difference below the reference this wave could see "
        "with 80%% probability (one-sided test at 5%%, before the adjustment for multiple "
        "comparisons, which makes it larger), given the cell's n; never less than %g points. An "
        "institution without a flag is not 'the same as the network': its difference may be "
        "smaller than this."}},
      {"mdg_table",
       {"Brecha mínima detectable (puntos) según el número de evaluaciones de la celda",
        "Minimum detectable gap (points) by the cell's number of evaluations"}},
      {"rule_min_n",
       {"Celdas con menos de %d evaluaciones no se publican: pocas respuestas son inestables y "
        "podrían identificar a una familia.",
        "Cells with fewer than %d evaluations are not published: few answers are unstable and "
        "could point to a family."}},
      {"limited",
       {"precisión limitada (n < 60 o IC 95% más ancho que ±5 puntos)",
        "limited precision (n < 60 or a 95% CI wider than ±5 points)"}},
      {"sign_in", {"Ingresar", "Sign in"}},
      {"token", {"Token de acceso", "Access token"}},
      // Error pages.
      {"error_400",
       {"Un filtro o un dato de la dirección no es válido.",
        "A filter or a value in the address is not valid."}},
      {"error_401", {"Debe iniciar sesión.", "You need to sign in."}},
      {"error_403",
       {"Esta página no es para su tipo de acceso.", "This page is not for your kind of access."}},
      {"error_404", {"No encontramos lo que busca.", "We did not find what you are looking for."}},
      {"error_429",
       {"Demasiadas solicitudes: espere un momento.", "Too many requests: wait a moment."}},
      {"error_other",
       {"Algo falló en el servidor; ya quedó registrado.",
        "Something failed on the server; it has been logged."}},
      {"error_back", {"Volver a iniciar sesión", "Back to signing in"}},
      {"no_data",
       {"No hay evaluaciones con estos filtros (revise la comuna, la región o el período).",
        "No evaluations with these filters (check the commune, the region or the period)."}},
      // The supervisor's page (docs/supervision.md).
      {"supervision", {"Supervisión de campo", "Field supervision"}},
      {"queue", {"Entrevistas por revisar", "Interviews to review"}},
      {"state", {"Estado", "State"}},
      {"flag", {"Alerta", "Flag"}},
      {"enumerator", {"Encuestador(a)", "Enumerator"}},
      {"any", {"(todas)", "(any)"}},
      {"queue_empty",
       {"Ninguna entrevista con estos filtros.", "No interview with these filters."}},
      {"open", {"Abrir", "Open"}},
      {"institutions_evaluated", {"Instituciones evaluadas", "Institutions evaluated"}},
      {"queue_more",
       {"Hay más: se muestran las 200 primeras. Filtre, o revise estas y vuelva.",
        "There are more: the first 200 are shown. Filter, or review these and come back."}},
      {"bulk",
       {"Revisar todas las que cumplen estos filtros como",
        "Review every interview matching these filters as"}},
      {"bulk_button", {"Revisar todas", "Review them all"}},
      {"comment", {"Comentario (obligatorio para rechazar)", "Comment (needed to reject)"}},
      {"enumerators", {"Encuestadores", "Enumerators"}},
      {"team", {"Equipo", "Team"}},
      {"interviews", {"Entrevistas", "Interviews"}},
      {"per_day", {"Por día trabajado", "Per day worked"}},
      {"minutes", {"Minutos por institución (mediana)", "Minutes per institution (median)"}},
      {"overall_own", {"Satisfacción de sus familias", "Its families' satisfaction"}},
      {"overall_others",
       {"Las de sus colegas, mismas instituciones", "Its colleagues', same institutions"}},
      {"verdict", {"Veredicto", "Verdict"}},
      {"deviant", {"se aparta de sus colegas", "deviates from its colleagues"}},
      {"not_deviant", {"sin diferencia", "no difference"}},
      {"deviance_note",
       {"Satisfacción general 0–100 de las familias de cada encuestador, frente a las familias de "
        "sus colegas en las mismas instituciones. Se aparta cuando la diferencia es de al menos 10 "
        "puntos y la prueba de Welch, ajustada por Benjamini-Hochberg, da q < 0,05: revise sus "
        "entrevistas.",
        "Overall satisfaction 0–100 of each enumerator's families, against its colleagues' "
        "families at the same institutions. It deviates when the difference is at least 10 points "
        "and Welch's test, adjusted by Benjamini-Hochberg, gives q < 0.05: review its "
        "interviews."}},
      {"interview", {"Entrevista", "Interview"}},
      {"started", {"Inicio", "Started"}},
      {"completed", {"Término", "Completed"}},
      {"no_flags", {"Sin alertas.", "No flags."}},
      {"review", {"Revisión", "Review"}},
      {"deprecated_note",
       {"Esta entrevista fue reemplazada por una corrección: revise la corrección.",
        "This interview was replaced by a correction: review the correction."}},
      {"send_review", {"Guardar revisión", "Save review"}},
      {"history", {"Historial", "History"}},
      {"household", {"Hogar", "Household"}},
      {"yes", {"Sí", "Yes"}},
      {"no", {"No", "No"}},
      {"identifier_hidden", {"(guardado cifrado)", "(stored encrypted)"}},
      {"state_received", {"recibida", "received"}},
      {"state_has_issues", {"con observaciones", "has issues"}},
      {"state_approved", {"aprobada", "approved"}},
      {"state_rejected", {"rechazada", "rejected"}},
      {"state_deprecated", {"reemplazada", "replaced"}},
      {"flag_too_fast",
       {"Duró menos de 3 minutos por institución evaluada.",
        "It took less than 3 minutes per institution evaluated."}},
      {"flag_straight_lining",
       {"En una evaluación, las 10 o más respuestas de la escala son iguales.",
        "In one evaluation, the 10 or more scale answers are all the same."}},
      {"flag_many_missing",
       {"Más del 40% de las respuestas de la escala son \"no sabe\" o \"no aplica\".",
        "Over 40% of the scale answers are \"don't know\" or \"not applicable\"."}},
      {"flag_off_hours",
       {"Empezó antes de las 7:00 o después de las 22:00.",
        "It started before 7:00 or after 22:00."}},
      {"flag_duplicate_household",
       {"El mismo hogar (RUT) tiene otra entrevista en menos de 120 días.",
        "The same household (RUT) has another interview within 120 days."}},
      {"flag_clock_skew",
       {"La hora de la tableta no cuadra con la de llegada.",
        "The tablet's clock disagrees with when the interview arrived."}},
      // Action plans (docs/plans.md).
      {"plans_title", {"Planes de mejora", "Improvement plans"}},
      {"wave", {"Ola", "Wave"}},
      {"plans_intro_institution",
       {"Los puntos críticos de su institución en esta ola. Para cada uno puede escribir un plan "
        "de mejora: la meta, las acciones, quién responde y cuándo. Guárdelo como borrador o "
        "envíelo a la consultora; la próxima ola dirá si la brecha se cerró.",
        "Your institution's critical points in this wave. For each you may write an improvement "
        "plan: the goal, the actions, who is responsible and when. Save it as a draft or send it "
        "to the consultants; the next wave will say whether the gap closed."}},
      {"plans_intro_analyst",
       {"Los puntos críticos de la ola y sus planes: acepte o devuelva (con un comentario) los "
        "planes enviados.",
        "The wave's critical points and their plans: accept, or return (with a comment), the "
        "plans sent."}},
      {"plans_no_waves",
       {"La encuesta no tiene olas todavía: los planes responden a los puntos críticos de una ola.",
        "The survey has no waves yet: plans answer the critical points of a wave."}},
      {"plans_points", {"Puntos críticos y planes", "Critical points and plans"}},
      {"plan_write", {"Escribir un plan", "Write a plan"}},
      {"plan_goal", {"Meta", "Goal"}},
      {"plan_target_value",
       {"Valor meta (índice o %, opcional)", "Target value (index or %, optional)"}},
      {"plan_what", {"Acción", "Action"}},
      {"plan_responsible", {"Responsable", "Responsible"}},
      {"plan_due", {"Plazo", "Due"}},
      {"plan_save", {"Guardar borrador", "Save draft"}},
      {"plan_submit", {"Enviar", "Submit"}},
      {"plan_state", {"Estado", "State"}},
      {"plan_draft", {"borrador", "draft"}},
      {"plan_submitted", {"enviado", "submitted"}},
      {"plan_returned", {"devuelto", "returned"}},
      {"plan_accepted", {"aceptado", "accepted"}},
      {"plan_done", {"cumplido", "done"}},
      {"plan_comment", {"Comentario", "Comment"}},
      {"plan_accept", {"Aceptar", "Accept"}},
      {"plan_return", {"Devolver", "Return"}},
      {"plan_mark_done", {"Marcar cumplido", "Mark done"}},
      {"plan_still_critical", {"sigue siendo crítico", "still critical"}},
      {"plan_no_longer_critical", {"ya no es crítico", "no longer critical"}},
      {"plan_post_hoc",
       {"plan escrito después de empezar la ola (a posteriori)",
        "plan written after the wave began (post hoc)"}},
      {"verdict_improved", {"mejoró", "improved"}},
      {"verdict_worsened", {"empeoró", "worsened"}},
      {"verdict_no_change", {"sin cambio demostrable", "no demonstrable change"}},
      {"verdict_insufficient_n", {"muy pocas respuestas", "too few answers"}},
      {"plan_saved", {"Plan guardado.", "Plan saved."}},
      {"plans_report_note",
       {"Cada plan responde a un punto crítico de su ola. En cada ola posterior: el valor antes y "
        "después, el cambio y el veredicto (q de Benjamini–Hochberg entre los planes enviados "
        "antes de que empezara esa ola).",
        "Each plan answers a critical point of its wave. In each later wave: the value before and "
        "after, the change and the verdict (Benjamini–Hochberg q among the plans sent before that "
        "wave began)."}},
      // Waves (docs/waves.md, "In the report").
      {"trends", {"Cambios entre olas", "Change between waves"}},
      {"trends_between",
       {"Entre la ola %s (%s a %s) y la ola %s (%s a %s). Las familias de una ola y otra se "
        "comparan como muestras independientes.",
        "Between wave %s (%s to %s) and wave %s (%s to %s). The families of each wave are "
        "compared as independent samples."}},
      {"what_changed", {"Qué cambió", "What changed"}},
      {"change", {"Cambio", "Change"}},
      {"change_ci", {"IC 95% del cambio", "95% CI of the change"}},
      {"verdict", {"Resultado", "Result"}},
      {"improved", {"mejoró", "improved"}},
      {"worsened", {"empeoró", "worsened"}},
      {"no_change",
       {"Ninguna institución cambió lo suficiente para afirmarlo con los datos de ambas olas.",
        "No institution changed enough to say so from both waves' data."}},
      {"what_changed_note",
       {"Una celda aparece cuando su cambio es de al menos %g puntos de índice (%g puntos "
        "porcentuales en problemas y beneficios) y su q de Benjamini–Hochberg es menor que 0,05 "
        "(tres familias: dimensiones, autonomía, indicadores). El intervalo es de 95%% para el "
        "cambio. Un cambio menor puede ser real: no se afirma.",
        "A cell is listed when it changed by at least %g index points (%g percentage points for "
        "problems and benefits) and its Benjamini–Hochberg q is under 0.05 (three families: "
        "dimensions, autonomy, indicators). The interval is the change's 95%% interval. A smaller "
        "change may be real: it is not claimed."}},
      {"network_change", {"La red", "The network"}},
      {"network_change_note",
       {"Cada entrevista es un conglomerado (una familia evalúa varias instituciones). La red no "
        "se marca: su cambio se informa con su intervalo y su p.",
        "Each interview is a cluster (a family rates several institutions). The network is never "
        "flagged: its change is given with its interval and p."}},
      {"small_multiples",
       {"Índices por ola (punto: índice; línea: IC 95%; sin punto: muy pocas evaluaciones)",
        "Indices by wave (dot: index; line: 95% CI; no dot: too few evaluations)"}},
      {"heat_trend",
       {"↑ mejoró · ↓ empeoró entre las dos últimas olas (ver «Cambios entre olas»).",
        "↑ improved · ↓ worsened between the last two waves (see “Change between waves”)."}},
      // Part (b).
      {"critical_b",
       {"Problemas y autonomía: puntos críticos", "Problems and autonomy: critical points"}},
      {"what", {"Qué", "What"}},
      {"value", {"Valor", "Value"}},
      {"others", {"Resto de la red", "Rest of the network"}},
      {"autonomy", {"Autonomía", "Autonomy"}},
      {"worse_than_network", {"peor que la red", "worse than the network"}},
      {"suppressed", {"muy pocas respuestas para publicar", "too few answers to publish"}},
      {"rate_chart",
       {"% con IC de Wilson 95% (línea negra: la red)",
        "% with 95% Wilson CI (black line: the network)"}},
      {"part_b",
       {"Problemas, beneficios y autonomía por institución",
        "Problems, benefits and autonomy by institution"}},
      {"problems_profile", {"Problemas que las familias tuvieron", "Problems the families met"}},
      {"benefits_first",
       {"Beneficios de primer grado: lo que obtuvieron", "First-degree benefits: what they got"}},
      {"benefits_second",
       {"Beneficios de segundo grado: lo que aprendieron",
        "Second-degree benefits: what they learned"}},
      {"autonomy_gauge",
       {"Autonomía (0–100): se orienta, resuelve, ejerce sus derechos",
        "Autonomy (0–100): finds the way, gets it solved, uses its rights"}},
      {"full_autonomy", {"con autonomía plena", "fully autonomous"}},
      {"autonomy_stages",
       {"Autonomía de la red según meses en el programa",
        "The network's autonomy by months in the programme"}},
      {"stages_note",
       {"Si las familias ganan autonomía a medida que avanzan en el programa, las barras suben "
        "de izquierda a derecha. Línea: IC 95%.",
        "If families gain autonomy as they go through the programme, the bars rise from left to "
        "right. Line: 95% CI."}},
      {"circuit", {"Circuito de derivaciones de la comuna", "The comuna's referral circuit"}},
      {"circuit_note",
       {"Círculos: instituciones (tamaño según evaluaciones, color según índice general). "
        "Flechas: quién derivó a la familia a quién (grosor según el número de familias).",
        "Circles: institutions (size by evaluations, colour by overall index). Arrows: who "
        "referred the family to whom (width by the number of families)."}},
      {"circuit_hint",
       {"Elija una comuna en los filtros para ver su circuito de derivaciones.",
        "Choose a comuna in the filters to see its referral circuit."}},
      {"proposals", {"Propuestas de las familias", "The families' proposals"}},
      {"proposal", {"Propuesta", "Proposal"}},
      {"date", {"Fecha", "Date"}},
      {"search_words", {"Buscar palabras", "Search words"}},
      {"search", {"Buscar", "Search"}},
      {"proposals_note",
       {"Las 50 primeras que contienen todas las palabras buscadas. El texto es el de la "
        "familia: trátelo como confidencial.",
        "The first 50 that hold every word searched. The text is the family's own: treat it "
        "as confidential."}},
      {"rule_indicator",
       {"Un problema o beneficio es punto crítico cuando la institución está al menos %.0f "
        "puntos porcentuales peor que el resto de la red y la prueba exacta de Fisher, ajustada "
        "por Benjamini-Hochberg, da q < 0,05. La autonomía baja es siempre de severidad alta.",
        "A problem or benefit is a critical point when the institution is at least %.0f "
        "percentage points worse than the rest of the network and Fisher's exact test, adjusted "
        "by Benjamini-Hochberg, gives q < 0.05. Low autonomy is always of high severity."}},
      {"sign_in_intro",
       {"Pegue el token que le entregó el equipo de Percept. Se guarda una sesión de 8 horas en "
        "este navegador.",
        "Paste the token the Percept team gave you. This browser keeps a session for 8 hours."}},
  };
  return k;
}

}  // namespace

std::string T(const ReportView& v, const char* key) {
  const Text& t = Strings().at(key);
  return v.lang == "en" ? t.en : t.es;
}

std::string Fmt(double v, int decimals) {
  if (!std::isfinite(v)) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string FmtQ(double q) {
  if (!std::isfinite(q)) return "—";
  if (q < 0.001) return "< 0.001";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", q);
  return buf;
}

std::string ShortName(const std::string& name, size_t max_chars) {
  // Code points, so that no cut falls inside a character.
  std::vector<std::string> chars;
  for (size_t i = 0; i < name.size();) {
    size_t len = 1;
    while (i + len < name.size() && (static_cast<unsigned char>(name[i + len]) & 0xC0) == 0x80)
      ++len;
    chars.push_back(name.substr(i, len));
    i += len;
  }
  if (chars.size() <= max_chars || max_chars < 5) return name;
  const size_t tail = (max_chars - 1) / 2, head = max_chars - 1 - tail;
  size_t h = head, t = chars.size() - tail;
  // Between words where a space is near: the head ends at one, the tail starts after one.
  for (size_t k = h; k > head / 2; --k) {
    if (chars[k - 1] == " ") {
      h = k;
      break;
    }
  }
  for (size_t k = t; k < chars.size() - tail / 2; ++k) {
    if (chars[k] == " ") {
      t = k + 1;
      break;
    }
  }
  std::string out;
  for (size_t k = 0; k < h; ++k) out += chars[k];
  out += "…";
  for (size_t k = t; k < chars.size(); ++k) out += chars[k];
  return out;
}

std::string Color(double index) {
  // Indices live between about 40 and 90: the scale spends its whole range there (red at 40 and
  // below, green at 90 and above), so that 55 and 70 look different.
  const double h = std::clamp((index - kColorLow) / (kColorHigh - kColorLow), 0.0, 1.0) * 120;
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

const NetworkCell* Reference(const ReportView& v, const std::string& inst, const std::string& dim) {
  if (!v.report->by_type) return Net(v, dim);
  auto it = v.institutions->find(inst);
  const std::string type = it == v.institutions->end() ? "" : it->second.type;
  for (const NetworkCell* c : v.report->Reference(type))
    if (c->dimension == dim) return c;
  return nullptr;
}

std::string ReferenceLabel(const ReportView& v) { return T(v, v.by_type ? "peers" : "network"); }

}  // namespace percept
