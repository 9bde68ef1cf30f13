#include "hashpivot/market/ai_rates.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/random/philox.hpp"
#include "support/temp_file.hpp"

namespace hashpivot::market {
namespace {

std::string gpu_csv() { return std::string(HASHPIVOT_TEST_DATA_DIR) + "/ai/gpu_rental_prices_neocloud_2025.csv"; }

TEST(ColocationLease, escalator_follows_the_closed_form) {
  const ColocationLease lease{1.8e6, 0.03};
  for (int n = 1; n <= 25; ++n)
    EXPECT_NEAR(lease.usd_per_mw_year_in(n), 1.8e6 * std::pow(1.03, n - 1), 1e-9 * 1.8e6) << n;
  EXPECT_EQ(lease.usd_per_mw_year_in(1), 1.8e6);
  EXPECT_DOUBLE_EQ(lease.usd_per_mw_day(0), 1.8e6 / 365);
  EXPECT_DOUBLE_EQ(lease.usd_per_mw_day(364), 1.8e6 / 365);         // still year 1
  EXPECT_DOUBLE_EQ(lease.usd_per_mw_day(365), 1.8e6 * 1.03 / 365);  // year 2
}

TEST(ColocationLease, default_is_the_model_md_midpoint_and_covers_the_deals) {
  const ColocationLease lease;
  EXPECT_EQ(lease.usd_per_mw_year, 1.75e6);  // ($1.2M + $2.3M) / 2, docs/model.md §4
  EXPECT_EQ(lease.escalator_annual, 0.0);
  for (const LeaseDeal& d : kLeaseDeals) {
    const double implied = d.total_usd / (d.mw * d.years);
    EXPECT_GE(implied, kLeaseLowUsdPerMwYear * 0.99) << d.name;
    EXPECT_LE(implied, kLeaseHighUsdPerMwYear) << d.name;
  }
}

TEST(GpuCloudRate, declines_exactly_without_noise_and_has_random_walk_log_variance) {
  const GpuCloudRate flat{2.5, 0.2, 0.0};
  std::vector<double> path(731);
  simulate_gpu_usd_per_gpu_hour(flat, random::CounterRng(1), 0, path);
  EXPECT_EQ(path[0], 2.5);
  EXPECT_NEAR(path[730], 2.5 * std::exp(-0.2 * 730 / 365.0), 1e-12);

  const GpuCloudRate noisy{2.5, 0.0, 0.03};
  constexpr std::uint32_t kPaths = 5000;
  std::vector<double> p(101);
  double sum = 0, sum2 = 0;
  for (std::uint32_t q = 0; q < kPaths; ++q) {
    simulate_gpu_usd_per_gpu_hour(noisy, random::CounterRng(2), q, p);
    const double l = std::log(p.back() / 2.5);
    sum += l;
    sum2 += l * l;
  }
  const double n = kPaths, v = 0.03 * 0.03 * 100;
  const double var = (sum2 - sum * sum / n) / (n - 1);
  EXPECT_NEAR(sum / n, 0, 5 * std::sqrt(v / n));
  EXPECT_NEAR(var, v, 5 * v * std::sqrt(2 / (n - 1)));
}

// Median of the snapshot medians of one GPU, read here without the library.
double independent_median(const std::string& type, const std::string& socket) {
  std::ifstream in(gpu_csv());
  std::string line;
  std::getline(in, line);
  std::vector<double> v;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    if (f[1] == type && f[2] == socket) v.push_back(std::stod(f[8]));
  }
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

TEST(AiRatesCalibration, runs_on_the_gpu_snapshots_with_positive_standard_errors) {
  const std::vector<FitReport> reports = calibrate_ai_rates(gpu_csv());
  ASSERT_EQ(reports.size(), 2u);
  const FitReport& gpu = reports[0];
  EXPECT_EQ(gpu.model, "gpu_cloud_decline");
  for (const Estimate& e : gpu.parameters) {
    EXPECT_TRUE(std::isfinite(e.value) && e.value > 0) << e.name;
    if (e.name != "decline_per_year") {
      EXPECT_TRUE(std::isfinite(e.se) && e.se > 0) << e.name;
    }
  }
  EXPECT_TRUE(std::isnan(find_estimate(gpu, "decline_per_year").se));  // an assumption, not a fit
  const double h100 = independent_median("H100_80GB", "SXM5");
  const double a100 = independent_median("A100_80GB", "SXM4");
  EXPECT_EQ(find_estimate(gpu, "h100_80gb_sxm5_usd_per_gpu_hour").value, h100);
  EXPECT_EQ(find_estimate(gpu, "b200_180gb_usd_per_gpu_hour").value, independent_median("B200_180GB", ""));
  EXPECT_NEAR(find_estimate(gpu, "decline_per_year").value, std::log(h100 / a100) / 2.0, 1e-12);
  const GpuCloudRate rate = gpu_cloud_rate_from_report(gpu, "h100_80gb_sxm5");
  EXPECT_EQ(rate.usd_per_gpu_hour, h100);

  const FitReport& colo = reports[1];
  EXPECT_EQ(colo.model, "colocation_lease");
  EXPECT_EQ(colocation_lease_from_report(colo).usd_per_mw_year, 1.75e6);
  EXPECT_EQ(colo.fit.size(), kLeaseDeals.size());
}

TEST(AiRatesCalibration, malformed_rows_throw_input_error_with_the_line_and_column) {
  const std::string header = "timestamp_utc,gpu_type,socket_type,median\n";
  const std::string good = "2025-10-19T21:01:58Z,H100_80GB,SXM5,2.5\n";
  const std::array<std::tuple<std::string, std::size_t, std::string>, 3> cases{{
      {good + "2025-10-19T21:02:58Z,H100_80GB,SXM5,x\n", 3, "median"},
      {good + good + "2025-10-32T00:00:00Z,H100_80GB,SXM5,2.5\n", 4, "timestamp_utc"},
      {good + "2025-10-19T21:02:58Z,H100_80GB,SXM5,-1\n", 3, "median"},
  }};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const hashpivot::testing::TempFile file("gpu_bad_" + std::to_string(i) + ".csv", header + std::get<0>(cases[i]));
    const std::string path = file.string();
    try {
      (void)calibrate_ai_rates(path);
      ADD_FAILURE() << "case " << i << " did not throw";
    } catch (const InputError& e) {
      EXPECT_EQ(e.source(), path);
      EXPECT_EQ(e.line(), std::get<1>(cases[i])) << e.what();
      EXPECT_EQ(e.field(), std::get<2>(cases[i])) << e.what();
    }
  }
}

}  // namespace
}  // namespace hashpivot::market
