// GET /api/v1/scores and /api/v1/critical-points: docs/analytics.md over the aggregates mirror.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "json_writer.h"
#include "percept/critical_points.h"
#include "percept/http/api_server.h"
#include "percept/http/http_support.h"
#include "percept/institutions.h"
#include "percept/scores.h"
#include "percept/storage/aggregate_tables.h"
#include "percept/submission.h"
#include "resources.h"
#include "score_json.h"

namespace percept {

namespace {

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

// Each institution's type, the peers of compare=type.
static PeerTypes TypesOf(const InstitutionCache::Directory& directory) {
  PeerTypes types;
  for (const auto& [id, institution] : directory)
    types.emplace_hint(types.end(), id, institution.type);
  return types;
}

int InstitutionPeriodMonths(const std::string& period) {
  if (period == "month") return 1;
  if (period == "quarter") return 3;
  if (period == "year") return 12;
  return 0;
}

// An institution sees the network (or its type's institutions) as its benchmark, but a pool of
// one or two other institutions (a small commune, a narrow filter, a type with few offices)
// would show them almost cell for cell. Below kMinOthers other institutions with evaluations in
// a dimension, that pool's cell is suppressed for this reader, and so is everything of its own
// cells that is read against it (network index, gap, p, q, the below_network flag).
static constexpr int kMinOthers = 3;

// Pools of one or two institutions are hidden, but the whole network (compare=network) less
// every type pool shown (compare=type) less the reader's own cells is the institutions of the
// hidden pools: when they are one or two other institutions, the smallest pool shown is hidden
// too, of another type than the reader's own where there is one (docs/security.md,
// "Differencing"). `others`: each type's other institutions with answers, in one dimension or
// indicator. Returns the types whose pool this reader may not see.
static std::set<std::string> HiddenPools(const std::map<std::string, int>& others,
                                         const std::set<std::string>& own_types) {
  std::set<std::string> hidden;
  int complement = 0;
  for (const auto& [type, n] : others) {
    if (n >= kMinOthers) continue;
    hidden.insert(type);
    complement += n;
  }
  if (complement == 0 || complement >= kMinOthers) return hidden;
  const std::string* pick = nullptr;
  std::pair<bool, int> best{true, 0};  // (own type, others): the least is hidden
  for (const auto& [type, n] : others) {
    if (hidden.count(type)) continue;
    const std::pair<bool, int> key{own_types.count(type) > 0, n};
    if (!pick || key < best) {
      pick = &type;
      best = key;
    }
  }
  if (pick) hidden.insert(*pick);
  return hidden;
}

// Which pools of one kind of cell (dimensions, indicators) a reader may not see.
class PoolGuard {
 public:
  explicit PoolGuard(const Principal& who) : who_(who) {}
  // One cell of `institution`, of `type` (empty under compare=network), in `key` (a dimension or
  // an indicator), with answers or not.
  void Count(const std::string& institution, const std::string& type, const std::string& key,
             bool answered) {
    if (who_.MayRead(institution)) {
      own_types_.insert(type);
    } else if (answered) {
      others_[key][type]++;
      all_others_[key]++;
    }
  }
  void Decide() {
    for (const auto& [key, by_type] : others_) hidden_[key] = HiddenPools(by_type, own_types_);
  }
  bool NetworkHidden(const std::string& key) { return all_others_[key] < kMinOthers; }
  bool PoolHidden(const std::string& key, const std::string& type) {
    auto it = hidden_.find(key);
    if (it == hidden_.end()) return true;  // no other institution at all
    return it->second.count(type) > 0 || !others_[key].count(type);
  }

