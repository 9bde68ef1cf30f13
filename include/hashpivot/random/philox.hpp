#pragma once
// Counter-based randomness: every draw is a pure function of (seed, stream, path, step, block),
// computed with Philox4x32-10 (Salmon et al. 2011, Random123). A path's numbers therefore do not
// depend on how paths are split over threads or processes, and two strategies evaluated on the same
// (seed, path) see the same market: common random numbers by construction. Never seeded from a clock.
//
// Mapping: key = (seed low 32 bits, seed high 32 bits); counter = (step, path, stream, block).
// One counter gives 128 random bits: 4 uniforms of 32 bits, 2 uniforms of 52 bits, or 2 normals.
//
// The generator and the transforms used per path per day are inline here (the engine's hot loop
// calls them a few times per path-day; a call across translation units cost a third of the step).

#include <array>
#include <cstddef>
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
  kMarketDay = 15,  // all of a path-day's market draws but the blocks' (engine/market_model.hpp)
  kPoolLuck = 16,   // the blocks a PPLNS/TIDES pool finds in a path-day (model/pool_luck.hpp)
  kTest = 0xffffffffu,
};

/// Where a draw lives. `block` numbers further 128-bit blocks when one step needs more draws.
struct DrawAddress {
  Stream stream;
  std::uint32_t path;
  std::uint32_t step;
  std::uint32_t block = 0;
};

/// The raw Philox4x32-10 bijection (Salmon et al. 2011): ten rounds of two 32×32→64 multiplies with
/// the Weyl-incremented key; checked against Random123's known-answer vectors.
[[nodiscard]] inline std::array<std::uint32_t, 4> philox4x32_10(const std::array<std::uint32_t, 4>& counter,
                                                                const std::array<std::uint32_t, 2>& key) {
  constexpr std::uint64_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  std::uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  std::uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = kM0 * c0;
    const std::uint64_t p1 = kM1 * c2;
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += kW0;
    k1 += kW1;
  }
  return {c0, c1, c2, c3};
}

/// Maps 64 random bits to a double in (0, 1): (top 52 bits + 0.5) · 2^-52, never 0 or 1.
[[nodiscard]] inline double to_open_unit(std::uint64_t bits) {
  // 52 bits: (2^52 − 1 + 0.5)·2^-52 = 1 − 2^-53 is exact, whereas with 53 bits the top value rounds to 1.
  return (static_cast<double>(bits >> 12) + 0.5) * 0x1.0p-52;
}

/// Maps 32 random bits to a double in (0, 1): (bits + 0.5) · 2^-32 (resolution 2^-32, enough for a
/// comparison with a probability, as in a spike or a regime switch).
[[nodiscard]] inline double to_open_unit32(std::uint32_t bits) { return (static_cast<double>(bits) + 0.5) * 0x1.0p-32; }

/// The two 64-bit words of a 128-bit block, high word first: (b0·2^32 + b1, b2·2^32 + b3).
[[nodiscard]] inline std::uint64_t word64(const std::array<std::uint32_t, 4>& b, int half) {
  const auto i = static_cast<std::size_t>(2 * half);
  return (std::uint64_t{b[i]} << 32) | b[i + 1];
}

/// The standard normal quantile Φ⁻¹(u) for u in (0, 1): Wichura's algorithm AS241 (PPND16, Applied
/// Statistics 37 (1988) 477–484), relative error about 1e-16. For |u − ½| ≤ 0.425 (85% of draws)
/// a ratio of two degree-7 polynomials in (u − ½)², with no logarithm; otherwise a ratio in
/// r = √(−ln min(u, 1 − u)). Branch-free in the central region, so a loop over an array of
/// uniforms vectorizes there. With 52-bit uniforms the largest |z| is 8.3.
[[nodiscard]] double normal_quantile_tail(double u);
/// AS241's central rational approximation of Φ⁻¹(½ + q), valid for |q| ≤ 0.425 (branch-free, so
/// loops over arrays of it vectorize).
[[nodiscard]] inline double normal_quantile_central(double q) {
  const double r = 0.180625 - q * q;
  return q *
         (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r + 6.7265770927008700853e4) * r +
              4.5921953931549871457e4) * r + 1.3731693765509461125e4) * r + 1.9715909503065514427e3) * r +
           1.3314166789178437745e2) * r + 3.3871328727963666080e0) /
         (((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r + 3.9307895800092710610e4) * r +
              2.1213794301586595867e4) * r + 5.3941960214247511077e3) * r + 6.8718700749205790830e2) * r +
           4.2313330701600911252e1) * r + 1.0);
}
[[nodiscard]] inline double normal_quantile(double u) {
  const double q = u - 0.5;
  if (q * q <= 0.425 * 0.425) return normal_quantile_central(q);
  return normal_quantile_tail(u);
}

/// A value type holding only the seed; every method is a pure function of its arguments.
class CounterRng {
 public:
  explicit constexpr CounterRng(std::uint64_t seed) : seed_(seed) {}
  [[nodiscard]] constexpr std::uint64_t seed() const { return seed_; }

  [[nodiscard]] std::array<std::uint32_t, 4> bits(const DrawAddress& at) const {
    return philox4x32_10({at.step, at.path, static_cast<std::uint32_t>(at.stream), at.block},
                         {static_cast<std::uint32_t>(seed_), static_cast<std::uint32_t>(seed_ >> 32)});
  }
  /// Two uniforms in the open interval (0, 1) with 52 bits each.
  [[nodiscard]] std::array<double, 2> uniforms(const DrawAddress& at) const {
    const auto b = bits(at);
    return {to_open_unit(word64(b, 0)), to_open_unit(word64(b, 1))};
  }
  /// Two independent standard normals (Box–Muller on the two uniforms).
  [[nodiscard]] std::array<double, 2> normals(const DrawAddress& at) const;

 private:
  std::uint64_t seed_;
};

}  // namespace hashpivot::random
