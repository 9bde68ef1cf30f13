#include "hashpivot/firm/accounts.hpp"

#include <cassert>
#include <cmath>

#include "hashpivot/firm/day_steps.hpp"

namespace hashpivot::firm {
namespace {

/// The day's cash identity (closing = opening + total cash flow) holds to this share of the sums:
/// the steps add and subtract the same amounts in different orders, so it holds only to rounding.
constexpr double kCashIdentityTolerance = 1e-6;

}  // namespace

FirmState make_state(const FirmPlan& plan) {
  FirmState s{};
  s.cash_usd = plan.opening_cash_usd;
  s.free_btc = plan.opening_free_btc;
  s.debts.reserve(plan.debts.size());
  for (const PlanDebt& d : plan.debts) s.debts.push_back({d.principal_usd, d.collateral_btc});
  s.fleet.reserve(plan.fleet.size());
  s.ppe_book_usd = 0.0;
  for (const PlanFleet& f : plan.fleet) {
    s.fleet.push_back({f.book_value_usd});
    s.ppe_book_usd += f.book_value_usd;
  }
  s.sites.assign(plan.sites.size(), SiteState{0.0, 0.0, -1, -1, kTenantNeverDefaults, 0.0, -1});
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
  for (const DebtState& d : state.debts) liabilities += d.principal_usd;
  const double assets = state.cash_usd + total_btc(state) * state.btc_mark_price_usd + state.ppe_book_usd;
  return {assets, liabilities, state.paid_in_capital_usd + state.retained_earnings_usd};
}

void step_day(const FirmPlan& plan, int day, const DayMarket& market, FirmState& state, DayAccounts& a) {
  using namespace day_steps;
  a = DayAccounts{};
  if (state.defaulted) return;  // 0. A defaulted firm does nothing.
  assert(state.debts.size() == plan.debts.size() && state.fleet.size() == plan.fleet.size() &&
         state.sites.size() == plan.sites.size());
  const double price = market.price_usd_per_btc;
  [[maybe_unused]] const double cash_open = state.cash_usd;

  remark_btc(price, state, a);                          // 1.
  decide_pivot(plan, day, market, state);               // 2.
  sell_displaced_machines(plan, day, state, a);
  mine_and_pay_power(plan, day, market, state, a);      // 3.
  site_costs(plan, day, state, a);                           // 4.
  hpc_lease_and_capex(plan, day, state, a);             // 5.
  refresh_fleet(plan, day, state, a);
  deploy_and_relocate_fleet(plan, day, state, a);
  depreciate(plan, state, a);
  service_debt(plan, day, price, state, a);             // 6.
  settle_hedges(plan, day, price, state, a);            // 6b.
  income_and_tax(plan, state, a);                       // 7.
  one_off_sales(plan, day, price, state, a);            // 8.
  sell_policy(plan, price, state, a);                   // 9.
  service_btc_loans(plan, price, state, a);             // 10.
  covenants(plan, state, a);
  remedies(plan, day, price, state, a);                 // 11.
  close_day(state, a);
  assert(std::abs(state.cash_usd - cash_open - a.total_cash_flow_usd) <=
         kCashIdentityTolerance * (1.0 + std::abs(cash_open) + std::abs(a.total_cash_flow_usd)));
  default_if_short(day, state, a);                      // 12.
}

}  // namespace hashpivot::firm
