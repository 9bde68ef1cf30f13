#include "hashpivot/chain/subsidy.hpp"

#include <cassert>

namespace hashpivot::chain {

std::int64_t block_subsidy_sat(std::int64_t height, const ConsensusParams& params) {
  assert(height >= 0);
  const std::int64_t halvings = height / params.subsidy_halving_interval_blocks;
  // Shifting a 64-bit value by 64 or more is undefined; Core returns zero there.
  if (halvings >= 64) return 0;
  return params.initial_subsidy_sat >> halvings;
}

std::int64_t halving_height(std::int64_t index, const ConsensusParams& params) {
  return index * params.subsidy_halving_interval_blocks;
}

std::vector<HalvingEstimate> next_halvings(std::int64_t reference_height, std::int64_t reference_time_unix,
                                           std::int64_t mean_block_interval_s, int count,
                                           const ConsensusParams& params) {
  assert(count >= 0 && mean_block_interval_s > 0 && reference_height >= 0);
  std::vector<HalvingEstimate> out;
  std::int64_t index = reference_height / params.subsidy_halving_interval_blocks + 1;
  for (int i = 0; i < count; ++i, ++index) {
    const std::int64_t height = halving_height(index, params);
    out.push_back({index, height, block_subsidy_sat(height, params),
                   reference_time_unix + (height - reference_height) * mean_block_interval_s});
  }
  return out;
}

}  // namespace hashpivot::chain
