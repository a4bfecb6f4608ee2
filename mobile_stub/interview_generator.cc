#include "percept/mobile/interview_generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace percept {

using nlohmann::json;

Result<Plant> ParsePlant(const std::string& spec, const SurveyDefinition& def,
                         const std::vector<Institution>& institutions) {
  const size_t a = spec.find(':'), b = spec.rfind(':');
  if (a == std::string::npos || a == b) {
    return Status::InvalidParameter(
        "--plant is institution_id:dimension:shift, e.g. cesfam-tal-1:transparency:-2");
  }
  Plant p{spec.substr(0, a), spec.substr(a + 1, b - a - 1), 0};
  if (std::none_of(institutions.begin(), institutions.end(),
                   [&](const Institution& i) { return i.id == p.institution_id; })) {
    return Status::InvalidParameter("--plant: no institution '" + p.institution_id +
                                    "' in the institutions file");
  }
  if (def.DimensionItems(p.dimension).empty()) {
    return Status::InvalidParameter("--plant: '" + p.dimension + "' is not a dimension of " +
                                    def.id);
  }
  try {
    size_t used = 0;
    p.shift = std::stod(spec.substr(b + 1), &used);
    if (used != spec.size() - b - 1 || !std::isfinite(p.shift) || std::abs(p.shift) > 10)
      throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    return Status::InvalidParameter(
        "--plant: the shift is a number of scale points between -10 and 10, e.g. -2 or -0.5");
  }
  return p;
}

namespace {

bool KnownInstitution(const std::vector<Institution>& institutions, const std::string& id) {
  return std::any_of(institutions.begin(), institutions.end(),
                     [&](const Institution& i) { return i.id == id; });
}

Result<double> Points(const std::string& text, const char* flag) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && v >= -100 && v <= 100) return v;
  } catch (const std::exception&) {
  }
  return Status::InvalidParameter(std::string(flag) +
                                  ": the change is in percentage points, -100 to +100, e.g. +40");
}

}  // namespace

Result<RatePlant> ParseRatePlant(const std::string& spec, const SurveyDefinition& def,
                                 const std::vector<Institution>& institutions) {
  const size_t a = spec.find(':'), b = spec.rfind(':');
  if (a == std::string::npos || a == b) {
    return Status::InvalidParameter(
        "--plant-rate is institution_id:item[=option]:points, e.g. "
        "cesfam-tal-1:had_problems:+40");
  }
  RatePlant p{spec.substr(0, a), spec.substr(a + 1, b - a - 1), "", 0};
  if (!KnownInstitution(institutions, p.institution_id)) {
    return Status::InvalidParameter("--plant-rate: no institution '" + p.institution_id + "'");
  }
  const size_t eq = p.item.find('=');
  if (eq != std::string::npos) {
    p.option = p.item.substr(eq + 1);
    p.item = p.item.substr(0, eq);
  }
  const Item* item = def.FindEvaluationItem(p.item);
  const bool fits = item && ((item->type == ItemType::kBoolean && p.option.empty()) ||
                             ((item->type == ItemType::kSingle || item->type == ItemType::kMulti) &&
                              item->HasOption(p.option)));
  if (!fits) {
    return Status::InvalidParameter("--plant-rate: '" + spec.substr(a + 1, b - a - 1) +
                                    "' is not a yes/no item or item=option of " + def.id);
  }
  auto points = Points(spec.substr(b + 1), "--plant-rate");
  if (!points.ok()) return points.status();
  p.points = *points;
  return p;
}

Result<std::vector<RatePlant>> ParseAutonomyPlant(const std::string& spec,
                                                  const SurveyDefinition& def,
                                                  const std::vector<Institution>& institutions) {
  const size_t a = spec.find(':');
  if (a == std::string::npos) {
    return Status::InvalidParameter("--plant-autonomy is institution_id:points, e.g. omil-tal:-30");
  }
  const std::string id = spec.substr(0, a);
  if (!KnownInstitution(institutions, id)) {
    return Status::InvalidParameter("--plant-autonomy: no institution '" + id + "'");
  }
  if (def.autonomy.empty()) {
    return Status::InvalidParameter("--plant-autonomy: " + def.id + " version " +
                                    std::to_string(def.version) + " names no autonomy");
  }
  auto points = Points(spec.substr(a + 1), "--plant-autonomy");
  if (!points.ok()) return points.status();
  std::vector<RatePlant> out;
  for (const AutonomyComponent& c : def.autonomy) {
    const json equals = json::parse(c.equals_json);
    // A component met by answering no moves the answer yes the other way.
    const double sign = equals.is_boolean() && !equals.get<bool>() ? -1 : 1;
    out.push_back(
        {id, c.item, equals.is_string() ? equals.get<std::string>() : "", sign * *points});
  }
  return out;
}

