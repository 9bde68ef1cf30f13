#include "hashpivot/network/hashprice.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace hashpivot::network {
namespace {

TEST(Hashprice, reproduces_the_model_check_of_february_2026) {
  // docs/model.md §2: D = 144.4 T, $68,000, reward 3.161 BTC (3.125 subsidy + 0.036 fees) → about $29.9.
  const double usd = hashprice_usd_per_ph_day(144.4e12, 3.161, 68'000);
  EXPECT_NEAR(usd, 29.9, 0.05);
}

TEST(Hashprice, at_difficulty_one_a_ph_finds_86400e15_over_2_to_32_blocks_a_day) {
  EXPECT_DOUBLE_EQ(blocks_per_ph_day(1.0), 86400e15 / std::ldexp(1.0, 32));
}

TEST(Hashprice, scales_with_reward_and_price_and_inversely_with_difficulty) {
  const double base = hashprice_usd_per_ph_day(1e14, 3.125, 50'000);
  EXPECT_DOUBLE_EQ(hashprice_usd_per_ph_day(2e14, 3.125, 50'000), base / 2);
  EXPECT_DOUBLE_EQ(hashprice_usd_per_ph_day(1e14, 6.25, 50'000), base * 2);
  EXPECT_DOUBLE_EQ(hashprice_btc_per_ph_day(1e14, 3.125) * 50'000, base);
}

TEST(Hashprice, network_wide_revenue_equals_blocks_times_reward) {
  // If the whole network (H = D·2^32/600 hashes/s) is summed, it earns 144 blocks a day.
  const double difficulty = 86388558925171.01;
  const double network_ph = difficulty * std::ldexp(1.0, 32) / 600.0 / 1e15;
  EXPECT_NEAR(network_ph * hashprice_btc_per_ph_day(difficulty, 3.125), 144 * 3.125, 1e-9);
}

}  // namespace
}  // namespace hashpivot::network
