#pragma once
// The steps of firm::step_day (accounts.hpp), one function each, in the order step_day calls them.
// Each reads the plan and the day, updates the state and adds to the day's accounts exactly as its
// comment says, and nothing else; step_day is their table of contents. They are here, inline, so
// that each inlines into step_day (the hot path: no call, allocation or lookup added by the split)
// and so that each can be tested on its own (tests/firm/day_steps_test.cpp).
//
// A step assumes what step_day has done before it: `a` was zeroed at the start of the day and the
// earlier steps have run. Prices are the day's: `price` is DayMarket::price_usd_per_btc.
//
// The steps a block of paths runs together (step_day_lanes, accounts.hpp) are templates over the
// number type T (firm/lanes.hpp): double for a path, lanes::Lanes for a block, the same source. A
// branch on the plan or the day stays a branch; a branch on a path's values becomes a mask `m` (a
// bool for a path) and each update under it a select. The helpers that move cash and BTC take the
// mask of the paths they act on (true for a path's call).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/equity.hpp"
#include "hashpivot/firm/lanes.hpp"
#include "hashpivot/firm/options_pricing.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/firm/project_finance.hpp"
#include "hashpivot/firm/refinancing.hpp"
#include "hashpivot/firm/rules.hpp"

namespace hashpivot::firm::day_steps {

// ---- Cash and BTC movements shared by the steps ---------------------------------------------------

/// Cash, or a loan's principal, within this of zero counts as zero (the rounding of a sale's
/// proceeds: a difference of two revenues of up to $10^9, exact to about 10^−7 USD).
inline constexpr double kCashToleranceUsd = 1e-6;

/// Closes BTC-backed debt `i` once its principal is repaid (at most kCashToleranceUsd left: what a
/// sale sized to repay it can leave in rounding): the collateral goes back to free BTC. A loan kept
/// open for a millionth of a dollar would keep its collateral locked on the last bit of a sale.
template <class T>
inline void release_if_repaid(lanes::MaskOf<T> m, BasicFirmState<T>& state, std::size_t i, BasicDayAccounts<T>& a) {
  BasicDebtState<T>& debt = state.debts[i];
  const auto repaid = m && debt.principal_usd <= kCashToleranceUsd && debt.collateral_btc > 0.0;
  if (!lanes::any(repaid)) return;
  lanes::assign_if(repaid, debt.principal_usd, T{});
  lanes::assign_if(repaid, a.btc_released, a.btc_released + debt.collateral_btc);
  lanes::assign_if(repaid, state.free_btc, state.free_btc + debt.collateral_btc);
  lanes::assign_if(repaid, debt.collateral_btc, T{});
}

/// BTC sold on the market so far today, by the firm and by its lenders: what a further sale's market
/// impact starts from (rules::sale_proceeds_usd).
template <class T>
inline T sold_today_btc(const BasicDayAccounts<T>& a) {
  return a.btc_sold + a.btc_liquidated;
}

/// `btc` BTC (already taken from free BTC or collateral) sold by the firm at `price` with the day's
/// market impact `impact` (plan.sale_impact_per_sqrt_btc): proceeds to cash, the shortfall against
/// `btc` × `price` to slippage_usd. Returns the proceeds, USD.
template <class T>
inline T record_sale(lanes::MaskOf<T> m, BasicFirmState<T>& state, T btc, T price, double impact,
                     BasicDayAccounts<T>& a) {
  const T proceeds = sale_proceeds_usd(price, impact, sold_today_btc(a), btc);
  lanes::assign_if(m, state.cash_usd, state.cash_usd + proceeds);
  lanes::assign_if(m, a.slippage_usd, a.slippage_usd + (btc * price - proceeds));
  lanes::assign_if(m, a.btc_sold, a.btc_sold + btc);
  lanes::assign_if(m, a.btc_sale_proceeds_usd, a.btc_sale_proceeds_usd + proceeds);
  return lanes::select(m, proceeds, T{});
}

/// Sells up to `btc` of free BTC at `price` with market impact `impact`, proceeds to cash. Returns
/// the proceeds, USD.
template <class T>
inline T sell_free(lanes::MaskOf<T> m, BasicFirmState<T>& state, T btc, T price, double impact,
                   BasicDayAccounts<T>& a) {
  const T sold = lanes::clamp(btc, T{}, state.free_btc);
  const auto selling = m && !(sold <= 0.0);
  if (!lanes::any(selling)) return T{};
  lanes::assign_if(selling, state.free_btc, state.free_btc - sold);
  return record_sale(selling, state, sold, price, impact, a);
}

/// Repays up to `usd` of debt `i` in cash (closing a BTC-backed loan it pays off). Returns the
/// amount repaid, USD.
template <class T>
inline T repay_cash(lanes::MaskOf<T> m, BasicFirmState<T>& state, std::size_t i, T usd, BasicDayAccounts<T>& a) {
  const T paid = lanes::clamp(usd, T{}, state.debts[i].principal_usd);
  lanes::assign_if(m, state.debts[i].principal_usd, state.debts[i].principal_usd - paid);
  lanes::assign_if(m, state.cash_usd, state.cash_usd - paid);
  lanes::assign_if(m, a.debt_repaid_usd, a.debt_repaid_usd + paid);
  release_if_repaid(m, state, i, a);
  return lanes::select(m, paid, T{});
}

// A path's calls of the helpers above: the path acts (its mask is true).
inline double record_sale(FirmState& state, double btc, double price, double impact, DayAccounts& a) {
  return record_sale(true, state, btc, price, impact, a);
}
inline double sell_free(FirmState& state, double btc, double price, double impact, DayAccounts& a) {
  return sell_free(true, state, btc, price, impact, a);
}
inline double repay_cash(FirmState& state, std::size_t i, double usd, DayAccounts& a) {
  return repay_cash(true, state, i, usd, a);
}
inline void release_if_repaid(FirmState& state, std::size_t i, DayAccounts& a) { release_if_repaid(true, state, i, a); }

// ---- 1. Re-mark -----------------------------------------------------------------------------------

/// Re-marks the BTC held at the start of the day from the last mark to `price`: the unrealized
/// gain into btc_revaluation_gain_usd, and `price` becomes the mark.
template <class T>
inline void remark_btc(std::type_identity_t<T> price, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  a.btc_revaluation_gain_usd = total_btc(state) * (price - state.btc_mark_price_usd);
  state.btc_mark_price_usd = price;
}

// ---- 2. Pivot decision ----------------------------------------------------------------------------

/// The pivot decision, once: a schedule decides on its day; a trigger counts consecutive days with
/// the hashprice (USD) below its level and decides on the pivot_trigger_days-th. Deciding sets the
/// site's converted MW, decision day and first revenue day (decision + lead time).
inline void decide_pivot(const FirmPlan& plan, int day, const DayMarket& market, FirmState& state) {
  if (plan.pivot_policy == PivotPolicy::kNone || state.sites[plan.pivot_site].conversion_decision_day >= 0) return;
  bool decide = false;
  if (plan.pivot_policy == PivotPolicy::kSchedule) {
    decide = day == plan.pivot_day;
  } else {
    state.trigger_days_below =
        market.hashprice_usd_per_ph_day < plan.pivot_hashprice_below_usd_per_ph_day ? state.trigger_days_below + 1 : 0;
    decide = state.trigger_days_below >= plan.pivot_trigger_days;
  }
  if (decide) {
    SiteState& site = state.sites[plan.pivot_site];
    site.converted_mw = plan.pivot_mw;
    site.conversion_decision_day = day;
    site.conversion_revenue_day = day + plan.sites[plan.pivot_site].lead_time_days;
  }
}

/// On the pivot's decision day with sell_displaced: the share of each of the site's fleet entries the
/// conversion displaces (converted MW over the site's mining MW, at most all) is sold at its tier's
/// price × its hashrate still in service: cash in, that share of the book out of PP&E (the rest
/// depreciates at the same share of the rate), the difference a gain or loss.
inline void sell_displaced_machines(const FirmPlan& plan, int day, FirmState& state, DayAccounts& a) {
  if (!plan.sell_displaced || plan.pivot_site == kNoIndex) return;
  const SiteState& site_state = state.sites[plan.pivot_site];
  if (site_state.conversion_decision_day != day) return;
  const PlanSite& site = plan.sites[plan.pivot_site];
  if (!(site.mining_it_mw > 0.0)) return;
  const double displaced = std::min(1.0, site_state.converted_mw / site.mining_it_mw);
  for (std::size_t i = 0; i < plan.fleet.size(); ++i) {
    const PlanFleet& f = plan.fleet[i];
    FleetState& fs = state.fleet[i];
    if (f.site != plan.pivot_site || fs.in_place <= 0.0) continue;
    const double sold_share = fs.in_place * displaced;
    const double surviving = fleet_survival(f, day);
    if (surviving <= 0.0) continue;  // not yet delivered (a refresh) or retired
    const double proceeds = f.hashrate_th_total * surviving * sold_share * f.secondary_usd_per_th;
    const double book_out = fs.book_usd * displaced;
    fs.book_usd -= book_out;
    fs.in_place -= sold_share;
    state.ppe_book_usd -= book_out;
    state.cash_usd += proceeds;
    a.machine_sale_proceeds_usd += proceeds;
    a.machine_sale_gain_usd += proceeds - book_out;
    a.machines_sold += f.machine_count * surviving * sold_share;
  }
}

// ---- 3. Mining and power --------------------------------------------------------------------------

/// The share of a site's machines still mining: 1 − converted_mw / mining_it_mw (at least 0), and 0
/// at a site without machines.
template <class T>
inline T mining_share(const PlanSite& site, const BasicSiteState<T>& site_state) {
  const T converted_mw = site_state.converted_mw;
  T share = lanes::splat<T>(site.mining_it_mw > 0.0 ? 1.0 : 0.0);
  const auto reduced = converted_mw > 0.0 && share > 0.0;
  if (lanes::any(reduced))
    lanes::assign_if(reduced, share, lanes::max(T{}, 1.0 - converted_mw / site.mining_it_mw));
  return share;
}

/// How a fleet entry's load runs on a day: hours, their fraction of the day, and the power cost and
/// curtailment credit per MW of load.
template <class T>
struct BasicPowerDay {
  T running_hours;
  T running_fraction;
  T energy_cost_usd_per_mw;
  T credit_usd_per_mw;
};
using PowerDay = BasicPowerDay<double>;

/// The day's energy price at site `k`, USD/MWh: a fixed contract's energy part; an index or
/// pass-through site's index price of the day (plus its margin) where the market gives one, else
/// its price at day 0.
template <class T>
inline T energy_price_usd_per_mwh(const PlanSite& site, std::size_t k, const BasicDayMarket<T>& market) {
  return site.index_power && !market.power_usd_per_mwh.empty()
             ? market.power_usd_per_mwh[k] + site.energy_margin_usd_per_mwh
             : lanes::splat<T>(site.fixed_power_price_usd_per_mwh);
}

/// Curtailment (docs/model.md §4) of fleet entry `f` at its site `site` when the entry decides alone (no
/// take-or-pay floor, unlimited curtailment rights): never, the whole day at the site's energy
/// price. Economic, on the AVOIDABLE cost only: the energy price (the contract's fixed charges are
/// paid either way and do not enter): hourly with rules::curtail_hourly where the index site has
/// hourly prices, else all-or-nothing on the daily price (off when energy price + credit >=
/// break-even, which is linear in the hashprice). Entries of one site decide on their own
/// break-evens, so the least efficient switch off first: the site's running fraction is partial.
template <class T>
inline BasicPowerDay<T> power_day(CurtailPolicy curtail, const PlanFleet& f, const PlanSite& site,
                                  const BasicDayMarket<T>& market) {
  constexpr double kHours = static_cast<double>(kHoursPerDay);
  const T daily_price = energy_price_usd_per_mwh(site, f.site, market);
  BasicPowerDay<T> p{lanes::splat<T>(kHours), lanes::splat<T>(1.0), daily_price * kHours, T{}};
  if (curtail != CurtailPolicy::kEconomic) return p;
  const T breakeven = f.breakeven_usd_per_mwh_per_hashprice_usd * market.hashprice_usd_per_ph_day;
  const double credit = site.curtailment_credit_usd_per_mwh;
  if constexpr (!lanes::kIsLanes<T>) {
    if (site.index_power && market.hourly_power_usd_per_mwh.size() >= (f.site + 1) * kHoursPerDay) {
      const CurtailedDay c = curtail_hourly(market.hourly_power_usd_per_mwh.subspan(f.site * kHoursPerDay, kHoursPerDay),
                                            breakeven, credit, site.energy_margin_usd_per_mwh);
      return {c.running_hours, c.running_hours / kHours, c.energy_cost_usd_per_mw, c.credit_usd_per_mw};
    }
  }  // a block's market has no hourly prices: a plan that reads them is stepped path by path
  const auto off = !(daily_price + credit < breakeven);
  if (lanes::any(off)) {
    lanes::assign_if(off, p.running_hours, T{});
    lanes::assign_if(off, p.running_fraction, T{});
    lanes::assign_if(off, p.energy_cost_usd_per_mw, T{});
    lanes::assign_if(off, p.credit_usd_per_mw, lanes::splat<T>(credit * kHours));
  }
  return p;
}

/// One fleet entry's day when it decides alone: its machines hashing (availability × the site's
/// mining share), running hashrate, FPPS BTC mined (rules::fpps_btc_per_day, linear in the hashrate
/// and the hashprice), energy, power cost, curtailment credits and curtailed MWh, added to `a`.
template <class T>
inline void mine_fleet_entry(const FirmPlan& plan, std::size_t entry, int day, const BasicDayMarket<T>& market,
                             const BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  constexpr double kHours = static_cast<double>(kHoursPerDay);
  const PlanFleet& f = plan.fleet[entry];
  const PlanSite& site = plan.sites[f.site];
  const T share = mining_share(site, state.sites[f.site]) * fleet_availability(plan, entry, day);
  const auto mining = !(share <= 0.0);
  if (!lanes::any(mining)) return;
  const T load_mw = f.load_mw_all_running * share;  // at the meter while hashing
  const BasicPowerDay<T> p = power_day(plan.curtail_policy, f, site, market);
  const T running_share = share * p.running_fraction;
  using lanes::assign_if;
  assign_if(mining, a.available_hashrate_th, a.available_hashrate_th + f.hashrate_th_total * share);
  assign_if(mining, a.running_hashrate_th, a.running_hashrate_th + f.hashrate_th_total * running_share);
  assign_if(mining, a.btc_mined,
            a.btc_mined + f.btc_per_day_per_hashprice * running_share * market.hashprice_btc_per_ph_day);
  assign_if(mining, a.energy_mwh, a.energy_mwh + load_mw * p.running_hours);
  assign_if(mining, a.curtailed_mwh, a.curtailed_mwh + load_mw * (kHours - p.running_hours));
  assign_if(mining, a.power_cost_usd, a.power_cost_usd + load_mw * p.energy_cost_usd_per_mw);
  assign_if(mining, a.curtailment_credit_usd, a.curtailment_credit_usd + load_mw * p.credit_usd_per_mw);
}

/// The MWh an entry of full-day energy `full_mwh` and break-even `breakeven` draws at a site with a
/// take-or-pay floor, `floor_left_mwh` of which the more efficient entries left unused (reduced by
/// what this entry uses). Energy within the floor is already paid: it runs when the credit for
/// curtailing is below the break-even; energy above it runs when energy price + credit is. `run_all`
/// (never curtail, or curtailment rights used up) runs everything.
inline double site_entry_running_mwh(double full_mwh, double breakeven, double price, double credit, bool run_all,
                                     double& floor_left_mwh) {
  const double within = std::min(full_mwh, floor_left_mwh);
  const double run_within = run_all || credit < breakeven ? within : 0.0;
  const double run_above = run_all || price + credit < breakeven ? full_mwh - within : 0.0;
  floor_left_mwh -= run_within;
  return run_within + run_above;
}

/// Site `k`'s mining and power when the site decides as a whole (a take-or-pay floor or limited
/// curtailment rights; PlanSite::site_level_decision), on the day's energy price (an index site's
/// daily mean: the floor is a daily quantity, so hour-by-hour switching is not applied here).
/// The entries fill the floor in merit order, most efficient first (site_entry_running_mwh); the
/// energy bill is price × max(drawn, floor), of which price × floor is fixed (paid regardless); the
/// floor ends with the contract's term (PlanSite::fixed_end_day).
/// Curtailment rights: the day's curtailed MWh over the site's full-day load are full-site hours;
/// a day whose hours would exceed the contract year's remaining rights runs in full instead.
/// Contract years run from day 0 in 365-day steps.
inline void mine_site(const FirmPlan& plan, std::size_t k, int day, const DayMarket& market, FirmState& state,
                      DayAccounts& a) {
  constexpr double kHours = static_cast<double>(kHoursPerDay);
  const PlanSite& site = plan.sites[k];
  SiteState& ss = state.sites[k];
  const double site_share = mining_share(site, ss);
  const double price = energy_price_usd_per_mwh(site, k, market);
  const double credit = site.curtailment_credit_usd_per_mwh;
  const double floor_mwh =
      day < site.fixed_end_day ? site.take_or_pay_fraction * site_contracted_mw(plan, k, day, ss.converted_mw) * kHours : 0.0;
  const auto entry_full_mwh = [&](std::size_t i) {
    return plan.fleet[i].load_mw_all_running * site_share * fleet_availability(plan, i, day) * kHours;
  };
  const auto entry_breakeven = [&](std::size_t i) {
    return plan.fleet[i].breakeven_usd_per_mwh_per_hashprice_usd * market.hashprice_usd_per_ph_day;
  };
  bool run_all = plan.curtail_policy != CurtailPolicy::kEconomic;
  const int contract_year = day / static_cast<int>(kDaysPerYear);
  if (ss.curtailment_year != contract_year) {
    ss.curtailment_year = contract_year;
    ss.curtailed_hours_in_year = 0.0;
  }
  if (!run_all && site.max_curtailed_hours_per_year < std::numeric_limits<double>::infinity()) {
    double floor_left = floor_mwh;
    double full = 0.0;
    double run = 0.0;
    for (const std::size_t i : site.merit_order) {
      const double f = entry_full_mwh(i);
      full += f;
      run += site_entry_running_mwh(f, entry_breakeven(i), price, credit, false, floor_left);
    }
    const double hours = full > 0.0 ? (full - run) / full * kHours : 0.0;
    if (ss.curtailed_hours_in_year + hours > site.max_curtailed_hours_per_year) run_all = true;
    else ss.curtailed_hours_in_year += hours;
  }
  double floor_left = floor_mwh;
  double drawn_mwh = 0.0;
  double curtailed_mwh = 0.0;
  for (const std::size_t i : site.merit_order) {
    const PlanFleet& f = plan.fleet[i];
    const double full = entry_full_mwh(i);
    if (full <= 0.0) continue;
    const double run = site_entry_running_mwh(full, entry_breakeven(i), price, credit, run_all, floor_left);
    const double running_share = site_share * fleet_availability(plan, i, day) * (run / full);
    a.available_hashrate_th += f.hashrate_th_total * site_share * fleet_availability(plan, i, day);
    a.running_hashrate_th += f.hashrate_th_total * running_share;
    a.btc_mined += f.btc_per_day_per_hashprice * running_share * market.hashprice_btc_per_ph_day;
    drawn_mwh += run;
    curtailed_mwh += full - run;
  }
  a.energy_mwh += drawn_mwh;
  a.curtailed_mwh += curtailed_mwh;
  a.power_cost_usd += price * std::max(drawn_mwh, floor_mwh);
  a.hosting_fixed_usd += price * floor_mwh;
  a.curtailment_credit_usd += credit * curtailed_mwh;
}

/// Every fleet entry's mining and power (entries of sites that decide alone in fleet order, then
/// each site that decides as a whole); the pool pays the FPPS amount × its luck (PPLNS/TIDES:
/// DayMarket::pool_luck, the difference into btc_pool_luck); the BTC mined goes to free BTC and is
/// revenue at `price`.
template <class T>
inline void mine_and_pay_power(const FirmPlan& plan, int day, const BasicDayMarket<T>& market,
                               BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  for (std::size_t entry = 0; entry < plan.fleet.size(); ++entry)
    if (!plan.sites[plan.fleet[entry].site].site_level_decision) mine_fleet_entry(plan, entry, day, market, state, a);
  if constexpr (!lanes::kIsLanes<T>) {  // a plan with such a site is stepped path by path
    if (plan.live.site_decisions)
      for (std::size_t k = 0; k < plan.sites.size(); ++k)
        if (plan.sites[k].site_level_decision) mine_site(plan, k, day, market, state, a);
  }
  const auto luck = market.pool_luck != 1.0;
  if (lanes::any(luck)) {
    const T fpps_btc = a.btc_mined;
    lanes::assign_if(luck, a.btc_mined, fpps_btc * market.pool_luck);
    lanes::assign_if(luck, a.btc_pool_luck, a.btc_mined - fpps_btc);
  }
  state.free_btc += a.btc_mined;
  a.mining_revenue_usd = a.btc_mined * market.price_usd_per_btc;
}

// ---- 4. Site costs --------------------------------------------------------------------------------

/// Fixed opex of each site's unconverted MW; the power contract's fixed charges (kW-month hosting
/// fee and fixed share) on the contracted MW (site_contracted_mw) until the term's end
/// (PlanSite::fixed_end_day), into the power cost and hosting_fixed_usd; the day's SG&A.
template <class T>
inline void site_costs(const FirmPlan& plan, int day, const BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  for (std::size_t k = 0; k < plan.sites.size(); ++k) {
    a.opex_usd +=
        plan.sites[k].opex_usd_per_mw_day * lanes::max(T{}, plan.sites[k].capacity_mw - state.sites[k].converted_mw);
    if (plan.sites[k].fixed_cost_usd_per_mw_day > 0.0 && day < plan.sites[k].fixed_end_day) {
      const T fixed =
          plan.sites[k].fixed_cost_usd_per_mw_day * site_contracted_mw(plan, k, day, state.sites[k].converted_mw);
      a.power_cost_usd += fixed;
      a.hosting_fixed_usd += fixed;
    }
  }
  a.sga_usd = lanes::splat<T>(plan.sga_usd_per_day);
}

// ---- 5. HPC lease, conversion capex, depreciation -------------------------------------------------

/// A converting site's day: capex (tenant share excluded) paid evenly over the lead time (all on the
/// decision day when there is none) and capitalized; from the first revenue day for the term, lease
/// × MW × NOI margin of the contract year until the tenant defaults, and the capex depreciates
/// straight line over the term.
template <class T>
inline void lease_and_convert_site(const FirmPlan& plan, std::size_t k, int day, BasicFirmState<T>& state,
                                   BasicDayAccounts<T>& a) {
  using lanes::assign_if;
  BasicSiteState<T>& s = state.sites[k];
  const lanes::IntOf<T> decided = s.conversion_decision_day;
  const auto converting = !(decided < 0);
  if (!lanes::any(converting)) return;
  const PlanSite& site = plan.sites[k];
  const T mw = s.converted_mw;
  const T capex_total = mw * site.capex_usd_per_mw * (1.0 - site.tenant_funded_fraction);
  const lanes::IntOf<T> revenue_day = s.conversion_revenue_day;
  T capex{};
  if (site.lead_time_days == 0) {
    assign_if(converting && day == decided, capex, capex_total);
  } else {
    assign_if(converting && day < revenue_day, capex, capex_total / static_cast<double>(site.lead_time_days));
  }
  assign_if(converting, s.conversion_book_usd, s.conversion_book_usd + capex);
  assign_if(converting, a.capex_usd, a.capex_usd + capex);
  if (site.project_debt_loan_to_cost > 0.0) {
    const auto drawing = converting && capex > 0.0;
    const T draw = capex * site.project_debt_loan_to_cost;
    assign_if(drawing, s.project_debt_usd, s.project_debt_usd + draw);
    assign_if(drawing, state.cash_usd, state.cash_usd + draw);
    assign_if(drawing, a.debt_drawn_usd, a.debt_drawn_usd + draw);
  }
  const auto in_term = converting && day >= revenue_day && day < revenue_day + site.term_days;
  if (!lanes::any(in_term)) return;
  // A defaulted tenant pays nothing more; the capex still depreciates over the term.
  const auto paid = in_term && day - revenue_day < s.tenant_default_after_days;
  T lease_usd_per_mw_day{};
  lanes::for_each_lane(paid, [&](std::size_t l) {
    const auto contract_year_index =
        static_cast<std::size_t>((day - lanes::lane(revenue_day, l)) / static_cast<int>(kDaysPerYear));
    lanes::set_lane(lease_usd_per_mw_day, l, site.lease_usd_per_mw_day_by_contract_year[contract_year_index]);
  });
  assign_if(paid, a.hpc_revenue_usd, a.hpc_revenue_usd + lease_usd_per_mw_day * mw * site.noi_margin);
  const T dep = lanes::min(s.conversion_book_usd, capex_total / static_cast<double>(std::max(1, site.term_days)));
  assign_if(in_term, s.conversion_book_usd, s.conversion_book_usd - dep);
  assign_if(in_term, a.depreciation_usd, a.depreciation_usd + dep);
}

/// Every site's HPC lease and conversion (lease_and_convert_site), in site order.
template <class T>
inline void hpc_lease_and_capex(const FirmPlan& plan, int day, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  if (!plan.live.conversions) return;
  for (std::size_t k = 0; k < plan.sites.size(); ++k) lease_and_convert_site(plan, k, day, state, a);
}

/// The strategy's refreshes on `day`: on the order day the deposit is capex (held in PP&E); on the
/// delivery day the balance is capex, the bought entry's book becomes the whole price (the deposit
/// joins it), and the replaced entry is sold: its surviving machines' secondary price to cash, its
/// book out of PP&E, the difference a gain (or loss).
inline void refresh_fleet(const FirmPlan& plan, int day, FirmState& state, DayAccounts& a) {
  for (const PlanRefresh& r : plan.refreshes) {
    if (day == r.order_day) a.capex_usd += r.deposit_usd;
    if (day != r.delivery_day) continue;
    a.capex_usd += r.cost_usd - r.deposit_usd;
    state.fleet[r.entry].book_usd += r.cost_usd;
    a.machines_bought += r.count;
    if (r.replaced_entry == kNoIndex) continue;
    const double book = state.fleet[r.replaced_entry].book_usd;
    state.fleet[r.replaced_entry].book_usd = 0.0;
    state.ppe_book_usd -= book;
    state.cash_usd += r.replaced_sale_usd;
    a.machine_sale_proceeds_usd += r.replaced_sale_usd;
    a.machine_sale_gain_usd += r.replaced_sale_usd - book;
    a.machines_sold += r.replaced_count;
  }
}

/// The scenario fleet's dated events on `day`: a deployment's capex paid in cash (capex) and into
/// its entry's book (depreciated from today, FleetEntry::capex_usd); a relocation's cost paid in
/// cash and expensed as opex (make_plan says why).
inline void deploy_and_relocate_fleet(const FirmPlan& plan, int day, FirmState& state, DayAccounts& a) {
  for (const PlanDeployment& d : plan.deployments) {
    if (day != d.day) continue;
    a.capex_usd += d.capex_usd;
    state.fleet[d.entry].book_usd += d.capex_usd;
  }
  for (const PlanRelocation& r : plan.relocations)
    if (day == r.day) a.opex_usd += r.cost_usd;
}

/// The fleet's straight-line depreciation (to zero book), then the day's capex less all
/// depreciation (conversion's included) into PP&E.
template <class T>
inline void depreciate(const FirmPlan& plan, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  for (std::size_t i = 0; i < plan.fleet.size(); ++i) {
    const T dep = lanes::min(state.fleet[i].book_usd, plan.fleet[i].depreciation_usd_per_day * state.fleet[i].in_place);
    state.fleet[i].book_usd -= dep;
    a.depreciation_usd += dep;
  }
  state.ppe_book_usd += a.capex_usd - a.depreciation_usd;
}

// ---- 6. Debt service ------------------------------------------------------------------------------

/// Each debt due today that the plan may roll (refinance_max_rolls > rolls so far): rolled for its
/// tenor at the refinancing rate, with the fee paid as interest, when the lender's tests pass on
/// this path: a BTC-backed loan's collateral is topped up from free BTC to stand at max_ltv (no
/// roll, and nothing moved, when the free BTC cannot cover it); the firm's trailing EBITDA covers
/// min_interest_coverage × its annual interest after the roll. Else service_debt repays it.
inline void refinance_maturing(const FirmPlan& plan, int day, double price, FirmState& state, DayAccounts& a) {
  if (!plan.live.refinancing) return;
  for (std::size_t i = 0; i < plan.debts.size(); ++i) {
    const PlanDebt& d = plan.debts[i];
    DebtState& debt = state.debts[i];
    if (debt.principal_usd <= 0.0 || day < debt.maturity_day || debt.rolls >= d.refinance_max_rolls) continue;
    double top_up_btc = 0.0;
    if (d.kind == DebtKind::kBtcBacked) {
      if (!(price > 0.0)) continue;
      top_up_btc =
          std::max(0.0, collateral_for_ltv_btc(debt.principal_usd, price, d.refinance_max_ltv) - debt.collateral_btc);
      if (top_up_btc > state.free_btc) continue;
    }
    double annual_interest_usd = debt.principal_usd * d.refinance_rate_annual;
    for (std::size_t j = 0; j < plan.debts.size(); ++j)
      if (j != i) annual_interest_usd += state.debts[j].principal_usd * state.debts[j].rate_annual;
    if (!passes_interest_coverage(state.trailing_ebitda_usd_per_day, kDaysPerYear, annual_interest_usd,
                                  d.refinance_min_interest_coverage))
      continue;
    state.free_btc -= top_up_btc;
    debt.collateral_btc += top_up_btc;
    a.btc_topped_up += top_up_btc;
    debt.maturity_day = day + d.refinance_tenor_days;
    debt.rate_annual = d.refinance_rate_annual;
    ++debt.rolls;
    ++state.refinancings;
    a.interest_usd += d.refinance_fee_fraction * debt.principal_usd;
  }
}

/// Whether convertible `d` converts at maturity today: into shares on the share-price rule
/// (firm/equity.hpp conversion_shares) when it has a conversion price per share, else on the BTC
/// price stand-in (price >= conversion_price_usd; no shares issued).
inline bool converts_today(const PlanDebt& d, double price, const FirmState& state) {
  if (d.kind != DebtKind::kConvertible) return false;
  if (d.conversion_price_usd_per_share > 0.0) return state.share_price_usd >= d.conversion_price_usd_per_share;
  return d.conversion_price_usd > 0.0 && price >= d.conversion_price_usd;
}

/// For each debt with principal left: interest on the opening principal; at or after maturity the
/// principal is repaid in cash, or a convertible converts into equity (converts_today; into
/// principal / conversion price shares when priced per share); before maturity, linear
/// amortization is repaid in cash.
template <class T>
inline void service_debt(const FirmPlan& plan, int day, std::type_identity_t<T> price, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  for (std::size_t i = 0; i < plan.debts.size(); ++i) {
    const PlanDebt& d = plan.debts[i];
    const T principal = state.debts[i].principal_usd;
    const auto owed = !(principal <= 0.0);
    if (!lanes::any(owed)) continue;
    lanes::assign_if(owed, a.interest_usd, a.interest_usd + daily_interest_usd(principal, state.debts[i].rate_annual));
    const auto due = owed && day >= state.debts[i].maturity_day;
    if constexpr (!lanes::kIsLanes<T>) {
      if (due) {
        if (converts_today(d, price, state)) {
          state.debts[i].principal_usd = 0.0;
          state.paid_in_capital_usd += principal;
          a.debt_converted_to_equity_usd += principal;
          if (d.conversion_price_usd_per_share > 0.0) {
            const double shares = conversion_shares(principal, d.conversion_price_usd_per_share, state.share_price_usd);
            state.shares_outstanding += shares;
            a.shares_issued += shares;
          }
        } else {
          repay_cash(state, i, principal, a);
        }
        continue;
      }
    }  // a block is stepped path by path on a day a solvent path's debt is due (step_day_lanes)
    if (d.linear)
      repay_cash(owed && !due, state, i,
                 linear_amortization_usd(principal, state.debts[i].maturity_day - day + 1), a);
  }
}

/// Each site's project debt: interest on the balance; from the first day of revenue the daily
/// annuity that repays it over the lease term (fixed that day on the balance then), its principal
/// part (payment − interest; all that is left on the term's last day) repaid in cash. Recourse: the
/// service goes on after a tenant default.
template <class T>
inline void service_project_debt(const FirmPlan& plan, int day, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  if (!plan.live.conversions) return;  // project debt is drawn only by a conversion's capex
  using lanes::assign_if;
  for (std::size_t k = 0; k < plan.sites.size(); ++k) {
    BasicSiteState<T>& s = state.sites[k];
    const T balance = s.project_debt_usd;
    const auto owed = !(balance <= 0.0);
    if (!lanes::any(owed)) continue;
    const PlanSite& site = plan.sites[k];
    const T interest = daily_interest_usd(balance, lanes::splat<T>(site.project_debt_rate_annual));
    assign_if(owed, a.interest_usd, a.interest_usd + interest);
    const lanes::IntOf<T> revenue_day = s.conversion_revenue_day;
    const auto repaying = owed && !(day < revenue_day);
    if (!lanes::any(repaying)) continue;
    lanes::for_each_lane(repaying && day == revenue_day, [&](std::size_t l) {
      lanes::set_lane(s.project_debt_payment_usd, l,
                      annuity_payment_usd(lanes::lane(balance, l), site.project_debt_rate_annual / kDaysPerYear,
                                          std::max(1, site.term_days)));
    });
    const auto last_payment = day >= revenue_day + site.term_days - 1;
    const T principal = lanes::select(last_payment, balance, lanes::clamp(s.project_debt_payment_usd - interest, T{}, balance));
    assign_if(repaying, s.project_debt_usd, s.project_debt_usd - principal);
    assign_if(repaying, state.cash_usd, state.cash_usd - principal);
    assign_if(repaying, a.debt_repaid_usd, a.debt_repaid_usd + principal);
  }
}

// ---- 7. Income statement and tax ------------------------------------------------------------------

/// EBITDA, pre-tax income, tax (tax_rate × positive pre-tax income excluding the revaluation), net
/// income and operating cash flow; cash moves by operating cash flow less capex.
template <class T>
inline void income_and_tax(const FirmPlan& plan, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  a.ebitda_usd = a.mining_revenue_usd + a.hpc_revenue_usd + a.curtailment_credit_usd - a.power_cost_usd - a.opex_usd -
                 a.sga_usd;
  const T taxable =
      a.ebitda_usd - a.depreciation_usd - a.interest_usd + a.machine_sale_gain_usd + a.hedge_cash_flow_usd;
  a.pretax_income_usd = taxable + a.btc_revaluation_gain_usd;
  a.tax_usd = plan.tax_rate * lanes::max(T{}, taxable);
  a.net_income_usd = a.pretax_income_usd - a.tax_usd;
  a.operating_cash_flow_usd = a.hpc_revenue_usd + a.curtailment_credit_usd - a.power_cost_usd - a.opex_usd - a.sga_usd -
                              a.interest_usd - a.tax_usd;
  state.cash_usd += a.operating_cash_flow_usd - a.capex_usd;
}

// ---- 6b. Hedges ----------------------------------------------------------------------------------

/// Hedge leg `leg`'s premium per BTC of notional at spot `price` (firm/options_pricing.hpp).
inline double hedge_premium_usd_per_btc(const FirmPlan& plan, const PlanHedgeLeg& leg, double price) {
  const OptionTerms terms{price, leg.strike_usd_per_btc, plan.hedge_rate_annual, plan.hedge_volatility_annual,
                          leg.maturity_years};
  return leg.call ? black_scholes_call_usd(terms) : black_scholes_put_usd(terms);
}

/// Hedge leg `leg`'s payoff per BTC of notional at expiry price `price`: max(S − K, 0) for a call,
/// max(K − S, 0) for a put.
inline double hedge_payoff_usd_per_btc(const PlanHedgeLeg& leg, double price) {
  return std::max(0.0, leg.call ? price - leg.strike_usd_per_btc : leg.strike_usd_per_btc - price);
}

/// The day's premiums and expiry payoffs of the strategy's option legs into cash and
/// a.hedge_cash_flow_usd (a strategy without legs touches nothing).
template <class T>
inline void settle_hedges(const FirmPlan& plan, int day, std::type_identity_t<T> price, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  if constexpr (!lanes::kIsLanes<T>) {  // a block is stepped path by path on a leg's buy and expiry days
    for (std::size_t i = 0; i < plan.hedge_leg_count; ++i) {
      const PlanHedgeLeg& leg = plan.hedge_legs[i];
      if (day == leg.buy_day)
        a.hedge_cash_flow_usd -= leg.position * leg.notional_btc * hedge_premium_usd_per_btc(plan, leg, price);
      if (day == leg.expiry_day) a.hedge_cash_flow_usd += leg.position * leg.notional_btc * hedge_payoff_usd_per_btc(leg, price);
    }
  }
  state.cash_usd += a.hedge_cash_flow_usd;
}

/// The index price a power swap at site `k` settles on: the day's index price where the market
/// gives one (without a pass-through site's margin), else the site's price at day 0.
inline double swap_index_usd_per_mwh(const PlanSite& site, std::size_t k, const DayMarket& market) {
  return !market.power_usd_per_mwh.empty() ? market.power_usd_per_mwh[k] : site.fixed_power_price_usd_per_mwh;
}

/// The day's hashprice forwards and power swaps (PlanSwapLeg): a forward's month accrues
/// (fixed − the day's hashprice index) × PH/s into state.swap_accrued_usd and settles it on the
/// month's last day; a power swap pays (index − fixed) × MW × 24 h. Both into cash and
/// a.hedge_cash_flow_usd. The margin the forwards need today (the initial margin of the contracts
/// open, plus each unsettled month's month-to-date loss) replaces yesterday's: the difference moves
/// between cash and state.margin_posted_usd (a.margin_cash_flow_usd). A strategy without forwards
/// or swaps touches nothing.
inline void settle_swaps(const FirmPlan& plan, int day, const DayMarket& market, FirmState& state, DayAccounts& a) {
  if (plan.swap_leg_count == 0) return;
  constexpr double kHours = static_cast<double>(kHoursPerDay);
  double settled_usd = 0.0;
  double margin_usd = 0.0;
  for (std::size_t i = 0; i < plan.swap_leg_count; ++i) {
    const PlanSwapLeg& leg = plan.swap_legs[i];
    if (day >= leg.margin_from_day && day < leg.margin_until_day) margin_usd += leg.initial_margin_usd;
    if (day < leg.start_day || day >= leg.end_day) continue;
    if (leg.power) {
      const double index = swap_index_usd_per_mwh(plan.sites[leg.site], leg.site, market);
      settled_usd += (index - leg.fixed_price) * leg.quantity * kHours;
      continue;
    }
    double& accrued = state.swap_accrued_usd[i];
    accrued += (leg.fixed_price - market.hashprice_usd_per_ph_day) * leg.quantity;
    if (day + 1 == leg.end_day) {
      settled_usd += accrued;
      accrued = 0.0;
    } else {
      margin_usd += std::max(0.0, -accrued);
    }
  }
  a.hedge_cash_flow_usd += settled_usd;
  a.margin_cash_flow_usd = state.margin_posted_usd - margin_usd;
  state.margin_posted_usd = margin_usd;
  state.cash_usd += settled_usd + a.margin_cash_flow_usd;
}

// ---- 8. One-off sales -----------------------------------------------------------------------------

/// One one-off sale: free BTC sold (up to what is free), proceeds to cash. A sale that repays a debt
/// repays it from the proceeds; one that repays a BTC-backed loan sells free BTC first, then that
/// loan's collateral, no more than the loan still needs; what the repayment released (or more free
/// BTC) is sold for cash up to the sale's BTC.
inline void make_sale(const FirmPlan& plan, const PlanSale& sale, double price, FirmState& state, DayAccounts& a) {
  const double impact = plan.sale_impact_per_sqrt_btc;
  double sold = std::clamp(sale.btc, 0.0, state.free_btc);  // what sell_free takes
  double proceeds = sell_free(state, sale.btc, price, impact, a);
  // BTC of the sale sold so far. Without impact proceeds / price, the form the rule had before
  // market impact (its last bits are in every bundled output).
  const auto sold_so_far = [&] { return impact > 0.0 ? sold : proceeds / price; };
  if (sale.use == SaleUse::kRepayDebt && plan.debts[sale.debt].kind == DebtKind::kBtcBacked && price > 0.0) {
    DebtState& debt = state.debts[sale.debt];
    const double still_owed_btc =
        std::max(0.0, btc_to_raise(debt.principal_usd - proceeds, price, impact, sold_today_btc(a)));
    const double from_collateral = std::min({sale.btc - sold_so_far(), debt.collateral_btc, still_owed_btc});
    if (from_collateral > 0.0) {
      debt.collateral_btc -= from_collateral;
      proceeds += record_sale(state, from_collateral, price, impact, a);
      sold += from_collateral;
    }
  }
  if (sale.use == SaleUse::kRepayDebt) {
    repay_cash(state, sale.debt, proceeds, a);
    if (sold_so_far() < sale.btc) sell_free(state, sale.btc - sold_so_far(), price, impact, a);
  }
}

/// The strategy's one-off sales dated `day`, in scenario order.
inline void one_off_sales(const FirmPlan& plan, int day, double price, FirmState& state, DayAccounts& a) {
  for (const PlanSale& sale : plan.sales)
    if (sale.day == day) make_sale(plan, sale, price, state, a);
}

// ---- 8b. ATM programme ----------------------------------------------------------------------------

/// From the programme's first day, ATM shares are sold (up to the day's cap) until the gross sold
/// over the run, by either use, reaches raise_usd (firm/equity.hpp issue_atm_shares).
template <class T>
inline void atm_programme(const FirmPlan& plan, int day, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  if (!plan.has_atm || day < plan.atm_from_day) return;
  const auto raising = !(state.atm_sold_usd >= plan.atm_raise_usd);
  if (!lanes::any(raising)) return;
  issue_atm_shares(raising, plan, plan.atm_raise_usd - state.atm_sold_usd, state, a);
}

// ---- 9. Sell policy -------------------------------------------------------------------------------

/// sell_all_mined / sell_fraction of today's mined BTC; cash_floor sells free BTC up to
/// cash_floor_months × 365/12 days of today's cash costs (power + opex + SG&A + interest); hold.
template <class T>
inline void sell_policy(const FirmPlan& plan, std::type_identity_t<T> price, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  const auto every_path = lanes::all_true<T>();
  switch (plan.sell_policy) {
    case SellPolicy::kHold:
      break;
    case SellPolicy::kSellAllMined:
      sell_free(every_path, state, a.btc_mined, price, plan.sale_impact_per_sqrt_btc, a);
      break;
    case SellPolicy::kSellFraction:
      sell_free(every_path, state, plan.sell_fraction * a.btc_mined, price, plan.sale_impact_per_sqrt_btc, a);
      break;
    case SellPolicy::kCashFloor: {
      const T daily_costs = a.power_cost_usd + a.opex_usd + a.sga_usd + a.interest_usd;
      const T floor_usd = plan.cash_floor_months * kDaysPerYear / kMonthsPerYear * daily_costs;
      const auto below = state.cash_usd < floor_usd && price > 0.0;
      if (lanes::any(below)) {
        const double impact = plan.sale_impact_per_sqrt_btc;
        const T short_usd = lanes::select(below, floor_usd - state.cash_usd, T{});
        sell_free(below, state, btc_to_raise(short_usd, price, impact, sold_today_btc(a)), price, impact, a);
      }
      break;
    }
  }
}

// ---- 10. BTC-backed loans -------------------------------------------------------------------------

/// The margin call test: the loan's LTV at `price` is above its call level (and BTC has a price).
template <class T>
inline lanes::MaskOf<T> margin_called(const PlanDebt& d, const BasicDebtState<T>& debt, T price) {
  return loan_to_value(debt.principal_usd, debt.collateral_btc, price) > d.ltv_call && price > 0.0;
}
inline bool margin_called(const PlanDebt& d, const DebtState& debt, double price) {
  return margin_called<double>(d, debt, price);
}

/// A margin call answered: free BTC pledged toward the loan's target LTV, as much as is free.
inline void top_up_collateral(const PlanDebt& d, double price, DebtState& debt, FirmState& state, DayAccounts& a) {
  const double topup =
      std::min(state.free_btc, topup_to_target_btc(debt.principal_usd, debt.collateral_btc, price, d.ltv_target));
  state.free_btc -= topup;
  debt.collateral_btc += topup;
  a.btc_topped_up += topup;
}

/// A loan still above its liquidation LTV: the lender sells collateral (rules::liquidate); the loan
/// is closed, any shortfall due in cash today and the rest of the collateral released.
inline void liquidate_if_above(const PlanDebt& d, std::size_t i, double price, double impact, FirmState& state,
                               DayAccounts& a) {
  DebtState& debt = state.debts[i];
  if (!(loan_to_value(debt.principal_usd, debt.collateral_btc, price) > d.ltv_liquidation)) return;
  const Liquidation l = liquidate(debt.principal_usd, debt.collateral_btc, price, impact, sold_today_btc(a));
  a.slippage_usd += l.collateral_sold_btc * price - l.loan_repaid_usd;
  a.btc_liquidated += l.collateral_sold_btc;
  a.debt_repaid_by_collateral_usd += l.loan_repaid_usd;
  debt.collateral_btc -= l.collateral_sold_btc;
  debt.principal_usd = l.loan_remaining_usd;
  repay_cash(state, i, l.loan_remaining_usd, a);
}

/// Each open BTC-backed loan: a margin call is topped up, then a loan still above liquidation is
/// liquidated.
inline void service_btc_loans(const FirmPlan& plan, double price, FirmState& state, DayAccounts& a) {
  for (std::size_t i = 0; i < plan.debts.size(); ++i) {
    const PlanDebt& d = plan.debts[i];
    if (d.kind != DebtKind::kBtcBacked || state.debts[i].principal_usd <= 0.0) continue;
    if (margin_called(d, state.debts[i], price)) {
      a.margin_calls += 1.0;
      top_up_collateral(d, price, state.debts[i], state, a);
    }
    liquidate_if_above(d, i, price, plan.sale_impact_per_sqrt_btc, state, a);
  }
}

/// Minimum-cash covenants: a debt whose covenant_min_cash_usd exceeds the cash is accelerated (its
/// principal repaid in cash now, which the remedies must fund).
inline void covenants(const FirmPlan& plan, FirmState& state, DayAccounts& a) {
  if (!plan.live.covenants) return;
  for (std::size_t i = 0; i < plan.debts.size(); ++i) {
    const double covenant = plan.debts[i].covenant_min_cash_usd;
    if (covenant > 0.0 && state.debts[i].principal_usd > 0.0 && state.cash_usd < covenant)
      repay_cash(state, i, state.debts[i].principal_usd, a);
  }
}

// ---- 11. Remedies ---------------------------------------------------------------------------------

/// A shortfall the remedies must cover, and that defaults the firm if they cannot: cash below
/// −kCashToleranceUsd. Rounding left by a cover sale is not one: acting on it (a BTC-backed loan repaid
/// from its collateral over 10^−8 USD) made results turn on the last bit of the sale.
template <class T>
[[nodiscard]] inline lanes::MaskOf<T> cash_short(const BasicFirmState<T>& state) {
  return state.cash_usd < -kCashToleranceUsd;
}

/// While cash is short (cash_short), each BTC-backed loan whose collateral is worth more than it owes is repaid by
/// selling just enough of that collateral (as Cango repaid its BTC-backed loan in February 2026), and
/// the rest of the collateral, released as the loan closes, is sold as free BTC to cover the
/// shortfall: the equity in pledged BTC pays the bills before the firm defaults. A loan under water
/// (collateral short of what it owes, after market impact) is left to its lender.
template <class T>
inline void deleverage_from_collateral(const FirmPlan& plan, std::type_identity_t<T> price, BasicFirmState<T>& state,
                                       BasicDayAccounts<T>& a) {
  using lanes::assign_if;
  const double impact = plan.sale_impact_per_sqrt_btc;
  for (std::size_t i = 0; i < plan.debts.size(); ++i) {
    const auto short_now = cash_short(state) && price > 0.0;
    if (!lanes::any(short_now)) break;
    BasicDebtState<T>& debt = state.debts[i];
    if (plan.debts[i].kind != DebtKind::kBtcBacked) continue;
    const auto owed = short_now && !(debt.principal_usd <= 0.0);
    if (!lanes::any(owed)) continue;
    const T owed_btc = btc_to_raise(lanes::select(owed, debt.principal_usd, T{}), price, impact, sold_today_btc(a));
    const auto repays = owed && owed_btc < debt.collateral_btc;
    if (!lanes::any(repays)) continue;
    assign_if(repays, debt.collateral_btc, debt.collateral_btc - owed_btc);
    const T proceeds = record_sale(repays, state, owed_btc, price, impact, a);
    repay_cash(repays, state, i, lanes::max(proceeds, debt.principal_usd), a);
    const T shortfall_usd = lanes::select(repays, -state.cash_usd, T{});
    sell_free(repays, state, btc_to_raise(shortfall_usd, price, impact, sold_today_btc(a)), price, impact, a);
  }
}

/// While cash is short and the programme allows (from its first day, by its remedy keyword): ATM shares
/// sold for the gross that nets the shortfall (as far as the cap, the programme and the floors let).
template <class T>
inline void atm_remedy(const FirmPlan& plan, int day, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  if (!plan.has_atm || day < plan.atm_from_day) return;
  const auto short_now = cash_short(state);
  if (!lanes::any(short_now)) return;
  issue_atm_shares(short_now, plan, atm_gross_for_net_usd(plan, T(-state.cash_usd)), state, a);
}

/// The first remedy: while cash is short (and BTC has a price), free BTC sold for the shortfall.
template <class T>
inline void cover_from_free_btc(const FirmPlan& plan, std::type_identity_t<T> price, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  const auto short_now = cash_short(state) && price > 0.0;
  if (!lanes::any(short_now)) return;
  const double impact = plan.sale_impact_per_sqrt_btc;
  const T shortfall_usd = lanes::select(short_now, -state.cash_usd, T{});
  sell_free(short_now, state, btc_to_raise(shortfall_usd, price, impact, sold_today_btc(a)), price, impact, a);
}

/// The second remedy: while cash is short (and BTC has a price), each BTC lender releases the
/// collateral above what keeps its loan at ltv_target, as much as the shortfall needs, and it is sold.
template <class T>
inline void release_excess_collateral(const FirmPlan& plan, std::type_identity_t<T> price, BasicFirmState<T>& state,
                                      BasicDayAccounts<T>& a) {
  using lanes::assign_if;
  const double impact = plan.sale_impact_per_sqrt_btc;
  for (std::size_t i = 0; i < plan.debts.size(); ++i) {
    const auto short_now = cash_short(state) && price > 0.0;
    if (!lanes::any(short_now)) break;
    const PlanDebt& d = plan.debts[i];
    BasicDebtState<T>& debt = state.debts[i];
    if (d.kind != DebtKind::kBtcBacked) continue;
    const auto owed = short_now && !(debt.principal_usd <= 0.0);
    if (!lanes::any(owed)) continue;
    const T excess = debt.collateral_btc - debt.principal_usd / (d.ltv_target * price);
    const auto releases = owed && !(excess <= 0.0);
    if (!lanes::any(releases)) continue;
    const T shortfall_usd = lanes::select(releases, -state.cash_usd, T{});
    const T release = lanes::min(excess, btc_to_raise(shortfall_usd, price, impact, sold_today_btc(a)));
    assign_if(releases, debt.collateral_btc, debt.collateral_btc - release);
    assign_if(releases, state.free_btc, state.free_btc + release);
    assign_if(releases, a.btc_released, a.btc_released + release);
    sell_free(releases, state, release, price, impact, a);
  }
}

/// The last remedy: while cash is short, revolvers (before maturity) drawn up to their limit.
inline void draw_revolvers(const FirmPlan& plan, int day, FirmState& state, DayAccounts& a) {
  if (!plan.live.revolvers) return;
  for (std::size_t i = 0; i < plan.debts.size() && cash_short(state); ++i) {
    const PlanDebt& d = plan.debts[i];
    if (d.kind != DebtKind::kRevolver || day >= d.maturity_day) continue;
    const double draw = std::min(-state.cash_usd, std::max(0.0, d.limit_usd - state.debts[i].principal_usd));
    state.debts[i].principal_usd += draw;
    state.cash_usd += draw;
    a.debt_drawn_usd += draw;
  }
}

/// While cash is short (below −kCashToleranceUsd): sell free BTC; then have each BTC lender release the collateral above what keeps
/// its loan at ltv_target, and sell it; then draw revolvers (before maturity) up to their limit.
/// The BTC sold here is also counted in btc_sold_forced (the sales the shortfall forced).
/// An ATM programme whose remedy allows it sells shares first (before_btc) or after the BTC, before
/// the revolvers (after_btc).
/// A plan with a revolver is stepped path by path (steps_in_lanes): over lanes, no revolver.
template <class T>
inline void remedies(const FirmPlan& plan, int day, std::type_identity_t<T> price, BasicFirmState<T>& state,
                     BasicDayAccounts<T>& a) {
  const T sold_before = a.btc_sold;
  if (plan.atm_remedy == AtmRemedy::kBeforeBtc) atm_remedy(plan, day, state, a);
  cover_from_free_btc(plan, price, state, a);
  release_excess_collateral(plan, price, state, a);
  deleverage_from_collateral(plan, price, state, a);
  a.btc_sold_forced += a.btc_sold - sold_before;
  if (plan.atm_remedy == AtmRemedy::kAfterBtc) atm_remedy(plan, day, state, a);
  if constexpr (!lanes::kIsLanes<T>) draw_revolvers(plan, day, state, a);
}

// ---- Totals and 12. Default -----------------------------------------------------------------------

/// The slippage of the day's sales (a realized loss against BTC carried at the day's price) out of
/// pre-tax and net income (tax was set in step 7, before the sales: the loss is not deducted); the
/// cash flow totals (investing, financing, total); net income into retained earnings.
template <class T>
inline void close_day(BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  a.pretax_income_usd -= a.slippage_usd;
  a.net_income_usd -= a.slippage_usd;
  a.investing_cash_flow_usd = a.btc_sale_proceeds_usd - a.capex_usd + a.machine_sale_proceeds_usd + a.hedge_cash_flow_usd +
                              a.margin_cash_flow_usd;
  a.financing_cash_flow_usd = a.debt_drawn_usd - a.debt_repaid_usd + a.equity_issued_usd;
  a.total_cash_flow_usd = a.operating_cash_flow_usd + a.investing_cash_flow_usd + a.financing_cash_flow_usd;
  state.retained_earnings_usd += a.net_income_usd;
}

/// Cash still below -kCashToleranceUsd after the remedies: the firm defaults today.
template <class T>
inline void default_if_short(int day, BasicFirmState<T>& state, BasicDayAccounts<T>& a) {
  const auto short_now = cash_short(state);
  if (!lanes::any(short_now)) return;
  lanes::assign_if(short_now, state.defaulted, lanes::all_true<T>());
  lanes::assign_if(short_now, state.default_day, lanes::splat_int<lanes::IntOf<T>>(day));
  lanes::assign_if(short_now, a.defaulted_today, lanes::all_true<T>());
}

}  // namespace hashpivot::firm::day_steps
