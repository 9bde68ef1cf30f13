#pragma once
// Internal to the firm library: the block step's copies for each instruction set
// (lanes::InstructionSet), and the one list of FirmState's fields that a block's copies go through.

#include <cassert>

#include "hashpivot/firm/accounts.hpp"

namespace hashpivot::firm {

/// step_day_lanes' contract (accounts.hpp), less the instruction set: each copy is this function.
using LaneDay = bool(const FirmPlan& plan, int day, const LaneMarket& market, LaneState& state, LaneAccounts& accounts,
                     LaneState& scratch, FirmState& path_state, DayAccounts& path_accounts);

/// The copies, each lane_day_body.hpp compiled on its own (src/CMakeLists.txt, hashpivot_lane_copies):
/// the baseline's, with the build's flags, and where the build has them (HASHPIVOT_LANE_COPIES_X86),
/// x86-64-v3's and -v4's.
namespace isa_baseline {
LaneDay step_day_lanes;
}
namespace isa_avx2 {
LaneDay step_day_lanes;
}
namespace isa_avx512 {
LaneDay step_day_lanes;
}

namespace detail {

// The one list of FirmState's fields that a block's copies go through: f(x, y) for each number,
// day, count and flag of `a` and the same field of `b` (nested debts, fleet entries and sites
// element by element; `a` and `b` have the same sizes).
template <class A, class B, class F>
inline void for_each_state_field(A& a, B& b, F&& f) {
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

}  // namespace detail

}  // namespace hashpivot::firm
