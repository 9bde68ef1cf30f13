#pragma once
// Counter-based randomness: every draw is a pure function of (seed, stream, path, step, block),
// computed with Philox4x32-10 (Salmon et al. 2011, Random123). A path's numbers therefore do not
// depend on how paths are split over threads or processes, and two strategies evaluated on the same
// (seed, path) see the same market: common random numbers by construction. Never seeded from a clock.
//
// Mapping: key = (seed low 32 bits, seed high 32 bits); counter = (step, path, stream, block).
// One counter gives 128 random bits: 4 uniforms of 32 bits, 2 uniforms of 53 bits, or 2 normals.

#include <array>
#include <cstdint>

namespace hashpivot::random {

/// Named streams, so that independent factors never share draws. Values are part of the results'
/// reproducibility: never renumber one, only append.
enum class Stream : std::uint32_t {
  kBtcPrice = 1,
  kBtcPriceJumps = 2,
  kBtcPriceRegime = 3,
  kBtcPriceBootstrap = 4,
  kFees = 5,
  kFeeSpikes = 6,
  kHashrate = 7,
  kBlockArrivals = 8,
  kEnergyPrice = 9,
  kEnergySpikes = 10,
  kAsicPrice = 11,
  kAiRates = 12,
  kCorrelatedShock = 13,
  kFirm = 14,
  kTest = 0xffffffffu,
};

/// Where a draw lives. `block` numbers further 128-bit blocks when one step needs more draws.
struct DrawAddress {
  Stream stream;
  std::uint32_t path;
  std::uint32_t step;
  std::uint32_t block = 0;
};

/// The raw Philox4x32-10 bijection (exposed for the known-answer tests).
[[nodiscard]] std::array<std::uint32_t, 4> philox4x32_10(const std::array<std::uint32_t, 4>& counter,
                                                         const std::array<std::uint32_t, 2>& key);

/// A value type holding only the seed; every method is a pure function of its arguments.
class CounterRng {
 public:
  explicit constexpr CounterRng(std::uint64_t seed) : seed_(seed) {}
  [[nodiscard]] constexpr std::uint64_t seed() const { return seed_; }

  [[nodiscard]] std::array<std::uint32_t, 4> bits(const DrawAddress& at) const;
  /// Two uniforms in the open interval (0, 1) with 52 bits each.
  [[nodiscard]] std::array<double, 2> uniforms(const DrawAddress& at) const;
  /// Two independent standard normals (Box–Muller on the two uniforms).
  [[nodiscard]] std::array<double, 2> normals(const DrawAddress& at) const;

 private:
  std::uint64_t seed_;
};

/// Maps 64 random bits to a double in (0, 1): (top 52 bits + 0.5) · 2^-52, never 0 or 1.
[[nodiscard]] double to_open_unit(std::uint64_t bits);

}  // namespace hashpivot::random
