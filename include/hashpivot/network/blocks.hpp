#pragma once
// Block arrivals and difficulty retargets, simulated day by day (docs/model.md §1–§2).
//
// Blocks arrive as a Poisson process with intensity
//   λ(t) = H(t) / (2^32 · D)   blocks per second,  H in hashes/s, D the difficulty in force,
// where H is constant within a simulated day (the caller gives one hashrate per day) and D changes
// only at retargets. Inside a day the process is simulated by exponential inter-arrival times
// (−ln U / λ); at a retarget and at the day's end the clock restarts from that point with the new
// rate, which is exact for a piecewise-constant intensity because the exponential is memoryless.
//
// Each simulated block gets a timestamp (the floor of its simulated time, Unix seconds). When the
// block closing an epoch is found, the next epoch's bits are computed EXACTLY as Bitcoin Core does
// (chain::next_epoch_bits from the bits in force and the timestamps of the epoch's first and last
// blocks), and the difficulty from those bits (chain::difficulty_from_bits). The subsidy of every
// block is chain::block_subsidy_sat(height), so halvings happen at heights 210,000·k.
//
// Randomness: Stream kBlockArrivals, addressed by (path, step = the day's index, block = j / 2)
// where j counts the exponential draws of that day; one Philox call gives two uniforms.
// Nothing is allocated per day or per block.

#include "hashpivot/core/units.hpp"
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>

#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/retarget.hpp"
#include "hashpivot/chain/subsidy.hpp"
#include "hashpivot/chain/work.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::network {

using chain::kHashesPerDifficulty;

/// Expected blocks per second at hashrate `hashrate_hs` (hashes/s) and difficulty `difficulty`.
[[nodiscard]] inline double block_rate_per_s(double hashrate_hs, double difficulty) {
  return hashrate_hs / (kHashesPerDifficulty * difficulty);
}

/// The compact bits whose difficulty (chain::difficulty_from_bits) is nearest to `difficulty`:
/// used to start a simulation from a published difficulty (e.g. Coin Metrics DiffMean, which is an
/// exact per-epoch difficulty printed with 15+ significant digits). Throws ParameterError "difficulty"
/// unless difficulty >= 1 and finite.
[[nodiscard]] std::uint32_t bits_from_difficulty(double difficulty);

/// Where the chain stands: the next block to be mined and the epoch it belongs to.
struct ChainState {
  std::int64_t next_height = 0;                 // height of the next block to be found
  std::uint32_t bits = 0x1d00ffffu;             // bits in force for that block
  std::int64_t epoch_first_block_time_unix = 0;  // timestamp of the epoch's first block (height % 2016 == 0)
  double last_block_time_s = 0;                 // simulated time of the last block found (Unix seconds)
};

/// What one simulated day produced.
struct DayBlocks {
  int blocks = 0;
  double expected_blocks = 0;         // ∫ λ dt over the day given the path (exact conditional mean of `blocks`)
  double difficulty_sum = 0;          // Σ difficulty of the day's blocks (for the mean, as Coin Metrics DiffMean)
  double interval_sum_s = 0;          // Σ time since the previous block, over the day's blocks
  std::int64_t subsidy_sat = 0;       // Σ block subsidy of the day's blocks
  int retargets = 0;                  // epochs that closed during the day
  double difficulty_at_end = 0;       // difficulty in force at the end of the day

  /// Mean difficulty of the day's blocks; the difficulty in force when no block was found.
  [[nodiscard]] double mean_difficulty() const {
    return blocks > 0 ? difficulty_sum / blocks : difficulty_at_end;
  }
};

/// What an observer of simulate_day sees for each block.
struct BlockEvent {
  std::int64_t height;
  std::int64_t time_unix;       // the block's timestamp
  std::uint32_t bits;           // the bits the block was mined at
  std::int64_t subsidy_sat;
  bool closes_epoch;            // (height + 1) % interval == 0: a retarget follows
  std::uint32_t next_bits;      // bits of the next block (differs from `bits` only after a retarget)
};

