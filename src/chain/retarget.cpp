#include "hashpivot/chain/retarget.hpp"

#include <algorithm>
#include <limits>

#include "hashpivot/chain/compact.hpp"

namespace hashpivot::chain {

bool is_retarget_height(std::int64_t height, const ConsensusParams& params) {
  return height > 0 && height % params.retarget_interval_blocks() == 0;
}

std::int64_t clamped_timespan_s(std::int64_t first_block_time_unix, std::int64_t last_block_time_unix,
                                const ConsensusParams& params) {
  const std::int64_t target = params.pow_target_timespan_s;
  // Core's block times are 32-bit, so its difference cannot overflow; ours come from files and flags
  // as any 64-bit value. A difference beyond int64 lies far outside [T/4, 4T]: clamp it unformed.
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  if (first_block_time_unix < 0 && last_block_time_unix > kMax + first_block_time_unix) return target * 4;
  if (first_block_time_unix > 0 && last_block_time_unix < kMin + first_block_time_unix) return target / 4;
  return std::clamp(last_block_time_unix - first_block_time_unix, target / 4, target * 4);
}

std::uint32_t next_epoch_bits(std::uint32_t last_block_bits, std::int64_t first_block_time_unix,
                              std::int64_t last_block_time_unix, const ConsensusParams& params) {
  const std::int64_t timespan = clamped_timespan_s(first_block_time_unix, last_block_time_unix, params);
  Uint256 target = decode_compact(last_block_bits).target;
  target *= Uint256(static_cast<std::uint64_t>(timespan));
  target /= Uint256(static_cast<std::uint64_t>(params.pow_target_timespan_s));
  if (target > params.pow_limit) target = params.pow_limit;
  return encode_compact(target);
}

}  // namespace hashpivot::chain
