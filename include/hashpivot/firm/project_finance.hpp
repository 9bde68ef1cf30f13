#pragma once
// Project finance of a conversion to AI/HPC, as lenders value it (issue 14): pure functions of the
// annuity that repays project debt over the lease term, and of the contracted lease's remaining
// value. No state, no allocation; the daily step uses only annuity_payment_usd (once, on the first
// day of revenue), the horizon valuation the rest.

#include <algorithm>
#include <cassert>
#include <cmath>
#include <span>

#include "hashpivot/core/units.hpp"

namespace hashpivot::firm {

/// The level payment (USD per period) that repays `principal_usd` with interest `rate_per_period`
/// (a fraction, >= 0) in `periods` (> 0) equal payments at the end of each period:
/// P·r / (1 − (1 + r)^−n); P / n when r = 0.
[[nodiscard]] inline double annuity_payment_usd(double principal_usd, double rate_per_period, int periods) {
  assert(periods > 0 && rate_per_period >= 0.0);
  const auto n = static_cast<double>(periods);
  if (rate_per_period == 0.0) return principal_usd / n;
  return principal_usd * rate_per_period / -std::expm1(-n * std::log1p(rate_per_period));
}

/// The balance (USD) left after `payments_made` (0..periods) payments of that annuity:
/// P·(1 + r)^k − A·((1 + r)^k − 1) / r, with A the payment; P·(1 − k/n) when r = 0. Zero at k = n.
[[nodiscard]] inline double annuity_balance_usd(double principal_usd, double rate_per_period, int periods,
                                                int payments_made) {
  assert(payments_made >= 0 && payments_made <= periods);
  const double payment = annuity_payment_usd(principal_usd, rate_per_period, periods);
  const auto k = static_cast<double>(payments_made);
  if (rate_per_period == 0.0) return std::max(0.0, principal_usd - payment * k);
  const double growth_minus_one = std::expm1(k * std::log1p(rate_per_period));
  return std::max(0.0, principal_usd * (1.0 + growth_minus_one) - payment * growth_minus_one / rate_per_period);
}

/// The factor one day further weighs a lease's cash: survival of the tenant (annual default
/// probability `default_prob_annual`, in [0, 1]; 1: nothing after the first day) over discounting at `discount_rate_annual`
/// (annual compounding): ((1 − p) / (1 + r))^(1/365).
[[nodiscard]] inline double lease_daily_factor(double discount_rate_annual, double default_prob_annual) {
  assert(default_prob_annual >= 0.0 && default_prob_annual <= 1.0 && discount_rate_annual > -1.0);
  return std::exp((std::log1p(-default_prob_annual) - std::log1p(discount_rate_annual)) / kDaysPerYear);
}

/// The value (USD, at the start of day `from_day` of the term) of a lease's remaining days
/// [from_day, term_days): Σ_t noi(t) · factor^(t − from_day), noi(t) the day's NOI of contract year
/// t / 365 (`noi_usd_per_day_by_contract_year`, already × MW × NOI margin) and `factor` a
/// lease_daily_factor. Zero when from_day >= term_days. from_day >= 0: a lease not yet started is
/// valued from its first day, and the caller discounts that value to its own date.
[[nodiscard]] inline double lease_remaining_value_usd(std::span<const double> noi_usd_per_day_by_contract_year,
                                                      int term_days, int from_day, double factor) {
  assert(from_day >= 0);
  double value = 0.0;
  double weight = 1.0;
  const int days_per_year = static_cast<int>(kDaysPerYear);
  for (int t = from_day; t < term_days; ++t) {
    value += weight * noi_usd_per_day_by_contract_year[static_cast<std::size_t>(t / days_per_year)];
    weight *= factor;
  }
  return value;
}

}  // namespace hashpivot::firm
