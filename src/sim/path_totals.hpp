#pragma once
// Internal to the engine: a firm's running totals over a path, and over a block's paths side by
// side (Worker::run_lanes), with the one rule that adds a day to them.

#include <algorithm>

#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/lanes.hpp"

namespace hashpivot::sim::detail {

/// A firm's running totals over a path (T = double), or over a block's paths side by side, one a
/// lane (T = firm::lanes::Lanes: Worker::run_lanes).
template <class T>
struct alignas(firm::lanes::kAlignOf<T>) BasicPathTotals {
  T btc_mined{};
  T cash_cost_usd{};
  T all_in_cost_usd{};
  T effective_ph_days{};
  T ebitda_usd{};
  T ebitda_last_year_usd{};
  T btc_sold{};
  T margin_calls{};  // BTC-backed loans called, summed over the days
  T running_th_days{};
  T available_th_days{};
  T curtailed_mwh{};
  T energy_cost_usd{};      // power − fixed hosting − credits
  T hosting_fixed_usd{};
  T other_cash_cost_usd{};  // site opex
  T slippage_usd{};
  T machines_bought{};
  T machines_sold{};
  T hedge_pnl_usd{};        // Σ DayAccounts::hedge_cash_flow_usd
  T margin_peak_usd{};      // the most margin posted on the forwards at any day's close
  firm::BasicDayAccounts<T> month_sums{};   // the month's sums so far of the fields kept monthly
};
using PathTotals = BasicPathTotals<double>;

/// Adds a firm's day `a` (its margin posted at the close `margin_posted_usd`; `last_year`: a day of
/// the run's last year) to its path's totals `t` where it was solvent at the day's start (`solvent`;
/// a path's: true). `ph_days_per_btc`: PH/s-days that earn one BTC before the pool fee, the day's;
/// `gross_of_pool_fee`: 1 / (1 − the pool's fee).
template <class T>
inline void add_day(BasicPathTotals<T>& t, const firm::BasicDayAccounts<T>& a, T margin_posted_usd, bool last_year,
                    T ph_days_per_btc, double gross_of_pool_fee, firm::lanes::MaskOf<T> solvent) {
  const auto add = [&](T& total, T value) { firm::lanes::assign_if(solvent, total, total + value); };
  const T cash_cost = a.power_cost_usd + a.opex_usd - a.curtailment_credit_usd;
  add(t.btc_mined, a.btc_mined);
  add(t.cash_cost_usd, cash_cost);
  add(t.all_in_cost_usd, cash_cost + a.sga_usd + a.depreciation_usd + a.interest_usd);
  // The FPPS amount (BTC mined less the pool's luck) measures the hashrate that ran.
  const T fpps_btc = a.btc_mined - a.btc_pool_luck;
  firm::lanes::assign_if(solvent && fpps_btc > 0.0, t.effective_ph_days,
                         t.effective_ph_days + fpps_btc * ph_days_per_btc * gross_of_pool_fee);
  add(t.ebitda_usd, a.ebitda_usd);
  if (last_year) add(t.ebitda_last_year_usd, a.ebitda_usd);
  add(t.btc_sold, a.btc_sold);
  add(t.margin_calls, a.margin_calls);
  add(t.running_th_days, a.running_hashrate_th);
  add(t.available_th_days, a.available_hashrate_th);
  add(t.curtailed_mwh, a.curtailed_mwh);
  add(t.energy_cost_usd, a.power_cost_usd - a.hosting_fixed_usd - a.curtailment_credit_usd);
  add(t.hosting_fixed_usd, a.hosting_fixed_usd);
  add(t.other_cash_cost_usd, a.opex_usd);
  add(t.slippage_usd, a.slippage_usd);
  add(t.machines_bought, a.machines_bought);
  add(t.machines_sold, a.machines_sold);
  add(t.hedge_pnl_usd, a.hedge_cash_flow_usd);
  firm::lanes::assign_if(solvent, t.margin_peak_usd, firm::lanes::max(t.margin_peak_usd, margin_posted_usd));
  firm::add_accounts<&firm::DayAccountsField::monthly>(t.month_sums, a, solvent);
}

}  // namespace hashpivot::sim::detail
