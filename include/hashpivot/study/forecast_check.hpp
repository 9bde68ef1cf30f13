#pragma once
// Rolling-origin evaluation of the engine's market and network forecasts against what happened next
// (docs/forecast_check.md).
//
// From every month start t0 in [from, to], the price, fee, hashrate and correlation models are calibrated on
// the history of the `window_years` before t0 only (the calibrate_* functions of `hashpivot calibrate`; the
// margin-driven hashrate with the efficiency frontier of the ASICs released before t0), a
// model::MarketModel is built in memory (model::build_market_model, as a run builds it) and started from the
// real state at t0, and `paths` paths are stepped with model::step_market_day. At t0 + h months the realized
// BTC price, difficulty, network hashrate and hashprice are scored against the simulated distribution:
//   - PIT = (#{x < y} + ½·#{x = y}) / N, and coverage of the central 50% and 90% bands (|PIT − ½| ≤ ¼, ≤ 0.45);
//   - CRPS of the log values by the sample estimator E|X − y| − ½·E|X − X'|, computed exactly from the sorted
//     sample (log values make the score scale-free, so 2016 and 2025 weigh alike);
//   - the same scores for two baselines: a random walk in logs (zero drift, the series' historical volatility
//     from non-overlapping 28-day log changes in the window; its CRPS and PIT in closed form) and the last
//     value (a point forecast: CRPS = |ln x0 − ln y|).
//
// The real state at t0 (the day before is the last one seen): price = PriceUSD of t0 − 1 (Coin Metrics' close
// at 00:00 UTC of t0); fees per block = mean of the last 7 known days within 30 days (else the fitted long-run
// level, counted in `fee_starts_from_long_run`); chain = next height, bits and epoch start from
// network::ChainHistory; hashrate = the work of the days of the last `state_window_days` that lie wholly in the
// epoch in force (DiffMean equal to its difficulty) over their time, D·2^32·ΣBlkCnt/(days·86400), or, with
// fewer than `min_state_days` such days, the work of all the window's days over their time.
// Realized values at T: price PriceUSD of T − 1; difficulty of the epoch in force at the start of T; hashrate
// the work of the `state_window_days` days centred on T over their time; hashprice from that difficulty, the
// subsidy at T's height, T's fees per block and the price. A (origin, horizon, series) whose realized value
// is unknown is not scored; `n` counts those scored.
//
// Randomness: path p of origin t0 draws at path address month_index(t0)·kPathsPerOriginLimit + p of a
// random::CounterRng of `seed`, so each origin's paths are fixed whatever --from, --to or the threads; the
// origins run in parallel and are merged in date order, so results are bit-identical for any thread count.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/core/date.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/network/chain_history.hpp"
#include "hashpivot/network/margin_hashrate.hpp"

