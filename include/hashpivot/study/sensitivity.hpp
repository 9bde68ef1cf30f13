#pragma once
// Sensitivity of a scenario's strategies to its main inputs (docs/sensitivity.md): a tornado of
// the mean NPV to equity and the probability of default, and each strategy's break-even BTC price
// and power price. Every run uses the same seed and paths (common random numbers), so a bar's low
// and high outcomes differ only by the input moved, and moving nothing reproduces the base run
// bit for bit.
//
// Inputs and bumps (low = base − bump, high = base + bump):
//   btc_price_drift       μ, per year: the stationary drift of the price model (GBM and jump-diffusion:
//                         μ; regime switching: π μ_bull + (1 − π) μ_bear, both regimes shifted alike;
//                         bootstrap: (mean log return + variance / 2) × 365, every return shifted).
//                         Bump: 1 SE of the calibrated μ (the model's own; the GBM fit's for regime
//                         switching and bootstrap: the SE of the history's mean drift), else relative.
//   btc_price_volatility  σ, per √year (regime switching: √(π σ_bull² + (1 − π) σ_bear²), each regime's
//                         σ moved by its own SE). Bump: 1 SE of the calibrated σ, else relative
//                         (bootstrap: deviations from the mean return scaled by 1 ± bump, the mean
//                         re-centred so E[S_T] keeps its growth). μ (E[S_T] growth) is held fixed.
//   hashrate_growth       drift of ln network hashrate, per year. Bump: 1 SE of the calibration, else relative.
//                         Under the margin-driven network (whose growth follows from the hashprice) it is
//                         supply_share_per_year, the most the network orders a year as a share of its
//                         installed hashrate: its growth capacity. Same bump rule.
//   power_price           every site's power_price_usd_per_mwh (fixed contracts and index levels) × (1 ± bump);
//                         shown as the capacity-weighted mean, USD/MWh.
//   fees                  fees per block: the opening level and the log-OU long-run level θ both moved by
//                         ln(1 ± bump), which scales every path's fees by 1 ± bump exactly; BTC/block.
//   conversion_capex      every conversion's capex_usd_per_mw × (1 ± bump); shown as the capacity-weighted mean.
//   lease_rate            every conversion's lease_usd_per_mw_year × (1 ± bump); likewise.
// `relative_bump` (default 0.2, an assumption documented in docs/sensitivity.md) is used where no
// calibrated SE exists. An input the scenario lacks (no convertible site) has NaN values and moves
// nothing: its bar has zero swing.
//
// Break-evens (per strategy, each on a scenario holding that strategy alone, with its financing
// removed: no debt, cash that never runs out, one-off sales' "repay:" proceeds kept as cash; so no
// path defaults and the break-even is of the strategy's operations):
//   f(x) = mean over paths of the strategy's EBITDA per year over the horizon, as a function of
//   - the opening BTC price x (USD/BTC): every price path is scaled by x / S_0 (all price models move
//     log returns, so scaling S_0 scales the path; hashprice in USD follows, hashprice in BTC does not);
//   - a common factor m on every site's power price; reported as m × the capacity-weighted mean price.
//   The break-even is the root of f in the bracket, searched from the base value outward (f rises
//   with the BTC price and falls with the power price: find_root_from) and then found by Brent's
//   method on common random numbers (f is deterministic given the seed); none when f keeps its sign
//   up to the bracket's end on the root's side.
//   Its SE (delta method): SE of the mean EBITDA near the root / |slope of f|, the slope a central
//   difference over root ± slope_step × base (two more runs; the final bracket's secant may be
//   steep where a curtailment decision flips on many paths at once).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashpivot/model/market_model.hpp"
#include "hashpivot/sim/market_replay.hpp"
#include "hashpivot/sim/process_group.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/market/calibration.hpp"

