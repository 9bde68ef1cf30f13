#include "hashpivot/network/margin_calibration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <exception>
#include <limits>
#include <numbers>
#include <optional>
#include <thread>

#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/subsidy.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/market/mle.hpp"
#include "hashpivot/network/hashprice.hpp"
#include "hashpivot/network/hashrate.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::network {
namespace {

using market::is_known;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kWeek = static_cast<std::size_t>(kHashrateWeekDays);
constexpr std::size_t kMinWeeklyChanges = 60;
constexpr int kFeeCarryDays = 30;
/// Σ c_j² of the triangular weights of the change of two consecutive 7-day means, and Σ c_j·c_{j+7}.
constexpr double kWeeklyWeightSquares = 231.0 / 49.0;
constexpr double kWeeklyWeightLag1 = 56.0 / 49.0;
/// 2024-06-03: Core Scientific's 12-year lease of converted mining capacity to CoreWeave, the first large
/// conversion of mining sites to AI/HPC (MODEL.md §4 lists the deal).
constexpr DayNumber kAiExitStartDay = 19877;
constexpr double kAiExitSharePerYear = 0.025;
constexpr int kPipelineLagDays = 120;
constexpr int kPowerClasses = 5;
/// Grid points the maximization starts from (the best of the grid), against local maxima.
constexpr std::size_t kMaximizationStarts = 3;
/// The fit's search stops at steps of 1e-10 of the parameters. A bootstrap refit's at 1e-3: far below the
/// spread of the refits, at less than half the cost (on the 2016–2026 window the SEs of the five moved by at
/// most 3% from those of refits at 1e-10, 30 replicates).
/// Neither computes the Hessian's SEs: the fit's come from the bootstrap (60 evaluations a start saved).
constexpr market::MleOptions kFitSearch{20000, 1e-10, false};
constexpr market::MleOptions kRefitSearch{20000, 1e-3, false};

// θ and its box (the header's bounds).
enum Theta : std::size_t { kLogMedian, kLogSd, kHurdle, kSupply, kMustRun, kThetaCount };
const std::vector<double> kLower{std::log(5.0), 0.05, -0.5, 0.01, 0.05};
constexpr double kBoundTolerance = 1e-6;
const std::vector<double> kUpper{std::log(1000.0), 2.0, 20.0, 5.0, 0.9};

/// Height whose cumulative subsidy is `supply_btc` (the subsidy schedule of mainnet).
std::int64_t height_of_supply(double supply_btc) {
  const chain::ConsensusParams params = chain::ConsensusParams::mainnet();
  double left = supply_btc * static_cast<double>(chain::kSatPerBtc);
  std::int64_t height = 0;
  for (std::int64_t era = 0; era < 64; ++era) {
    const auto subsidy = static_cast<double>(chain::block_subsidy_sat(chain::halving_height(era, params), params));
    const double era_sat = subsidy * static_cast<double>(params.subsidy_halving_interval_blocks);
    if (subsidy <= 0 || left < era_sat) return height + static_cast<std::int64_t>(subsidy > 0 ? left / subsidy : 0);
    left -= era_sat;
    height += params.subsidy_halving_interval_blocks;
  }
  return height;
}

struct Weeks {
  std::vector<double> log_mean;  // NaN where a day is unknown
  std::vector<double> noise;     // Poisson variance of the week's log mean
};

/// Blocks of day i (the Poisson noise of its HashRate): BlkCnt, a day of target-spaced blocks where unknown.
double blocks_of(const MarginFitData& d, std::size_t i) {
  const double default_blocks = kSecondsPerDay / static_cast<double>(chain::ConsensusParams::mainnet().pow_target_spacing_s);
  return is_known(d.block_count[i]) && d.block_count[i] > 0 ? d.block_count[i] : default_blocks;
}

Weeks weekly(const MarginFitData& d) {
  const std::size_t weeks = d.hashrate_ths.size() / kWeek;
  Weeks w{std::vector<double>(weeks, kNaN), std::vector<double>(weeks, kNaN)};
  for (std::size_t k = 0; k < weeks; ++k) {
    double sum = 0, noise = 0;
    bool known = true;
    for (std::size_t i = k * kWeek; i < (k + 1) * kWeek && known; ++i) {
      known = is_known(d.hashrate_ths[i]) && d.hashrate_ths[i] > 0;
      sum += known ? d.hashrate_ths[i] : 0.0;
      noise += 1.0 / blocks_of(d, i);
    }
    if (!known) continue;
    w.log_mean[k] = std::log(sum / static_cast<double>(kWeek));
    w.noise[k] = noise / static_cast<double>(kWeek * kWeek);
  }
  return w;
}

/// The model run over the data with weekly resets: residuals and predicted weekly changes.
struct Replay {
  std::vector<double> residuals;        // per scored week
  std::vector<double> predicted;        // the model's change of the weekly log mean, per scored week
  std::vector<double> observed;         // the observed one
  std::vector<double> noise;            // Poisson variance of the observed change
  std::vector<bool> follows;            // the scored week follows the previous scored one
  double free_run_log_change = kNaN;    // without resets: ln(last known week's model mean / first)
  bool ok = false;
};

class Fitter {
 public:
  Fitter(const MarginFitData& data, const MarginHashrateParams& fixed) : data_(data), fixed_(fixed), weeks_(weekly(data)) {
    for (std::size_t k = 0; k < weeks_.log_mean.size(); ++k)
      if (is_known(weeks_.log_mean[k])) {
        first_week_ = k;
        break;
      }
    filled_.assign(data.hashprice_usd.size(), kNaN);
    double last = kNaN;
    for (std::size_t i = 0; i < filled_.size(); ++i) {
      if (is_known(data.hashprice_usd[i]) && data.hashprice_usd[i] > 0) last = data.hashprice_usd[i];
      filled_[i] = last;
    }
    for (std::size_t i = 0; i < filled_.size() && !is_known(filled_[i]); ++i) filled_[i] = kNaN;
    const auto first_known = std::find_if(filled_.begin(), filled_.end(), [](double v) { return is_known(v); });
    if (first_known != filled_.end()) std::fill(filled_.begin(), first_known, *first_known);
    // Every replay steps the fleet at these hashprices: their logs once here, not once a replay.
    log_filled_.resize(filled_.size());
    std::transform(filled_.begin(), filled_.end(), log_filled_.begin(), [](double h) { return std::log(h); });
  }

