// The forecast check's scoring rules against closed forms, its calibration on a correctly specified synthetic
// model, and its determinism across threads on the bundled history.

#include "hashpivot/study/forecast_check.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "hashpivot/market/btc_price.hpp"
#include "hashpivot/market/btc_price_calibration.hpp"
#include "hashpivot/random/philox.hpp"

namespace {

using namespace hashpivot;
using study::ScoredForecast;

const std::string kData = HASHPIVOT_TEST_DATA_DIR;

// N normal quantiles Φ⁻¹((i + ½)/N): a sample whose empirical law converges to N(mean, sd²) without noise.
std::vector<double> normal_grid(std::size_t n, double mean, double sd) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i)
    x[i] = mean + sd * random::normal_quantile((static_cast<double>(i) + 0.5) / static_cast<double>(n));
  return x;
}

TEST(ForecastCheck, sample_crps_matches_the_closed_form_of_a_normal_forecast) {
  const double mean = 0.3, sd = 1.7;
  const std::vector<double> x = normal_grid(200'000, mean, sd);
  for (double y : {-4.0, -1.0, 0.3, 1.2, 6.5}) {
    const double exact = study::crps_normal(mean, sd, y);
    EXPECT_NEAR(study::crps_sample(x, y), exact, 2e-4 * sd) << "y = " << y;
  }
  // Hand value of the closed form: at z = 0, CRPS = σ(2φ(0) − 1/√π) = σ(√(2/π) − 1/√π).
  EXPECT_NEAR(study::crps_normal(0, 2, 0), 2 * (std::sqrt(2 / M_PI) - 1 / std::sqrt(M_PI)), 1e-15);
}

TEST(ForecastCheck, crps_of_a_point_forecast_is_the_absolute_error) {
  const std::vector<double> one{5.0};
  EXPECT_EQ(study::crps_sample(one, 7.5), 2.5);
  EXPECT_EQ(study::crps_sample(one, 1.0), 4.0);
  std::vector<double> sample{1.0, 2.0, 3.0};
  const ScoredForecast f = study::score_forecast(sample, 2.0, 0.1, 5.0);
  EXPECT_DOUBLE_EQ(f.last_value_crps, std::abs(std::log(5.0) - std::log(2.0)));
  // Brute force of E|X − y| − ½E|X − X'| on the logs of {1, 2, 3}.
  const double l[3] = {0.0, std::log(2.0), std::log(3.0)};
  double first = 0, second = 0;
  for (double a : l) {
    first += std::abs(a - std::log(5.0)) / 3;
    for (double b : l) second += std::abs(a - b) / 9;
  }
  EXPECT_NEAR(f.crps, first - 0.5 * second, 1e-15);
  EXPECT_EQ(f.pit, 1.0);  // 5 is above every draw
}

TEST(ForecastCheck, pit_counts_ties_as_half) {
  const std::vector<double> x{1, 2, 2, 3};
  EXPECT_EQ(study::pit_of_sample(x, 2.0), (1 + 0.5 * 2) / 4);
  EXPECT_EQ(study::pit_of_sample(x, 0.5), 0.0);
  EXPECT_EQ(study::sample_quantile(x, 0.5), 2.0);
  EXPECT_EQ(study::sample_quantile(x, 1.0), 3.0);
}

TEST(ForecastCheck, chi_square_tail_matches_tabulated_quantiles) {
  // Tabulated χ² quantiles with 9 degrees of freedom: 16.919 (5%), 21.666 (1%), 4.168 (90%); and a mean-valued one.
  EXPECT_NEAR(study::chi_square_upper_tail(16.919, 9), 0.05, 5e-5);
  EXPECT_NEAR(study::chi_square_upper_tail(21.666, 9), 0.01, 5e-5);
  EXPECT_NEAR(study::chi_square_upper_tail(4.168, 9), 0.90, 5e-5);
  // 2 degrees of freedom: Q = e^{−x/2} exactly.
  EXPECT_NEAR(study::chi_square_upper_tail(3.0, 2), std::exp(-1.5), 1e-13);
  EXPECT_EQ(study::chi_square_upper_tail(0.0, 9), 1.0);
}

// A GBM history forecast by a GBM fitted on the four years before each origin: the bands cover near their
// nominal rate and the PIT is near uniform. Origins a horizon apart, so the outcomes are independent.
TEST(ForecastCheck, a_correctly_specified_model_covers_near_nominal) {
  const market::GbmPrice truth{0.15, 0.65};
  constexpr std::size_t kWindowDays = 4 * 365, kHorizonDays = 91, kOrigins = 240, kPaths = 400;
  const random::CounterRng rng(20260101);
  auto normal = [&rng](std::size_t path, std::size_t day) {
    return rng.normals({random::Stream::kTest, static_cast<std::uint32_t>(path), static_cast<std::uint32_t>(day)})[0];
  };
  std::vector<double> log_price{std::log(1000.0)};
  for (std::size_t d = 1; d < kWindowDays + kOrigins * kHorizonDays + 1; ++d)
    log_price.push_back(log_price.back() + truth.log_return(normal(0, d)));
  std::vector<ScoredForecast> scored;
  for (std::size_t k = 0; k < kOrigins; ++k) {
    const std::size_t origin = kWindowDays + k * kHorizonDays;
    std::vector<double> returns;
    for (std::size_t d = origin - kWindowDays + 1; d <= origin; ++d) returns.push_back(log_price[d] - log_price[d - 1]);
    const market::GbmPrice fitted = market::gbm_from_report(market::fit_gbm(returns));
    std::vector<double> sample(kPaths);
    for (std::size_t p = 0; p < kPaths; ++p) {
      double x = log_price[origin];
      for (std::size_t d = 1; d <= kHorizonDays; ++d) x += fitted.log_return(normal(1 + k * kPaths + p, d));
      sample[p] = std::exp(x);
    }
    const double sd = fitted.sigma_annual * std::sqrt(static_cast<double>(kHorizonDays) / 365.0);
    scored.push_back(
        study::score_forecast(sample, std::exp(log_price[origin]), sd, std::exp(log_price[origin + kHorizonDays])));
  }
  const study::SeriesScores s = study::summarize_forecasts(scored);
  EXPECT_EQ(s.n, kOrigins);
  // Binomial SE of a 90% coverage over 240 origins: 0.019; of 50%: 0.032. Three SEs.
  EXPECT_NEAR(s.coverage_90, 0.90, 0.06);
  EXPECT_NEAR(s.coverage_50, 0.50, 0.10);
  EXPECT_GT(s.pit_p_value, 0.001);
  // The random walk with the right volatility is nearly the same forecast (zero drift vs 0.15/yr): similar CRPS.
  EXPECT_NEAR(s.random_walk_crps, s.crps, 0.1 * s.crps);
  // Both beat the point forecast, whose CRPS is the mean absolute error.
  EXPECT_LT(s.crps, s.last_value_crps);
}

TEST(ForecastCheck, results_are_bit_identical_for_one_and_two_threads) {
  const market::DailyHistory history =
      market::read_daily_history_csv(kData + "/history/btc_daily_history_coinmetrics_format.csv");
  const network::ChainHistory chain = network::read_chain_history(kData + "/history/btc_daily_heights.csv",
                                                                  kData + "/chain/btc_difficulty_epochs.csv");
  study::ForecastCheckOptions o;
  o.from = *parse_date("2019-01-01");
  o.to = *parse_date("2019-03-01");
  o.horizons_months = {1, 3};
  o.paths = 40;
  o.price_model = firm::PriceModel::kGbm;
  o.threads = 1;
  const study::ForecastCheckResult one = study::run_forecast_check(history, chain, o);
  o.threads = 2;
  const study::ForecastCheckResult two = study::run_forecast_check(history, chain, o);
  ASSERT_EQ(one.origins, 3);
  ASSERT_EQ(one.horizons.size(), two.horizons.size());
  for (std::size_t k = 0; k < one.horizons.size(); ++k)
    for (std::size_t s = 0; s < study::kForecastSeriesCount; ++s) {
      const study::SeriesScores& a = one.horizons[k].series[s];
      const study::SeriesScores& b = two.horizons[k].series[s];
      EXPECT_EQ(a.n, 3);
      EXPECT_EQ(a.n, b.n);
      std::vector<double> va{a.coverage_50, a.coverage_90, a.crps, a.pit_chi_square, a.pit_p_value,
                             a.random_walk_crps, a.random_walk_coverage_90, a.last_value_crps};
      std::vector<double> vb{b.coverage_50, b.coverage_90, b.crps, b.pit_chi_square, b.pit_p_value,
                             b.random_walk_crps, b.random_walk_coverage_90, b.last_value_crps};
      va.insert(va.end(), a.pit.begin(), a.pit.end());
      vb.insert(vb.end(), b.pit.begin(), b.pit.end());
      EXPECT_EQ(std::memcmp(va.data(), vb.data(), va.size() * sizeof(double)), 0) << "horizon " << k << " series " << s;
    }
}

}  // namespace
