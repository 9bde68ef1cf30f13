#include "hashpivot/market/btc_price_calibration.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "hashpivot/core/error.hpp"

// Recovery tests fit long synthetic series generated with known parameters (fixed seeds) and
// accept each estimate within 4.5 of its own reported standard error.

namespace hashpivot::market {
namespace {

constexpr double kSe = 4.5;

DailyHistory synthetic_history(const BtcPriceProcess& process, std::size_t days, std::uint64_t seed) {
  DailyHistory h;
  h.source = "synthetic";
  h.price_usd.resize(days + 1);
  simulate_price_path(process, random::CounterRng(seed), 0, 10000.0, h.price_usd);
  return h;
}

void expect_recovered(const FitReport& report, const std::vector<std::pair<std::string, double>>& truth) {
  ASSERT_EQ(report.parameters.size(), truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const Estimate& e = report.parameters[i];
    EXPECT_EQ(e.name, truth[i].first);
    ASSERT_TRUE(std::isfinite(e.se) && e.se > 0) << e.name;
    EXPECT_NEAR(e.value, truth[i].second, kSe * e.se) << report.model << " " << e.name << " se " << e.se;
  }
}

TEST(BtcPriceCalibration, log_returns_use_only_days_where_both_prices_are_known) {
  DailyHistory h;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  h.price_usd = {nan, 100, 110, nan, 121, 133.1, 0.0, 140};
  const std::vector<double> r = btc_log_returns(h);
  ASSERT_EQ(r.size(), 2u);  // 100→110 and 121→133.1
  EXPECT_DOUBLE_EQ(r[0], std::log(1.1));
  EXPECT_DOUBLE_EQ(r[1], std::log(133.1 / 121));
}

#ifndef NDEBUG
// The builders are handed their own model's report (Calibration::report looks it up by name):
// another model's is a bug.
TEST(BtcPriceCalibrationDeathTest, a_report_of_another_model_is_a_bug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const FitReport other{"btc_price", "jump_diffusion", "", 0, 0.0, {}, {}};
  EXPECT_DEATH((void)gbm_from_report(other), "");
}
#endif

TEST(BtcPriceCalibration, needs_at_least_100_returns) {
  EXPECT_THROW((void)calibrate_btc_price(synthetic_history(GbmPrice{0.1, 0.5}, 99, 10)), InputError);
  EXPECT_THROW((void)fit_gbm(btc_log_returns(synthetic_history(GbmPrice{0.1, 0.5}, 99, 10))), ParameterError);
  EXPECT_NO_THROW((void)fit_gbm(btc_log_returns(synthetic_history(GbmPrice{0.1, 0.5}, 100, 10))));
}

TEST(BtcPriceCalibrationGbm, recovers_known_parameters) {
  const GbmPrice truth{0.5, 0.8};
  const FitReport r = fit_gbm(btc_log_returns(synthetic_history(truth, 4000, 11)));
  EXPECT_EQ(r.model, "gbm");
  expect_recovered(r, {{"mu_annual", 0.5}, {"sigma_annual", 0.8}});
}

TEST(BtcPriceCalibrationMerton, recovers_known_parameters) {
  const JumpDiffusionPrice truth{0.4, 0.5, 25.0, -0.04, 0.1};
  const FitReport r = fit_jump_diffusion(btc_log_returns(synthetic_history(truth, 6000, 12)));
  EXPECT_EQ(r.model, "jump_diffusion");
  expect_recovered(r, {{"mu_annual", 0.4},
                       {"sigma_annual", 0.5},
                       {"jump_intensity_per_year", 25.0},
                       {"jump_mean_log", -0.04},
                       {"jump_sd_log", 0.1}});
}

TEST(BtcPriceCalibrationRegime, recovers_known_parameters) {
  const RegimeSwitchingPrice truth{0.9, 0.45, -0.5, 1.1, 0.99, 0.97};
  const FitReport r = fit_regime_switching(btc_log_returns(synthetic_history(truth, 6000, 13)));
  EXPECT_EQ(r.model, "regime_switching");
  expect_recovered(r, {{"bull_mu_annual", 0.9},
                       {"bull_sigma_annual", 0.45},
                       {"bear_mu_annual", -0.5},
                       {"bear_sigma_annual", 1.1},
                       {"p_stay_bull_daily", 0.99},
                       {"p_stay_bear_daily", 0.97}});
}

// FitDetail::kEstimates (what forecast-check asks at each origin): the same parameters to the bit,
// without their SEs or goodness of fit, which the full fit reports.
TEST(BtcPriceCalibration, the_estimates_alone_are_the_full_fits_parameters) {
  const std::vector<double> returns = btc_log_returns(synthetic_history(RegimeSwitchingPrice{0.9, 0.45, -0.5, 1.1, 0.99, 0.97}, 1500, 15));
  const auto fit = [&](bool regime, FitDetail detail) {
    return regime ? fit_regime_switching(returns, detail) : fit_jump_diffusion(returns, detail);
  };
  for (const bool regime : {true, false}) {
    const FitReport full = fit(regime, FitDetail::kFull), alone = fit(regime, FitDetail::kEstimates);
    ASSERT_EQ(alone.parameters.size(), full.parameters.size()) << full.model;
    EXPECT_EQ(alone.log_likelihood, full.log_likelihood) << full.model;
    for (std::size_t i = 0; i < full.parameters.size(); ++i) {
      EXPECT_EQ(alone.parameters[i].name, full.parameters[i].name);
      EXPECT_EQ(alone.parameters[i].value, full.parameters[i].value) << full.parameters[i].name;
      EXPECT_TRUE(std::isnan(alone.parameters[i].se)) << full.parameters[i].name;
      EXPECT_TRUE(std::isfinite(full.parameters[i].se)) << full.parameters[i].name;
    }
    EXPECT_TRUE(alone.fit.empty());
    EXPECT_FALSE(full.fit.empty());
  }
}

TEST(BtcPriceCalibrationBootstrap, politis_white_block_length_grows_with_serial_dependence) {
  const random::CounterRng rng(14);
  std::vector<double> noise(4000), ar(4000);
  double x = 0;
  for (std::uint32_t i = 0; i < noise.size(); ++i) {
    noise[i] = rng.normals({random::Stream::kTest, i, 0})[0];
    x = 0.8 * x + noise[i];
    ar[i] = x;
  }
  const double white = politis_white_block_length(noise);
  const double dependent = politis_white_block_length(ar);
  EXPECT_GE(white, 1.0);
  EXPECT_LT(white, 5.0);
  EXPECT_GT(dependent, 3 * white);
  EXPECT_LE(dependent, 3 * std::sqrt(4000.0));
}

// The real history, calibrated once for the tests below.
class BtcPriceRealHistory : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    history_ = new DailyHistory(read_daily_history_csv(std::string(HASHPIVOT_TEST_DATA_DIR) +
                                                       "/history/btc_daily_history_coinmetrics_format.csv"));
    reports_ = new std::vector<FitReport>(calibrate_btc_price(*history_));
  }
  static void TearDownTestSuite() {
    delete reports_;
    delete history_;
  }
  static const DailyHistory& history() { return *history_; }
  static const std::vector<FitReport>& reports() { return *reports_; }