  [[nodiscard]] const Weeks& weeks() const { return weeks_; }
  /// The day index the fleet starts on (the first known week's first day) and the hashprice it is driven by.
  [[nodiscard]] std::size_t start_index() const { return first_week_ * kWeek; }
  [[nodiscard]] const std::vector<double>& drive() const { return filled_; }
  [[nodiscard]] bool usable() const { return first_week_ < weeks_.log_mean.size() && is_known(filled_.front()); }

  [[nodiscard]] MarginHashrateParams params(std::span<const double> theta) const {
    MarginHashrateParams p = fixed_;
    p.power_price_median_usd_per_mwh = std::exp(theta[kLogMedian]);
    p.power_price_log_sd = theta[kLogSd];
    p.entry_hurdle = theta[kHurdle];
    p.supply_share_per_year = theta[kSupply];
    p.must_run_share = theta[kMustRun];
    p.sigma_per_day = 0;
    return p;
  }

  /// Runs the fleet from the first known week; with `reset` the weekly resets, else none.
  [[nodiscard]] Replay replay(std::span<const double> theta, bool reset) const {
    Replay out;
    const MarginHashrateParams p = params(theta);
    const DayNumber start = data_.first_day + static_cast<DayNumber>(first_week_ * kWeek);
    MarginHashrateModel model;
    FleetState fleet;
    const std::size_t start_index = first_week_ * kWeek;
    try {  // θ outside the model's domain (a Hessian probe past a bound), or nothing runs at the first hashprice
      model = MarginHashrateModel(p, start - p.max_age_days - 2 * p.cohort_days);
      fleet = start_fleet(model, start, std::exp(weeks_.log_mean[first_week_]), filled_[start_index]);
    } catch (const ParameterError&) {
      return out;  // this θ explains nothing
    }
    double first_model_mean = kNaN, last_model_mean = kNaN;
    double week_sum = 0;
    bool previous_reset = false;
    std::size_t last_scored = 0;
    for (std::size_t i = start_index; i < weeks_.log_mean.size() * kWeek; ++i) {
      const DayNumber day = data_.first_day + static_cast<DayNumber>(i);
      const double running = i == start_index ? std::exp(weeks_.log_mean[first_week_])
                                              : step_fleet_of_log(model, fleet, day, log_filled_[i], 0.0).running_ths;
      week_sum += running;
      if ((i + 1) % kWeek != 0) continue;
      const std::size_t w = i / kWeek;
      const double model_log = std::log(week_sum / static_cast<double>(kWeek));
      week_sum = 0;
      if (!std::isfinite(model_log)) return out;  // the whole fleet is off
      if (!is_known(first_model_mean)) first_model_mean = model_log;
      const double observed = weeks_.log_mean[w];
      if (!is_known(observed)) {
        previous_reset = false;
        continue;
      }
      last_model_mean = model_log;
      if (previous_reset) {
        out.residuals.push_back(observed - model_log);
        out.predicted.push_back(model_log - weeks_.log_mean[w - 1]);
        out.observed.push_back(observed - weeks_.log_mean[w - 1]);
        out.noise.push_back(weeks_.noise[w] + weeks_.noise[w - 1]);
        out.follows.push_back(!out.follows.empty() && last_scored + 1 == w);
        last_scored = w;
      }
      if (reset) {
        fleet.log_scale += observed - model_log;
        previous_reset = true;
      }
    }
    out.free_run_log_change = last_model_mean - first_model_mean;
    out.ok = true;
    return out;
  }

