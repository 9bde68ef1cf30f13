// The pool's luck (model/pool_luck.hpp) against the Poisson closed forms: the factor N / λ has mean 1
// and variance 1 / λ; a window of W days of equal λ has variance 1 / (W λ).

#include "hashpivot/model/pool_luck.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "hashpivot/random/philox.hpp"

namespace hashpivot::model {
namespace {

struct MeanVariance {
  double mean;
  double variance;
};

// The luck factor on day `day` over `paths` paths (each path run from day 0).
MeanVariance luck_over_paths(int window_days, double expected_pool_blocks, std::uint32_t day, std::uint32_t paths) {
  const random::CounterRng rng(2026);
  PoolLuck luck(window_days);
  double sum = 0, sum_sq = 0;
  for (std::uint32_t path = 0; path < paths; ++path) {
    luck.start();
    double factor = 0;
    for (std::uint32_t d = 0; d <= day; ++d) factor = luck.day(rng, path, d, expected_pool_blocks);
    sum += factor;
    sum_sq += factor * factor;
  }
  const double n = paths;
  const double mean = sum / n;
  return {mean, (sum_sq - n * mean * mean) / (n - 1)};
}

TEST(PoolLuck, the_factor_has_mean_one_and_the_poisson_variance) {
  constexpr std::uint32_t kPaths = 100'000;
  // A 5% pool of a 144-block day: λ = 7.2 (inversion); a 30% pool: λ = 43.2 (rejection sampling).
  for (const double lambda : {7.2, 43.2}) {
    const MeanVariance one_day = luck_over_paths(1, lambda, 0, kPaths);
    const double variance = 1.0 / lambda;
    // Standard error of the mean sqrt(var / n); of the sample variance about var × sqrt(2 / n).
    EXPECT_NEAR(one_day.mean, 1.0, 4.0 * std::sqrt(variance / kPaths)) << lambda;
    EXPECT_NEAR(one_day.variance, variance, 4.0 * variance * std::sqrt((2.0 + 1.0 / lambda) / kPaths)) << lambda;
  }
}

TEST(PoolLuck, a_window_of_w_days_divides_the_variance_by_w) {
  constexpr std::uint32_t kPaths = 50'000;
  const double lambda = 7.2;
  // Day 9 with a window of 4: the mean of days 6..9, variance 1 / (4 λ).
  const MeanVariance windowed = luck_over_paths(4, lambda, 9, kPaths);
  const double variance = 1.0 / (4.0 * lambda);
  EXPECT_NEAR(windowed.mean, 1.0, 4.0 * std::sqrt(variance / kPaths));
  EXPECT_NEAR(windowed.variance, variance, 4.0 * variance * std::sqrt(2.5 / kPaths));
  // Day 1 with a window of 4: only two days have passed, variance 1 / (2 λ).
  const MeanVariance early = luck_over_paths(4, lambda, 1, kPaths);
  EXPECT_NEAR(early.variance, 1.0 / (2.0 * lambda), 4.0 / (2.0 * lambda) * std::sqrt(2.5 / kPaths));
}

TEST(PoolLuck, a_path_draws_the_same_luck_whatever_ran_before_it) {
  const random::CounterRng rng(7);
  PoolLuck a(3), b(3);
  a.start();
  for (std::uint32_t d = 0; d < 20; ++d) (void)a.day(rng, 5, d, 3.0);  // another path first
  a.start();
  b.start();
  for (std::uint32_t d = 0; d < 30; ++d) EXPECT_EQ(a.day(rng, 9, d, 2.5), b.day(rng, 9, d, 2.5)) << d;
}

TEST(PoolLuck, expected_blocks_and_share_follow_the_hashrate) {
  // Hashrate D × 2^32 / 600 H/s finds a block every 600 s: 144 a day.
  const double difficulty = 141668107417558.24;
  const double network_ths = difficulty * std::ldexp(1.0, 32) / 600.0 / 1e12;
  EXPECT_NEAR(expected_blocks_per_day(network_ths, difficulty), 144.0, 1e-9);
  EXPECT_EQ(expected_blocks_per_day(network_ths, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(pool_share(0.2, 0.0, 866.2e6), 0.2);
  EXPECT_DOUBLE_EQ(pool_share(0.2, 86.62, 866.2e6), 0.1);  // 86.62 EH/s of 866.2 EH/s
  EXPECT_EQ(pool_share(0.0, 2000.0, 866.2e6), 1.0);
}

}  // namespace
}  // namespace hashpivot::model
