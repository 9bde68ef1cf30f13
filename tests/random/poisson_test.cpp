#include "hashpivot/random/poisson.hpp"

#include <gtest/gtest.h>

#include <array>
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

// Hörmann's PTRS as the paper states it (every constant up front, attempt j at block j): the
// reference poisson() must equal bit for bit (it defers 1/α and ln(mean) to the draws that fail
// the squeeze). Sets `attempts`.
std::int64_t ptrs_as_published(const CounterRng& rng, DrawAddress at, double mean, int& attempts) {
  const double b = 0.931 + 2.53 * std::sqrt(mean);
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double v_r = 0.9277 - 3.6224 / (b - 2.0);
  for (attempts = 1;; ++attempts, ++at.block) {
    const std::array<double, 2> uv = rng.uniforms(at);
    const double u = uv[0] - 0.5;
    const double v = uv[1];
    const double us = 0.5 - std::fabs(u);
    const auto k = static_cast<std::int64_t>(std::floor((2.0 * a / us + b) * u + mean + 0.43));
    if (us >= 0.07 && v <= v_r) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    const double lhs = std::log(v * inv_alpha / (a / (us * us) + b));
    if (lhs <= -mean + static_cast<double>(k) * std::log(mean) - log_factorial(k)) return k;
  }
}

TEST(Poisson, equals_the_published_ptrs_draw_for_draw) {
  const CounterRng rng(20261205);
  int retried = 0;
  for (const double mean : {10.0, 31.4, 144.0, 2016.0}) {
    for (std::uint32_t i = 0; i < 20'000; ++i) {
      const DrawAddress at{Stream::kBlockArrivals, i, 3, 0};
      int attempts = 0;
      const std::int64_t expected = ptrs_as_published(rng, at, mean, attempts);
      retried += attempts > 1;
      ASSERT_EQ(poisson(rng, at, mean), expected) << mean << " " << i;
    }
  }
  EXPECT_GT(retried, 4'000);  // about 10% of draws take a second attempt: the later blocks are read
}

}  // namespace
}  // namespace hashpivot::random
