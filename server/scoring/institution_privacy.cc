// docs/security.md, "Differencing".
#include "institution_privacy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <tuple>

namespace percept {

namespace {

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
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
std::set<std::string> HiddenPools(const std::map<std::string, int>& others,
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

// The NaN a hidden figure becomes.
constexpr double kHidden = std::numeric_limits<double>::quiet_NaN();

}  // namespace

bool IsWholeWindow(const std::string& from, const std::string& to, int months) {
  const int y = std::stoi(from.substr(0, 4)), m = std::stoi(from.substr(5, 2));
  if (from.substr(8) != "01" || (m - 1) % months != 0) return false;
  const int last_month = m + months - 1;
  char expected[32];
  std::snprintf(expected, sizeof expected, "%04d-%02d-%02d", y, last_month,
                DaysInMonth(y, last_month));
  return to == expected;
}

std::vector<std::pair<std::string, std::string>> WholeWindows(const std::string& first,
                                                              const std::string& last, int months) {
  std::vector<std::pair<std::string, std::string>> windows;
  if (first.empty() || last.empty() || months <= 0) return windows;
  int y = std::stoi(first.substr(0, 4));
  int m = (std::stoi(first.substr(5, 2)) - 1) / months * months + 1;  // the window's first month
  for (;;) {
    char from[32], to[32];
    const int end = m + months - 1;
    std::snprintf(from, sizeof from, "%04d-%02d-01", y, m);
    if (from > last) break;
    std::snprintf(to, sizeof to, "%04d-%02d-%02d", y, end, DaysInMonth(y, end));
    windows.emplace_back(from, to);
    m += months;
    if (m > 12) {
      m -= 12;
      ++y;
    }
  }
  return windows;
}

void ProtectOtherInstitutions(ScoreReport& report, const Principal& who) {
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
void ProtectOtherInstitutions(PartBReport& report, const Principal& who) {
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

namespace {

// Everything of an institution's cell that is read against its pool.
void HideAgainstPool(ScoreCell& c) {
  c.network_index = c.gap = c.p = c.q = c.importance = c.mdg = kHidden;
  c.flags.erase(std::remove(c.flags.begin(), c.flags.end(), "below_network"), c.flags.end());
  c.critical = !c.flags.empty();
}

void Suppress(ScoreCell& c) {
  c.suppressed = true;
  c.flags.clear();
  c.critical = c.high_severity = false;
  HideAgainstPool(c);
}

bool Answered(const ScoreCell& c) { return c.stats.n > 0; }

}  // namespace

void HideWhatAWindowHides(const ScoreReport& raw, const ScoreReport& shown, ScoreReport& all) {
  // Pools, by (type, dimension): the network's type is empty. A pool the window hides had
  // evaluations in it (raw) and is suppressed for this reader (shown).
  std::set<std::pair<std::string, std::string>> hidden;
  auto pools = [&](const std::vector<NetworkCell>& r, const std::vector<NetworkCell>& s) {
    for (size_t i = 0; i < r.size() && i < s.size(); ++i)
      if (r[i].stats.n > 0 && s[i].suppressed) hidden.insert({s[i].type, s[i].dimension});
  };
  pools(raw.network, shown.network);
  pools(raw.peers, shown.peers);
  for (NetworkCell& c : all.network)
    if (hidden.count({c.type, c.dimension})) c.suppressed = true;
  for (NetworkCell& c : all.peers)
    if (hidden.count({c.type, c.dimension})) c.suppressed = true;
  // Cells, by (institution, dimension): suppressed in the window, or read against a pool the
  // window hides.
  std::map<std::pair<std::string, std::string>, const ScoreCell*> window;
  for (size_t i = 0; i < shown.cells.size() && i < raw.cells.size(); ++i)
    if (Answered(raw.cells[i]))
      window[{shown.cells[i].institution_id, shown.cells[i].dimension}] = &shown.cells[i];
  for (ScoreCell& c : all.cells) {
    auto it = window.find({c.institution_id, c.dimension});
    if (it != window.end() && it->second->suppressed) Suppress(c);
  }
  // What all time reads against a pool it now hides goes too (own cell less gap is the pool).
  for (ScoreCell& c : all.cells) {
    if (c.suppressed && std::isnan(c.gap)) continue;
    for (const NetworkCell* ref : all.Reference(c.peer_type))
      if (ref->dimension == c.dimension && ref->suppressed) HideAgainstPool(c);
  }
}

void HideWhatAWindowHides(const PartBReport& raw, const PartBReport& shown, int64_t min_n,
                          PartBReport& all) {
  // Indicator pools, by (type, indicator): hidden ones read n 0 (or fewer than min_n).
  std::set<std::pair<std::string, std::string>> hidden;
  auto pools = [&](const std::vector<NetworkIndicator>& r, const std::vector<NetworkIndicator>& s) {
    for (size_t i = 0; i < r.size() && i < s.size(); ++i)
      if (r[i].n > 0 && s[i].n < min_n) hidden.insert({s[i].type, s[i].indicator});
  };
  pools(raw.indicators.network, shown.indicators.network);
  pools(raw.indicators.peers, shown.indicators.peers);
  auto hide = [](NetworkIndicator& net) {
    net.n = net.x = 0;
    net.rate = net.wilson.low = net.wilson.high = kHidden;
  };
  for (NetworkIndicator& c : all.indicators.network)
    if (hidden.count({c.type, c.indicator})) hide(c);
  for (NetworkIndicator& c : all.indicators.peers)
    if (hidden.count({c.type, c.indicator})) hide(c);
  std::set<std::pair<std::string, std::string>> small;  // (institution, indicator)
  for (size_t i = 0; i < raw.indicators.cells.size() && i < shown.indicators.cells.size(); ++i) {
    const IndicatorCell& c = shown.indicators.cells[i];
    if (raw.indicators.cells[i].count.n > 0 && c.suppressed)
      small.insert({c.count.institution_id, c.count.indicator});
  }
  const bool by_type = !all.indicators.peers.empty() || !all.autonomy.peers.empty();
  for (IndicatorCell& c : all.indicators.cells) {
    if (small.count({c.count.institution_id, c.count.indicator})) c.suppressed = true;
    const NetworkIndicator* ref = all.indicators.Reference(c.count.type, c.count.indicator);
    if (c.suppressed || (ref && ref->n < min_n)) {
      c.others = c.gap_pp = c.p = c.q = kHidden;
      c.flagged = false;
    }
  }
  // Autonomy: the network, its stages, the type pools and the institutions' cells.
  auto hidden_in_window = [](const AutonomyCell& r, const AutonomyCell& s) {
    return r.stats.n > 0 && s.suppressed;
  };
  if (hidden_in_window(raw.autonomy.network, shown.autonomy.network))
    all.autonomy.network.suppressed = true;
  std::set<std::string> bands, types, institutions;
  for (size_t i = 0; i < raw.stages.size() && i < shown.stages.size(); ++i)
    if (hidden_in_window(raw.stages[i].cell, shown.stages[i].cell))
      bands.insert(shown.stages[i].band);
  for (size_t i = 0; i < raw.autonomy.peers.size() && i < shown.autonomy.peers.size(); ++i)
    if (hidden_in_window(raw.autonomy.peers[i], shown.autonomy.peers[i]))
      types.insert(shown.autonomy.peers[i].type);
  for (size_t i = 0; i < raw.autonomy.cells.size() && i < shown.autonomy.cells.size(); ++i)
    if (hidden_in_window(raw.autonomy.cells[i], shown.autonomy.cells[i]))
      institutions.insert(shown.autonomy.cells[i].institution_id);
  for (BandCell& b : all.stages)
    if (bands.count(b.band) || all.autonomy.network.suppressed) b.cell.suppressed = true;
  for (AutonomyCell& c : all.autonomy.peers)
    if (types.count(c.type)) c.suppressed = true;
  for (AutonomyCell& c : all.autonomy.cells) {
    if (institutions.count(c.institution_id)) c.suppressed = true;
    const AutonomyCell& ref = all.autonomy.Reference(by_type ? c.type : "");
    if (c.suppressed || ref.suppressed) {
      c.gap = c.p = c.q = kHidden;
      c.flagged = false;
    }
  }
}

}  // namespace percept