  /// ln(last known week's mean / the first's): the observed change over the window.
  [[nodiscard]] double observed_log_change() const {
    double last = kNaN;
    for (double v : weeks_.log_mean)
      if (is_known(v)) last = v;
    return last - weeks_.log_mean[first_week_];
  }

  [[nodiscard]] double log_likelihood(std::span<const double> theta) const {
    const Replay r = replay(theta, true);
    if (!r.ok || r.residuals.size() < kMinWeeklyChanges) return -std::numeric_limits<double>::infinity();
    double sse = 0;
    for (double e : r.residuals) sse += e * e;
    const auto n = static_cast<double>(r.residuals.size());
    return -0.5 * n * (std::log(2.0 * std::numbers::pi * sse / n) + 1.0);
  }

 private:
  const MarginFitData& data_;
  MarginHashrateParams fixed_;
  Weeks weeks_;
  std::vector<double> filled_;   // hashprice, the last known carried forward (the first known before it)
  std::vector<double> log_filled_;  // std::log of filled_
  std::size_t first_week_ = std::numeric_limits<std::size_t>::max();
};

double mean_of(std::span<const double> v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? kNaN : s / static_cast<double>(v.size());
}

double variance_of(std::span<const double> v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return v.size() < 2 ? kNaN : s / static_cast<double>(v.size() - 1);
}

/// The kMaximizationStarts best points of a grid over the median power price, its spread, the hurdle
/// and the must-run share, best first (grid order among equals); empty when no point of the grid has a
/// finite likelihood.
std::vector<std::vector<double>> grid_starts(const Fitter& fitter, double growth) {
  const double supply = std::clamp(2.0 * growth, 0.05, 4.0);
  std::vector<std::pair<double, std::vector<double>>> scored;
  for (const double median : {15.0, 30.0, 60.0, 120.0, 240.0, 480.0})
    for (const double spread : {0.3, 0.9})
      for (const double hurdle : {0.3, 2.0})
        for (const double must_run : {kLower[kMustRun], 0.3}) {
          std::vector<double> theta{std::log(median), spread, hurdle, supply, must_run};
          const double ll = fitter.log_likelihood(theta);
          if (std::isfinite(ll)) scored.emplace_back(ll, std::move(theta));
        }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::vector<double>> starts;
  for (std::size_t i = 0; i < std::min(scored.size(), kMaximizationStarts); ++i) starts.push_back(scored[i].second);
  return starts;
}

/// Mean annual growth of the weekly log mean and its SE (the header's fleet_growth_annual).
struct Growth {
  double annual = kNaN;
  double se = kNaN;
};

/// Throws InputError with fewer than kMinWeeklyChanges known weekly changes.
Growth weekly_growth(const Weeks& weeks, const std::string& source) {
  std::vector<double> changes;
  for (std::size_t k = 1; k < weeks.log_mean.size(); ++k)
    if (is_known(weeks.log_mean[k]) && is_known(weeks.log_mean[k - 1])) changes.push_back(weeks.log_mean[k] - weeks.log_mean[k - 1]);
  if (changes.size() < kMinWeeklyChanges) throw InputError(source, 0, "HashRate", "fewer than 60 weekly hashrate changes known");
  const double weeks_per_year = kDaysPerYear / static_cast<double>(kWeek);
  return {mean_of(changes) * weeks_per_year, std::sqrt(variance_of(changes) / static_cast<double>(changes.size())) * weeks_per_year};
}

/// θ̂ and its log-likelihood: BOBYQA then Nelder–Mead from each grid start, the most likely end (the
/// first among equals). Throws InputError when no start has a finite likelihood.
market::MleResult maximize(const Fitter& fitter, double growth, const std::string& source, const market::MleOptions& search) {
  const std::vector<std::vector<double>> starts = grid_starts(fitter, growth);
  if (starts.empty())
    throw InputError(source, 0, "HashRate", "no power-price level explains the history's hashrate at its hashprice");
  const market::LogLikelihood ll = [&](std::span<const double> theta) { return fitter.log_likelihood(theta); };
  std::optional<market::MleResult> best;
  for (const std::vector<double>& start : starts) {
    market::MleResult mle = market::maximize_likelihood(ll, start, kLower, kUpper, search);
    if (!best || mle.log_likelihood > best->log_likelihood) best = std::move(mle);
  }
  return *best;
}

/// The fit's estimates: the fixed parameters with the data's growth (the starting fleet's age profile),
/// the fitter on them, θ̂.
struct Estimation {
  Growth growth;
  MarginHashrateParams fixed;
  Fitter fitter;
  market::MleResult mle;

