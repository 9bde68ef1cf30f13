#pragma once
// Block subsidy and the halving schedule (Bitcoin Core, validation.cpp, GetBlockSubsidy).

#include <cstdint>
#include <vector>

#include "hashpivot/chain/params.hpp"

namespace hashpivot::chain {

/// Subsidy of the block at `height` in satoshis:
///   halvings = height / interval; 0 if halvings >= 64; else initial_subsidy >> halvings.
/// Precondition: height >= 0.
[[nodiscard]] std::int64_t block_subsidy_sat(std::int64_t height, const ConsensusParams& params);

/// Height of the first block of halving era `index` (0 is the genesis era): index · interval.
[[nodiscard]] std::int64_t halving_height(std::int64_t index, const ConsensusParams& params);

struct HalvingEstimate {
  std::int64_t index;          // 1 for the first halving
  std::int64_t height;         // first block with the reduced subsidy
  std::int64_t subsidy_sat;    // subsidy from that height on
  std::int64_t est_time_unix;  // reference time + (height - reference height) · mean block interval
};

/// The next `count` halvings after `reference_height`, each dated by extrapolating from the block
/// at `reference_height` mined at `reference_time_unix` with `mean_block_interval_s` per block.
/// Halvings already past are not listed. Preconditions: count >= 0, mean_block_interval_s > 0.
[[nodiscard]] std::vector<HalvingEstimate> next_halvings(std::int64_t reference_height, std::int64_t reference_time_unix,
                                                         std::int64_t mean_block_interval_s, int count,
                                                         const ConsensusParams& params);

}  // namespace hashpivot::chain
