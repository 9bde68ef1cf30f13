// The firm's day on a block of paths at once (accounts.hpp step_day_lanes): the rules of
// firm/day_steps.hpp over lanes::Lanes, the same source step_day runs over double.
#include <cassert>

#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/day_steps.hpp"

namespace hashpivot::firm {
namespace {

using lanes::LaneInts;
using lanes::LaneMask;
using lanes::Lanes;

// The one list of FirmState's fields that a block's copies go through: f(x, y) for each number,
// day, count and flag of `a` and the same field of `b` (nested debts, fleet entries and sites
// element by element; `a` and `b` have the same sizes).
template <class A, class B, class F>
void for_each_state_field(A& a, B& b, F&& f) {
  static_assert(sizeof(FirmState) == 480 && sizeof(DebtState) == 40 && sizeof(FleetState) == 16 &&
                    sizeof(SiteState) == 64,
                "a field was added to FirmState or its parts: add it here");
  assert(a.debts.size() == b.debts.size() && a.fleet.size() == b.fleet.size() && a.sites.size() == b.sites.size());
  f(a.cash_usd, b.cash_usd);
  f(a.free_btc, b.free_btc);
  for (std::size_t i = 0; i < a.debts.size(); ++i) {
    f(a.debts[i].principal_usd, b.debts[i].principal_usd);
    f(a.debts[i].collateral_btc, b.debts[i].collateral_btc);
    f(a.debts[i].maturity_day, b.debts[i].maturity_day);
    f(a.debts[i].rate_annual, b.debts[i].rate_annual);
    f(a.debts[i].rolls, b.debts[i].rolls);
  }
  for (std::size_t i = 0; i < a.fleet.size(); ++i) {
    f(a.fleet[i].book_usd, b.fleet[i].book_usd);
    f(a.fleet[i].in_place, b.fleet[i].in_place);
  }
  for (std::size_t k = 0; k < a.sites.size(); ++k) {
    f(a.sites[k].conversion_book_usd, b.sites[k].conversion_book_usd);
    f(a.sites[k].converted_mw, b.sites[k].converted_mw);
    f(a.sites[k].conversion_decision_day, b.sites[k].conversion_decision_day);
    f(a.sites[k].conversion_revenue_day, b.sites[k].conversion_revenue_day);
    f(a.sites[k].tenant_default_after_days, b.sites[k].tenant_default_after_days);
    f(a.sites[k].curtailed_hours_in_year, b.sites[k].curtailed_hours_in_year);
    f(a.sites[k].curtailment_year, b.sites[k].curtailment_year);
    f(a.sites[k].project_debt_usd, b.sites[k].project_debt_usd);
    f(a.sites[k].project_debt_payment_usd, b.sites[k].project_debt_payment_usd);
  }
  f(a.ppe_book_usd, b.ppe_book_usd);
  f(a.paid_in_capital_usd, b.paid_in_capital_usd);
  f(a.retained_earnings_usd, b.retained_earnings_usd);
  f(a.btc_mark_price_usd, b.btc_mark_price_usd);
  f(a.trigger_days_below, b.trigger_days_below);
  f(a.trailing_ebitda_usd_per_day, b.trailing_ebitda_usd_per_day);
  f(a.refinancings, b.refinancings);
  f(a.defaulted, b.defaulted);
  f(a.default_day, b.default_day);
  f(a.shares_outstanding, b.shares_outstanding);
  f(a.nav_multiple, b.nav_multiple);
  f(a.share_price_usd, b.share_price_usd);
  f(a.atm_sold_usd, b.atm_sold_usd);
  for (std::size_t i = 0; i < kMaxSwapLegs; ++i) f(a.swap_accrued_usd[i], b.swap_accrued_usd[i]);
  f(a.margin_posted_usd, b.margin_posted_usd);
}

// A path's value into lane `l` of a block's, and back: numbers, days and counts as they are, a flag
// as a mask (every bit set where true).
struct ToLane {
  std::size_t l;
  void operator()(Lanes& x, double v) const { x[l] = v; }
  void operator()(LaneInts& x, int v) const { x[l] = v; }
  void operator()(LaneMask& x, bool v) const { x[l] = v ? -1 : 0; }
};
struct FromLane {
  std::size_t l;
  void operator()(const Lanes& x, double& v) const { v = x[l]; }
  void operator()(const LaneInts& x, int& v) const { v = static_cast<int>(x[l]); }
  void operator()(const LaneMask& x, bool& v) const { v = x[l] != 0; }
};

// A day that step_day_lanes leaves to step_day, known before the day's steps: a dated event of the
// plan, or a debt of a solvent lane due (maturity, and a refinancing's roll, only on such days).
bool day_needs_paths(const FirmPlan& plan, int day, const LaneState& state, LaneMask alive) {
  if (plan.pivot_policy == PivotPolicy::kSchedule && day == plan.pivot_day) return true;
  for (const PlanSale& sale : plan.sales)
    if (sale.day == day) return true;
  for (const PlanRefresh& r : plan.refreshes)
    if (r.order_day == day || r.delivery_day == day) return true;
  for (const PlanDeployment& d : plan.deployments)
    if (d.day == day) return true;
  for (const PlanRelocation& r : plan.relocations)
    if (r.day == day) return true;
  for (std::size_t i = 0; i < plan.hedge_leg_count; ++i)
    if (plan.hedge_legs[i].buy_day == day || plan.hedge_legs[i].expiry_day == day) return true;
  for (const auto& debt : state.debts)
    if (lanes::any(alive && !(debt.principal_usd <= 0.0) && day >= debt.maturity_day)) return true;
  return false;
}

// Whether a BTC lender acts today on a solvent lane (day_steps::service_btc_loans): a margin call,
// or a loan above its liquidation LTV.
bool lender_acts(const FirmPlan& plan, Lanes price, const LaneState& state, LaneMask alive) {
  for (std::size_t i = 0; i < plan.debts.size(); ++i) {
    const PlanDebt& d = plan.debts[i];
    if (d.kind != DebtKind::kBtcBacked) continue;
    const auto& debt = state.debts[i];
    const auto open = alive && !(debt.principal_usd <= 0.0);
    if (!lanes::any(open)) continue;
    const auto above_liquidation = loan_to_value(debt.principal_usd, debt.collateral_btc, price) > d.ltv_liquidation;
    if (lanes::any(open && (day_steps::margin_called(d, debt, price) || above_liquidation))) return true;
  }
  return false;
}

}  // namespace

bool steps_in_lanes(const FirmPlan& plan) {
  return !plan.live.site_decisions && !plan.live.share_price && !plan.has_atm && !plan.live.covenants &&
         !plan.live.revolvers && plan.swap_leg_count == 0 && plan.pivot_policy != PivotPolicy::kTrigger;
}

bool step_day_lanes(const FirmPlan& plan, int day, const LaneMarket& market, LaneState& state, LaneAccounts& a,
                    LaneState& scratch, FirmState& path_state, DayAccounts& path_accounts) {
  using namespace day_steps;
  assert(steps_in_lanes(plan) && market.hourly_power_usd_per_mwh.empty());
  a = LaneAccounts{};
  const LaneMask alive = !state.defaulted;
  if (!lanes::any(alive)) return true;  // 0. Every lane defaulted: nothing changes.
  if (day_needs_paths(plan, day, state, alive)) return false;
  // The day runs on every lane, a defaulted one included: its values are put back at the end.
  const bool all_solvent = lanes::all(alive);
  LaneState& opening = scratch;
  if (!all_solvent) opening = state;
  const Lanes price = market.price_usd_per_btc;
  remark_btc(price, state, a);                      // 1.
  // 1b: the share price is read by no plan that steps in lanes (steps_in_lanes).
  // 2: the pivot acts only on its scheduled day (day_needs_paths), machines displaced with it.
  mine_and_pay_power(plan, day, market, state, a);  // 3.
  site_costs(plan, day, state, a);                  // 4.
  hpc_lease_and_capex(plan, day, state, a);         // 5.
  // Refreshes, deployments and relocations act only on their days (day_needs_paths).
  depreciate(plan, state, a);
  // 6: no solvent lane's debt is due today (day_needs_paths): nothing rolls or matures.
  service_debt(plan, day, price, state, a);
  service_project_debt(plan, day, state, a);
  settle_hedges(plan, day, price, state, a);        // 6b: no leg bought or expiring today.
  income_and_tax(plan, state, a);                   // 7.
  state.trailing_ebitda_usd_per_day = trailing_ebitda_usd_per_day(state.trailing_ebitda_usd_per_day, a.ebitda_usd, day);
  // 8: no sale today (day_needs_paths); 8b: no ATM (steps_in_lanes).
  sell_policy(plan, price, state, a);               // 9.
  if (lender_acts(plan, price, state, alive)) {     // 10.-12. path by path: steps 1-9 gave each lane's bits.
    for (std::size_t l = 0; l < lanes::kLanes; ++l) {
      if (!lanes::lane_true(alive, l)) continue;
      get_lane(state, l, path_state);
      get_lane(a, l, path_accounts);
      finish_day(plan, day, price[l], path_state, path_accounts);
      set_lane(state, l, path_state);
      set_lane(a, l, path_accounts);
    }
  } else {
    remedies(plan, day, price, state, a);           // 11: the BTC's (no ATM, no revolver).
    close_day(state, a);
    default_if_short(day, state, a);                // 12.
  }
  if (!all_solvent) {
    for_each_state_field(state, opening, [&](auto& now, const auto& before) { now = lanes::select(alive, now, before); });
    for (const auto& field : kBasicDayAccountsFields<Lanes>)
      a.*(field.member) = lanes::select(alive, a.*(field.member), Lanes{});
    a.defaulted_today = lanes::select(alive, a.defaulted_today, LaneMask{});
  }
  return true;
}

void step_day_by_lane(const FirmPlan& plan, int day, std::span<const DayMarket> markets, LaneState& state,
                      LaneAccounts& accounts, FirmState& path_state, DayAccounts& path_accounts) {
  assert(markets.size() == lanes::kLanes);
  for (std::size_t l = 0; l < lanes::kLanes; ++l) {
    get_lane(state, l, path_state);
    step_day(plan, day, markets[l], path_state, path_accounts);
    set_lane(state, l, path_state);
    set_lane(accounts, l, path_accounts);
  }
}

LaneState lane_state_of(const FirmState& path) {
  LaneState state{};
  state.debts.resize(path.debts.size());
  state.fleet.resize(path.fleet.size());
  state.sites.resize(path.sites.size());
  for (std::size_t l = 0; l < lanes::kLanes; ++l) set_lane(state, l, path);
  return state;
}

void get_lane(const LaneState& state, std::size_t lane, FirmState& path) {
  for_each_state_field(state, path, FromLane{lane});
}

void set_lane(LaneState& state, std::size_t lane, const FirmState& path) {
  for_each_state_field(state, path, ToLane{lane});
}

void get_lane(const LaneAccounts& accounts, std::size_t lane, DayAccounts& path) {
  for (std::size_t f = 0; f < kDayAccountsFields.size(); ++f)
    path.*(kDayAccountsFields[f].member) = (accounts.*(kBasicDayAccountsFields<Lanes>[f].member))[lane];
  path.defaulted_today = accounts.defaulted_today[lane] != 0;
}

void set_lane(LaneAccounts& accounts, std::size_t lane, const DayAccounts& path) {
  for (std::size_t f = 0; f < kDayAccountsFields.size(); ++f)
    (accounts.*(kBasicDayAccountsFields<Lanes>[f].member))[lane] = path.*(kDayAccountsFields[f].member);
  accounts.defaulted_today[lane] = path.defaulted_today ? -1 : 0;
}

}  // namespace hashpivot::firm
