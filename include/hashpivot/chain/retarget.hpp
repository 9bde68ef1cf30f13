#pragma once
// Difficulty retargeting on mainnet (Bitcoin Core, pow.cpp: GetNextWorkRequired and
// CalculateNextWorkRequired), in 256-bit integer arithmetic.
//
// At heights h with h % 2016 == 0 the new target is
//   timespan = clamp(time(h−1) − time(h−2016), T/4, 4T)   (2015 intervals: Core's off-by-one)
//   target   = min(target(bits(h−1)) · timespan / T, powLimit), rounded through the compact form.
// Elsewhere a block keeps its parent's bits (mainnet has no minimum-difficulty or BIP94 rule).

#include <cstdint>

#include "hashpivot/chain/params.hpp"

namespace hashpivot::chain {

/// Whether the block at `height` starts a new difficulty epoch (height % interval == 0, height > 0).
[[nodiscard]] bool is_retarget_height(std::int64_t height, const ConsensusParams& params);

/// The timespan the rule uses after clamping to [T/4, 4T], in seconds.
[[nodiscard]] std::int64_t clamped_timespan_s(std::int64_t first_block_time_unix, std::int64_t last_block_time_unix,
                                              const ConsensusParams& params);

/// CalculateNextWorkRequired: the bits of the first block of the next epoch, from the bits of the
/// epoch's last block and the timestamps of its first and last blocks.
[[nodiscard]] std::uint32_t next_epoch_bits(std::uint32_t last_block_bits, std::int64_t first_block_time_unix,
                                            std::int64_t last_block_time_unix, const ConsensusParams& params);

}  // namespace hashpivot::chain
