#pragma once
// The simulated market and network of a run: every process calibrated (the scenario's calibration
// file, written by `hashpivot calibrate`), started from the scenario's figures at its start date,
// and advanced one day at a time per path by a pure, allocation-free step.
//
// Each day d > 0 of path p (day 0 is the start date, with the scenario's starting values):
//   shocks   (z_price, z_fees, z_hashrate) = L · (three independent normals), L the Cholesky factor
//            of the calibrated daily correlation; the energy shock is independent.
//   price    ln S_d = ln S_{d−1} + r_d, with r_d from the chosen model (GBM, Merton jump-diffusion,
//            two-regime switching, or the stationary block bootstrap of the returns before the start).
//   fees     x_d = x_{d−1} + κ(θ − x_{d−1}) + σ z_fees + spike, fees per block = e^{x_d} (BTC).
//   hashrate exogenous: ln H_d = ln H_{d−1} + drift + β · r_{d−k} + σ_H z_hashrate (lag k);
//            margin_driven: H_d = the network fleet's hashrate running at the day's hashprice
//            (network/margin_hashrate.hpp: vintages, a power-price distribution, shutdown at the
//            avoidable cost, orders with a lead time, AI/HPC exits), its size moved by σ z_hashrate.
//   energy   the calibrated log-OU-with-spikes daily level x_d and hourly shape s_h; an index site
//            pays site_price × e^{x_d − x̄} × e^{s_h} / mean_h(e^{s_h}) in hour h, where x̄ is the
//            stationary mean, so the scenario's price is the site's typical daily mean price.
//   chain    (hashprice first: the margin-driven fleet answers the day's hashprice) the day's blocks n_d ~ Poisson(H_d · 86400 / (2^32 · D)), retargets by Core's rule
//            (network/daily_chain.hpp); hashprice from the difficulty and subsidy at the day's start:
//            hashprice_btc = (subsidy + fees) · 86400 · 10^15 / (2^32 · D) BTC per PH/s per day.
//
// Random draws are addressed by (seed, stream, path, day, block), so a path's market is the same
// whatever thread or process computes it, and every strategy sees the same market (common random
// numbers). A day's market draws come from as few Philox blocks as possible: blocks 0 and 1 of
// Stream::kMarketDay give the three correlated-shock normals (52-bit uniforms through the AS241
// quantile, random::normal_quantile) and two 32-bit uniforms (the fee spike and the price regime
// switch or jump count); further blocks are read only when needed (a jump, a spike, the bootstrap,
// an energy index); the blocks' Poisson reads Stream::kBlockArrivals. So a regime-switching day
// costs three Philox calls (about 1.1 of them the Poisson's).

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hashpivot/chain/params.hpp"
#include "hashpivot/core/date.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/market/btc_price.hpp"
#include "hashpivot/market/calibration.hpp"
#include "hashpivot/market/correlation.hpp"
#include "hashpivot/market/energy.hpp"
#include "hashpivot/market/fees.hpp"
#include "hashpivot/network/daily_chain.hpp"
#include "hashpivot/network/hashrate.hpp"
#include "hashpivot/network/margin_hashrate.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::model {

/// The scenario's price model keyword, parsed (firm/scenario.hpp): one enum for the scenario and the model.
using PriceModel = firm::PriceModel;

struct MarketModel {
  PriceModel price_model = PriceModel::kGbm;
  market::GbmPrice gbm;
  market::JumpDiffusionPrice jump_diffusion;
  market::RegimeSwitchingPrice regime_switching;
  market::BlockBootstrapPrice bootstrap;
  market::FeeProcess fees{};
  firm::HashrateModel hashrate_model = firm::HashrateModel::kExogenous;
  network::ExogenousHashrateParams hashrate;      // exogenous
  network::MarginHashrateModel margin;            // margin_driven: the network's fleet model ...
  network::FleetState fleet;                      // ... and its fleet on the start date
  market::CorrelatedShocks shocks;
  bool has_energy_index = false;               // true when some site buys power at the index
  market::EnergyIndex energy{};
  double energy_stationary_log = 0;            // x̄: the stationary mean of the daily log level
  std::array<double, kHoursPerDay> energy_hour_factor{};  // e^{s_h} / mean_h(e^{s_h})
  chain::ConsensusParams chain_params = chain::ConsensusParams::mainnet();

  // Starting values (day 0 = start_day).
  DayNumber start_day = 0;
  double btc_price_usd = 0;
  double fees_btc_per_block = 0;
  double network_hashrate_ths = 0;
  network::DailyChain chain;

