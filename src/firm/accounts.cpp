#include "hashpivot/firm/accounts.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "hashpivot/firm/day_steps.hpp"
#include "hashpivot/firm/project_finance.hpp"

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
  for (const PlanDebt& d : plan.debts) s.debts.push_back({d.principal_usd, d.collateral_btc, d.maturity_day, d.rate_annual});
  s.fleet.reserve(plan.fleet.size());
  s.ppe_book_usd = 0.0;
  for (const PlanFleet& f : plan.fleet) {
    s.fleet.push_back({f.book_value_usd});
    s.ppe_book_usd += f.book_value_usd;
  }
  s.sites.assign(plan.sites.size(), SiteState{0.0, 0.0, -1, -1, kTenantNeverDefaults, 0.0, -1});
  s.trigger_days_below = 0;
  s.trailing_ebitda_usd_per_day = 0.0;
  s.refinancings = 0;
  s.defaulted = false;
  s.default_day = -1;
  s.btc_mark_price_usd = plan.opening_price_usd_per_btc;
  s.paid_in_capital_usd = 0.0;
  s.shares_outstanding = plan.shares_outstanding;
  s.nav_multiple = plan.nav_multiple;
  const BalanceSheet opening = balance_sheet(s);
  s.retained_earnings_usd = opening.assets_usd - opening.liabilities_usd - s.paid_in_capital_usd;
  return s;
}

ContractedLeaseTerminal contracted_lease_terminal(const FirmPlan& plan, const FirmState& state, int horizon_day) {
  ContractedLeaseTerminal out;
  const int days_per_year = static_cast<int>(kDaysPerYear);
  for (std::size_t k = 0; k < plan.sites.size(); ++k) {
    const PlanSite& site = plan.sites[k];
    const SiteState& s = state.sites[k];
    if (!site.lease_terminal || s.conversion_decision_day < 0) continue;
    const double noi_per_lease_usd = s.converted_mw * site.noi_margin;  // × lease per MW-day = NOI per day
    const int elapsed = horizon_day - s.conversion_revenue_day;         // days of the term run at the horizon
    const bool tenant_defaulted = elapsed >= s.tenant_default_after_days;
    // The lease's remaining value (at the horizon).
    if (elapsed >= 0) {
      if (!tenant_defaulted)
        out.value_usd += noi_per_lease_usd * lease_remaining_value_usd(site.lease_usd_per_mw_day_by_contract_year,
                                                                       site.term_days,
                                                                       std::min(elapsed, site.term_days),
                                                                       site.lease_daily_factor);
    } else {
      out.value_usd += noi_per_lease_usd *
                       lease_remaining_value_usd(site.lease_usd_per_mw_day_by_contract_year, site.term_days, 0,
                                                 site.lease_daily_factor) *
                       std::pow(site.lease_daily_factor, static_cast<double>(-elapsed));
      const double capex_total = s.converted_mw * site.capex_usd_per_mw * (1.0 - site.tenant_funded_fraction);
      out.value_usd -= capex_total * static_cast<double>(-elapsed) / static_cast<double>(std::max(1, site.lead_time_days));
    }
    // The site's residual value at the term's end, discounted (no tenant risk) to the horizon.
    const double discount_per_day = lease_daily_factor(site.lease_discount_rate_annual, 0.0);
    out.value_usd += site.residual_value_usd_per_mw * s.converted_mw *
                     std::pow(discount_per_day, static_cast<double>(std::max(0, site.term_days - elapsed)));
    // What the lease put into the last year's EBITDA (the same days as the run's sum).
    for (int day = std::max(0, horizon_day - days_per_year); day < horizon_day; ++day) {
      const int t = day - s.conversion_revenue_day;
      if (t < 0 || t >= site.term_days || t >= s.tenant_default_after_days) continue;
      out.noi_last_year_usd +=
          site.lease_usd_per_mw_day_by_contract_year[static_cast<std::size_t>(t / days_per_year)] * noi_per_lease_usd;
    }
  }
  return out;
}

double equity_value_at_horizon_usd(const FirmPlan& plan, const FirmState& state, int horizon_day, double price_usd,
                                   double multiple, double ebitda_last_year_usd) {
  const BalanceSheet bs = balance_sheet(state);
  double terminal = multiple * std::max(0.0, ebitda_last_year_usd);
  const bool lease_terminal =
      std::any_of(plan.sites.begin(), plan.sites.end(), [](const PlanSite& site) { return site.lease_terminal; });
  if (lease_terminal) {
    // Converted MW valued as a contracted lease, not inside the multiple (firm/project_finance.hpp).
    const ContractedLeaseTerminal lease = contracted_lease_terminal(plan, state, horizon_day);
    terminal = multiple * std::max(0.0, ebitda_last_year_usd - lease.noi_last_year_usd) + lease.value_usd;
  }
  // Margin still posted is the firm's (0 at the horizon of a run: every forward settles inside it).
  return state.cash_usd + total_btc(state) * price_usd - bs.liabilities_usd + terminal + state.margin_posted_usd;
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
  mark_share_price(plan, state);                        // 1b.
  decide_pivot(plan, day, market, state);               // 2.
  sell_displaced_machines(plan, day, state, a);
  mine_and_pay_power(plan, day, market, state, a);      // 3.
  site_costs(plan, day, state, a);                           // 4.
  hpc_lease_and_capex(plan, day, state, a);             // 5.
  refresh_fleet(plan, day, state, a);
  deploy_and_relocate_fleet(plan, day, state, a);
  depreciate(plan, state, a);
  refinance_maturing(plan, day, price, state, a);       // 6.
  service_debt(plan, day, price, state, a);
  service_project_debt(plan, day, state, a);
  settle_hedges(plan, day, price, state, a);            // 6b.
  settle_swaps(plan, day, market, state, a);
  income_and_tax(plan, state, a);                       // 7.
  state.trailing_ebitda_usd_per_day = trailing_ebitda_usd_per_day(state.trailing_ebitda_usd_per_day, a.ebitda_usd, day);
  one_off_sales(plan, day, price, state, a);            // 8.
  atm_programme(plan, day, state, a);                   // 8b.
  sell_policy(plan, price, state, a);                   // 9.
  finish_day(plan, day, price, state, a);               // 10.-12.
  assert(std::abs(state.cash_usd - cash_open - a.total_cash_flow_usd) <=
         kCashIdentityTolerance * (1.0 + std::abs(cash_open) + std::abs(a.total_cash_flow_usd)));
}

void finish_day(const FirmPlan& plan, int day, double price, FirmState& state, DayAccounts& a) {
  using namespace day_steps;
  service_btc_loans(plan, price, state, a);             // 10.
  covenants(plan, state, a);
  remedies(plan, day, price, state, a);                 // 11.
  close_day(state, a);
  default_if_short(day, state, a);                      // 12.
}

}  // namespace hashpivot::firm
