#include "hashpivot/market/energy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/random/philox.hpp"
#include "support/temp_file.hpp"

namespace hashpivot::market {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string ercot_csv() {
  return std::string(HASHPIVOT_TEST_DATA_DIR) + "/energy/electricity_ercot_dam_spp_hourly_2021_2025.csv";
}

std::array<double, kHoursPerDay> test_shape() {
  std::array<double, kHoursPerDay> s{};
  for (std::size_t h = 0; h < kHoursPerDay; ++h)
    s[h] = 0.3 * std::sin(2 * std::numbers::pi * (static_cast<double>(h) - 13.0) / 24.0);  // mean zero over 24 h
  return s;
}

// Without spikes, x at step T from x0 = θ is normal with variance σ²/(1 − a²)·(1 − a^{2T}).
TEST(EnergyIndex, ou_stationary_variance_matches_the_closed_form) {
  const EnergyIndex index{{0.15, std::log(40.0), 0.25, 0.0, 0.0, 0.0}, test_shape()};
  const random::CounterRng rng(31);
  constexpr std::uint32_t kPaths = 10000;
  constexpr std::size_t kDays = 100;
  std::vector<double> hourly(kDays * kHoursPerDay);
  double sum = 0, sum2 = 0;
  for (std::uint32_t p = 0; p < kPaths; ++p) {
    simulate_energy_hourly_usd_per_mwh(index, rng, p, std::log(40.0), hourly);
    const double x = std::log(hourly[(kDays - 1) * kHoursPerDay]) - index.hourly_shape[0];
    sum += x;
    sum2 += x * x;
  }
  const double n = kPaths;
  const double mean = sum / n;
  const double var = (sum2 - n * mean * mean) / (n - 1);
  const double a = 1 - 0.15;
  const double v = 0.0625 / (1 - a * a) * (1 - std::pow(a, 2.0 * (kDays - 1)));
  EXPECT_NEAR(index.log_daily.stationary_variance(), 0.0625 / (1 - a * a), 1e-15);
  EXPECT_NEAR(mean, std::log(40.0), 5 * std::sqrt(v / n));
  EXPECT_NEAR(var, v, 5 * v * std::sqrt(2 / (n - 1)));
}

TEST(EnergyIndex, hourly_shape_has_mean_zero_and_is_reproduced_by_simulation) {
  const EnergyIndex index{{0.15, std::log(40.0), 0.25, 0.05, 1.0, 0.5}, test_shape()};
  double total = 0;
  for (double s : index.hourly_shape) total += s;
  EXPECT_NEAR(total, 0, 1e-12);
  std::vector<double> hourly(30 * kHoursPerDay);
  simulate_energy_hourly_usd_per_mwh(index, random::CounterRng(8), 2, std::log(40.0), hourly);
  for (std::size_t d = 0; d < 30; ++d) {
    double mean = 0;
    for (std::size_t h = 0; h < kHoursPerDay; ++h) mean += std::log(hourly[d * kHoursPerDay + h]) / 24.0;
    for (std::size_t h = 0; h < kHoursPerDay; ++h)
      EXPECT_NEAR(std::log(hourly[d * kHoursPerDay + h]) - mean, index.hourly_shape[h], 1e-12);
  }
  const EnergyPriceModel fixed = FixedEnergyPrice{55.0};
  EXPECT_EQ(hourly_price_usd_per_mwh(fixed, 123.0, 7), 55.0);
  const EnergyPriceModel indexed = index;
  EXPECT_EQ(hourly_price_usd_per_mwh(indexed, 3.0, 7), std::exp(3.0 + index.hourly_shape[7]));
}

TEST(EnergyCalibration, recovers_known_parameters_and_the_shape_from_a_long_synthetic_series) {
  const EnergyIndex truth{{0.12, std::log(40.0), 0.2, 0.03, 0.8, 0.4}, test_shape()};
  constexpr std::size_t kDays = 8000;
  HourlyPrices prices;
  prices.source = "synthetic";
  prices.column = "test";
  prices.usd_per_mwh.resize(kDays * kHoursPerDay);
  simulate_energy_hourly_usd_per_mwh(truth, random::CounterRng(77), 0, truth.log_daily.stationary_mean(),
                                     prices.usd_per_mwh);
  prices.usd_per_mwh[500 * kHoursPerDay + 2] = kNaN;  // a spring-forward day: 23 hours
  const FitReport r = calibrate_energy_index(prices);
  EXPECT_EQ(r.factor, "energy");
  EXPECT_EQ(r.model, "log_ou_spikes_hourly");
  const std::array<std::pair<const char*, double>, 6> expected{{{"kappa_per_day", truth.log_daily.kappa_per_day},
                                                                {"theta_log_usd_per_mwh", truth.log_daily.theta_log},
                                                                {"sigma_daily", truth.log_daily.sigma_daily},
                                                                {"spike_prob_daily", truth.log_daily.spike_prob_daily},
                                                                {"spike_mean_log", truth.log_daily.spike_mean_log},
                                                                {"spike_sd_log", truth.log_daily.spike_sd_log}}};
  for (const auto& [name, value] : expected) {
    const Estimate& e = find_estimate(r, name);
    ASSERT_TRUE(std::isfinite(e.se) && e.se > 0) << name;
    EXPECT_NEAR(e.value, value, 4 * e.se) << name;
  }
  // No intraday noise in the model: the shape comes back to rounding.
  const EnergyIndex back = energy_index_from_report(r);
  for (std::size_t h = 0; h < kHoursPerDay; ++h) EXPECT_NEAR(back.hourly_shape[h], truth.hourly_shape[h], 1e-9);
}

TEST(EnergyCalibration, runs_on_ercot_with_positive_standard_errors_and_an_evening_peak) {
  const std::vector<FitReport> reports = calibrate_energy_ercot(ercot_csv(), std::string(kErcotDefaultColumn));
  ASSERT_EQ(reports.size(), 1u);
  const FitReport& r = reports[0];
  EXPECT_GT(r.observations, 1500);
  for (const Estimate& e : r.parameters) {
    EXPECT_TRUE(std::isfinite(e.value)) << e.name;
    EXPECT_TRUE(std::isfinite(e.se) && e.se > 0) << e.name;
  }
  const EnergyIndex index = energy_index_from_report(r);
  double total = 0;
  for (double s : index.hourly_shape) total += s;
  EXPECT_NEAR(total, 0, 1e-12);

  // The data's own mean price by hour ending, read here without the library.
  std::ifstream in(ercot_csv());
  std::string line;
  std::getline(in, line);
  std::array<double, kHoursPerDay> sum{};
  std::array<int, kHoursPerDay> count{};
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    const auto h = static_cast<std::size_t>(std::stoi(f[1].substr(0, 2)) - 1);
    sum[h] += std::stod(f[9]);  // hb_west_usd_per_mwh
    ++count[h];
  }
  std::size_t data_peak = 0, shape_peak = 0;
  for (std::size_t h = 1; h < kHoursPerDay; ++h) {
    if (sum[h] / count[h] > sum[data_peak] / count[data_peak]) data_peak = h;
    if (index.hourly_shape[h] > index.hourly_shape[shape_peak]) shape_peak = h;
  }
  EXPECT_EQ(shape_peak, data_peak);
  EXPECT_GE(shape_peak + 1, 14u);  // afternoon or evening: hour ending 14:00 … 22:00
  EXPECT_LE(shape_peak + 1, 22u);
  EXPECT_LT(index.hourly_shape[3], 0);  // the night (hour ending 04:00) is below the day's mean
}

