#include "hashpivot/network/hashrate.hpp"

#include <cassert>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <string>

#include "hashpivot/chain/params.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"

namespace hashpivot::network {
namespace {

using market::DailyHistory;
using market::FitReport;
using market::is_known;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kWeek = static_cast<std::size_t>(kHashrateWeekDays);
constexpr std::size_t kSpan = 2 * kWeek - 1;  // days whose log changes enter one weekly change
/// Weekly changes below which neither the drift nor the price lag can be estimated.
constexpr std::size_t kMinWeeklyChanges = 60;
/// Whole weeks in a year (364 days): the step of the 52-week changes.
constexpr std::size_t kWeeksPerYear = 52;

/// Weights of the daily log changes Δ_{s+j} in the change of two `kWeek`-day means `lag` days apart:
/// the number of (i, m) with i + m = j, 0 <= i < kWeek, 0 <= m < lag, divided by kWeek.
std::vector<double> window_weights(std::size_t lag) {
  std::vector<double> c(kWeek + lag - 1, 0.0);
  for (std::size_t i = 0; i < kWeek; ++i)
    for (std::size_t m = 0; m < lag; ++m) c[i + m] += 1.0 / static_cast<double>(kWeek);
  return c;
}

double sum_of_squares(const std::vector<double>& c) {
  double s = 0;
  for (double v : c) s += v * v;
  return s;
}

struct WeeklyChange {
  std::size_t start;   // index of the first day of the earlier week
  double change;       // ΔY
  double noise_var;    // measurement-noise variance of ΔY (both weeks)
  double week_noise;   // measurement-noise variance of the later week alone (shared with the next change)
};

struct Ols {
  double alpha = 0, beta = 0, rss = 0;
  double se_alpha = kNaN, se_beta = kNaN;
  double rho1 = 0;  // lag-1 autocorrelation of residuals (adjacent weeks)
  std::vector<double> residuals;
};

/// OLS of y on [1, x] with a lag-1 HAC covariance over adjacent observations (`adjacent[t]`: t and
/// t − 1 are consecutive weeks). With `with_slope` false, only the intercept is fitted.
Ols fit_ols(const std::vector<double>& y, const std::vector<double>& x, const std::vector<bool>& adjacent,
            bool with_slope) {
  const std::size_t n = y.size();
  const auto nd = static_cast<double>(n);
  Ols out;
  double mx = 0, my = 0;
  for (std::size_t t = 0; t < n; ++t) {
    my += y[t];
    if (with_slope) mx += x[t];
  }
  mx /= nd;
  my /= nd;
  double sxx = 0, sxy = 0;
  if (with_slope)
    for (std::size_t t = 0; t < n; ++t) {
      sxx += (x[t] - mx) * (x[t] - mx);
      sxy += (x[t] - mx) * (y[t] - my);
    }
  out.beta = with_slope && sxx > 0 ? sxy / sxx : 0.0;
  out.alpha = my - out.beta * mx;
  out.residuals.resize(n);
  for (std::size_t t = 0; t < n; ++t) {
    out.residuals[t] = y[t] - out.alpha - out.beta * (with_slope ? x[t] : 0.0);
    out.rss += out.residuals[t] * out.residuals[t];
  }
  double lag_cross = 0;
  for (std::size_t t = 1; t < n; ++t)
    if (adjacent[t]) lag_cross += out.residuals[t] * out.residuals[t - 1];
  out.rho1 = out.rss > 0 ? lag_cross / out.rss : 0.0;

  // Sandwich (X'X)^-1 Ω (X'X)^-1 with Ω = Σ u²xx' + Σ_adjacent u_t u_{t−1}(x_t x_{t−1}' + x_{t−1} x_t').
  const std::size_t k = with_slope ? 2 : 1;
  auto regressor = [&](std::size_t t, std::size_t i) { return i == 0 ? 1.0 : x[t]; };
  auto sandwich = [&](double lag_weight) {
    double xtx[2][2] = {{0, 0}, {0, 0}}, omega[2][2] = {{0, 0}, {0, 0}};
    for (std::size_t t = 0; t < n; ++t)
      for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < k; ++j) {
          xtx[i][j] += regressor(t, i) * regressor(t, j);
          omega[i][j] += out.residuals[t] * out.residuals[t] * regressor(t, i) * regressor(t, j);
          if (t > 0 && adjacent[t])
            omega[i][j] += lag_weight * out.residuals[t] * out.residuals[t - 1] *
                           (regressor(t, i) * regressor(t - 1, j) + regressor(t - 1, i) * regressor(t, j));
        }
    double inv[2][2] = {{0, 0}, {0, 0}};
    if (k == 1) {
      inv[0][0] = 1.0 / xtx[0][0];
    } else {
      const double det = xtx[0][0] * xtx[1][1] - xtx[0][1] * xtx[1][0];
      inv[0][0] = xtx[1][1] / det;
      inv[1][1] = xtx[0][0] / det;
      inv[0][1] = inv[1][0] = -xtx[0][1] / det;
    }
    double v[2][2] = {{0, 0}, {0, 0}};
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t j = 0; j < k; ++j)
        for (std::size_t a = 0; a < k; ++a)
          for (std::size_t b = 0; b < k; ++b) v[i][j] += inv[i][a] * omega[a][b] * inv[b][j];
    const double dof = nd / (nd - static_cast<double>(k));
    return std::array<double, 2>{v[0][0] * dof, k == 2 ? v[1][1] * dof : kNaN};
  };
  // Uniform weight at lag 1 (the errors are MA(1)); Bartlett's 1/2 if that is not positive.
  auto var = sandwich(1.0);
  if (!(var[0] > 0) || (with_slope && !(var[1] > 0))) var = sandwich(0.5);
  out.se_alpha = var[0] > 0 ? std::sqrt(var[0]) : kNaN;
  out.se_beta = with_slope && var[1] > 0 ? std::sqrt(var[1]) : kNaN;
  return out;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? kNaN : s / static_cast<double>(v.size());
}

