#pragma once
// The firm's daily rules as small pure functions (docs/model.md §4). Units are in the names; a day is
// 24 hours and a year 365 days.

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <span>

#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/lanes.hpp"

// The one-line rules are defined here, inline: firm::step_day calls them for every fleet entry on
// every path-day, and a call into another translation unit was 7% of a run's time.

namespace hashpivot::firm {

// ---- Mining revenue and power ------------------------------------------------------------------

/// FPPS payout for a day: hashrate × uptime × hashprice × (1 − pool fee), with hashrate in TH/s
/// and hashprice in BTC per PH/s per day (1 PH/s = 1000 TH/s).
[[nodiscard]] inline double fpps_btc_per_day(double hashrate_th, double uptime, double hashprice_btc_per_ph_day,
                                             double pool_fee) {
  return hashrate_th / kThPerPh * uptime * hashprice_btc_per_ph_day * (1.0 - pool_fee);
}

/// Energy a load draws in a day, MWh: power_w × pue × running_hours / 10^6.
[[nodiscard]] inline double energy_mwh(double power_w, double pue, double running_hours) {
  return power_w * pue * running_hours / kWattsPerMegawatt;
}

/// What a machine of efficiency e (J/TH) earns per MWh drawn at the meter:
///   hashprice_usd / (e · 24 · 10^-3) × (1 − pool fee) / pue   USD/MWh.
/// It pays to run in an hour when the power price, less any credit for curtailing, is below this.
[[nodiscard]] inline double breakeven_power_price_usd_per_mwh(double hashprice_usd_per_ph_day,
                                                              double efficiency_j_per_th, double pue, double pool_fee) {
  // 1 PH/s at e J/TH draws 1000·e W = e·24·10^-3 MWh a day, so a PH/s-day costs e·0.024 MWh.
  constexpr double kMwPerPhAtOneJPerTh = kThPerPh / kWattsPerMegawatt;  // 10^-3 (exactly the double 1e-3)
  return hashprice_usd_per_ph_day * (1.0 - pool_fee) /
         (efficiency_j_per_th * static_cast<double>(kHoursPerDay) * kMwPerPhAtOneJPerTh) / pue;
}

/// The hours of a day a machine runs under economic curtailment, given the day's hourly power
/// prices (USD/MWh, 24 values or fewer), a margin added to each (a pass-through contract's; 0 for
/// an index contract) and the credit earned per MWh not drawn: an hour runs when price + margin +
/// credit < break-even (curtailing forgoes revenue but saves the energy price and earns the credit).
struct CurtailedDay {
  double running_hours;
  double energy_cost_usd_per_mw;    // cost of the hours run, per MW of load
  double credit_usd_per_mw;         // credits for the hours curtailed, per MW of load
};
[[nodiscard]] CurtailedDay curtail_hourly(std::span<const double> hourly_price_usd_per_mwh, double breakeven_usd_per_mwh,
                                          double credit_usd_per_mwh, double margin_usd_per_mwh = 0.0);

// ---- Market impact of BTC sales (docs/model.md §4) -----------------------------------------------------

/// The square-root law of market impact: a sale of Q BTC in a day moves the price against the seller
/// by Y × σ_daily × sqrt(Q / V_daily) by its end, and the sale fills on average at
///   price × (1 − c × sqrt(Q)),   c = k × σ_daily / sqrt(V_daily)   (k = 2/3 Y: the mean of the
/// impact along an evenly executed sale), so the day's sales of Q BTC raise
///   R(Q) = price × (Q − c × Q^(3/2)).
/// Each further BTC fills at the marginal price price × (1 − 3/2 c sqrt(Q)), which reaches zero at
/// Q* = 4 / (9 c²): the book is exhausted and BTC sold beyond Q* raise nothing more (R is flat).
/// The day's sales walk the book in turn: a sale of q BTC after q0 already sold today raises
/// R(q0 + q) − R(q0), so splitting a day's sales differently does not change what they raise.
/// With c = 0 a sale raises q × price exactly.
[[nodiscard]] inline double impact_exhausted_btc(double impact_per_sqrt_btc) {
  return 4.0 / (9.0 * impact_per_sqrt_btc * impact_per_sqrt_btc);
}

/// R(Q) above, USD: what the day's first `btc` BTC sold raise at `price_usd` (impact > 0).
/// For a path (T = double) or a block's lanes (T = lanes::Lanes), as the rules below that take a T.
template <class T>
[[nodiscard]] inline T impacted_revenue_usd(T price_usd, double impact_per_sqrt_btc, T btc) {
  const T q = lanes::min(btc, lanes::splat<T>(impact_exhausted_btc(impact_per_sqrt_btc)));
  return price_usd * (q - impact_per_sqrt_btc * q * lanes::sqrt(q));
}
[[nodiscard]] inline double impacted_revenue_usd(double price_usd, double impact_per_sqrt_btc, double btc) {
  return impacted_revenue_usd<double>(price_usd, impact_per_sqrt_btc, btc);
}

/// What a sale of `btc` BTC raises after `sold_before_btc` BTC already sold today: R(q0 + q) − R(q0),
/// and `btc` × `price_usd` when there is no impact. The slippage is `btc` × `price_usd` minus this.
template <class T>
[[nodiscard]] inline T sale_proceeds_usd(T price_usd, double impact_per_sqrt_btc, T sold_before_btc, T btc) {
  if (impact_per_sqrt_btc <= 0.0) return btc * price_usd;
  const T after = impacted_revenue_usd(price_usd, impact_per_sqrt_btc, sold_before_btc + btc);
  // R(0) = 0 exactly and x − 0 = x: the day's first sale needs one square root, not two.
  const auto sold_before = sold_before_btc > 0.0;
  if (!lanes::any(sold_before)) return after;
  return lanes::select(sold_before, after - impacted_revenue_usd(price_usd, impact_per_sqrt_btc, sold_before_btc), after);
}
[[nodiscard]] inline double sale_proceeds_usd(double price_usd, double impact_per_sqrt_btc, double sold_before_btc,
                                              double btc) {
  return sale_proceeds_usd<double>(price_usd, impact_per_sqrt_btc, sold_before_btc, btc);
}

namespace detail {

/// The root of q − c·q^{3/2} = a (R(q) = price·a) is q = a·(1 + δ) with δ = ε·(1 + δ)^{3/2}, ε = c·√a.
/// Lagrange's inversion gives δ = Σₙ C(3n/2, n − 1)/n · εⁿ = ε + 1.5ε² + 2.625ε³ + 5ε⁴ + 10.0546875ε⁵
/// + 21ε⁶ + 45.1064…ε⁷ + …, whose coefficients grow by less than 27/4 a power. Up to ε = 2·10⁻³ the
/// terms after ε⁶ add under 6·10⁻¹⁸ of q, about a twentieth of its rounding: the sum to ε⁶ is the
/// root. Such a sale is far below the exhausted book (q/Q* = 9ε²(1 + δ)/4 < 10⁻⁵).
inline constexpr double kSeriesMaxImpact = 2e-3;

/// δ(ε) above, summed to ε⁶ by Estrin's scheme (short dependency chains: the latency is the cost).
template <class T>
[[nodiscard]] inline T root_growth_of_impact(T eps) {
  const T eps2 = eps * eps;
  return eps * ((1.0 + 1.5 * eps) + eps2 * ((2.625 + 5.0 * eps) + eps2 * (10.0546875 + 21.0 * eps)));
}

/// btc_to_raise for a sale beyond the series' reach (ε above kSeriesMaxImpact): the top of the book
/// or Newton's method, as btc_to_raise says. `target` is R(q0) + usd and `linear_btc` target / price.
[[nodiscard]] double btc_to_raise_beyond_series(double usd, double price_usd, double impact_per_sqrt_btc, double q0,
                                                double target, double linear_btc);

}  // namespace detail

/// The BTC to sell, after `sold_before_btc` sold today, to raise `usd`: the q with
/// sale_proceeds_usd(price, c, q0, q) = usd. A sale small against the book (ε = c·√a up to 2·10⁻³,
/// a = (R(q0) + usd) / price; at Cango's impact, up to about 1,600 BTC in a day) takes the root's
/// series in ε, q0 + q = a·(1 + ε + 1.5ε² + …): one division and one square root. A larger one
/// takes Newton's method on the concave R from one fixed-point step above q0 + usd / price, which
/// stays below the root and converges to it; it stops after a step under 10^−8 of q, when the
/// proceeds fall short of `usd` by under 10^−16 of them. Either is within a few ulps of the root.
/// `usd` / `price_usd` when there is no impact, 0
/// for usd <= 0, and Q* − q0 (everything the book still takes) when even that raises less than `usd`.
/// Preconditions: price_usd > 0.
///
/// Inline: it is on the chain from one day's cash to the next for a firm that sells to pay its bills
/// (the remedies' cover sale), and out of line its call and spills were part of that chain's latency.
/// Always: GCC 12's inliner kept the remedies' four calls out of line (a run 1-2 % slower).
template <class T>
[[nodiscard, gnu::always_inline]] inline T btc_to_raise(T usd, T price_usd, double impact_per_sqrt_btc,
                                                        T sold_before_btc) {
  if constexpr (!lanes::kIsLanes<T>) assert(price_usd > 0);
  if (impact_per_sqrt_btc <= 0.0) return usd / price_usd;
  const auto nothing = usd <= 0.0;
  if (lanes::all(nothing)) return T{};
  const double c = impact_per_sqrt_btc;
  const T q0 = lanes::min(sold_before_btc, lanes::splat<T>(impact_exhausted_btc(c)));
  // R(0) = 0 exactly (the day's first sale): no square root for it.
  const auto sold_before = q0 > 0.0;
  const T target =
      lanes::any(sold_before) ? lanes::select(sold_before, impacted_revenue_usd(price_usd, c, q0) + usd, usd) : usd;
  // A sale small against the book: the root as a series, a division and a square root instead of
  // Newton's steps (each a square root and a division, in sequence).
  const T linear_btc = target / price_usd;
  const T impact = c * lanes::sqrt(linear_btc);
  const auto series = impact <= detail::kSeriesMaxImpact;
  T btc = lanes::max(T{}, linear_btc + linear_btc * detail::root_growth_of_impact(impact) - q0);
  if constexpr (lanes::kIsLanes<T>) {
    for (std::size_t l = 0; l < lanes::kLanes; ++l)
      if (!series[l] && !nothing[l])
        btc[l] = detail::btc_to_raise_beyond_series(usd[l], price_usd[l], c, q0[l], target[l], linear_btc[l]);
    return lanes::select(nothing, T{}, btc);
  } else {
    if (series) return btc;
    return detail::btc_to_raise_beyond_series(usd, price_usd, c, q0, target, linear_btc);
  }
}
[[nodiscard, gnu::always_inline]] inline double btc_to_raise(double usd, double price_usd, double impact_per_sqrt_btc,
                                                             double sold_before_btc) {
  return btc_to_raise<double>(usd, price_usd, impact_per_sqrt_btc, sold_before_btc);
}

// ---- BTC-collateralized loans -----------------------------------------------------------------

/// Loan-to-value: loan / (collateral × price). Infinite when the collateral is worth nothing.
template <class T>
[[nodiscard]] inline T loan_to_value(T loan_usd, T collateral_btc, T price_usd) {
  const T collateral_usd = collateral_btc * price_usd;
  const T no_collateral =
      lanes::select(loan_usd > 0.0, lanes::splat<T>(std::numeric_limits<double>::infinity()), lanes::splat<T>(0.0));
  return lanes::select(collateral_usd <= 0.0, no_collateral, loan_usd / collateral_usd);
}
[[nodiscard]] inline double loan_to_value(double loan_usd, double collateral_btc, double price_usd) {
  return loan_to_value<double>(loan_usd, collateral_btc, price_usd);
}

/// BTC to add so that the LTV falls back to `ltv_target`: loan / (ltv_target × price) − collateral,
/// and zero when already at or below the target.
[[nodiscard]] double topup_to_target_btc(double loan_usd, double collateral_btc, double price_usd, double ltv_target);

/// Liquidation: the lender sells collateral to repay the loan in full (or all of it if it is not
/// enough); the rest of the collateral is returned. The lender's sale fills with the day's market
/// impact (sale_proceeds_usd, after `sold_before_btc` sold today); by default none.
struct Liquidation {
  double collateral_sold_btc;
  double loan_repaid_usd;
  double loan_remaining_usd;    // unsecured shortfall, zero if the collateral covered the loan
  double collateral_returned_btc;
};
[[nodiscard]] Liquidation liquidate(double loan_usd, double collateral_btc, double price_usd,
                                    double impact_per_sqrt_btc = 0.0, double sold_before_btc = 0.0);

// ---- Debt service and leases ------------------------------------------------------------------

/// Interest accrued in one day at an annual simple rate (actual/365).
template <class T>
[[nodiscard]] inline T daily_interest_usd(T principal_usd, T rate_annual) {
  return principal_usd * rate_annual / kDaysPerYear;
}
[[nodiscard]] inline double daily_interest_usd(double principal_usd, double rate_annual) {
  return daily_interest_usd<double>(principal_usd, rate_annual);
}

/// Straight-line amortization: the principal due today so that it reaches zero at maturity.
/// `days_to_maturity` counts today; the last day repays what remains.
template <class T>
[[nodiscard]] inline T linear_amortization_usd(T principal_usd, lanes::IntOf<T> days_to_maturity) {
  return lanes::select(days_to_maturity <= 1, principal_usd, principal_usd / lanes::to_double(days_to_maturity));
}
[[nodiscard]] inline double linear_amortization_usd(double principal_usd, int days_to_maturity) {
  return linear_amortization_usd<double>(principal_usd, days_to_maturity);
}

/// Lease revenue of contract year n (1-based) with an annual escalator: base × (1 + g)^(n − 1).
[[nodiscard]] double lease_usd_per_mw_year(double base_usd_per_mw_year, double escalator_annual, int contract_year);

}  // namespace hashpivot::firm
