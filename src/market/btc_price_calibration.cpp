#include "hashpivot/market/btc_price_calibration.hpp"
#include "hashpivot/market/sample_moments.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "hashpivot/core/error.hpp"
#include "hashpivot/market/mle.hpp"

namespace hashpivot::market {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxJumpsPerDay = 10;            // truncation of the Poisson mixture
constexpr std::size_t kMinimumReturns = 100;
constexpr std::uint64_t kBootstrapFitSeed = 1;  // the goodness-of-fit simulation of the bootstrap
constexpr std::uint32_t kBootstrapFitPaths = 200;
constexpr double kKs1PercentCritical = 1.6276;  // asymptotic Kolmogorov distribution, P(K > c) = 1%
const double kLogSqrtTwoPi = 0.5 * std::log(2.0 * std::numbers::pi);
/// A search from one of several starts: the SEs (the Hessian's evaluations) only for the one that wins.
constexpr MleOptions kSearchWithoutErrors{MleOptions{}.max_evaluations, MleOptions{}.xtol_rel, false};

double annualized_volatility(double daily_variance) { return std::sqrt(daily_variance * kDaysPerYear); }

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

// sup |F_n − Φ((x − mean)/sd)|
double ks_distance_to_normal(std::span<const double> x, double mean, double sd) {
  std::vector<double> sorted(x.begin(), x.end());
  std::sort(sorted.begin(), sorted.end());
  const auto n = static_cast<double>(sorted.size());
  double d = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const double f = normal_cdf((sorted[i] - mean) / sd);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

double lag1_autocorrelation_of_squares(std::span<const double> x) {
  const SampleMoments m = sample_moments(x);
  std::vector<double> sq(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) sq[i] = (x[i] - m.mean) * (x[i] - m.mean);
  double mean_sq = 0;
  for (double v : sq) mean_sq += v;
  mean_sq /= static_cast<double>(sq.size());
  double num = 0, den = 0;
  for (std::size_t i = 0; i < sq.size(); ++i) {
    den += (sq[i] - mean_sq) * (sq[i] - mean_sq);
    if (i > 0) num += (sq[i] - mean_sq) * (sq[i - 1] - mean_sq);
  }
  return num / den;
}

std::string too_few_returns(std::size_t n) {
  return fmt::format("BTC price calibration needs at least {} daily log returns, got {}", kMinimumReturns, n);
}

void require_returns(std::span<const double> r) {
  if (r.size() < kMinimumReturns) throw ParameterError("log_returns", too_few_returns(r.size()));
  for (double v : r) require(std::isfinite(v), "log_returns", "BTC price calibration: a daily log return is not finite");
}

FitReport new_report(const char* model, const char* method, std::size_t n, double log_likelihood) {
  return {"btc_price", model, method, static_cast<int>(n), log_likelihood, {}, {}};
}

// ---- jump-diffusion likelihood -------------------------------------------------------------

// θ = (mu_annual, sigma_annual, jump_intensity_per_year, jump_mean_log, jump_sd_log)
double jump_diffusion_log_likelihood(std::span<const double> r, std::span<const double> theta) {
  const JumpDiffusionPrice p{theta[0], theta[1], theta[2], theta[3], theta[4]};
  const double jumps_per_day = p.jump_intensity_per_year * kDayYears;
  const double drift =
      (p.mu_annual - 0.5 * p.sigma_annual * p.sigma_annual - p.jump_intensity_per_year * p.jump_compensator()) *
      kDayYears;
  constexpr auto kTerms = static_cast<std::size_t>(kMaxJumpsPerDay + 1);
  std::array<double, kTerms> mean{}, inverse_two_var{}, log_weight{};
  double log_poisson = -jumps_per_day;  // log P(N = 0)
  for (std::size_t k = 0; k < kTerms; ++k) {
    const auto kd = static_cast<double>(k);
    if (k > 0) log_poisson += std::log(jumps_per_day) - std::log(kd);
    const double var = p.sigma_annual * p.sigma_annual * kDayYears + kd * p.jump_sd_log * p.jump_sd_log;
    mean[k] = drift + kd * p.jump_mean_log;
    inverse_two_var[k] = 0.5 / var;
    log_weight[k] = log_poisson - kLogSqrtTwoPi - 0.5 * std::log(var);
  }
  double total = 0;
  std::array<double, kTerms> term{};
  for (double x : r) {
    double largest = -std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < kTerms; ++k) {
      const double d = x - mean[k];
      term[k] = log_weight[k] - d * d * inverse_two_var[k];
      largest = std::max(largest, term[k]);
    }
    double sum = 0;
    // Terms below e^-40 of the largest change the sum by less than a rounding error: skip their exp.
    for (std::size_t k = 0; k < kTerms; ++k)
      if (term[k] > largest - 40.0) sum += std::exp(term[k] - largest);
    total += largest + std::log(sum);
  }
  return total;
}

// ---- regime switching: the Hamilton filter -------------------------------------------------

// θ = (bull_mu, bull_sigma, bear_mu, bear_sigma, p_stay_bull, p_stay_bear). Returns the
// log-likelihood; fills `filtered_bull` (P(bull on day t | r_1..r_t)) when given.
double hamilton_filter(std::span<const double> r, std::span<const double> theta, std::vector<double>* filtered_bull) {
  const RegimeSwitchingPrice p{theta[0], theta[1], theta[2], theta[3], theta[4], theta[5]};
  std::array<double, 2> mean{}, inverse_two_var{}, log_norm{};
  const std::array<double, 2> mu{p.bull_mu_annual, p.bear_mu_annual};
  const std::array<double, 2> sigma{p.bull_sigma_annual, p.bear_sigma_annual};
  for (std::size_t s = 0; s < 2; ++s) {
    const double var = sigma[s] * sigma[s] * kDayYears;
    mean[s] = (mu[s] - 0.5 * sigma[s] * sigma[s]) * kDayYears;
    inverse_two_var[s] = 0.5 / var;
    log_norm[s] = -kLogSqrtTwoPi - 0.5 * std::log(var);
  }
  double predicted_bull = p.stationary_bull_probability();
  double total = 0;
  if (filtered_bull) filtered_bull->clear();
  for (double x : r) {
    const double d0 = x - mean[0], d1 = x - mean[1];
    const double l0 = log_norm[0] - d0 * d0 * inverse_two_var[0];
    const double l1 = log_norm[1] - d1 * d1 * inverse_two_var[1];
    const double largest = std::max(l0, l1);
    const double joint_bull = predicted_bull * std::exp(l0 - largest);
    const double joint_bear = (1.0 - predicted_bull) * std::exp(l1 - largest);
    const double density = joint_bull + joint_bear;
    total += largest + std::log(density);
    const double bull = joint_bull / density;
    if (filtered_bull) filtered_bull->push_back(bull);
    predicted_bull = bull * p.p_stay_bull_daily + (1.0 - bull) * (1.0 - p.p_stay_bear_daily);
  }
  return total;
}

// ---- helpers for the closed-form goodness of fit -------------------------------------------

struct Cumulants {  // of a day's log return
  double mean, variance, skewness, excess_kurtosis;
};

Cumulants jump_diffusion_cumulants(const JumpDiffusionPrice& p) {
  const double l = p.jump_intensity_per_year * kDayYears;
  const double m = p.jump_mean_log, s2 = p.jump_sd_log * p.jump_sd_log;
  const double k1 =
      (p.mu_annual - 0.5 * p.sigma_annual * p.sigma_annual - p.jump_intensity_per_year * p.jump_compensator()) *
          kDayYears +
      l * m;
  const double k2 = p.sigma_annual * p.sigma_annual * kDayYears + l * (m * m + s2);
  const double k3 = l * (m * m * m + 3 * m * s2);
  const double k4 = l * (m * m * m * m + 6 * m * m * s2 + 3 * s2 * s2);
  return {k1, k2, k3 / std::pow(k2, 1.5), k4 / (k2 * k2)};
}

Cumulants regime_switching_cumulants(const RegimeSwitchingPrice& p) {
  const double pi_bull = p.stationary_bull_probability();
  const std::array<double, 2> w{pi_bull, 1 - pi_bull};
  const std::array<double, 2> sig{p.bull_sigma_annual, p.bear_sigma_annual};
  const std::array<double, 2> mu{p.bull_mu_annual, p.bear_mu_annual};
  std::array<double, 2> m{}, v{};
  double mean = 0;
  for (std::size_t s = 0; s < 2; ++s) {
    v[s] = sig[s] * sig[s] * kDayYears;
    m[s] = (mu[s] - 0.5 * sig[s] * sig[s]) * kDayYears;
    mean += w[s] * m[s];
  }
  double c2 = 0, c3 = 0, c4 = 0;
  for (std::size_t s = 0; s < 2; ++s) {
    const double d = m[s] - mean;
    c2 += w[s] * (v[s] + d * d);
    c3 += w[s] * (3 * v[s] * d + d * d * d);
    c4 += w[s] * (3 * v[s] * v[s] + 6 * v[s] * d * d + d * d * d * d);
  }
  return {mean, c2, c3 / std::pow(c2, 1.5), c4 / (c2 * c2) - 3};
}

/// The builders are handed the report of their own model (Calibration::report looks it up by name).
void assert_model([[maybe_unused]] const FitReport& report, [[maybe_unused]] const char* model) {
  assert(report.factor == "btc_price" && report.model == model);
}

}  // namespace

