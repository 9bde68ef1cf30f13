#pragma once
// BTC price processes (docs/model.md §3): geometric Brownian motion, Merton jump-diffusion, two-regime
// Markov switching, the stationary block bootstrap of real daily log returns, and a given path.
//
// Time: one step is one day, dt = 1/365 year. Every rate and volatility is annualized with
// 365 days a year (`mu_annual` is per year, `sigma_annual` per √year), whatever the calendar.
// Prices are USD per BTC.
//
// Each process is a value type (a struct of parameters) with pure step functions that take the
// day's random inputs as arguments: the standard-normal diffusion shock z can therefore be the
// price component of a correlated shock (CorrelatedShocks::apply) instead of an independent draw.
// Step functions never allocate and never call through a virtual table.
//
// The simulators draw their own inputs from random::CounterRng at (stream, path, step): step t ≥ 1
// is day t (its log return takes the price from day t − 1 to day t) and step 0 draws the initial
// state (regime, bootstrap index). A path's result is a pure function of (seed, path, parameters):
// it does not depend on the order in which paths or other factors are simulated.
//
// Draw map (one 128-bit block per address unless noted; normals are Box–Muller pairs, first used):
//   kBtcPrice          (path, t):           z, the diffusion shock
//   kBtcPriceJumps     (path, t, block 0):  uniform → Poisson jump count;
//                      (path, t, block 1):  normal → the sum of that day's jump sizes
//   kBtcPriceRegime    (path, 0):           uniform → initial regime (stationary distribution);
//                      (path, t):           uniform → transition into day t's regime
//   kBtcPriceBootstrap (path, 0):           second uniform → index of day 0 (not itself returned);
//                      (path, t):           uniforms → (restart?, restart index) → day t's index

