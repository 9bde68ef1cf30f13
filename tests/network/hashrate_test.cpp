#include "hashpivot/network/hashrate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::network {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double estimate(const market::FitReport& r, const std::string& name, bool se = false) {
  for (const auto& e : r.parameters)
    if (e.name == name) return se ? e.se : e.value;
  ADD_FAILURE() << "no " << name;
  return kNaN;
}

TEST(ExogenousHashrate, the_step_is_the_log_random_walk_with_a_lagged_price_term) {
  const auto p = ExogenousHashrateParams::from_annual(0.73, 0.365, 0.2, 30);
  EXPECT_DOUBLE_EQ(p.drift_per_day, 0.002);
  EXPECT_DOUBLE_EQ(p.sigma_per_day, 0.365 / std::sqrt(365.0));
  EXPECT_DOUBLE_EQ(next_log_hashrate(std::log(500e6), 1.5, -0.1, p),
                   std::log(500e6) + 0.002 + 0.2 * -0.1 + p.sigma_per_day * 1.5);
  EXPECT_NEAR(next_hashrate_ths(500e6, 1.5, -0.1, p), std::exp(next_log_hashrate(std::log(500e6), 1.5, -0.1, p)),
              1e-6);
  EXPECT_THROW((void)ExogenousHashrateParams::from_annual(0, 0, 0, -1), ParameterError);
}