struct CsvCase {
  const char* body;
  std::size_t line;
  const char* field;
};

TEST(EnergyCsv, malformed_rows_throw_input_error_with_the_line_and_column) {
  const std::string header = "delivery_date,hour_ending,repeated_hour_flag,hb_west_usd_per_mwh\n";
  const std::array<CsvCase, 6> cases{{
      {"2021-01-01,01:00,N,10\n2021-01-01,02:00,N,abc\n", 3, "hb_west_usd_per_mwh"},
      {"2021-01-01,01:00,N,10\n2021-01-01,25:00,N,11\n", 3, "hour_ending"},
      {"2021-01-01,01:00,N,10\n2021-13-01,02:00,N,11\n", 3, "delivery_date"},
      {"2021-01-02,01:00,N,10\n2021-01-01,02:00,N,11\n", 3, "delivery_date"},
      {"2021-01-01,01:00,N,10\n2021-01-01,01:00,N,11\n", 3, "hour_ending"},
      {"2021-01-01,01:00,N,10\n2021-01-01,02:00,X,11\n", 3, "repeated_hour_flag"},
  }};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const hashpivot::testing::TempFile file("energy_bad_" + std::to_string(i) + ".csv", header + cases[i].body);
    const std::string path = file.string();
    try {
      (void)read_ercot_hourly_csv(path, "hb_west_usd_per_mwh");
      ADD_FAILURE() << "case " << i << " did not throw";
    } catch (const InputError& e) {
      EXPECT_EQ(e.source(), path) << i;
      EXPECT_EQ(e.line(), cases[i].line) << i << ": " << e.what();
      EXPECT_EQ(e.field(), cases[i].field) << i << ": " << e.what();
    }
  }
  const hashpivot::testing::TempFile no_column("energy_no_column.csv", header + "2021-01-01,01:00,N,10\n");
  const std::string path = no_column.string();
  try {
    (void)read_ercot_hourly_csv(path, "hb_north_usd_per_mwh");
    ADD_FAILURE() << "a missing column did not throw";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "hb_north_usd_per_mwh");
  }
  // A repeated hour with the flag is averaged, and a missing hour stays unknown.
  const hashpivot::testing::TempFile dst("energy_dst.csv",
                                         header + "2021-11-07,01:00,N,10\n2021-11-07,02:00,N,20\n2021-11-07,02:00,Y,30\n");
  const std::string ok = dst.string();
  const HourlyPrices p = read_ercot_hourly_csv(ok, "hb_west_usd_per_mwh");
  ASSERT_EQ(p.days(), 1u);
  EXPECT_EQ(p.usd_per_mwh[1], 25.0);
  EXPECT_TRUE(std::isnan(p.usd_per_mwh[2]));
}

}  // namespace
}  // namespace hashpivot::market