#include "hashpivot/core/units.hpp"
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::market {

inline constexpr double kDayYears = 1.0 / kDaysPerYear;  // dt of one step, in years

/// Geometric Brownian motion: d ln S = (μ − σ²/2) dt + σ dW, so over one day
///   ln(S_{t+1}/S_t) = (μ − σ²/2)/365 + σ·√(1/365)·z,  z ~ N(0, 1),  and E[S_T] = S_0 e^{μT}.
struct GbmPrice {
  double mu_annual = 0.0;     // μ: drift of the price (E[S_T] = S_0 e^{μT}), per year
  double sigma_annual = 0.0;  // σ: volatility of log price, per √year

  /// The day's log return for diffusion shock `z`.
  [[nodiscard]] double log_return(double z) const {
    return (mu_annual - 0.5 * sigma_annual * sigma_annual) * kDayYears + sigma_annual * std::sqrt(kDayYears) * z;
  }
  /// The next day's price.
  [[nodiscard]] double step(double price_usd, double z) const { return price_usd * std::exp(log_return(z)); }
};

/// Merton (1976) jump-diffusion: GBM plus compound Poisson jumps in log price,
///   d ln S = (μ − σ²/2 − λκ) dt + σ dW + dJ,  J = Σ_{i ≤ N_t} Y_i,  Y_i ~ N(μ_J, σ_J²),  N ~ Poisson(λt),
/// with the compensator κ = E[e^Y − 1] = e^{μ_J + σ_J²/2} − 1, so that E[S_T] = S_0 e^{μT}.
/// Over one day, with n ~ Poisson(λ/365) jumps (their sum is exactly N(n μ_J, n σ_J²)):
///   ln(S_{t+1}/S_t) = (μ − σ²/2 − λκ)/365 + σ√(1/365)·z + n μ_J + σ_J √n · z_J.
struct JumpDiffusionPrice {
  double mu_annual = 0.0;                // μ: drift of the price, per year (jumps compensated)
  double sigma_annual = 0.0;             // σ: diffusion volatility, per √year
  double jump_intensity_per_year = 0.0;  // λ: expected jumps per year
  double jump_mean_log = 0.0;            // μ_J: mean jump in log price
  double jump_sd_log = 0.0;              // σ_J: standard deviation of a jump in log price

  /// κ = e^{μ_J + σ_J²/2} − 1, the expected relative price change of one jump.
  [[nodiscard]] double jump_compensator() const { return std::expm1(jump_mean_log + 0.5 * jump_sd_log * jump_sd_log); }
  /// The day's jump count from a uniform in (0, 1): the inverse Poisson(λ/365) CDF.
  [[nodiscard]] int jump_count(double uniform) const;
  /// The day's log return for diffusion shock `z`, `jumps` jumps and the normal `z_jump` of their sum.
  [[nodiscard]] double log_return(double z, int jumps, double z_jump) const {
    const double drift =
        (mu_annual - 0.5 * sigma_annual * sigma_annual - jump_intensity_per_year * jump_compensator()) * kDayYears;
    const double n = static_cast<double>(jumps);
    return drift + sigma_annual * std::sqrt(kDayYears) * z + n * jump_mean_log + jump_sd_log * std::sqrt(n) * z_jump;
  }
  /// The next day's price.
  [[nodiscard]] double step(double price_usd, double z, double jump_uniform, double z_jump) const {
    return price_usd * std::exp(log_return(z, jump_count(jump_uniform), z_jump));
  }
};

/// The inverse CDF of Poisson(mean) at `uniform` in (0, 1): the smallest k with P(N ≤ k) ≥ uniform.
[[nodiscard]] int poisson_inverse_cdf(double mean, double uniform);

enum class PriceRegime : std::uint8_t { kBull = 0, kBear = 1 };

/// Two-regime Markov switching (Hamilton 1989): a hidden regime s_t ∈ {bull, bear} follows a Markov
/// chain with daily stay probabilities p_00 (bull) and p_11 (bear); within regime s the log price is
/// a GBM, ln(S_{t+1}/S_t) = (μ_s − σ_s²/2)/365 + σ_s √(1/365) z. Day t's regime is drawn first
/// (from day t − 1's), then its return. Stationary bull share π_bull = (1 − p_11)/(2 − p_00 − p_11).
/// "Bull" is by convention the regime with the higher drift.
struct RegimeSwitchingPrice {
  double bull_mu_annual = 0.0;
  double bull_sigma_annual = 0.0;
  double bear_mu_annual = 0.0;
  double bear_sigma_annual = 0.0;
  double p_stay_bull_daily = 1.0;  // p_00 = P(bull tomorrow | bull today)
  double p_stay_bear_daily = 1.0;  // p_11 = P(bear tomorrow | bear today)

  /// Long-run fraction of days in the bull regime (1/2 if both regimes are absorbing).
  [[nodiscard]] double stationary_bull_probability() const {
    const double leave = (1.0 - p_stay_bull_daily) + (1.0 - p_stay_bear_daily);
    return leave > 0 ? (1.0 - p_stay_bear_daily) / leave : 0.5;
  }
  /// The stationary mean of the regimes' drifts, π_bull·μ_bull + (1 − π_bull)·μ_bear, per year: the
  /// drift a scenario's btc_price_drift_annual replaces (both regimes shifted alike).
  [[nodiscard]] double stationary_mu_annual() const {
    const double pi = stationary_bull_probability();
    return pi * bull_mu_annual + (1 - pi) * bear_mu_annual;
  }
  /// The initial regime from a uniform: bull if uniform < π_bull.
  [[nodiscard]] PriceRegime initial_regime(double uniform) const {
    return uniform < stationary_bull_probability() ? PriceRegime::kBull : PriceRegime::kBear;
  }
  /// Tomorrow's regime from today's and a uniform: stay if uniform < the stay probability.
  [[nodiscard]] PriceRegime next_regime(PriceRegime today, double uniform) const {
    const double stay = today == PriceRegime::kBull ? p_stay_bull_daily : p_stay_bear_daily;
    if (uniform < stay) return today;
    return today == PriceRegime::kBull ? PriceRegime::kBear : PriceRegime::kBull;
  }
  /// The day's log return in `regime` for diffusion shock `z`.
  [[nodiscard]] double log_return(PriceRegime regime, double z) const {
    const bool bull = regime == PriceRegime::kBull;
    const double mu = bull ? bull_mu_annual : bear_mu_annual;
    const double sigma = bull ? bull_sigma_annual : bear_sigma_annual;
    return (mu - 0.5 * sigma * sigma) * kDayYears + sigma * std::sqrt(kDayYears) * z;
  }
};

/// Stationary block bootstrap (Politis & Romano 1994) of a sample of daily log returns: the
/// simulated return of day t ≥ 1 is sample[i_t], where i_0 is uniform on the sample and each day
/// the index either restarts at a uniformly chosen position (probability p = 1/L) or moves to
/// the next one, wrapping from the last to the first. Blocks are thus geometric with mean L days.
struct BlockBootstrapPrice {
  std::vector<double> log_returns;    // the sample (e.g. btc_log_returns of a history); non-empty
  double mean_block_length_days = 1;  // L ≥ 1

  /// The index i_0 of day 0 from a uniform in (0, 1).
  [[nodiscard]] std::size_t initial_index(double uniform) const { return uniform_index(uniform); }
  /// The next index: restart at uniform_index(index_uniform) if restart_uniform < 1/L, else index + 1 (mod n).
  [[nodiscard]] std::size_t next_index(std::size_t index, double restart_uniform, double index_uniform) const {
    if (restart_uniform * mean_block_length_days < 1.0) return uniform_index(index_uniform);
    return index + 1 < log_returns.size() ? index + 1 : 0;
  }
  [[nodiscard]] double log_return(std::size_t index) const { return log_returns[index]; }

 private:
  [[nodiscard]] std::size_t uniform_index(double uniform) const {
    const auto i = static_cast<std::size_t>(uniform * static_cast<double>(log_returns.size()));
    return i < log_returns.size() ? i : log_returns.size() - 1;
  }
};

/// A given price path, one price per consecutive day from `first_day`: a scenario, not a model.
struct GivenPricePath {
  std::string source;              // where it was read from
  DayNumber first_day = 0;         // date of price_usd[0]
  std::vector<double> price_usd;   // USD per BTC, > 0, consecutive days
};

/// Reads a given path: columns `time` (YYYY-MM-DD, consecutive days, increasing) and `price_usd`
/// (or the history format's `PriceUSD`), finite and > 0. Throws InputError naming the file, line
/// and column for a malformed value, a missing column, a skipped or repeated day, or no rows.
[[nodiscard]] GivenPricePath read_price_path_csv(const std::filesystem::path& path);

/// Any of the BTC price processes.
using BtcPriceProcess = std::variant<GbmPrice, JumpDiffusionPrice, RegimeSwitchingPrice, BlockBootstrapPrice, GivenPricePath>;

/// Throws ParameterError naming the parameter outside its domain (negative volatility, a
/// probability outside [0, 1], L < 1, an empty sample, a non-positive given price, ...).
void validate(const GbmPrice& process);
void validate(const JumpDiffusionPrice& process);
void validate(const RegimeSwitchingPrice& process);
void validate(const BlockBootstrapPrice& process);
void validate(const GivenPricePath& process);
void validate(const BtcPriceProcess& process);

/// Every random input of one day for any price process, drawn at (path, step) per the draw map.
/// The engine may replace `z` by a correlated shock.
struct BtcPriceDraws {
  double z;                    // kBtcPrice: diffusion shock
  double jump_uniform;         // kBtcPriceJumps block 0: jump count
  double z_jump;               // kBtcPriceJumps block 1: sum of jump sizes
  double regime_uniform;       // kBtcPriceRegime
  double restart_uniform;      // kBtcPriceBootstrap, first uniform
  double index_uniform;        // kBtcPriceBootstrap, second uniform
};
[[nodiscard]] BtcPriceDraws draw_btc_price(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step);

/// Simulates path `path`: writes the log return of day t = 1..n into log_returns[t − 1]
/// (n = log_returns.size()), drawing only the streams the process uses. Pure in (seed, path).
/// Validates the process first. A GivenPricePath yields ln(P_t/P_{t−1}) of its prices and throws
/// InputError naming its file if it has fewer than n + 1 days.
void simulate_log_returns(const BtcPriceProcess& process, const random::CounterRng& rng, std::uint32_t path,
                          std::span<double> log_returns);

/// Simulates path `path` as prices: price_usd[0] = initial_price_usd and price_usd[t] for day t,
/// from simulate_log_returns. A GivenPricePath is used as is (its own prices; initial_price_usd is
/// ignored). price_usd must hold at least one element.
void simulate_price_path(const BtcPriceProcess& process, const random::CounterRng& rng, std::uint32_t path,
                         double initial_price_usd, std::span<double> price_usd);

}  // namespace hashpivot::market
