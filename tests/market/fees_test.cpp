#include "hashpivot/market/fees.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::market {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Independent paths started at θ: at step T the log is normal with mean θ and variance
// v (1 − a^{2T}), a = 1 − κ, v = σ² / (1 − a²). Sample mean SE √(v/n), sample variance SE v √(2/(n − 1)).
TEST(FeeProcess, stationary_mean_and_variance_of_the_log_without_spikes_match_the_ar1_closed_form) {
  const FeeProcess fees{{0.1, -3.0, 0.2, 0.0, 0.0, 0.0}};
  const random::CounterRng rng(2024);
  constexpr std::uint32_t kPaths = 10000;
  constexpr std::size_t kSteps = 120;
  std::vector<double> path(kSteps + 1);
  double sum = 0, sum2 = 0;
  for (std::uint32_t p = 0; p < kPaths; ++p) {
    simulate_fees_btc_per_block(fees, rng, p, std::exp(-3.0), path);
    const double x = std::log(path.back());
    sum += x;
    sum2 += x * x;
  }
  const double n = kPaths;
  const double mean = sum / n;
  const double var = (sum2 - n * mean * mean) / (n - 1);
  const double a = 1 - fees.log_fees.kappa_per_day;
  const double v = 0.04 / (1 - a * a) * (1 - std::pow(a, 2.0 * kSteps));
  EXPECT_NEAR(fees.log_fees.stationary_variance(), 0.04 / (1 - a * a), 1e-15);
  EXPECT_NEAR(mean, -3.0, 5 * std::sqrt(v / n));
  EXPECT_NEAR(var, v, 5 * v * std::sqrt(2 / (n - 1)));
}

TEST(FeeProcess, spike_frequency_matches_the_daily_probability_and_moments_match_with_spikes) {
  const FeeProcess fees{{0.1, -3.0, 0.2, 0.03, 1.0, 0.4}};
  const random::CounterRng rng(7);
  constexpr std::uint32_t kDays = 100000;
  int spikes = 0;
  for (std::uint32_t t = 1; t <= kDays; ++t)
    if (fees.log_fees.spike(fee_shocks(rng, 0, t)) != 0.0) ++spikes;
  const double p = fees.log_fees.spike_prob_daily;
  EXPECT_NEAR(spikes / double{kDays}, p, 5 * std::sqrt(p * (1 - p) / kDays));

  // Moments at step T from independent paths against the closed form with spikes.
  constexpr std::uint32_t kPaths = 10000;
  std::vector<double> path(151);
  double sum = 0, sum2 = 0;
  for (std::uint32_t q = 0; q < kPaths; ++q) {
    simulate_log_ou_spikes(fees.log_fees, rng, random::Stream::kFees, random::Stream::kFeeSpikes, q,
                           fees.log_fees.stationary_mean(), path);
    sum += path.back();
    sum2 += path.back() * path.back();
  }
  const double n = kPaths;
  const double mean = sum / n;
  const double var = (sum2 - n * mean * mean) / (n - 1);
  const double v = fees.log_fees.stationary_variance();  // the start's transient is (0.9)^300 ≈ 2e-14 of it
  EXPECT_NEAR(fees.log_fees.stationary_mean(), -3.0 + 0.03 * 1.0 / 0.1, 1e-12);
  EXPECT_NEAR(mean, fees.log_fees.stationary_mean(), 5 * std::sqrt(v / n));
  // Spikes make the law non-normal: bound the variance's SE with a kurtosis allowance (×2).
  EXPECT_NEAR(var, v, 5 * 2 * v * std::sqrt(2 / (n - 1)));
}

TEST(FeeProcess, a_path_depends_only_on_seed_path_and_step) {
  const FeeProcess fees{{0.1, -3.0, 0.2, 0.05, 1.0, 0.4}};
  std::vector<double> short_path(50), long_path(100), other_seed(50);
  simulate_fees_btc_per_block(fees, random::CounterRng(5), 3, 0.05, short_path);
  simulate_fees_btc_per_block(fees, random::CounterRng(5), 3, 0.05, long_path);
  simulate_fees_btc_per_block(fees, random::CounterRng(6), 3, 0.05, other_seed);
  for (std::size_t t = 0; t < short_path.size(); ++t) EXPECT_EQ(short_path[t], long_path[t]);
  EXPECT_NE(short_path[10], other_seed[10]);
  EXPECT_EQ(short_path[0], 0.05);
}

