#pragma once
// The real network's state at the start of a day, as a scenario's [market] table takes it
// (`hashpivot network state`, docs/scenario.md "Starting values").
//
// From the daily history (Coin Metrics format) and network::ChainHistory, at the start of `day`:
//   - chain: next height, bits and difficulty of the epoch in force, and its first block's time where the
//     epochs table has it or the heights place it (ChainHistory::state_at; absent otherwise);
//   - btc_price_usd: PriceUSD of day − 1 (Coin Metrics' close at 00:00 UTC of `day`);
//   - fees_btc_per_block: ΣFeeTotNtv / ΣBlkCnt over the days of [day − window_days, day − 1] where both are
//     known; absent where none is (Coin Metrics has no fees 2024-04-28..2025-08-10);
//   - implied_hashrate_ths: network::implied_hashrate_ths with forecast-check's defaults
//     (ForecastCheckOptions::state_window_days and min_state_days): the difficulty in force times the blocks
//     of the window's days that lie wholly in its epoch, over their time;
//   - target_spacing_hashrate_ths: difficulty · 2^32 / 600 s, the hashrate at which the difficulty in force
//     gives 10-minute blocks, about the work of the previous epoch over its time (what its retarget measured);
//   - mean_7d_hashrate_ths: the mean HashRate of the 7 days before `day`, for comparison.
// Hashrates are TH/s; NaN where a day they need is unknown.

#include <cstdint>
#include <optional>

#include "hashpivot/core/date.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/network/chain_history.hpp"
#include "hashpivot/study/forecast_check.hpp"

namespace hashpivot::study {

/// Days of the HashRate mean printed for comparison with the implied hashrate.
inline constexpr int kComparisonMeanDays = 7;

struct NetworkStateOptions {
  int window_days = ForecastCheckOptions{}.state_window_days;  // days before `day` for fees and the hashrate
  int min_epoch_days = ForecastCheckOptions{}.min_state_days;  // fewest days in the epoch in force (else the
                                                              // window's work over its time)
};

struct NetworkState {
  DayNumber day = 0;
  std::int64_t next_height = 0;              // the first block mined on or after the start of `day`
  std::uint32_t bits = 0;                    // in force for that block
  double difficulty = 0;
  std::optional<std::int64_t> epoch_first_block_time_unix;  // absent where neither known nor placeable
  bool epoch_start_estimated = false;        // placed from the day that mined it (chain_history.hpp)
  double btc_price_usd = 0;
  std::optional<double> fees_btc_per_block;  // absent where no day of the window has fees and blocks
  int fee_days = 0;                          // days of the window behind fees_btc_per_block
  double implied_hashrate_ths = 0;
  int epoch_days = 0;                        // days of the window wholly in the epoch in force
  bool implied_from_epoch = false;           // epoch_days ≥ min_epoch_days (else the window's work rate)
  double target_spacing_hashrate_ths = 0;
  double mean_7d_hashrate_ths = 0;           // NaN unless all 7 days are known
};

/// The state at the start of `day`. Throws ParameterError "day" for a day outside the history (or without a
/// day before it), ParameterError "window_days" / "min_epoch_days" for a count below 1; InputError naming the
/// heights file where the height is unknown (the epochs file past its last epoch), and the history's PriceUSD, BlkCnt or DiffMean
/// column where the price or the implied hashrate is.
[[nodiscard]] NetworkState network_state_at(const market::DailyHistory& history, const network::ChainHistory& chain,
                                            DayNumber day, const NetworkStateOptions& options = {});

}  // namespace hashpivot::study
