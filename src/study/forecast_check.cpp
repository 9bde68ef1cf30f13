#include "hashpivot/study/forecast_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <numbers>
#include <stdexcept>
#include <thread>

#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/subsidy.hpp"
#include "hashpivot/chain/work.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/market/btc_price_calibration.hpp"
#include "hashpivot/market/calibration.hpp"
#include "hashpivot/market/correlation.hpp"
#include "hashpivot/market/fees.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/network/hashprice.hpp"
#include "hashpivot/network/hashrate.hpp"
#include "hashpivot/network/margin_calibration.hpp"

namespace hashpivot::study {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMonthsInYear = static_cast<int>(kMonthsPerYear);
constexpr int kFeeStartDays = 7;             // known days averaged into the starting fees per block
constexpr int kFeeLookbackDays = 30;         // how far back they are looked for
constexpr int kRandomWalkStepDays = 28;      // the random walk's volatility: non-overlapping 28-day changes
constexpr int kRandomWalkMinChanges = 8;
constexpr double kHalfWidth50 = 0.25;        // |PIT − ½| inside the central 50% band
constexpr double kHalfWidth90 = 0.45;
constexpr double kNormalQuartile = 0.6744897501960817;   // Φ⁻¹(0.75)
constexpr double kNormal95 = 1.6448536269514722;         // Φ⁻¹(0.95)
constexpr int kGammaIterations = 500;
constexpr double kGammaEpsilon = 1e-15;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }
double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * std::numbers::pi); }

DayNumber first_of_month(int month_index_value) {
  const int year = month_index_value / kMonthsInYear;
  const int month = month_index_value % kMonthsInYear + 1;
  return *parse_date(fmt::format("{:04}-{:02}-01", year, month));
}

// Value of series v on day `day`, NaN outside the history.
market::DailyHistory slice_history(const market::DailyHistory& h, DayNumber from, DayNumber to) {
  market::DailyHistory out;
  out.source = h.source;
  const DayNumber first = std::max(from, h.first_day);
  const DayNumber last = std::min(to, h.day(h.days() - 1));
  if (last < first) return out;
  out.first_day = first;
  const auto a = static_cast<std::ptrdiff_t>(*h.index_of(first));
  const auto b = static_cast<std::ptrdiff_t>(*h.index_of(last)) + 1;
  auto copy = [&](const std::vector<double>& v, std::vector<double>& o) { o.assign(v.begin() + a, v.begin() + b); };
  copy(h.price_usd, out.price_usd);
  copy(h.hashrate_ths, out.hashrate_ths);
  copy(h.difficulty, out.difficulty);
  copy(h.block_count, out.block_count);
  copy(h.fees_btc, out.fees_btc);
  copy(h.supply_btc, out.supply_btc);
  return out;
}

using network::work_rate_ths;

double start_hashrate_ths(const market::DailyHistory& h, DayNumber origin, double difficulty,
                          const ForecastCheckOptions& o) {
  return network::implied_hashrate_ths(h, origin, difficulty, o.state_window_days, o.min_state_days);
}

double realized_hashrate_ths(const market::DailyHistory& h, DayNumber day, const ForecastCheckOptions& o) {
  const int half = o.state_window_days / 2;
  return work_rate_ths(h, day - half, day - half + o.state_window_days - 1);
}

double fees_per_block(const market::DailyHistory& h, DayNumber day) {
  const double fees = h.value_on(h.fees_btc, day), blocks = h.value_on(h.block_count, day);
  return market::is_known(fees) && market::is_known(blocks) && blocks > 0 && fees > 0 ? fees / blocks : kNaN;
}

double start_fees_per_block(const market::DailyHistory& h, DayNumber origin) {
  double sum = 0;
  int n = 0;
  for (DayNumber d = origin - 1; d >= origin - kFeeLookbackDays && n < kFeeStartDays; --d) {
    const double f = fees_per_block(h, d);
    if (market::is_known(f)) {
      sum += f;
      ++n;
    }
  }
  return n == kFeeStartDays ? sum / n : kNaN;
}