std::vector<double> btc_log_returns(const DailyHistory& history) {
  std::vector<double> out;
  const auto& p = history.price_usd;
  for (std::size_t i = 1; i < p.size(); ++i)
    if (is_known(p[i]) && is_known(p[i - 1]) && p[i] > 0 && p[i - 1] > 0) out.push_back(std::log(p[i] / p[i - 1]));
  return out;
}

FitReport fit_gbm(std::span<const double> r) {
  require_returns(r);
  const auto n = static_cast<double>(r.size());
  const SampleMoments m = sample_moments(r);
  const double v = m.variance;
  const double sigma = annualized_volatility(v);
  const double mu = kDaysPerYear * (m.mean + 0.5 * v);
  // Delta method: Var m̂ = v/n, Var v̂ = 2v²/n (independent for a normal sample).
  const double se_mu = kDaysPerYear * std::sqrt(v / n + 0.25 * 2 * v * v / n);
  const double se_sigma = sigma / std::sqrt(2 * n);
  const double log_likelihood = -0.5 * n * (std::log(2 * std::numbers::pi * v) + 1);
  FitReport report = new_report("gbm", "maximum likelihood (closed form)", r.size(), log_likelihood);
  report.parameters = {{"mu_annual", mu, se_mu}, {"sigma_annual", sigma, se_sigma}};
  report.fit = {
      {"annualized volatility of daily log returns", sigma, annualized_volatility(m.variance),
       "model: fitted sigma_annual; history: (1/n) standard deviation x sqrt(365)"},
      {"excess kurtosis of daily log returns", 0.0, m.excess_kurtosis, "model: closed form (normal)"},
      {"Kolmogorov-Smirnov distance of daily log returns to the fitted normal", kKs1PercentCritical / std::sqrt(n),
       ks_distance_to_normal(r, m.mean, std::sqrt(v)),
       "model: the asymptotic 1% critical value 1.6276/sqrt(n); history: the KS statistic"},
  };
  return report;
}