  std::vector<std::string> description;        // one line per process: model and key parameters
};

/// What a market model is built from besides the scenario: values that io reads from the files the
/// scenario names (io::read_market_inputs), so that this layer does no file I/O.
struct MarketInputs {
  market::Calibration calibration;         // the scenario's [market] calibration
  std::vector<double> bootstrap_returns;   // block_bootstrap: daily BTC log returns before the start date
  std::string bootstrap_source;            // the history file they came from, for the description
};

/// Builds the market of `scenario` from its calibration and, for the block bootstrap, the history's
/// returns before the start date; applies the drift overrides. Throws InputError naming the file
/// (the calibration's source, or the scenario) and key of anything missing or unusable.
[[nodiscard]] MarketModel build_market_model(const firm::Scenario& scenario, const MarketInputs& inputs);

/// The growth a market model runs with, in the units of the scenario keys that replace it
/// (docs/scenario.md): each is the value that, stated as its key, leaves the model as it is. The
/// sensitivity study's base values of the drift and growth inputs, and what the What-if page shows as
/// "calibrated" before the user states a view of them.
struct MarketGrowth {
  /// market.btc_price_drift_annual, the annual drift of E[S]: GBM's and Merton's mu; two regimes,
  /// the regimes' mu weighted by their stationary probabilities; the block bootstrap, (mean log
  /// return + variance / 2) × 365 of its sample (the key's re-centring, undone).
  double btc_price_drift_annual = 0;
  /// market.hashrate_drift_annual (exogenous network): the mean log growth a year, else none.
  std::optional<double> hashrate_drift_annual;
  /// market.network_supply_share_annual (margin-driven network): the share of its fleet it orders
  /// a year when mining pays, else none.
  std::optional<double> network_supply_share_annual;
};
[[nodiscard]] MarketGrowth market_growth(const MarketModel& model);

/// Sets the margin-driven network's parameters and its fleet on the start date (running the model's
/// starting hashrate at the starting hashprice), as build_market_model does; for studies that move a
/// parameter. Needs the chain and the starting values set. Throws ParameterError naming the parameter,
/// or "hashprice" when no machine covers its power cost at the starting hashprice.
void set_margin_network(MarketModel& m, const network::MarginHashrateParams& params);

/// A path's market state between days. Plain values: no allocation.
struct MarketPathState {
  double log_price = 0;
  double log_fees = 0;
  double log_hashrate_ths = 0;         // exogenous
  double hashrate_ths = 0;             // margin_driven: the fleet's running hashrate
  double energy_log = 0;
  market::PriceRegime regime = market::PriceRegime::kBull;
  std::size_t bootstrap_index = 0;
  network::DailyChain chain;
  // Ring buffer of the last price log returns, for the hashrate's lagged response.
  std::array<double, network::kMaxPriceLagDays + 1> price_returns{};
  network::FleetState fleet;           // margin_driven (fixed-size arrays: copied, never allocated)
};

/// The market of one day of one path, as the firm and the statistics see it.
struct MarketDay {
  double price_usd_per_btc = 0;
  double fees_btc_per_block = 0;
  double network_hashrate_ths = 0;
  double difficulty = 0;                 // in force at the start of the day
  std::int64_t height = 0;               // next block's height at the start of the day
  double reward_btc_per_block = 0;       // subsidy + fees
  double hashprice_btc_per_ph_day = 0;
  double hashprice_usd_per_ph_day = 0;
  double energy_factor = 1;              // e^{x_d − x̄}: index sites' daily price over their typical price
  std::int64_t blocks = 0;               // found during the day
};

/// The state at the start date (draws the initial regime or bootstrap position of `path`).
[[nodiscard]] MarketPathState start_market_path(const MarketModel& model, const random::CounterRng& rng,
                                                std::uint32_t path);

/// Advances `state` to day `day` (no change of the factors on day 0) and writes the day's market;
/// then adds the day's blocks to the chain. Pure in its arguments; allocates nothing.
void step_market_day(const MarketModel& model, const random::CounterRng& rng, std::uint32_t path, std::uint32_t day,
                     MarketPathState& state, MarketDay& out);

/// The two main Philox blocks of one path-day (Stream::kMarketDay, blocks 0 and 1) as the step
/// uses them: three independent standard normals (before the correlation) and two 32-bit uniforms.
struct MarketDayDraws {
  double normal0 = 0;               // price shock, before the Cholesky factor
  double normal1 = 0;               // fee shock
  double normal2 = 0;               // hashrate shock
  double fee_spike_uniform = 0.5;
  double price_uniform = 0.5;       // the regime switch or the jump count
};