double hashprice_usd(double difficulty, std::int64_t height, double fees_btc_per_block, double price_usd) {
  const double subsidy =
      static_cast<double>(chain::block_subsidy_sat(height, chain::ConsensusParams::mainnet())) / chain::kSatPerBtc;
  return network::hashprice_usd_per_ph_day(difficulty, subsidy + fees_btc_per_block, price_usd);
}

// sd of non-overlapping 28-day log changes of `values` (one per day of the window), per day; NaN when too few.
double random_walk_sigma_per_day(const std::vector<double>& values) {
  std::vector<double> changes;
  for (std::size_t i = 0; i + kRandomWalkStepDays < values.size(); i += kRandomWalkStepDays) {
    const double a = values[i], b = values[i + kRandomWalkStepDays];
    if (market::is_known(a) && market::is_known(b) && a > 0 && b > 0) changes.push_back(std::log(b / a));
  }
  if (changes.size() < static_cast<std::size_t>(kRandomWalkMinChanges)) return kNaN;
  double mean = 0;
  for (double c : changes) mean += c;
  mean /= static_cast<double>(changes.size());
  double var = 0;
  for (double c : changes) var += (c - mean) * (c - mean);
  var /= static_cast<double>(changes.size() - 1);
  return std::sqrt(var / kRandomWalkStepDays);
}

// The four observed daily series of the calibration window, for the random walks' volatility.
std::array<double, kForecastSeriesCount> random_walk_sigmas(const market::DailyHistory& h,
                                                            const network::ChainHistory& chain, DayNumber from,
                                                            DayNumber origin, const ForecastCheckOptions& o) {
  std::array<std::vector<double>, kForecastSeriesCount> v;
  for (DayNumber d = from; d < origin; ++d) {
    const double price = h.value_on(h.price_usd, d), diff = h.value_on(h.difficulty, d);
    v[0].push_back(price);
    v[1].push_back(diff);
    v[2].push_back(d + o.state_window_days <= origin ? work_rate_ths(h, d, d + o.state_window_days - 1) : kNaN);
    const auto height = chain.next_height_at(d);
    const double fees = fees_per_block(h, d);
    v[3].push_back(height && market::is_known(diff) && market::is_known(price) && market::is_known(fees)
                       ? hashprice_usd(diff, *height, fees, price)
                       : kNaN);
  }
  std::array<double, kForecastSeriesCount> out{};
  for (std::size_t s = 0; s < kForecastSeriesCount; ++s) out[s] = random_walk_sigma_per_day(v[s]);
  return out;
}

market::Calibration calibrate_window(const market::DailyHistory& window, const market::DailyHistory& margin_window,
                                     const ForecastCheckOptions& o, const std::vector<double>& returns) {
  const firm::PriceModel price_model = o.price_model;
  market::Calibration c;
  c.source = fmt::format("forecast-check calibration {} to {}", format_date(window.first_day),
                         format_date(window.day(window.days() - 1)));
  // The forecasts use the estimates only: no SEs, no goodness of fit (market::FitDetail).
  constexpr market::FitDetail kDetail = market::FitDetail::kEstimates;
  switch (price_model) {
    case firm::PriceModel::kGbm: c.reports.push_back(market::fit_gbm(returns)); break;
    case firm::PriceModel::kJumpDiffusion: c.reports.push_back(market::fit_jump_diffusion(returns, kDetail)); break;
    case firm::PriceModel::kRegimeSwitching: c.reports.push_back(market::fit_regime_switching(returns, kDetail)); break;
    case firm::PriceModel::kBlockBootstrap: c.reports.push_back(market::fit_block_bootstrap(returns)); break;
  }
  c.reports.push_back(market::calibrate_fees(window, kDetail));
  for (auto& r : network::calibrate_hashrate(window)) c.reports.push_back(std::move(r));
  if (o.hashrate_model == firm::HashrateModel::kMarginDriven) {
    const DayNumber last = margin_window.day(margin_window.days() - 1);
    // Nor a bootstrap of the margin-driven fit's SEs.
    for (auto& r : network::calibrate_margin_hashrate(margin_window, network::window_frontier(o.asic_models, last),
                                                      network::MarginFitOptions{.bootstrap_replicates = 0}))
      c.reports.push_back(std::move(r));
  }
  c.reports.push_back(market::calibrate_correlation(window));
  return c;
}

