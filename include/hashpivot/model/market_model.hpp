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
#include <cstdint>
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

/// step_market_day with the day's main draws given (taken from draw_market_path's buffers): the
/// same result as the overload above when draws = market_day_draws(rng, path, day).
void step_market_day(const MarketModel& model, const random::CounterRng& rng, std::uint32_t path, std::uint32_t day,
                     const MarketDayDraws& draws, MarketPathState& state, MarketDay& out);

}  // namespace hashpivot::model
