#include "hashpivot/core/rounding.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace hashpivot {
namespace {

// floor_to_int64 against the library's floor: integers, either side of them, the ends of the range
// where doubles still have a fraction (2^52) and where they are all integers, and random values.
TEST(FloorToInt64, equals_std_floor) {
  const double below_one = std::nextafter(1.0, 0.0);
  const double two_52 = 0x1.0p52;
  for (const double x : {0.0, -0.0, 0.5, -0.5, 1.0, -1.0, below_one, -below_one, 2.999999999, -2.000000001,
                         std::nextafter(-3.0, 0.0), std::nextafter(-3.0, -4.0), two_52 - 0.5, -(two_52 - 0.5),
                         two_52 + 1.0, -(two_52 + 1.0), 0x1.0p62, -0x1.0p62, std::numeric_limits<double>::denorm_min(),
                         -std::numeric_limits<double>::denorm_min()}) {
    EXPECT_EQ(floor_to_int64(x), static_cast<std::int64_t>(std::floor(x))) << x;
  }
  std::mt19937_64 engine(20261204);
  std::uniform_real_distribution<double> exponent(-8.0, 60.0);
  std::uniform_real_distribution<double> sign(-1.0, 1.0);
  for (int i = 0; i < 100000; ++i) {
    const double x = std::copysign(std::exp2(exponent(engine)), sign(engine));
    ASSERT_EQ(floor_to_int64(x), static_cast<std::int64_t>(std::floor(x))) << x;
  }
}

}  // namespace
}  // namespace hashpivot
