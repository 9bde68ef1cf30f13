#include "hashpivot/market/fees.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include <fmt/format.h>

#include "hashpivot/core/error.hpp"
#include "hashpivot/market/mle.hpp"

namespace hashpivot::market {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMinPairs = 30;
// Stationary moments by simulation: one long path from the stationary mean (fixed seed, so the
// report is reproducible); the first kBurnInDays are dropped.
constexpr std::uint64_t kGofSeed = 1;
constexpr std::size_t kGofDays = 200000;
constexpr std::size_t kBurnInDays = 2000;

/// ln of the normal density at `e`, given ln(2π·variance) (a likelihood's terms share it).
double log_normal_pdf(double e, double mean, double variance, double log_two_pi_variance) {
  const double d = e - mean;
  return -0.5 * (log_two_pi_variance + d * d / variance);
}

/// ln(e^a0 + e^a1), from the larger of the two: e^0 = 1 exactly, so only the smaller one's exp is
/// taken (the bits of summing both exps, which the non-finite cases still do).
double log_sum_exp(double a0, double a1) {
  const double m = std::max(a0, a1);
  if (!std::isfinite(m)) return m + std::log(std::exp(a0 - m) + std::exp(a1 - m));
  return m + std::log(1.0 + std::exp((a0 < a1 ? a0 : a1) - m));
}

LogOuSpikes from_theta(std::span<const double> t) { return {t[0], t[1], t[2], t[3], t[4], t[5]}; }

double normal_upper_tail(double x) { return 0.5 * std::erfc(x / std::numbers::sqrt2); }

}  // namespace

SpikeShocks draw_spike_shocks(const random::CounterRng& rng, random::Stream diffusion, random::Stream spikes,
                              std::uint32_t path, std::uint32_t step) {
  return {rng.normals({diffusion, path, step, 0})[0], rng.uniforms({spikes, path, step, 0})[0],
          rng.normals({spikes, path, step, 1})[0]};
}

void simulate_log_ou_spikes(const LogOuSpikes& process, const random::CounterRng& rng, random::Stream diffusion,
                            random::Stream spikes, std::uint32_t path, double x0, std::span<double> out) {
  if (out.empty()) return;
  out[0] = x0;
  for (std::size_t t = 1; t < out.size(); ++t)
    out[t] = process.step(out[t - 1], draw_spike_shocks(rng, diffusion, spikes, path, static_cast<std::uint32_t>(t)));
}

LogOuSpikesFit fit_log_ou_spikes(std::span<const double> x, FitDetail detail) {
  std::vector<double> from, to;
  for (std::size_t t = 0; t + 1 < x.size(); ++t)
    if (std::isfinite(x[t]) && std::isfinite(x[t + 1])) {
      from.push_back(x[t]);
      to.push_back(x[t + 1]);
    }
  if (from.size() < kMinPairs)
    throw ParameterError("series", fmt::format("a log-OU fit needs at least {} pairs of consecutive known days, got {}",
                                               kMinPairs, from.size()));
  const auto n = static_cast<double>(from.size());

  // Start: OLS of the change on the level, dx = a + b x (κ = −b, θ = a / κ), and a robust σ (MAD).
  double mx = 0, md = 0;
  for (std::size_t i = 0; i < from.size(); ++i) {
    mx += from[i];
    md += to[i] - from[i];
  }
  mx /= n;
  md /= n;
  double sxx = 0, sxd = 0;
  for (std::size_t i = 0; i < from.size(); ++i) {
    sxx += (from[i] - mx) * (from[i] - mx);
    sxd += (from[i] - mx) * (to[i] - from[i] - md);
  }
  const double b = sxx > 0 ? sxd / sxx : 0.0;
  const double kappa0 = std::clamp(-b, 1e-3, 1.0);
  const double theta0 = mx + md / kappa0;
  std::vector<double> abs_res(from.size());
  for (std::size_t i = 0; i < from.size(); ++i)
    abs_res[i] = std::abs(to[i] - from[i] - md + kappa0 * (from[i] - mx));  // OLS residual
  std::nth_element(abs_res.begin(), abs_res.begin() + static_cast<std::ptrdiff_t>(abs_res.size() / 2), abs_res.end());
  const double sigma0 = std::max(1.4826 * abs_res[abs_res.size() / 2], 1e-3);
  const auto [lo_it, hi_it] = std::minmax_element(from.begin(), from.end());
  const double range = *hi_it - *lo_it;

  const LogLikelihood ll = [&](std::span<const double> t) {
    const LogOuSpikes p = from_theta(t);
    const double v0 = p.sigma_daily * p.sigma_daily;
    const double v1 = v0 + p.spike_sd_log * p.spike_sd_log;
    const double lw0 = std::log1p(-p.spike_prob_daily), lw1 = std::log(p.spike_prob_daily);
    // ln(2π·v) once an evaluation, not once a day: a third of the fees' fit (forecast-check refits it
    // at every origin).
    const double log_two_pi_v0 = std::log(2 * std::numbers::pi * v0);
    const double log_two_pi_v1 = std::log(2 * std::numbers::pi * v1);
    double sum = 0;
    for (std::size_t i = 0; i < from.size(); ++i) {
      const double e = to[i] - from[i] - p.kappa_per_day * (p.theta_log - from[i]);
      const double a0 = lw0 + log_normal_pdf(e, 0, v0, log_two_pi_v0);
      const double a1 = lw1 + log_normal_pdf(e, p.spike_mean_log, v1, log_two_pi_v1);
      sum += log_sum_exp(a0, a1);
    }
    return sum;
  };
  const std::vector<double> lower{1e-6, *lo_it - range - 10, 1e-6, 1e-6, -20, 1e-4};
  const std::vector<double> upper{1.5, *hi_it + range + 10, 20, 0.5, 20, 20};
  std::vector<double> start{kappa0, theta0, sigma0, 0.05, 0.0, 3 * sigma0};
  for (std::size_t i = 0; i < start.size(); ++i) start[i] = std::clamp(start[i], lower[i], upper[i]);
  MleOptions search;
  search.standard_errors = detail == FitDetail::kFull;
  const MleResult r = maximize_likelihood(ll, start, lower, upper, search);

  LogOuSpikesFit fit{from_theta(r.theta), {}, r.log_likelihood, static_cast<int>(from.size()), r.converged, {}};
  for (std::size_t i = 0; i < fit.se.size(); ++i) fit.se[i] = r.se[i];
  fit.residuals.resize(from.size());
  for (std::size_t i = 0; i < from.size(); ++i)
    fit.residuals[i] = to[i] - from[i] - fit.process.kappa_per_day * (fit.process.theta_log - from[i]);
  return fit;
}