namespace hashpivot::study {

enum class ForecastSeries : std::uint8_t { kBtcPrice, kDifficulty, kHashrate, kHashprice };
inline constexpr std::size_t kForecastSeriesCount = 4;
inline constexpr std::size_t kPitBins = 10;
/// Most paths per origin: each origin owns this many path addresses.
inline constexpr std::uint32_t kPathsPerOriginLimit = 1U << 20U;

/// "btc_price", "difficulty", "hashrate", "hashprice"
[[nodiscard]] std::string_view forecast_series_name(ForecastSeries series);

struct ForecastCheckOptions {
  DayNumber from = 0;                        // first origin (a month start on or after it)
  DayNumber to = 0;                          // last origin (on or before it)
  std::vector<int> horizons_months{1, 3, 6, 12};
  std::uint32_t paths = 500;
  std::uint64_t seed = 1;
  int threads = 1;
  firm::PriceModel price_model = firm::PriceModel::kRegimeSwitching;
  firm::HashrateModel hashrate_model = firm::HashrateModel::kExogenous;
  /// margin_driven: the ASIC hardware lists; each origin's frontier is fitted to the models released
  /// before it (network::window_frontier), as a forecaster then could have.
  std::vector<network::AsicModel> asic_models;
  /// margin_driven: years of history before each origin its fit uses (the other fits use window_years).
  int margin_window_years = 4;
  int window_years = 4;                      // calibration window before each origin
  int state_window_days = 14;                // days of blocks behind the starting (and realized) hashrate
  int min_state_days = 4;                    // fewest days in the epoch in force before the window is widened
};

/// One forecast scored: the model's PIT and log-CRPS, and the baselines'.
struct ScoredForecast {
  double realized = 0;        // y, in the series' unit
  double last_value = 0;      // x0, the value at the origin
  double pit = 0;
  double crps = 0;            // model, log scale
  double q05 = 0, q50 = 0, q95 = 0;   // the model's 5%, 50% and 95% sample quantiles, in the series' unit
  double random_walk_pit = 0;
  double random_walk_crps = 0;
  double last_value_crps = 0;
};

/// Mean scores of one series at one horizon.
struct SeriesScores {
  int n = 0;
  double coverage_50 = 0, coverage_90 = 0, crps = 0;
  std::array<double, kPitBins> pit{};   // share of PIT values in each tenth
  double pit_chi_square = 0;            // Pearson's statistic against a uniform PIT (9 degrees of freedom)
  double pit_p_value = 0;
  double median_log_error = 0;          // mean of ln(realized) − ln(model median): the forecasts' bias in logs
  double random_walk_crps = 0, random_walk_coverage_50 = 0, random_walk_coverage_90 = 0;
  double last_value_crps = 0;
};

struct HorizonScores {
  int months = 0;
  std::array<SeriesScores, kForecastSeriesCount> series{};
};

/// One origin: whether it was used and, per horizon and series, the scored forecast (absent where unknown).
struct OriginRecord {
  DayNumber origin = 0;
  std::string skipped;   // why the origin was not simulated; empty when it was
  bool fees_from_long_run = false;
  bool epoch_start_estimated = false;
  double start_hashrate_ths = 0;
  std::vector<std::array<std::optional<ScoredForecast>, kForecastSeriesCount>> forecasts;  // per horizon
};

struct ForecastCheckResult {
  int origins = 0;             // simulated
  int origins_skipped = 0;     // month starts in [from, to] with no usable state or calibration
  int fee_starts_from_long_run = 0;
  std::vector<HorizonScores> horizons;
  std::vector<OriginRecord> records;  // every month start considered, in date order
};

/// Runs the check on `history` and the real chain `chain`. Throws ParameterError naming the option for
/// options that cannot be used: no month start in [from, to] with a realized value, a horizon < 1, paths
/// outside 1 … kPathsPerOriginLimit, an unknown price model, threads < 1, window_years < 2,
/// a margin-driven check without ASIC models.
[[nodiscard]] ForecastCheckResult run_forecast_check(const market::DailyHistory& history,
                                                     const network::ChainHistory& chain,
                                                     const ForecastCheckOptions& options);

// ---- Scoring rules, exposed for tests ---------------------------------------------------------------

/// CRPS of the empirical distribution of `sorted_sample` (ascending, non-empty) at y:
/// mean|x_i − y| − (1/N²)·Σ_i (2i − N + 1)·x_(i) (i from 0), i.e. E|X − y| − ½E|X − X'| exactly.
[[nodiscard]] double crps_sample(std::span<const double> sorted_sample, double y);
/// Closed form for a normal forecast (Gneiting & Raftery 2007): σ·[z(2Φ(z) − 1) + 2φ(z) − 1/√π].
[[nodiscard]] double crps_normal(double mean, double sd, double y);
/// (#{x < y} + ½·#{x = y}) / N for an ascending sample.
[[nodiscard]] double pit_of_sample(std::span<const double> sorted_sample, double y);
/// Empirical quantile of an ascending sample (linear between order statistics, type 7).
[[nodiscard]] double sample_quantile(std::span<const double> sorted_sample, double probability);
/// P(χ²_dof > statistic), by the regularized upper incomplete gamma function.
[[nodiscard]] double chi_square_upper_tail(double statistic, int dof);
/// Means, coverage and PIT histogram of scored forecasts (the aggregation the check reports).
[[nodiscard]] SeriesScores summarize_forecasts(std::span<const ScoredForecast> forecasts);
/// Scores one forecast from its sample (any order; sorted in place) in the series' unit, the value at the
/// origin `last_value`, the random walk's log-volatility over the horizon `random_walk_sd_log` and the
/// realized `realized` (all > 0).
[[nodiscard]] ScoredForecast score_forecast(std::span<double> sample, double last_value, double random_walk_sd_log,
                                            double realized);

}  // namespace hashpivot::study
