#pragma once
// The real chain's state on any past day: which heights each UTC day mined (data/history/btc_daily_heights.csv,
// written by scripts/derive-history.py) and each 2016-block epoch's bits, difficulty and first-block time
// (data/chain/btc_difficulty_epochs.csv). What `hashpivot forecast-check` starts a simulation from and scores
// realized difficulty against.
//
// A day's state is known only where its heights are: no height is interpolated across a gap. Where an epoch's
// first-block timestamp is missing from the epochs table (epochs 437-451 and 464 on), it is estimated from the
// day that mined the block, stamped the way network::advance_chain_day stamps simulated blocks (block j of the
// day's n at day_start + 86400·j/(n+1)); `epoch_start_estimated` says so.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/network/daily_chain.hpp"

namespace hashpivot::network {

struct EpochRecord {
  std::int64_t start_height = 0;
  std::uint32_t bits = 0;
  double difficulty = 0;
  std::optional<std::int64_t> start_time_unix;  // timestamp of the epoch's first block, where known
};

/// The chain at the start of a day.
struct ChainState {
  DailyChain chain;                   // next height, bits and difficulty in force, epoch start time
  bool epoch_start_estimated = false;  // the epoch start time was estimated from the day's heights
};

struct ChainHistory {
  std::string heights_source;
  std::string epochs_source;
  DayNumber first_day = 0;                 // day of index 0
  std::vector<std::int64_t> first_height;  // per day, kUnknownHeight where unknown
  std::vector<std::int64_t> last_height;
  std::vector<EpochRecord> epochs;         // epoch k covers heights 2016·k … 2016·k + 2015

  static constexpr std::int64_t kUnknownHeight = -1;

  /// Height of the first block mined on or after the start of `day` (last height of day − 1, plus one).
  [[nodiscard]] std::optional<std::int64_t> next_height_at(DayNumber day) const;
  /// The exact difficulty of the block at `height`; std::nullopt past the epochs table.
  [[nodiscard]] std::optional<double> difficulty_at_height(std::int64_t height) const;
  /// The chain at the start of `day`; std::nullopt where the height or the epoch's start is unknown.
  [[nodiscard]] std::optional<ChainState> state_at(DayNumber day) const;
};

/// Reads the two tables. Throws InputError naming the file, line and column of a malformed value, heights that
/// do not increase, or dates out of order.
[[nodiscard]] ChainHistory read_chain_history(const std::filesystem::path& heights_csv,
                                              const std::filesystem::path& epochs_csv);

/// The mean HashRate of days [first, last] of `history`, i.e. their work over their time (Coin Metrics'
/// HashRate is DiffMean·2^32·BlkCnt/86400 per day), TH/s; NaN unless every day is known.
[[nodiscard]] double work_rate_ths(const market::DailyHistory& history, DayNumber first, DayNumber last);

/// The network hashrate on `day` implied by the difficulty in force and recent block times, TH/s: over
/// the `window_days` before `day`, the days lying wholly in the epoch in force (DiffMean equal to
/// `difficulty`) give H = difficulty · 2^32 · ΣBlkCnt / (days · 86400); with fewer than `min_days` such
/// days (just after a retarget), the work of all the window's days over their time (work_rate_ths).
/// NaN where neither is known. Not a 7-day HashRate mean, which a storm can halve
/// (docs/forecast_check.md; docs/scenario.md for the bundled scenarios' starting hashrate).
[[nodiscard]] double implied_hashrate_ths(const market::DailyHistory& history, DayNumber day, double difficulty,
                                          int window_days, int min_days);

}  // namespace hashpivot::network
