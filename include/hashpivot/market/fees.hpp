#pragma once
// Transaction fees per block (docs/model.md §2), and the mean-reverting log process with spikes that the
// fees and the energy index (docs/model.md §3, energy.hpp) share.
//
// The process, for a log level x (the unit is the factor's: ln BTC per block, ln USD per MWh):
//   x_{t+1} = x_t + κ (θ − x_t) + σ z_t + J_t,   J_t = 1{u_t < p} · (μ_J + s_J · z_J,t),
// with z, z_J standard normals and u uniform on (0, 1), all independent. A spike is a jump in the
// log that then decays through the mean reversion (half-life ln 2 / −ln(1 − κ) days).
// Moments (0 < κ < 2): the innovation ε = σ z + J has mean p μ_J and variance
//   σ² + p s_J² + p (1 − p) μ_J²;
// the stationary mean is θ + p μ_J / κ and the stationary variance Var(ε) / (1 − (1 − κ)²).
//
// Step functions are pure: they take the day's shocks as arguments (so the engine can pass a
// correlated z), allocate nothing and call nothing virtual. The simulators draw the shocks from
// random::CounterRng at (stream, path, step), so a value depends only on (seed, path, step).

#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "hashpivot/market/fit.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::market {

/// The shocks of one day of a log-OU process with spikes.
struct SpikeShocks {
  double z = 0;              // standard normal: the diffusion shock (may be a correlated one)
  double spike_uniform = 1;  // uniform on (0, 1): a spike arrives when spike_uniform < spike_prob_daily
  double spike_z = 0;        // standard normal: the spike's size shock
};

/// Parameters of the log-OU process with spikes (equation above); units of the log are the factor's.
struct LogOuSpikes {
  double kappa_per_day;     // κ: fraction of the gap to θ closed per day, in (0, 2) for stationarity
  double theta_log;         // θ: the level the diffusion reverts to (ln of the factor's unit)
  double sigma_daily;       // σ: sd of the daily diffusion shock of the log
  double spike_prob_daily;  // p: probability of a spike on a day
  double spike_mean_log;    // μ_J: mean spike size in the log
  double spike_sd_log;      // s_J: sd of the spike size in the log

  /// J for one day: μ_J + s_J z_J when a spike arrives, else 0.
  [[nodiscard]] double spike(const SpikeShocks& s) const noexcept {
    return s.spike_uniform < spike_prob_daily ? spike_mean_log + spike_sd_log * s.spike_z : 0.0;
  }
  /// x_{t+1} from x_t and the day's shocks.
  [[nodiscard]] double step(double x, const SpikeShocks& s) const noexcept {
    return x + kappa_per_day * (theta_log - x) + sigma_daily * s.z + spike(s);
  }
  /// Var(σ z + J) = σ² + p s_J² + p (1 − p) μ_J².
  [[nodiscard]] double innovation_variance() const noexcept {
    const double p = spike_prob_daily;
    return sigma_daily * sigma_daily + p * spike_sd_log * spike_sd_log + p * (1 - p) * spike_mean_log * spike_mean_log;
  }
  /// θ + p μ_J / κ.
  [[nodiscard]] double stationary_mean() const noexcept {
    return theta_log + spike_prob_daily * spike_mean_log / kappa_per_day;
  }
  /// Var(ε) / (1 − (1 − κ)²).
  [[nodiscard]] double stationary_variance() const noexcept {
    const double a = 1 - kappa_per_day;
    return innovation_variance() / (1 - a * a);
  }
};

/// The shocks of (path, step): z = normals({diffusion, path, step, 0})[0],
/// spike_uniform = uniforms({spikes, path, step, 0})[0], spike_z = normals({spikes, path, step, 1})[0].
[[nodiscard]] SpikeShocks draw_spike_shocks(const random::CounterRng& rng, random::Stream diffusion,
                                            random::Stream spikes, std::uint32_t path, std::uint32_t step);

/// A path of the log: out[0] = x0 and out[t] = step(out[t − 1], shocks of step t) for t ≥ 1.
void simulate_log_ou_spikes(const LogOuSpikes& process, const random::CounterRng& rng, random::Stream diffusion,
                            random::Stream spikes, std::uint32_t path, double x0, std::span<double> out);

