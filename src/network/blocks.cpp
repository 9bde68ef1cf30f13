#include "hashpivot/network/blocks.hpp"

#include <cmath>

#include "hashpivot/chain/compact.hpp"
#include "hashpivot/core/error.hpp"

namespace hashpivot::network {

std::uint32_t bits_from_difficulty(double difficulty) {
  require(difficulty >= 1.0 && std::isfinite(difficulty), "difficulty", "must be finite and >= 1");
  // target = target(0x1d00ffff) / D = 0xffff · 2^208 / D = m · 256^(size − 3), with the mantissa m
  // in [2^15, 2^23) (the form GetCompact produces).
  const double log2_target = std::log2(65535.0 / difficulty) + 208.0;
  int size = static_cast<int>(std::floor((log2_target - 15.0) / 8.0)) + 3;
  double mantissa = std::ldexp(65535.0 / difficulty, 208 - 8 * (size - 3));
  if (mantissa >= 8388608.0) {
    ++size;
    mantissa /= 256.0;
  }
  const auto centre = static_cast<std::int64_t>(std::llround(mantissa));
  std::uint32_t best = 0;
  double best_error = INFINITY;
  for (std::int64_t m = centre - 2; m <= centre + 2; ++m) {
    if (m <= 0 || m >= 0x800000) continue;
    const std::uint32_t bits = (static_cast<std::uint32_t>(size) << 24) | static_cast<std::uint32_t>(m);
    if (!chain::is_valid_target_bits(bits)) continue;
    const double error = std::abs(chain::difficulty_from_bits(bits) / difficulty - 1.0);
    if (error < best_error) {
      best_error = error;
      best = bits;
    }
  }
  require(best != 0, "difficulty", "no compact target near this difficulty");
  return best;
}

BlockSimulator::BlockSimulator(const chain::ConsensusParams& params, const ChainState& state)
    : params_(params), state_(state), interval_blocks_(params.retarget_interval_blocks()) {
  require(chain::is_valid_target_bits(state.bits), "bits", "not a usable compact target");
  require(state.next_height >= 0, "next_height", "must be >= 0");
  difficulty_ = chain::difficulty_from_bits(state.bits);
}

}  // namespace hashpivot::network
