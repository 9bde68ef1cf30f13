// The fast normal transform (AS241 quantile) against the exact normal CDF of the C library
// (Φ(z) = erfc(−z/√2)/2): pointwise inversion including the far tails, a Kolmogorov–Smirnov test and
// the moments of 10^6 draws from the engine's addressing, and the 32-bit uniform map's bounds.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hashpivot/random/philox.hpp"

namespace hashpivot::random {
namespace {

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }
double normal_upper(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

// Φ(Φ⁻¹(u)) = u to a relative 1e-13 of the smaller tail probability, from u = 1e-20 (beyond the
// 2^-53 a 52-bit uniform reaches) up to the centre, 1e-12 out to 1e-300 (where an error δ in z moves
// Φ by z·δ relative, z up to 37), and, by exact powers of two, down to 1 − u = 2^-52: both branches
// and both tails.
TEST(NormalQuantile, inverts_the_exact_cdf_across_the_centre_and_both_tails) {
  for (double u = 1e-300; u < 0.5; u *= 1.7) {
    const double z = normal_quantile(u);
    EXPECT_LT(z, 0.0);
    EXPECT_NEAR(normal_cdf(z) / u, 1.0, u >= 1e-20 ? 1e-13 : 1e-12) << u;
  }
  for (int k = 1; k <= 52; ++k) {
    const double tail = std::ldexp(1.0, -k);
    const double z = normal_quantile(1.0 - tail);
    EXPECT_NEAR(normal_upper(z) / tail, 1.0, 1e-12) << k;
  }
  for (double u = 0.05; u < 0.951; u += 0.01) EXPECT_NEAR(normal_cdf(normal_quantile(u)), u, 1e-15) << u;
  EXPECT_EQ(normal_quantile(0.5), 0.0);
}

TEST(NormalQuantile, is_odd_and_increasing) {
  double previous = -INFINITY;
  // From u = 1e-4: 1 − u then rounds by at most 1.1e-16, which moves z by at most 1.1e-16 / φ(3.72) = 3e-13.
  for (double u = 1e-4; u < 1.0; u += 0.0123) {
    const double z = normal_quantile(u);
    EXPECT_GT(z, previous);
    previous = z;
    EXPECT_NEAR(normal_quantile(1.0 - u), -z, 1e-11);
  }
}

// 10^6 draws addressed as the engine addresses them: word64 of Philox blocks through to_open_unit.
// KS statistic against Φ below the 0.1% critical value 1.949/√n; mean, variance, kurtosis and the
// 1.96 tail within 5 standard errors of their N(0,1) values.
TEST(NormalQuantile, philox_draws_pass_kolmogorov_smirnov_and_the_moments) {
  const CounterRng rng(20260201);
  const std::size_t n = 1'000'000;
  std::vector<double> z;
  z.reserve(n);
  for (std::uint32_t i = 0; z.size() < n; ++i) {
    const auto b = rng.bits({Stream::kTest, i, 3});
    z.push_back(normal_quantile(to_open_unit(word64(b, 0))));
    z.push_back(normal_quantile(to_open_unit(word64(b, 1))));
  }
  double sum = 0, sum2 = 0, sum4 = 0;
  std::size_t beyond = 0;
  for (const double x : z) {
    sum += x;
    sum2 += x * x;
    sum4 += x * x * x * x;
    if (std::abs(x) > 1.959963984540054) ++beyond;
  }
  const auto dn = static_cast<double>(n);
  EXPECT_NEAR(sum / dn, 0.0, 5 * std::sqrt(1.0 / dn));
  EXPECT_NEAR(sum2 / dn, 1.0, 5 * std::sqrt(2.0 / dn));
  EXPECT_NEAR(sum4 / dn, 3.0, 5 * std::sqrt(96.0 / dn));
  EXPECT_NEAR(static_cast<double>(beyond) / dn, 0.05, 5 * std::sqrt(0.05 * 0.95 / dn));
  std::sort(z.begin(), z.end());
  double ks = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double f = normal_cdf(z[i]);
    ks = std::max({ks, static_cast<double>(i + 1) / dn - f, f - static_cast<double>(i) / dn});
  }
  EXPECT_LT(ks, 1.949 / std::sqrt(dn));
}

TEST(UniformMaps, stay_inside_the_open_unit_interval_and_split_a_block) {
  EXPECT_GT(to_open_unit32(0), 0.0);
  EXPECT_LT(to_open_unit32(~std::uint32_t{0}), 1.0);
  const std::array<std::uint32_t, 4> b{1u, 2u, 3u, 4u};
  EXPECT_EQ(word64(b, 0), (std::uint64_t{1} << 32) + 2u);
  EXPECT_EQ(word64(b, 1), (std::uint64_t{3} << 32) + 4u);
}

}  // namespace
}  // namespace hashpivot::random