SpikeShocks fee_shocks(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step) {
  return draw_spike_shocks(rng, random::Stream::kFees, random::Stream::kFeeSpikes, path, step);
}

void simulate_fees_btc_per_block(const FeeProcess& process, const random::CounterRng& rng, std::uint32_t path,
                                 double initial_fees_btc_per_block, std::span<double> fees_btc_per_block) {
  if (fees_btc_per_block.empty()) return;
  double x = std::log(initial_fees_btc_per_block);
  fees_btc_per_block[0] = initial_fees_btc_per_block;
  for (std::size_t t = 1; t < fees_btc_per_block.size(); ++t) {
    x = process.step_log(x, fee_shocks(rng, path, static_cast<std::uint32_t>(t)));
    fees_btc_per_block[t] = FeeProcess::fees_btc_per_block(x);
  }
}

std::vector<double> log_fees_btc_per_block(const DailyHistory& h) {
  std::vector<double> x(h.days(), kNaN);
  for (std::size_t i = 0; i < h.days(); ++i)
    if (is_known(h.fees_btc[i]) && is_known(h.block_count[i]) && h.fees_btc[i] > 0 && h.block_count[i] > 0)
      x[i] = std::log(h.fees_btc[i] / h.block_count[i]);
  return x;
}

LogOuSpikesFit fit_on_file(std::span<const double> x, const std::string& source, const std::string& column,
                           FitDetail detail) {
  try {
    return fit_log_ou_spikes(x, detail);
  } catch (const ParameterError& e) {
    throw InputError(source, 0, column, e.problem());
  }
}

