#include "hashpivot/firm/rules.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace hashpivot::firm {

CurtailedDay curtail_hourly(std::span<const double> hourly_price_usd_per_mwh, double breakeven_usd_per_mwh,
                            double credit_usd_per_mwh, double margin_usd_per_mwh) {
  CurtailedDay day{0.0, 0.0, 0.0};
  for (const double index_price : hourly_price_usd_per_mwh) {
    const double price = index_price + margin_usd_per_mwh;  // + 0.0 keeps an index contract's bits
    if (price + credit_usd_per_mwh < breakeven_usd_per_mwh) {
      day.running_hours += 1.0;
      day.energy_cost_usd_per_mw += price;
    } else {
      day.credit_usd_per_mw += credit_usd_per_mwh;
    }
  }
  return day;
}

double topup_to_target_btc(double loan_usd, double collateral_btc, double price_usd, double ltv_target) {
  assert(ltv_target > 0 && price_usd > 0);
  return std::max(0.0, loan_usd / (ltv_target * price_usd) - collateral_btc);
}

/// btc_to_raise's Newton steps stop after one smaller than this share of q.
constexpr double kConvergedStepOfQ = 1e-8;

namespace detail {

double btc_to_raise_beyond_series(double usd, double price_usd, double impact_per_sqrt_btc, double q0, double target,
                                  double linear_btc) {
  assert(price_usd > 0);
  const double c = impact_per_sqrt_btc;
  const double exhausted = impact_exhausted_btc(c);
  // R(Q*) = price·Q*/3 up to rounding: a target clearly below that is below the computed R(Q*) too,
  // so the exact test (and its square root) is needed only near the top of the book.
  constexpr double kClearlyBelowTop = 0.999;
  const bool near_top = !(target < kClearlyBelowTop * price_usd * exhausted / 3.0);
  if (near_top && target >= impacted_revenue_usd(price_usd, c, exhausted)) return std::max(0.0, exhausted - q0);
  // R is increasing and concave on [0, Q*]: from a point below the root each Newton step stays below
  // it, so the iterates rise monotonically. q0 + usd / price is below the root (R' <= price); one step
  // of the root's own fixed-point form, Q = T / price + c·Q^{3/2}, stays below it and takes the
  // relative error from about c√Q to about c²Q (T / price is linear_btc, above).
  constexpr int kMaxNewtonSteps = 100;
  double total = q0 + usd / price_usd;
  total = std::min(exhausted, std::max(total, linear_btc + c * total * std::sqrt(total)));
  for (int step = 0; step < kMaxNewtonSteps; ++step) {
    // R(total) and R'(total) share √total (the iterates stay at or below Q*, where R's q is total):
    // one square root a step instead of two, the same bits as impacted_revenue_usd.
    const double root = std::sqrt(total);
    const double revenue = total <= exhausted ? price_usd * (total - c * total * root)
                                              : impacted_revenue_usd(price_usd, c, total);
    const double shortfall = target - revenue;
    const double marginal = price_usd * (1.0 - 1.5 * c * root);
    if (!(shortfall > 0.0) || !(marginal > 0.0)) break;
    const double next = std::min(exhausted, total + shortfall / marginal);
    if (next <= total) break;
    // After a step δ the root is within (R''/2R')·δ² above, which leaves the proceeds short by at
    // most price·q·(δ/q)²/4 (for any q below Q*): 2.5·10⁻¹⁷ of price·q after a step of 10⁻⁸ of q,
    // under their own rounding. Stopping there saves the steps that only confirm convergence.
    const bool converged = next - total <= kConvergedStepOfQ * next;
    total = next;
    if (converged) break;
  }
  return total - q0;
}

}  // namespace detail

Liquidation liquidate(double loan_usd, double collateral_btc, double price_usd, double impact_per_sqrt_btc,
                      double sold_before_btc) {
  const double needed_btc = price_usd > 0 ? btc_to_raise(loan_usd, price_usd, impact_per_sqrt_btc, sold_before_btc)
                                          : std::numeric_limits<double>::infinity();
  const double sold = std::min(collateral_btc, needed_btc);
  const double repaid = sale_proceeds_usd(price_usd, impact_per_sqrt_btc, sold_before_btc, sold);
  return {sold, repaid, std::max(0.0, loan_usd - repaid), collateral_btc - sold};
}

double lease_usd_per_mw_year(double base_usd_per_mw_year, double escalator_annual, int contract_year) {
  return base_usd_per_mw_year * std::pow(1.0 + escalator_annual, contract_year - 1);
}

}  // namespace hashpivot::firm
