#include "hashpivot/market/sample_moments.hpp"

#include <gtest/gtest.h>

#include <array>

namespace hashpivot::market {
namespace {

TEST(SampleMoments, match_hand_computed_values_of_a_small_sample) {
  // {1, 2, 3, 4}: mean 2.5; deviations ±0.5, ±1.5; m2 = 1.25, m3 = 0, m4 = (2·5.0625 + 2·0.0625)/4 = 2.5625.
  const std::array<double, 4> x{1, 2, 3, 4};
  const SampleMoments m = sample_moments(x);
  EXPECT_EQ(m.count, 4u);
  EXPECT_DOUBLE_EQ(m.mean, 2.5);
  EXPECT_DOUBLE_EQ(m.variance, 1.25);
  EXPECT_DOUBLE_EQ(m.unbiased_variance(), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.skewness, 0.0);
  EXPECT_DOUBLE_EQ(m.excess_kurtosis, 2.5625 / (1.25 * 1.25) - 3.0);
}

TEST(SampleMoments, skewness_has_the_sign_of_the_long_tail) {
  const std::array<double, 5> right{0, 0, 0, 0, 10};
  EXPECT_GT(sample_moments(right).skewness, 0.0);
  const std::array<double, 5> left{0, 0, 0, 0, -10};
  EXPECT_LT(sample_moments(left).skewness, 0.0);
}

}  // namespace
}  // namespace hashpivot::market