FitReport fit_jump_diffusion(std::span<const double> r, FitDetail detail) {
  require_returns(r);
  const SampleMoments m = sample_moments(r);
  // Start: the diffusion from the robust scale (1.4826 × median absolute deviation), jumps from
  // the returns beyond 4 robust standard deviations.
  std::vector<double> sorted(r.begin(), r.end());
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  std::vector<double> deviation(r.size());
  for (std::size_t i = 0; i < r.size(); ++i) deviation[i] = std::abs(r[i] - median);
  std::nth_element(deviation.begin(), deviation.begin() + static_cast<std::ptrdiff_t>(deviation.size() / 2),
                   deviation.end());
  const double robust_sd = std::max(1.4826 * deviation[deviation.size() / 2], 1e-4);
  std::vector<double> outliers;
  for (double x : r)
    if (std::abs(x - median) > 4 * robust_sd) outliers.push_back(x - median);
  const auto n = static_cast<double>(r.size());
  double jump_mean = 0, jump_sd = 2 * robust_sd, intensity = 0.5 * kDaysPerYear / n + 1.0;
  if (outliers.size() >= 2) {
    const SampleMoments j = sample_moments(outliers);
    jump_mean = j.mean;
    jump_sd = std::sqrt(j.variance + 4 * robust_sd * robust_sd);
    intensity = kDaysPerYear * static_cast<double>(outliers.size()) / n;
  }
  const double mu_start = std::clamp(kDaysPerYear * (m.mean + 0.5 * m.variance), -9.0, 9.0);
  const std::vector<double> lower{-10.0, 1e-3, 1e-2, -1.0, 1e-3};
  const std::vector<double> upper{10.0, 5.0, kDaysPerYear, 1.0, 2.0};
  const double diffusion_start = std::clamp(robust_sd * std::sqrt(kDaysPerYear), 2e-3, 4.0);
  // Two starts: the outliers above as jumps, and a few large jumps (λ = 5 a year of 5 robust
  // standard deviations); the better optimum wins.
  const std::array<std::vector<double>, 2> starts{
      std::vector<double>{mu_start, diffusion_start, std::clamp(intensity, 0.1, 300.0), std::clamp(jump_mean, -0.9, 0.9),
                          std::clamp(jump_sd, 2e-3, 1.9)},
      std::vector<double>{mu_start, diffusion_start, 5.0, 0.0, std::clamp(5 * robust_sd, 2e-3, 1.9)}};
  const LogLikelihood ll = [r](std::span<const double> theta) { return jump_diffusion_log_likelihood(r, theta); };
  MleResult fit{};
  for (std::size_t s = 0; s < starts.size(); ++s) {
    MleResult candidate = maximize_likelihood(ll, starts[s], lower, upper, kSearchWithoutErrors);
    if (s == 0 || candidate.log_likelihood > fit.log_likelihood) fit = std::move(candidate);
  }
  if (detail == FitDetail::kFull) fit.se = standard_errors(ll, fit.theta, lower, upper);  // the winner's only
  const JumpDiffusionPrice p{fit.theta[0], fit.theta[1], fit.theta[2], fit.theta[3], fit.theta[4]};
  FitReport report = new_report(
      "jump_diffusion",
      fit.converged ? "maximum likelihood (Poisson mixture truncated at 10 jumps a day)"
                    : "maximum likelihood (Poisson mixture truncated at 10 jumps a day; optimizer did not converge)",
      r.size(), fit.log_likelihood);
  const std::array<const char*, 5> names{"mu_annual", "sigma_annual", "jump_intensity_per_year", "jump_mean_log",
                                         "jump_sd_log"};
  for (std::size_t i = 0; i < names.size(); ++i) report.parameters.push_back({names[i], fit.theta[i], fit.se[i]});
  if (detail == FitDetail::kEstimates) return report;
  const Cumulants c = jump_diffusion_cumulants(p);
  report.fit = {
      {"annualized volatility of daily log returns", annualized_volatility(c.variance),
       annualized_volatility(m.variance), "model: closed form sqrt(365 (sigma^2/365 + lambda/365 (mu_J^2 + sigma_J^2)))"},
      {"excess kurtosis of daily log returns", c.excess_kurtosis, m.excess_kurtosis,
       "model: closed form from the cumulants of the compound Poisson jumps"},
      {"skewness of daily log returns", c.skewness, m.skewness, "model: closed form"},
  };
  return report;
}