 private:
  const Principal& who_;
  std::set<std::string> own_types_;
  std::map<std::string, std::map<std::string, int>> others_;  // key -> type -> others
  std::map<std::string, int> all_others_;                     // key -> others
  std::map<std::string, std::set<std::string>> hidden_;       // key -> types
};

static void ProtectOtherInstitutions(ScoreReport& report, const Principal& who) {
  PoolGuard guard(who);
  for (const ScoreCell& c : report.cells)
    guard.Count(c.institution_id, c.peer_type, c.dimension, c.stats.n > 0);
  guard.Decide();
  for (NetworkCell& net : report.network)
    if (guard.NetworkHidden(net.dimension)) net.suppressed = true;
  for (NetworkCell& net : report.peers)
    if (guard.PoolHidden(net.dimension, net.type)) net.suppressed = true;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (ScoreCell& c : report.cells) {
    if (!guard.PoolHidden(c.dimension, c.peer_type)) continue;
    c.network_index = c.gap = c.p = c.q = c.importance = c.mdg = nan;
    c.flags.erase(std::remove(c.flags.begin(), c.flags.end(), "below_network"), c.flags.end());
    c.critical = !c.flags.empty();
  }
}

// The same rule for part (b): below kMinOthers other institutions in the sample of an
// indicator (or of autonomy), the network's figure is hidden from an institution reader, and so
// is all of its own cell that is read against the others.
static void ProtectOtherInstitutions(PartBReport& report, const Principal& who) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const bool by_type = !report.indicators.peers.empty() || !report.autonomy.peers.empty();
  PoolGuard indicators(who);
  for (const IndicatorCell& c : report.indicators.cells)
    indicators.Count(c.count.institution_id, c.count.type, c.count.indicator, c.count.n > 0);
  indicators.Decide();
  auto hide = [&](NetworkIndicator& net) {
    net.n = net.x = 0;
    net.rate = net.wilson.low = net.wilson.high = nan;
  };
  for (NetworkIndicator& net : report.indicators.network)
    if (indicators.NetworkHidden(net.indicator)) hide(net);
  for (NetworkIndicator& net : report.indicators.peers)
    if (indicators.PoolHidden(net.indicator, net.type)) hide(net);
  for (IndicatorCell& c : report.indicators.cells) {
    const bool hidden = by_type ? indicators.PoolHidden(c.count.indicator, c.count.type)
                                : indicators.NetworkHidden(c.count.indicator);
    if (!hidden) continue;
    c.others = c.gap_pp = c.p = c.q = nan;
    c.flagged = false;
  }
  PoolGuard autonomy(who);  // one key: autonomy is one figure
  for (const AutonomyCell& c : report.autonomy.cells)
    autonomy.Count(c.institution_id, c.type, "", c.stats.n > 0);
  autonomy.Decide();
  if (autonomy.NetworkHidden("")) {
    report.autonomy.network.suppressed = true;
    for (BandCell& b : report.stages) b.cell.suppressed = true;
  }
  for (AutonomyCell& peer : report.autonomy.peers)
    if (autonomy.PoolHidden("", peer.type)) peer.suppressed = true;
  for (AutonomyCell& c : report.autonomy.cells) {
    const bool hidden = by_type ? autonomy.PoolHidden("", c.type) : autonomy.NetworkHidden("");
    if (!hidden) continue;
    c.gap = c.p = c.q = nan;
    c.flagged = false;
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
  const std::string compare = req.get_param_value("compare");
  if (!compare.empty() && compare != "network" && compare != "type")
    return Status::InvalidParameter("'compare' is 'network' (the default) or 'type'");
  q.by_type = compare == "type";
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

Status ScoreService::Prepare(const ScoreQuery& q, const Principal& who,
                             std::shared_ptr<const InstitutionCache::Directory>* dir,
                             std::function<bool(const std::string&)>* include) {
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
  if (!aggregates_->Layout(q.survey->id, q.survey->version))
    return Status::NotFound("no such survey");
  *include = [directory, comuna = q.comuna, region = q.region](const std::string& id) {
    auto it = directory->find(id);
    if (it == directory->end()) return false;
    return (comuna.empty() || it->second.comuna == comuna) &&
           (region.empty() || it->second.region == region);
  };
  *dir = directory;
  return Status::Ok();
}

Status ScoreService::Run(const ScoreQuery& q, const Principal& who, ScoreReport* out,
                         std::shared_ptr<const InstitutionCache::Directory>* dir) {
  std::function<bool(const std::string&)> include;
  Status s = Prepare(q, who, dir, &include);
  if (!s.ok()) return s;
  const PeerTypes types = q.by_type ? TypesOf(**dir) : PeerTypes{};
  *out = ComputeScores(
      *aggregates_->Layout(q.survey->id, q.survey->version),
      aggregates_->Sum(q.survey->id, q.survey->version, SumPart::kScores, q.from, q.to, include),
      scoring_, q.by_type ? &types : nullptr);
  if (who.role == Role::kInstitution) ProtectOtherInstitutions(*out, who);
  return Status::Ok();
}

Result<int64_t> ScoreService::CountExcluded(const ScoreQuery& q) const {
  auto reader = readers_->Acquire();
  if (!reader.ok()) return reader.status();
  return (*reader)->CountExcluded(q.survey->id, q.from, q.to);
}

PartBOptions ScoreService::part_b_options() const {
  PartBOptions o;
  o.indicators.min_n = o.autonomy.min_n = scoring_.min_n;
  o.indicators.alpha = o.autonomy.alpha = scoring_.alpha_fdr;
  o.indicators.min_gap_pp = scoring_.min_gap_pp;
  o.autonomy.min_gap = scoring_.min_gap;
  return o;
}

Status ScoreService::RunPartB(const ScoreQuery& q, const Principal& who, PartBReport* out,
                              std::shared_ptr<const InstitutionCache::Directory>* dir) {
  std::function<bool(const std::string&)> include;
  Status s = Prepare(q, who, dir, &include);
  if (!s.ok()) return s;
  const PeerTypes types = q.by_type ? TypesOf(**dir) : PeerTypes{};
  *out = ComputePartB(*aggregates_->Indicators(q.survey->id, q.survey->version),
                      aggregates_->Sum(q.survey->id, q.survey->version, SumPart::kIndicators,
                                       q.from, q.to, include),
                      part_b_options(), q.by_type ? &types : nullptr);
  if (who.role == Role::kInstitution) ProtectOtherInstitutions(*out, who);
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
  auto visible = [&](const std::string& institution_id) {
    return who.MayRead(institution_id) &&
           (q.institution.empty() || institution_id == q.institution);
  };
  JsonWriter w;
  BeginReport(w, q);
  if (critical_only) {
    PartBReport part_b;
    status = scores_->RunPartB(q, who, &part_b, &directory);
    if (!status.ok()) return SendError(res, status);
    WriteCriticalPoints(w, report, part_b, *scores_->IndicatorsOf(*q.survey), visible, hide_n);
  } else {
    // How many interviews a supervisor rejected or a correction replaced (docs/supervision.md):
    // the scores leave them out, and say so.
    auto excluded = scores_->CountExcluded(q);
    if (!excluded.ok()) return SendError(res, excluded.status());
    w.Field("method", 2)
        .Field("min_n", options.min_n)
        .Field("standard", options.standard)
        .Field("min_gap", options.min_gap)
        .Field("excluded", *excluded);
    // compare=type: the network cells are each type's, and say which.
    w.Key("network").BeginArray();
    for (const NetworkCell& c : report.by_type ? report.peers : report.network)
      WriteNetworkCell(w, c, hide_n);
    w.EndArray().Key("cells").BeginArray();
    for (const ScoreCell& c : report.cells) {
      if (visible(c.institution_id)) WriteScoreCell(w, c, hide_n);
    }
    w.EndArray();
  }
  w.EndObject();
  res.status = 200;
  res.set_content(w.Take(), "application/json");
}

void ScoreResource::WriteCriticalPoints(JsonWriter& w, const ScoreReport& report,
                                        const PartBReport& part_b, const IndicatorLayout& layout,
                                        const std::function<bool(const std::string&)>& visible,
                                        bool hide_n) {
  w.Key("items").BeginArray();
  for (const CriticalPoint& p : AllCriticalPoints(report, part_b, layout)) {
    if (!visible(p.institution_id())) continue;
    switch (p.kind) {
      case CriticalPoint::Kind::kDimension:
        WriteScoreCell(w, *p.dimension, hide_n, p.kind_name());
        break;
      case CriticalPoint::Kind::kAutonomy:
        WriteAutonomyCell(w, *p.autonomy, hide_n, p.kind_name());
        break;
      case CriticalPoint::Kind::kIndicator:
        WriteIndicatorCell(w, *p.indicator, *p.def, hide_n, p.kind_name());
        break;
    }
  }
  w.EndArray();
}

}  // namespace percept
