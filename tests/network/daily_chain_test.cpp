#include "hashpivot/network/daily_chain.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/retarget.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/network/blocks.hpp"
#include "hashpivot/random/poisson.hpp"

namespace hashpivot::network {
namespace {

using chain::ConsensusParams;

constexpr std::uint32_t kBits840k = 0x17034219;  // the bits at height 840,000
constexpr std::int64_t kEpochStartHeight = 840'672;  // a multiple of 2016
constexpr std::int64_t kStartUnix = 1'700'006'400;   // a midnight (UTC)

// With exactly 144 blocks a day, an epoch opened by the first block of day 0 closes with block
// 2016 = 14 × 144, the last block of day 13; both stamps are at j/(n+1) of their day, and the new
// bits are Core's rule applied to those two timestamps.
TEST(DailyChain, stamps_blocks_inside_the_day_and_retargets_by_cores_rule) {
  const ConsensusParams params = ConsensusParams::mainnet();
  DailyChain c = make_daily_chain(kEpochStartHeight, kBits840k, 0);
  int retargets = 0;
  for (int day = 0; day < 14; ++day) retargets += advance_chain_day(c, kStartUnix + day * 86'400LL, 144, params);
  EXPECT_EQ(retargets, 1);
  EXPECT_EQ(c.next_height, kEpochStartHeight + 2016);
  const std::int64_t first = kStartUnix + 86'400LL * 1 / 145;
  const std::int64_t last = kStartUnix + 13 * 86'400LL + 86'400LL * 144 / 145;
  EXPECT_EQ(c.bits, chain::next_epoch_bits(kBits840k, first, last, params));
  EXPECT_NE(c.bits, kBits840k);
  EXPECT_EQ(c.difficulty, chain::difficulty_from_bits(c.bits));
  // The next epoch opened with the block after the retarget, the first of day 14.
  advance_chain_day(c, kStartUnix + 14 * 86'400LL, 144, params);
  EXPECT_EQ(c.epoch_first_block_time_unix, kStartUnix + 14 * 86'400LL + 86'400LL / 145);
  // A day without blocks changes nothing.
  const DailyChain before = c;
  EXPECT_EQ(advance_chain_day(c, kStartUnix + 15 * 86'400LL, 0, params), 0);
  EXPECT_EQ(c.next_height, before.next_height);
  EXPECT_EQ(c.bits, before.bits);
}

TEST(DailyChain, expected_blocks_follow_hashrate_over_difficulty) {
  const double d = chain::difficulty_from_bits(kBits840k);
  const double h = d * kHashesPerDifficulty / 600.0;  // one block per 600 s
  EXPECT_NEAR(expected_blocks_per_day(h, d), 144.0, 1e-9);
  EXPECT_NEAR(expected_blocks_per_day(2 * h, d), 288.0, 1e-9);
}

// The daily model against the event-level simulator (every block drawn): the distribution of the
// first retarget's log difficulty change at a constant hashrate must agree in mean and spread.
TEST(DailyChain, retarget_distribution_matches_the_event_level_simulator) {
  const ConsensusParams params = ConsensusParams::mainnet();
  const double d0 = chain::difficulty_from_bits(kBits840k);
  const double hashrate_hs = 1.05 * d0 * kHashesPerDifficulty / 600.0;  // 5% above the target rate
  const random::CounterRng rng(42);
  constexpr std::uint32_t kPaths = 400;
  std::vector<double> daily, event;
  for (std::uint32_t path = 0; path < kPaths; ++path) {
    // Daily model; the epoch opens with the first block of day 0.
    DailyChain c = make_daily_chain(kEpochStartHeight, kBits840k, 0);
    for (std::uint32_t day = 0; c.next_height < kEpochStartHeight + 2016; ++day) {
      const auto n = random::poisson(rng, {random::Stream::kBlockArrivals, path, day, 0},
                                     expected_blocks_per_day(hashrate_hs, c.difficulty));
      advance_chain_day(c, kStartUnix + static_cast<std::int64_t>(day) * 86'400, n, params);
    }
    daily.push_back(std::log(c.difficulty / d0));
    // Event level.
    BlockSimulator sim(params, ChainState{kEpochStartHeight, kBits840k, 0, static_cast<double>(kStartUnix)});
    for (std::uint32_t day = 0; sim.state().next_height < kEpochStartHeight + 2016; ++day)
      (void)sim.simulate_day(random::CounterRng(7), path, day, static_cast<double>(kStartUnix) + day * kSecondsPerDay,
                             hashrate_hs);
    event.push_back(std::log(sim.difficulty() / d0));
  }
  const auto mean_sd = [](const std::vector<double>& x) {
    double m = 0, ss = 0;
    for (double v : x) m += v;
    m /= static_cast<double>(x.size());
    for (double v : x) ss += (v - m) * (v - m);
    return std::pair{m, std::sqrt(ss / static_cast<double>(x.size() - 1))};
  };
  const auto [daily_mean, daily_sd] = mean_sd(daily);
  const auto [event_mean, event_sd] = mean_sd(event);
  // Closed form: the epoch's 2015 intervals at 5% above the target rate: ln(1.05 · 2016/2015).
  const double expected = std::log(1.05 * 2016.0 / 2015.0);
  const double se = event_sd / std::sqrt(static_cast<double>(kPaths));
  EXPECT_NEAR(event_mean, expected, 4 * se);
  EXPECT_NEAR(daily_mean, event_mean, 4 * std::sqrt(2.0) * se);
  // Spread: 1/√2015 ≈ 0.0223 for both; the sample sd of 400 values has ~3.5% relative error.
  EXPECT_NEAR(daily_sd / event_sd, 1.0, 0.2);
  EXPECT_NEAR(event_sd, 1.0 / std::sqrt(2015.0), 0.15 / std::sqrt(2015.0));
}

}  // namespace
}  // namespace hashpivot::network
