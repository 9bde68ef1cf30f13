#pragma once
// Work: the expected number of hashes to find one block (Bitcoin Core, chain.cpp, GetBlockProof).

#include <cstdint>

#include "hashpivot/chain/uint256.hpp"

namespace hashpivot::chain {

/// 2^32: the expected hashes per block at difficulty 1 (a target of 0xffff · 2^208).
inline constexpr double kHashesPerDifficulty = 4294967296.0;

/// 2^256 / (target + 1), computed as ~target / (target + 1) + 1 so it fits in 256 bits.
/// Zero for bits that are negative, overflow or encode a zero target (as Core).
[[nodiscard]] Uint256 block_work(std::uint32_t bits);

}  // namespace hashpivot::chain