TEST(ExogenousHashrate, simulated_log_changes_have_the_closed_form_mean_and_variance) {
  // 30 days with a known price-return series: ln(H_30/H_0) ~ N(30·drift + β Σ r_{t−k}, 30 σ²).
  const auto p = ExogenousHashrateParams::from_annual(0.5, 0.4, 0.3, 5);
  std::vector<double> r(30);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = 0.01 * std::sin(static_cast<double>(i));
  double lagged_sum = 0;
  for (std::size_t t = 5; t < 30; ++t) lagged_sum += r[t - 5];
  const ExogenousHashrateSimulator sim(p, 99);
  constexpr int kPaths = 20000;
  std::vector<double> out(30);
  double sum = 0, sum2 = 0;
  for (std::uint32_t path = 0; path < kPaths; ++path) {
    sim.simulate(path, 100.0, r, out);
    const double x = std::log(out.back() / 100.0);
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / kPaths, var = (sum2 - kPaths * mean * mean) / (kPaths - 1);
  const double expected_mean = log_change_mean(p, 30) + p.price_beta * lagged_sum;
  const double expected_var = log_change_variance(p, 30);
  EXPECT_NEAR(mean, expected_mean, 5 * std::sqrt(expected_var / kPaths));
  EXPECT_NEAR(var, expected_var, 5 * expected_var * std::sqrt(2.0 / (kPaths - 1)));
  // The shocks are Stream kHashrate at (path, step).
  EXPECT_DOUBLE_EQ(sim.shock(3, 7), random::CounterRng(99).normals({random::Stream::kHashrate, 3, 7})[0]);
}

/// A synthetic Coin Metrics history: price a GBM, true hashrate the model, and the daily HashRate
/// estimated from a Poisson(144) block count (difficulty set so that 144 blocks a day are expected).
market::DailyHistory synthetic_history(const ExogenousHashrateParams& p, int days, std::uint64_t seed) {
  const random::CounterRng rng(seed);
  market::DailyHistory h;
  h.first_day = 14000;
  h.price_usd.resize(static_cast<std::size_t>(days));
  h.hashrate_ths = h.difficulty = h.block_count = h.price_usd;
  h.fees_btc.assign(h.price_usd.size(), kNaN);
  h.supply_btc = h.fees_btc;
  std::vector<double> r(static_cast<std::size_t>(days), 0.0);
  double log_price = std::log(1000.0), log_h = std::log(1e6);
  for (int d = 0; d < days; ++d) {
    const auto i = static_cast<std::size_t>(d);
    const auto step = static_cast<std::uint32_t>(d);
    const auto z = rng.normals({random::Stream::kTest, 0, step});
    if (d > 0) {
      r[i] = 0.001 + 0.04 * z[0];
      log_price += r[i];
      const double lagged = d - 1 >= p.price_lag_days ? r[i - 1 - static_cast<std::size_t>(p.price_lag_days)] : 0.0;
      log_h = next_log_hashrate(log_h, z[1], lagged, p);
    }
    h.price_usd[i] = std::exp(log_price);
    // Poisson(144) by inversion.
    const double u = rng.uniforms({random::Stream::kTest, 1, step})[0];
    double term = std::exp(-144.0), cdf = term;
    int k = 0;
    while (cdf < u && k < 1000) {
      ++k;
      term *= 144.0 / k;
      cdf += term;
    }
    const double h_true_ths = std::exp(log_h);
    h.difficulty[i] = h_true_ths * 1e12 * 600 / 4294967296.0;
    h.block_count[i] = k;
    h.hashrate_ths[i] = h.difficulty[i] * 4294967296.0 * k / 86400 / 1e12;
  }
  return h;
}

TEST(HashrateCalibration, recovers_drift_volatility_and_the_lagged_price_response_of_a_long_synthetic_series) {
  const auto truth = ExogenousHashrateParams::from_annual(0.6, 0.35, 0.15, 45);
  const market::DailyHistory h = synthetic_history(truth, 25 * 365, 2718);
  const auto reports = calibrate_hashrate(h);
  ASSERT_EQ(reports.size(), 1u);
  const market::FitReport& r = reports[0];
  EXPECT_EQ(r.factor, "hashrate");
  EXPECT_EQ(r.model, "exogenous");
  EXPECT_NEAR(estimate(r, "drift_annual"), 0.6, 4 * estimate(r, "drift_annual", true));
  EXPECT_NEAR(estimate(r, "sigma_annual"), 0.35, 4 * estimate(r, "sigma_annual", true));
  EXPECT_NEAR(estimate(r, "price_beta"), 0.15, 4 * estimate(r, "price_beta", true));
  EXPECT_NEAR(estimate(r, "price_lag_days"), 45, 3);
  // Standard errors of a sensible size for 25 years of weekly data.
  EXPECT_LT(estimate(r, "drift_annual", true), 0.15);
  EXPECT_LT(estimate(r, "sigma_annual", true), 0.03);
  const ExogenousHashrateParams back = exogenous_params_from_report(r);
  EXPECT_NEAR(back.drift_per_day * 365, estimate(r, "drift_annual"), 1e-12);
  // The goodness-of-fit lines compare like with like.
  ASSERT_GE(r.fit.size(), 4u);
  EXPECT_NEAR(r.fit[1].model, r.fit[1].history, 0.1 * r.fit[1].history);
}

TEST(HashrateCalibration, without_a_price_response_beta_is_insignificant) {
  const auto truth = ExogenousHashrateParams::from_annual(0.4, 0.3, 0.0, 0);
  const market::DailyHistory h = synthetic_history(truth, 20 * 365, 31);
  const market::FitReport r = calibrate_hashrate(h)[0];
  // The best of 181 lags: allow for the selection (the max of ~15 effectively independent |t|).
  EXPECT_LT(std::abs(estimate(r, "price_beta")), 4 * estimate(r, "price_beta", true));
  EXPECT_NEAR(estimate(r, "sigma_annual"), 0.3, 4 * estimate(r, "sigma_annual", true));
}

TEST(HashrateCalibration, on_the_real_history_hashrate_grows_and_responds_positively_to_price) {
  const market::DailyHistory h = market::read_daily_history_csv(
      std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv", 16801 /*2016-01-01*/,
      18470 /*2020-07-27*/);
  const market::FitReport r = calibrate_hashrate(h)[0];
  EXPECT_GT(estimate(r, "drift_annual"), 0.2);
  EXPECT_GT(estimate(r, "sigma_annual"), 0.1);
  EXPECT_LT(estimate(r, "sigma_annual"), 1.0);
  EXPECT_GE(estimate(r, "price_lag_days"), 0);
  EXPECT_LE(estimate(r, "price_lag_days"), 180);
}

TEST(HashrateCalibration, too_short_a_history_is_rejected) {
  const auto truth = ExogenousHashrateParams::from_annual(0.4, 0.3);
  EXPECT_THROW((void)calibrate_hashrate(synthetic_history(truth, 200, 1)), InputError);
}

}  // namespace
}  // namespace hashpivot::network
