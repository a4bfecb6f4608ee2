// GET /api/v1/scores and /api/v1/critical-points: docs/analytics.md over the aggregates mirror.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "json_writer.h"
#include "percept/http/api_server.h"
#include "percept/http/http_support.h"
#include "percept/institutions.h"
#include "percept/scores.h"
#include "percept/storage/aggregate_tables.h"
#include "percept/submission.h"
#include "resources.h"

namespace percept {

namespace {

void WriteStatistics(JsonWriter& w, const CellStatistics& s) {
  w.Field("mean", s.mean)
      .Field("sd", s.sd)
      .Field("index", s.index)
      .Field("ci_low", s.ci_low)
      .Field("ci_high", s.ci_high)
      .Field("isn", s.isn)
      .Field("isn_ci_low", s.isn_ci_low)
      .Field("isn_ci_high", s.isn_ci_high)
      .Field("cv", s.cv)
      .Field("precision", s.reliable ? "reliable" : "limited");
}

// With `hide_n`, a suppressed cell does not say its n either (institution readers: an n that
// moves by one between two requests says one family answered).
void WriteCell(JsonWriter& w, const ScoreCell& c, bool hide_n) {
  w.BeginObject().Field("institution_id", c.institution_id).Field("dimension", c.dimension);
  if (!(c.suppressed && hide_n)) w.Field("n", c.stats.n);
  w.Field("suppressed", c.suppressed);
  if (!c.suppressed) {  // a suppressed cell says nothing but its n
    WriteStatistics(w, c.stats);
    w.Field("network_index", c.network_index)
        .Field("gap", c.gap)
        .Field("p", c.p)
        .Field("q", c.q)
        .Field("importance", c.importance);
    w.Key("flags").BeginArray();
    for (const std::string& f : c.flags) w.Value(f);
    w.EndArray().Field("critical", c.critical).Key("severity");
    if (c.critical)
      w.Value(c.high_severity ? "high" : "medium");
    else
      w.Null();
  }
  w.EndObject();
}

void WriteNetworkCell(JsonWriter& w, const NetworkCell& c, bool hide_n) {
  w.BeginObject().Field("dimension", c.dimension);
  if (!(c.suppressed && hide_n)) w.Field("n", c.stats.n);
  w.Field("suppressed", c.suppressed);
  if (!c.suppressed) {
    WriteStatistics(w, c.stats);
    w.Field("importance", c.importance)
        .Field("high_importance", c.high_importance)
        .Field("alpha", c.alpha);
  }
  w.EndObject();
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Whether [from, to] (valid dates) is exactly one calendar window of `months` months (1, 3 or
// 12), aligned on the year: 2026-11-01..2026-11-30 for a month, 2026-10-01..2026-12-31 for a
// quarter.
bool IsWholeWindow(const std::string& from, const std::string& to, int months) {
  const int y = std::stoi(from.substr(0, 4)), m = std::stoi(from.substr(5, 2));
  if (from.substr(8) != "01" || (m - 1) % months != 0) return false;
  const int last_month = m + months - 1;
  char expected[32];
  std::snprintf(expected, sizeof expected, "%04d-%02d-%02d", y, last_month,
                DaysInMonth(y, last_month));
  return to == expected;
}

}  // namespace

int InstitutionPeriodMonths(const std::string& period) {
  if (period == "month") return 1;
  if (period == "quarter") return 3;
  if (period == "year") return 12;
  return 0;
}

// An institution sees the network as its benchmark, but a network of one or two other
// institutions (a small commune, a narrow filter) would show them almost cell for cell. Below
// kMinOthers other institutions with evaluations in a dimension, that dimension's network cell
// is suppressed for this reader, and so is everything of its own cells that is read against the
// network (network index, gap, p, q, the below_network flag).
static void ProtectOtherInstitutions(ScoreReport& report, const Principal& who) {
  constexpr int kMinOthers = 3;
  std::map<std::string, int> others;
  for (const ScoreCell& c : report.cells) {
    if (c.stats.n > 0 && !who.MayRead(c.institution_id)) others[c.dimension]++;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (NetworkCell& net : report.network) {
    if (others[net.dimension] >= kMinOthers) continue;
    net.suppressed = true;
    for (ScoreCell& c : report.cells) {
      if (c.dimension != net.dimension) continue;
      c.network_index = c.gap = c.p = c.q = c.importance = nan;
      c.flags.erase(std::remove(c.flags.begin(), c.flags.end(), "below_network"), c.flags.end());
      c.critical = !c.flags.empty();
    }
  }
}

Status ScoreService::RefreshAggregates() {
  // `percept rebuild-aggregates` bumps the generation; the mirror is then reloaded on the
  // writer thread, so that no commit falls between reading the table and swapping the mirror.
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  auto gen = (*reader)->GetMeta(kGenerationKey);
  if (!gen.ok()) return gen.status();
  const int64_t stored = gen->empty() ? 0 : std::stoll(*gen);
  if (stored == aggregates_->loaded_generation()) return Status::Ok();
  return writer_->RunExclusive([this](Store& store) { return aggregates_->Load(store); });
}

Result<ScoreQuery> ScoreService::QueryOf(const httplib::Request& req, const std::string& survey,
                                         bool with_institution) const {
  ScoreQuery q;
  if (survey.empty()) return Status::InvalidParameter("'survey' is required");
  q.survey = catalog_->Latest(survey);
  if (!q.survey) return Status::NotFound("no such survey");
  if (with_institution) q.institution = req.get_param_value("institution");
  q.comuna = req.get_param_value("comuna");
  q.region = req.get_param_value("region");
  q.from = req.get_param_value("from");
  q.to = req.get_param_value("to");
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string&>{"from", q.from}, {"to", q.to}}) {
    if (!value.empty() && !IsIsoDate(value)) {
      return Status::InvalidParameter(std::string("'") + name + "' is a date, YYYY-MM-DD");
    }
  }
  if (!q.from.empty() && !q.to.empty() && q.from > q.to) {
    return Status::InvalidParameter("'from' is after 'to'");
  }
  if (!q.comuna.empty() && !IsComunaCode(q.comuna)) {
    return Status::InvalidParameter("'comuna' is a 4–5 digit commune code");
  }
  if (q.region.size() > 64) return Status::InvalidParameter("'region' is too long");
  return q;
}

Status ScoreService::Run(const ScoreQuery& q, const Principal& who, ScoreReport* out,
                         std::shared_ptr<const InstitutionCache::Directory>* dir) {
  if (who.role == Role::kInstitution) {
    // Two overlapping periods, or two networks one inside the other, subtracted, would give
    // what suppression hides: a few families' answers, another institution's day. So an
    // institution reads the whole network, over all time or over one fixed window
    // (docs/security.md, "Differencing").
    if (!q.comuna.empty() || !q.region.empty()) {
      return Status::InvalidParameter(
          "institution readers compare themselves with the whole network: no 'comuna' or "
          "'region'");
    }
    const int months = InstitutionPeriodMonths(institution_period_);
    if ((!q.from.empty() || !q.to.empty()) &&
        (q.from.empty() || q.to.empty() || !IsWholeWindow(q.from, q.to, months))) {
      return Status::InvalidParameter(
          "institution readers see all time, or one whole " + institution_period_ +
          " from its first day to its last (e.g. from=2026-10-01&to=2026-" +
          (months == 1 ? "10-31" : "12-31") + ")");
    }
  }
  auto directory = institutions_->Snapshot();
  if (!q.institution.empty() && !directory->count(q.institution) &&
      institutions_->Exists(q.institution)) {
    directory = institutions_->Snapshot();  // imported since the last read: read again
  }
  if (!q.institution.empty() && (!directory->count(q.institution) || !who.MayRead(q.institution))) {
    // Another institution's id answers exactly like an unknown one.
    return Status::NotFound("no such institution");
  }

  Status s = RefreshAggregates();
  if (!s.ok()) return s;
  const ScoreLayout* layout = aggregates_->Layout(q.survey->id, q.survey->version);
  if (!layout) return Status::NotFound("no such survey");
  auto in_population = [&](const std::string& id) {
    auto it = directory->find(id);
    if (it == directory->end()) return false;
    return (q.comuna.empty() || it->second.comuna == q.comuna) &&
           (q.region.empty() || it->second.region == q.region);
  };
  *out = ComputeScores(*layout,
                       aggregates_->Sum(q.survey->id, q.survey->version, SumPart::kScores, q.from,
                                        q.to, in_population),
                       scoring_);
  if (who.role == Role::kInstitution) ProtectOtherInstitutions(*out, who);
  *dir = directory;
  return Status::Ok();
}

void ScoreResource::Register(Router& router) {
  const std::vector<Role> readers = {Role::kAnalyst, Role::kAdmin, Role::kInstitution};
  router.On("GET", "/api/v1/scores", Access::kApi, readers, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Scores(req, res, *who, /*critical_only=*/false);
            });
  router.On("GET", "/api/v1/critical-points", Access::kApi, readers, 0,
            [this](const httplib::Request& req, httplib::Response& res, const Principal* who) {
              Scores(req, res, *who, /*critical_only=*/true);
            });
}

void ScoreResource::Scores(const httplib::Request& req, httplib::Response& res,
                           const Principal& who, bool critical_only) {
  auto query = scores_->QueryOf(req, req.get_param_value("survey"), /*with_institution=*/true);
  if (!query.ok()) return SendError(res, query.status());
  const ScoreQuery& q = *query;
  ScoreReport report;
  std::shared_ptr<const InstitutionCache::Directory> directory;
  Status status = scores_->Run(q, who, &report, &directory);
  if (!status.ok()) return SendError(res, status);
  const ScoreOptions& options = scores_->scoring();

  const bool hide_n = who.role == Role::kInstitution;
  auto visible = [&](const ScoreCell& c) {
    return who.MayRead(c.institution_id) &&
           (q.institution.empty() || c.institution_id == q.institution);
  };
  JsonWriter w;
  w.BeginObject()
      .Field("survey", q.survey->id)
      .Key("filters")
      .BeginObject()
      .Key("from")
      .StringOrNull(q.from)
      .Key("to")
      .StringOrNull(q.to)
      .Key("comuna")
      .StringOrNull(q.comuna)
      .Key("region")
      .StringOrNull(q.region)
      .Key("institution")
      .StringOrNull(q.institution)
      .EndObject();
  if (critical_only) {
    w.Key("items").BeginArray();
    for (const ScoreCell* c : CriticalPoints(report)) {
      if (visible(*c)) WriteCell(w, *c, hide_n);
    }
    w.EndArray();
  } else {
    w.Field("min_n", options.min_n)
        .Field("standard", options.standard)
        .Field("min_gap", options.min_gap);
    w.Key("network").BeginArray();
    for (const NetworkCell& c : report.network) WriteNetworkCell(w, c, hide_n);
    w.EndArray().Key("cells").BeginArray();
    for (const ScoreCell& c : report.cells) {
      if (visible(c)) WriteCell(w, c, hide_n);
    }
    w.EndArray();
  }
  w.EndObject();
  res.status = 200;
  res.set_content(w.Take(), "application/json");
}

}  // namespace percept
