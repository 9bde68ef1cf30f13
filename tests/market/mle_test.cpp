#include "hashpivot/market/mle.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "hashpivot/random/philox.hpp"

namespace hashpivot::market {
namespace {

// Normal sample: the MLE is the sample mean and the (1/n) standard deviation, with closed-form
// standard errors sigma/sqrt(n) and sigma/sqrt(2n).
TEST(Mle, recovers_the_closed_form_estimates_and_standard_errors_of_a_normal_sample) {
  const random::CounterRng rng(11);
  std::vector<double> x;
  for (std::uint32_t i = 0; i < 5000; ++i) x.push_back(2.0 + 0.5 * rng.normals({random::Stream::kTest, i, 0})[0]);
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double var = 0;
  for (double v : x) var += (v - mean) * (v - mean);
  var /= static_cast<double>(x.size());
  const double n = static_cast<double>(x.size());

  const LogLikelihood ll = [&](std::span<const double> t) {
    double s = 0;
    for (double v : x) s += -0.5 * std::log(2 * std::numbers::pi * t[1] * t[1]) - (v - t[0]) * (v - t[0]) / (2 * t[1] * t[1]);
    return s;
  };
  const MleResult r = maximize_likelihood(ll, {0.0, 1.0}, {-10, 1e-3}, {10, 10});
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.theta[0], mean, 1e-6);
  EXPECT_NEAR(r.theta[1], std::sqrt(var), 1e-6);
  EXPECT_NEAR(r.se[0], std::sqrt(var / n), 1e-4 * std::sqrt(var / n) + 1e-6);
  EXPECT_NEAR(r.se[1], std::sqrt(var / (2 * n)), 1e-3 * std::sqrt(var / (2 * n)) + 1e-6);
}

// Without standard errors the search is the same (the same θ and likelihood to the bit) and takes
// 2n(n + 1) fewer evaluations: the Hessian's four probes for each of its n(n + 1)/2 entries.
TEST(Mle, without_standard_errors_finds_the_same_optimum_in_fewer_evaluations) {
  const random::CounterRng rng(12);
  std::vector<double> x;
  for (std::uint32_t i = 0; i < 500; ++i) x.push_back(1.0 + 0.3 * rng.normals({random::Stream::kTest, i, 0})[0]);
  int evaluations = 0;
  const LogLikelihood ll = [&](std::span<const double> t) {
    ++evaluations;
    double s = 0;
    for (double v : x) s += -std::log(t[1]) - (v - t[0]) * (v - t[0]) / (2 * t[1] * t[1]);
    return s;
  };
  const MleResult with = maximize_likelihood(ll, {0.0, 1.0}, {-10, 1e-3}, {10, 10});
  const int evaluations_with = evaluations;
  evaluations = 0;
  MleOptions options;
  options.standard_errors = false;
  const MleResult without = maximize_likelihood(ll, {0.0, 1.0}, {-10, 1e-3}, {10, 10}, options);
  constexpr int kParameters = 2;
  EXPECT_EQ(evaluations_with - evaluations, 2 * kParameters * (kParameters + 1));
  EXPECT_EQ(without.theta, with.theta);
  EXPECT_EQ(without.log_likelihood, with.log_likelihood);
  ASSERT_EQ(without.se.size(), 2u);
  EXPECT_TRUE(std::isnan(without.se[0]) && std::isnan(without.se[1]));
  EXPECT_TRUE(std::isfinite(with.se[0]) && with.se[0] > 0);
}

}  // namespace
}  // namespace hashpivot::market
