#include "hashpivot/network/daily_chain.hpp"

#include <cmath>

#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/retarget.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/network/blocks.hpp"

namespace hashpivot::network {

DailyChain make_daily_chain(std::int64_t next_height, std::uint32_t bits, std::int64_t epoch_first_block_time_unix) {
  return {next_height, bits, chain::difficulty_from_bits(bits), epoch_first_block_time_unix};
}

double expected_blocks_per_day(double hashrate_hs, double difficulty) {
  return block_rate_per_s(hashrate_hs, difficulty) * kSecondsPerDay;
}

int advance_chain_day(DailyChain& c, std::int64_t day_start_unix, std::int64_t blocks,
                      const chain::ConsensusParams& params) {
  const std::int64_t interval = params.retarget_interval_blocks();
  const auto seconds = static_cast<std::int64_t>(kSecondsPerDay);
  const auto stamp = [&](std::int64_t j) { return day_start_unix + seconds * j / (blocks + 1); };
  int retargets = 0;
  // Visit only the blocks that open or close an epoch.
  for (std::int64_t j = 1; j <= blocks;) {
    const std::int64_t height = c.next_height + j - 1;
    const std::int64_t r = height % interval;
    if (r == 0) c.epoch_first_block_time_unix = stamp(j);
    if (r == interval - 1) {
      c.bits = chain::next_epoch_bits(c.bits, c.epoch_first_block_time_unix, stamp(j), params);
      c.difficulty = chain::difficulty_from_bits(c.bits);
      ++retargets;
      j += 1;
    } else {
      j += interval - 1 - r;
    }
  }
  c.next_height += blocks;
  return retargets;
}

}  // namespace hashpivot::network
