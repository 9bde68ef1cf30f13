#include "hashpivot/chain/params.hpp"

namespace hashpivot::chain {

ConsensusParams ConsensusParams::mainnet() {
  return ConsensusParams{
      .subsidy_halving_interval_blocks = 210'000,
      .initial_subsidy_sat = 50 * kSatPerBtc,
      .pow_target_timespan_s = 14 * 24 * 60 * 60,
      .pow_target_spacing_s = 10 * 60,
      .pow_limit = Uint256::from_hex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
  };
}

}  // namespace hashpivot::chain