FitReport fit_regime_switching(std::span<const double> r, FitDetail detail) {
  require_returns(r);
  const SampleMoments m = sample_moments(r);
  const double sigma = annualized_volatility(m.variance);
  const double mu = std::clamp(kDaysPerYear * (m.mean + 0.5 * m.variance), -9.0, 9.0);
  const std::vector<double> lower{-20.0, 1e-3, -20.0, 1e-3, 0.01, 0.01};
  const std::vector<double> upper{20.0, 10.0, 20.0, 10.0, 0.9999, 0.9999};
  const LogLikelihood ll = [r](std::span<const double> theta) { return hamilton_filter(r, theta, nullptr); };
  // Two starts (a calm and a turbulent regime, more or less persistent); the better optimum wins.
  MleResult best{};
  bool have = false;
  for (const auto& [p_calm, p_turbulent] : {std::pair{0.99, 0.97}, std::pair{0.95, 0.9}}) {
    std::vector<double> start{std::clamp(mu + 0.5, -19.0, 19.0), std::clamp(0.6 * sigma, 2e-3, 9.0),
                              std::clamp(mu - 0.5, -19.0, 19.0), std::clamp(1.6 * sigma, 2e-3, 9.0), p_calm,
                              p_turbulent};
    MleResult fit = maximize_likelihood(ll, start, lower, upper, kSearchWithoutErrors);
    if (!have || fit.log_likelihood > best.log_likelihood) {
      best = std::move(fit);
      have = true;
    }
  }
  if (detail == FitDetail::kFull) best.se = standard_errors(ll, best.theta, lower, upper);  // the winner's only
  // Label: bull is the regime with the higher drift.
  if (best.theta[2] > best.theta[0]) {
    for (auto* v : {&best.theta, &best.se}) {
      std::swap((*v)[0], (*v)[2]);
      std::swap((*v)[1], (*v)[3]);
      std::swap((*v)[4], (*v)[5]);
    }
  }
  const RegimeSwitchingPrice p{best.theta[0], best.theta[1], best.theta[2], best.theta[3], best.theta[4], best.theta[5]};
  FitReport report = new_report("regime_switching",
                                best.converged ? "maximum likelihood (Hamilton filter)"
                                               : "maximum likelihood (Hamilton filter; optimizer did not converge)",
                                r.size(), best.log_likelihood);
  const std::array<const char*, 6> names{"bull_mu_annual",    "bull_sigma_annual", "bear_mu_annual",
                                         "bear_sigma_annual", "p_stay_bull_daily", "p_stay_bear_daily"};
  for (std::size_t i = 0; i < names.size(); ++i) report.parameters.push_back({names[i], best.theta[i], best.se[i]});
  if (detail == FitDetail::kEstimates) return report;
  std::vector<double> filtered;
  const std::array<double, 6> theta{p.bull_mu_annual,    p.bull_sigma_annual, p.bear_mu_annual,
                                    p.bear_sigma_annual, p.p_stay_bull_daily, p.p_stay_bear_daily};
  (void)hamilton_filter(r, theta, &filtered);
  double bull_share = 0;
  for (double b : filtered) bull_share += b;
  bull_share /= static_cast<double>(filtered.size());
  const Cumulants c = regime_switching_cumulants(p);
  report.fit = {
      {"annualized volatility of daily log returns", annualized_volatility(c.variance),
       annualized_volatility(m.variance), "model: closed form, regimes at their stationary frequencies"},
      {"excess kurtosis of daily log returns", c.excess_kurtosis, m.excess_kurtosis,
       "model: closed form of the stationary two-normal mixture"},
      {"share of days in the bull regime", p.stationary_bull_probability(), bull_share,
       "model: stationary (1 - p_11)/(2 - p_00 - p_11); history: mean Hamilton-filtered P(bull)"},
  };
  return report;
}

