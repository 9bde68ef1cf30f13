// The number formatting every command shares: each kind, "-" for what is not finite, no negative zero.

#include "hashpivot/report/format.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace hashpivot::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(Format, each_kind_writes_its_unit_and_digits) {
  EXPECT_EQ(millions(12'345'678), "12.3");
  EXPECT_EQ(millions(-2'550'000), "-2.5");  // 2.55 is 2.5499… in binary
  EXPECT_EQ(millions(1'234'567, 2), "1.23");
  EXPECT_EQ(dollars(41'234.6), "41235");
  EXPECT_EQ(percent(0.125), "12.5%");
  EXPECT_EQ(percent(0.01234, 2), "1.23%");
  EXPECT_EQ(percent(1), "100.0%");
  EXPECT_EQ(fixed(3.14159, 2), "3.14");
  EXPECT_EQ(fixed(2.6, 0), "3");
  EXPECT_EQ(count(1046.4), "1046");
  EXPECT_EQ(significant(0.000123456, 3), "0.000123");
  EXPECT_EQ(significant(1234567.0, 6), "1.23457e+06");
}

TEST(Format, values_that_are_not_finite_are_a_dash) {
  for (const double x : {kNaN, kInf, -kInf}) {
    EXPECT_EQ(millions(x), "-");
    EXPECT_EQ(dollars(x), "-");
    EXPECT_EQ(percent(x), "-");
    EXPECT_EQ(fixed(x, 2), "-");
    EXPECT_EQ(count(x), "-");
    EXPECT_EQ(significant(x, 6), "-");
    EXPECT_TRUE(number_or_null(x).is_null());
  }
  EXPECT_EQ(number_or_null(1.5).get<double>(), 1.5);
}

// The remedies leave a few cents of rounding; they print as zero, not "-0.0".
TEST(Format, a_small_negative_value_rounds_to_an_unsigned_zero) {
  EXPECT_EQ(millions(-30'000), "0.0");
  EXPECT_EQ(millions(-0.0), "0.0");
  EXPECT_EQ(percent(-1e-9), "0.0%");
  EXPECT_EQ(fixed(-0.004, 2), "0.00");
  EXPECT_EQ(significant(-0.0, 6), "0");
  EXPECT_EQ(millions(-60'000), "-0.1");
}

TEST(Format, metric_text_follows_the_metric_format) {
  EXPECT_EQ(metric_text(sim::MetricFormat::kMillionsUsd, 12'345'678), "12.3");
  EXPECT_EQ(metric_text(sim::MetricFormat::kDollars, 41'234.6), "41235");
  EXPECT_EQ(metric_text(sim::MetricFormat::kPercent, 0.125), "12.5%");
  EXPECT_EQ(metric_text(sim::MetricFormat::kWhole, 1046.6), "1047");
  EXPECT_EQ(metric_text(sim::MetricFormat::kFixed2, 36.064), "36.06");
  EXPECT_EQ(metric_text(sim::MetricFormat::kPercent, kNaN), "-");
}

}  // namespace
}  // namespace hashpivot::report
