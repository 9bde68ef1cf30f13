#include "hashpivot/firm/rules.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace hashpivot::firm {

double fpps_btc_per_day(double hashrate_th, double uptime, double hashprice_btc_per_ph_day, double pool_fee) {
  return hashrate_th / 1000.0 * uptime * hashprice_btc_per_ph_day * (1.0 - pool_fee);
}

double energy_mwh(double power_w, double pue, double running_hours) { return power_w * pue * running_hours / 1e6; }

double breakeven_power_price_usd_per_mwh(double hashprice_usd_per_ph_day, double efficiency_j_per_th, double pue,
                                         double pool_fee) {
  // 1 PH/s at e J/TH draws 1000·e W = e·24·10^-3 MWh a day, so a PH/s-day costs e·0.024 MWh.
  return hashprice_usd_per_ph_day * (1.0 - pool_fee) / (efficiency_j_per_th * static_cast<double>(kHoursPerDay) * 1e-3) / pue;
}

CurtailedDay curtail_hourly(std::span<const double> hourly_price_usd_per_mwh, double breakeven_usd_per_mwh,
                            double credit_usd_per_mwh) {
  CurtailedDay day{0.0, 0.0, 0.0};
  for (const double price : hourly_price_usd_per_mwh) {
    if (price + credit_usd_per_mwh < breakeven_usd_per_mwh) {
      day.running_hours += 1.0;
      day.energy_cost_usd_per_mw += price;
    } else {
      day.credit_usd_per_mw += credit_usd_per_mwh;
    }
  }
  return day;
}

double loan_to_value(double loan_usd, double collateral_btc, double price_usd) {
  const double collateral_usd = collateral_btc * price_usd;
  if (collateral_usd <= 0) return loan_usd > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return loan_usd / collateral_usd;
}

double topup_to_target_btc(double loan_usd, double collateral_btc, double price_usd, double ltv_target) {
  assert(ltv_target > 0 && price_usd > 0);
  return std::max(0.0, loan_usd / (ltv_target * price_usd) - collateral_btc);
}

Liquidation liquidate(double loan_usd, double collateral_btc, double price_usd) {
  const double needed_btc = price_usd > 0 ? loan_usd / price_usd : std::numeric_limits<double>::infinity();
  const double sold = std::min(collateral_btc, needed_btc);
  const double repaid = sold * price_usd;
  return {sold, repaid, std::max(0.0, loan_usd - repaid), collateral_btc - sold};
}

double daily_interest_usd(double principal_usd, double rate_annual) { return principal_usd * rate_annual / kDaysPerYear; }

double linear_amortization_usd(double principal_usd, int days_to_maturity) {
  if (days_to_maturity <= 1) return principal_usd;
  return principal_usd / days_to_maturity;
}

double lease_usd_per_mw_year(double base_usd_per_mw_year, double escalator_annual, int contract_year) {
  return base_usd_per_mw_year * std::pow(1.0 + escalator_annual, contract_year - 1);
}

}  // namespace hashpivot::firm
