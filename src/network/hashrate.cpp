#include "hashpivot/network/hashrate.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

namespace hashpivot::network {
namespace {

using market::DailyHistory;
using market::FitReport;
using market::is_known;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kWeek = static_cast<std::size_t>(kHashrateWeekDays);
constexpr std::size_t kSpan = 2 * kWeek - 1;  // days whose log changes enter one weekly change
constexpr double kDefaultBlocksPerDay = 144.0;

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
  if (price_lag_days < 0) throw std::invalid_argument("price_lag_days must be >= 0");
  return {drift_annual / kDaysPerYear, sigma_annual / std::sqrt(kDaysPerYear), price_beta, price_lag_days};
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

std::vector<FitReport> calibrate_hashrate(const DailyHistory& h) {
  const std::size_t days = h.days();
  // 1. Weekly means on non-overlapping 7-day blocks from the history's first day.
  const std::size_t weeks = days / kWeek;
  std::vector<double> week_log(weeks, kNaN), week_noise(weeks, kNaN);
  for (std::size_t w = 0; w < weeks; ++w) {
    double sum = 0, noise = 0;
    bool known = true;
    for (std::size_t d = w * kWeek; d < (w + 1) * kWeek; ++d) {
      known = known && is_known(h.hashrate_ths[d]) && h.hashrate_ths[d] > 0;
      if (!known) break;
      sum += h.hashrate_ths[d];
      const double blocks = is_known(h.block_count[d]) && h.block_count[d] > 0 ? h.block_count[d] : kDefaultBlocksPerDay;
      noise += 1.0 / blocks;
    }
    if (!known) continue;
    week_log[w] = std::log(sum / static_cast<double>(kWeek));
    week_noise[w] = noise / static_cast<double>(kWeek * kWeek);
  }
  std::vector<WeeklyChange> changes;
  for (std::size_t w = 0; w + 1 < weeks; ++w)
    if (is_known(week_log[w]) && is_known(week_log[w + 1]))
      changes.push_back({w * kWeek, week_log[w + 1] - week_log[w], week_noise[w] + week_noise[w + 1], week_noise[w + 1]});

  // Daily log price returns r_i = ln(P_i / P_{i−1}).
  std::vector<double> r(days, kNaN);
  for (std::size_t i = 1; i < days; ++i)
    if (is_known(h.price_usd[i]) && is_known(h.price_usd[i - 1]) && h.price_usd[i] > 0 && h.price_usd[i - 1] > 0)
      r[i] = std::log(h.price_usd[i] / h.price_usd[i - 1]);
  const std::vector<double> c = window_weights(kWeek);  // kSpan weights
  const auto max_lag = static_cast<std::size_t>(kMaxPriceLagDays);
  auto prices_known_for_all_lags = [&](std::size_t s) {
    if (s < max_lag + 1) return false;
    for (std::size_t i = s - max_lag; i < s + kSpan; ++i)
      if (!is_known(r[i])) return false;
    return true;
  };
  std::vector<WeeklyChange> priced;
  for (const auto& ch : changes)
    if (prices_known_for_all_lags(ch.start)) priced.push_back(ch);
  const bool with_price = priced.size() >= 60;
  const std::vector<WeeklyChange>& sample = with_price ? priced : changes;
  if (sample.size() < 60) throw std::invalid_argument("calibrate_hashrate: fewer than 60 weekly hashrate changes known");

  const std::size_t n = sample.size();
  std::vector<double> y(n);
  std::vector<bool> adjacent(n, false);
  double noise_mean = 0, week_noise_mean = 0;
  for (std::size_t t = 0; t < n; ++t) {
    y[t] = sample[t].change;
    noise_mean += sample[t].noise_var / static_cast<double>(n);
    week_noise_mean += sample[t].week_noise / static_cast<double>(n);
    adjacent[t] = t > 0 && sample[t].start == sample[t - 1].start + kWeek;
  }
  auto regressor = [&](std::size_t lag) {
    std::vector<double> x(n);
    for (std::size_t t = 0; t < n; ++t) {
      double sum = 0;
      for (std::size_t j = 0; j < kSpan; ++j) sum += c[j] * r[sample[t].start + j - lag];
      x[t] = sum;
    }
    return x;
  };

  // 2–3. The lag with the smallest residual sum of squares.
  Ols best;
  std::size_t best_lag = 0;
  std::vector<double> best_x(n, 0.0);
  double best_corr = kNaN;
  if (with_price) {
    best.rss = std::numeric_limits<double>::infinity();
    for (std::size_t lag = 0; lag <= max_lag; ++lag) {
      std::vector<double> x = regressor(lag);
      Ols fit = fit_ols(y, x, adjacent, true);
      if (fit.rss < best.rss) {
        best = std::move(fit);
        best_lag = lag;
        best_x = std::move(x);
      }
    }
    const double vx = variance_of(best_x), vy = variance_of(y);
    best_corr = best.beta * std::sqrt(vx / vy);
  } else {
    best = fit_ols(y, best_x, adjacent, false);
  }

  // 4. Parameters.
  const double nd = static_cast<double>(n);
  const double c2 = sum_of_squares(c);
  const double k_params = with_price ? 2.0 : 1.0;
  const double resid_var = best.rss / (nd - k_params);
  const double sigma2_day = std::max((resid_var - noise_mean) / c2, 0.0);
  const double sigma_day = std::sqrt(sigma2_day);
  const double resid_var_se = resid_var * std::sqrt(2.0 * (1.0 + 2.0 * best.rho1 * best.rho1) / nd);
  const double sigma_day_se = sigma_day > 0 ? resid_var_se / c2 / (2.0 * sigma_day) : kNaN;
  const double week = static_cast<double>(kWeek);
  const double drift_day = best.alpha / week;
  const double drift_day_se = best.se_alpha / week;

  FitReport report{"hashrate", "exogenous",
                   with_price ? "OLS of weekly changes of 7-day mean log hashrate on lagged price returns, lag by "
                                "least squares over 0..180 days; HAC (MA(1)) standard errors; Poisson noise of the "
                                "daily estimate removed from the variance"
                              : "mean and variance of weekly changes of 7-day mean log hashrate (no price known); "
                                "HAC (MA(1)) standard errors; Poisson noise removed from the variance",
                   static_cast<int>(n),
                   -0.5 * nd * (std::log(2.0 * 3.141592653589793 * best.rss / nd) + 1.0),
                   {},
                   {}};
  report.parameters.push_back({"drift_annual", drift_day * kDaysPerYear, drift_day_se * kDaysPerYear});
  report.parameters.push_back(
      {"sigma_annual", sigma_day * std::sqrt(kDaysPerYear), sigma_day_se * std::sqrt(kDaysPerYear)});
  report.parameters.push_back({"price_beta", best.beta, with_price ? best.se_beta : kNaN});
  report.parameters.push_back({"price_lag_days", static_cast<double>(best_lag), kNaN});
  report.parameters.push_back({"drift_per_day", drift_day, drift_day_se});
  report.parameters.push_back({"sigma_per_day", sigma_day, sigma_day_se});

  // Goodness of fit.
  double x_mean = 0, x_var = 0, x_cov1 = 0, y_cov1 = 0;
  int pairs = 0;
  x_mean = mean_of(best_x);
  x_var = with_price ? variance_of(best_x) : 0.0;
  const double y_mean = mean_of(y);
  for (std::size_t t = 1; t < n; ++t)
    if (adjacent[t]) {
      x_cov1 += (best_x[t] - x_mean) * (best_x[t - 1] - x_mean);
      y_cov1 += (y[t] - y_mean) * (y[t - 1] - y_mean);
      ++pairs;
    }
  x_cov1 = pairs > 0 ? x_cov1 / pairs : 0.0;
  y_cov1 = pairs > 0 ? y_cov1 / pairs : kNaN;
  const double y_var = variance_of(y);
  const double model_var = sigma2_day * c2 + noise_mean + best.beta * best.beta * x_var;
  double c_lag1 = 0;
  for (std::size_t j = 0; j + kWeek < kSpan; ++j) c_lag1 += c[j] * c[j + kWeek];
  const double model_cov1 = sigma2_day * c_lag1 - week_noise_mean + best.beta * best.beta * x_cov1;
  report.fit.push_back({"mean annual log growth of hashrate (weekly means)",
                        (best.alpha + best.beta * x_mean) / week * kDaysPerYear, y_mean / week * kDaysPerYear,
                        "model = drift + price_beta x mean lagged price return; equal by construction (OLS)"});
  report.fit.push_back({"volatility of weekly changes of the 7-day mean log hashrate", std::sqrt(model_var),
                        std::sqrt(y_var), "model = closed form incl. Poisson noise of the daily estimate"});
  report.fit.push_back({"lag-1 autocorrelation of weekly changes", model_cov1 / model_var,
                        pairs > 0 ? y_cov1 / y_var : kNaN,
                        "model = random walk seen through overlapping 7-day windows and Poisson noise"});

  // Volatility of 52-week changes of the weekly mean (non-overlapping years): tests the random walk at long horizons.
  std::vector<double> yearly;
  double yearly_noise = 0, r_var = 0;
  {
    std::vector<double> known_r;
    for (const auto& v : r)
      if (is_known(v)) known_r.push_back(v);
    r_var = with_price ? variance_of(known_r) : 0.0;
    for (std::size_t w = 0; w + 52 < weeks; w += 52)
      if (is_known(week_log[w]) && is_known(week_log[w + 52]) && (!with_price || w * kWeek >= sample.front().start)) {
        yearly.push_back(week_log[w + 52] - week_log[w]);
        yearly_noise += (week_noise[w] + week_noise[w + 52]);
      }
  }
  if (yearly.size() >= 3) {
    yearly_noise /= static_cast<double>(yearly.size());
    const double c2_year = sum_of_squares(window_weights(364));
    report.fit.push_back({"volatility of 52-week changes of the 7-day mean log hashrate",
                          std::sqrt(sigma2_day * c2_year + best.beta * best.beta * r_var * c2_year + yearly_noise),
                          std::sqrt(variance_of(yearly)),
                          std::to_string(yearly.size()) + " non-overlapping years; model = closed form"});
  }
  if (with_price)
    report.fit.push_back({"correlation of weekly hashrate change with lagged price returns at the chosen lag",
                          best_corr, best_corr, "selected over 181 lags: expect some selection bias"});
  return {report};
}

ExogenousHashrateParams exogenous_params_from_report(const FitReport& report) {
  if (report.factor != "hashrate" || report.model != "exogenous")
    throw std::invalid_argument("not an exogenous hashrate report");
  auto value = [&](std::string_view name) { return market::report_parameter(report, name); };
  return ExogenousHashrateParams::from_annual(value("drift_annual"), value("sigma_annual"), value("price_beta"),
                                              static_cast<int>(std::lround(value("price_lag_days"))));
}

}  // namespace hashpivot::network
