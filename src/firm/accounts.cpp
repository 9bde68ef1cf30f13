#include "hashpivot/firm/accounts.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/rules.hpp"

namespace hashpivot::firm {
namespace {

constexpr double kHours = static_cast<double>(kHoursPerDay);
// Cash within this of zero after the remedies counts as zero (rounding of BTC sold to cover it).
constexpr double kCashToleranceUsd = 1e-6;

// Closes a BTC-backed loan whose principal reached zero: the collateral goes back to free BTC.
void release_if_repaid(FirmState& state, std::size_t i, DayAccounts& a) {
  if (state.principal_usd[i] <= 0.0 && state.collateral_btc[i] > 0.0) {
    state.principal_usd[i] = 0.0;
    a.btc_released += state.collateral_btc[i];
    state.free_btc += state.collateral_btc[i];
    state.collateral_btc[i] = 0.0;
  }
}

// Sells up to `btc` of free BTC at `price`, proceeds to cash. Returns the proceeds.
double sell_free(FirmState& state, double btc, double price, DayAccounts& a) {
  const double sold = std::clamp(btc, 0.0, state.free_btc);
  if (sold <= 0.0) return 0.0;
  state.free_btc -= sold;
  const double proceeds = sold * price;
  state.cash_usd += proceeds;
  a.btc_sold += sold;
  a.btc_sale_proceeds_usd += proceeds;
  return proceeds;
}

// Repays up to `usd` of debt i in cash. Returns the amount repaid.
double repay_cash(FirmState& state, std::size_t i, double usd, DayAccounts& a) {
  const double paid = std::clamp(usd, 0.0, state.principal_usd[i]);
  state.principal_usd[i] -= paid;
  state.cash_usd -= paid;
  a.debt_repaid_usd += paid;
  release_if_repaid(state, i, a);
  return paid;
}

}  // namespace

double total_btc(const FirmState& state) {
  double btc = state.free_btc;
  for (const double c : state.collateral_btc) btc += c;
  return btc;
}

FirmState make_state(const FirmPlan& plan) {
  FirmState s{};
  s.cash_usd = plan.opening_cash_usd;
  s.free_btc = plan.opening_free_btc;
  s.principal_usd.resize(plan.debts.size());
  s.collateral_btc.resize(plan.debts.size());
  for (std::size_t i = 0; i < plan.debts.size(); ++i) {
    s.principal_usd[i] = plan.debts[i].principal_usd;
    s.collateral_btc[i] = plan.debts[i].collateral_btc;
  }
  s.fleet_book_usd.resize(plan.fleet.size());
  s.ppe_book_usd = 0.0;
  for (std::size_t i = 0; i < plan.fleet.size(); ++i) {
    s.fleet_book_usd[i] = plan.fleet[i].book_value_usd;
    s.ppe_book_usd += plan.fleet[i].book_value_usd;
  }
  s.conversion_book_usd.assign(plan.sites.size(), 0.0);
  s.converted_mw.assign(plan.sites.size(), 0.0);
  s.conversion_decision_day.assign(plan.sites.size(), -1);
  s.conversion_revenue_day.assign(plan.sites.size(), -1);
  s.tenant_default_after_days.assign(plan.sites.size(), kTenantNeverDefaults);
  s.trigger_days_below = 0;
  s.defaulted = false;
  s.default_day = -1;
  s.btc_mark_price_usd = plan.opening_price_usd_per_btc;
  s.paid_in_capital_usd = 0.0;
  const BalanceSheet opening = balance_sheet(s);
  s.retained_earnings_usd = opening.assets_usd - opening.liabilities_usd - s.paid_in_capital_usd;
  return s;
}

BalanceSheet balance_sheet(const FirmState& state) {
  double liabilities = 0.0;
  for (const double p : state.principal_usd) liabilities += p;
  const double assets = state.cash_usd + total_btc(state) * state.btc_mark_price_usd + state.ppe_book_usd;
  return {assets, liabilities, state.paid_in_capital_usd + state.retained_earnings_usd};
}

void step_day(const FirmPlan& plan, int day, const DayMarket& market, FirmState& state, DayAccounts& a) {
  a = DayAccounts{};
  // 0. A defaulted firm does nothing.
  if (state.defaulted) return;
  assert(state.principal_usd.size() == plan.debts.size() && state.fleet_book_usd.size() == plan.fleet.size() &&
         state.converted_mw.size() == plan.sites.size());
  const double price = market.price_usd_per_btc;
  const double cash_open = state.cash_usd;

  // 1. Re-mark the BTC held at the start of the day.
  a.btc_revaluation_gain_usd = total_btc(state) * (price - state.btc_mark_price_usd);
  state.btc_mark_price_usd = price;

  // 2. Pivot decision.
  if (plan.pivot_policy != PivotPolicy::kNone && state.conversion_decision_day[plan.pivot_site] < 0) {
    bool decide = false;
    if (plan.pivot_policy == PivotPolicy::kSchedule) {
      decide = day == plan.pivot_day;
    } else {
      state.trigger_days_below =
          market.hashprice_usd_per_ph_day < plan.pivot_hashprice_below_usd_per_ph_day ? state.trigger_days_below + 1 : 0;
      decide = state.trigger_days_below >= plan.pivot_trigger_days;
    }
    if (decide) {
      const std::size_t k = plan.pivot_site;
      state.converted_mw[k] = plan.pivot_mw;
      state.conversion_decision_day[k] = day;
      state.conversion_revenue_day[k] = day + plan.sites[k].lead_time_days;
    }
  }

  // 3–4. Mining, power and site costs.
  for (std::size_t entry = 0; entry < plan.fleet.size(); ++entry) {
    const PlanFleet& f = plan.fleet[entry];
    const PlanSite& site = plan.sites[f.site];
    const double converted_mw = state.converted_mw[f.site];
    double mining_share = site.mining_it_mw > 0.0 ? 1.0 : 0.0;
    if (converted_mw > 0.0 && mining_share > 0.0) mining_share = std::max(0.0, 1.0 - converted_mw / site.mining_it_mw);
    const double share = mining_share * fleet_survival(plan, entry, day);
    if (share <= 0.0) continue;
    // Load at the meter while hashing, MW.
    const double load_mw = f.load_mw_all_running * share;
    const double daily_price = site.index_power && !market.power_usd_per_mwh.empty()
                                   ? market.power_usd_per_mwh[f.site]
                                   : site.fixed_power_price_usd_per_mwh;
    double running_hours = kHours;
    double running_fraction = 1.0;
    double energy_cost_per_mw = daily_price * kHours;
    double credit_per_mw = 0.0;
    if (plan.curtail_policy == CurtailPolicy::kEconomic) {
      // breakeven_power_price_usd_per_mwh is linear in the hashprice.
      const double breakeven = f.breakeven_usd_per_mwh_per_hashprice_usd * market.hashprice_usd_per_ph_day;
      const double credit = site.curtailment_credit_usd_per_mwh;
      if (site.index_power && market.hourly_power_usd_per_mwh.size() >= (f.site + 1) * kHoursPerDay) {
        const CurtailedDay c =
            curtail_hourly(market.hourly_power_usd_per_mwh.subspan(f.site * kHoursPerDay, kHoursPerDay), breakeven, credit);
        running_hours = c.running_hours;
        running_fraction = running_hours / kHours;
        energy_cost_per_mw = c.energy_cost_usd_per_mw;
        credit_per_mw = c.credit_usd_per_mw;
      } else if (!(daily_price + credit < breakeven)) {
        running_hours = 0.0;
        running_fraction = 0.0;
        energy_cost_per_mw = 0.0;
        credit_per_mw = credit * kHours;
      }
    }
    const double running_share = share * running_fraction;
    // fpps_btc_per_day is linear in the hashrate and the hashprice.
    a.running_hashrate_th += f.hashrate_th_total * running_share;
    a.btc_mined += f.btc_per_day_per_hashprice * running_share * market.hashprice_btc_per_ph_day;
    a.energy_mwh += load_mw * running_hours;
    a.power_cost_usd += load_mw * energy_cost_per_mw;
    a.curtailment_credit_usd += load_mw * credit_per_mw;
  }
  state.free_btc += a.btc_mined;
  a.mining_revenue_usd = a.btc_mined * price;
  for (std::size_t k = 0; k < plan.sites.size(); ++k) {
    a.opex_usd += plan.sites[k].opex_usd_per_mw_day * std::max(0.0, plan.sites[k].capacity_mw - state.converted_mw[k]);
  }
  a.sga_usd = plan.sga_usd_per_day;

  // 5. HPC lease revenue, conversion capex (capitalized as paid), depreciation.
  for (std::size_t k = 0; k < plan.sites.size(); ++k) {
    const int decided = state.conversion_decision_day[k];
    if (decided < 0) continue;
    const PlanSite& site = plan.sites[k];
    const double mw = state.converted_mw[k];
    const double capex_total = mw * site.capex_usd_per_mw * (1.0 - site.tenant_funded_fraction);
    const int revenue_day = state.conversion_revenue_day[k];
    double capex = 0.0;
    if (site.lead_time_days == 0) {
      if (day == decided) capex = capex_total;
    } else if (day < revenue_day) {
      capex = capex_total / static_cast<double>(site.lead_time_days);
    }
    state.conversion_book_usd[k] += capex;
    a.capex_usd += capex;
    if (day >= revenue_day && day < revenue_day + site.term_days) {
      // A defaulted tenant pays nothing more; the capex still depreciates over the term.
      if (day - revenue_day < state.tenant_default_after_days[k]) {
        const auto contract_year_index = static_cast<std::size_t>((day - revenue_day) / static_cast<int>(kDaysPerYear));
        a.hpc_revenue_usd += site.lease_usd_per_mw_day_by_contract_year[contract_year_index] * mw * site.noi_margin;
      }
      const double dep =
          std::min(state.conversion_book_usd[k], capex_total / static_cast<double>(std::max(1, site.term_days)));
      state.conversion_book_usd[k] -= dep;
      a.depreciation_usd += dep;
    }
  }
  for (std::size_t i = 0; i < plan.fleet.size(); ++i) {
    const double dep = std::min(state.fleet_book_usd[i], plan.fleet[i].depreciation_usd_per_day);
    state.fleet_book_usd[i] -= dep;
    a.depreciation_usd += dep;
  }
  state.ppe_book_usd += a.capex_usd - a.depreciation_usd;

  // 6. Interest, amortization, maturities, conversions.
  for (std::size_t i = 0; i < plan.debts.size(); ++i) {
    const PlanDebt& d = plan.debts[i];
    const double principal = state.principal_usd[i];
    if (principal <= 0.0) continue;
    a.interest_usd += daily_interest_usd(principal, d.rate_annual);
    if (day >= d.maturity_day) {
      if (d.kind == DebtKind::kConvertible && d.conversion_price_usd > 0.0 && price >= d.conversion_price_usd) {
        state.principal_usd[i] = 0.0;
        state.paid_in_capital_usd += principal;
        a.debt_converted_to_equity_usd += principal;
      } else {
        repay_cash(state, i, principal, a);
      }
    } else if (d.linear) {
      repay_cash(state, i, linear_amortization_usd(principal, d.maturity_day - day + 1), a);
    }
  }

  // Income statement.
  a.ebitda_usd = a.mining_revenue_usd + a.hpc_revenue_usd + a.curtailment_credit_usd - a.power_cost_usd - a.opex_usd -
                 a.sga_usd;
  const double taxable = a.ebitda_usd - a.depreciation_usd - a.interest_usd;
  a.pretax_income_usd = taxable + a.btc_revaluation_gain_usd;
  // 7. Tax.
  a.tax_usd = plan.tax_rate * std::max(0.0, taxable);
  a.net_income_usd = a.pretax_income_usd - a.tax_usd;
  a.operating_cash_flow_usd = a.hpc_revenue_usd + a.curtailment_credit_usd - a.power_cost_usd - a.opex_usd - a.sga_usd -
                              a.interest_usd - a.tax_usd;
  state.cash_usd += a.operating_cash_flow_usd - a.capex_usd;

  // 8. One-off sales.
  for (const PlanSale& sale : plan.sales) {
    if (sale.day != day) continue;
    double proceeds = sell_free(state, sale.btc, price, a);
    // Repaying a BTC-backed loan may also sell that loan's collateral (the lender releases what
    // the repayment frees), but no more of it than the rest of the loan needs.
    if (sale.use == SaleUse::kRepayDebt && plan.debts[sale.debt].kind == DebtKind::kBtcBacked && price > 0.0) {
      const double still_owed_btc = std::max(0.0, (state.principal_usd[sale.debt] - proceeds) / price);
      const double from_collateral =
          std::min({sale.btc - proceeds / price, state.collateral_btc[sale.debt], still_owed_btc});
      if (from_collateral > 0.0) {
        state.collateral_btc[sale.debt] -= from_collateral;
        state.cash_usd += from_collateral * price;
        a.btc_sold += from_collateral;
        a.btc_sale_proceeds_usd += from_collateral * price;
        proceeds += from_collateral * price;
      }
    }
    if (sale.use == SaleUse::kRepayDebt) {
      repay_cash(state, sale.debt, proceeds, a);
      // The rest of the sale (collateral the repayment released, or more free BTC) goes to cash.
      const double sold = proceeds / price;
      if (sold < sale.btc) sell_free(state, sale.btc - sold, price, a);
    }
  }

  // 9. Sell policy.
  switch (plan.sell_policy) {
    case SellPolicy::kHold:
      break;
    case SellPolicy::kSellAllMined:
      sell_free(state, a.btc_mined, price, a);
      break;
    case SellPolicy::kSellFraction:
      sell_free(state, plan.sell_fraction * a.btc_mined, price, a);
      break;
    case SellPolicy::kCashFloor: {
      const double daily_costs = a.power_cost_usd + a.opex_usd + a.sga_usd + a.interest_usd;
      const double floor_usd = plan.cash_floor_months * kDaysPerYear / 12.0 * daily_costs;
      if (state.cash_usd < floor_usd && price > 0.0) sell_free(state, (floor_usd - state.cash_usd) / price, price, a);
      break;
    }
  }

  // 10. BTC-backed loans: top-up, then liquidation.
  for (std::size_t i = 0; i < plan.debts.size(); ++i) {
    const PlanDebt& d = plan.debts[i];
    if (d.kind != DebtKind::kBtcBacked || state.principal_usd[i] <= 0.0) continue;
    if (loan_to_value(state.principal_usd[i], state.collateral_btc[i], price) > d.ltv_call && price > 0.0) {
      a.margin_calls += 1.0;
      const double topup =
          std::min(state.free_btc, topup_to_target_btc(state.principal_usd[i], state.collateral_btc[i], price, d.ltv_target));
      state.free_btc -= topup;
      state.collateral_btc[i] += topup;
      a.btc_topped_up += topup;
    }
    if (loan_to_value(state.principal_usd[i], state.collateral_btc[i], price) > d.ltv_liquidation) {
      const Liquidation l = liquidate(state.principal_usd[i], state.collateral_btc[i], price);
      a.btc_liquidated += l.collateral_sold_btc;
      a.debt_repaid_by_collateral_usd += l.loan_repaid_usd;
      state.collateral_btc[i] -= l.collateral_sold_btc;
      state.principal_usd[i] = l.loan_remaining_usd;
      // The loan is closed: the shortfall is due in cash today and the rest of the collateral returns.
      repay_cash(state, i, l.loan_remaining_usd, a);
    }
  }

  // Covenants: acceleration when the cash is below the minimum.
  for (std::size_t i = 0; i < plan.debts.size(); ++i) {
    const double covenant = plan.debts[i].covenant_min_cash_usd;
    if (covenant > 0.0 && state.principal_usd[i] > 0.0 && state.cash_usd < covenant)
      repay_cash(state, i, state.principal_usd[i], a);
  }

  // 11. Remedies: sell free BTC; then ask BTC lenders for the collateral above what keeps each
  // loan at its target LTV and sell that; then draw revolvers.
  if (state.cash_usd < 0.0 && price > 0.0) sell_free(state, -state.cash_usd / price, price, a);
  for (std::size_t i = 0; i < plan.debts.size() && state.cash_usd < 0.0 && price > 0.0; ++i) {
    const PlanDebt& d = plan.debts[i];
    if (d.kind != DebtKind::kBtcBacked || state.principal_usd[i] <= 0.0) continue;
    const double excess = state.collateral_btc[i] - state.principal_usd[i] / (d.ltv_target * price);
    if (excess <= 0.0) continue;
    const double release = std::min(excess, -state.cash_usd / price);
    state.collateral_btc[i] -= release;
    state.free_btc += release;
    a.btc_released += release;
    sell_free(state, release, price, a);
  }
  for (std::size_t i = 0; i < plan.debts.size() && state.cash_usd < 0.0; ++i) {
    const PlanDebt& d = plan.debts[i];
    if (d.kind != DebtKind::kRevolver || day >= d.maturity_day) continue;
    const double draw = std::min(-state.cash_usd, std::max(0.0, d.limit_usd - state.principal_usd[i]));
    state.principal_usd[i] += draw;
    state.cash_usd += draw;
    a.debt_drawn_usd += draw;
  }

  // Totals.
  a.investing_cash_flow_usd = a.btc_sale_proceeds_usd - a.capex_usd;
  a.financing_cash_flow_usd = a.debt_drawn_usd - a.debt_repaid_usd;
  a.total_cash_flow_usd = a.operating_cash_flow_usd + a.investing_cash_flow_usd + a.financing_cash_flow_usd;
  state.retained_earnings_usd += a.net_income_usd;
  (void)cash_open;
  assert(std::abs(state.cash_usd - cash_open - a.total_cash_flow_usd) <=
         1e-6 * (1.0 + std::abs(cash_open) + std::abs(a.total_cash_flow_usd)));

  // 12. Default.
  if (state.cash_usd < -kCashToleranceUsd) {
    state.defaulted = true;
    state.default_day = day;
    a.defaulted_today = true;
  }
}

}  // namespace hashpivot::firm
