#pragma once
// Backtest of the block/difficulty simulator against a real daily history (Coin Metrics format):
// driven by the real daily hashrate, starting at a real retarget with the real bits, it simulates
// blocks and retargets (BlockSimulator) and compares with the real daily block counts (BlkCnt) and
// mean difficulty (DiffMean).
//
// Circularity. The history's HashRate is DiffMean·2^32·BlkCnt/86400: driving day d with day d's own
// value makes the expected block count exactly BlkCnt_d. The default driver is therefore the mean
// HashRate of the 3 days before and the 3 days after d, leaving d itself out (centred, leave-one-out,
// 7-day window): day d's count never enters day d's forecast. Other drivers are offered to show the
// effect (kRaw reproduces the trivial fit; kTrailing lags by half a window).
//
// Start. The first day d >= `from` whose DiffMean differs from that of day d−1 (itself equal to day
// d−2's, so d−1 lies wholly in the old epoch), with day d+1 equal to day d+2 (wholly in the new
// one), is a retarget day: its
// DiffMean mixes the old (day d−1) and the new (day d+1) difficulty, so k = n·(D_new − DiffMean_d) /
// (D_new − D_old) of its n blocks came before the retarget, which is placed at d + k/n of the day.
// The start bits encode D_new (bits_from_difficulty; exact for Coin Metrics' 15-digit values), and
// the height is Σ BlkCnt before the retarget rounded to a multiple of 2016 (days with an unknown
// count are taken as 144 blocks and the height flagged as estimated). Days after d are scored.
//
// Scoring. Each path gives, for each day, the simulated block count, its conditional expectation
// ∫λ dt given the path (the difficulty the path reached), and the mean difficulty of its blocks.
// `blocks_mape_pct` compares the expectation averaged over `paths` paths (common seed, Stream
// kBlockArrivals, path p, step = day index) with BlkCnt; the realized counts are reported too. A day
// is scored when BlkCnt > 0 and DiffMean are known. The real count is itself a Poisson draw (±8% a
// day), so a daily MAPE of about √(2/(π·144)) ≈ 6.6% is a floor that no forecast driven by a smoothed
// hashrate can beat. For the same reason the mean signed relative error is biased upward by about
// 1/144 ≈ 0.7% (E[λ/N] ≈ 1 + 1/λ); the bias reported is the ratio of total blocks instead.

#include <cstdint>
#include <optional>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::network {

enum class HashrateDriver {
  kCentredLeaveOneOut,  // mean of days d−w/2 … d+w/2 except d (default)
  kCentred,             // mean of days d−w/2 … d+w/2
  kTrailing,            // mean of days d−w+1 … d
  kRaw,                 // day d's own HashRate (circular: shown for comparison only)
};

/// The options' ranges: paths 1 … kMaxBacktestPaths, window 1 … kMaxBacktestWindowDays days.
inline constexpr int kMaxBacktestPaths = 100000;
inline constexpr int kMaxBacktestWindowDays = static_cast<int>(kDaysPerYear);

struct BacktestOptions {
  std::optional<DayNumber> from;
  std::optional<DayNumber> to;
  std::uint64_t seed = 1;
  int paths = 64;
  HashrateDriver driver = HashrateDriver::kCentredLeaveOneOut;
  int window_days = 7;  // odd for the centred drivers
};

struct BacktestDay {
  DayNumber day;
  double driver_ths;              // the hashrate that drove the day, TH/s
  double real_blocks;             // NaN where unknown
  double sim_blocks;              // expected count, mean over paths
  double sim_blocks_realized;     // realized count, mean over paths
  double real_difficulty;         // NaN where unknown
  double sim_difficulty;          // mean over paths of the day's mean difficulty
  bool scored;
};

struct BacktestResult {
  DayNumber start_day;            // the retarget day the simulation starts on
  double start_time_unix;         // the retarget block's estimated time
  std::int64_t start_height;      // a multiple of 2016
  bool start_height_estimated;    // some block counts before the start were unknown
  std::uint32_t start_bits;
  double start_difficulty;
  DayNumber last_day;
  int paths;
  int days_simulated;             // days after the start day
  int days_scored;                // of which scored (BlkCnt and DiffMean known)
  int days_skipped;               // of which unknown in the history
  int driver_days_filled;         // days whose driver was interpolated (no HashRate known nearby)
  double blocks_mape_pct;         // mean |sim − real| / real of daily counts (sim: expected count, mean of paths)
  double blocks_mape_realized_pct;      // the same with the realized counts averaged over paths
  double blocks_mape_single_path_pct;   // the same with each path's realized counts alone, averaged
  double blocks_total_error_pct;  // Σ sim / Σ real − 1 over scored days
  double blocks_mean_signed_error_pct;  // mean (sim − real) / real: biased by about +1/144 (see above)
  double difficulty_mape_pct;
  double difficulty_bias_pct;
  double retargets_simulated;     // mean over paths
  double retargets_real;          // multiples of 2016 crossed by the real cumulative block count
  std::vector<BacktestDay> days;
};

/// Runs the backtest on `history` (which must start early enough to count heights: block counts
/// from the first block). Throws InputError naming the history file when no retarget day is found in
/// the range, and ParameterError naming the option ("paths", "window_days", "from", "to") when one
/// is out of range.
[[nodiscard]] BacktestResult run_backtest(const market::DailyHistory& history, const BacktestOptions& options);

/// The driver series for every day of `history` (TH/s; NaN where none can be formed).
[[nodiscard]] std::vector<double> hashrate_driver_ths(const market::DailyHistory& history, HashrateDriver driver,
                                                      int window_days);

}  // namespace hashpivot::network