/// A path's main draws for days 0..days−1, structure of arrays (day 0's are never read). Sized
/// once by the caller's first fill and reused: no allocation per path.
struct MarketPathDraws {
  std::vector<double> normal0, normal1, normal2, fee_spike_uniform, price_uniform;
  std::vector<std::uint32_t> scratch;  // the raw 32-bit words, 8 per day
  std::vector<double> central;         // the quantile's central branch, one normal at a time
};

/// The draws of day `day` of `path`: a pure function of (seed, path, day).
[[nodiscard]] MarketDayDraws market_day_draws(const random::CounterRng& rng, std::uint32_t path, std::uint32_t day);

/// Fills `out` with market_day_draws(rng, path, d) for every d < days, bit for bit, with loops over
/// the days that the compiler vectorizes (Philox's 32×32→64 multiplies, the bits-to-double map and
/// the central region of the normal quantile; the 15% of tail draws are finished one by one).
void draw_market_path(const random::CounterRng& rng, std::uint32_t path, std::uint32_t days, MarketPathDraws& out);

/// Antithetic draws (variance reduction): turns the draws of a path into those of its mirror, each
/// normal negated and each uniform u replaced by 1 − u (exact for these 32-bit grid uniforms). Both
/// paths then have the model's distribution, with opposite shocks. Days < `days` only.
void mirror_market_draws(MarketPathDraws& draws, std::uint32_t days);

/// E[S_d]/S_0 for each day d < days of the model's BTC price (day 0: 1), in closed form, as the
/// step simulates it: GBM and Merton jump-diffusion, e^{μd/365} (the shock is the first correlated
/// factor, L₀₀·z, so a day's factor is e^{(μ − σ²/2)/365 + σ²L₀₀²/730}); two regimes, the forward
/// recursion v_d(s′) = Σ_s v_{d−1}(s) P(s → s′) g(s′), g(s′) regime s′'s day factor as above, from the
/// stationary start v_0 = (π_bull, 1 − π_bull), and E[S_d]/S_0 = Σ_s v_d(s). Empty for the block
/// bootstrap (no closed form: its days are dependent). What the control variates
/// of a variance-reduced run (sim::RunOptions::variance_reduction) take as their known means.
[[nodiscard]] std::vector<double> expected_price_ratio_by_day(const MarketModel& model, int days);

/// E[ln(S_d/S_0)] after `steps` daily returns, in closed form: GBM (μ − σ²/2)·d/365; Merton
/// (μ − σ²/2 − λκ + λμ_J)·d/365; two regimes, whose chain starts and so stays in its stationary
/// distribution, (π_bull(μ_bull − σ_bull²/2) + (1 − π_bull)(μ_bear − σ_bear²/2))·d/365. NaN for the
/// block bootstrap.
[[nodiscard]] double expected_log_price_change(const MarketModel& model, int steps);

/// The BTC price figures of one path that a variance-reduced run takes as control variates for the
/// mean NPV (sim::RunOptions::variance_reduction), over days 0 … T − 1 of a horizon of T days:
///   x₁ = S_{T−1}/S_0,   x₂ = (1/T) Σ_d S_d/S_0,   x₃ = ln(S_{T−1}/S_0).
/// A miner's NPV moves with the price it ends at (its treasury), the prices it sold at (its
/// revenue) and, through defaults and the floor at 0, with the log price's downside.
struct PriceControls {
  static constexpr std::size_t kCount = 3;
  /// Their means in closed form (expected_price_ratio_by_day, expected_log_price_change); empty when
  /// the price model has none.
  [[nodiscard]] static std::vector<double> means(const MarketModel& model, int horizon_days);
  /// Their values on a path: the last day's price, the sum of the days' prices and S_0, USD per BTC.
  [[nodiscard]] static std::array<double, kCount> values(double last_price_usd, double price_sum_usd,
                                                         double start_price_usd, int horizon_days) {
    return {last_price_usd / start_price_usd, price_sum_usd / (start_price_usd * static_cast<double>(horizon_days)),
            std::log(last_price_usd / start_price_usd)};
  }
};

/// step_market_day with the day's main draws given (taken from draw_market_path's buffers): the
/// same result as the overload above when draws = market_day_draws(rng, path, day).
void step_market_day(const MarketModel& model, const random::CounterRng& rng, std::uint32_t path, std::uint32_t day,
                     const MarketDayDraws& draws, MarketPathState& state, MarketDay& out);

}  // namespace hashpivot::model
