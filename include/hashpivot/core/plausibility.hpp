#pragma once
// Plausibility: a value that is valid (the readers accept it) but far outside what the world has
// seen, most often a number in another unit (a BTC price in thousands of USD, a height of 0 in
// 2026). Such a value gets a warning, not an error: the command goes on unless --strict.
//
// Every bound lives in kPlausibleRanges below (one table, one place): each with its unit, the hint
// a value outside it gets, and the source or ASSUMPTION behind the bound. The readers look a range
// up by its key (plausible_range); docs/scenario.md lists the table, and a test checks that it names
// every key here.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hashpivot {

/// A located warning about an input: `source` (a file), 1-based `line` (0: not tied to a line),
/// 1-based `column` (0: not a CSV cell), `field` (the dotted key or column) and the problem, which
/// names the value, the plausible range and a hint.
struct InputWarning {
  std::string source;
  std::size_t line = 0;
  std::size_t column = 0;
  std::string field;
  std::string problem;

  /// "file:line:column: field: problem" (":column" only for a cell; ":line" only when known), the
  /// same shape as an InputError's message.
  [[nodiscard]] std::string message() const;
  friend bool operator==(const InputWarning&, const InputWarning&) = default;
};

/// A range of plausible values of one input. A value below `min` or above `max` (both inclusive
/// bounds of the plausible range; equal for a single plausible value) is implausible.
struct PlausibleRange {
  std::string_view key;         // the input as the table names it: "market.btc_price_usd", "PriceUSD daily log return"
  double min;
  double max;
  std::string_view unit;        // "USD/BTC"
  std::string_view below_hint;  // what a value below min probably is: "a price in thousands of USD?"
  std::string_view above_hint;
  std::string_view why;         // the source or ASSUMPTION of the bounds (printed in the docs' table)
};

// ---- The table. Each bound is named; its comment (and `why`) says where it comes from. ----

// BTC has traded between $0.05 (July 2010) and ~$126,000 (October 2025). A scenario starts in the
// present era: BTC last traded below $1,000 in January 2017. ASSUMPTION: 1,000 to 1,000,000 (8x the
// high) is plausible; below is most likely a price in thousands of USD.
inline constexpr double kMinPlausibleBtcPriceUsd = 1'000;
inline constexpr double kMaxPlausibleBtcPriceUsd = 1'000'000;
// A day's price in a history file: 10x either side of the traded extremes above.
inline constexpr double kMinPlausibleHistoryPriceUsd = 0.005;
inline constexpr double kMaxPlausibleHistoryPriceUsd = 1'260'000;
// The bundled history's largest daily log return is -0.665 (2013-04-11), the largest rise 0.437
// (2010-11-06); ASSUMPTION: |r| above 1.0 (a factor e = 2.7 in a day, 50% beyond the extreme) is
// a typo or a unit change, not a market move.
inline constexpr double kMaxPlausibleDailyLogReturn = 1.0;
// Fees: the highest day's mean in the bundled history is 9.65 BTC per block (2017-12-22); 2x that.
inline constexpr double kMaxPlausibleFeesBtcPerBlock = 20.0;
// The network passed 1 EH/s in January 2016 and peaked at 1,305 EH/s (2025-10-24, bundled history);
// ASSUMPTION: 10,000 EH/s (7.7x the peak) is the most a scenario's start can plausibly see.
inline constexpr double kMinPlausibleNetworkHashrateEhs = 1.0;
inline constexpr double kMaxPlausibleNetworkHashrateEhs = 10'000.0;
// The difficulty in `bits` implies a hashrate (D · 2^32 / 600 s); with the hashrate given it is the
// same network: ASSUMPTION a ratio beyond 3x either way (a retarget moves at most 4x, and a 7-day
// mean hashrate sits within ~20% of the difficulty's) is a stale or mistyped one.
inline constexpr double kMinPlausibleDifficultyHashrateRatio = 1.0 / 3.0;
inline constexpr double kMaxPlausibleDifficultyHashrateRatio = 3.0;
// Machines: the most efficient shipping ASICs draw ~9.5-12 J/TH (Antminer S21 XP Hydro, S23 Hydro,
// 2024-25); the Antminer S7 (2015) drew 273 J/TH. ASSUMPTION: 8 to 300 J/TH.
inline constexpr double kMinPlausibleEfficiencyJPerTh = 8.0;
inline constexpr double kMaxPlausibleEfficiencyJPerTh = 300.0;
// Power: miners pay ~20-80 USD/MWh (docs/model.md §4; ERCOT West's 2021-25 mean is ~37); ASSUMPTION 5 to
// 500 USD/MWh; below 5 is most likely cents/kWh (5.5 cents/kWh = 55 USD/MWh).
inline constexpr double kMinPlausiblePowerPriceUsdPerMwh = 5.0;
inline constexpr double kMaxPlausiblePowerPriceUsdPerMwh = 500.0;
// Sites: the largest mining sites are ~700 MW (Riot Rockdale) to ~1 GW (Corsicana, planned; Cango's
// hosted fleet sums to 1,051 MW). ASSUMPTION: above 2,000 MW one site is a fleet in kW.
inline constexpr double kMaxPlausibleSiteCapacityMw = 2'000.0;
// ASSUMPTION: calibrated processes fitted on one halving era (4 years) say little beyond two.
inline constexpr double kMinPlausibleHorizonYears = 1.0;
inline constexpr double kMaxPlausibleHorizonYears = 8.0;
// ASSUMPTION: under 100 paths a 1% default probability has a standard error as large as itself;
// above 100 million a run takes days on one machine.
inline constexpr double kMinPlausiblePaths = 100.0;
inline constexpr double kMaxPlausiblePaths = 100'000'000.0;
// The start height against the date: the chain's actual height has run between 20,105 blocks behind
// (2009-12) and 36,668 ahead (2025-10) of the 10-minute schedule from the genesis block
// (data/history/btc_daily_heights.csv). ASSUMPTION: a quarter of a halving era (52,500 blocks,
// ~1 year) either way is plausible.
inline constexpr double kMaxPlausibleHeightOffScheduleBlocks = 52'500.0;
// Calibration (data/calibration/*.toml): BTC's annual drift fitted over a halving era has ranged
// from about -1 to +2.5 (the 2010-12 era); ASSUMPTION |drift| above 3 a year is a broken history.
inline constexpr double kMinPlausibleDriftAnnual = -3.0;
inline constexpr double kMaxPlausibleDriftAnnual = 3.0;
// Annual volatilities: BTC's ran ~0.4-1.5, the hashrate's ~0.3; ASSUMPTION 0.01 to 3.
inline constexpr double kMinPlausibleVolatilityAnnual = 0.01;
inline constexpr double kMaxPlausibleVolatilityAnnual = 3.0;
// ASSUMPTION: a block bootstrap resamples the start's halving era only: each era's subsidy, growth
// and volatility differ (the bundled 2010-2026 returns compound to a mean NPV of $358,511M).
inline constexpr double kPlausibleBootstrapEras = 1.0;
// Daily volatilities (fees, energy): the bundled fits are 0.23; ASSUMPTION up to 2 (a factor 7 a day).
inline constexpr double kMaxPlausibleVolatilityDaily = 2.0;
// The network's daily log shock (hashrate sigma_per_day): the 2024-2026 fits are 0.016-0.017. Ten years
// of the margin-driven market on 200 paths (market_model_test's harness, once): at 0.1 every path's
// network ran; at 0.2 it died (no hashrate, no blocks) on 36 of them. ASSUMPTION: warned above 0.1;
// above network::kMaxSigmaPerDay (0.25) the models refuse it.
inline constexpr double kMaxPlausibleNetworkSigmaPerDay = 0.1;