  Estimation(const MarginFitData& data, const MarginHashrateParams& given, const market::MleOptions& search)
      : growth(weekly_growth(weekly(data), data.source)), fixed(with_growth(given, growth.annual)), fitter(data, fixed) {
    if (!fitter.usable()) throw InputError(data.source, 0, "HashRate", "fewer than 60 weekly hashrate changes known");
    mle = maximize(fitter, growth.annual, data.source, search);
  }

 private:
  static MarginHashrateParams with_growth(MarginHashrateParams p, double growth) {
    p.fleet_growth_annual = growth;
    return p;
  }
};

}  // namespace

MarginHashrateParams margin_fixed_params(const EfficiencyFrontier& frontier) {
  MarginHashrateParams p;
  p.frontier = frontier;
  p.pipeline_lag_days = kPipelineLagDays;
  p.power_classes = kPowerClasses;
  p.ai_exit_share_per_year = kAiExitSharePerYear;
  p.ai_exit_start_day = kAiExitStartDay;
  return p;
}

std::vector<double> history_hashprice_usd(const market::DailyHistory& h, int* fee_days_filled) {
  std::vector<double> out(h.days(), kNaN);
  double last_fees = kNaN;
  int last_fees_index = -kFeeCarryDays - 1;
  int filled = 0;
  for (std::size_t i = 0; i < h.days(); ++i) {
    const bool fees_known = is_known(h.fees_btc[i]) && is_known(h.block_count[i]) && h.block_count[i] > 0;
    if (fees_known) {
      last_fees = h.fees_btc[i] / h.block_count[i];
      last_fees_index = static_cast<int>(i);
    }
    if (i == 0 || !is_known(h.supply_btc[i - 1]) || !is_known(h.price_usd[i]) || !is_known(h.difficulty[i]) ||
        !(h.difficulty[i] > 0))
      continue;
    double fees = 0;
    if (fees_known) {
      fees = last_fees;
    } else {
      ++filled;
      if (static_cast<int>(i) - last_fees_index <= kFeeCarryDays) fees = last_fees;
    }
    const double subsidy =
        static_cast<double>(chain::block_subsidy_sat(height_of_supply(h.supply_btc[i - 1]), chain::ConsensusParams::mainnet())) /
        static_cast<double>(chain::kSatPerBtc);
    out[i] = hashprice_usd_per_ph_day(h.difficulty[i], subsidy + fees, h.price_usd[i]);
  }
  if (fee_days_filled) *fee_days_filled = filled;
  return out;
}

MarginFitData margin_fit_data(const market::DailyHistory& h) {
  MarginFitData d;
  d.source = h.source;
  d.first_day = h.first_day;
  d.hashprice_usd = history_hashprice_usd(h, &d.fee_days_filled);
  d.hashrate_ths = h.hashrate_ths;
  d.block_count = h.block_count;
  return d;
}