FitReport calibrate_fees(const DailyHistory& history, FitDetail detail) {
  const std::vector<double> x = log_fees_btc_per_block(history);
  const LogOuSpikesFit f = fit_on_file(x, history.source, "FeeTotNtv", detail);
  const LogOuSpikes& p = f.process;

  FitReport report;
  report.factor = "fees";
  report.model = "log_ou_spikes";
  report.method =
      "maximum likelihood, AR(1) on consecutive known days of ln(FeeTotNtv/BlkCnt) with a normal/spike mixture "
      "innovation; SE from the observed information";
  report.observations = f.observations;
  report.log_likelihood = f.log_likelihood;
  report.parameters = log_ou_spikes_estimates(f, "theta_log_btc", "theta_btc_per_block");
  if (detail == FitDetail::kEstimates) return report;

  // History moments of the log over the known days.
  double sum = 0, sum2 = 0;
  std::size_t known = 0;
  for (double v : x)
    if (std::isfinite(v)) {
      sum += v;
      sum2 += v * v;
      ++known;
    }
  const double mean = sum / static_cast<double>(known);
  const double sd = std::sqrt(std::max(sum2 / static_cast<double>(known) - mean * mean, 0.0));
  report.fit.push_back({"stationary mean of ln fees per block (ln BTC)", p.stationary_mean(), mean,
                        "model: closed form theta + p*mu_J/kappa; history: mean over known days"});
  report.fit.push_back({"stationary sd of ln fees per block", std::sqrt(p.stationary_variance()), sd,
                        "model: closed form sqrt(Var(innovation)/(1-(1-kappa)^2)); history: sd over known days"});

  // Spike frequency: share of days whose innovation exceeds 3 sigma.
  const double cut = 3 * p.sigma_daily;
  const double model_tail =
      (1 - p.spike_prob_daily) * normal_upper_tail(3.0) +
      p.spike_prob_daily *
          normal_upper_tail((cut - p.spike_mean_log) /
                            std::sqrt(p.sigma_daily * p.sigma_daily + p.spike_sd_log * p.spike_sd_log));
  const auto above = std::count_if(f.residuals.begin(), f.residuals.end(), [&](double e) { return e > cut; });
  report.fit.push_back({"share of days with a log innovation above 3*sigma_daily", model_tail,
                        static_cast<double>(above) / static_cast<double>(f.residuals.size()),
                        "model: closed form of the fitted mixture; history: fitted residuals"});

  // Fee share of the reward, on days with fees, blocks and the day's issuance (change of SplyCur) known.
  double fees_sum = 0, issuance_sum = 0, blocks_sum = 0;
  for (std::size_t i = 1; i < history.days(); ++i) {
    const double issued = history.supply_btc[i] - history.supply_btc[i - 1];
    if (std::isfinite(x[i]) && std::isfinite(issued) && issued >= 0) {
      fees_sum += history.fees_btc[i];
      issuance_sum += issued;
      blocks_sum += history.block_count[i];
    }
  }
  // Stationary mean fees per block, simulated (the spikes make E[e^x] non-lognormal).
  double mean_fees = kNaN;
  if (p.kappa_per_day > 1e-4) {
    std::vector<double> path(kGofDays);
    simulate_log_ou_spikes(p, random::CounterRng(kGofSeed), random::Stream::kFees, random::Stream::kFeeSpikes, 0,
                           p.stationary_mean(), path);
    mean_fees = 0;
    for (std::size_t t = kBurnInDays; t < path.size(); ++t) mean_fees += std::exp(path[t]);
    mean_fees /= static_cast<double>(path.size() - kBurnInDays);
  }
  double history_mean_fees = 0;
  for (double v : x)
    if (std::isfinite(v)) history_mean_fees += std::exp(v);
  history_mean_fees /= static_cast<double>(known);
  report.fit.push_back({"mean fees per block (BTC)", mean_fees, history_mean_fees,
                        "model: simulated stationary mean (1 path, 200000 days, seed 1); history: mean of "
                        "FeeTotNtv/BlkCnt over known days"});
  const double model_share = blocks_sum > 0 ? mean_fees / (mean_fees + issuance_sum / blocks_sum) : kNaN;
  report.fit.push_back({"fee share of the block reward", model_share,
                        fees_sum + issuance_sum > 0 ? fees_sum / (fees_sum + issuance_sum) : kNaN,
                        "model: simulated stationary mean fees per block (1 path, 200000 days, seed 1) against the "
                        "history's mean issuance per block; history: sum fees / sum (fees + change of SplyCur)"});
  return report;
}

std::vector<Estimate> log_ou_spikes_estimates(const LogOuSpikesFit& f, const std::string& theta_log_name,
                                              const std::string& theta_level_name) {
  const LogOuSpikes& p = f.process;
  const double theta = std::exp(p.theta_log);
  return {
      {"kappa_per_day", p.kappa_per_day, f.se[0]},
      {theta_log_name, p.theta_log, f.se[1]},
      {theta_level_name, theta, theta * f.se[1]},
      {"sigma_daily", p.sigma_daily, f.se[2]},
      {"spike_prob_daily", p.spike_prob_daily, f.se[3]},
      {"spike_mean_log", p.spike_mean_log, f.se[4]},
      {"spike_sd_log", p.spike_sd_log, f.se[5]},
  };
}

LogOuSpikes log_ou_spikes_from_report(const FitReport& r, std::string_view theta_log_name) {
  return LogOuSpikes{report_parameter(r, "kappa_per_day"),    report_parameter(r, theta_log_name),
                     report_parameter(r, "sigma_daily"),      report_parameter(r, "spike_prob_daily"),
                     report_parameter(r, "spike_mean_log"),   report_parameter(r, "spike_sd_log")};
}

FeeProcess fee_process_from_report(const FitReport& r) { return FeeProcess{log_ou_spikes_from_report(r, "theta_log_btc")}; }

}  // namespace hashpivot::market
