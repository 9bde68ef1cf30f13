#include "hashpivot/market/btc_price.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "hashpivot/core/error.hpp"

// Statistical tests use fixed seeds; each tolerance is a multiple (4.5) of the estimator's standard
// error, computed from the closed form or from the simulated sample itself, never tuned by hand.

namespace hashpivot::market {
namespace {

constexpr double kSe = 4.5;  // tolerance in standard errors

struct Sample {
  double mean = 0;
  double variance = 0;  // 1/(n − 1)
  [[nodiscard]] double se_of_mean(std::size_t n) const { return std::sqrt(variance / static_cast<double>(n)); }
};

Sample describe(const std::vector<double>& x) {
  Sample s;
  for (double v : x) s.mean += v;
  s.mean /= static_cast<double>(x.size());
  for (double v : x) s.variance += (v - s.mean) * (v - s.mean);
  s.variance /= static_cast<double>(x.size() - 1);
  return s;
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

// ---- GBM ------------------------------------------------------------------------------------

TEST(BtcPriceGbm, step_applies_the_closed_form_daily_log_return_to_a_given_shock) {
  const GbmPrice p{0.4, 0.7};
  const double z = 1.3;
  const double expected = (0.4 - 0.5 * 0.49) / 365.0 + 0.7 * std::sqrt(1.0 / 365.0) * z;
  EXPECT_DOUBLE_EQ(p.log_return(z), expected);
  EXPECT_DOUBLE_EQ(p.step(50000.0, z), 50000.0 * std::exp(expected));
}

// ln(S_T/S_0) ~ N((μ − σ²/2)T, σ²T); the sample variance has standard error σ²T·√(2/(P − 1)).
TEST(BtcPriceGbm, log_return_over_a_horizon_has_the_closed_form_mean_and_variance) {
  const GbmPrice p{0.3, 0.8};
  const random::CounterRng rng(101);
  constexpr std::uint32_t kPaths = 4000;
  constexpr std::size_t kDays = 100;
  std::vector<double> prices(kDays + 1), horizon;
  for (std::uint32_t k = 0; k < kPaths; ++k) {
    simulate_price_path(p, rng, k, 100.0, prices);
    horizon.push_back(std::log(prices[kDays] / prices[0]));
  }
  const double t = static_cast<double>(kDays) / 365.0;
  const double mean = (p.mu_annual - 0.5 * p.sigma_annual * p.sigma_annual) * t;
  const double variance = p.sigma_annual * p.sigma_annual * t;
  const Sample s = describe(horizon);
  EXPECT_NEAR(s.mean, mean, kSe * std::sqrt(variance / kPaths));
  EXPECT_NEAR(s.variance, variance, kSe * variance * std::sqrt(2.0 / (kPaths - 1)));
}

// Kolmogorov–Smirnov: D_n = sup |F_n − Φ| of the standardized daily returns against the
// asymptotic 1% critical value 1.6276/√n.
TEST(BtcPriceGbm, daily_log_returns_pass_a_kolmogorov_smirnov_test_against_the_normal) {
  const GbmPrice p{0.5, 0.9};
  const random::CounterRng rng(202);
  std::vector<double> r(5000);
  simulate_log_returns(p, rng, 3, r);
  const double mean = (p.mu_annual - 0.5 * p.sigma_annual * p.sigma_annual) / 365.0;
  const double sd = p.sigma_annual / std::sqrt(365.0);
  std::sort(r.begin(), r.end());
  const auto n = static_cast<double>(r.size());
  double d = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const double f = normal_cdf((r[i] - mean) / sd);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  EXPECT_LT(d, 1.6276 / std::sqrt(n));
}

// ---- reproducibility -----------------------------------------------------------------------

TEST(BtcPriceSimulation, a_path_depends_only_on_seed_path_and_step_not_on_call_order) {
  const BtcPriceProcess process = JumpDiffusionPrice{0.2, 0.6, 30.0, -0.02, 0.08};
  const random::CounterRng rng(7);
  std::vector<std::vector<double>> forward(6, std::vector<double>(50));
  for (std::uint32_t k = 0; k < 6; ++k) simulate_log_returns(process, rng, k, forward[k]);
  for (std::uint32_t k = 6; k-- > 0;) {
    std::vector<double> again(50);
    simulate_log_returns(process, rng, k, again);
    EXPECT_EQ(again, forward[k]) << "path " << k;
  }
  // A shorter run is a prefix of a longer one (day t uses step t only).
  std::vector<double> shorter(20);
  simulate_log_returns(process, rng, 2, shorter);
  EXPECT_TRUE(std::equal(shorter.begin(), shorter.end(), forward[2].begin()));
  EXPECT_NE(forward[0], forward[1]);
  std::vector<double> other_seed(50);
  simulate_log_returns(process, random::CounterRng(8), 0, other_seed);
  EXPECT_NE(other_seed, forward[0]);
}

// The simulators are the step functions fed by draw_btc_price (the documented draw map), so the
// engine can feed the same step functions with its own (correlated) shocks.
TEST(BtcPriceSimulation, simulators_apply_the_step_functions_to_the_documented_draws) {
  const random::CounterRng rng(9);
  constexpr std::uint32_t kPath = 5;
  constexpr std::size_t kDays = 200;
  const GbmPrice gbm{0.1, 0.5};
  const JumpDiffusionPrice merton{0.1, 0.5, 60.0, -0.03, 0.1};
  const RegimeSwitchingPrice regimes{0.8, 0.4, -0.6, 1.2, 0.97, 0.9};
  BlockBootstrapPrice bootstrap{{0.01, -0.02, 0.03, -0.04, 0.05, -0.06, 0.07}, 3.0};
  std::vector<double> g(kDays), m(kDays), s(kDays), b(kDays);
  simulate_log_returns(gbm, rng, kPath, g);
  simulate_log_returns(merton, rng, kPath, m);
  simulate_log_returns(regimes, rng, kPath, s);
  simulate_log_returns(bootstrap, rng, kPath, b);
  const BtcPriceDraws initial = draw_btc_price(rng, kPath, 0);
  PriceRegime regime = regimes.initial_regime(initial.regime_uniform);
  std::size_t index = bootstrap.initial_index(initial.index_uniform);
  int days_with_jumps = 0;
  for (std::size_t t = 1; t <= kDays; ++t) {
    const BtcPriceDraws d = draw_btc_price(rng, kPath, static_cast<std::uint32_t>(t));
    EXPECT_DOUBLE_EQ(g[t - 1], gbm.log_return(d.z));
    const int jumps = merton.jump_count(d.jump_uniform);
    days_with_jumps += jumps > 0;
    EXPECT_DOUBLE_EQ(m[t - 1], merton.log_return(d.z, jumps, d.z_jump));
    regime = regimes.next_regime(regime, d.regime_uniform);
    EXPECT_DOUBLE_EQ(s[t - 1], regimes.log_return(regime, d.z));
    index = bootstrap.next_index(index, d.restart_uniform, d.index_uniform);
    EXPECT_DOUBLE_EQ(b[t - 1], bootstrap.log_return(index));
  }
  EXPECT_GT(days_with_jumps, 0);
}

TEST(BtcPriceSimulation, invalid_parameters_are_rejected_naming_them) {
  const random::CounterRng rng(1);
  std::vector<double> out(3);
  const auto rejected = [&](const BtcPriceProcess& process) -> std::string {
    try {
      simulate_log_returns(process, rng, 0, out);
    } catch (const ParameterError& e) {
      return e.parameter();
    }
    return "";
  };
  EXPECT_EQ(rejected(GbmPrice{0.1, -0.2}), "sigma_annual");
  EXPECT_EQ(rejected(JumpDiffusionPrice{0.1, 0.2, -1.0, 0.0, 0.1}), "jump_intensity_per_year");
  EXPECT_EQ(rejected(RegimeSwitchingPrice{0, 0.1, 0, 0.2, 1.2, 0.5}), "p_stay_bull_daily");
  EXPECT_EQ(rejected(BlockBootstrapPrice{{}, 5.0}), "log_returns");
  EXPECT_EQ(rejected(BlockBootstrapPrice{{0.1}, 0.5}), "mean_block_length_days");
  // A given path too short for the days asked: its file's problem.
  try {
    simulate_log_returns(GivenPricePath{"given.csv", 0, {1.0, 2.0}}, rng, 0, out);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), "given.csv");
  }
}

// ---- Merton jump-diffusion -----------------------------------------------------------------

TEST(BtcPriceMerton, poisson_inverse_cdf_steps_at_the_cumulative_probabilities) {
  const double p0 = std::exp(-1.0), p1 = p0 + std::exp(-1.0), p2 = p1 + std::exp(-1.0) / 2;
  EXPECT_EQ(poisson_inverse_cdf(1.0, p0 - 1e-9), 0);
  EXPECT_EQ(poisson_inverse_cdf(1.0, p0 + 1e-9), 1);
  EXPECT_EQ(poisson_inverse_cdf(1.0, p1 + 1e-9), 2);
  EXPECT_EQ(poisson_inverse_cdf(1.0, p2 + 1e-9), 3);
  EXPECT_EQ(poisson_inverse_cdf(0.0, 0.999), 0);
  // Bounded even at the largest uniform, where rounding may keep the CDF below it.
  const int top = poisson_inverse_cdf(0.05, 1.0 - 0x1.0p-53);
  EXPECT_GE(top, 5);
  EXPECT_LE(top, 0.05 + 40 * std::sqrt(0.05) + 40);
}

// Daily log return: a normal plus a compound Poisson sum; cumulants κ₁ = m + λμ_J,
// κ₂ = σ²dt + λ(μ_J² + σ_J²), κ₄ = λ(μ_J⁴ + 6μ_J²σ_J² + 3σ_J⁴) (λ per day). With the mean known,
// (1/n)Σ(r − κ₁)² and (1/n)Σ(r − κ₁)⁴ are unbiased for κ₂ and μ₄ = κ₄ + 3κ₂²; their standard
// errors are √((μ₄ − κ₂²)/n) and √((m₈ − μ₄²)/n), m₈ the sample eighth central moment.
TEST(BtcPriceMerton, daily_log_returns_have_the_closed_form_mean_variance_and_fourth_moment) {
  const JumpDiffusionPrice p{0.3, 0.4, 30.0, -0.03, 0.1};
  const random::CounterRng rng(303);
  constexpr std::uint32_t kPaths = 100;
  constexpr std::size_t kDays = 2000;
  std::vector<double> all, r(kDays);
  for (std::uint32_t k = 0; k < kPaths; ++k) {
    simulate_log_returns(p, rng, k, r);
    all.insert(all.end(), r.begin(), r.end());
  }
  const double dt = 1.0 / 365.0, l = p.jump_intensity_per_year * dt, mj = p.jump_mean_log,
               sj2 = p.jump_sd_log * p.jump_sd_log;
  const double k1 = (p.mu_annual - 0.5 * p.sigma_annual * p.sigma_annual - p.jump_intensity_per_year * std::expm1(mj + 0.5 * sj2)) * dt + l * mj;
  const double k2 = p.sigma_annual * p.sigma_annual * dt + l * (mj * mj + sj2);
  const double k4 = l * (mj * mj * mj * mj + 6 * mj * mj * sj2 + 3 * sj2 * sj2);
  const double mu4 = k4 + 3 * k2 * k2;
  const auto n = static_cast<double>(all.size());
  double mean = 0, c2 = 0, c4 = 0, c8 = 0;
  for (double x : all) {
    const double d2 = (x - k1) * (x - k1);
    mean += x;
    c2 += d2;
    c4 += d2 * d2;
    c8 += d2 * d2 * d2 * d2;
  }
  mean /= n;
  c2 /= n;
  c4 /= n;
  c8 /= n;
  EXPECT_NEAR(mean, k1, kSe * std::sqrt(k2 / n));
  EXPECT_NEAR(c2, k2, kSe * std::sqrt((mu4 - k2 * k2) / n));
  EXPECT_NEAR(c4, mu4, kSe * std::sqrt((c8 - c4 * c4) / n));
  // The jumps matter: the excess kurtosis κ₄/κ₂² is far from the normal's 0.
  EXPECT_GT(k4 / (k2 * k2), 10.0);
}

// The compensated drift makes E[S_T] = S_0 e^{μT}; without compensation the mean would be off by
// a factor e^{λκT} (here about −12%, over 50 standard errors).
TEST(BtcPriceMerton, expected_price_grows_at_mu) {
  const JumpDiffusionPrice p{0.3, 0.4, 20.0, -0.05, 0.15};
  const random::CounterRng rng(404);
  constexpr std::uint32_t kPaths = 20000;
  constexpr std::size_t kDays = 60;
  std::vector<double> prices(kDays + 1), growth;
  for (std::uint32_t k = 0; k < kPaths; ++k) {
    simulate_price_path(p, rng, k, 1.0, prices);
    growth.push_back(prices[kDays]);
  }
  const Sample s = describe(growth);
  EXPECT_NEAR(s.mean, std::exp(p.mu_annual * static_cast<double>(kDays) / 365.0), kSe * s.se_of_mean(kPaths));
}

// ---- regime switching ----------------------------------------------------------------------

// Per path (started from the stationary distribution) the share of bull days and the mean squared
// deviation from the known unconditional mean are unbiased; their standard errors are the
// across-path standard deviations over √paths.
TEST(BtcPriceRegime, spends_the_stationary_share_of_days_in_bull_and_has_the_closed_form_variance) {
  const RegimeSwitchingPrice p{0.9, 0.5, -0.7, 1.2, 0.98, 0.95};
  const random::CounterRng rng(505);
  constexpr std::uint32_t kPaths = 400;
  constexpr std::size_t kDays = 500;
  const double pi_bull = (1 - 0.95) / (2 - 0.98 - 0.95);
  EXPECT_DOUBLE_EQ(p.stationary_bull_probability(), pi_bull);
  const double dt = 1.0 / 365.0;
  const double m_bull = (0.9 - 0.5 * 0.25) * dt, m_bear = (-0.7 - 0.5 * 1.44) * dt;
  const double mean = pi_bull * m_bull + (1 - pi_bull) * m_bear;
  const double variance = pi_bull * (0.25 * dt + (m_bull - mean) * (m_bull - mean)) +
                          (1 - pi_bull) * (1.44 * dt + (m_bear - mean) * (m_bear - mean));
  std::vector<double> bull_share, squared, r(kDays);
  for (std::uint32_t k = 0; k < kPaths; ++k) {
    simulate_log_returns(p, rng, k, r);
    // Regimes from the step functions and the documented draws (the simulator's own, as the
    // test above checks).
    PriceRegime regime = p.initial_regime(draw_btc_price(rng, k, 0).regime_uniform);
    int bull_days = 0;
    double sum_squares = 0;
    for (std::size_t t = 1; t <= kDays; ++t) {
      regime = p.next_regime(regime, draw_btc_price(rng, k, static_cast<std::uint32_t>(t)).regime_uniform);
      bull_days += regime == PriceRegime::kBull;
      sum_squares += (r[t - 1] - mean) * (r[t - 1] - mean);
    }
    bull_share.push_back(bull_days / static_cast<double>(kDays));
    squared.push_back(sum_squares / static_cast<double>(kDays));
  }
  const Sample share = describe(bull_share), var = describe(squared);
  EXPECT_NEAR(share.mean, pi_bull, kSe * share.se_of_mean(kPaths));
  EXPECT_NEAR(var.mean, variance, kSe * var.se_of_mean(kPaths));
}

// ---- block bootstrap -----------------------------------------------------------------------

TEST(BtcPriceBootstrap, every_simulated_return_is_a_value_of_the_sample) {
  std::vector<double> sample;
  const random::CounterRng draws(606);
  for (std::uint32_t i = 0; i < 300; ++i) sample.push_back(0.04 * draws.normals({random::Stream::kTest, i, 0})[0]);
  const BlockBootstrapPrice p{sample, 10.0};
  const std::set<double> values(sample.begin(), sample.end());
  std::vector<double> r(5000);
  simulate_log_returns(p, random::CounterRng(607), 0, r);
  for (double x : r) ASSERT_TRUE(values.count(x)) << x;
}

// Blocks are geometric with mean L: the mean length of runs of consecutive indices (wrapping at
// the end) is L, with standard error √(1 − p)/p/√runs, p = 1/L. (A restart that lands on the next
// index merges two runs; with 1/n = 0.1% that bias is far below the tolerance.)
TEST(BtcPriceBootstrap, mean_run_of_consecutive_indices_is_the_mean_block_length) {
  constexpr std::size_t kSample = 1000;
  std::vector<double> sample(kSample);
  for (std::size_t i = 0; i < kSample; ++i) sample[i] = static_cast<double>(i);  // value = index
  const double l = 8.0;
  const BlockBootstrapPrice p{sample, l};
  std::vector<double> r(200000);
  simulate_log_returns(p, random::CounterRng(708), 1, r);
  std::vector<double> runs;
  double run = 1;
  bool first = true;  // drop the first run (it began before day 1) and the last (cut off)
  for (std::size_t t = 1; t < r.size(); ++t) {
    const auto previous = static_cast<std::size_t>(r[t - 1]);
    const auto current = static_cast<std::size_t>(r[t]);
    if (current == (previous + 1) % kSample) {
      ++run;
    } else {
      if (!first) runs.push_back(run);
      first = false;
      run = 1;
    }
  }
  const double pr = 1.0 / l;
  const double se = std::sqrt(1 - pr) / pr / std::sqrt(static_cast<double>(runs.size()));
  EXPECT_NEAR(describe(runs).mean, l, kSe * se);
  // Wrap-around happens: some run crosses from the last index to the first.
  bool wrapped = false;
  for (std::size_t t = 1; t < r.size() && !wrapped; ++t) wrapped = r[t - 1] == kSample - 1.0 && r[t] == 0.0;
  EXPECT_TRUE(wrapped);
}

// ---- given path ----------------------------------------------------------------------------

std::filesystem::path write_temp(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("hashpivot_price_path_" + std::to_string(std::random_device{}()) + ".csv");
  std::ofstream(path) << text;
  return path;
}

TEST(BtcPriceGivenPath, reads_either_column_name_and_is_used_as_is) {
  for (const char* column : {"price_usd", "PriceUSD"}) {
    const auto path = write_temp(std::string("time,") + column + ",other\n2026-02-06,70000,x\n2026-02-07,68000,y\n"
                                 "2026-02-08,69000.5,z\n");
    const GivenPricePath given = read_price_path_csv(path);
    std::filesystem::remove(path);
    EXPECT_EQ(format_date(given.first_day), "2026-02-06");
    EXPECT_EQ(given.price_usd, (std::vector<double>{70000, 68000, 69000.5}));
    std::vector<double> prices(3);
    simulate_price_path(given, random::CounterRng(1), 0, 123.0, prices);
    EXPECT_EQ(prices, given.price_usd);
    std::vector<double> r(2);
    simulate_log_returns(given, random::CounterRng(1), 0, r);
    EXPECT_DOUBLE_EQ(r[1], std::log(69000.5 / 68000));
  }
}

void expect_error(const std::string& text, std::size_t line, const std::string& field) {
  const auto path = write_temp(text);
  try {
    (void)read_price_path_csv(path);
    ADD_FAILURE() << text;
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), path.string());
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.field(), field) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(BtcPriceGivenPath, malformed_rows_name_file_line_and_column) {
  expect_error("time,price_usd\n2026-01-01,100\n2026-01-02,abc\n", 3, "price_usd");
  expect_error("time,price_usd\n2026-01-01,100\n2026-01-02,0\n", 3, "price_usd");
  expect_error("time,price_usd\n2026-01-01,100\n2026-01-02,\n", 3, "price_usd");
  expect_error("time,PriceUSD\n2026-01-01,100\n2026-01-02,-5\n", 3, "PriceUSD");
  expect_error("time,price_usd\n2026-01-01,100\n2026-01-03,101\n", 3, "time");   // a skipped day
  expect_error("time,price_usd\n2026-01-01,100\n2026-01-01,101\n", 3, "time");   // a repeated day
  expect_error("time,price_usd\n2026-01-01,100\n2026-13-01,101\n", 3, "time");   // not a date
  expect_error("time,close\n2026-01-01,100\n", 1, "price_usd");                  // no price column
  expect_error("date,price_usd\n2026-01-01,100\n", 1, "time");
  expect_error("time,price_usd\n", 0, "time");                                    // no rows
}

}  // namespace
}  // namespace hashpivot::market