double variance_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return v.size() < 2 ? kNaN : s / static_cast<double>(v.size() - 1);
}

}  // namespace

ExogenousHashrateParams ExogenousHashrateParams::from_annual(double drift_annual, double sigma_annual,
                                                             double price_beta, int price_lag_days) {
  require(price_lag_days >= 0, "price_lag_days", "must be >= 0");
  const double sigma_per_day = sigma_annual / std::sqrt(kDaysPerYear);
  require(sigma_per_day >= 0 && sigma_per_day <= kMaxSigmaPerDay, "sigma_annual",
          "must be 0 to 4.77 (a daily log shock's standard deviation of at most 0.25; the 2024-2026 fit is 0.30)");
  return {drift_annual / kDaysPerYear, sigma_per_day, price_beta, price_lag_days};
}

double next_hashrate_ths(double hashrate_ths, double z, double lagged_price_log_return,
                         const ExogenousHashrateParams& p) {
  return hashrate_ths * std::exp(p.drift_per_day + p.price_beta * lagged_price_log_return + p.sigma_per_day * z);
}

double log_change_mean(const ExogenousHashrateParams& p, int days, double price_mean) {
  return days * (p.drift_per_day + p.price_beta * price_mean);
}

double log_change_variance(const ExogenousHashrateParams& p, int days, double price_var) {
  return days * (p.sigma_per_day * p.sigma_per_day + p.price_beta * p.price_beta * price_var);
}

double ExogenousHashrateSimulator::shock(std::uint32_t path, std::uint32_t step) const {
  return rng_.normals({random::Stream::kHashrate, path, step})[0];
}

void ExogenousHashrateSimulator::simulate(std::uint32_t path, double hashrate0_ths,
                                          std::span<const double> price_log_returns,
                                          std::span<double> hashrate_ths_out) const {
  double log_h = std::log(hashrate0_ths);
  const auto lag = static_cast<std::size_t>(params_.price_lag_days);
  for (std::size_t t = 0; t < hashrate_ths_out.size(); ++t) {
    const double lagged = t >= lag && t - lag < price_log_returns.size() ? price_log_returns[t - lag] : 0.0;
    log_h = next_log_hashrate(log_h, shock(path, static_cast<std::uint32_t>(t)), lagged, params_);
    hashrate_ths_out[t] = std::exp(log_h);
  }
}