double politis_white_block_length(std::span<const double> x) {
  const std::size_t n = x.size();
  if (n < 10) return 1.0;
  const auto nd = static_cast<double>(n);
  double mean = 0;
  for (double v : x) mean += v;
  mean /= nd;
  // Autocovariances R(k) = (1/n) Σ (x_t − x̄)(x_{t+k} − x̄).
  const auto autocovariance = [&](std::size_t k) {
    double s = 0;
    for (std::size_t t = 0; t + k < n; ++t) s += (x[t] - mean) * (x[t + k] - mean);
    return s / nd;
  };
  const auto kn = static_cast<std::size_t>(std::max(5.0, std::ceil(std::sqrt(std::log10(nd)))));
  const auto m_max = static_cast<std::size_t>(std::ceil(std::sqrt(nd))) + kn;
  const double threshold = 2.0 * std::sqrt(std::log10(nd) / nd);
  std::vector<double> acv(m_max + kn + 1);
  for (std::size_t k = 0; k < acv.size() && k < n; ++k) acv[k] = autocovariance(k);
  if (!(acv[0] > 0)) return 1.0;
  // m̂: the smallest lag after which K_N consecutive autocorrelations are insignificant.
  std::size_t m_hat = m_max;
  for (std::size_t m = 0; m <= m_max; ++m) {
    bool insignificant = true;
    for (std::size_t k = 1; k <= kn && insignificant; ++k) insignificant = std::abs(acv[m + k] / acv[0]) < threshold;
    if (insignificant) {
      m_hat = m;
      break;
    }
  }
  const std::size_t big_m = std::min(2 * std::max<std::size_t>(m_hat, 1), m_max);
  // Flat-top lag window λ(t) = 1 on |t| ≤ 1/2, 2(1 − |t|) on 1/2 < |t| ≤ 1.
  double g = 0, long_run = acv[0];
  for (std::size_t k = 1; k <= big_m; ++k) {
    const double t = static_cast<double>(k) / static_cast<double>(big_m);
    const double weight = t <= 0.5 ? 1.0 : 2.0 * (1.0 - t);
    g += 2.0 * weight * static_cast<double>(k) * acv[k];
    long_run += 2.0 * weight * acv[k];
  }
  const double d_sb = 2.0 * long_run * long_run;
  const double b_max = std::ceil(std::min(3.0 * std::sqrt(nd), nd / 3.0));
  if (!(d_sb > 0)) return 1.0;
  const double b = std::cbrt(2.0 * g * g / d_sb) * std::cbrt(nd);
  return std::clamp(b, 1.0, b_max);
}

