#pragma once
// Refinancing a maturing debt: the lender's tests and the trailing EBITDA they read, as pure
// functions (scenario.hpp Refinancing states the terms; day_steps.hpp refinance_maturing applies them).

#include <algorithm>

namespace hashpivot::firm {

/// The trailing window a lender's coverage test reads, days: one quarter, as covenants test
/// quarterly EBITDA (docs/scenario.md [debt.refinance]).
inline constexpr double kTrailingEbitdaDays = 91.0;

/// The exponentially weighted EBITDA per day after `day`'s EBITDA: E_0 = ebitda_0,
/// E_t = E_{t−1} + (ebitda_t − E_{t−1}) / kTrailingEbitdaDays.
template <class T>
[[nodiscard]] constexpr T trailing_ebitda_usd_per_day(T previous_usd_per_day, T ebitda_today_usd, int day) {
  if (day == 0) return ebitda_today_usd;
  return previous_usd_per_day + (ebitda_today_usd - previous_usd_per_day) / kTrailingEbitdaDays;
}

/// The BTC a BTC-backed loan of `principal_usd` must have pledged to stand at `max_ltv` at `price`:
/// principal / (max_ltv × price). max_ltv and price > 0.
[[nodiscard]] constexpr double collateral_for_ltv_btc(double principal_usd, double price_usd_per_btc, double max_ltv) {
  return principal_usd / (max_ltv * price_usd_per_btc);
}

/// The interest-coverage test: annualized trailing EBITDA >= min_coverage × annual interest.
/// min_coverage 0 always passes (no test), so does a firm that owes no interest.
[[nodiscard]] constexpr bool passes_interest_coverage(double trailing_ebitda_usd_per_day, double days_per_year,
                                                      double annual_interest_usd, double min_coverage) {
  if (min_coverage <= 0.0 || annual_interest_usd <= 0.0) return true;
  return trailing_ebitda_usd_per_day * days_per_year >= min_coverage * annual_interest_usd;
}

}  // namespace hashpivot::firm
