// libFuzzer target: the compact ("nBits") encoding (chain/compact.hpp), the difficulty and work of
// bits, and the retarget rule, each checked against an independent byte-by-byte reference.
//
// Input (zero-padded when short): bits (4 bytes, big-endian) | first block time (8, big-endian,
// signed) | last block time (8) | a 256-bit target (the rest, up to 32 bytes, big-endian).
// Seeds: data/chain's compact and retarget vectors, written in this layout by scripts/fuzz.sh.
//
// Nothing here throws: any fault (a sanitizer report, a wrong value) is a finding.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/retarget.hpp"
#include "hashpivot/chain/work.hpp"

namespace {

using hashpivot::chain::Uint256;
using hashpivot::fuzz::finding;

constexpr const char* kTarget = "compact_bits";
constexpr std::size_t kTargetBytes = 32;
constexpr std::uint32_t kSignBit = 0x00800000u;
constexpr std::uint32_t kMantissaMask = 0x007fffffu;

// A 256-bit number as 32 bytes, least significant first: the reference's representation.
using Bytes = std::array<std::uint8_t, kTargetBytes>;

struct Input {
  std::uint32_t bits = 0;
  std::int64_t first_time = 0;
  std::int64_t last_time = 0;
  Bytes target{};
};

std::uint64_t big_endian(const std::uint8_t* data, std::size_t size, std::size_t at, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) value = (value << 8) | (at + i < size ? data[at + i] : 0u);
  return value;
}

Input parse(const std::uint8_t* data, std::size_t size) {
  Input in;
  in.bits = static_cast<std::uint32_t>(big_endian(data, size, 0, 4));
  in.first_time = static_cast<std::int64_t>(big_endian(data, size, 4, 8));
  in.last_time = static_cast<std::int64_t>(big_endian(data, size, 12, 8));
  const std::size_t rest = size > 20 ? std::min(size - 20, kTargetBytes) : 0;
  for (std::size_t i = 0; i < rest; ++i) in.target[rest - 1 - i] = data[20 + i];
  return in;
}

std::string hex_of(const Bytes& bytes) {
  std::string hex;
  for (std::size_t i = kTargetBytes; i-- > 0;) hex += fmt::format("{:02x}", bytes[i]);
  return hex;
}

// SetCompact, one mantissa byte at a time: byte k of the mantissa (k = 0 its most significant) has
// weight 256^(size − 1 − k); bytes below weight 1 are dropped, bytes at or above 256^32 overflow.
struct Reference {
  Bytes target{};
  bool negative = false;
  bool overflow = false;
};

Reference reference_decode(std::uint32_t bits) {
  Reference r;
  const int size = static_cast<int>(bits >> 24);
  const std::uint32_t mantissa = bits & kMantissaMask;
  bool any_kept = false;
  for (int k = 0; k < 3; ++k) {
    const auto byte = static_cast<std::uint8_t>(mantissa >> (8 * (2 - k)));
    const int position = size - 1 - k;
    if (position < 0 || byte == 0) continue;
    any_kept = true;
    if (position >= static_cast<int>(kTargetBytes)) r.overflow = true;
    else r.target[static_cast<std::size_t>(position)] = byte;
  }
  r.negative = any_kept && (bits & kSignBit) != 0;
  return r;
}

// GetCompact: the size in bytes and the top three bytes, moved one byte up when the top bit of the
// mantissa would read as the sign.
std::uint32_t reference_encode(const Bytes& target, bool negative) {
  std::uint32_t size = 0;
  for (std::size_t i = kTargetBytes; i-- > 0;)
    if (target[i] != 0) {
      size = static_cast<std::uint32_t>(i + 1);
      break;
    }
  std::uint32_t mantissa = 0;
  for (std::uint32_t k = 0; k < 3; ++k) {
    const std::int64_t position = static_cast<std::int64_t>(size) - 1 - k;
    mantissa = (mantissa << 8) | (position >= 0 ? target[static_cast<std::size_t>(position)] : 0u);
  }
  if ((mantissa & kSignBit) != 0) {
    mantissa >>= 8;
    ++size;
  }
  return (size << 24) | mantissa | (negative && mantissa != 0 ? kSignBit : 0u);
}

