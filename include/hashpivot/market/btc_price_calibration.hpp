#pragma once
// Calibration of the BTC price processes (btc_price.hpp) on a daily history, and the processes a
// calibration describes. Data: daily log returns r_t = ln(P_t / P_{t−1}) for every day t where both
// P_t and P_{t−1} are known and positive (unknown days are skipped, never filled). Annualization
// uses 365 days a year, as everywhere in the price model.
//
// calibrate_btc_price returns four FitReports, factor "btc_price":
//   "gbm"              closed-form maximum likelihood: r ~ N(m, v) with m̂ the mean and v̂ the (1/n)
//                      variance of r; σ = √(365 v̂), μ = 365 (m̂ + v̂/2); standard errors by the
//                      delta method from Var m̂ = v/n, Var v̂ = 2v²/n.
//                      Parameters mu_annual, sigma_annual.
//   "jump_diffusion"   maximum likelihood (maximize_likelihood), density of a day's return the
//                      Poisson mixture Σ_{k=0}^{10} P(N = k) φ(r; m + k μ_J, σ²/365 + k σ_J²),
//                      m = (μ − σ²/2 − λκ)/365, truncated at 10 jumps a day; SEs from the observed
//                      information. Parameters mu_annual, sigma_annual, jump_intensity_per_year,
//                      jump_mean_log, jump_sd_log.
//   "regime_switching" maximum likelihood with the Hamilton (1989) filter, the first day's regime
//                      from the stationary distribution; "bull" is the regime with the higher drift.
//                      Parameters bull_mu_annual, bull_sigma_annual, bear_mu_annual,
//                      bear_sigma_annual, p_stay_bull_daily, p_stay_bear_daily.
//   "block_bootstrap"  no likelihood: the mean block length L by the automatic rule of Politis &
//                      White (2004) for the stationary bootstrap, with the correction of Patton,
//                      Politis & White (2009), computed on the returns and on the squared demeaned
//                      returns (volatility clustering); L is the larger of the two, at least 1 day.
//                      Parameters mean_block_length_days (no SE: NaN) and sample_days (exact, SE 0).
// Goodness of fit: annualized volatility and excess kurtosis of daily log returns, model vs
// history (closed form for the parametric models, simulated for the bootstrap), plus per model a
// Kolmogorov–Smirnov distance (gbm), skewness (jump_diffusion), the bull share (regime_switching)
// and the autocorrelation of squared returns (block_bootstrap).

#include <span>
#include <string>
#include <vector>

#include "hashpivot/market/btc_price.hpp"
#include "hashpivot/market/fit.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::market {

/// The daily log returns of the history's known consecutive prices, in date order.
[[nodiscard]] std::vector<double> btc_log_returns(const DailyHistory& history);

/// The four fits described above, in the order gbm, jump_diffusion, regime_switching,
/// block_bootstrap. Throws InputError naming the history's file and PriceUSD with fewer than 100
/// usable returns (the individual fits: ParameterError "log_returns").
[[nodiscard]] std::vector<FitReport> calibrate_btc_price(const DailyHistory& history);

/// The individual fits on a series of daily log returns (what calibrate_btc_price runs).
[[nodiscard]] FitReport fit_gbm(std::span<const double> log_returns);
[[nodiscard]] FitReport fit_jump_diffusion(std::span<const double> log_returns, FitDetail detail = FitDetail::kFull);
[[nodiscard]] FitReport fit_regime_switching(std::span<const double> log_returns, FitDetail detail = FitDetail::kFull);
[[nodiscard]] FitReport fit_block_bootstrap(std::span<const double> log_returns);

/// Politis–White (2004) / Patton–Politis–White (2009) optimal mean block length of the stationary
/// bootstrap for the mean of `series` (days, not rounded), capped at min(3√n, n/3) and at least 1.
[[nodiscard]] double politis_white_block_length(std::span<const double> series);


/// The processes a report describes (by its parameter names; the model must match), validated.
/// The structs are aggregates, so a scenario can also name values directly:
/// GbmPrice{.mu_annual = 0.4, .sigma_annual = 0.6}.
[[nodiscard]] GbmPrice gbm_from_report(const FitReport& report);
[[nodiscard]] JumpDiffusionPrice jump_diffusion_from_report(const FitReport& report);
[[nodiscard]] RegimeSwitchingPrice regime_switching_from_report(const FitReport& report);
/// The bootstrap needs the sample itself (the report holds its size and L): `log_returns` must
/// have report's sample_days values (e.g. btc_log_returns of the same history).
[[nodiscard]] BlockBootstrapPrice block_bootstrap_from_report(const FitReport& report, std::vector<double> log_returns);

}  // namespace hashpivot::market
