// CRRA utility and its certainty equivalent against closed forms.

#include <gtest/gtest.h>

#include <cmath>

#include "hashpivot/sim/simulation.hpp"

namespace hashpivot::sim {
namespace {

TEST(CrraUtility, CertaintyEquivalentOfASureNpvIsThatNpv) {
  for (const double gamma : {0.0, 0.5, 1.0, 2.0, 5.0}) {
    const CrraUtility u{gamma, 1.0e8};
    EXPECT_NEAR(u.certainty_equivalent_npv_usd(u.utility(3.0e7)), 3.0e7, 1e-6) << "gamma " << gamma;
  }
}

TEST(CrraUtility, LogUtilityCertaintyEquivalentIsTheGeometricMeanOfWealth) {
  // A 50/50 lottery between wealth 1e8 and 4e8: the geometric mean is 2e8.
  const CrraUtility u{1.0, 1.0e8};
  const double expected = 0.5 * u.utility(0.0) + 0.5 * u.utility(3.0e8);
  EXPECT_NEAR(u.certainty_equivalent_npv_usd(expected), 2.0e8 - 1.0e8, 1e-3);
}

TEST(CrraUtility, GammaTwoCertaintyEquivalentIsTheHarmonicMeanOfWealth) {
  const CrraUtility u{2.0, 1.0e8};
  const double expected = 0.5 * u.utility(0.0) + 0.5 * u.utility(3.0e8);
  const double harmonic = 2.0 / (1.0 / 1.0e8 + 1.0 / 4.0e8);
  EXPECT_NEAR(u.certainty_equivalent_npv_usd(expected), harmonic - 1.0e8, 1e-3);
}

TEST(CrraUtility, MarginalUtilityIsTheDerivative) {
  const CrraUtility u{3.0, 5.0e7};
  const double npv = 2.0e7, h = 1.0e3;
  const double numeric = (u.utility(npv + h) - u.utility(npv - h)) / (2 * h);
  EXPECT_NEAR(u.marginal_utility(npv) / numeric, 1.0, 1e-6);
}

}  // namespace
}  // namespace hashpivot::sim
