#include "hashpivot/random/poisson.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace hashpivot::random {
namespace {

TEST(LogFactorial, equals_the_sum_of_logs) {
  double sum = 0.0;
  for (std::int64_t k = 1; k <= 2000; ++k) {
    sum += std::log(static_cast<double>(k));
    EXPECT_NEAR(log_factorial(k), sum, 1e-12 * std::max(1.0, sum)) << k;
  }
  EXPECT_EQ(log_factorial(0), 0.0);
}

// Pearson's chi-square of n draws against the Poisson pmf, cells with expected count >= 5
// (tails pooled). Returns the statistic and its degrees of freedom.
std::pair<double, int> chi_square(double mean, std::uint32_t n) {
  const CounterRng rng(20260201);
  std::vector<std::uint64_t> counts;
  double sample_sum = 0.0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::int64_t k = poisson(rng, {Stream::kTest, i, 7, 0}, mean);
    EXPECT_GE(k, 0);
    sample_sum += static_cast<double>(k);
    const auto at = static_cast<std::size_t>(k);
    if (at >= counts.size()) counts.resize(at + 1, 0);
    ++counts[at];
  }
  // The sample mean within 5 standard errors of the mean.
  EXPECT_NEAR(sample_sum / n, mean, 5.0 * std::sqrt(mean / n)) << mean;
  double statistic = 0.0;
  int cells = 0;
  double pooled_expected = 0.0;
  double pooled_observed = 0.0;
  const auto k_max = static_cast<std::int64_t>(mean + 12.0 * std::sqrt(mean) + 20.0);
  for (std::int64_t k = 0; k <= k_max; ++k) {
    const double p = std::exp(-mean + static_cast<double>(k) * std::log(mean) - log_factorial(k));
    const double observed = static_cast<std::size_t>(k) < counts.size() ? static_cast<double>(counts[static_cast<std::size_t>(k)]) : 0.0;
    pooled_expected += p * n;
    pooled_observed += observed;
    if (pooled_expected >= 5.0) {
      statistic += (pooled_observed - pooled_expected) * (pooled_observed - pooled_expected) / pooled_expected;
      ++cells;
      pooled_expected = 0.0;
      pooled_observed = 0.0;
    }
  }
  return {statistic, cells - 1};
}

TEST(Poisson, matches_the_pmf_by_chi_square_across_both_methods) {
  // Inversion below 10, PTRS from 10; 144 is a day of blocks.
  for (const double mean : {0.7, 3.0, 9.9, 10.0, 31.4, 144.0, 2016.0}) {
    const auto [statistic, dof] = chi_square(mean, 200'000);
    // The 99.9% quantile of chi-square(dof) by the Wilson–Hilferty approximation.
    const double z = 3.090232;
    const double df = dof;
    const double critical = df * std::pow(1.0 - 2.0 / (9.0 * df) + z * std::sqrt(2.0 / (9.0 * df)), 3.0);
    EXPECT_LT(statistic, critical) << "mean " << mean << ", " << dof << " degrees of freedom";
  }
}

TEST(Poisson, is_a_pure_function_of_its_address) {
  const CounterRng rng(5);
  const DrawAddress at{Stream::kBlockArrivals, 3, 11, 0};
  const std::int64_t first = poisson(rng, at, 144.0);
  EXPECT_EQ(poisson(rng, at, 144.0), first);
  EXPECT_EQ(poisson(rng, {Stream::kBlockArrivals, 3, 11, 0}, 0.0), 0);
  int differ = 0;
  for (std::uint32_t step = 0; step < 50; ++step) differ += poisson(rng, {Stream::kBlockArrivals, 3, step, 0}, 144.0) != first;
  EXPECT_GT(differ, 40);
}

}  // namespace
}  // namespace hashpivot::random