/// A maximum-likelihood fit of LogOuSpikes. The transition density is the two-component mixture
///   (1 − p) N(e; 0, σ²) + p N(e; μ_J, σ² + s_J²),  e = x_{t+1} − x_t − κ (θ − x_t),
/// maximized with maximize_likelihood (p is bounded by 1/2 so that the spike is the rare component).
struct LogOuSpikesFit {
  LogOuSpikes process;
  std::array<double, 6> se;  // in the order of LogOuSpikes' fields; NaN where undefined
  double log_likelihood;
  int observations;          // transitions used
  bool converged;
  std::vector<double> residuals;  // e of each transition used, at the fitted parameters
};

/// The fit as report estimates in the order kappa_per_day, <theta_log_name>, <theta_level_name>
/// (= exp θ, SE by the delta method), sigma_daily, spike_prob_daily, spike_mean_log, spike_sd_log.
/// Shared by every factor modelled as LogOuSpikes, so their reports read alike.
[[nodiscard]] std::vector<Estimate> log_ou_spikes_estimates(const LogOuSpikesFit& fit, const std::string& theta_log_name,
                                                            const std::string& theta_level_name);
/// The process such estimates describe. Throws ParameterError naming one that is missing.
[[nodiscard]] LogOuSpikes log_ou_spikes_from_report(const FitReport& report, std::string_view theta_log_name);

/// Fits on a daily series `x` where NaN marks an unknown day: only pairs (x_t, x_{t+1}) with both
/// known are used, so gaps break the chain instead of bridging it. Throws ParameterError "series"
/// with fewer than 30 usable pairs.
/// With FitDetail::kEstimates the SEs are NaN (no Hessian).
[[nodiscard]] LogOuSpikesFit fit_log_ou_spikes(std::span<const double> x, FitDetail detail = FitDetail::kFull);

/// fit_log_ou_spikes on a series derived from column `column` of the file `source`: too short a
/// series is then that file's problem, an InputError naming it and the column.
[[nodiscard]] LogOuSpikesFit fit_on_file(std::span<const double> x, const std::string& source, const std::string& column,
                                         FitDetail detail = FitDetail::kFull);

/// Fees per block in BTC: x = ln(fees per block), a LogOuSpikes in ln BTC per block. There are no
/// defaults: the parameters come from calibrate_fees (fee_process_from_report) or configuration.
struct FeeProcess {
  LogOuSpikes log_fees;  // x in ln BTC per block

  [[nodiscard]] double step_log(double x, const SpikeShocks& s) const noexcept { return log_fees.step(x, s); }
  [[nodiscard]] static double fees_btc_per_block(double x) noexcept { return std::exp(x); }
};

/// The fee shocks of (path, step), from Stream::kFees (z) and Stream::kFeeSpikes (arrival, size).
[[nodiscard]] SpikeShocks fee_shocks(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step);

/// Fees per block in BTC along a path: out[0] = initial_fees_btc_per_block (> 0), and day t ≥ 1
/// moves by the fee shocks of step t.
void simulate_fees_btc_per_block(const FeeProcess& process, const random::CounterRng& rng, std::uint32_t path,
                                 double initial_fees_btc_per_block, std::span<double> fees_btc_per_block);

/// ln(FeeTotNtv / BlkCnt) per day of the history; NaN where either is unknown or not positive
/// (days with zero fees, as in 2009–2010, have no log and are treated as unknown).
[[nodiscard]] std::vector<double> log_fees_btc_per_block(const DailyHistory& history);

/// Calibrates FeeProcess on the days of `history` (the caller chooses the window) by
/// fit_log_ou_spikes on log_fees_btc_per_block. Factor "fees", model "log_ou_spikes"; parameters
/// kappa_per_day, theta_log_btc, theta_btc_per_block (= e^θ, delta-method SE), sigma_daily,
/// spike_prob_daily, spike_mean_log, spike_sd_log. Goodness of fit: stationary mean and sd of the
/// log (closed form) against the history's, the share of days whose innovation exceeds 3σ (closed
/// form of the mixture) against the residuals', mean fees per block in BTC (model: simulated
/// stationary mean), and the fee share of the block reward (model: that mean against the history's
/// mean issuance per block; history: Σ fees / Σ (fees + issuance), issuance = day-on-day change of
/// SplyCur, over the days where all are known).
/// Throws InputError (the history's file, FeeTotNtv) when it has fewer than 30 consecutive known pairs.
[[nodiscard]] FitReport calibrate_fees(const DailyHistory& history, FitDetail detail = FitDetail::kFull);

/// The process a report from calibrate_fees describes. Throws ParameterError naming a missing
/// parameter.
[[nodiscard]] FeeProcess fee_process_from_report(const FitReport& report);

}  // namespace hashpivot::market
