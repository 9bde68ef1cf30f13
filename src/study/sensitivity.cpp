#include "hashpivot/study/sensitivity.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/market/calibration.hpp"
#include "hashpivot/market/sample_moments.hpp"
#include "hashpivot/sim/market_replay.hpp"

namespace hashpivot::study {
namespace {

double se_of(const market::Calibration& c, std::string_view factor, std::string_view model, std::string_view name) {
  if (!c.has(factor, model)) return kNoValue;
  for (const market::Estimate& e : c.report(factor, model).parameters)
    if (e.name == name) return e.se;
  return kNoValue;
}

// Cash of the break-even runs: more than any horizon's costs, small enough that a day's flows
// (~1e6 USD) keep their cents in a double.
constexpr double kOperatingCashUsd = 1e13;

// A break-even's search starts at the scenario's own value (a factor of 1 on the base).
constexpr double kBaseFactor = 1;

bool usable_se(double se) { return std::isfinite(se) && se > 0; }

double regime_volatility(const market::RegimeSwitchingPrice& p, double bull_sigma, double bear_sigma) {
  const double pi = p.stationary_bull_probability();
  return std::sqrt(pi * bull_sigma * bull_sigma + (1 - pi) * bear_sigma * bear_sigma);
}

market::SampleMoments bootstrap_moments(const model::MarketModel& m) { return market::sample_moments(m.bootstrap.log_returns); }

double price_volatility_annual(const model::MarketModel& m) {
  switch (m.price_model) {
    case model::PriceModel::kGbm:
      return m.gbm.sigma_annual;
    case model::PriceModel::kJumpDiffusion:
      return m.jump_diffusion.sigma_annual;
    case model::PriceModel::kRegimeSwitching:
      return regime_volatility(m.regime_switching, m.regime_switching.bull_sigma_annual,
                               m.regime_switching.bear_sigma_annual);
    case model::PriceModel::kBlockBootstrap:
      return std::sqrt(bootstrap_moments(m).unbiased_variance() * kDaysPerYear);
  }
  return kNoValue;
}

// Capacity-weighted mean of a conversion field over the sites that can convert; NaN if none.
template <typename Field>
double mean_conversion(const firm::Scenario& s, Field field) {
  double weighted = 0, capacity = 0;
  for (const firm::Site& site : s.sites) {
    if (!site.conversion) continue;
    weighted += site.capacity_mw * field(*site.conversion);
    capacity += site.capacity_mw;
  }
  return capacity > 0 ? weighted / capacity : kNoValue;
}

bool has_conversion(const firm::Scenario& s) {
  return std::any_of(s.sites.begin(), s.sites.end(), [](const firm::Site& site) { return site.conversion.has_value(); });
}

// An additive bump: `se` where usable, else relative_bump × |base|.
InputBump additive(SensitivityInput input, double base, double se, double relative_bump) {
  InputBump b;
  b.input = input;
  b.base = base;
  if (usable_se(se)) {
    b.basis = BumpBasis::kCalibrationSe;
    b.shift = se;
  } else {
    b.basis = BumpBasis::kRelative;
    b.shift = relative_bump * std::abs(base);
  }
  b.low = base - b.shift;
  b.high = base + b.shift;
  return b;
}

InputBump relative(SensitivityInput input, double base, double relative_bump) {
  InputBump b;
  b.input = input;
  b.base = base;
  if (!std::isfinite(base)) return b;  // absent
  b.basis = BumpBasis::kRelative;
  b.shift = relative_bump;
  b.low = base * (1 - relative_bump);
  b.high = base * (1 + relative_bump);
  return b;
}

void shift_price_drift(model::MarketModel& m, double shift_annual) {
  switch (m.price_model) {
    case model::PriceModel::kGbm:
      m.gbm.mu_annual += shift_annual;
      break;
    case model::PriceModel::kJumpDiffusion:
      m.jump_diffusion.mu_annual += shift_annual;
      break;
    case model::PriceModel::kRegimeSwitching:
      m.regime_switching.bull_mu_annual += shift_annual;
      m.regime_switching.bear_mu_annual += shift_annual;
      break;
    case model::PriceModel::kBlockBootstrap:
      for (double& r : m.bootstrap.log_returns) r += shift_annual / kDaysPerYear;
      break;
  }
}

void shift_price_volatility(model::MarketModel& m, double shift, double shift_bear) {
  switch (m.price_model) {
    case model::PriceModel::kGbm:
      m.gbm.sigma_annual = std::max(0.0, m.gbm.sigma_annual + shift);
      break;
    case model::PriceModel::kJumpDiffusion:
      m.jump_diffusion.sigma_annual = std::max(0.0, m.jump_diffusion.sigma_annual + shift);
      break;
    case model::PriceModel::kRegimeSwitching:
      m.regime_switching.bull_sigma_annual = std::max(0.0, m.regime_switching.bull_sigma_annual + shift);
      m.regime_switching.bear_sigma_annual = std::max(0.0, m.regime_switching.bear_sigma_annual + shift_bear);
      break;
    case model::PriceModel::kBlockBootstrap: {
      // Deviations scaled by k; mean re-centred so that μ = (mean + variance / 2) × 365 is unchanged.
      const market::SampleMoments s = bootstrap_moments(m);
      const double sigma = std::sqrt(s.unbiased_variance() * kDaysPerYear);
      if (!(sigma > 0)) break;
      const double k = std::max(0.0, sigma + shift) / sigma;
      const double variance = s.unbiased_variance();
      const double mean = s.mean + 0.5 * variance * (1 - k * k);
      for (double& r : m.bootstrap.log_returns) r = mean + k * (r - s.mean);
      break;
    }
  }
}

}  // namespace

std::string_view sensitivity_input_name(SensitivityInput input) {
  switch (input) {
    case SensitivityInput::kBtcPriceDrift: return "btc_price_drift";
    case SensitivityInput::kBtcPriceVolatility: return "btc_price_volatility";
    case SensitivityInput::kHashrateGrowth: return "hashrate_growth";
    case SensitivityInput::kPowerPrice: return "power_price";
    case SensitivityInput::kFees: return "fees";
    case SensitivityInput::kConversionCapex: return "conversion_capex";
    case SensitivityInput::kLeaseRate: return "lease_rate";
    case SensitivityInput::kCount: break;
  }
  return "?";
}

std::string_view sensitivity_input_unit(SensitivityInput input) {
  switch (input) {
    case SensitivityInput::kBtcPriceDrift: return "1/yr";
    case SensitivityInput::kBtcPriceVolatility: return "1/sqrt(yr)";
    case SensitivityInput::kHashrateGrowth: return "1/yr";
    case SensitivityInput::kPowerPrice: return "USD/MWh";
    case SensitivityInput::kFees: return "BTC/block";
    case SensitivityInput::kConversionCapex: return "USD/MW";
    case SensitivityInput::kLeaseRate: return "USD/MW/yr";
    case SensitivityInput::kCount: break;
  }
  return "?";
}

CalibrationErrors calibration_errors(const firm::Scenario& scenario, const market::Calibration& c) {
  CalibrationErrors e;
  // The calibration names each price model's fit by the scenario's keyword for it.
  const model::PriceModel price_model = scenario.market.btc_price_model;
  const std::string_view fit = firm::keyword(price_model);
  if (price_model == model::PriceModel::kGbm || price_model == model::PriceModel::kJumpDiffusion) {
    e.btc_price_mu_annual = se_of(c, "btc_price", fit, "mu_annual");
    e.btc_price_sigma_annual = se_of(c, "btc_price", fit, "sigma_annual");
  } else {
    // The stationary drift of the other models: the SE of the history's mean drift (the GBM fit's μ).
    e.btc_price_mu_annual = se_of(c, "btc_price", firm::keyword(model::PriceModel::kGbm), "mu_annual");
    if (price_model == model::PriceModel::kRegimeSwitching) {
      e.btc_price_sigma_annual = se_of(c, "btc_price", fit, "bull_sigma_annual");
      e.btc_price_bear_sigma_annual = se_of(c, "btc_price", fit, "bear_sigma_annual");
    }
  }
  e.hashrate_drift_annual = se_of(c, "hashrate", "exogenous", "drift_per_day") * kDaysPerYear;
  if (!usable_se(e.hashrate_drift_annual)) e.hashrate_drift_annual = se_of(c, "hashrate", "exogenous", "drift_annual");
  if (scenario.market.hashrate_model == firm::HashrateModel::kMarginDriven)
    e.network_supply_share = se_of(c, "hashrate", "margin_driven", "supply_share_per_year");
  return e;
}

// The network's growth input: the exogenous drift of ln hashrate a year, or the margin-driven network's
// supply share a year (its growth capacity).
double hashrate_growth(const model::MarketModel& m) {
  const model::MarketGrowth g = model::market_growth(m);
  return g.network_supply_share_annual ? *g.network_supply_share_annual : *g.hashrate_drift_annual;
}

double mean_power_price_usd_per_mwh(const firm::Scenario& s) {
  double weighted = 0, capacity = 0;
  for (const firm::Site& site : s.sites) {
    weighted += site.capacity_mw * site.power_price_usd_per_mwh;
    capacity += site.capacity_mw;
  }
  return capacity > 0 ? weighted / capacity : kNoValue;
}

void scale_power_prices(firm::Scenario& s, double factor) {
  for (firm::Site& site : s.sites) site.power_price_usd_per_mwh *= factor;
}

double input_value(SensitivityInput input, const firm::Scenario& s, const model::MarketModel& m) {
  switch (input) {
    case SensitivityInput::kBtcPriceDrift: return model::market_growth(m).btc_price_drift_annual;
    case SensitivityInput::kBtcPriceVolatility: return price_volatility_annual(m);
    case SensitivityInput::kHashrateGrowth: return hashrate_growth(m);
    case SensitivityInput::kPowerPrice: return mean_power_price_usd_per_mwh(s);
    case SensitivityInput::kFees: return m.fees_btc_per_block;
    case SensitivityInput::kConversionCapex:
      return mean_conversion(s, [](const firm::Conversion& c) { return c.capex_usd_per_mw; });
    case SensitivityInput::kLeaseRate:
      return mean_conversion(s, [](const firm::Conversion& c) { return c.lease_usd_per_mw_year; });
    case SensitivityInput::kCount: break;
  }
  return kNoValue;
}

std::vector<InputBump> make_bumps(const firm::Scenario& s, const model::MarketModel& m, const CalibrationErrors& errors,
                                  double relative_bump) {
  require(relative_bump >= 0 && relative_bump < 1, "relative_bump", "must be in [0, 1)");
  std::vector<InputBump> bumps;
  bumps.push_back(additive(SensitivityInput::kBtcPriceDrift, model::market_growth(m).btc_price_drift_annual,
                           errors.btc_price_mu_annual, relative_bump));

  const double sigma = price_volatility_annual(m);
  if (m.price_model == model::PriceModel::kRegimeSwitching) {
    const auto& p = m.regime_switching;
    InputBump b;
    b.input = SensitivityInput::kBtcPriceVolatility;
    b.base = sigma;
    if (usable_se(errors.btc_price_sigma_annual) && usable_se(errors.btc_price_bear_sigma_annual)) {
      b.basis = BumpBasis::kCalibrationSe;
      b.shift = errors.btc_price_sigma_annual;
      b.shift_bear = errors.btc_price_bear_sigma_annual;
    } else {
      b.basis = BumpBasis::kRelative;
      b.shift = relative_bump * p.bull_sigma_annual;
      b.shift_bear = relative_bump * p.bear_sigma_annual;
    }
    b.low = regime_volatility(p, std::max(0.0, p.bull_sigma_annual - b.shift), std::max(0.0, p.bear_sigma_annual - b.shift_bear));
    b.high = regime_volatility(p, p.bull_sigma_annual + b.shift, p.bear_sigma_annual + b.shift_bear);
    bumps.push_back(b);
  } else {
    const double se = m.price_model == model::PriceModel::kBlockBootstrap ? kNoValue : errors.btc_price_sigma_annual;
    InputBump b = additive(SensitivityInput::kBtcPriceVolatility, sigma, se, relative_bump);
    b.low = std::max(0.0, b.low);
    bumps.push_back(b);
  }

  const bool margin_driven = m.hashrate_model == firm::HashrateModel::kMarginDriven;
  InputBump growth = additive(SensitivityInput::kHashrateGrowth, hashrate_growth(m),
                              margin_driven ? errors.network_supply_share : errors.hashrate_drift_annual, relative_bump);
  if (margin_driven) growth.low = std::max(0.0, growth.low);  // a share of installed hashrate
  bumps.push_back(growth);
  bumps.push_back(relative(SensitivityInput::kPowerPrice, mean_power_price_usd_per_mwh(s), relative_bump));
  bumps.push_back(relative(SensitivityInput::kFees, m.fees_btc_per_block, relative_bump));
  bumps.push_back(relative(SensitivityInput::kConversionCapex, input_value(SensitivityInput::kConversionCapex, s, m),
                           relative_bump));
  bumps.push_back(relative(SensitivityInput::kLeaseRate, input_value(SensitivityInput::kLeaseRate, s, m), relative_bump));
  if (!has_conversion(s)) {
    bumps[static_cast<std::size_t>(SensitivityInput::kConversionCapex)].basis = BumpBasis::kAbsent;
    bumps[static_cast<std::size_t>(SensitivityInput::kLeaseRate)].basis = BumpBasis::kAbsent;
  }
  return bumps;
}

// Kept beside apply_bump, whose switch it summarizes (the tests check the two agree).
bool moves_market(SensitivityInput input) {
  return input != SensitivityInput::kPowerPrice && input != SensitivityInput::kConversionCapex &&
         input != SensitivityInput::kLeaseRate;
}

/// Whether moving `input` can change `strategy`'s run: the conversion's capex and lease rate reach
/// only a strategy that can convert a site (firm::can_convert); every other input reaches every one.
bool reaches(SensitivityInput input, const firm::Strategy& strategy) {
  if (input == SensitivityInput::kConversionCapex || input == SensitivityInput::kLeaseRate)
    return firm::can_convert(strategy);
  return true;
}

void apply_bump(const InputBump& bump, int direction, firm::Scenario& s, model::MarketModel& m) {
  if (direction == 0 || bump.basis == BumpBasis::kAbsent) return;
  const double dir = direction < 0 ? -1.0 : 1.0;
  const double factor = 1 + dir * bump.shift;  // for the relative inputs
  switch (bump.input) {
    case SensitivityInput::kBtcPriceDrift:
      shift_price_drift(m, dir * bump.shift);
      break;
    case SensitivityInput::kBtcPriceVolatility:
      shift_price_volatility(m, dir * bump.shift, dir * bump.shift_bear);
      break;
    case SensitivityInput::kHashrateGrowth:
      if (m.hashrate_model == firm::HashrateModel::kMarginDriven) {
        network::MarginHashrateParams p = m.margin.params();
        p.supply_share_per_year = direction < 0 ? bump.low : bump.high;
        model::set_margin_network(m, p);
      } else {
        m.hashrate.drift_per_day += dir * bump.shift / kDaysPerYear;
      }
      break;
    case SensitivityInput::kPowerPrice:
      scale_power_prices(s, factor);
      break;
    case SensitivityInput::kFees:
      // Opening level and long-run level moved alike: every path's log fees shift by ln(factor).
      m.fees_btc_per_block *= factor;
      s.market.fees_btc_per_block *= factor;
      m.fees.log_fees.theta_log += std::log(factor);
      break;
    case SensitivityInput::kConversionCapex:
      for (firm::Site& site : s.sites)
        if (site.conversion) site.conversion->capex_usd_per_mw *= factor;
      break;
    case SensitivityInput::kLeaseRate:
      for (firm::Site& site : s.sites)
        if (site.conversion) site.conversion->lease_usd_per_mw_year *= factor;
      break;
    case SensitivityInput::kCount:
      break;
  }
}

SensitivityOutcome outcome_of(const sim::StrategyStatistics& st) {
  SensitivityOutcome o;
  o.npv_mean_usd = st.npv_mean_usd();
  o.npv_se_usd = st.npv_se_usd();
  o.p_default = st.defaulted.probability();
  o.p_default_se = st.defaulted.standard_error();
  o.ebitda_usd_per_year = st.ebitda_usd_per_year.mean();
  o.ebitda_se_usd_per_year = st.ebitda_usd_per_year.standard_error();
  return o;
}

namespace {

/// Brent's method on [a, b] with f(a) = fa and f(b) = fb already known (find_root's contract).
std::optional<double> brent(const std::function<double(double)>& f, double a, double fa, double b, double fb,
                            double tolerance, int& evaluations, double* slope) {
  const auto set_slope = [&](double x0, double f0, double x1, double f1) {
    if (slope != nullptr) *slope = x1 != x0 ? (f1 - f0) / (x1 - x0) : kNoValue;
  };
  if (fa == 0) {
    set_slope(a, fa, b, fb);
    return a;
  }
  if (fb == 0) {
    set_slope(a, fa, b, fb);
    return b;
  }
  if ((fa > 0) == (fb > 0)) return std::nullopt;
  // Brent (1973), as in Numerical Recipes' zbrent: b is the best estimate, [b, c] brackets the root.
  double c = b, fc = fb, d = b - a, e = d;
  constexpr double kEps = 2.220446049250313e-16;
  for (int iteration = 0; iteration < 200; ++iteration) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (std::abs(fc) < std::abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const double tol1 = 2 * kEps * std::abs(b) + 0.5 * tolerance;
    const double xm = 0.5 * (c - b);
    if (std::abs(xm) <= tol1 || fb == 0) {
      set_slope(b, fb, c, fc);
      return b;
    }
    if (std::abs(e) >= tol1 && std::abs(fa) > std::abs(fb)) {
      const double s = fb / fa;
      double p = 0, q = 0;
      if (a == c) {
        p = 2 * xm * s;
        q = 1 - s;
      } else {
        const double qq = fa / fc;
        const double r = fb / fc;
        p = s * (2 * xm * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      p = std::abs(p);
      const double min1 = 3 * xm * q - std::abs(tol1 * q);
      const double min2 = std::abs(e * q);
      if (2 * p < std::min(min1, min2)) {
        e = d;
        d = p / q;
      } else {
        d = xm;
        e = d;
      }
    } else {
      d = xm;
      e = d;
    }
    a = b;
    fa = fb;
    b += std::abs(d) > tol1 ? d : std::copysign(tol1, xm);
    fb = f(b);
    ++evaluations;
  }
  set_slope(b, fb, c, fc);
  return b;
}

}  // namespace

std::optional<double> find_root(const std::function<double(double)>& f, double a, double b, double tolerance,
                                int& evaluations, double* slope) {
  const double fa = f(a);
  const double fb = f(b);
  evaluations += 2;
  return brent(f, a, fa, b, fb, tolerance, evaluations, slope);
}

std::optional<double> find_root_from(const std::function<double(double)>& f, double start, bool increasing,
                                     double low, double high, double tolerance, int& evaluations) {
  assert(low <= high && start > 0);
  double x = std::clamp(start, low, high);
  double fx = f(x);
  ++evaluations;
  // Each step doubles or halves x toward the root: the side where f crosses zero, for f monotone
  // in the direction given. Below start / 16 (four halvings) the next step down is the bracket's
  // low end (which may be 0, never reached by halving).
  constexpr double kStepFactor = 2;
  constexpr double kLowestHalvingOfStart = 1.0 / 16;
  while (fx != 0) {
    const bool root_above = (fx < 0) == increasing;
    double next = 0;
    if (root_above) {
      next = std::min(high, x * kStepFactor);
    } else {
      next = x / kStepFactor;
      if (next < low || next < start * kLowestHalvingOfStart) next = low;
    }
    if (next == x) return std::nullopt;  // at the bracket's end, f still on the same side
    const double fnext = f(next);
    ++evaluations;
    if (fnext == 0 || (fnext > 0) != (fx > 0))
      return brent(f, std::min(x, next), x < next ? fx : fnext, std::max(x, next), x < next ? fnext : fx, tolerance,
                   evaluations, nullptr);
    x = next;
    fx = fnext;
  }
  return x;
}

namespace {

/// The strategies to study: those of the options, or all.
std::vector<std::size_t> selected_strategies(const firm::Scenario& scenario, const SensitivityOptions& options) {
  require(options.paths >= 1, "paths", "must be at least 1");
  std::vector<std::size_t> selected = options.strategies;
  if (selected.empty())
    for (std::size_t k = 0; k < scenario.strategies.size(); ++k) selected.push_back(k);
  for ([[maybe_unused]] const std::size_t k : selected) assert(k < scenario.strategies.size());  // resolved by name
  return selected;
}

/// The tornado: the base run, then each bump's low and high runs, each strategy's bars sorted by the
/// size of their NPV swing. `simulate` runs one scenario on one market; `simulate_together` runs
/// several scenarios' strategies as the firms of one run on one market (sim::run_peers): the base and
/// the bumps that leave the market alone run that way, so their paths' markets are simulated once,
/// not once per run, and each firm's statistics are those of its own run to the bit.
template <class Simulate, class SimulateTogether>
void tornado(const firm::Scenario& chosen, const model::MarketModel& market, const std::vector<InputBump>& bumps,
             const Simulate& simulate, const SimulateTogether& simulate_together, SensitivityResult& result) {
  const std::size_t strategies = chosen.strategies.size();
  const auto bumped = [&](const InputBump& bump, int side, model::MarketModel& m) {
    firm::Scenario s = chosen;
    apply_bump(bump, side == 0 ? -1 : 1, s, m);
    return s;
  };
  // The base, then the low and high scenario of each bump of the firm alone, in bump order, each
  // holding only the strategies its input reaches (the others' runs are the base's: a firm that
  // never reads the input runs the base's day on the base's market, the same bits).
  constexpr std::size_t kBaseFirm = SIZE_MAX;
  std::vector<firm::Scenario> together = {chosen};
  std::size_t firms_together = strategies;
  int runs_stood_for = 1;
  // firm_of[i][side][k]: strategy k's firm in the shared run at bump i's side, or kBaseFirm.
  std::vector<std::array<std::vector<std::size_t>, 2>> firm_of(bumps.size());
  for (std::size_t i = 0; i < bumps.size(); ++i) {
    if (bumps[i].basis == BumpBasis::kAbsent || moves_market(bumps[i].input)) continue;
    runs_stood_for += 2;
    for (int side = 0; side < 2; ++side) {
      model::MarketModel unchanged = market;  // apply_bump leaves it as it is for these inputs
      firm::Scenario s = bumped(bumps[i], side, unchanged);
      std::vector<std::size_t>& firm_index = firm_of[i][static_cast<std::size_t>(side)];
      firm_index.assign(strategies, kBaseFirm);
      std::vector<firm::Strategy> reached;
      for (std::size_t k = 0; k < strategies; ++k) {
        if (!reaches(bumps[i].input, s.strategies[k])) continue;
        firm_index[k] = firms_together++;
        reached.push_back(s.strategies[k]);
      }
      if (reached.empty()) continue;
      s.strategies = std::move(reached);
      together.push_back(std::move(s));
    }
  }
  const sim::RunResult shared = simulate_together(together, market, runs_stood_for);
  result.strategies.resize(strategies);
  for (std::size_t k = 0; k < strategies; ++k) {
    result.strategies[k].strategy = chosen.strategies[k].name;
    result.strategies[k].base = outcome_of(shared.strategies[k]);
  }
  for (std::size_t i = 0; i < bumps.size(); ++i) {
    const InputBump& bump = bumps[i];
    std::array<std::vector<SensitivityOutcome>, 2> sides;
    for (int side = 0; side < 2; ++side) {
      std::vector<SensitivityOutcome>& outcomes = sides[static_cast<std::size_t>(side)];
      if (bump.basis == BumpBasis::kAbsent) {
        // Nothing to move: the base run is both ends (a zero swing, not an error).
        for (std::size_t k = 0; k < strategies; ++k) outcomes.push_back(result.strategies[k].base);
        continue;
      }
      if (!moves_market(bump.input)) {
        const std::vector<std::size_t>& firm_index = firm_of[i][static_cast<std::size_t>(side)];
        for (std::size_t k = 0; k < strategies; ++k)
          outcomes.push_back(firm_index[k] == kBaseFirm ? result.strategies[k].base
                                                        : outcome_of(shared.strategies[firm_index[k]]));
        continue;
      }
      model::MarketModel m = market;
      const firm::Scenario s = bumped(bump, side, m);
      const sim::RunResult r =
          simulate(s, m, std::string(sensitivity_input_name(bump.input)) + (side == 0 ? " low" : " high"));
      for (std::size_t k = 0; k < strategies; ++k) outcomes.push_back(outcome_of(r.strategies[k]));
    }
    for (std::size_t k = 0; k < strategies; ++k)
      result.strategies[k].bars.push_back(TornadoBar{bump, sides[0][k], sides[1][k]});
  }
  for (StrategySensitivity& st : result.strategies)
    std::stable_sort(st.bars.begin(), st.bars.end(), [](const TornadoBar& x, const TornadoBar& y) {
      return std::abs(x.npv_swing_usd()) > std::abs(y.npv_swing_usd());
    });
}

}  // namespace

SensitivityResult run_sensitivity(const firm::Scenario& scenario, const model::MarketModel& market,
                                  const CalibrationErrors& errors, const SensitivityOptions& options) {
  const std::vector<std::size_t> selected = selected_strategies(scenario, options);

  const auto started = std::chrono::steady_clock::now();
  firm::Scenario chosen = scenario;
  chosen.strategies.clear();
  for (const std::size_t k : selected) chosen.strategies.push_back(scenario.strategies[k]);

  const std::vector<InputBump> bumps = make_bumps(chosen, market, errors, options.relative_bump);
  int tornado_runs = 1;
  for (const InputBump& b : bumps) tornado_runs += b.basis == BumpBasis::kAbsent ? 0 : 2;

  SensitivityResult result;
  result.scenario_name = scenario.run.name;
  result.paths = options.paths;
  result.seed = options.seed;
  result.relative_bump = options.relative_bump;
  result.price_model = std::string(firm::keyword(scenario.market.btc_price_model));

  sim::RunOptions run_options;
  run_options.paths = options.paths;
  run_options.seed = options.seed;
  run_options.threads = options.threads;
  run_options.group = options.group;
  run_options.variance_reduction = options.variance_reduction;
  // The base run stores its markets for the runs that keep them (sim::MarketReplay): the power
  // price's break-even moves the firm alone, so its root-finding runs replay the base's markets.
  std::optional<sim::MarketReplay> replay;
  if (options.break_evens)
    replay = sim::MarketReplay::within_budget(market, chosen, options.seed, options.paths, options.variance_reduction,
                                              options.market_replay_budget_bytes);
  sim::MarketReplay* const base_markets = replay ? &*replay : nullptr;
  const auto simulate = [&](const firm::Scenario& s, const model::MarketModel& m, const std::string& label,
                            sim::MarketReplay* markets = nullptr) {
    if (options.progress) options.progress(label, result.runs, tornado_runs);
    ++result.runs;
    sim::RunOptions o = run_options;
    o.market_replay = markets;
    return run_simulation(s, m, o);
  };

  // `runs_stood_for`: the runs whose results it gives (the header's and the progress line's count).
  const auto simulate_together = [&](const std::vector<firm::Scenario>& scenarios, const model::MarketModel& m,
                                     int runs_stood_for) {
    const std::size_t inputs = (scenarios.size() - 1) / 2;
    if (options.progress)
      options.progress(inputs == 0 ? std::string("base")
                                   : fmt::format("base and {} input{} of the firm", inputs, inputs == 1 ? "" : "s"),
                       result.runs, tornado_runs);
    result.runs += runs_stood_for;
    std::vector<sim::RunFirm> firms;
    for (const firm::Scenario& s : scenarios)
      for (std::size_t k = 0; k < s.strategies.size(); ++k) firms.push_back({&s, k, s.strategies[k].name});
    sim::RunOptions o = run_options;
    o.market_replay = base_markets;  // the base's markets, stored
    return sim::run_peers(scenarios.front().run.name, firms, m, o);
  };

  tornado(chosen, market, bumps, simulate, simulate_together, result);

  if (options.break_evens) {
    const double opening_price = market.btc_price_usd;
    const double mean_power = mean_power_price_usd_per_mwh(scenario);
    for (std::size_t k = 0; k < selected.size(); ++k) {
      firm::Scenario alone = scenario;
      alone.strategies = {scenario.strategies[selected[k]]};
      // The operating break-even: financing removed (no debt, cash that never runs out), so no path
      // defaults and f is the mean EBITDA of the strategy's operations (fleet, curtailment, conversion).
      // With defaults f would jump and need not be monotone (a default ends a path's losses).
      alone.debts.clear();
      alone.treasury.cash_usd = kOperatingCashUsd;
      for (firm::OneOffSale& sale : alone.strategies.front().sales)
        if (sale.use == firm::SaleUse::kRepayDebt) {
          sale.use = firm::SaleUse::kCash;
          sale.repay_debt.clear();
        }
      const std::string& name = alone.strategies.front().name;
      // Both searches start at the base value (kBaseFactor), where each scales nothing: their first
      // run is the same run, made once, on the base's markets (stored by the base run when a replay fits).
      std::optional<SensitivityOutcome> at_base;
      // Solves f(x) = mean EBITDA per year = 0 for x in [low, high]; `scaled` builds the run at x;
      // `market_moves`: whether it moves the market (else the runs replay the base's markets).
      const auto solve = [&](double low, double high, double unit_per_x, const std::string& label, bool market_moves,
                             bool increasing, auto scaled) {
        BreakEven be;
        be.bracket_low = low * unit_per_x;
        be.bracket_high = high * unit_per_x;
        std::vector<std::pair<double, SensitivityOutcome>> seen;
        const auto f = [&](double x) {
          const bool base = x == kBaseFactor;
          if (!(base && at_base)) {
            firm::Scenario s = alone;
            model::MarketModel m = market;
            scaled(x, s, m);
            const sim::RunResult r =
                market_moves && !base ? simulate(s, m, label) : simulate(s, market, label, base_markets);
            seen.emplace_back(x, outcome_of(r.strategies.front()));
            if (base) at_base = seen.back().second;
          } else {
            seen.emplace_back(x, *at_base);
          }
          return seen.back().second.ebitda_usd_per_year;
        };
        // The tolerance is relative to the base value, i.e. absolute in x (a factor of the base).
        const std::optional<double> root =
            find_root_from(f, kBaseFactor, increasing, low, high, options.tolerance, be.evaluations);
        if (root) {
          be.found = true;
          be.value = *root * unit_per_x;
          // SE by the delta method with the slope of a central difference over ±slope_step of the base:
          // defaults make f jump at some x, so the final bracket's secant can be arbitrarily steep.
          const double x_low = std::max(low, *root - options.slope_step);
          const double x_high = std::min(high, *root + options.slope_step);
          const std::size_t before = seen.size();
          const double f_low = f(x_low);
          const double f_high = f(x_high);
          be.evaluations += 2;
          const double se_f = 0.5 * (seen[before].second.ebitda_se_usd_per_year + seen[before + 1].second.ebitda_se_usd_per_year);
          const double slope_per_unit = (f_high - f_low) / ((x_high - x_low) * unit_per_x);
          be.se = slope_per_unit != 0 ? std::abs(se_f / slope_per_unit) : kNoValue;
        }
        return be;
      };
      BreakEven btc = solve(options.btc_factor_low, options.btc_factor_high, opening_price,
                            "break-even BTC price of " + name, true, true, [&](double x, firm::Scenario& s, model::MarketModel& m) {
                              m.btc_price_usd = opening_price * x;
                              s.market.btc_price_usd = opening_price * x;
                            });
      btc.factor = btc.found ? btc.value / opening_price : kNoValue;
      BreakEven power = solve(options.power_factor_low, options.power_factor_high, mean_power,
                              "break-even power price of " + name, false, false,
                              [](double x, firm::Scenario& s, model::MarketModel&) { scale_power_prices(s, x); });
      power.factor = power.found ? power.value / mean_power : kNoValue;
      result.strategies[k].btc_price_usd = btc;
      result.strategies[k].power_price_usd_per_mwh = power;
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace hashpivot::study