TEST(FeeFit, uses_only_pairs_of_consecutive_known_days) {
  const LogOuSpikes truth{0.2, 0.0, 0.3, 0.0, 0.0, 0.0};
  std::vector<double> x(400);
  simulate_log_ou_spikes(truth, random::CounterRng(3), random::Stream::kTest, random::Stream::kTest, 0, 0.0, x);
  x[100] = kNaN;  // removes pairs (99,100) and (100,101)
  for (std::size_t t = 200; t < 210; ++t) x[t] = kNaN;  // removes (199,200) … (209,210): 11 pairs
  const LogOuSpikesFit f = fit_log_ou_spikes(x);
  EXPECT_EQ(f.observations, 399 - 2 - 11);
  std::vector<double> too_short(20, 1.0);
  EXPECT_THROW((void)fit_log_ou_spikes(too_short), ParameterError);
  EXPECT_THROW((void)fit_on_file(too_short, "fees.csv", "FeeTotNtv"), InputError);
}

// The fit's log-likelihood is the mixture's, written out as the textbook sum over transitions:
// ln((1 − p)·N(e; 0, σ²) + p·N(e; μ_s, σ² + σ_s²)) with e = x' − x − κ(θ − x), at the fitted parameters
// (the fit computes it from the larger component, taking ln(2π·v) once an evaluation).
TEST(FeeFit, reports_the_mixture_log_likelihood_summed_directly) {
  const LogOuSpikes truth{0.1, -2.0, 0.2, 0.05, 0.8, 0.6};
  std::vector<double> x(3000);
  simulate_log_ou_spikes(truth, random::CounterRng(7), random::Stream::kTest, random::Stream::kTest, 0, -2.0, x);
  const LogOuSpikesFit f = fit_log_ou_spikes(x);
  const LogOuSpikes& p = f.process;
  const auto density = [](double e, double mean, double variance) {
    return std::exp(-0.5 * (e - mean) * (e - mean) / variance) / std::sqrt(2 * std::numbers::pi * variance);
  };
  const double v0 = p.sigma_daily * p.sigma_daily, v1 = v0 + p.spike_sd_log * p.spike_sd_log;
  double direct = 0;
  for (std::size_t t = 0; t + 1 < x.size(); ++t) {
    const double e = x[t + 1] - x[t] - p.kappa_per_day * (p.theta_log - x[t]);
    direct += std::log((1 - p.spike_prob_daily) * density(e, 0, v0) + p.spike_prob_daily * density(e, p.spike_mean_log, v1));
  }
  EXPECT_NEAR(f.log_likelihood, direct, 1e-9 * std::abs(direct));
  EXPECT_GT(p.spike_prob_daily, 0.01);  // both components carry weight: the test reaches both branches
}