namespace {

/// Step 1 of calibrate_hashrate: log means of non-overlapping kWeek-day blocks from the history's
/// first day (NaN where a day is unknown), their Poisson noise, and the changes of consecutive ones.
struct WeeklyMeans {
  std::vector<double> week_log;
  std::vector<double> week_noise;
  std::vector<WeeklyChange> changes;
};

WeeklyMeans weekly_means(const DailyHistory& h) {
  const std::size_t weeks = h.days() / kWeek;
  WeeklyMeans out{std::vector<double>(weeks, kNaN), std::vector<double>(weeks, kNaN), {}};
  // A day's blocks when its count is unknown: the consensus rate, a day over the block interval.
  const double default_blocks_per_day =
      kSecondsPerDay / static_cast<double>(chain::ConsensusParams::mainnet().pow_target_spacing_s);
  for (std::size_t w = 0; w < weeks; ++w) {
    double sum = 0, noise = 0;
    bool known = true;
    for (std::size_t d = w * kWeek; d < (w + 1) * kWeek; ++d) {
      known = known && is_known(h.hashrate_ths[d]) && h.hashrate_ths[d] > 0;
      if (!known) break;
      sum += h.hashrate_ths[d];
      const double blocks = is_known(h.block_count[d]) && h.block_count[d] > 0 ? h.block_count[d] : default_blocks_per_day;
      noise += 1.0 / blocks;
    }
    if (!known) continue;
    out.week_log[w] = std::log(sum / static_cast<double>(kWeek));
    out.week_noise[w] = noise / static_cast<double>(kWeek * kWeek);
  }
  for (std::size_t w = 0; w + 1 < weeks; ++w)
    if (is_known(out.week_log[w]) && is_known(out.week_log[w + 1]))
      out.changes.push_back({w * kWeek, out.week_log[w + 1] - out.week_log[w], out.week_noise[w] + out.week_noise[w + 1],
                             out.week_noise[w + 1]});
  return out;
}

/// Daily log price returns r_i = ln(P_i / P_{i−1}) (NaN where unknown).
std::vector<double> daily_log_returns(const DailyHistory& h) {
  std::vector<double> r(h.days(), kNaN);
  for (std::size_t i = 1; i < h.days(); ++i)
    if (is_known(h.price_usd[i]) && is_known(h.price_usd[i - 1]) && h.price_usd[i] > 0 && h.price_usd[i - 1] > 0)
      r[i] = std::log(h.price_usd[i] / h.price_usd[i - 1]);
  return r;
}

/// The weekly changes regressed: their values, which follow one another, and their mean noise.
struct RegressionSample {
  const std::vector<WeeklyChange>* changes;
  bool with_price;
  std::vector<double> y;
  std::vector<bool> adjacent;
  double noise_mean = 0;
  double week_noise_mean = 0;
};

/// The changes whose price returns are known at every lag when enough are (else all of them),
/// from at least kMinWeeklyChanges.
RegressionSample regression_sample(const DailyHistory& h, const std::vector<WeeklyChange>& changes,
                                   const std::vector<double>& r, std::vector<WeeklyChange>& priced) {
  const auto max_lag = static_cast<std::size_t>(kMaxPriceLagDays);
  auto prices_known_for_all_lags = [&](std::size_t s) {
    if (s < max_lag + 1) return false;
    for (std::size_t i = s - max_lag; i < s + kSpan; ++i)
      if (!is_known(r[i])) return false;
    return true;
  };
  for (const auto& ch : changes)
    if (prices_known_for_all_lags(ch.start)) priced.push_back(ch);
  RegressionSample out;
  out.with_price = priced.size() >= kMinWeeklyChanges;
  out.changes = out.with_price ? &priced : &changes;
  const std::vector<WeeklyChange>& sample = *out.changes;
  if (sample.size() < kMinWeeklyChanges)
    throw InputError(h.source, 0, "HashRate", "fewer than 60 weekly hashrate changes known");
  const std::size_t n = sample.size();
  out.y.resize(n);
  out.adjacent.assign(n, false);
  for (std::size_t t = 0; t < n; ++t) {
    out.y[t] = sample[t].change;
    out.noise_mean += sample[t].noise_var / static_cast<double>(n);
    out.week_noise_mean += sample[t].week_noise / static_cast<double>(n);
    out.adjacent[t] = t > 0 && sample[t].start == sample[t - 1].start + kWeek;
  }
  return out;
}

/// Steps 2–3: the lag with the smallest residual sum of squares, its regressor and fit.
struct LagFit {
  Ols ols;
  std::size_t lag = 0;
  std::vector<double> x;
  double correlation = kNaN;
};

LagFit best_lag_fit(const RegressionSample& s, const std::vector<double>& r, const std::vector<double>& c) {
  const std::vector<WeeklyChange>& sample = *s.changes;
  const std::size_t n = sample.size();
  auto regressor = [&](std::size_t lag) {
    std::vector<double> x(n);
    for (std::size_t t = 0; t < n; ++t) {
      double sum = 0;
      for (std::size_t j = 0; j < kSpan; ++j) sum += c[j] * r[sample[t].start + j - lag];
      x[t] = sum;
    }
    return x;
  };
  LagFit best;
  best.x.assign(n, 0.0);
  if (!s.with_price) {
    best.ols = fit_ols(s.y, best.x, s.adjacent, false);
    return best;
  }
  best.ols.rss = std::numeric_limits<double>::infinity();
  for (std::size_t lag = 0; lag <= static_cast<std::size_t>(kMaxPriceLagDays); ++lag) {
    std::vector<double> x = regressor(lag);
    Ols fit = fit_ols(s.y, x, s.adjacent, true);
    if (fit.rss < best.ols.rss) {
      best.ols = std::move(fit);
      best.lag = lag;
      best.x = std::move(x);
    }
  }
  const double vx = variance_of(best.x), vy = variance_of(s.y);
  best.correlation = best.ols.beta * std::sqrt(vx / vy);
  return best;
}

/// The goodness of fit of weekly changes: mean growth, volatility, lag-1 autocorrelation.
void add_weekly_fit(const RegressionSample& s, const LagFit& best, const std::vector<double>& c, double sigma2_day,
                    FitReport& report) {
  const std::size_t n = s.y.size();
  const double week = static_cast<double>(kWeek);
  double x_cov1 = 0, y_cov1 = 0;
  int pairs = 0;
  const double x_mean = mean_of(best.x);
  const double x_var = s.with_price ? variance_of(best.x) : 0.0;
  const double y_mean = mean_of(s.y);
  for (std::size_t t = 1; t < n; ++t)
    if (s.adjacent[t]) {
      x_cov1 += (best.x[t] - x_mean) * (best.x[t - 1] - x_mean);
      y_cov1 += (s.y[t] - y_mean) * (s.y[t - 1] - y_mean);
      ++pairs;
    }
  x_cov1 = pairs > 0 ? x_cov1 / pairs : 0.0;
  y_cov1 = pairs > 0 ? y_cov1 / pairs : kNaN;
  const double beta = best.ols.beta;
  const double y_var = variance_of(s.y);
  const double model_var = sigma2_day * sum_of_squares(c) + s.noise_mean + beta * beta * x_var;
  double c_lag1 = 0;
  for (std::size_t j = 0; j + kWeek < kSpan; ++j) c_lag1 += c[j] * c[j + kWeek];
  const double model_cov1 = sigma2_day * c_lag1 - s.week_noise_mean + beta * beta * x_cov1;
  report.fit.push_back({"mean annual log growth of hashrate (weekly means)",
                        (best.ols.alpha + beta * x_mean) / week * kDaysPerYear, y_mean / week * kDaysPerYear,
                        "model = drift + price_beta x mean lagged price return; equal by construction (OLS)"});
  report.fit.push_back({"volatility of weekly changes of the 7-day mean log hashrate", std::sqrt(model_var),
                        std::sqrt(y_var), "model = closed form incl. Poisson noise of the daily estimate"});
  report.fit.push_back({"lag-1 autocorrelation of weekly changes", model_cov1 / model_var,
                        pairs > 0 ? y_cov1 / y_var : kNaN,
                        "model = random walk seen through overlapping 7-day windows and Poisson noise"});
}

/// Volatility of 52-week changes of the weekly mean (non-overlapping years): tests the random walk
/// at long horizons (with at least 3 such years).
void add_yearly_fit(const WeeklyMeans& m, const RegressionSample& s, const std::vector<double>& r, double beta,
                    double sigma2_day, FitReport& report) {
  std::vector<double> yearly;
  double yearly_noise = 0;
  std::vector<double> known_r;
  for (const auto& v : r)
    if (is_known(v)) known_r.push_back(v);
  const double r_var = s.with_price ? variance_of(known_r) : 0.0;
  const std::size_t weeks = m.week_log.size();
  for (std::size_t w = 0; w + kWeeksPerYear < weeks; w += kWeeksPerYear)
    if (is_known(m.week_log[w]) && is_known(m.week_log[w + kWeeksPerYear]) &&
        (!s.with_price || w * kWeek >= s.changes->front().start)) {
      yearly.push_back(m.week_log[w + kWeeksPerYear] - m.week_log[w]);
      yearly_noise += (m.week_noise[w] + m.week_noise[w + kWeeksPerYear]);
    }
  if (yearly.size() < 3) return;
  yearly_noise /= static_cast<double>(yearly.size());
  const double c2_year = sum_of_squares(window_weights(kWeeksPerYear * kWeek));
  report.fit.push_back({"volatility of 52-week changes of the 7-day mean log hashrate",
                        std::sqrt(sigma2_day * c2_year + beta * beta * r_var * c2_year + yearly_noise),
                        std::sqrt(variance_of(yearly)),
                        std::to_string(yearly.size()) + " non-overlapping years; model = closed form"});
}

}  // namespace