FitReport fit_block_bootstrap(std::span<const double> r) {
  require_returns(r);
  const SampleMoments m = sample_moments(r);
  std::vector<double> squares(r.size());
  for (std::size_t i = 0; i < r.size(); ++i) squares[i] = (r[i] - m.mean) * (r[i] - m.mean);
  const double block_returns = politis_white_block_length(r);
  const double block_squares = politis_white_block_length(squares);
  const double block = std::max(block_returns, block_squares);
  FitReport report = new_report(
      "block_bootstrap",
      "stationary bootstrap (Politis & Romano 1994); mean block length by Politis & White (2004) with the "
      "Patton, Politis & White (2009) correction, the larger of the lengths for returns and squared returns",
      r.size(), kNaN);
  report.parameters = {{"mean_block_length_days", block, kNaN},
                       {"sample_days", static_cast<double>(r.size()), 0.0}};
  // Goodness of fit by simulation: per-path statistics averaged over paths as long as the sample.
  const BtcPriceProcess process = BlockBootstrapPrice{std::vector<double>(r.begin(), r.end()), block};
  const random::CounterRng rng(kBootstrapFitSeed);
  std::vector<double> path(r.size());
  double vol = 0, kurt = 0, acf = 0;
  for (std::uint32_t k = 0; k < kBootstrapFitPaths; ++k) {
    simulate_log_returns(process, rng, k, path);
    const SampleMoments s = sample_moments(path);
    vol += annualized_volatility(s.variance);
    kurt += s.excess_kurtosis;
    acf += lag1_autocorrelation_of_squares(path);
  }
  const double paths = kBootstrapFitPaths;
  const std::string note = fmt::format("model: simulated, mean over {} paths of {} days, seed {}; "
                                       "block length for returns alone {:.2f}, for squared returns {:.2f}",
                                       kBootstrapFitPaths, r.size(), kBootstrapFitSeed, block_returns, block_squares);
  report.fit = {
      {"annualized volatility of daily log returns", vol / paths, annualized_volatility(m.variance), note},
      {"excess kurtosis of daily log returns", kurt / paths, m.excess_kurtosis, note},
      {"lag-1 autocorrelation of squared daily log returns", acf / paths, lag1_autocorrelation_of_squares(r), note},
  };
  return report;
}

std::vector<FitReport> calibrate_btc_price(const DailyHistory& history) {
  const std::vector<double> r = btc_log_returns(history);
  if (r.size() < kMinimumReturns) throw InputError(history.source, 0, "PriceUSD", too_few_returns(r.size()));
  return {fit_gbm(r), fit_jump_diffusion(r), fit_regime_switching(r), fit_block_bootstrap(r)};
}

GbmPrice gbm_from_report(const FitReport& report) {
  assert_model(report, "gbm");
  const GbmPrice p{report_parameter(report, "mu_annual"), report_parameter(report, "sigma_annual")};
  validate(p);
  return p;
}

JumpDiffusionPrice jump_diffusion_from_report(const FitReport& report) {
  assert_model(report, "jump_diffusion");
  const JumpDiffusionPrice p{report_parameter(report, "mu_annual"), report_parameter(report, "sigma_annual"),
                             report_parameter(report, "jump_intensity_per_year"),
                             report_parameter(report, "jump_mean_log"), report_parameter(report, "jump_sd_log")};
  validate(p);
  return p;
}

RegimeSwitchingPrice regime_switching_from_report(const FitReport& report) {
  assert_model(report, "regime_switching");
  const RegimeSwitchingPrice p{report_parameter(report, "bull_mu_annual"),    report_parameter(report, "bull_sigma_annual"),
                               report_parameter(report, "bear_mu_annual"),    report_parameter(report, "bear_sigma_annual"),
                               report_parameter(report, "p_stay_bull_daily"), report_parameter(report, "p_stay_bear_daily")};
  validate(p);
  return p;
}

BlockBootstrapPrice block_bootstrap_from_report(const FitReport& report, std::vector<double> log_returns) {
  assert_model(report, "block_bootstrap");
  const double days = report_parameter(report, "sample_days");
  if (static_cast<double>(log_returns.size()) != days)
    throw ParameterError("sample_days", fmt::format("the bootstrap report was fitted on {} days; the sample given has {}",
                                                    days, log_returns.size()));
  BlockBootstrapPrice p{std::move(log_returns), report_parameter(report, "mean_block_length_days")};
  validate(p);
  return p;
}

}  // namespace hashpivot::market