namespace {

/// A history of the model itself (the header's bootstrap): the fleet with `truth` started as `fitter`
/// starts it, driven by its hashprice with the daily shock, each day's HashRate observed with lognormal
/// noise of variance 1/BlkCnt, unknown where the data's is; the data's hashprice and block counts.
MarginFitData bootstrap_history(const MarginFitData& data, const Fitter& fitter, const MarginHashrateParams& truth,
                                const random::CounterRng& rng, std::uint32_t replicate) {
  MarginFitData d = data;
  d.source = fmt::format("{} (bootstrap replicate {})", data.source, replicate);
  const std::size_t start = fitter.start_index();
  const DayNumber start_day = data.first_day + static_cast<DayNumber>(start);
  const MarginHashrateModel model(truth, start_day - truth.max_age_days - 2 * truth.cohort_days);
  const std::vector<double>& drive = fitter.drive();
  const double start_ths = std::exp(fitter.weeks().log_mean[start / kWeek]);
  FleetState fleet = start_fleet(model, start_day, start_ths, drive[start]);
  std::fill(d.hashrate_ths.begin(), d.hashrate_ths.begin() + static_cast<std::ptrdiff_t>(start), kNaN);
  for (std::size_t i = start; i < d.hashrate_ths.size(); ++i) {
    const auto z = rng.normals({random::Stream::kHashrate, replicate, static_cast<std::uint32_t>(i)});
    const DayNumber day = data.first_day + static_cast<DayNumber>(i);
    const double running = i == start ? start_ths : step_fleet(model, fleet, day, drive[i], z[0]).running_ths;
    const bool known = is_known(data.hashrate_ths[i]) && data.hashrate_ths[i] > 0;
    d.hashrate_ths[i] = known ? running * std::exp(z[1] / std::sqrt(blocks_of(data, i))) : kNaN;
  }
  return d;
}

/// The standard deviation of each parameter over the refits of the bootstrap (the median's in USD/MWh),
/// NaN with fewer than 2; `failed`: replicates whose refit threw InputError (ParameterError included).
struct Bootstrap {
  std::vector<double> se = std::vector<double>(kThetaCount, kNaN);
  int refits = 0;
  int failed = 0;
};

/// θ̂ refitted on replicate `r` of the bootstrap; none when the refit finds nothing to fit.
std::optional<std::vector<double>> refit(const MarginFitData& data, const Estimation& e, const MarginHashrateParams& truth,
                                         const random::CounterRng& rng, std::uint32_t r) {
  try {
    const MarginFitData replicate = bootstrap_history(data, e.fitter, truth, rng, r);  // outlives the fitter's reference
    const Estimation refitted(replicate, e.fixed, kRefitSearch);
    std::vector<double> theta = refitted.mle.theta;
    theta[kLogMedian] = std::exp(theta[kLogMedian]);
    return theta;
  } catch (const InputError&) {  // and ParameterError: nothing runs at the first hashprice
    return std::nullopt;
  }
}

/// The replicates run on worker threads, each writing only its own slots; the standard deviations
/// are taken in replicate order, so the result does not depend on the threads.
Bootstrap bootstrap(const MarginFitData& data, const Estimation& e, double sigma_per_day, const MarginFitOptions& o) {
  Bootstrap out;
  if (o.bootstrap_replicates <= 0) return out;
  MarginHashrateParams truth = e.fitter.params(e.mle.theta);
  truth.sigma_per_day = sigma_per_day;
  const random::CounterRng rng(o.seed);
  const auto replicates = static_cast<std::size_t>(o.bootstrap_replicates);
  std::vector<std::optional<std::vector<double>>> thetas(replicates);
  std::vector<std::exception_ptr> errors(replicates);
  const std::size_t workers = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, replicates);
  {
    std::vector<std::jthread> pool;
    for (std::size_t w = 0; w < workers; ++w)
      pool.emplace_back([&, w] {
        for (std::size_t r = w; r < replicates; r += workers) try {
            thetas[r] = refit(data, e, truth, rng, static_cast<std::uint32_t>(r));
          } catch (...) {
            errors[r] = std::current_exception();
          }
      });
  }
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
  std::vector<std::vector<double>> by_parameter(kThetaCount);
  for (const auto& theta : thetas) {
    if (!theta) {
      ++out.failed;
      continue;
    }
    ++out.refits;
    for (std::size_t k = 0; k < kThetaCount; ++k) by_parameter[k].push_back((*theta)[k]);
  }
  for (std::size_t k = 0; k < kThetaCount; ++k) out.se[k] = std::sqrt(variance_of(by_parameter[k]));
  return out;
}

}  // namespace