 private:
  static inline DailyHistory* history_ = nullptr;
  static inline std::vector<FitReport>* reports_ = nullptr;
};

TEST_F(BtcPriceRealHistory, reports_every_model_with_finite_positive_standard_errors) {
  ASSERT_EQ(reports().size(), 4u);
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected{
      {"gbm", {"mu_annual", "sigma_annual"}},
      {"jump_diffusion", {"mu_annual", "sigma_annual", "jump_intensity_per_year", "jump_mean_log", "jump_sd_log"}},
      {"regime_switching",
       {"bull_mu_annual", "bull_sigma_annual", "bear_mu_annual", "bear_sigma_annual", "p_stay_bull_daily",
        "p_stay_bear_daily"}},
      {"block_bootstrap", {"mean_block_length_days", "sample_days"}}};
  const auto n = static_cast<int>(btc_log_returns(history()).size());
  for (std::size_t m = 0; m < expected.size(); ++m) {
    const FitReport& r = reports()[m];
    EXPECT_EQ(r.factor, "btc_price");
    EXPECT_EQ(r.model, expected[m].first);
    EXPECT_EQ(r.observations, n);
    ASSERT_EQ(r.parameters.size(), expected[m].second.size());
    EXPECT_FALSE(r.fit.empty());
    for (const auto& line : r.fit) EXPECT_TRUE(std::isfinite(line.model) && std::isfinite(line.history)) << line.name;
    for (std::size_t i = 0; i < r.parameters.size(); ++i) {
      const Estimate& e = r.parameters[i];
      EXPECT_EQ(e.name, expected[m].second[i]);
      EXPECT_TRUE(std::isfinite(e.value)) << e.name;
      if (r.model != "block_bootstrap") {
        EXPECT_TRUE(std::isfinite(e.se) && e.se > 0) << r.model << " " << e.name;
      }
    }
  }
  // Nested models: GBM is the jump-diffusion without jumps and a regime switch with equal regimes.
  EXPECT_GE(reports()[1].log_likelihood, reports()[0].log_likelihood);
  EXPECT_GE(reports()[2].log_likelihood, reports()[0].log_likelihood);
  EXPECT_TRUE(std::isnan(reports()[3].log_likelihood));
}