inline constexpr std::array kPlausibleRanges = {
    PlausibleRange{"market.btc_price_usd", kMinPlausibleBtcPriceUsd, kMaxPlausibleBtcPriceUsd, "USD/BTC",
                   "a price in thousands of USD?", "a price in cents?",
                   "BTC has traded between $0.05 (2010) and ~$126k (2025); below $1,000 last in Jan 2017"},
    PlausibleRange{"market.fees_btc_per_block", 0.0, kMaxPlausibleFeesBtcPerBlock, "BTC per block", "",
                   "a day's fees, or sat?", "the highest day's mean is 9.65 BTC per block (2017-12-22); 2x"},
    PlausibleRange{"market.network_hashrate_ehs", kMinPlausibleNetworkHashrateEhs, kMaxPlausibleNetworkHashrateEhs,
                   "EH/s", "a hashrate in ZH/s?", "a hashrate in PH/s or TH/s?",
                   "1 EH/s in Jan 2016; the peak is 1,305 EH/s (2025-10-24); 7.7x the peak"},
    PlausibleRange{"market.bits (difficulty / network_hashrate_ehs)", kMinPlausibleDifficultyHashrateRatio,
                   kMaxPlausibleDifficultyHashrateRatio, "x the given hashrate", "bits of an older epoch?",
                   "bits of another chain or a mistyped hashrate?",
                   "the hashrate the difficulty implies (D x 2^32 / 600 s) against the one given; a retarget moves "
                   "at most 4x"},
    PlausibleRange{"market.height (blocks off the 10-minute schedule of start_date)",
                   -kMaxPlausibleHeightOffScheduleBlocks, kMaxPlausibleHeightOffScheduleBlocks, "blocks",
                   "a height of an earlier date: another halving era, another subsidy?",
                   "a height of a later date: another halving era, another subsidy?",
                   "the chain has run 20,105 behind to 36,668 ahead of the schedule; a quarter era either way"},
    PlausibleRange{"machines.power_w / machines.hashrate_th", kMinPlausibleEfficiencyJPerTh,
                   kMaxPlausibleEfficiencyJPerTh, "J/TH", "power in kW, or hashrate in GH/s?",
                   "power per rack, or hashrate in PH/s?",
                   "the best shipping ASICs draw ~9.5-12 J/TH (2024-25); the Antminer S7 (2015) drew 273"},
    PlausibleRange{"sites.power_price_usd_per_mwh", kMinPlausiblePowerPriceUsdPerMwh,
                   kMaxPlausiblePowerPriceUsdPerMwh, "USD/MWh", "a price in cents/kWh?", "a price in USD/GWh?",
                   "miners pay ~20-80 USD/MWh (docs/model.md §4); ERCOT West's 2021-25 mean is ~37"},
    PlausibleRange{"sites.capacity_mw", 0.0, kMaxPlausibleSiteCapacityMw, "MW", "", "a capacity in kW?",
                   "the largest sites are ~0.7-1 GW"},
    PlausibleRange{"scenario.horizon_years", kMinPlausibleHorizonYears, kMaxPlausibleHorizonYears, "years", "",
                   "past two halvings the calibrated processes are extrapolated",
                   "a calibration is fitted on one 4-year halving era"},
    PlausibleRange{"scenario.paths", kMinPlausiblePaths, kMaxPlausiblePaths, "paths",
                   "too few for the probabilities to mean much", "days of computing",
                   "the SE of a 1% probability from 100 paths is 1%"},
    PlausibleRange{"strategies.sales.btc (cumulative)", 0.0, 1.0, "x the BTC the firm can have",
                   "", "a sale larger than all BTC held (the engine caps it at the free BTC)?",
                   "treasury.btc + every debt's collateral_btc + the fleet's output to the sale at the start's "
                   "share of the network"},
    PlausibleRange{"market.history (block_bootstrap)", kPlausibleBootstrapEras, kPlausibleBootstrapEras,
                   "halving era(s) spanned", "", "returns of earlier eras (2010-13 growth) resampled into this one?",
                   "the bootstrap resamples every return of the file before start_date"},
    PlausibleRange{"PriceUSD (history CSV)", kMinPlausibleHistoryPriceUsd, kMaxPlausibleHistoryPriceUsd, "USD/BTC",
                   "a price in thousands of USD?", "a price in cents?",
                   "10x either side of the traded extremes ($0.05, ~$126k)"},
    PlausibleRange{"PriceUSD daily log return (history CSV)", -kMaxPlausibleDailyLogReturn,
                   kMaxPlausibleDailyLogReturn, "", "a typo or a unit change?", "a typo or a unit change?",
                   "the bundled history's extremes are -0.665 (2013-04-11) and 0.437 (2010-11-06)"},
    PlausibleRange{"calibration *mu_annual, *drift_annual", kMinPlausibleDriftAnnual, kMaxPlausibleDriftAnnual,
                   "per year", "a history with a bad price?", "a history with a bad price?",
                   "era drifts of BTC ranged about -1 to 2.5 a year"},
    PlausibleRange{"calibration *sigma_annual", kMinPlausibleVolatilityAnnual, kMaxPlausibleVolatilityAnnual,
                   "per sqrt(year)", "a daily volatility?", "a history with a bad price?",
                   "BTC's annual volatility ran ~0.4-1.5, the hashrate's ~0.3"},
    PlausibleRange{"calibration *sigma_daily, *sigma_log_daily", 0.0, kMaxPlausibleVolatilityDaily, "per sqrt(day)",
                   "", "an annual volatility, or a bad history?", "the bundled fits are 0.007-0.23"},
    PlausibleRange{"calibration hashrate *sigma_per_day", 0.0, kMaxPlausibleNetworkSigmaPerDay, "per sqrt(day)", "",
                   "an annual volatility?",
                   "the 2024-2026 fits are 0.016-0.017; at 0.2 the margin-driven network died within ten years on "
                   "36 of 200 simulated paths"},
};

/// The row of kPlausibleRanges whose key is `key`; a key not in the table is a bug (asserted).
[[nodiscard]] const PlausibleRange& plausible_range(std::string_view key);

/// A number as people write it: 1,000,000 and 898,272 grouped, 78.7 and 0.0189 as they are.
[[nodiscard]] std::string readable_number(double x);

/// "1,000–1,000,000 USD/BTC"
[[nodiscard]] std::string describe_range(const PlausibleRange& range);

/// The problem text of `value` outside `range` ("78.7 is outside the plausible range 1,000–1,000,000
/// USD/BTC (a price in thousands of USD?)"), or std::nullopt when it lies inside.
[[nodiscard]] std::optional<std::string> implausibility(const PlausibleRange& range, double value);

}  // namespace hashpivot