struct OriginPlan {
  std::vector<int> horizon_days;   // per horizon, days from the origin to its target (−1: target beyond the history)
  int simulated_days = 0;          // days stepped: the largest horizon with a target
};

// Realized value of each series at `target`; NaN where unknown.
std::array<double, kForecastSeriesCount> realized_values(const market::DailyHistory& h,
                                                         const network::ChainHistory& chain, DayNumber target,
                                                         const ForecastCheckOptions& o) {
  std::array<double, kForecastSeriesCount> y{kNaN, kNaN, kNaN, kNaN};
  y[0] = h.value_on(h.price_usd, target - 1);
  const auto state = chain.state_at(target);
  if (state) y[1] = state->chain.difficulty;
  y[2] = realized_hashrate_ths(h, target, o);
  const double fees = fees_per_block(h, target);
  if (state && market::is_known(fees) && market::is_known(y[0]))
    y[3] = hashprice_usd(y[1], state->chain.next_height, fees, y[0]);
  return y;
}

firm::Scenario origin_scenario(DayNumber origin, const ForecastCheckOptions& o, double price, double fees,
                               double hashrate_ths, const network::ChainState& state) {
  firm::Scenario s;
  s.source = fmt::format("forecast-check origin {}", format_date(origin));
  s.run.start_date = origin;
  s.market.btc_price_model = o.price_model;
  s.market.btc_price_usd = price;
  s.market.fees_btc_per_block = fees;
  s.market.hashrate_model = o.hashrate_model;
  s.market.network_hashrate_ehs = hashrate_ths / kThPerEh;
  s.market.height = state.chain.next_height;
  s.market.bits = state.chain.bits;
  s.market.epoch_first_block_time_unix = state.chain.epoch_first_block_time_unix;
  return s;
}

// Simulates the origin's paths; samples[h][s][p] = series s at horizon h on path p.
std::vector<std::array<std::vector<double>, kForecastSeriesCount>> simulate_origin(const model::MarketModel& m,
                                                                                    const OriginPlan& plan,
                                                                                    const ForecastCheckOptions& o,
                                                                                    DayNumber origin) {
  std::vector<std::array<std::vector<double>, kForecastSeriesCount>> samples(plan.horizon_days.size());
  for (auto& h : samples)
    for (auto& s : h) s.assign(o.paths, kNaN);
  const random::CounterRng rng(o.seed);
  const auto base = static_cast<std::uint32_t>(month_index(origin)) * kPathsPerOriginLimit;
  model::MarketDay day_out;
  for (std::uint32_t p = 0; p < o.paths; ++p) {
    const std::uint32_t path = base + p;
    model::MarketPathState state = model::start_market_path(m, rng, path);
    for (int d = 0; d <= plan.simulated_days; ++d) {
      model::step_market_day(m, rng, path, static_cast<std::uint32_t>(d), state, day_out);
      for (std::size_t h = 0; h < plan.horizon_days.size(); ++h) {
        if (plan.horizon_days[h] != d) continue;
        samples[h][0][p] = day_out.price_usd_per_btc;
        samples[h][1][p] = day_out.difficulty;
        samples[h][2][p] = day_out.network_hashrate_ths;
        samples[h][3][p] = day_out.hashprice_usd_per_ph_day;
      }
    }
  }
  return samples;
}