std::vector<FitReport> calibrate_hashrate(const DailyHistory& h) {
  const WeeklyMeans weekly = weekly_means(h);
  const std::vector<double> r = daily_log_returns(h);
  const std::vector<double> c = window_weights(kWeek);  // kSpan weights
  std::vector<WeeklyChange> priced;
  const RegressionSample sample = regression_sample(h, weekly.changes, r, priced);
  const bool with_price = sample.with_price;
  const LagFit best = best_lag_fit(sample, r, c);

  // 4. Parameters.
  const double nd = static_cast<double>(sample.y.size());
  const double c2 = sum_of_squares(c);
  const double k_params = with_price ? 2.0 : 1.0;
  const double resid_var = best.ols.rss / (nd - k_params);
  const double sigma2_day = std::max((resid_var - sample.noise_mean) / c2, 0.0);
  const double sigma_day = std::sqrt(sigma2_day);
  const double resid_var_se = resid_var * std::sqrt(2.0 * (1.0 + 2.0 * best.ols.rho1 * best.ols.rho1) / nd);
  const double sigma_day_se = sigma_day > 0 ? resid_var_se / c2 / (2.0 * sigma_day) : kNaN;
  const double week = static_cast<double>(kWeek);
  const double drift_day = best.ols.alpha / week;
  const double drift_day_se = best.ols.se_alpha / week;

  FitReport report{"hashrate", "exogenous",
                   with_price ? "OLS of weekly changes of 7-day mean log hashrate on lagged price returns, lag by "
                                "least squares over 0..180 days; HAC (MA(1)) standard errors; Poisson noise of the "
                                "daily estimate removed from the variance"
                              : "mean and variance of weekly changes of 7-day mean log hashrate (no price known); "
                                "HAC (MA(1)) standard errors; Poisson noise removed from the variance",
                   static_cast<int>(sample.y.size()),
                   -0.5 * nd * (std::log(2.0 * std::numbers::pi * best.ols.rss / nd) + 1.0),
                   {},
                   {}};
  report.parameters.push_back({"drift_annual", drift_day * kDaysPerYear, drift_day_se * kDaysPerYear});
  report.parameters.push_back(
      {"sigma_annual", sigma_day * std::sqrt(kDaysPerYear), sigma_day_se * std::sqrt(kDaysPerYear)});
  report.parameters.push_back({"price_beta", best.ols.beta, with_price ? best.ols.se_beta : kNaN});
  report.parameters.push_back({"price_lag_days", static_cast<double>(best.lag), kNaN});
  report.parameters.push_back({"drift_per_day", drift_day, drift_day_se});
  report.parameters.push_back({"sigma_per_day", sigma_day, sigma_day_se});

  add_weekly_fit(sample, best, c, sigma2_day, report);
  add_yearly_fit(weekly, sample, r, best.ols.beta, sigma2_day, report);
  if (with_price)
    report.fit.push_back({"correlation of weekly hashrate change with lagged price returns at the chosen lag",
                          best.correlation, best.correlation, "selected over 181 lags: expect some selection bias"});
  return {report};
}

ExogenousHashrateParams exogenous_params_from_report(const FitReport& report) {
  assert(report.factor == "hashrate" && report.model == "exogenous");  // Calibration::report looked it up by name
  auto value = [&](std::string_view name) { return market::report_parameter(report, name); };
  return ExogenousHashrateParams::from_annual(value("drift_annual"), value("sigma_annual"), value("price_beta"),
                                              static_cast<int>(std::lround(value("price_lag_days"))));
}

}  // namespace hashpivot::network