void check_decode(std::uint32_t bits) {
  const hashpivot::chain::DecodedCompact decoded = hashpivot::chain::decode_compact(bits);
  const Reference expected = reference_decode(bits);
  if (decoded.negative != expected.negative || decoded.overflow != expected.overflow)
    finding(kTarget, fmt::format("0x{:08x}: negative/overflow {}/{}, expected {}/{}", bits, decoded.negative,
                                 decoded.overflow, expected.negative, expected.overflow));
  if (!expected.overflow && decoded.target.to_hex() != hex_of(expected.target))
    finding(kTarget, fmt::format("0x{:08x} decodes to {}, expected {}", bits, decoded.target.to_hex(), hex_of(expected.target)));
  const bool valid = !expected.negative && !expected.overflow && !decoded.target.is_zero();
  if (hashpivot::chain::is_valid_target_bits(bits) != valid) finding(kTarget, fmt::format("0x{:08x}: validity", bits));
  if (!expected.overflow) {
    // The round trip: a decoded target is exact in three bytes, so encoding gives it back.
    const std::uint32_t again = hashpivot::chain::encode_compact(decoded.target, decoded.negative);
    const hashpivot::chain::DecodedCompact round = hashpivot::chain::decode_compact(again);
    if (round.target != decoded.target || round.negative != decoded.negative || round.overflow)
      finding(kTarget, fmt::format("0x{:08x} -> 0x{:08x} does not decode to the same target", bits, again));
  }
  const Uint256 work = hashpivot::chain::block_work(bits);
  if (work.is_zero() == valid) finding(kTarget, fmt::format("0x{:08x}: work is zero exactly when the bits are invalid", bits));
  if (!valid) return;
  const double difficulty = hashpivot::chain::difficulty_from_bits(bits);
  // Core's GetDifficulty is 0xffff / mantissa · 256^(29 − size), exact powers of two apart.
  const int size = static_cast<int>(bits >> 24);
  const double expected_difficulty = std::ldexp(65535.0 / static_cast<double>(bits & 0x00ffffffu), 8 * (29 - size));
  if (!(difficulty > 0) || !std::isfinite(difficulty) || difficulty != expected_difficulty)
    finding(kTarget, fmt::format("0x{:08x}: difficulty {} , expected {}", bits, difficulty, expected_difficulty));
}

void check_encode(const Bytes& target, bool negative) {
  const Uint256 value = Uint256::from_hex(hex_of(target));
  const std::uint32_t bits = hashpivot::chain::encode_compact(value, negative);
  const std::uint32_t expected = reference_encode(target, negative);
  if (bits != expected)
    finding(kTarget, fmt::format("{} encodes to 0x{:08x}, expected 0x{:08x}", hex_of(target), bits, expected));
  // Rounding down to three bytes: the decoded target is at most the original and agrees with it
  // above the last byte of the mantissa.
  const hashpivot::chain::DecodedCompact decoded = hashpivot::chain::decode_compact(bits);
  if (decoded.overflow || decoded.target > value) finding(kTarget, fmt::format("{}: encoded upwards", hex_of(target)));
  const unsigned size = bits >> 24;
  const Uint256 dropped = value - decoded.target;
  if (size > 3 ? !(dropped >> (8 * (size - 3))).is_zero() : !dropped.is_zero())
    finding(kTarget, fmt::format("{}: 0x{:08x} drops more than the bytes below the mantissa", hex_of(target), bits));
}

void check_retarget(const Input& in) {
  const auto params = hashpivot::chain::ConsensusParams::mainnet();
  const std::int64_t timespan = hashpivot::chain::clamped_timespan_s(in.first_time, in.last_time, params);
  if (timespan < params.pow_target_timespan_s / 4 || timespan > params.pow_target_timespan_s * 4)
    finding(kTarget, fmt::format("clamped timespan {} outside [T/4, 4T]", timespan));
  const std::uint32_t next = hashpivot::chain::next_epoch_bits(in.bits, in.first_time, in.last_time, params);
  const hashpivot::chain::DecodedCompact decoded = hashpivot::chain::decode_compact(next);
  if (decoded.negative || decoded.overflow || decoded.target > params.pow_limit)
    finding(kTarget, fmt::format("0x{:08x} retargets to 0x{:08x}, not a target within the PoW limit", in.bits, next));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Input in = parse(data, size);
  check_decode(in.bits);
  check_encode(in.target, (in.bits & kSignBit) != 0);
  check_retarget(in);
  return 0;
}