OriginRecord check_origin(const market::DailyHistory& h, const network::ChainHistory& chain, DayNumber origin,
                          const OriginPlan& plan, const ForecastCheckOptions& o) {
  OriginRecord rec;
  rec.origin = origin;
  const DayNumber window_from = add_years(origin, -o.window_years);
  const auto state = chain.state_at(origin);
  const double price = h.value_on(h.price_usd, origin - 1);
  if (!state) {
    rec.skipped = "chain state unknown (no block heights for the day before)";
    return rec;
  }
  if (!market::is_known(price)) {
    rec.skipped = "price unknown on the day before";
    return rec;
  }
  rec.epoch_start_estimated = state->epoch_start_estimated;
  rec.start_hashrate_ths = start_hashrate_ths(h, origin, state->chain.difficulty, o);
  if (!market::is_known(rec.start_hashrate_ths)) {
    rec.skipped = "starting hashrate unknown (block counts missing before the origin)";
    return rec;
  }
  const market::DailyHistory window = slice_history(h, window_from, origin - 1);
  const std::vector<double> returns = market::btc_log_returns(window);
  double fees = start_fees_per_block(h, origin);
  model::MarketModel m;
  try {  // a window the fits cannot use skips the origin, as it would stop `hashpivot calibrate`
    const market::DailyHistory margin_window =
        o.hashrate_model == firm::HashrateModel::kMarginDriven
            ? slice_history(h, add_years(origin, -o.margin_window_years), origin - 1)
            : market::DailyHistory{};
    const market::Calibration calibration = calibrate_window(window, margin_window, o, returns);
    if (!market::is_known(fees)) {
      fees = std::exp(market::fee_process_from_report(calibration.report("fees", "log_ou_spikes")).log_fees.theta_log);
      rec.fees_from_long_run = true;
    }
    const firm::Scenario scenario = origin_scenario(origin, o, price, fees, rec.start_hashrate_ths, *state);
    m = model::build_market_model(scenario, {calibration, returns, h.source});
  } catch (const InputError& e) {  // the fits' and the model's ParameterError too
    rec.skipped = fmt::format("calibration failed: {}", e.what());
    return rec;
  }
  const auto samples = simulate_origin(m, plan, o, origin);

  const auto sigmas = random_walk_sigmas(h, chain, window_from, origin, o);
  const std::array<double, kForecastSeriesCount> last{
      price, state->chain.difficulty, rec.start_hashrate_ths,
      hashprice_usd(state->chain.difficulty, state->chain.next_height, fees, price)};
  rec.forecasts.resize(plan.horizon_days.size());
  for (std::size_t k = 0; k < plan.horizon_days.size(); ++k) {
    if (plan.horizon_days[k] < 0) continue;
    const auto y = realized_values(h, chain, origin + plan.horizon_days[k], o);
    for (std::size_t s = 0; s < kForecastSeriesCount; ++s) {
      if (!market::is_known(y[s]) || !(y[s] > 0) || !market::is_known(sigmas[s])) continue;
      std::vector<double> sample = samples[k][s];
      rec.forecasts[k][s] = score_forecast(sample, last[s], sigmas[s] * std::sqrt(plan.horizon_days[k]), y[s]);
    }
  }
  return rec;
}

void validate(const market::DailyHistory& h, const ForecastCheckOptions& o) {
  if (o.horizons_months.empty()) require(false, "horizons_months", "needs at least one horizon");
  for (int m : o.horizons_months)
    if (m < 1) require(false, "horizons_months", fmt::format("a horizon is a whole number of months >= 1, got {}", m));
  if (o.paths < 1 || o.paths > kPathsPerOriginLimit)
    require(false, "paths", fmt::format("expected 1 to {}, got {}", kPathsPerOriginLimit, o.paths));
  if (o.threads < 1) require(false, "threads", "expected at least 1");
  if (o.window_years < 2) require(false, "window_years", "expected at least 2 (the hashrate fit needs 60 weeks)");
  if (o.from > o.to) require(false, "from", fmt::format("{} is after to {}", format_date(o.from), format_date(o.to)));
  if (h.days() == 0) require(false, "history", "the history has no days");
  if (o.hashrate_model == firm::HashrateModel::kMarginDriven && o.asic_models.empty())
    require(false, "asic_models", "the margin-driven network needs the ASIC hardware lists (its efficiency frontier)");
}

