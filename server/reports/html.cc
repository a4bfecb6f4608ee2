// The markup every page shares: one style sheet, one escape.
#include "percept/reports/html.h"

namespace percept {

namespace {

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
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}form.filters{"
    "display:flex;gap:10px;"
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
    ".lim{color:#8a5a00}table.profile{font-size:.82rem;margin-bottom:6px}.problems{flex:1 1 "
    "520px}.gauge{flex:0 0 200px}label.choice{display:inline-flex;flex-direction:row;gap:6px;"
    "align-items:center;margin-right:14px}textarea{font-size:1rem}svg.heat{max-width:100%;"
    "height:auto}svg.trend{max-width:100%;height:auto}svg.trend circle{fill:#1f4e79}"
    "td.improved{color:#1a7f37;font-weight:600}td.worsened{color:#b00020;font-weight:600}"
    "h4{font-size:.9rem;margin:8px 0 2px}@media "
    "(max-width:820px){main{padding:8px}section{padding:8px}table{font-size:"
    ".75rem}th,td{padding:3px 3px}td.num{white-space:normal}}@media print{header "
    "form,form.filters{display:none}section{break-inside:avoid;border:none}}";

}  // namespace

const char* PageStyle() { return kStyle; }

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

}  // namespace percept
