// The rank-revealing least squares that lsm.cpp and real_options.cpp share, against hand-made
// systems: an exact fit, a known residual, and designs with a repeated column and with fewer
// distinct points than coefficients, where the basic solution must still be the least-squares fit.

#include "hashpivot/valuation/least_squares.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hashpivot/valuation/real_options.hpp"

namespace hashpivot::valuation {
namespace {

/// Column-major design of the given columns.
std::vector<double> design_of(const std::vector<std::vector<double>>& columns) {
  std::vector<double> a;
  for (const auto& c : columns) a.insert(a.end(), c.begin(), c.end());
  return a;
}

TEST(LeastSquares, recovers_an_exact_linear_model) {
  // y = 2 − 3 x + 0.5 x², five points.
  const std::vector<double> x{-2, -1, 0, 1, 3};
  std::vector<double> ones(5, 1), xs = x, x2, y;
  for (const double v : x) {
    x2.push_back(v * v);
    y.push_back(2 - 3 * v + 0.5 * v * v);
  }
  std::vector<double> a = design_of({ones, xs, x2});
  std::vector<double> beta(3);
  EXPECT_EQ(solve_least_squares(a, 5, y, beta), 3u);
  EXPECT_NEAR(beta[0], 2, 1e-12);
  EXPECT_NEAR(beta[1], -3, 1e-12);
  EXPECT_NEAR(beta[2], 0.5, 1e-12);
}

TEST(LeastSquares, a_line_through_noisy_points_is_the_textbook_fit) {
  // Points (0, 1), (1, 3), (2, 2): slope = Σ(x − x̄)(y − ȳ)/Σ(x − x̄)² = 1/2, intercept ȳ − slope·x̄ = 1.5.
  std::vector<double> a = design_of({{1, 1, 1}, {0, 1, 2}});
  std::vector<double> y{1, 3, 2};
  std::vector<double> beta(2);
  EXPECT_EQ(solve_least_squares(a, 3, y, beta), 2u);
  EXPECT_NEAR(beta[0], 1.5, 1e-12);
  EXPECT_NEAR(beta[1], 0.5, 1e-12);
}

TEST(LeastSquares, a_repeated_column_gets_no_weight_and_the_fit_is_unchanged) {
  // Columns 1, x, x again: rank 2. The basic solution puts the slope on one copy and 0 on the other;
  // fitted values equal those of the fit without the copy.
  std::vector<double> a = design_of({{1, 1, 1, 1}, {0, 1, 2, 3}, {0, 1, 2, 3}});
  std::vector<double> y{1, 2, 2, 5};
  std::vector<double> beta(3);
  EXPECT_EQ(solve_least_squares(a, 4, y, beta), 2u);
  EXPECT_TRUE(beta[1] == 0 || beta[2] == 0);
  // Without the copy: x̄ = 1.5, ȳ = 2.5, slope = Σ(x − x̄)(y − ȳ)/Σ(x − x̄)² = 6/5, intercept 2.5 − 1.2·1.5.
  EXPECT_NEAR(beta[1] + beta[2], 1.2, 1e-12);
  EXPECT_NEAR(beta[0], 0.7, 1e-12);
}

// fit_polynomial on a date whose state takes only two values: a cubic has four coefficients but the
// design has rank 2. The fit must pass through each value's mean of y (the least-squares fit) with
// coefficients of ordinary size. Eigen's plain solve, which real_options.cpp used to call, counts
// pivots down to rounding level here.
TEST(LeastSquares, a_cubic_on_two_distinct_states_fits_their_means) {
  std::vector<double> x, y;
  for (int i = 0; i < 40; ++i) {
    x.push_back(i % 2 == 0 ? 10.0 : 12.3);
    y.push_back(i % 2 == 0 ? 3.0 + 0.01 * i : -1.0 - 0.02 * i);
  }
  double mean_low = 0, mean_high = 0;
  for (int i = 0; i < 40; ++i) (i % 2 == 0 ? mean_low : mean_high) += y[static_cast<std::size_t>(i)] / 20;
  const PolynomialFit f = fit_polynomial(x, y, 3);
  EXPECT_NEAR(f(10.0), mean_low, 1e-9);
  EXPECT_NEAR(f(12.3), mean_high, 1e-9);
  for (int k = 0; k <= f.degree; ++k) EXPECT_LT(std::abs(f.coefficients[k]), 100.0) << k;
}

}  // namespace
}  // namespace hashpivot::valuation
