#pragma once
// Calibration of the margin-driven network hashrate (network/margin_hashrate.hpp) on a daily history,
// reported as factor "hashrate", model "margin_driven" (docs/margin_driven.md).
//
// Given the realized daily hashprice, the model's fleet is run over the window and scored one week
// ahead, as the exogenous model is (network/hashrate.hpp): Y_w = ln of the mean HashRate of the
// non-overlapping 7-day week w (weeks with all 7 days known). At the end of each known week the fleet's
// size is reset so that its mean running hashrate over the week equals the observed one (the fleet's
// composition by release and power class stays the model's own); the next week's residual is
//   e_w = Y_w − ln(mean running hashrate of week w, the model driven by the realized hashprice),
// i.e. the observed weekly change less the model's. The five parameters
//   θ = (ln power_price_median_usd_per_mwh, power_price_log_sd, entry_hurdle, supply_share_per_year,
//        must_run_share)
// maximize the Gaussian likelihood of the residuals (concentrated in their variance) inside the bounds [5, 1000] USD/MWh, [0.05, 2], [−0.5, 20], [0.01, 5] a year,
// [0.05, 0.9]. The must-run share's floor of 0.05 is an ASSUMPTION: four-year windows otherwise fit it at 0
// and, with a narrow spread, a network that stops whole at one hashprice (the forecast check's 2018 and 2019
// origins did), which the history never shows: the deepest price-driven fall of hashrate in it is about a
// third (November–December 2018); the 2016–2026 fit gives 0.33, far from the floor. The maximization
// runs BOBYQA then Nelder–Mead from each of the 3 best points of a grid of starts and keeps the best (the
// likelihood is kinked and has local maxima). The starting fleet's age profile is the window's own
// fleet_growth_annual (below), so that the reported parameters replay the reported likelihood.
// Standard errors of the five: a PARAMETRIC BOOTSTRAP (MarginFitOptions). The likelihood is kinked (the
// running fleet is piecewise linear in 30-day release bins, orders are clamped), so the curvature of a
// numerical Hessian measures the kinks, not the ridge along which median, spread and hurdle trade off (it
// gave SEs 13–21 times too small). Instead R histories are simulated from the fit, θ̂ and sigma_per_day,
// the fleet started as the fit starts it and driven by the realized hashprice with its daily shock, each
// day's HashRate observed with the lognormal approximation of its Poisson noise (variance 1/BlkCnt) and
// unknown where the history's is; each is refitted by this same procedure (grid, growth and all), and the
// SE of a parameter is the standard deviation of its R refits (of the median in USD/MWh). Draws:
// random::CounterRng(seed), stream kHashrate, path = replicate, step = day index, so results do not
// depend on the worker threads the replicates run on. Replicates whose refit fails (no finite
// likelihood) are left out and counted in the method string; with fewer than 2 refits, or R = 0, the
// five get no SE (NaN).
// sigma_per_day, of the daily log shock of the fleet's size, as the exogenous model's sigma: (residual
// variance − the mean Poisson noise variance of the weekly means) / Σ c_j² (c_j the triangular weights of
// a 7-day mean's change), with the delta-method SE. fleet_growth_annual: the mean weekly change of Y × 365/7
// (the age profile of a starting fleet), SE from the weekly changes' spread.
// Sourced, not fitted: the frontier (window_frontier of the CBECI list, up to the window's end), the power
// overhead 1.1 and the five-year life (CBECI). ASSUMPTION: release bins of 30 days, 5 power classes, a
// 120-day pipeline, entry_ramp 1, and AI/HPC exits of 2.5% of installed hashrate a year from 2024-06-03
// (docs/margin_driven.md gives the reasoning).
//
// The history's hashprice (history_hashprice_usd): PriceUSD × (subsidy + fees per block) ×
// 86400·10^15 / (2^32 · DiffMean), the subsidy of the height that SplyCur of the day before implies,
// fees per block FeeTotNtv / BlkCnt, or the last known within 30 days, else 0 (the fit counts those
// days); unknown where PriceUSD, DiffMean or SplyCur is. The fleet is driven on unknown days by the
// last known hashprice.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/market/fit.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/network/margin_hashrate.hpp"

namespace hashpivot::network {

/// The parameters the fit does not estimate (sourced or ASSUMPTION; see above), with `frontier`.
[[nodiscard]] MarginHashrateParams margin_fixed_params(const EfficiencyFrontier& frontier);

/// What the fit reads: one value per day from `first_day` (NaN where unknown).
struct MarginFitData {
  std::string source;                   // for messages
  DayNumber first_day = 0;
  std::vector<double> hashprice_usd;    // USD per PH/s per day
  std::vector<double> hashrate_ths;     // the daily HashRate estimate
  std::vector<double> block_count;      // its Poisson noise: 1/BlkCnt (144 a day where unknown)
  int fee_days_filled = 0;              // days whose fees were carried or taken as 0
};

/// The daily hashprice of a history (see above), NaN where unknown; `fee_days_filled` counts the days
/// whose fees per block were carried from an earlier day or taken as 0.
[[nodiscard]] std::vector<double> history_hashprice_usd(const market::DailyHistory& history, int* fee_days_filled = nullptr);

/// The fit's data from a history.
[[nodiscard]] MarginFitData margin_fit_data(const market::DailyHistory& history);

/// The bootstrap of the standard errors (see above): `bootstrap_replicates` simulated histories
/// (0: no SEs for the five, e.g. where only the estimates are used), drawn from `seed`. Each replicate
/// costs about one fit; they run on up to std::thread::hardware_concurrency() threads.
struct MarginFitOptions {
  int bootstrap_replicates = 30;
  std::uint64_t seed = 1;
};

/// Fits θ and σ on `data` with the other parameters of `fixed` (see above; its fleet_growth_annual is
/// replaced by the data's). Throws InputError (the data's source, HashRate) with fewer than 60 known
/// weekly changes, or when no start of the grid gives a finite likelihood.
[[nodiscard]] market::FitReport fit_margin_hashrate(const MarginFitData& data, const MarginHashrateParams& fixed,
                                                    const MarginFitOptions& options = {});

/// fit_margin_hashrate(margin_fit_data(history), margin_fixed_params(frontier), options), as a list of reports.
[[nodiscard]] std::vector<market::FitReport> calibrate_margin_hashrate(const market::DailyHistory& history,
                                                                      const EfficiencyFrontier& frontier,
                                                                      const MarginFitOptions& options = {});

/// The parameters in a report from fit_margin_hashrate (model "margin_driven"); a missing or unusable
/// one throws ParameterError naming it.
[[nodiscard]] MarginHashrateParams margin_params_from_report(const market::FitReport& report);

}  // namespace hashpivot::network
