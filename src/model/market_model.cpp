#include "hashpivot/model/market_model.hpp"

#include <fmt/format.h>

#include <bit>
#include <cassert>
#include <cmath>
#include <limits>

#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/subsidy.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/market/btc_price_calibration.hpp"
#include "hashpivot/market/sample_moments.hpp"
#include "hashpivot/network/hashprice.hpp"
#include "hashpivot/network/margin_calibration.hpp"
#include "hashpivot/random/poisson.hpp"

namespace hashpivot::model {
namespace {

using random::Stream;

constexpr double kThsPerHs = 1.0 / kHashesPerTh;  // TH/s per H/s: the same double as 1e-12
constexpr double kSatPerBtc = static_cast<double>(chain::kSatPerBtc);
constexpr std::size_t kMinBootstrapReturns = 30;  // about a month of daily returns to resample from

// The 128-bit blocks of a path-day's Stream::kMarketDay counter (see the header). Part of the
// results' reproducibility: never renumber one.
constexpr std::uint32_t kDrawShocks01 = 0;       // normals of the price and fee shocks
constexpr std::uint32_t kDrawShock2Uniforms = 1; // hashrate normal; fee-spike and price uniforms (32 bits)
constexpr std::uint32_t kDrawPrice = 2;          // jump size, or the bootstrap's two uniforms
constexpr std::uint32_t kDrawFeeSpike = 3;       // fee spike size, read only on a spike day
constexpr std::uint32_t kDrawEnergy = 4;         // energy normal and spike uniform (index sites only)
constexpr std::uint32_t kDrawEnergySpike = 5;    // energy spike size, read only on a spike day

// Builds a process from the calibration's report; a parameter the builder rejects (missing, or out
// of its domain) becomes an input error on the calibration file's key market.FACTOR.MODEL.PARAMETER.
template <typename Build>
auto from_calibration(const market::Calibration& c, const char* factor, const char* model, Build build) {
  const market::FitReport& report = c.report(factor, model);
  try {
    return build(report);
  } catch (const ParameterError& e) {
    throw InputError(c.source, 0, fmt::format("market.{}.{}.{}", factor, model, e.parameter()), e.problem());
  }
}

// The drift of E[S] a block bootstrap of daily log returns `returns` gives, per year:
// (mean + variance / 2) × 365 of the sample (what btc_price_drift_annual re-centres it on).
double bootstrap_drift_annual(const std::vector<double>& returns) {
  const market::SampleMoments moments = market::sample_moments(returns);
  return (moments.mean + 0.5 * moments.unbiased_variance()) * kDaysPerYear;
}

void load_price_model(const firm::Scenario& scenario, const MarketInputs& inputs, MarketModel& m) {
  const market::Calibration& c = inputs.calibration;
  // The calibration names each price model's fit by the scenario's keyword for it.
  const PriceModel kind = scenario.market.btc_price_model;
  const std::string fit(firm::keyword(kind));
  const auto& drift = scenario.market.btc_price_drift_annual;
  m.price_model = kind;
  if (kind == PriceModel::kGbm) {
    m.gbm = from_calibration(c, "btc_price", fit.c_str(), market::gbm_from_report);
    if (drift) m.gbm.mu_annual = *drift;
    m.description.push_back(fmt::format("BTC price: GBM, mu {:.3f}/yr{}, sigma {:.3f}", m.gbm.mu_annual,
                                        drift ? " (scenario)" : "", m.gbm.sigma_annual));
  } else if (kind == PriceModel::kJumpDiffusion) {
    m.jump_diffusion = from_calibration(c, "btc_price", fit.c_str(), market::jump_diffusion_from_report);
    if (drift) m.jump_diffusion.mu_annual = *drift;
    const auto& p = m.jump_diffusion;
    m.description.push_back(fmt::format("BTC price: Merton jump-diffusion, mu {:.3f}/yr{}, sigma {:.3f}, {:.1f} jumps/yr "
                                        "of mean {:.4f} sd {:.4f} (log)",
                                        p.mu_annual, drift ? " (scenario)" : "", p.sigma_annual,
                                        p.jump_intensity_per_year, p.jump_mean_log, p.jump_sd_log));
  } else if (kind == PriceModel::kRegimeSwitching) {
    m.regime_switching = from_calibration(c, "btc_price", fit.c_str(), market::regime_switching_from_report);
    auto& p = m.regime_switching;
    if (drift) {
      // Shift both regimes' drifts by the same amount so the stationary mean drift is the override.
      const double shift = *drift - p.stationary_mu_annual();
      p.bull_mu_annual += shift;
      p.bear_mu_annual += shift;
    }
    m.description.push_back(fmt::format("BTC price: two regimes, bull mu {:.3f} sigma {:.3f}, bear mu {:.3f} sigma {:.3f}{}, "
                                        "stay {:.3f}/{:.3f} a day",
                                        p.bull_mu_annual, p.bull_sigma_annual, p.bear_mu_annual, p.bear_sigma_annual,
                                        drift ? " (drift from the scenario)" : "", p.p_stay_bull_daily,
                                        p.p_stay_bear_daily));
  } else {
    assert(kind == PriceModel::kBlockBootstrap);
    // io::read_market_inputs keeps only returns before the start date: a run must not see its own future.
    std::vector<double> returns = inputs.bootstrap_returns;
    const std::string& history_path = inputs.bootstrap_source;
    if (returns.size() < kMinBootstrapReturns)
      throw InputError(scenario.source, 0, "market.history",
                       fmt::format("{} has {} daily returns before the start date; the bootstrap needs at least {}",
                                   history_path, returns.size(), kMinBootstrapReturns));
    const double block_length =
        from_calibration(c, "btc_price", fit.c_str(),
                         [](const market::FitReport& r) { return market::report_parameter(r, "mean_block_length_days"); });
    if (drift) {
      // Re-centre the returns so that E[S_T]/S_0 grows at the override: mean log return
      // (mu − sigma²/2)/365 with sigma² the sample's annualized variance.
      const double shift = (*drift - bootstrap_drift_annual(returns)) / kDaysPerYear;
      for (double& r : returns) r += shift;
    }
    m.description.push_back(fmt::format("BTC price: stationary block bootstrap of {} daily returns from {} (mean block "
                                         "{:.1f} days){}",
                                         returns.size(), history_path, block_length,
                                         drift ? ", re-centred on the scenario's drift" : ""));
    m.bootstrap = market::BlockBootstrapPrice{std::move(returns), block_length};
  }
}

void load_exogenous_hashrate(const firm::Scenario& scenario, const market::Calibration& c, MarketModel& m) {
  assert(!scenario.market.network_supply_share_annual && "the reader refuses it for an exogenous network");
  m.hashrate = from_calibration(c, "hashrate", "exogenous", network::exogenous_params_from_report);
  if (scenario.market.hashrate_drift_annual) m.hashrate.drift_per_day = *scenario.market.hashrate_drift_annual / kDaysPerYear;
  if (m.hashrate.price_lag_days > network::kMaxPriceLagDays)
    throw InputError(c.source, 0, "market.hashrate.exogenous.price_lag_days",
                     fmt::format("expected at most {}", network::kMaxPriceLagDays));
  m.description.push_back(fmt::format("Network hashrate: exogenous, drift {:.3f}/yr{}, sigma {:.3f}/yr, price beta {:.3f} "
                                      "at lag {} days",
                                      m.hashrate.drift_per_day * kDaysPerYear,
                                      scenario.market.hashrate_drift_annual ? " (scenario)" : "",
                                      m.hashrate.sigma_per_day * std::sqrt(kDaysPerYear), m.hashrate.price_beta,
                                      m.hashrate.price_lag_days));
}

double start_hashprice_usd(const MarketModel& m) {
  const double reward = static_cast<double>(chain::block_subsidy_sat(m.chain.next_height, m.chain_params)) / kSatPerBtc +
                        m.fees_btc_per_block;
  return network::hashprice_usd_per_ph_day(m.chain.difficulty, reward, m.btc_price_usd);
}

// The margin-driven network: the calibrated fleet model, and a fleet on the start date running the
// scenario's network hashrate at the starting hashprice. Needs the chain and the starting values.
void load_margin_hashrate(const firm::Scenario& scenario, const market::Calibration& c, MarketModel& m) {
  assert(!scenario.market.hashrate_drift_annual && "the reader refuses it for a margin-driven network");
  network::MarginHashrateParams params =
      from_calibration(c, "hashrate", "margin_driven", network::margin_params_from_report);
  if (scenario.market.network_supply_share_annual) params.supply_share_per_year = *scenario.market.network_supply_share_annual;
  try {
    set_margin_network(m, params);
  } catch (const ParameterError& e) {
    if (e.parameter() != "hashprice") throw InputError(c.source, 0, "market.hashrate.margin_driven." + e.parameter(), e.problem());
    throw InputError(scenario.source, 0, "market.network_hashrate_ehs",
                     fmt::format("no machine of the network's fleet in {} covers its power cost at the starting "
                                 "hashprice of {:.2f} USD/PH/day",
                                 c.source, start_hashprice_usd(m)));
  }
  const double hashprice = start_hashprice_usd(m);
  const network::MarginHashrateParams& p = m.margin.params();
  const double installed = std::exp(m.fleet.log_scale) * m.margin.installed_base_ths(m.fleet, m.start_day);
  m.description.push_back(fmt::format(
      "Network hashrate: margin-driven, {:.0f} of {:.0f} EH/s installed running at {:.2f} USD/PH/day; power price "
      "median {:.1f} USD/MWh (log sd {:.2f}), {}-year life, frontier {:.1f} J/TH on the start date; orders up to {:.2f} "
      "of installed a year{} above {:.2f}x power cost, {} days to energize; AI/HPC exits {:.3f}/yr; sigma {:.3f}/yr",
      m.network_hashrate_ths / kThPerEh, installed / kThPerEh, hashprice, p.power_price_median_usd_per_mwh,
      p.power_price_log_sd, p.max_age_days / static_cast<int>(kDaysPerYear), p.frontier.j_per_th(m.start_day),
      p.supply_share_per_year, scenario.market.network_supply_share_annual ? " (scenario)" : "", 1 + p.entry_hurdle,
      p.pipeline_lag_days, p.ai_exit_share_per_year,
      p.sigma_per_day * std::sqrt(kDaysPerYear)));
}

}  // namespace

void set_margin_network(MarketModel& m, const network::MarginHashrateParams& params) {
  m.margin = network::MarginHashrateModel(params, m.start_day - params.max_age_days - 2 * params.cohort_days);
  m.fleet = network::start_fleet(m.margin, m.start_day, m.network_hashrate_ths, start_hashprice_usd(m));
}

MarketModel build_market_model(const firm::Scenario& scenario, const MarketInputs& inputs) {
  const market::Calibration& c = inputs.calibration;
  MarketModel m;
  load_price_model(scenario, inputs, m);

  m.fees = from_calibration(c, "fees", "log_ou_spikes", market::fee_process_from_report);
  m.description.push_back(fmt::format("Fees: log-OU with spikes, kappa {:.4f}/day, long-run {:.4f} BTC/block, sigma {:.3f}, "
                                      "spikes {:.3f}/day",
                                      m.fees.log_fees.kappa_per_day, std::exp(m.fees.log_fees.theta_log),
                                      m.fees.log_fees.sigma_daily, m.fees.log_fees.spike_prob_daily));

  m.hashrate_model = scenario.market.hashrate_model;
  if (m.hashrate_model == firm::HashrateModel::kExogenous) load_exogenous_hashrate(scenario, c, m);

  m.shocks = from_calibration(c, "correlation", "daily_shocks", [](const market::FitReport& r) {
    return market::CorrelatedShocks(market::correlation_from_report(r));
  });

  m.has_energy_index = firm::has_index_site(scenario);
  if (m.has_energy_index) {
    m.energy = from_calibration(c, "energy", "log_ou_spikes_hourly", market::energy_index_from_report);
    m.energy_stationary_log = m.energy.log_daily.stationary_mean();
    double mean_factor = 0;
    for (const double s : m.energy.hourly_shape) mean_factor += std::exp(s);
    mean_factor /= static_cast<double>(kHoursPerDay);
    for (std::size_t h = 0; h < kHoursPerDay; ++h) m.energy_hour_factor[h] = std::exp(m.energy.hourly_shape[h]) / mean_factor;
    m.description.push_back(fmt::format("Power at index sites: log-OU with spikes (kappa {:.3f}/day, sigma {:.3f}, spikes "
                                        "{:.2f}/day) and an hourly shape, scaled to each site's price",
                                        m.energy.log_daily.kappa_per_day, m.energy.log_daily.sigma_daily,
                                        m.energy.log_daily.spike_prob_daily));
  }

  m.start_day = scenario.run.start_date;
  m.btc_price_usd = scenario.market.btc_price_usd;
  m.fees_btc_per_block = scenario.market.fees_btc_per_block;
  if (!(m.fees_btc_per_block > 0))
    throw InputError(scenario.source, 0, "market.fees_btc_per_block", "must be > 0 to start the log-fee process");
  m.network_hashrate_ths = scenario.market.network_hashrate_ehs * kThPerEh;
  m.chain = network::make_daily_chain(scenario.market.height, scenario.market.bits,
                                      scenario.market.epoch_first_block_time_unix);
  if (m.hashrate_model == firm::HashrateModel::kMarginDriven) load_margin_hashrate(scenario, c, m);
  m.description.push_back("Blocks: Poisson per day; difficulty retargets by Bitcoin Core's rule");
  return m;
}

MarketPathState start_market_path(const MarketModel& m, const random::CounterRng& rng, std::uint32_t path) {
  MarketPathState s;
  s.log_price = std::log(m.btc_price_usd);
  s.log_fees = std::log(m.fees_btc_per_block);
  s.log_hashrate_ths = std::log(m.network_hashrate_ths);
  s.hashrate_ths = m.network_hashrate_ths;
  s.energy_log = m.energy_stationary_log;
  s.chain = m.chain;
  if (m.hashrate_model == firm::HashrateModel::kMarginDriven) s.fleet = m.fleet;
  // Day 0's draws set the initial regime / bootstrap position (day 0 itself has no return).
  if (m.price_model == PriceModel::kRegimeSwitching)
    s.regime = m.regime_switching.initial_regime(rng.uniforms({Stream::kBtcPriceRegime, path, 0})[0]);
  if (m.price_model == PriceModel::kBlockBootstrap)
    s.bootstrap_index = m.bootstrap.initial_index(rng.uniforms({Stream::kBtcPriceBootstrap, path, 0})[0]);
  return s;
}

MarketGrowth market_growth(const MarketModel& m) {
  MarketGrowth g;
  switch (m.price_model) {
    case PriceModel::kGbm:
      g.btc_price_drift_annual = m.gbm.mu_annual;
      break;
    case PriceModel::kJumpDiffusion:
      g.btc_price_drift_annual = m.jump_diffusion.mu_annual;
      break;
    case PriceModel::kRegimeSwitching:
      g.btc_price_drift_annual = m.regime_switching.stationary_mu_annual();
      break;
    case PriceModel::kBlockBootstrap:
      g.btc_price_drift_annual = bootstrap_drift_annual(m.bootstrap.log_returns);
      break;
  }
  if (m.hashrate_model == firm::HashrateModel::kMarginDriven) {
    g.network_supply_share_annual = m.margin.params().supply_share_per_year;
  } else {
    g.hashrate_drift_annual = m.hashrate.drift_per_day * kDaysPerYear;
  }
  return g;
}

MarketDayDraws market_day_draws(const random::CounterRng& rng, std::uint32_t path, std::uint32_t day) {
  using random::normal_quantile;
  using random::to_open_unit;
  using random::to_open_unit32;
  using random::word64;
  // Blocks 0 and 1 of the day: three normals (52-bit uniforms through Φ⁻¹) and two 32-bit uniforms.
  const auto b0 = rng.bits({Stream::kMarketDay, path, day, kDrawShocks01});
  const auto b1 = rng.bits({Stream::kMarketDay, path, day, kDrawShock2Uniforms});
  return {normal_quantile(to_open_unit(word64(b0, 0))), normal_quantile(to_open_unit(word64(b0, 1))),
          normal_quantile(to_open_unit(word64(b1, 0))), to_open_unit32(b1[2]), to_open_unit32(b1[3])};
}

namespace {

// Philox4x32-10 of the counters (d, path, stream, block) for d in [0, days), written as 4 words per
// day at words[4·d + j]. Lane-wise over d, so it vectorizes (pmuludq for the 32×32→64 products).
void philox_days(std::uint64_t seed, std::uint32_t path, std::uint32_t block, std::uint32_t days, std::uint32_t* w0,
                 std::uint32_t* w1, std::uint32_t* w2, std::uint32_t* w3) {
  constexpr std::uint64_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  const auto key0 = static_cast<std::uint32_t>(seed), key1 = static_cast<std::uint32_t>(seed >> 32);
  const auto stream = static_cast<std::uint32_t>(Stream::kMarketDay);
  for (std::uint32_t d = 0; d < days; ++d) {
    std::uint32_t c0 = d, c1 = path, c2 = stream, c3 = block, k0 = key0, k1 = key1;
    for (int round = 0; round < 10; ++round) {
      const std::uint64_t p0 = kM0 * c0;
      const std::uint64_t p1 = kM1 * c2;
      c0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
      c1 = static_cast<std::uint32_t>(p1);
      c2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
      c3 = static_cast<std::uint32_t>(p0);
      k0 += kW0;
      k1 += kW1;
    }
    w0[d] = c0;
    w1[d] = c1;
    w2[d] = c2;
    w3[d] = c3;
  }
}

// to_open_unit of the 64-bit word (hi, lo) without an integer-to-double conversion (which SSE2 and
// AVX2 lack for 64 bits): the top 52 bits as the mantissa of a double in [1, 2), minus 1, plus half
// an ulp: (m + 0.5)·2^-52 exactly as to_open_unit computes it.
inline double open_unit_from_words(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t mantissa = ((std::uint64_t{hi} << 32) | lo) >> 12;
  return std::bit_cast<double>(mantissa | 0x3FF0000000000000ull) - (1.0 - 0x1.0p-53);
}

// The central branch of the AS241 quantile for every u (meaningless outside |u − ½| ≤ 0.425, where
// the caller replaces it): branch-free, so the loop over an array vectorizes.
void normal_quantile_central(const double* u, double* z, std::uint32_t n) {
  for (std::uint32_t i = 0; i < n; ++i) z[i] = random::normal_quantile_central(u[i] - 0.5);
}

void normals_of_uniforms(double* u_then_z, std::uint32_t n, double* central) {
  normal_quantile_central(u_then_z, central, n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const double q = u_then_z[i] - 0.5;
    u_then_z[i] = q * q <= 0.425 * 0.425 ? central[i] : random::normal_quantile_tail(u_then_z[i]);
  }
}

}  // namespace

void draw_market_path(const random::CounterRng& rng, std::uint32_t path, std::uint32_t days, MarketPathDraws& out) {
  const std::size_t n = days;
  for (auto* v : {&out.normal0, &out.normal1, &out.normal2, &out.fee_spike_uniform, &out.price_uniform})
    if (v->size() < n) v->resize(n);
  if (out.scratch.size() < 8 * n) out.scratch.resize(8 * n);
  std::uint32_t* w = out.scratch.data();
  philox_days(rng.seed(), path, kDrawShocks01, days, w, w + n, w + 2 * n, w + 3 * n);
  philox_days(rng.seed(), path, kDrawShock2Uniforms, days, w + 4 * n, w + 5 * n, w + 6 * n, w + 7 * n);
  double* z0 = out.normal0.data();
  double* z1 = out.normal1.data();
  double* z2 = out.normal2.data();
  double* uf = out.fee_spike_uniform.data();
  double* up = out.price_uniform.data();
  for (std::size_t d = 0; d < n; ++d) {
    z0[d] = open_unit_from_words(w[d], w[n + d]);
    z1[d] = open_unit_from_words(w[2 * n + d], w[3 * n + d]);
    z2[d] = open_unit_from_words(w[4 * n + d], w[5 * n + d]);
    uf[d] = (static_cast<double>(static_cast<std::int32_t>(w[6 * n + d] ^ 0x80000000u)) + 2147483648.5) * 0x1.0p-32;
    up[d] = (static_cast<double>(static_cast<std::int32_t>(w[7 * n + d] ^ 0x80000000u)) + 2147483648.5) * 0x1.0p-32;
  }
  if (out.central.size() < n) out.central.resize(n);
  double* central = out.central.data();
  normals_of_uniforms(z0, days, central);
  normals_of_uniforms(z1, days, central);
  normals_of_uniforms(z2, days, central);
}

void mirror_market_draws(MarketPathDraws& draws, std::uint32_t days) {
  const std::size_t n = days;
  assert(draws.normal0.size() >= n);
  for (std::size_t d = 0; d < n; ++d) {
    draws.normal0[d] = -draws.normal0[d];
    draws.normal1[d] = -draws.normal1[d];
    draws.normal2[d] = -draws.normal2[d];
    draws.fee_spike_uniform[d] = 1.0 - draws.fee_spike_uniform[d];
    draws.price_uniform[d] = 1.0 - draws.price_uniform[d];
  }
}

std::vector<double> expected_price_ratio_by_day(const MarketModel& m, int days) {
  std::vector<double> ratio;
  if (days < 1) return ratio;
  // The price shock is the first correlated factor: L₀₀ times a standard normal.
  const double shock_scale = m.shocks.lower()[0][0];
  // E[e^{(μ − σ²/2)dt + σ√dt·L₀₀·z}] for z ~ N(0, 1).
  const auto day_factor = [&](double mu_annual, double sigma_annual) {
    return std::exp((mu_annual - 0.5 * sigma_annual * sigma_annual) * market::kDayYears +
                    0.5 * sigma_annual * sigma_annual * shock_scale * shock_scale * market::kDayYears);
  };
  switch (m.price_model) {
    case PriceModel::kGbm:
    case PriceModel::kJumpDiffusion: {
      // Merton's jumps are compensated: E[e^{n μ_J + σ_J √n z_J}] over n ~ Poisson(λ/365) is
      // e^{λκ/365}, which the drift's −λκ/365 cancels, so a day's factor is the diffusion's.
      const double factor = m.price_model == PriceModel::kJumpDiffusion
                                ? day_factor(m.jump_diffusion.mu_annual, m.jump_diffusion.sigma_annual)
                                : day_factor(m.gbm.mu_annual, m.gbm.sigma_annual);
      ratio.resize(static_cast<std::size_t>(days));
      double value = 1;
      for (std::size_t d = 0; d < ratio.size(); ++d) {
        ratio[d] = value;
        value *= factor;
      }
      return ratio;
    }
    case PriceModel::kRegimeSwitching: {
      const auto& rs = m.regime_switching;
      const double bull_factor = day_factor(rs.bull_mu_annual, rs.bull_sigma_annual);
      const double bear_factor = day_factor(rs.bear_mu_annual, rs.bear_sigma_annual);
      // v(s) = E[S_d/S_0 · 1{regime_d = s}]; day d's regime is drawn from day d − 1's, then its return.
      double bull = rs.stationary_bull_probability();
      double bear = 1.0 - bull;
      ratio.resize(static_cast<std::size_t>(days));
      ratio[0] = 1;
      for (std::size_t d = 1; d < ratio.size(); ++d) {
        const double next_bull = (bull * rs.p_stay_bull_daily + bear * (1.0 - rs.p_stay_bear_daily)) * bull_factor;
        const double next_bear = (bear * rs.p_stay_bear_daily + bull * (1.0 - rs.p_stay_bull_daily)) * bear_factor;
        bull = next_bull;
        bear = next_bear;
        ratio[d] = bull + bear;
      }
      return ratio;
    }
    case PriceModel::kBlockBootstrap:
      return ratio;
  }
  return ratio;
}

double expected_log_price_change(const MarketModel& m, int steps) {
  const double days = static_cast<double>(steps) * market::kDayYears;
  switch (m.price_model) {
    case PriceModel::kGbm:
      return (m.gbm.mu_annual - 0.5 * m.gbm.sigma_annual * m.gbm.sigma_annual) * days;
    case PriceModel::kJumpDiffusion: {
      const auto& jd = m.jump_diffusion;
      return (jd.mu_annual - 0.5 * jd.sigma_annual * jd.sigma_annual - jd.jump_intensity_per_year * jd.jump_compensator() +
              jd.jump_intensity_per_year * jd.jump_mean_log) *
             days;
    }
    case PriceModel::kRegimeSwitching: {
      const auto& rs = m.regime_switching;
      const double bull = rs.stationary_bull_probability();
      return (bull * (rs.bull_mu_annual - 0.5 * rs.bull_sigma_annual * rs.bull_sigma_annual) +
              (1 - bull) * (rs.bear_mu_annual - 0.5 * rs.bear_sigma_annual * rs.bear_sigma_annual)) *
             days;
    }
    case PriceModel::kBlockBootstrap:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> PriceControls::means(const MarketModel& m, int horizon_days) {
  const std::vector<double> ratio = expected_price_ratio_by_day(m, horizon_days);
  if (ratio.empty()) return {};
  double sum = 0;
  for (const double r : ratio) sum += r;
  return {ratio.back(), sum / static_cast<double>(ratio.size()), expected_log_price_change(m, horizon_days - 1)};
}

void step_market_day(const MarketModel& m, const random::CounterRng& rng, std::uint32_t path, std::uint32_t day,
                     MarketPathState& s, MarketDay& out) {
  step_market_day(m, rng, path, day, day > 0 ? market_day_draws(rng, path, day) : MarketDayDraws{}, s, out);
}

void step_market_day(const MarketModel& m, const random::CounterRng& rng, std::uint32_t path, std::uint32_t day,
                     const MarketDayDraws& draws, MarketPathState& s, MarketDay& out) {
  const bool margin_driven = m.hashrate_model == firm::HashrateModel::kMarginDriven;
  double z_hashrate = 0;
  if (day > 0) {
    using random::normal_quantile;
    using random::to_open_unit;
    using random::to_open_unit32;
    using random::word64;
    const auto z = m.shocks.apply({draws.normal0, draws.normal1, draws.normal2});
    z_hashrate = z[2];
    const double fee_spike_uniform = draws.fee_spike_uniform;
    const double price_uniform = draws.price_uniform;
    // Price.
    double r = 0;
    switch (m.price_model) {
      case PriceModel::kGbm:
        r = m.gbm.log_return(z[0]);
        break;
      case PriceModel::kJumpDiffusion: {
        const int jumps = m.jump_diffusion.jump_count(price_uniform);
        const double z_jump =
            jumps > 0 ? normal_quantile(to_open_unit(word64(rng.bits({Stream::kMarketDay, path, day, kDrawPrice}), 0))) : 0.0;
        r = m.jump_diffusion.log_return(z[0], jumps, z_jump);
        break;
      }
      case PriceModel::kRegimeSwitching:
        s.regime = m.regime_switching.next_regime(s.regime, price_uniform);
        r = m.regime_switching.log_return(s.regime, z[0]);
        break;
      case PriceModel::kBlockBootstrap: {
        const std::array<double, 2> u = rng.uniforms({Stream::kMarketDay, path, day, kDrawPrice});
        s.bootstrap_index = m.bootstrap.next_index(s.bootstrap_index, u[0], u[1]);
        r = m.bootstrap.log_return(s.bootstrap_index);
        break;
      }
    }
    s.log_price += r;
    const std::size_t ring = s.price_returns.size();
    s.price_returns[day % ring] = r;
    // Fees.
    market::SpikeShocks fee{z[1], fee_spike_uniform, 0.0};
    if (fee.spike_uniform < m.fees.log_fees.spike_prob_daily)
      fee.spike_z = normal_quantile(to_open_unit(word64(rng.bits({Stream::kMarketDay, path, day, kDrawFeeSpike}), 0)));
    s.log_fees = m.fees.step_log(s.log_fees, fee);
    // Exogenous hashrate: the return k days ago (0 before the start: unknown, its mean is in the drift).
    if (!margin_driven) {
      const auto lag = static_cast<std::uint32_t>(m.hashrate.price_lag_days);
      const double lagged = day >= lag + 1 || lag == 0 ? s.price_returns[(day - lag) % ring] : 0.0;
      s.log_hashrate_ths = network::next_log_hashrate(s.log_hashrate_ths, z[2], lagged, m.hashrate);
    }
    // Energy.
    if (m.has_energy_index) {
      const auto be = rng.bits({Stream::kMarketDay, path, day, kDrawEnergy});
      market::SpikeShocks e{normal_quantile(to_open_unit(word64(be, 0))), to_open_unit32(be[2]), 0.0};
      if (e.spike_uniform < m.energy.log_daily.spike_prob_daily)
        e.spike_z = normal_quantile(to_open_unit(word64(rng.bits({Stream::kMarketDay, path, day, kDrawEnergySpike}), 0)));
      s.energy_log = m.energy.step_log(s.energy_log, e);
    }
  }
  out.price_usd_per_btc = std::exp(s.log_price);
  out.fees_btc_per_block = std::exp(s.log_fees);
  out.difficulty = s.chain.difficulty;
  out.height = s.chain.next_height;
  out.reward_btc_per_block =
      static_cast<double>(chain::block_subsidy_sat(s.chain.next_height, m.chain_params)) / kSatPerBtc +
      out.fees_btc_per_block;
  out.hashprice_btc_per_ph_day = network::hashprice_btc_per_ph_day(out.difficulty, out.reward_btc_per_block);
  out.hashprice_usd_per_ph_day = out.hashprice_btc_per_ph_day * out.price_usd_per_btc;
  // The margin-driven fleet answers the day's hashprice (its shock is the correlated hashrate shock).
  if (margin_driven && day > 0)
    s.hashrate_ths = network::step_fleet(m.margin, s.fleet, m.start_day + static_cast<DayNumber>(day),
                                         out.hashprice_usd_per_ph_day, z_hashrate)
                         .running_ths;
  out.network_hashrate_ths = margin_driven ? s.hashrate_ths : std::exp(s.log_hashrate_ths);
  out.energy_factor = m.has_energy_index ? std::exp(s.energy_log - m.energy_stationary_log) : 1.0;
  // The day's blocks, then the chain moves to the day's end.
  const double expected = network::expected_blocks_per_day(out.network_hashrate_ths / kThsPerHs, s.chain.difficulty);
  out.blocks = random::poisson(rng, {Stream::kBlockArrivals, path, day, 0}, expected);
  const std::int64_t day_start_unix = static_cast<std::int64_t>(m.start_day + static_cast<DayNumber>(day)) *
                                       static_cast<std::int64_t>(kSecondsPerDay);
  network::advance_chain_day(s.chain, day_start_unix, out.blocks, m.chain_params);
}

}  // namespace hashpivot::model