namespace hashpivot::study {

enum class SensitivityInput : std::uint8_t {
  kBtcPriceDrift,
  kBtcPriceVolatility,
  kHashrateGrowth,
  kPowerPrice,
  kFees,
  kConversionCapex,
  kLeaseRate,
  kCount
};
inline constexpr std::size_t kSensitivityInputs = static_cast<std::size_t>(SensitivityInput::kCount);

/// "btc_price_drift", ... (the names above).
[[nodiscard]] std::string_view sensitivity_input_name(SensitivityInput input);
/// The unit of the input's shown values: "1/yr", "1/sqrt(yr)", "USD/MWh", "BTC/block", "USD/MW", "USD/MW/yr".
[[nodiscard]] std::string_view sensitivity_input_unit(SensitivityInput input);

inline constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

/// Standard errors of the calibration the bumps use; NaN where the calibration reports none.
struct CalibrationErrors {
  double btc_price_mu_annual = kNoValue;         // SE of the price model's stationary drift μ
  double btc_price_sigma_annual = kNoValue;      // GBM, jump-diffusion: σ; regime switching: bull σ
  double btc_price_bear_sigma_annual = kNoValue; // regime switching: bear σ
  double hashrate_drift_annual = kNoValue;       // SE of the annual drift of ln hashrate
  double network_supply_share = kNoValue;        // margin-driven: SE of supply_share_per_year
};

/// The SEs in the scenario's calibration (market.calibration, as io::read_market_inputs reads it)
/// for its price model.
[[nodiscard]] CalibrationErrors calibration_errors(const firm::Scenario& scenario, const market::Calibration& calibration);

enum class BumpBasis : std::uint8_t { kCalibrationSe, kRelative, kAbsent };

/// How one input is moved. `shift` is in the input's unit (kCalibrationSe) or a relative change
/// (kRelative: the input × (1 ± shift)); `shift_bear` is the bear regime's σ shift (volatility under
/// regime switching). base/low/high are the shown values in sensitivity_input_unit (NaN if absent).
struct InputBump {
  SensitivityInput input{};
  BumpBasis basis = BumpBasis::kAbsent;
  double shift = 0;
  double shift_bear = 0;
  double base = kNoValue;
  double low = kNoValue;
  double high = kNoValue;
};

/// The bumps of every input, in SensitivityInput order. relative_bump in [0, 1), else ParameterError.
[[nodiscard]] std::vector<InputBump> make_bumps(const firm::Scenario& scenario, const model::MarketModel& market,
                                                const CalibrationErrors& errors, double relative_bump);

/// Moves the bump's input in `scenario` / `market` (copies the caller made): direction −1 low, +1 high,
/// 0 nothing. An absent input changes nothing.
void apply_bump(const InputBump& bump, int direction, firm::Scenario& scenario, model::MarketModel& market);

/// Whether apply_bump moves `input` in the market model; the others (power price, conversion capex,
/// lease rate) move only the scenario, so their runs share the base run's simulated markets.
[[nodiscard]] bool moves_market(SensitivityInput input);

/// The shown value of an input (as in InputBump::base) for a scenario and market.
[[nodiscard]] double input_value(SensitivityInput input, const firm::Scenario& scenario, const model::MarketModel& market);

/// Scales every site's power price by `factor` (≥ 0).
void scale_power_prices(firm::Scenario& scenario, double factor);
/// Σ capacity × price / Σ capacity over the sites, USD/MWh.
[[nodiscard]] double mean_power_price_usd_per_mwh(const firm::Scenario& scenario);

/// One strategy's outcome in one run.
struct SensitivityOutcome {
  double npv_mean_usd = 0;
  double npv_se_usd = 0;
  double p_default = 0;
  double p_default_se = 0;
  double ebitda_usd_per_year = 0;
  double ebitda_se_usd_per_year = 0;
};
[[nodiscard]] SensitivityOutcome outcome_of(const sim::StrategyStatistics& statistics);

struct TornadoBar {
  InputBump bump;
  SensitivityOutcome low;
  SensitivityOutcome high;
  /// NPV high − NPV low, USD (its sign says which way the input pushes NPV).
  [[nodiscard]] double npv_swing_usd() const { return high.npv_mean_usd - low.npv_mean_usd; }
};

/// A root found (or not) in a bracket.
struct BreakEven {
  bool found = false;
  double value = kNoValue;     // USD/BTC or USD/MWh
  double se = kNoValue;        // delta-method SE, same unit
  double factor = kNoValue;    // value over the base (opening price, or the mean power price)
  double bracket_low = 0;      // the bracket searched, in the value's unit
  double bracket_high = 0;
  int evaluations = 0;         // values of f used (the first, at the base value, is one run for both break-evens)
};

struct StrategySensitivity {
  std::string strategy;
  SensitivityOutcome base;
  std::vector<TornadoBar> bars;     // sorted by |npv_swing_usd| descending (ties: input order)
  std::optional<BreakEven> btc_price_usd;           // absent when break-evens were not asked for
  std::optional<BreakEven> power_price_usd_per_mwh;
};

struct SensitivityOptions {
  std::int64_t paths = 2000;
  std::uint64_t seed = 0;
  unsigned threads = 1;
  const sim::ProcessGroup* group = nullptr;
  bool variance_reduction = false;  // every run's, sim::RunOptions::variance_reduction
  double relative_bump = 0.2;
  std::vector<std::size_t> strategies;   // indices into scenario.strategies; empty = all
  bool break_evens = true;
  /// Brackets as factors of the base (opening BTC price; every site's power price).
  double btc_factor_low = 0.1, btc_factor_high = 10;
  double power_factor_low = 0, power_factor_high = 10;
  /// Root tolerance, relative to the base value: 0.5%, well inside the Monte Carlo error of a
  /// break-even (its SE is 2-8% of the base on the Cango scenario at 2,000 paths).
  double tolerance = 5e-3;
  /// Half-width of the central difference that gives the slope for a break-even's SE, relative to the base.
  double slope_step = 0.05;
  /// The most memory the runs that share the base's market (the power price's break-even, and both
  /// break-evens' first run, at the base value) may keep it in (sim::MarketReplay); 0: none. The
  /// results are the same to the bit either way.
  std::uint64_t market_replay_budget_bytes = sim::kDefaultMarketReplayBudgetBytes;
  /// Called from the calling thread before each run with its label ("base", "power_price high",
  /// "break-even BTC price of hold"), the runs done so far, and the tornado's run count.
  std::function<void(const std::string&, int, int)> progress;
};

struct SensitivityResult {
  std::string scenario_name;
  std::int64_t paths = 0;
  std::uint64_t seed = 0;
  double relative_bump = 0;
  std::string price_model;                        // "gbm", ...
  std::vector<StrategySensitivity> strategies;
  int runs = 0;  // simulation runs made (a run of several firms on one market counts for each)
  double seconds = 0;
};

/// The tornado and break-evens of the selected strategies (indices into the scenario's, asserted).
/// Throws ParameterError for "paths" < 1 or a "relative_bump" outside [0, 1).
[[nodiscard]] SensitivityResult run_sensitivity(const firm::Scenario& scenario, const model::MarketModel& market,
                                                const CalibrationErrors& errors, const SensitivityOptions& options);

/// Brent's method for a root of f in [a, b] where f(a), f(b) have opposite signs (or one is 0):
/// returns the root within `tolerance` (absolute), or nullopt when the signs agree. `evaluations`
/// counts the calls of f. `slope` receives the secant slope of the final bracket (for the SE).
[[nodiscard]] std::optional<double> find_root(const std::function<double(double)>& f, double a, double b,
                                              double tolerance, int& evaluations, double* slope = nullptr);

/// The root of f in [low, high] for f monotone (rising when `increasing`, else falling), searched
/// from `start` (> 0; clamped into the bracket) outward: each step doubles or halves x toward the
/// side where f crosses zero (below start / 16 the next step down is `low`), and the first pair of
/// points whose signs differ is handed to Brent's method (find_root, without re-evaluating its ends).
/// nullopt when f keeps its sign up to the bracket's end on the root's side. Where the root lies near
/// `start`, a few evaluations instead of the whole bracket's: 5-6 instead of 10-11 for Cango's
/// break-evens.
[[nodiscard]] std::optional<double> find_root_from(const std::function<double(double)>& f, double start,
                                                   bool increasing, double low, double high, double tolerance,
                                                   int& evaluations);

}  // namespace hashpivot::study
