#pragma once
// The chain advanced one day at a time, for the engine's daily loop: the number of blocks found in
// a day is drawn (Poisson, exact), and retargets follow Bitcoin Core's rule exactly
// (chain::next_epoch_bits) from timestamps placed inside the day.
//
// Why not the event-level BlockSimulator (network/blocks.hpp): it draws every block (~144 a day)
// and the engine needs one draw per path-day. Given a day's count n, the arrival times inside the
// day are the order statistics of n uniforms; block j (1..n) is stamped at its expected position
// day_start + 86400·j/(n+1) s. The dropped within-day spread has sd below 86400/(2·√(n+2)) ≈ 3,600 s,
// small against the ~27,000 s sd of an epoch's duration that the daily counts carry (the tests
// compare the retarget distribution with BlockSimulator's).
//
// Hashprice for the firm uses the difficulty and subsidy in force at the start of the day; a
// retarget or halving inside a day takes effect the next day.

#include <cstdint>

#include "hashpivot/chain/params.hpp"

namespace hashpivot::network {

struct DailyChain {
  std::int64_t next_height = 0;                  // height of the next block to be found
  std::uint32_t bits = 0;                        // compact bits in force for that block
  double difficulty = 0;                         // chain::difficulty_from_bits(bits)
  std::int64_t epoch_first_block_time_unix = 0;  // timestamp of the current epoch's first block
};

/// A chain at `next_height` with `bits` in force and its epoch started at `epoch_first_block_time_unix`.
[[nodiscard]] DailyChain make_daily_chain(std::int64_t next_height, std::uint32_t bits,
                                          std::int64_t epoch_first_block_time_unix);

/// Expected blocks in one day at network hashrate `hashrate_hs` (H/s) and difficulty D:
/// H · 86400 / (2^32 · D).
[[nodiscard]] double expected_blocks_per_day(double hashrate_hs, double difficulty);

/// Adds `blocks` blocks found during the day starting at `day_start_unix` (block j of n stamped at
/// day_start + floor(86400·j/(n+1))). A block at height h ≡ 0 (mod 2016) starts an epoch; one at
/// h ≡ 2015 closes it and sets the next bits by chain::next_epoch_bits. Returns the retargets done.
int advance_chain_day(DailyChain& chain, std::int64_t day_start_unix, std::int64_t blocks,
                      const chain::ConsensusParams& params);

}  // namespace hashpivot::network
