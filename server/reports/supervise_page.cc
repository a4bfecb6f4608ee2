#include "percept/reports/supervise_page.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "percept/reports/report_page.h"
#include "percept/storage/review_records.h"
#include "report_text.h"

namespace percept {

namespace {

using nlohmann::json;

ReportView Lang(const std::string& lang) {
  ReportView v;
  v.lang = lang == "en" ? "en" : "es";
  return v;
}

std::string E(const std::string& s) { return HtmlEscape(s); }

std::string Head(const ReportView& v, const SurveyDefinition& survey, const std::string& reader,
                 const std::string& title) {
  const std::string name = v.lang == "en" ? survey.title.en : survey.title.es;
  std::string h = "<!doctype html><html lang='" + v.lang +
                  "'><head><meta charset=utf-8><meta name=viewport "
                  "content='width=device-width,initial-scale=1'><title>" +
                  E(title) + " — " + E(name) + "</title><style>" + PageStyle() +
                  "</style></head><body><header><h1>" + E(title) + ": " + E(name) + "</h1><div>" +
                  E(T(v, "signed_in")) + " " + E(reader) +
                  " · <a href='?lang=" + (v.lang == "en" ? "es" : "en") + "'>" +
                  (v.lang == "en" ? "Español" : "English") +
                  "</a> <form method=post action='/sign-out' style='display:inline'><button>" +
                  E(T(v, "sign_out")) + "</button></form></div></header><main>";
  return h;
}

std::string FlagText(const ReportView& v, const std::string& flag) {
  return T(v, ("flag_" + flag).c_str());
}

std::string StateText(const ReportView& v, const std::string& state) {
  return T(v, ("state_" + state).c_str());
}

std::string Options(const ReportView& v, const std::vector<std::string>& values,
                    const std::string& chosen, const char* prefix) {
  std::string h = "<option value=''>" + E(T(v, "any")) + "</option>";
  for (const std::string& value : values) {
    h += "<option value='" + E(value) + "'" + (value == chosen ? " selected" : "") + ">" +
         E(prefix ? T(v, (prefix + value).c_str()) : value) + "</option>";
  }
  return h;
}

// An answer as a person reads it: an option's label, yes or no, a number, a text.
std::string AnswerText(const ReportView& v, const Item* item, const json& a,
                       const std::map<std::string, Institution>& institutions) {
  auto label = [&](const std::string& value) {
    if (item) {
      for (const Option& o : item->options)
        if (o.value == value) return v.lang == "en" ? o.label.en : o.label.es;
    }
    return value;
  };
  if (a.is_boolean()) return T(v, a.get<bool>() ? "yes" : "no");
  if (a.is_array()) {
    std::string out;
    for (const json& x : a)
      out += (out.empty() ? "" : "; ") + label(x.is_string() ? x.get<std::string>() : x.dump());
    return out;
  }
  if (a.is_string()) {
    if (item && item->type == ItemType::kInstitution) {
      auto it = institutions.find(a.get<std::string>());
      return it == institutions.end() ? a.get<std::string>() : it->second.name;
    }
    if (item && item->type == ItemType::kIdentifier) return T(v, "identifier_hidden");
    return label(a.get<std::string>());
  }
  return a.dump();
}

void AnswerRows(const ReportView& v, const SurveyDefinition& def, const std::vector<Item>& items,
                const json& answers, const std::map<std::string, Institution>& institutions,
                std::string& h) {
  h += "<table class=answers><tbody>";
  for (const Item& item : items) {
    auto a = answers.find(item.id);
    if (a == answers.end() || a->is_null()) continue;
    std::string shown = AnswerText(v, &item, *a, institutions);
    if (item.type == ItemType::kLikert && a->is_number_integer() &&
        def.scale.IsMissingCode(a->get<long long>()))
      shown = def.scale.missing.at(static_cast<int>(a->get<long long>()));
    h += "<tr><td>" + E(v.lang == "en" ? item.label.en : item.label.es) + "</td><td>" + E(shown) +
         "</td></tr>";
  }
  h += "</tbody></table>";
}

}  // namespace

std::string RenderQueue(const QueueView& q) {
  const ReportView v = Lang(q.lang);
  std::string h = Head(v, *q.survey, q.reader, T(v, "supervision"));
  if (!q.message.empty()) h += "<p class=note role=status>" + E(q.message) + "</p>";

  // The filters: a GET form, so that a filtered queue can be bookmarked.
  std::vector<std::string> names;
  for (const EnumeratorRow& r : q.enumerators) names.push_back(r.enumerator);
  h += "<section id=queue><h2>" + E(T(v, "queue")) +
       "</h2><form class=filters method=get><input type=hidden name=lang value='" + v.lang +
       "'><label>" + E(T(v, "state")) + "<select name=state>" +
       Options(v, {"received", "has_issues", "approved", "rejected", "deprecated"}, q.state,
               "state_") +
       "</select></label><label>" + E(T(v, "flag")) + "<select name=flag>" +
       Options(v, QualityFlagNames(), q.flag, nullptr) + "</select></label><label>" +
       E(T(v, "enumerator")) + "<select name=enumerator>" +
       Options(v, names, q.enumerator, nullptr) + "</select></label><button>" + E(T(v, "apply")) +
       "</button></form>";
  if (q.rows.empty()) {
    h += "<p>" + E(T(v, "queue_empty")) + "</p>";
  } else {
    h += "<table id=queue-list><thead><tr><th>" + E(T(v, "enumerator")) + "</th><th>" +
         E(T(v, "date")) + "</th><th>" + E(T(v, "institutions_evaluated")) + "</th><th>" +
         E(T(v, "flags")) + "</th><th>" + E(T(v, "state")) + "</th><th></th></tr></thead><tbody>";
    for (const QueueRow& r : q.rows) {
      std::string flags;
      for (const std::string& f : r.flags)
        flags += "<span class=lim title='" + E(FlagText(v, f)) + "'>" + E(f) + "</span> ";
      h += "<tr data-instance='" + E(r.instance_id) + "'><td>" + E(r.enumerator) + "</td><td>" +
           E(r.completed_at.substr(0, 16)) + "</td><td class=num>" + std::to_string(r.evaluations) +
           "</td><td>" + flags + "</td><td>" + E(StateText(v, r.review_state)) +
           "</td><td><a href='/supervise/" + E(q.survey->id) + "/interviews/" + E(r.instance_id) +
           "?lang=" + v.lang + "'>" + E(T(v, "open")) + "</a></td></tr>";
    }
    h += "</tbody></table>";
    if (q.more) h += "<p class=tick>" + E(T(v, "queue_more")) + "</p>";
    // Review every interview listed at once: a fabricator's whole batch, for example.
    h += "<form id=bulk method=post action='/supervise/" + E(q.survey->id) +
         "/bulk'><input type=hidden name=lang value='" + v.lang + "'>";
    for (const auto& [name, value] : {std::pair<const char*, const std::string&>{"state", q.state},
                                      {"flag", q.flag},
                                      {"enumerator", q.enumerator}}) {
      h += "<input type=hidden name=" + std::string(name) + " value='" + E(value) + "'>";
    }
    h += "<label>" + E(T(v, "bulk")) + "<select name=review_state>" + "<option value=approved>" +
         E(StateText(v, "approved")) + "</option>" + "<option value=has_issues>" +
         E(StateText(v, "has_issues")) + "</option>" + "<option value=rejected>" +
         E(StateText(v, "rejected")) + "</option></select></label> " + "<label>" +
         E(T(v, "comment")) +
         "<input name=comment size=40 maxlength=2000></label> <button id=bulk-review>" +
         E(T(v, "bulk_button")) + "</button></form>";
  }
  h += "</section>";

  // The enumerators: how each works, and whether its families rate differently.
  h += "<section id=enumerators><h2>" + E(T(v, "enumerators")) + "</h2><table><thead><tr><th>" +
       E(T(v, "enumerator")) + "</th><th>" + E(T(v, "team")) + "</th><th>" + E(T(v, "interviews")) +
       "</th><th>" + E(T(v, "per_day")) + "</th><th>" + E(T(v, "minutes")) + "</th>";
  for (const std::string& f : QualityFlagNames())
    h += "<th title='" + E(FlagText(v, f)) + "'>" + E(f) + "</th>";
  h += "<th>" + E(T(v, "overall_own")) + "</th><th>" + E(T(v, "overall_others")) + "</th><th>" +
       E(T(v, "gap")) + "</th><th>q</th><th>" + E(T(v, "verdict")) + "</th></tr></thead><tbody>";
  for (const EnumeratorRow& r : q.enumerators) {
    h += "<tr data-enumerator='" + E(r.enumerator) + "'" + (r.deviant ? " class=warn" : "") +
         "><td>" + E(r.enumerator) + "</td><td>" + E(r.team) + "</td><td class=num>" +
         std::to_string(r.interviews) + "</td><td class=num>" + Fmt(r.interviews_per_day) +
         " (max " + std::to_string(r.most_in_a_day) + ")</td><td class=num>" +
         Fmt(r.median_minutes_per_evaluation) + "</td>";
    for (const std::string& f : QualityFlagNames())
      h += "<td class=num>" + std::to_string(r.flags.count(f) ? r.flags.at(f) : 0) + "</td>";
    h += "<td class=num>" + Fmt(r.overall_index) + "</td><td class=num>" + Fmt(r.others_index) +
         "</td><td class=num>" + Fmt(r.gap) + "</td><td class=num>" + FmtQ(r.q) +
         "</td><td class=verdict>" +
         (r.deviant ? "▲ " + E(T(v, "deviant")) : E(T(v, "not_deviant"))) + "</td></tr>";
  }
  h += "</tbody></table><p class=tick>" + E(T(v, "deviance_note")) + "</p></section>";
  h += "</main></body></html>";
  return h;
}

std::string RenderInterview(const InterviewView& iv) {
  const ReportView v = Lang(iv.lang);
  const json doc = json::parse(iv.body, nullptr, false);
  std::string h = Head(v, *iv.survey, iv.reader, T(v, "interview"));
  h += "<p><a href='/supervise/" + E(iv.survey->id) + "?lang=" + v.lang + "'>← " +
       E(T(v, "queue")) + "</a></p>";
  h += "<section id=summary><h2>" + E(T(v, "interview")) + " " + E(iv.info.instance_id) +
       "</h2><ul><li>" + E(T(v, "enumerator")) + ": " + E(iv.info.enumerator) +
       (iv.info.team.empty() ? "" : " (" + E(iv.info.team) + ")") + "</li><li>" +
       E(T(v, "started")) + ": " + E(iv.info.started_at) + " · " + E(T(v, "completed")) + ": " +
       E(iv.info.completed_at) + "</li><li id=state>" + E(T(v, "state")) + ": " +
       E(StateText(v, iv.info.review_state)) + "</li></ul>";
  if (iv.info.flags.empty()) {
    h += "<p>" + E(T(v, "no_flags")) + "</p>";
  } else {
    h += "<ul id=flags class=warn>";
    for (const std::string& f : iv.info.flags)
      h += "<li data-flag='" + E(f) + "'><b>" + E(f) + "</b>: " + E(FlagText(v, f)) + "</li>";
    h += "</ul>";
  }
  h += "</section>";

  // The review form first: what a supervisor came to do.
  h += "<section id=review><h2>" + E(T(v, "review")) + "</h2>";
  if (!iv.error.empty()) h += "<p class=warn role=alert>" + E(iv.error) + "</p>";
  if (iv.info.review_state == "deprecated") {
    h += "<p>" + E(T(v, "deprecated_note")) + "</p>";
  } else {
    h += "<form method=post id=review-form><input type=hidden name=lang value='" + v.lang + "'>";
    for (const char* state : {"approved", "has_issues", "rejected"}) {
      h += "<label class=choice><input type=radio name=review_state value=" + std::string(state) +
           (iv.info.review_state == state ? " checked" : "") + "> " + E(StateText(v, state)) +
           "</label> ";
    }
    h += "<label>" + E(T(v, "comment")) +
         "<textarea name=comment rows=3 cols=60 maxlength=2000></textarea></label><button "
         "id=send-review>" +
         E(T(v, "send_review")) + "</button></form>";
  }
  if (!iv.reviews.empty()) {
    h += "<h3>" + E(T(v, "history")) + "</h3><ol id=history>";
    for (const ReviewRecord& r : iv.reviews) {
      h += "<li>" + E(r.at) + " · " + E(r.actor) + ": " + E(StateText(v, r.from)) + " → " +
           E(StateText(v, r.to)) + (r.comment.empty() ? "" : " — " + E(r.comment)) + "</li>";
    }
    h += "</ol>";
  }
  h += "</section>";

  // The interview as the family answered it.
  h += "<section id=answers><h2>" + E(T(v, "household")) + "</h2>";
  if (doc.is_object() && doc.contains("household"))
    AnswerRows(v, *iv.survey, iv.survey->household, doc["household"], *iv.institutions, h);
  h += "</section>";
  if (doc.is_object() && doc.contains("evaluations") && doc["evaluations"].is_array()) {
    for (const json& e : doc["evaluations"]) {
      const std::string inst = e.value("institution_id", "");
      auto it = iv.institutions->find(inst);
      h += "<section class=evaluation><h2>" +
           E(it == iv.institutions->end() ? inst : it->second.name) + "</h2>";
      if (e.contains("answers") && e["answers"].is_object())
        AnswerRows(v, *iv.survey, iv.survey->evaluation, e["answers"], *iv.institutions, h);
      h += "</section>";
    }
  }
  h += "</main></body></html>";
  return h;
}

}  // namespace percept
