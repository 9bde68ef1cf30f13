#pragma once
// European options on BTC by Black & Scholes (1973), no dividends (BTC pays none): the premiums of
// a strategy's hedges (firm/plan.hpp PlanHedge) and valuation's put (valuation/lsm.hpp
// black_scholes_put delegates here, so the formula lives once). Pure, allocation-free: the daily
// step prices a hedge bought on a path's day with them.
//
// Units: spot and strike USD per BTC; rate r continuously compounded per year; volatility σ per
// √year; maturity T in years. The results are USD per BTC of notional.
//   d₁ = (ln(S/K) + (r + σ²/2) T) / (σ√T),  d₂ = d₁ − σ√T
//   put  = K e^{−rT} N(−d₂) − S N(−d₁),      call = S N(d₁) − K e^{−rT} N(d₂)
// Preconditions (asserted by the callers that take input: io, valuation): S, K, σ, T > 0, r finite.

#include <cmath>
#include <numbers>

namespace hashpivot::firm {

/// The standard normal CDF N(x), as erfc(−x/√2)/2: accurate in the lower tail too.
[[nodiscard]] inline double standard_normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

/// The inputs of one European option price.
struct OptionTerms {
  double spot_usd_per_btc;
  double strike_usd_per_btc;
  double rate_annual;          // risk-free, continuously compounded
  double volatility_annual;    // implied, per √year
  double maturity_years;
};

/// d₁ and d₂ of `terms`.
struct BlackScholesD {
  double d1;
  double d2;
};
[[nodiscard]] inline BlackScholesD black_scholes_d(const OptionTerms& terms) {
  const double sigma_sqrt_t = terms.volatility_annual * std::sqrt(terms.maturity_years);
  const double d1 = (std::log(terms.spot_usd_per_btc / terms.strike_usd_per_btc) +
                     (terms.rate_annual + 0.5 * terms.volatility_annual * terms.volatility_annual) * terms.maturity_years) /
                    sigma_sqrt_t;
  return {d1, d1 - sigma_sqrt_t};
}

/// The European put's premium, USD per BTC: K e^{−rT} N(−d₂) − S N(−d₁).
[[nodiscard]] inline double black_scholes_put_usd(const OptionTerms& terms) {
  const BlackScholesD d = black_scholes_d(terms);
  return terms.strike_usd_per_btc * std::exp(-terms.rate_annual * terms.maturity_years) * standard_normal_cdf(-d.d2) -
         terms.spot_usd_per_btc * standard_normal_cdf(-d.d1);
}

/// The European call's premium, USD per BTC: S N(d₁) − K e^{−rT} N(d₂).
[[nodiscard]] inline double black_scholes_call_usd(const OptionTerms& terms) {
  const BlackScholesD d = black_scholes_d(terms);
  return terms.spot_usd_per_btc * standard_normal_cdf(d.d1) -
         terms.strike_usd_per_btc * std::exp(-terms.rate_annual * terms.maturity_years) * standard_normal_cdf(d.d2);
}

}  // namespace hashpivot::firm