TEST_F(BtcPriceRealHistory, gbm_is_the_closed_form_of_the_sample_moments) {
  const std::vector<double> r = btc_log_returns(history());
  const auto n = static_cast<double>(r.size());
  double mean = 0;
  for (double x : r) mean += x;
  mean /= n;
  double variance = 0;
  for (double x : r) variance += (x - mean) * (x - mean);
  variance /= n;  // the maximum-likelihood (1/n) variance
  const FitReport& gbm = reports()[0];
  const double sigma = std::sqrt(variance) * std::sqrt(365.0);
  EXPECT_NEAR(report_parameter(gbm, "sigma_annual"), sigma, 1e-12 * sigma);
  EXPECT_NEAR(report_parameter(gbm, "mu_annual"), 365.0 * (mean + variance / 2), 1e-12);
  EXPECT_NEAR(gbm.parameters[1].se, sigma / std::sqrt(2 * n), 1e-12);
}

TEST_F(BtcPriceRealHistory, bootstrap_block_length_is_bounded_and_the_sample_is_the_history) {
  const FitReport& b = reports()[3];
  const std::vector<double> r = btc_log_returns(history());
  const double l = report_parameter(b, "mean_block_length_days");
  EXPECT_GE(l, 1.0);
  EXPECT_LE(l, std::ceil(3 * std::sqrt(static_cast<double>(r.size()))));
  EXPECT_EQ(report_parameter(b, "sample_days"), static_cast<double>(r.size()));
  const BlockBootstrapPrice process = block_bootstrap_from_report(b, r);
  EXPECT_EQ(process.mean_block_length_days, l);
  EXPECT_EQ(process.log_returns, r);
  EXPECT_THROW((void)block_bootstrap_from_report(b, {0.1, 0.2}), ParameterError);
}

TEST_F(BtcPriceRealHistory, processes_are_built_from_the_reports) {
  const GbmPrice gbm = gbm_from_report(reports()[0]);
  EXPECT_EQ(gbm.sigma_annual, report_parameter(reports()[0], "sigma_annual"));
  const JumpDiffusionPrice merton = jump_diffusion_from_report(reports()[1]);
  EXPECT_EQ(merton.jump_intensity_per_year, report_parameter(reports()[1], "jump_intensity_per_year"));
  EXPECT_EQ(merton.jump_sd_log, report_parameter(reports()[1], "jump_sd_log"));
  const RegimeSwitchingPrice regimes = regime_switching_from_report(reports()[2]);
  EXPECT_EQ(regimes.p_stay_bear_daily, report_parameter(reports()[2], "p_stay_bear_daily"));
  EXPECT_GE(regimes.bull_mu_annual, regimes.bear_mu_annual);  // the labelling convention
  FitReport incomplete = reports()[0];
  incomplete.parameters.pop_back();
  try {
    (void)gbm_from_report(incomplete);
    FAIL() << "expected a ParameterError";
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "sigma_annual");
  }
}

}  // namespace
}  // namespace hashpivot::market
