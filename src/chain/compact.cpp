#include "hashpivot/chain/compact.hpp"

#include <cassert>

namespace hashpivot::chain {

DecodedCompact decode_compact(std::uint32_t bits) {
  const unsigned size = bits >> 24;
  std::uint32_t word = bits & 0x007fffffu;
  Uint256 target;
  if (size <= 3) {
    word >>= 8 * (3 - size);
    target = Uint256(word);
  } else {
    target = Uint256(word) << (8 * (size - 3));
  }
  const bool negative = word != 0 && (bits & 0x00800000u) != 0;
  const bool overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return {target, negative, overflow};
}

std::uint32_t encode_compact(const Uint256& target, bool negative) {
  unsigned size = static_cast<unsigned>(target.bits() + 7) / 8;
  std::uint32_t compact = 0;
  if (size <= 3) compact = static_cast<std::uint32_t>(target.low64() << (8 * (3 - size)));
  else compact = static_cast<std::uint32_t>((target >> (8 * (size - 3))).low64());
  // The mantissa is signed: if its top bit would be set, move a byte into the exponent.
  if ((compact & 0x00800000u) != 0) {
    compact >>= 8;
    ++size;
  }
  assert((compact & ~0x007fffffu) == 0 && size < 256);
  compact |= size << 24;
  if (negative && (compact & 0x007fffffu) != 0) compact |= 0x00800000u;
  return compact;
}

bool is_valid_target_bits(std::uint32_t bits) {
  const DecodedCompact decoded = decode_compact(bits);
  return !decoded.negative && !decoded.overflow && !decoded.target.is_zero();
}

double difficulty_from_bits(std::uint32_t bits) {
  // Bitcoin Core rpc/blockchain.cpp GetDifficulty: the same sequence of double operations.
  int shift = static_cast<int>((bits >> 24) & 0xff);
  double difficulty = 65535.0 / static_cast<double>(bits & 0x00ffffffu);
  while (shift < 29) {
    difficulty *= 256.0;
    ++shift;
  }
  while (shift > 29) {
    difficulty /= 256.0;
    --shift;
  }
  return difficulty;
}

}  // namespace hashpivot::chain
