#include "hashpivot/market/correlation.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hashpivot/core/error.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::market {
namespace {

const CorrelationMatrix kTarget{{{1.0, 0.3, -0.2}, {0.3, 1.0, 0.1}, {-0.2, 0.1, 1.0}}};

TEST(CorrelatedShocks, cholesky_factor_reproduces_the_matrix) {
  const CorrelatedShocks shocks(kTarget);
  const auto& l = shocks.lower();
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      double sum = 0;
      for (std::size_t k = 0; k < 3; ++k) sum += l[i][k] * l[j][k];
      EXPECT_NEAR(sum, kTarget[i][j], 1e-14);
    }
}

TEST(CorrelatedShocks, sample_correlation_of_applied_shocks_matches_within_its_standard_error) {
  const CorrelatedShocks shocks(kTarget);
  const random::CounterRng rng(5);
  const std::uint32_t n = 100'000;
  std::array<std::array<double, 3>, 3> sxy{};
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto a = rng.normals({random::Stream::kTest, i, 0});
    const auto b = rng.normals({random::Stream::kTest, i, 1});
    const auto e = shocks.apply({a[0], a[1], b[0]});
    for (std::size_t x = 0; x < 3; ++x)
      for (std::size_t y = 0; y < 3; ++y) sxy[x][y] += e[x] * e[y];
  }
  for (std::size_t x = 0; x < 3; ++x)
    for (std::size_t y = 0; y < x; ++y) {
      const double r = sxy[x][y] / std::sqrt(sxy[x][x] * sxy[y][y]);
      const double se = (1 - kTarget[x][y] * kTarget[x][y]) / std::sqrt(double{n});
      EXPECT_NEAR(r, kTarget[x][y], 5 * se);
    }
}

TEST(CorrelatedShocks, rejects_matrices_that_are_not_correlations) {
  CorrelationMatrix bad = kTarget;
  bad[0][1] = bad[1][0] = 1.5;
  EXPECT_THROW(CorrelatedShocks{bad}, ParameterError);
  bad = kTarget;
  bad[2][2] = 2.0;
  EXPECT_THROW(CorrelatedShocks{bad}, ParameterError);
}

TEST(Correlation, calibration_on_real_history_recomputes_the_price_hashrate_pair_independently) {
  const auto history = read_daily_history_csv(std::string(HASHPIVOT_TEST_DATA_DIR) +
                                                  "/history/btc_daily_history_coinmetrics_format.csv",
                                              parse_date("2016-01-01"), parse_date("2020-07-27"));
  const FitReport report = calibrate_correlation(history);
  EXPECT_GT(report.observations, 1000);
  const CorrelationMatrix r = correlation_from_report(report);
  EXPECT_NO_THROW(CorrelatedShocks{r});
  for (const auto& e : report.parameters) {
    EXPECT_GT(e.se, 0) << e.name;
    EXPECT_LT(std::abs(e.value), 1) << e.name;
  }
  // Recompute one pair with a two-pass formula straight from the series.
  const auto series = daily_shock_series(history);
  const auto& x = series.changes[0];
  const auto& y = series.changes[2];
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(y.size());
  double c = 0, vx = 0, vy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    c += (x[i] - mx) * (y[i] - my);
    vx += (x[i] - mx) * (x[i] - mx);
    vy += (y[i] - my) * (y[i] - my);
  }
  EXPECT_NEAR(r[0][2], c / std::sqrt(vx * vy), 1e-12);
}

}  // namespace
}  // namespace hashpivot::market
