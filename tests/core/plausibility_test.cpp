// The table of plausible ranges and the text of a warning: bounds inclusive, NaN (unknown) never
// implausible, numbers written as people write them, the message located like an InputError's.

#include "hashpivot/core/plausibility.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>

namespace hashpivot {
namespace {

TEST(Plausibility, every_range_has_a_unique_key_ordered_bounds_and_a_reason) {
  std::set<std::string_view> keys;
  for (const PlausibleRange& range : kPlausibleRanges) {
    EXPECT_TRUE(keys.insert(range.key).second) << range.key;
    EXPECT_LE(range.min, range.max) << range.key;
    EXPECT_FALSE(range.why.empty()) << range.key;
    EXPECT_EQ(&plausible_range(range.key), &range);
  }
}

TEST(Plausibility, bounds_are_inclusive_and_unknown_is_not_implausible) {
  const PlausibleRange& price = plausible_range("market.btc_price_usd");
  EXPECT_FALSE(implausibility(price, 1'000).has_value());
  EXPECT_FALSE(implausibility(price, 1'000'000).has_value());
  EXPECT_TRUE(implausibility(price, 999.99).has_value());
  EXPECT_TRUE(implausibility(price, 1'000'000.01).has_value());
  EXPECT_FALSE(implausibility(price, std::numeric_limits<double>::quiet_NaN()).has_value());
}

TEST(Plausibility, the_problem_names_the_value_the_range_and_the_hint_of_its_side) {
  const PlausibleRange& price = plausible_range("market.btc_price_usd");
  EXPECT_EQ(*implausibility(price, 78.7),
            "78.7 is outside the plausible range 1,000–1,000,000 USD/BTC (a price in thousands of USD?)");
  EXPECT_EQ(*implausibility(price, 7'870'239), "7,870,239 is outside the plausible range 1,000–1,000,000 USD/BTC "
                                               "(a price in cents?)");
  // No hint on a side without one, no unit where the range has none.
  EXPECT_EQ(*implausibility(plausible_range("sites.capacity_mw"), -0.5),
            "-0.5 is outside the plausible range 0–2,000 MW");
  EXPECT_EQ(describe_range(plausible_range("PriceUSD daily log return (history CSV)")), "-1–1");
  EXPECT_EQ(describe_range(plausible_range("market.history (block_bootstrap)")), "1 halving era(s) spanned");
}

TEST(Plausibility, numbers_read_as_people_write_them) {
  EXPECT_EQ(readable_number(78.7), "78.7");
  EXPECT_EQ(readable_number(0.01892), "0.01892");
  EXPECT_EQ(readable_number(1234.5), "1234.5");          // a fraction under 10,000 keeps its digits
  EXPECT_EQ(readable_number(1000), "1,000");
  EXPECT_EQ(readable_number(-898272), "-898,272");
  EXPECT_EQ(readable_number(12345.6), "12,346");
  EXPECT_EQ(readable_number(8.4e9), "8,400,000,000");
  EXPECT_EQ(readable_number(1e20), "1e+20");
}

TEST(Plausibility, a_warning_reads_like_an_input_error) {
  EXPECT_EQ((InputWarning{"x.toml", 12, 0, "market.btc_price_usd", "too low"}).message(),
            "x.toml:12: market.btc_price_usd: too low");
  EXPECT_EQ((InputWarning{"h.csv", 9, 2, "PriceUSD", "too high"}).message(), "h.csv:9:2: PriceUSD: too high");
  EXPECT_EQ((InputWarning{"x.toml", 0, 0, "market.history", "earlier eras"}).message(),
            "x.toml: market.history: earlier eras");
}

}  // namespace
}  // namespace hashpivot
