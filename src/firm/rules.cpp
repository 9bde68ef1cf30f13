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

Liquidation liquidate(double loan_usd, double collateral_btc, double price_usd) {
  const double needed_btc = price_usd > 0 ? loan_usd / price_usd : std::numeric_limits<double>::infinity();
  const double sold = std::min(collateral_btc, needed_btc);
  const double repaid = sold * price_usd;
  return {sold, repaid, std::max(0.0, loan_usd - repaid), collateral_btc - sold};
}

double lease_usd_per_mw_year(double base_usd_per_mw_year, double escalator_annual, int contract_year) {
  return base_usd_per_mw_year * std::pow(1.0 + escalator_annual, contract_year - 1);
}

}  // namespace hashpivot::firm
