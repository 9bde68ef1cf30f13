#pragma once
// The compact ("nBits") encoding of a 256-bit target, exactly as Bitcoin Core's
// arith_uint256::SetCompact / GetCompact, including the sign bit and the overflow flag.
//
// Layout: the top byte is a size N in bytes, the low 23 bits a mantissa M, bit 23 a sign:
//   target = M · 256^(N−3)   (M >> 8·(3−N) when N <= 3)

#include <cstdint>

#include "hashpivot/chain/uint256.hpp"

namespace hashpivot::chain {

struct DecodedCompact {
  Uint256 target;
  bool negative;  // sign bit set with a non-zero mantissa
  bool overflow;  // the value does not fit in 256 bits (target is then meaningless)
};

/// SetCompact: decodes `bits`. Never throws; check the flags.
[[nodiscard]] DecodedCompact decode_compact(std::uint32_t bits);

/// GetCompact: encodes `target`, rounding down to the 3-byte mantissa; sets the sign bit when
/// `negative` and the mantissa is non-zero.
[[nodiscard]] std::uint32_t encode_compact(const Uint256& target, bool negative = false);

/// Whether `bits` encodes a usable proof-of-work target: not negative, no overflow, not zero.
[[nodiscard]] bool is_valid_target_bits(std::uint32_t bits);

/// Difficulty as Bitcoin Core's RPC reports it (GetDifficulty): target(0x1d00ffff) / target,
/// computed from the compact fields with the same double operations, so the value matches
/// `getblockchaininfo` to the last bit. The only floating-point output of the chain module,
/// and never an input to a consensus rule.
[[nodiscard]] double difficulty_from_bits(std::uint32_t bits);

}  // namespace hashpivot::chain