market::FitReport fit_margin_hashrate(const MarginFitData& data, const MarginHashrateParams& given,
                                      const MarginFitOptions& options) {
  const Estimation estimation(data, given, kFitSearch);
  const Fitter& fitter = estimation.fitter;
  const MarginHashrateParams& fixed = estimation.fixed;
  const market::MleResult& mle = estimation.mle;
  const Replay fit = fitter.replay(mle.theta, true);
  const auto n = static_cast<double>(fit.residuals.size());
  double sse = 0, lag_cross = 0;
  for (std::size_t t = 0; t < fit.residuals.size(); ++t) {
    sse += fit.residuals[t] * fit.residuals[t];
    if (t > 0 && fit.follows[t]) lag_cross += fit.residuals[t] * fit.residuals[t - 1];
  }
  const double rho1 = sse > 0 ? lag_cross / sse : 0.0;

  const double resid_var = sse / (n - static_cast<double>(kThetaCount));
  const double noise_mean = mean_of(fit.noise);
  const double sigma2 = std::max((resid_var - noise_mean) / kWeeklyWeightSquares, 0.0);
  const double sigma = std::sqrt(sigma2);
  const double resid_var_se = resid_var * std::sqrt(2.0 * (1.0 + 2.0 * rho1 * rho1) / n);
  const double sigma_se = sigma > 0 ? resid_var_se / kWeeklyWeightSquares / (2.0 * sigma) : kNaN;
  const Bootstrap boot = bootstrap(data, estimation, sigma, options);
  const double weeks_per_year = kDaysPerYear / static_cast<double>(kWeek);

  market::FitReport report{
      "hashrate", "margin_driven",
      fmt::format("maximum likelihood of one-week-ahead errors of the fleet model driven by the realized hashprice "
                  "(weekly resets of the fleet's size; the best of {} maximizations from the best grid points; starting "
                  "fleet's age profile the window's growth); fitted: power price median and spread, entry hurdle, supply "
                  "share, must-run share, their SE by parametric bootstrap ({} histories simulated from the fit and "
                  "refitted, SE = sd of the refits, seed {}; {} failed); sigma from the residual variance less "
                  "Poisson noise; frontier fitted to the ASIC lists given (sourced); overhead and 5-year life sourced "
                  "(CBECI); bins, classes, pipeline, ramp and AI/HPC exits ASSUMPTION; {} days' fees carried or 0",
                  kMaximizationStarts, std::max(options.bootstrap_replicates, 0), options.seed, boot.failed,
                  data.fee_days_filled),
      static_cast<int>(fit.residuals.size()), mle.log_likelihood, {}, {}};
  auto& ps = report.parameters;
  ps.push_back({"power_price_median_usd_per_mwh", std::exp(mle.theta[kLogMedian]), boot.se[kLogMedian]});
  ps.push_back({"power_price_log_sd", mle.theta[kLogSd], boot.se[kLogSd]});
  ps.push_back({"entry_hurdle", mle.theta[kHurdle], boot.se[kHurdle]});
  ps.push_back({"supply_share_per_year", mle.theta[kSupply], boot.se[kSupply]});
  ps.push_back({"must_run_share", mle.theta[kMustRun], boot.se[kMustRun]});
  ps.push_back({"sigma_per_day", sigma, sigma_se});
  ps.push_back({"sigma_annual", sigma * std::sqrt(kDaysPerYear), sigma_se * std::sqrt(kDaysPerYear)});
  ps.push_back({"fleet_growth_annual", estimation.growth.annual, estimation.growth.se});
  ps.push_back({"frontier_j_per_th_at_reference", fixed.frontier.j_per_th_at_reference, kNaN});
  ps.push_back({"frontier_reference_day", static_cast<double>(fixed.frontier.reference_day), kNaN});
  ps.push_back({"frontier_log_decline_per_year", fixed.frontier.log_decline_per_year, fixed.frontier.log_decline_se});
  ps.push_back({"frontier_models_used", static_cast<double>(fixed.frontier.models_used), kNaN});
  ps.push_back({"power_overhead", fixed.power_overhead, kNaN});
  ps.push_back({"max_age_days", static_cast<double>(fixed.max_age_days), kNaN});
  ps.push_back({"cohort_days", static_cast<double>(fixed.cohort_days), kNaN});
  ps.push_back({"pipeline_lag_days", static_cast<double>(fixed.pipeline_lag_days), kNaN});
  ps.push_back({"power_classes", static_cast<double>(fixed.power_classes), kNaN});
  ps.push_back({"entry_ramp", fixed.entry_ramp, kNaN});
  ps.push_back({"ai_exit_share_per_year", fixed.ai_exit_share_per_year, kNaN});
  ps.push_back({"ai_exit_start_day", static_cast<double>(fixed.ai_exit_start_day), kNaN});

  const double model_var = sigma2 * kWeeklyWeightSquares + noise_mean + variance_of(fit.predicted);
  report.fit.push_back({"volatility of weekly changes of the 7-day mean log hashrate", std::sqrt(model_var),
                        std::sqrt(variance_of(fit.observed)),
                        "model = fleet's predicted changes + shock (closed form) + Poisson noise"});
  report.fit.push_back({"mean annual log growth of hashrate (weekly means)", mean_of(fit.predicted) * weeks_per_year,
                        mean_of(fit.observed) * weeks_per_year, "model = mean of the fleet's one-week predictions"});
  const double model_rho1 = (sigma2 * kWeeklyWeightLag1 - noise_mean / 2) / (sigma2 * kWeeklyWeightSquares + noise_mean);
  report.fit.push_back({"lag-1 autocorrelation of one-week-ahead errors", model_rho1, rho1,
                        "model = a random walk seen through 7-day means, with Poisson noise"});
  const Replay free_run = fitter.replay(mle.theta, false);
  report.fit.push_back({"log change of hashrate over the window, the fleet driven by the realized hashprice without "
                        "resets",
                        free_run.ok ? free_run.free_run_log_change : kNaN, fitter.observed_log_change(),
                        "first to last known week of the window"});
  return report;
}