std::vector<OriginRecord> run_origins(const market::DailyHistory& h, const network::ChainHistory& chain,
                                      const std::vector<DayNumber>& origins, const std::vector<OriginPlan>& plans,
                                      const ForecastCheckOptions& o) {
  std::vector<OriginRecord> records(origins.size());
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (std::size_t i = next++; i < origins.size(); i = next++) {
      try {
        records[i] = check_origin(h, chain, origins[i], plans[i], o);
      } catch (...) {
        const std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  const auto workers = static_cast<std::size_t>(std::min<std::size_t>(static_cast<std::size_t>(o.threads), origins.size()));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  return records;
}

}  // namespace

std::string_view forecast_series_name(ForecastSeries series) {
  switch (series) {
    case ForecastSeries::kBtcPrice: return "btc_price";
    case ForecastSeries::kDifficulty: return "difficulty";
    case ForecastSeries::kHashrate: return "hashrate";
    case ForecastSeries::kHashprice: return "hashprice";
  }
  return "unknown";
}

double crps_sample(std::span<const double> x, double y) {
  const auto n = static_cast<double>(x.size());
  double absolute = 0, spread = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    absolute += std::abs(x[i] - y);
    spread += (2.0 * static_cast<double>(i) - n + 1.0) * x[i];
  }
  return absolute / n - spread / (n * n);
}

double crps_normal(double mean, double sd, double y) {
  const double z = (y - mean) / sd;
  return sd * (z * (2 * normal_cdf(z) - 1) + 2 * normal_pdf(z) - 1 / std::sqrt(std::numbers::pi));
}

double pit_of_sample(std::span<const double> x, double y) {
  const auto below = std::lower_bound(x.begin(), x.end(), y) - x.begin();
  const auto not_above = std::upper_bound(x.begin(), x.end(), y) - x.begin();
  return (static_cast<double>(below) + 0.5 * static_cast<double>(not_above - below)) / static_cast<double>(x.size());
}

double sample_quantile(std::span<const double> x, double probability) {
  const double position = probability * static_cast<double>(x.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(position));
  const std::size_t upper = std::min(lower + 1, x.size() - 1);
  return x[lower] + (position - static_cast<double>(lower)) * (x[upper] - x[lower]);
}

double chi_square_upper_tail(double statistic, int dof) {
  // Q(a, x) = Γ(a, x)/Γ(a) with a = dof/2, x = statistic/2: the series of P below a + 1, Legendre's continued
  // fraction (modified Lentz) above.
  const double a = 0.5 * dof, x = 0.5 * statistic;
  if (x <= 0) return 1.0;
  const double log_prefactor = a * std::log(x) - x - std::lgamma(a);
  if (x < a + 1) {
    double term = 1.0 / a, sum = term;
    for (int k = 1; k < kGammaIterations && std::abs(term) > kGammaEpsilon * std::abs(sum); ++k) {
      term *= x / (a + k);
      sum += term;
    }
    return 1.0 - sum * std::exp(log_prefactor);
  }
  const double tiny = std::numeric_limits<double>::min() / kGammaEpsilon;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, f = d;
  for (int k = 1; k < kGammaIterations; ++k) {
    const double an = -k * (k - a);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double delta = d * c;
    f *= delta;
    if (std::abs(delta - 1) < kGammaEpsilon) break;
  }
  return std::exp(log_prefactor) * f;
}

ScoredForecast score_forecast(std::span<double> sample, double last_value, double random_walk_sd_log,
                              double realized) {
  std::sort(sample.begin(), sample.end());
  ScoredForecast f;
  f.realized = realized;
  f.last_value = last_value;
  f.pit = pit_of_sample(sample, realized);
  f.q05 = sample_quantile(sample, 0.05);
  f.q50 = sample_quantile(sample, 0.5);
  f.q95 = sample_quantile(sample, 0.95);
  std::vector<double> logs(sample.size());
  for (std::size_t i = 0; i < sample.size(); ++i) logs[i] = std::log(sample[i]);  // ascending, as the sample
  const double y = std::log(realized), x0 = std::log(last_value);
  f.crps = crps_sample(logs, y);
  f.random_walk_pit = random_walk_sd_log > 0 ? normal_cdf((y - x0) / random_walk_sd_log) : (y < x0 ? 0.0 : y > x0 ? 1.0 : 0.5);
  f.random_walk_crps = random_walk_sd_log > 0 ? crps_normal(x0, random_walk_sd_log, y) : std::abs(y - x0);
  f.last_value_crps = std::abs(y - x0);
  return f;
}

