#pragma once
// The exogenous network hashrate (docs/model.md §2, model 1): a random walk in log hashrate with drift,
// optionally responding to the BTC price with a lag,
//
//   ln H_{t+1} = ln H_t + drift + price_beta · r_{t−k} + sigma · z_t,
//
// where r_i = ln(P_i / P_{i−1}) is day i's log price return, k = price_lag_days, and z_t a standard
// normal. The step functions take z_t as an argument, so the engine can pass a shock correlated with
// the price shock (market::CorrelatedShocks); the simulator draws independent ones from Stream
// kHashrate at (path, step).
//
// Calibration (calibrate_hashrate) on a daily history. The daily HashRate column is an estimate
// from one day's block count (Coin Metrics: DiffMean·2^32·BlkCnt/86400), so it carries Poisson noise
// of relative variance 1/BlkCnt (about ±8% a day). The rule:
//   1. Average HashRate over non-overlapping 7-day weeks (weeks with all 7 days known); Y_w = ln of it.
//   2. ΔY_w = Y_{w+1} − Y_w. Under the model, ΔY_w = 7·drift + price_beta·X_w(k) + e_w with
//      X_w(k) = Σ_j c_j r_{s_w + j − k}, the triangular weights c_j = (min(j, 12 − j) + 1)/7,
//      j = 0…12 (Σ c_j = 7, Σ c_j² = (2·49 + 1)/21), and e_w = sigma·Σ c_j z_j + measurement noise
//      of known variance (Σ_d 1/BlkCnt_d)/49 for each week's mean. e_w is MA(1).
//   3. For each lag k = 0…180 (on one common sample), OLS of ΔY on [1, X(k)]; the lag with the
//      smallest residual sum of squares (= the highest Gaussian likelihood) is chosen.
//   4. drift = intercept / 7; sigma² = (residual variance − mean measurement-noise variance) / Σ c_j².
//      Standard errors: OLS with a lag-1 (MA(1)) HAC covariance for drift and beta; for sigma the
//      delta method on the residual variance (Bartlett's variance of a sample variance of an MA(1)).
// Reported annualized with 365 days a year: drift_annual = 365·drift, sigma_annual = √365·sigma.

#include "hashpivot/core/units.hpp"
#include <cstdint>
#include <span>
#include <vector>

#include "hashpivot/market/fit.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::network {


/// The largest standard deviation of the daily log shock of the network's size that its models accept
/// (the exogenous walk's sigma_per_day, the margin-driven fleet's). The calibration reader's fuzzer
/// found sigma_per_day = 561: the simulated hashrate overflowed within days and the block count's
/// Poisson mean was NaN (at 10 too, within a month). Ten years of the margin-driven market on 200 paths
/// (market_model_test's test of this bound, widened once): every value finite at 0.5, a difficulty out
/// of double's range at 0.7 and at 1; the bound keeps a factor 2 below what ran. Far below it the
/// network already dies on some paths (core/plausibility.hpp warns above 0.1). The 2024-2026 fits give
/// 0.016-0.017.
inline constexpr double kMaxSigmaPerDay = 0.25;

struct ExogenousHashrateParams {
  double drift_per_day = 0;   // mean daily log change, excluding the price term
  double sigma_per_day = 0;   // standard deviation of the daily log shock
  double price_beta = 0;      // response of the daily log change to the log price return k days before
  int price_lag_days = 0;     // k >= 0

  /// From annualized drift and volatility (365 days a year). Throws ParameterError for a negative
  /// price lag, or a volatility that is not finite or is negative or above kMaxSigmaPerDay a day.
  [[nodiscard]] static ExogenousHashrateParams from_annual(double drift_annual, double sigma_annual,
                                                           double price_beta = 0, int price_lag_days = 0);
};

/// One day of the model in logs: ln H + drift + price_beta · lagged_price_log_return + sigma · z.
[[nodiscard]] inline double next_log_hashrate(double log_hashrate, double z, double lagged_price_log_return,
                                              const ExogenousHashrateParams& p) {
  return log_hashrate + p.drift_per_day + p.price_beta * lagged_price_log_return + p.sigma_per_day * z;
}

/// The same step on levels (any unit: TH/s in, TH/s out).
[[nodiscard]] double next_hashrate_ths(double hashrate_ths, double z, double lagged_price_log_return,
                                       const ExogenousHashrateParams& p);

/// Closed forms for tests and reports: mean and variance of the n-day log change given price returns
/// with mean `price_mean` and variance `price_var` per day (independent of z).
[[nodiscard]] double log_change_mean(const ExogenousHashrateParams& p, int days, double price_mean = 0);
[[nodiscard]] double log_change_variance(const ExogenousHashrateParams& p, int days, double price_var = 0);

/// Draws paths of the exogenous model with independent shocks z from Stream kHashrate, addressed by
/// (path, step); the first of the two normals at each address is used.
class ExogenousHashrateSimulator {
 public:
  ExogenousHashrateSimulator(const ExogenousHashrateParams& params, std::uint64_t seed) : params_(params), rng_(seed) {}

  [[nodiscard]] const ExogenousHashrateParams& params() const { return params_; }
  /// The standard normal of (path, step).
  [[nodiscard]] double shock(std::uint32_t path, std::uint32_t step) const;

  /// Fills `hashrate_ths_out[t]` with H_{t+1} for t = 0 … size−1, starting from H_0 = `hashrate0_ths`.
  /// `price_log_returns[i]` is r_i (day i of the path, i >= 0); the term uses r_{t−k} where t − k is
  /// inside the span and zero otherwise (pass an empty span for no price response). No allocation.
  void simulate(std::uint32_t path, double hashrate0_ths, std::span<const double> price_log_returns,
                std::span<double> hashrate_ths_out) const;

 private:
  ExogenousHashrateParams params_;
  random::CounterRng rng_;
};

/// Longest price lag searched by the calibration, in days.
inline constexpr int kMaxPriceLagDays = 180;
/// Days averaged into one observation of the calibration.
inline constexpr int kHashrateWeekDays = 7;

/// Fits the exogenous model (factor "hashrate", model "exogenous") by the rule above: parameters
/// `drift_annual`, `sigma_annual`, `price_beta`, `price_lag_days` (SE NaN), `drift_per_day`,
/// `sigma_per_day`; goodness of fit: mean annual growth, volatility and lag-1 autocorrelation of
/// weekly changes, and the volatility of 52-week changes, model against history.
/// Throws InputError (the history's file, HashRate) when fewer than 60 usable weeks remain.
[[nodiscard]] std::vector<market::FitReport> calibrate_hashrate(const market::DailyHistory& history);

/// The parameters in a report from calibrate_hashrate (model "exogenous").
[[nodiscard]] ExogenousHashrateParams exogenous_params_from_report(const market::FitReport& report);

}  // namespace hashpivot::network
