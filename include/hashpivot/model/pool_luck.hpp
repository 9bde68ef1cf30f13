#pragma once
// The luck of a mining pool that pays by the blocks it finds (PPLNS, TIDES; firm/scenario.hpp Pool).
//
// A pool with a share s of the network hashrate expects λ = s × B blocks on a day when the network
// expects B (its hashrate over the difficulty's: B = H × 86400 / (D × 2^32)). It finds
// N ~ Poisson(λ), drawn from the counter-based generator at (Stream::kPoolLuck, path, day), so a
// path's luck does not depend on threads, ranks or the strategies run. The firm, a small part of the
// pool, gets its share of the pool's rewards: the FPPS amount × the luck factor
//   L = Σ N / Σ λ over the trailing window_days (the days so far while fewer have passed),
// which has mean 1 and, for one day, variance 1 / λ (for a window of W equal days, 1 / (W λ)).
// The trailing mean stands for PPLNS's window of shares: a block pays the shares of the last N
// difficulty's worth, which at a pool's size is hours, so at a daily step the default window is one
// day; a longer one smooths the payout as a longer share window would.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hashpivot/core/units.hpp"
#include "hashpivot/random/philox.hpp"
#include "hashpivot/random/poisson.hpp"

namespace hashpivot::model {

/// The network's expected blocks in a day at `network_hashrate_ths` TH/s and `difficulty`:
/// H × 86400 / (D × 2^32); 0 when the difficulty is not positive.
[[nodiscard]] inline double expected_blocks_per_day(double network_hashrate_ths, double difficulty) {
  if (!(difficulty > 0.0)) return 0.0;
  return network_hashrate_ths * kHashesPerTh * kSecondsPerDay / (difficulty * std::ldexp(1.0, 32));
}

/// The pool's share of the network on a day: `pool_hashrate_ehs` / the network's (at most 1) when
/// given (> 0), else the fixed `share_of_network`.
[[nodiscard]] inline double pool_share(double share_of_network, double pool_hashrate_ehs, double network_hashrate_ths) {
  if (pool_hashrate_ehs > 0.0)
    return network_hashrate_ths > 0.0 ? std::min(1.0, pool_hashrate_ehs * kThPerEh / network_hashrate_ths) : 1.0;
  return share_of_network;
}

/// One path's pool luck, day after day. Sized once (the window); start() resets it for a path, and
/// day() allocates nothing.
class PoolLuck {
 public:
  explicit PoolLuck(int window_days)
      : found_(static_cast<std::size_t>(std::max(1, window_days)), 0), expected_(found_.size(), 0.0) {}

  /// Forgets the last path's days.
  void start() {
    std::fill(found_.begin(), found_.end(), 0);
    std::fill(expected_.begin(), expected_.end(), 0.0);
    found_sum_ = 0;
    expected_sum_ = 0.0;
  }

  /// Draws day `day` of path `path`: N ~ Poisson(`expected_pool_blocks`); returns the luck factor
  /// Σ N / Σ λ over the window (1 while the window expects no block). Days must come in order 0, 1, …
  double day(const random::CounterRng& rng, std::uint32_t path, std::uint32_t day, double expected_pool_blocks) {
    const std::size_t slot = day % found_.size();
    const std::int64_t found =
        random::poisson(rng, {random::Stream::kPoolLuck, path, day, 0}, std::max(0.0, expected_pool_blocks));
    found_sum_ += found - found_[slot];
    found_[slot] = found;
    // The window's expected blocks summed afresh (at most window_days adds): a running sum would
    // carry rounding from days long gone.
    expected_[slot] = std::max(0.0, expected_pool_blocks);
    expected_sum_ = 0.0;
    for (const double e : expected_) expected_sum_ += e;
    return expected_sum_ > 0.0 ? static_cast<double>(found_sum_) / expected_sum_ : 1.0;
  }

 private:
  std::vector<std::int64_t> found_;   // blocks found on each day of the window (ring)
  std::vector<double> expected_;      // blocks expected on each day of the window (ring)
  std::int64_t found_sum_ = 0;
  double expected_sum_ = 0.0;
};

}  // namespace hashpivot::model
