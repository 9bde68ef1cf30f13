#pragma once
// The consensus constants hashpivot needs, as a value passed to every rule (never a global), so
// tests can use regtest-like intervals and the rules stay pure functions.

#include <cstdint>
#include <limits>

#include "hashpivot/chain/uint256.hpp"

namespace hashpivot::chain {

struct ConsensusParams {
  std::int64_t subsidy_halving_interval_blocks;
  std::int64_t initial_subsidy_sat;
  std::int64_t pow_target_timespan_s;  // T: two weeks on mainnet
  std::int64_t pow_target_spacing_s;   // the block interval the rule aims for
  Uint256 pow_limit;                   // the easiest target allowed

  /// Blocks between retargets: T / spacing (2016 on mainnet).
  [[nodiscard]] std::int64_t retarget_interval_blocks() const { return pow_target_timespan_s / pow_target_spacing_s; }

  /// Bitcoin mainnet (Bitcoin Core, src/kernel/chainparams.cpp, CMainParams).
  static ConsensusParams mainnet();
};

/// Satoshis per bitcoin.
inline constexpr std::int64_t kSatPerBtc = 100'000'000;

/// Bitcoin Core keeps a block height in a 32-bit int (CBlockIndex::nHeight) and a block time in a
/// 32-bit unsigned (CBlockHeader::nTime): a larger value is no block's.
inline constexpr std::int64_t kMaxBlockHeight = std::numeric_limits<std::int32_t>::max();
inline constexpr std::int64_t kMaxBlockTime = std::numeric_limits<std::uint32_t>::max();

}  // namespace hashpivot::chain
