// The body of the block step (step_day_lanes, accounts.hpp), compiled once for each instruction set
// into its own namespace isa_<HASHPIVOT_LANE_ISA> by the files src/CMakeLists.txt generates
// (hashpivot_lane_copies, which says why the wider copies are built with -fno-weak). Not a header to
// include elsewhere. It reaches the rest of the program only through functions that take references
// (get_lane, set_lane, finish_day): a vector by value travels in other registers with AVX.
#ifndef HASHPIVOT_LANE_ISA
#error "define HASHPIVOT_LANE_ISA (baseline, avx2 or avx512) before including lane_day_body.hpp"
#endif

#include "lane_day.hpp"

#include "hashpivot/firm/day_steps.hpp"

#define HASHPIVOT_LANE_NAMESPACE_OF(isa) isa_##isa
#define HASHPIVOT_LANE_NAMESPACE(isa) HASHPIVOT_LANE_NAMESPACE_OF(isa)

namespace hashpivot::firm::HASHPIVOT_LANE_NAMESPACE(HASHPIVOT_LANE_ISA) {
namespace {

using lanes::LaneInts;
using lanes::LaneMask;
using lanes::Lanes;

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
  mark_share_price(plan, state);                    // 1b.
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
  // 8: no sale today (day_needs_paths).
  atm_programme(plan, day, state, a);               // 8b.
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
    remedies(plan, day, price, state, a);           // 11: the ATM's and the BTC's (no revolver).
    close_day(state, a);
    default_if_short(day, state, a);                // 12.
  }
  if (!all_solvent) {
    detail::for_each_state_field(state, opening, [&](auto& now, const auto& before) { now = lanes::select(alive, now, before); });
    for (const auto& field : kBasicDayAccountsFields<Lanes>)
      a.*(field.member) = lanes::select(alive, a.*(field.member), Lanes{});
    a.defaulted_today = lanes::select(alive, a.defaulted_today, LaneMask{});
  }
  return true;
}

}  // namespace hashpivot::firm::isa_<HASHPIVOT_LANE_ISA>