namespace {

const char* kProposals[] = {
    "Que den horas por teléfono, para no perder el día de trabajo.",
    "Más información sobre los requisitos, \"antes\" de ir.",
    "Que atiendan también en la tarde, y los sábados.",
    "Que nos traten con respeto, sin apurarnos.",
    "Que el Apoyo Familiar nos acompañe la primera vez,\npara saber cómo hacerlo.",
    "Menos papeles; que se comuniquen entre las oficinas.",
    "Que avisen por mensaje cuando el trámite esté listo.",
};

}  // namespace

Result<EnumeratorStyle> ParseEnumeratorStyle(const std::string& name) {
  if (name == "careful") return EnumeratorStyle::kCareful;
  if (name == "fast") return EnumeratorStyle::kFast;
  if (name == "fabricator") return EnumeratorStyle::kFabricator;
  return Status::InvalidParameter("--enumerator-style is careful, fast or fabricator");
}

namespace {

std::string AddDays(const std::string& date, int days) {
  int y = std::stoi(date.substr(0, 4)), m = std::stoi(date.substr(5, 2)),
      d = std::stoi(date.substr(8, 2));
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  d += days;
  for (;;) {
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    const int in_month = kDays[m - 1] + (m == 2 && leap);
    if (d <= in_month) break;
    d -= in_month;
    if (++m > 12) {
      m = 1;
      ++y;
    }
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

}  // namespace

struct InterviewGenerator::State {
  const SurveyDefinition& def;
  std::vector<Institution> institutions;
  GeneratorOptions options;
  std::mt19937_64 rng;
  std::vector<std::string> communes;
  std::map<std::string, std::vector<size_t>> by_commune;
  std::vector<std::map<std::string, double>> quality;  // per institution, per dimension
  std::string device_id;

  State(const SurveyDefinition& d, std::vector<Institution> insts, const GeneratorOptions& o)
      : def(d), institutions(std::move(insts)), options(o), rng(o.seed) {
    for (size_t i = 0; i < institutions.size(); ++i)
      by_commune[institutions[i].comuna].push_back(i);
    for (const auto& [c, list] : by_commune) communes.push_back(c);
    std::normal_distribution<double> spread(0, 0.55);
    for (size_t i = 0; i < institutions.size(); ++i) {
      std::map<std::string, double> q;
      const double base =
          options.uniform ? 0 : spread(rng) * 0.7;  // some institutions are better overall
      for (const Dimension& dim : def.dimensions) {
        q[dim.id] = options.uniform ? 5.0 : std::clamp(5.0 + base + spread(rng) * 0.7, 2.8, 6.4);
      }
      quality.push_back(std::move(q));
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "tab-%03u", static_cast<unsigned>(o.seed % 1000));
    device_id = buf;
  }

  const std::vector<size_t>* local_ = nullptr;  // the current household's institutions
  const std::string* current_ = nullptr;        // the institution being evaluated

  // The planted change, in percentage points, for the current institution's answer `option` of
  // `item` ("" for a yes/no item's yes).
  double RateShift(const std::string& item, const std::string& option) const {
    double points = 0;
    for (const RatePlant& p : options.rate_plants) {
      if (current_ && p.institution_id == *current_ && p.item == item && p.option == option)
        points += p.points;
    }
    return points / 100;
  }

  // A single choice after the plants: toward an option (taken instead, with the planted
  // probability) or away from it (another option instead).
  std::string ShiftChoice(const Item& item, std::string value) {
    for (const Option& o : item.options) {
      const double shift = RateShift(item.id, o.value);
      if (shift > 0 && value != o.value && Uniform() < shift) return o.value;
      if (shift < 0 && value == o.value && Uniform() < -shift && item.options.size() > 1) {
        std::string other = value;
        while (other == value) other = item.options[Pick(item.options.size())].value;
        return other;
      }
    }
    return value;
  }

  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng); }
  double Normal(double sd) { return std::normal_distribution<double>(0, sd)(rng); }
  size_t Pick(size_t n) { return static_cast<size_t>(rng() % n); }

  double Plant(const std::string& inst, const std::string& dim) const {
    double shift = 0;
    for (const auto& p : options.plants) {
      if (p.institution_id == inst && p.dimension == dim) shift += p.shift;
    }
    return shift;
  }