SeriesScores summarize_forecasts(std::span<const ScoredForecast> forecasts) {
  SeriesScores s;
  s.n = static_cast<int>(forecasts.size());
  if (forecasts.empty()) return s;
  std::array<int, kPitBins> counts{};
  for (const ScoredForecast& f : forecasts) {
    s.coverage_50 += std::abs(f.pit - 0.5) <= kHalfWidth50 ? 1 : 0;
    s.coverage_90 += std::abs(f.pit - 0.5) <= kHalfWidth90 ? 1 : 0;
    s.crps += f.crps;
    s.median_log_error += std::log(f.realized) - std::log(f.q50);
    s.random_walk_crps += f.random_walk_crps;
    s.random_walk_coverage_50 += std::abs(f.random_walk_pit - 0.5) <= kHalfWidth50 ? 1 : 0;
    s.random_walk_coverage_90 += std::abs(f.random_walk_pit - 0.5) <= kHalfWidth90 ? 1 : 0;
    s.last_value_crps += f.last_value_crps;
    ++counts[std::min(kPitBins - 1, static_cast<std::size_t>(f.pit * static_cast<double>(kPitBins)))];
  }
  const auto n = static_cast<double>(forecasts.size());
  for (double* v : {&s.coverage_50, &s.coverage_90, &s.crps, &s.median_log_error, &s.random_walk_crps, &s.random_walk_coverage_50,
                    &s.random_walk_coverage_90, &s.last_value_crps})
    *v /= n;
  const double expected = n / static_cast<double>(kPitBins);
  for (std::size_t b = 0; b < kPitBins; ++b) {
    s.pit[b] = counts[b] / n;
    s.pit_chi_square += (counts[b] - expected) * (counts[b] - expected) / expected;
  }
  s.pit_p_value = chi_square_upper_tail(s.pit_chi_square, static_cast<int>(kPitBins) - 1);
  return s;
}

ForecastCheckResult run_forecast_check(const market::DailyHistory& h, const network::ChainHistory& chain,
                                       const ForecastCheckOptions& o) {
  validate(h, o);
  const DayNumber last_day = h.day(h.days() - 1);
  std::vector<DayNumber> origins;
  std::vector<OriginPlan> plans;
  for (int m = month_index(o.from); first_of_month(m) <= o.to; ++m) {
    const DayNumber origin = first_of_month(m);
    if (origin < o.from) continue;
    OriginPlan plan;
    for (int months : o.horizons_months) {
      const DayNumber target = first_of_month(m + months);
      // The realized hashrate needs the days up to half a state window after the target.
      const bool known = target + o.state_window_days / 2 <= last_day;
      plan.horizon_days.push_back(known ? target - origin : -1);
      if (known) plan.simulated_days = std::max(plan.simulated_days, target - origin);
    }
    if (plan.simulated_days == 0) continue;  // no horizon's realized values exist yet
    origins.push_back(origin);
    plans.push_back(std::move(plan));
  }
  if (origins.empty())
    throw ParameterError("from", fmt::format("no month start in {} .. {} has a realized value in {}", format_date(o.from),
                                             format_date(o.to), h.source));
  ForecastCheckResult result;
  result.records = run_origins(h, chain, origins, plans, o);
  std::vector<std::array<std::vector<ScoredForecast>, kForecastSeriesCount>> scored(o.horizons_months.size());
  for (const OriginRecord& r : result.records) {
    if (!r.skipped.empty()) {
      ++result.origins_skipped;
      continue;
    }
    ++result.origins;
    result.fee_starts_from_long_run += r.fees_from_long_run ? 1 : 0;
    for (std::size_t k = 0; k < r.forecasts.size(); ++k)
      for (std::size_t s = 0; s < kForecastSeriesCount; ++s)
        if (r.forecasts[k][s]) scored[k][s].push_back(*r.forecasts[k][s]);
  }
  for (std::size_t k = 0; k < o.horizons_months.size(); ++k) {
    HorizonScores hs;
    hs.months = o.horizons_months[k];
    for (std::size_t s = 0; s < kForecastSeriesCount; ++s) hs.series[s] = summarize_forecasts(scored[k][s]);
    result.horizons.push_back(hs);
  }
  return result;
}

}  // namespace hashpivot::study
