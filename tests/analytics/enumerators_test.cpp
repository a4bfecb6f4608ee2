// The enumerator summary (docs/supervision.md): which families each enumerator is compared
// with, and when the difference is a verdict. Values worked by hand below.
#include "percept/enumerators.h"

#include <boost/math/distributions/students_t.hpp>
#include <catch2/catch.hpp>
#include <cmath>

using namespace percept;

namespace {

Moments Of(std::initializer_list<int64_t> xs) {
  Moments m;
  for (int64_t x : xs) {
    m.n += 1;
    m.sum += x;
    m.sum_sq += x * x;
  }
  return m;
}

EnumeratorInput Input(const std::string& name, std::map<std::string, Moments> overall) {
  EnumeratorInput in;
  in.enumerator = name;
  in.interviews = 1;
  in.overall = std::move(overall);
  return in;
}

// Two-sided Welch p from the two samples' mean, variance and n.
double WelchTwoSided(double m1, double v1, double n1, double m2, double v2, double n2) {
  const double se2 = v1 / n1 + v2 / n2;
  const double t = (m1 - m2) / std::sqrt(se2);
  const double df =
      se2 * se2 / ((v1 / n1) * (v1 / n1) / (n1 - 1) + (v2 / n2) * (v2 / n2) / (n2 - 1));
  return 2 * boost::math::cdf(boost::math::complement(boost::math::students_t(df), std::abs(t)));
}

}  // namespace

TEST_CASE("enumerators: each is compared with the others' families at the same institutions",
          "[unit]") {
  // a: inst1 {7,7,6}, inst2 {6,7}; b: inst1 {3,4,4}, inst2 {4,3}; c: inst1 {4,3,4}.
  const auto rows =
      ComputeEnumerators({Input("a", {{"inst1", Of({7, 7, 6})}, {"inst2", Of({6, 7})}}),
                          Input("b", {{"inst1", Of({3, 4, 4})}, {"inst2", Of({4, 3})}}),
                          Input("c", {{"inst1", Of({4, 3, 4})}})},
                         {});
  REQUIRE(rows.size() == 3);
  // a: own {7,7,6,6,7} mean 6.6, var 0.3; others at inst1 and inst2: b's five and c's three,
  // {3,4,4,4,3,4,3,4} mean 3.625, var 1.875/7.
  const EnumeratorRow& a = rows[0];
  CHECK(a.evaluations == 5);
  CHECK(a.overall_index == Approx((6.6 - 1) / 6 * 100));
  CHECK(a.others_index == Approx((3.625 - 1) / 6 * 100));
  CHECK(a.gap == Approx((6.6 - 3.625) / 6 * 100));
  CHECK(a.p == Approx(WelchTwoSided(6.6, 0.3, 5, 3.625, 1.875 / 7, 8)).epsilon(1e-9));
  CHECK(a.deviant);
  // c: own {4,3,4} mean 11/3; others at inst1 only: a's and b's {7,7,6,3,4,4} mean 31/6. A gap
  // of −25 points, but three families are not evidence.
  const EnumeratorRow& c = rows[2];
  CHECK(c.gap == Approx((11.0 / 3 - 31.0 / 6) / 6 * 100));
  const double own_var =
      (2 * (4 - 11.0 / 3) * (4 - 11.0 / 3) + (3 - 11.0 / 3) * (3 - 11.0 / 3)) / 2;
  double others_var = 0;
  for (double x : {7, 7, 6, 3, 4, 4}) others_var += (x - 31.0 / 6) * (x - 31.0 / 6);
  others_var /= 5;
  CHECK(c.p == Approx(WelchTwoSided(11.0 / 3, own_var, 3, 31.0 / 6, others_var, 6)).epsilon(1e-9));
  CHECK(c.p > 0.05);
  CHECK_FALSE(c.deviant);
  // BH over the three.
  for (const EnumeratorRow& r : rows) CHECK(r.q >= r.p);
}

TEST_CASE("enumerators: the median minutes, and no verdict without a comparison", "[unit]") {
  EnumeratorInput alone = Input("solo", {{"inst9", Of({5, 6, 7})}});
  alone.minutes_per_evaluation = {12, 3, 8, 10};
  const auto rows = ComputeEnumerators({alone}, {});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].median_minutes_per_evaluation == Approx(9));
  CHECK(std::isnan(rows[0].others_index));  // nobody else met its institutions
  CHECK(std::isnan(rows[0].p));
  CHECK_FALSE(rows[0].deviant);
}
