#include "hashpivot/random/poisson.hpp"

#include <array>
#include <cassert>
#include <cmath>

#include "hashpivot/core/rounding.hpp"

namespace hashpivot::random {
namespace {

constexpr double kPtrsMinMean = 10.0;
/// Means are capped here so that the draw stays in range (the header's contract).
constexpr double kMaxMean = 1e12;

// ln(k!) for k = 0..15, exact to double rounding (computed as sums of logs at compile time would
// need constexpr log; the values below are ln of the exact integers k!).
constexpr std::array<double, 16> kLogFactorialTable{
    0.0,
    0.0,
    0.69314718055994530942,
    1.79175946922805500081,
    3.17805383034794561964,
    4.78749174278204599425,
    6.57925121201010099506,
    8.52516136106541430017,
    10.60460290274525022842,
    12.80182748008146961121,
    15.10441257307551529523,
    17.50230784587388583929,
    19.98721449566188614952,
    22.55216385312342288557,
    25.19122118273868150009,
    27.89927138384089156609,
};

std::int64_t poisson_inversion(double mean, double uniform) {
  double probability_k = std::exp(-mean);
  double cdf = probability_k;
  std::int64_t k = 0;
  // Rounding can leave the CDF a hair below a uniform very close to 1; the cap ends the search.
  const double cap = mean + 40.0 * std::sqrt(mean) + 40.0;
  while (cdf < uniform && static_cast<double>(k) < cap) {
    ++k;
    probability_k *= mean / static_cast<double>(k);
    cdf += probability_k;
  }
  return k;
}

}  // namespace

double log_factorial(std::int64_t k) {
  assert(k >= 0);
  if (k < static_cast<std::int64_t>(kLogFactorialTable.size())) return kLogFactorialTable[static_cast<std::size_t>(k)];
  const double x = static_cast<double>(k);
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  // ln k! = (k + 1/2) ln k − k + ln √(2π) + 1/(12k) − 1/(360k³) + 1/(1260k⁵) − …
  constexpr double kLogSqrtTwoPi = 0.91893853320467274178;
  return (x + 0.5) * std::log(x) - x + kLogSqrtTwoPi + inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 / 1260.0));
}

std::int64_t poisson(const CounterRng& rng, DrawAddress at, double mean) {
  assert(mean >= 0.0);
  if (!(mean > 0.0)) return 0;
  if (mean > kMaxMean) mean = kMaxMean;
  if (mean < kPtrsMinMean) return poisson_inversion(mean, rng.uniforms(at)[0]);
  // PTRS constants (Hörmann 1993, Table 1 / algorithm PTRS).
  const double sqrt_mean = std::sqrt(mean);
  const double b = 0.931 + 2.53 * sqrt_mean;
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double v_r = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const std::array<double, 2> uv = rng.uniforms(at);
    ++at.block;
    const double u = uv[0] - 0.5;
    const double v = uv[1];
    const double us = 0.5 - std::fabs(u);
    const double x = (2.0 * a / us + b) * u + mean + 0.43;  // k = floor(x)
    if (us >= 0.07 && v <= v_r) return floor_to_int64(x);
    if (x < 0.0 || (us < 0.013 && v > us)) continue;
    const std::int64_t k = floor_to_int64(x);
    const auto k_real = static_cast<double>(k);
    // ln(mean) only here, once a draw fails the squeeze: about 70% of draws at the mean of 144 blocks
    // a day return before it (P(us >= 0.07) * v_r = 0.86 * 0.80).
    if (std::log(v * inv_alpha / (a / (us * us) + b)) <= -mean + k_real * std::log(mean) - log_factorial(k)) return k;
  }
}

}  // namespace hashpivot::random