  bool Relevant(const Item& item, const json& answers, const json& household) const {
    if (!item.relevant) return true;
    auto it = answers.find(item.relevant->item);
    if (it == answers.end()) {
      it = household.find(item.relevant->item);
      if (it == household.end()) return false;
    }
    return it->dump() == item.relevant->equals_json;
  }

  // A value for an item that is not a scored likert answer.
  json Generic(const Item& item, double satisfaction) {
    switch (item.type) {
      case ItemType::kIdentifier: {
        // A plausible RUT: 7-8 digits, a dash and a check digit (not computed: no real person).
        char buf[24];
        std::snprintf(buf, sizeof buf, "%u-%c", 5000000 + static_cast<unsigned>(Pick(20000000)),
                      "0123456789K"[Pick(11)]);
        return std::string(buf);
      }
      case ItemType::kBoolean: {
        if (item.role == "consent") return true;
        const double base = item.id == "had_problems"
                                ? std::clamp(0.85 - 0.13 * satisfaction, 0.05, 0.9)
                                : std::clamp(0.1 + 0.12 * satisfaction, 0.1, 0.9);
        return Uniform() < std::clamp(base + RateShift(item.id, ""), 0.0, 1.0);
      }
      case ItemType::kSingle: {
        if (item.id == "benefit_received" && item.options.size() >= 3) {
          const double u = Uniform() * 7;
          return ShiftChoice(item, item.options[u < satisfaction         ? 0
                                                : u < satisfaction + 1.5 ? 1
                                                : u < 6.5                ? 2
                                                                         : item.options.size() - 1]
                                       .value);
        }
        // Earlier options are the commoner ones (e.g. referred by the family supporter).
        const size_t n = item.options.size();
        const size_t k =
            std::min(n - 1, static_cast<size_t>(-std::log(1 - Uniform() * 0.999) * n / 3.0));
        return ShiftChoice(item, item.options[k].value);
      }
      case ItemType::kMulti: {
        std::vector<std::string> chosen;
        const size_t n = 1 + Pick(std::min<size_t>(3, item.options.size()));
        while (chosen.size() < n) {
          const std::string& v = item.options[Pick(item.options.size())].value;
          if (std::find(chosen.begin(), chosen.end(), v) == chosen.end()) chosen.push_back(v);
        }
        for (const Option& o : item.options) {
          const double shift = RateShift(item.id, o.value);
          auto at = std::find(chosen.begin(), chosen.end(), o.value);
          if (shift > 0 && at == chosen.end() && Uniform() < shift) chosen.push_back(o.value);
          if (shift < 0 && at != chosen.end() && chosen.size() > 1 && Uniform() < -shift)
            chosen.erase(at);
        }
        return chosen;
      }
      case ItemType::kInteger: {
        long long lo = item.min.value_or(0), hi = item.max.value_or(lo + 10);
        if (item.id == "household_size") hi = std::min(hi, 9LL);
        if (item.id == "months_in_programme") hi = std::min(hi, 36LL);
        return lo + static_cast<long long>(Pick(static_cast<size_t>(hi - lo + 1)));
      }
      case ItemType::kText:
        return kProposals[Pick(sizeof kProposals / sizeof kProposals[0])];
      case ItemType::kDate:
        return AddDays(options.first_day, -static_cast<int>(Pick(300)));
      case ItemType::kLikert:
        return def.scale.min +
               static_cast<int>(Pick(static_cast<size_t>(def.scale.max - def.scale.min + 1)));
      case ItemType::kInstitution: {  // who referred the family: another of its comuna's
        std::string from = institutions[(*local_)[Pick(local_->size())]].id;
        for (int tries = 0; current_ && from == *current_ && tries < 8; ++tries)
          from = institutions[(*local_)[Pick(local_->size())]].id;
        return from;
      }
    }
    return nullptr;
  }

