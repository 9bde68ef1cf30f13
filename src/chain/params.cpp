#include "hashpivot/chain/params.hpp"

#include "hashpivot/core/units.hpp"

namespace hashpivot::chain {

ConsensusParams ConsensusParams::mainnet() {
  return ConsensusParams{
      .subsidy_halving_interval_blocks = 210'000,
      .initial_subsidy_sat = 50 * kSatPerBtc,
      .pow_target_timespan_s = 14 * static_cast<std::int64_t>(kSecondsPerDay),   // two weeks
      .pow_target_spacing_s = 10 * static_cast<std::int64_t>(kSecondsPerMinute),  // ten minutes
      .pow_limit = Uint256::from_hex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
  };
}

}  // namespace hashpivot::chain
