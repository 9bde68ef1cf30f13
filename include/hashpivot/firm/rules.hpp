#pragma once
// The firm's daily rules as small pure functions (MODEL.md §4). Units are in the names; a day is
// 24 hours and a year 365 days.

#include <limits>
#include <span>

#include "hashpivot/core/units.hpp"

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

// ---- BTC-collateralized loans -----------------------------------------------------------------

/// Loan-to-value: loan / (collateral × price). Infinite when the collateral is worth nothing.
[[nodiscard]] inline double loan_to_value(double loan_usd, double collateral_btc, double price_usd) {
  const double collateral_usd = collateral_btc * price_usd;
  if (collateral_usd <= 0) return loan_usd > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return loan_usd / collateral_usd;
}

/// BTC to add so that the LTV falls back to `ltv_target`: loan / (ltv_target × price) − collateral,
/// and zero when already at or below the target.
[[nodiscard]] double topup_to_target_btc(double loan_usd, double collateral_btc, double price_usd, double ltv_target);

/// Liquidation: the lender sells collateral to repay the loan in full (or all of it if it is not
/// enough); the rest of the collateral is returned.
struct Liquidation {
  double collateral_sold_btc;
  double loan_repaid_usd;
  double loan_remaining_usd;    // unsecured shortfall, zero if the collateral covered the loan
  double collateral_returned_btc;
};
[[nodiscard]] Liquidation liquidate(double loan_usd, double collateral_btc, double price_usd);

// ---- Debt service and leases ------------------------------------------------------------------

/// Interest accrued in one day at an annual simple rate (actual/365).
[[nodiscard]] inline double daily_interest_usd(double principal_usd, double rate_annual) {
  return principal_usd * rate_annual / kDaysPerYear;
}

/// Straight-line amortization: the principal due today so that it reaches zero at maturity.
/// `days_to_maturity` counts today; the last day repays what remains.
[[nodiscard]] inline double linear_amortization_usd(double principal_usd, int days_to_maturity) {
  if (days_to_maturity <= 1) return principal_usd;
  return principal_usd / days_to_maturity;
}

/// Lease revenue of contract year n (1-based) with an annual escalator: base × (1 + g)^(n − 1).
[[nodiscard]] double lease_usd_per_mw_year(double base_usd_per_mw_year, double escalator_annual, int contract_year);

}  // namespace hashpivot::firm
