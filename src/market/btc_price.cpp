#include "hashpivot/market/btc_price.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <limits>
#include <optional>

#include "hashpivot/core/csv.hpp"
#include "hashpivot/core/error.hpp"

namespace hashpivot::market {
namespace {

using random::Stream;

// Beyond this the Poisson(λ/365) probabilities underflow (e^{−mean}); far above any calibrated λ.
constexpr double kMaxJumpIntensityPerYear = 100.0 * kDaysPerYear;

bool finite(double x) { return std::isfinite(x); }
bool probability(double p) { return p >= 0.0 && p <= 1.0; }

std::uint32_t step_of(std::size_t t) {
  assert(t <= std::numeric_limits<std::uint32_t>::max());  // a horizon of years, far below 2^32 days
  return static_cast<std::uint32_t>(t);
}

/// A given path shorter than the days asked for: the file's problem.
void require_days(const GivenPricePath& p, std::size_t needed) {
  if (p.price_usd.size() < needed)
    throw InputError(p.source, 0, "time",
                     fmt::format("the given price path has {} days; {} are needed", p.price_usd.size(), needed));
}

double diffusion_shock(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step) {
  return rng.normals({Stream::kBtcPrice, path, step})[0];
}

void simulate(const GbmPrice& p, const random::CounterRng& rng, std::uint32_t path, std::span<double> out) {
  for (std::size_t t = 1; t <= out.size(); ++t) out[t - 1] = p.log_return(diffusion_shock(rng, path, step_of(t)));
}

void simulate(const JumpDiffusionPrice& p, const random::CounterRng& rng, std::uint32_t path, std::span<double> out) {
  for (std::size_t t = 1; t <= out.size(); ++t) {
    const std::uint32_t step = step_of(t);
    const int jumps = p.jump_count(rng.uniforms({Stream::kBtcPriceJumps, path, step, 0})[0]);
    // The jump-size normal is only needed (and only drawn) on days with jumps.
    const double z_jump = jumps > 0 ? rng.normals({Stream::kBtcPriceJumps, path, step, 1})[0] : 0.0;
    out[t - 1] = p.log_return(diffusion_shock(rng, path, step), jumps, z_jump);
  }
}

void simulate(const RegimeSwitchingPrice& p, const random::CounterRng& rng, std::uint32_t path, std::span<double> out) {
  PriceRegime regime = p.initial_regime(rng.uniforms({Stream::kBtcPriceRegime, path, 0})[0]);
  for (std::size_t t = 1; t <= out.size(); ++t) {
    const std::uint32_t step = step_of(t);
    regime = p.next_regime(regime, rng.uniforms({Stream::kBtcPriceRegime, path, step})[0]);
    out[t - 1] = p.log_return(regime, diffusion_shock(rng, path, step));
  }
}

void simulate(const BlockBootstrapPrice& p, const random::CounterRng& rng, std::uint32_t path, std::span<double> out) {
  std::size_t index = p.initial_index(rng.uniforms({Stream::kBtcPriceBootstrap, path, 0})[1]);
  for (std::size_t t = 1; t <= out.size(); ++t) {
    const auto u = rng.uniforms({Stream::kBtcPriceBootstrap, path, step_of(t)});
    index = p.next_index(index, u[0], u[1]);
    out[t - 1] = p.log_return(index);
  }
}

void simulate(const GivenPricePath& p, const random::CounterRng&, std::uint32_t, std::span<double> out) {
  require_days(p, out.size() + 1);
  for (std::size_t t = 1; t <= out.size(); ++t) out[t - 1] = std::log(p.price_usd[t] / p.price_usd[t - 1]);
}

}  // namespace

int poisson_inverse_cdf(double mean, double uniform) {
  if (!(mean > 0.0)) return 0;
  double probability_k = std::exp(-mean);
  double cdf = probability_k;
  int k = 0;
  // The cap only guards against rounding leaving the CDF a hair below a uniform close to 1.
  const double cap = mean + 40.0 * std::sqrt(mean) + 40.0;
  while (cdf < uniform && k < cap) {
    ++k;
    probability_k *= mean / static_cast<double>(k);
    cdf += probability_k;
  }
  return k;
}

int JumpDiffusionPrice::jump_count(double uniform) const {
  return poisson_inverse_cdf(jump_intensity_per_year * kDayYears, uniform);
}

void validate(const GbmPrice& p) {
  require(finite(p.mu_annual), "mu_annual", "GBM: must be finite");
  require(finite(p.sigma_annual) && p.sigma_annual >= 0, "sigma_annual", "GBM: must be finite and >= 0");
}

void validate(const JumpDiffusionPrice& p) {
  require(finite(p.mu_annual), "mu_annual", "jump-diffusion: must be finite");
  require(finite(p.sigma_annual) && p.sigma_annual >= 0, "sigma_annual", "jump-diffusion: must be finite and >= 0");
  require(p.jump_intensity_per_year >= 0 && p.jump_intensity_per_year <= kMaxJumpIntensityPerYear,
          "jump_intensity_per_year", "jump-diffusion: must be in [0, 36500]");
  require(finite(p.jump_mean_log), "jump_mean_log", "jump-diffusion: must be finite");
  require(finite(p.jump_sd_log) && p.jump_sd_log >= 0, "jump_sd_log", "jump-diffusion: must be finite and >= 0");
}

void validate(const RegimeSwitchingPrice& p) {
  require(finite(p.bull_mu_annual), "bull_mu_annual", "regime switching: must be finite");
  require(finite(p.bear_mu_annual), "bear_mu_annual", "regime switching: must be finite");
  require(finite(p.bull_sigma_annual) && p.bull_sigma_annual >= 0, "bull_sigma_annual",
          "regime switching: must be finite and >= 0");
  require(finite(p.bear_sigma_annual) && p.bear_sigma_annual >= 0, "bear_sigma_annual",
          "regime switching: must be finite and >= 0");
  require(probability(p.p_stay_bull_daily), "p_stay_bull_daily", "regime switching: must be in [0, 1]");
  require(probability(p.p_stay_bear_daily), "p_stay_bear_daily", "regime switching: must be in [0, 1]");
}

void validate(const BlockBootstrapPrice& p) {
  require(!p.log_returns.empty(), "log_returns", "block bootstrap: the sample of log returns is empty");
  for (double r : p.log_returns) require(finite(r), "log_returns", "block bootstrap: the sample holds a non-finite log return");
  require(finite(p.mean_block_length_days) && p.mean_block_length_days >= 1, "mean_block_length_days",
          "block bootstrap: must be finite and >= 1");
}

void validate(const GivenPricePath& p) {
  require(!p.price_usd.empty(), "price_usd", "given price path: no prices");
  for (double x : p.price_usd) require(finite(x) && x > 0, "price_usd", "given price path: prices must be finite and > 0");
}

void validate(const BtcPriceProcess& process) {
  std::visit([](const auto& p) { validate(p); }, process);
}

BtcPriceDraws draw_btc_price(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step) {
  const auto bootstrap = rng.uniforms({Stream::kBtcPriceBootstrap, path, step});
  return {diffusion_shock(rng, path, step),
          rng.uniforms({Stream::kBtcPriceJumps, path, step, 0})[0],
          rng.normals({Stream::kBtcPriceJumps, path, step, 1})[0],
          rng.uniforms({Stream::kBtcPriceRegime, path, step})[0],
          bootstrap[0],
          bootstrap[1]};
}

void simulate_log_returns(const BtcPriceProcess& process, const random::CounterRng& rng, std::uint32_t path,
                          std::span<double> log_returns) {
  validate(process);
  std::visit([&](const auto& p) { simulate(p, rng, path, log_returns); }, process);
}

void simulate_price_path(const BtcPriceProcess& process, const random::CounterRng& rng, std::uint32_t path,
                         double initial_price_usd, std::span<double> price_usd) {
  assert(!price_usd.empty());
  if (const auto* given = std::get_if<GivenPricePath>(&process)) {
    validate(*given);
    require_days(*given, price_usd.size());
    std::copy_n(given->price_usd.begin(), price_usd.size(), price_usd.begin());
    return;
  }
  require(finite(initial_price_usd) && initial_price_usd > 0, "initial_price_usd", "must be finite and > 0");
  // Log returns go into price_usd[1..n] first, then are accumulated in place.
  simulate_log_returns(process, rng, path, price_usd.subspan(1));
  price_usd[0] = initial_price_usd;
  double log_price = std::log(initial_price_usd);
  for (std::size_t t = 1; t < price_usd.size(); ++t) {
    log_price += price_usd[t];
    price_usd[t] = std::exp(log_price);
  }
}

GivenPricePath read_price_path_csv(const std::filesystem::path& path) {
  csv::Reader reader = csv::Reader::open(path);
  const std::size_t time_column = reader.column("time");
  std::optional<std::size_t> price_column = reader.find_column("price_usd");
  if (!price_column) price_column = reader.find_column("PriceUSD");
  if (!price_column) throw InputError(reader.source(), 1, "price_usd", "missing column in the header row (or PriceUSD)");
  GivenPricePath out;
  out.source = reader.source();
  csv::Row row;
  while (reader.next(row)) {
    const auto day = parse_date(row.text(time_column));
    if (!day) row.fail(time_column, fmt::format("expected a date YYYY-MM-DD, got '{}'", row.text(time_column)));
    if (out.price_usd.empty()) {
      out.first_day = *day;
    } else {
      const DayNumber expected = out.first_day + static_cast<DayNumber>(out.price_usd.size());
      if (*day != expected)
        row.fail(time_column, fmt::format("expected the next day {}, got {} (a price path has one row per day)",
                                          format_date(expected), format_date(*day)));
    }
    if (row.empty(*price_column)) row.fail(*price_column, "expected a price, got an empty cell");
    const double price = row.as_double(*price_column);
    if (!(price > 0)) row.fail(*price_column, fmt::format("expected a price > 0, got {}", row.text(*price_column)));
    out.price_usd.push_back(price);
  }
  if (out.price_usd.empty()) throw InputError(out.source, 0, "time", "no rows: a price path needs at least one day");
  return out;
}

}  // namespace hashpivot::market