  std::string Next() {
    const std::string& comuna = communes[Pick(communes.size())];
    const std::vector<size_t>& local = by_commune[comuna];
    local_ = &local;
    const Institution& home = institutions[local.front()];
    const double leniency = Normal(0.6);  // a generous family and a harsh one

    json household = json::object();
    for (const Item& item : def.household) {
      if (!Relevant(item, household, json::object())) continue;
      if (item.id == "region" && item.HasOption(home.region))
        household[item.id] = home.region;
      else if (item.id == "comuna")
        household[item.id] = comuna;
      else if (item.id == "head_sex" && item.HasOption("mujer"))
        household[item.id] = Uniform() < 0.7 ? "mujer" : item.options.back().value;
      else if (item.required || Uniform() < 0.8)
        household[item.id] = Generic(item, 5);
    }

    std::vector<size_t> used = local;
    std::shuffle(used.begin(), used.end(), rng);
    used.resize(std::min(used.size(), 3 + Pick(5)));  // 3..7 of its commune's institutions
    json evaluations = json::array();
    const Item* overall = def.OverallItem();
    for (size_t idx : used) {
      const Institution& inst = institutions[idx];
      current_ = &inst.id;
      json answers = json::object();
      double total = 0;
      int dims = 0;
      // A fabricator's families are all pleased: ratings lifted, and every other evaluation
      // one number throughout.
      const bool fabricating = options.style == EnumeratorStyle::kFabricator;
      const double lift = fabricating ? 1.5 : 0;
      const long straight = fabricating && Uniform() < 0.5 ? 6 + static_cast<long>(Pick(2)) : 0;
      for (const Dimension& dim : def.dimensions) {
        const double felt = quality[idx][dim.id] + leniency;
        total += felt;
        ++dims;
        for (const Item* item : def.DimensionItems(dim.id)) {
          const double u = Uniform();
          if (!Relevant(*item, answers, household)) continue;
          if (u < 0.05 && def.scale.IsMissingCode(8)) {
            answers[item->id] = 8;  // no sabe
          } else if (u < 0.08 && def.scale.IsMissingCode(9)) {
            answers[item->id] = 9;  // no aplica
          } else {
            // The plant moves the answer before it is rounded to the scale, so that a fraction
            // of a point moves the mean by about that fraction.
            const long v = std::lround(felt + Normal(0.9) + lift + Plant(inst.id, dim.id));
            answers[item->id] =
                std::clamp<long>(straight ? straight : v, def.scale.min, def.scale.max);
          }
        }
      }
      const double satisfaction = dims ? total / dims : 5;
      for (const Item& item : def.evaluation) {
        if (answers.contains(item.id) || !item.dimension.empty()) continue;
        if (!Relevant(item, answers, household)) continue;
        if (&item == overall) {
          answers[item.id] =
              std::clamp<long>(straight ? straight : std::lround(satisfaction + lift + Normal(0.6)),
                               def.scale.min, def.scale.max);
        } else if (item.required || Uniform() < 0.3) {
          answers[item.id] = Generic(item, satisfaction);
        }
      }
      evaluations.push_back({{"institution_id", inst.id}, {"answers", std::move(answers)}});
    }

    const std::string day =
        AddDays(options.first_day, static_cast<int>(Pick(std::max(1, options.days))));
    // A careful interview takes ten minutes of household questions and 6 to 12 per
    // institution; a fast one 1 to 2.5 per institution; a fabricated one a few minutes in all.
    const double per_evaluation = options.style == EnumeratorStyle::kCareful ? 6 + 6 * Uniform()
                                  : options.style == EnumeratorStyle::kFast  ? 1 + 1.5 * Uniform()
                                                                            : 0.3 + 0.5 * Uniform();
    const double household_minutes = options.style == EnumeratorStyle::kCareful ? 10 : 1;
    const int start_min = 9 * 60 + static_cast<int>(Pick(8 * 60));
    const int end_min =
        start_min + static_cast<int>(household_minutes + per_evaluation * used.size());
    char started[40], completed[40];
    std::snprintf(started, sizeof started, "%sT%02d:%02d:00-03:00", day.c_str(), start_min / 60,
                  start_min % 60);
    std::snprintf(completed, sizeof completed, "%sT%02d:%02d:%02d-03:00", day.c_str(), end_min / 60,
                  end_min % 60, static_cast<int>(Pick(60)));
    json s = {{"instance_id", RandomUuid(rng)},
              {"survey_id", def.id},
              {"survey_version", def.version},
              {"device_id", device_id},
              {"started_at", started},
              {"completed_at", completed},
              {"household", std::move(household)},
              {"evaluations", std::move(evaluations)}};
    return s.dump();
  }
};

InterviewGenerator::InterviewGenerator(const SurveyDefinition& def,
                                       std::vector<Institution> institutions,
                                       const GeneratorOptions& options)
    : s_(std::make_unique<State>(def, std::move(institutions), options)) {}
InterviewGenerator::~InterviewGenerator() = default;
std::string InterviewGenerator::Next() { return s_->Next(); }

}  // namespace percept