std::vector<market::FitReport> calibrate_margin_hashrate(const market::DailyHistory& history,
                                                         const EfficiencyFrontier& frontier, const MarginFitOptions& options) {
  return {fit_margin_hashrate(margin_fit_data(history), margin_fixed_params(frontier), options)};
}

MarginHashrateParams margin_params_from_report(const market::FitReport& report) {
  assert(report.factor == "hashrate" && report.model == "margin_driven");
  auto value = [&](std::string_view name) { return market::report_parameter(report, name); };
  auto whole = [&](std::string_view name) {
    const double v = value(name);
    // In int's range before the cast (a calibration file may hold any number; the fuzzer found 1.9e12).
    constexpr double kLargest = std::numeric_limits<int>::max();
    require(std::isfinite(v) && v == std::round(v) && std::abs(v) <= kLargest, name,
            "expected a whole number of magnitude at most 2147483647");
    return static_cast<int>(v);
  };
  MarginHashrateParams p;
  p.frontier.j_per_th_at_reference = value("frontier_j_per_th_at_reference");
  p.frontier.reference_day = whole("frontier_reference_day");
  p.frontier.log_decline_per_year = value("frontier_log_decline_per_year");
  p.frontier.log_decline_se = market::find_estimate(report, "frontier_log_decline_per_year").se;
  p.frontier.models_used = whole("frontier_models_used");
  p.power_overhead = value("power_overhead");
  p.max_age_days = whole("max_age_days");
  p.cohort_days = whole("cohort_days");
  p.pipeline_lag_days = whole("pipeline_lag_days");
  p.power_classes = whole("power_classes");
  p.power_price_median_usd_per_mwh = value("power_price_median_usd_per_mwh");
  p.power_price_log_sd = value("power_price_log_sd");
  p.entry_hurdle = value("entry_hurdle");
  p.entry_ramp = value("entry_ramp");
  p.supply_share_per_year = value("supply_share_per_year");
  p.must_run_share = value("must_run_share");
  p.ai_exit_share_per_year = value("ai_exit_share_per_year");
  p.ai_exit_start_day = whole("ai_exit_start_day");
  p.sigma_per_day = value("sigma_per_day");
  p.fleet_growth_annual = value("fleet_growth_annual");
  return p;
}

}  // namespace hashpivot::network