// A synthetic history generated from known parameters, with a gap; the fit is within 4 SE.
TEST(FeeCalibration, recovers_known_parameters_from_a_long_synthetic_series) {
  const LogOuSpikes truth{0.08, -3.0, 0.25, 0.04, 1.0, 0.5};
  constexpr std::size_t kDays = 8000;
  std::vector<double> x(kDays);
  simulate_log_ou_spikes(truth, random::CounterRng(99), random::Stream::kFees, random::Stream::kFeeSpikes, 0,
                         truth.stationary_mean(), x);
  DailyHistory h;
  h.source = "synthetic";
  h.first_day = 0;
  h.price_usd.assign(kDays, kNaN);
  h.hashrate_ths.assign(kDays, kNaN);
  h.difficulty.assign(kDays, kNaN);
  h.supply_btc.assign(kDays, kNaN);
  h.block_count.assign(kDays, 144.0);
  h.fees_btc.resize(kDays);
  for (std::size_t t = 0; t < kDays; ++t) h.fees_btc[t] = std::exp(x[t]) * 144.0;
  for (std::size_t t = 3000; t < 3300; ++t) h.fees_btc[t] = kNaN;  // a gap, as in 2022–2023

  const FitReport r = calibrate_fees(h);
  EXPECT_EQ(r.factor, "fees");
  EXPECT_EQ(r.model, "log_ou_spikes");
  EXPECT_EQ(r.observations, static_cast<int>(kDays - 1 - 301));
  const std::array<std::pair<const char*, double>, 6> expected{{{"kappa_per_day", truth.kappa_per_day},
                                                                {"theta_log_btc", truth.theta_log},
                                                                {"sigma_daily", truth.sigma_daily},
                                                                {"spike_prob_daily", truth.spike_prob_daily},
                                                                {"spike_mean_log", truth.spike_mean_log},
                                                                {"spike_sd_log", truth.spike_sd_log}}};
  for (const auto& [name, value] : expected) {
    const Estimate& e = find_estimate(r, name);
    ASSERT_TRUE(std::isfinite(e.se) && e.se > 0) << name;
    EXPECT_NEAR(e.value, value, 4 * e.se) << name;
  }
  EXPECT_NEAR(find_estimate(r, "theta_btc_per_block").value, std::exp(find_estimate(r, "theta_log_btc").value), 1e-15);
  const FeeProcess back = fee_process_from_report(r);
  EXPECT_EQ(back.log_fees.kappa_per_day, find_estimate(r, "kappa_per_day").value);
}

// FitDetail::kEstimates: the same parameters to the bit, no SEs and no goodness of fit (the
// simulated stationary mean among them).
TEST(FeeCalibration, the_estimates_alone_are_the_full_fits_parameters) {
  const DailyHistory h = read_daily_history_csv(
      std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv", 19000, 20500);
  const FitReport full = calibrate_fees(h), alone = calibrate_fees(h, FitDetail::kEstimates);
  ASSERT_EQ(alone.parameters.size(), full.parameters.size());
  for (std::size_t i = 0; i < full.parameters.size(); ++i) {
    EXPECT_EQ(alone.parameters[i].value, full.parameters[i].value) << full.parameters[i].name;
    EXPECT_TRUE(std::isnan(alone.parameters[i].se)) << full.parameters[i].name;
    EXPECT_TRUE(std::isfinite(full.parameters[i].se)) << full.parameters[i].name;
  }
  EXPECT_EQ(alone.log_likelihood, full.log_likelihood);
  EXPECT_TRUE(alone.fit.empty());
  EXPECT_EQ(full.fit.size(), 5u);
}

TEST(FeeCalibration, runs_on_the_real_history_with_finite_positive_standard_errors) {
  const DailyHistory h =
      read_daily_history_csv(std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv");
  const FitReport r = calibrate_fees(h);
  // Transitions: pairs of consecutive days with fees and blocks both known and positive, counted here.
  auto known = [&](std::size_t i) { return h.fees_btc[i] > 0 && h.block_count[i] > 0; };  // false for NaN
  int pairs = 0;
  for (std::size_t i = 0; i + 1 < h.days(); ++i)
    if (known(i) && known(i + 1)) ++pairs;
  EXPECT_EQ(r.observations, pairs);
  for (const Estimate& e : r.parameters) {
    EXPECT_TRUE(std::isfinite(e.value)) << e.name;
    EXPECT_TRUE(std::isfinite(e.se) && e.se > 0) << e.name;
  }
  const double kappa = find_estimate(r, "kappa_per_day").value;
  EXPECT_GT(kappa, 0);
  EXPECT_LT(kappa, 1);
  for (const GoodnessOfFit& g : r.fit) {
    EXPECT_TRUE(std::isfinite(g.model)) << g.name;
    EXPECT_TRUE(std::isfinite(g.history)) << g.name;
  }
  // The caller chooses the window: the same calibration from 2016 on also runs.
  const DailyHistory recent = read_daily_history_csv(
      std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv", parse_date("2016-01-01"));
  const FitReport rr = calibrate_fees(recent);
  for (const Estimate& e : rr.parameters) EXPECT_TRUE(std::isfinite(e.se) && e.se > 0) << e.name;
}

}  // namespace
}  // namespace hashpivot::market