/// The chain under simulation: a value type (copy it to branch a path). Each call of simulate_day
/// advances it by one day; its result depends only on the state, the arguments and the seed.
class BlockSimulator {
 public:
  /// Throws ParameterError ("bits", "next_height") unless the state's bits are a usable target and
  /// its height >= 0.
  BlockSimulator(const chain::ConsensusParams& params, const ChainState& state);

  [[nodiscard]] const ChainState& state() const { return state_; }
  [[nodiscard]] const chain::ConsensusParams& params() const { return params_; }
  /// Difficulty of the bits in force.
  [[nodiscard]] double difficulty() const { return difficulty_; }

  /// Simulates [day_start_s, day_start_s + 86400) at constant hashrate `hashrate_hs` (hashes/s, >= 0).
  /// `day_start_s` must not precede the last block's time. `step` addresses the day's draws.
  DayBlocks simulate_day(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step, double day_start_s,
                         double hashrate_hs) {
    return simulate_day(rng, path, step, day_start_s, hashrate_hs, [](const BlockEvent&) {});
  }

  /// As above, calling `on_block(const BlockEvent&)` for each block found (for tests and traces).
  template <typename Observer>
  DayBlocks simulate_day(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step, double day_start_s,
                         double hashrate_hs, Observer&& on_block) {
    return simulate_interval(rng, path, step, day_start_s, kSecondsPerDay, hashrate_hs,
                             std::forward<Observer>(on_block));
  }

  /// Simulates [start_s, start_s + duration_s) (duration_s <= 86400: one step's draws), e.g. the rest
  /// of a day after a known block.
  template <typename Observer>
  DayBlocks simulate_interval(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step, double start_s,
                              double duration_s, double hashrate_hs, Observer&& on_block);

 private:
  chain::ConsensusParams params_;
  ChainState state_;
  double difficulty_ = 1.0;
  std::int64_t interval_blocks_;  // params_.retarget_interval_blocks(), kept for the per-block test
};

template <typename Observer>
DayBlocks BlockSimulator::simulate_interval(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step,
                                            double start_s, double duration_s, double hashrate_hs,
                                            Observer&& on_block) {
  DayBlocks day;
  const double day_end_s = start_s + duration_s;
  double t = start_s;
  double segment_start_s = start_s;  // since the last change of the rate
  std::uint32_t draw = 0;
  std::array<double, 2> pair{};
  while (hashrate_hs > 0) {
    if (draw % 2 == 0)
      pair = rng.uniforms({random::Stream::kBlockArrivals, path, step, draw / 2});
    const double u = pair[draw % 2];
    ++draw;
    const double rate = block_rate_per_s(hashrate_hs, difficulty_);
    t += -std::log(u) / rate;
    if (t >= day_end_s) break;
    // A block at time t.
    const std::int64_t height = state_.next_height;
    const auto time_unix = static_cast<std::int64_t>(std::floor(t));
    const std::int64_t subsidy = chain::block_subsidy_sat(height, params_);
    const std::uint32_t bits = state_.bits;
    if (height % interval_blocks_ == 0) state_.epoch_first_block_time_unix = time_unix;
    ++day.blocks;
    day.difficulty_sum += difficulty_;
    day.interval_sum_s += t - state_.last_block_time_s;
    day.subsidy_sat += subsidy;
    state_.last_block_time_s = t;
    state_.next_height = height + 1;
    const bool closes = (height + 1) % interval_blocks_ == 0;
    if (closes) {
      day.expected_blocks += rate * (t - segment_start_s);
      segment_start_s = t;
      state_.bits = chain::next_epoch_bits(bits, state_.epoch_first_block_time_unix, time_unix, params_);
      difficulty_ = chain::difficulty_from_bits(state_.bits);
      ++day.retargets;
    }
    on_block(BlockEvent{height, time_unix, bits, subsidy, closes, state_.bits});
  }
  if (hashrate_hs > 0) day.expected_blocks += block_rate_per_s(hashrate_hs, difficulty_) * (day_end_s - segment_start_s);
  day.difficulty_at_end = difficulty_;
  return day;
}

}  // namespace hashpivot::network
