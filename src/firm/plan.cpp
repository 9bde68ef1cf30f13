#include "hashpivot/firm/plan.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <string_view>

#include "hashpivot/core/date.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/project_finance.hpp"
#include "hashpivot/firm/rules.hpp"

namespace hashpivot::firm {
namespace {

// The index of the item named `name`. io::read_scenario rejects a name that does not resolve, so
// one here is a bug in a scenario built in code.
template <class T>
std::size_t index_by_name(const std::vector<T>& items, std::string_view name) {
  const auto found = std::find_if(items.begin(), items.end(), [&](const T& item) { return item.name == name; });
  assert(found != items.end() && "make_plan: a name that does not resolve (io::read_scenario rejects it)");
  return static_cast<std::size_t>(found - items.begin());
}

int days_from_months(double months) {
  return static_cast<int>(std::lround(months * kDaysPerYear / kMonthsPerYear));
}

PlanSite plan_site(const Site& site, DayNumber start, double discount_rate_annual) {
  PlanSite p{};
  p.capacity_mw = site.capacity_mw;
  p.pue = site.pue;
  p.index_power = site.power_contract != PowerContract::kFixed;
  // The energy part of the all-in price: × (1 − 0) = × 1.0 keeps an unsplit contract's bits.
  p.fixed_power_price_usd_per_mwh = site.power_price_usd_per_mwh * (1.0 - site.fixed_share);
  p.curtailment_credit_usd_per_mwh = site.curtailment_credit_usd_per_mwh + site.demand_response_credit_usd_per_mwh;
  p.energy_margin_usd_per_mwh = site.power_contract == PowerContract::kPassThrough ? site.energy_margin_usd_per_mwh : 0.0;
  p.fixed_cost_usd_per_mw_day = site.hosting_fee_usd_per_kw_month * kKilowattsPerMegawatt * kMonthsPerYear / kDaysPerYear +
                                site.fixed_share * site.power_price_usd_per_mwh * static_cast<double>(kHoursPerDay);
  p.take_or_pay_fraction = site.take_or_pay_fraction;
  p.max_curtailed_hours_per_year = site.max_curtailed_hours_per_year.value_or(std::numeric_limits<double>::infinity());
  p.site_level_decision = site.take_or_pay_fraction > 0.0 || site.max_curtailed_hours_per_year.has_value();
  p.fixed_end_day = site.fixed_charges_until ? static_cast<int>(*site.fixed_charges_until - start) : kNeverDay;
  p.opex_usd_per_mw_day = site.opex_usd_per_mw_year / kDaysPerYear;
  p.mining_it_mw = 0.0;
  p.has_conversion = site.conversion.has_value();
  if (site.conversion) {
    const Conversion& c = *site.conversion;
    p.capex_usd_per_mw = c.capex_usd_per_mw;
    p.tenant_funded_fraction = c.tenant_funded_fraction;
    p.lead_time_days = days_from_months(c.lead_time_months);
    p.term_days = c.term_years * static_cast<int>(kDaysPerYear);
    p.noi_margin = c.noi_margin;
    for (int year = 1; year <= c.term_years; ++year)
      p.lease_usd_per_mw_day_by_contract_year.push_back(
          lease_usd_per_mw_year(c.lease_usd_per_mw_year, c.escalator_annual, year) / kDaysPerYear);
    p.project_debt_loan_to_cost = c.project_debt_loan_to_cost;
    p.project_debt_rate_annual = c.project_debt_rate_annual;
    p.lease_terminal = c.terminal_value == ConversionTerminal::kContractedLease;
    p.residual_value_usd_per_mw = c.residual_value_usd_per_mw;
    p.lease_discount_rate_annual = c.lease_discount_rate_annual.value_or(discount_rate_annual);
    p.lease_daily_factor = lease_daily_factor(p.lease_discount_rate_annual, c.tenant_default_prob_annual);
  }
  return p;
}

int horizon_days(const Scenario& scenario) {
  const DayNumber start = scenario.run.start_date;
  return static_cast<int>(add_years(start, scenario.run.horizon_years) - start);
}

// Whether a day (a date's index) lies in the run, [0, horizon).
bool day_in_run(const Scenario& scenario, DayNumber date) {
  const auto day = date - scenario.run.start_date;
  return day >= 0 && day < horizon_days(scenario);
}

// Whether `entry` pays a deployment capex in the run: capex > 0 and its in-service day in the run.
bool deployment_in_run(const Scenario& scenario, const FleetEntry& entry) {
  return entry.capex_usd > 0.0 && entry.in_service && day_in_run(scenario, *entry.in_service);
}

// The scenario fleet's deployments and relocations that fall in the run (FirmPlan::deployments,
// relocations). A relocation's cost is expensed, not capitalized: moving machines adds no service
// potential to them (the hashrate and life are the same at the new site), so, as under ASC 360 and
// IAS 16.20, the cost of relocating an asset is not part of its carrying amount.
void plan_fleet_events(const Scenario& scenario, FirmPlan& plan) {
  const DayNumber start = scenario.run.start_date;
  for (std::size_t i = 0; i < scenario.fleet.size(); ++i) {
    const FleetEntry& entry = scenario.fleet[i];
    if (deployment_in_run(scenario, entry))
      plan.deployments.push_back({static_cast<int>(*entry.in_service - start), i, entry.capex_usd});
    if (entry.relocate && entry.relocate->cost_usd > 0.0 && day_in_run(scenario, entry.relocate->on))
      plan.relocations.push_back({static_cast<int>(entry.relocate->on - start), i, entry.relocate->cost_usd});
  }
}

// One fleet entry; adds its IT power to its site's mining_it_mw.
PlanFleet plan_fleet_entry(const Scenario& scenario, const FleetEntry& entry, std::vector<PlanSite>& sites) {
  const MachineModel& machine = scenario.machines[index_by_name(scenario.machines, entry.machine)];
  PlanFleet f{};
  const auto count = static_cast<double>(entry.count);
  f.machine_count = count;
  f.hashrate_th_total = count * machine.hashrate_th;
  f.power_w_total = count * machine.power_w;
  f.uptime = entry.uptime;
  f.efficiency_j_per_th = machine.efficiency_j_per_th();
  f.failure_rate_annual = entry.failure_rate_annual;
  f.log_survival_per_day = std::log1p(-entry.failure_rate_annual) / kDaysPerYear;
  f.book_value_usd = entry.book_value_usd;
  f.secondary_usd_per_th = machine.tier_usd_per_th;
  f.in_service_from_day = 0;
  f.in_service_until_day = kNeverDay;
  const DayNumber start = scenario.run.start_date;
  f.in_service_day = entry.in_service ? static_cast<int>(*entry.in_service - start) : kNoDay;
  // The deployment's capex joins the book on its day when that lies in the run; the rate covers it
  // (book + 0.0 keeps an entry without capex bit-identical). One in history is in book_value_usd.
  const double capex_in_run = deployment_in_run(scenario, entry) ? entry.capex_usd : 0.0;
  const double depreciable_usd = entry.book_value_usd + capex_in_run;
  f.depreciation_usd_per_day = entry.depreciation_years > 0
                                   ? depreciable_usd / (entry.depreciation_years * kDaysPerYear)
                                   : depreciable_usd;
  f.site = index_by_name(scenario.sites, entry.site);
  f.retire_day = entry.retire ? static_cast<int>(*entry.retire - start) : kNeverDay;
  f.repair_availability = 1.0 / (1.0 + entry.repair_failure_rate_annual / kDaysPerYear * entry.repair_days);
  const PlanSite& site = sites[f.site];
  f.load_mw_all_running = f.power_w_total * f.uptime * site.pue / kWattsPerMegawatt;
  f.nameplate_mw = f.power_w_total * site.pue / kWattsPerMegawatt;
  f.btc_per_day_per_hashprice = fpps_btc_per_day(f.hashrate_th_total, f.uptime, 1.0, scenario.treasury.pool_fee);
  f.breakeven_usd_per_mwh_per_hashprice_usd =
      breakeven_power_price_usd_per_mwh(1.0, f.efficiency_j_per_th, site.pue, scenario.treasury.pool_fee);
  sites[f.site].mining_it_mw += f.power_w_total / kWattsPerMegawatt;
  return f;
}

// A refresh: its machines as a fleet entry appended to the plan (in service from delivery, book 0
// until then) and, when it replaces a model at its site, that entry retired on delivery.
void plan_refresh(const Scenario& scenario, const Refresh& r, FirmPlan& plan) {
  const DayNumber start = scenario.run.start_date;
  const FleetEntry as_entry{.machine = r.machine, .site = r.site, .count = r.count, .uptime = r.uptime,
                            .failure_rate_annual = r.failure_rate_annual, .book_value_usd = 0.0,
                            .depreciation_years = r.depreciation_years, .in_service = std::nullopt, .retire = std::nullopt};
  PlanFleet f = plan_fleet_entry(scenario, as_entry, plan.sites);
  PlanRefresh p{};
  p.order_day = static_cast<int>(r.date - start);
  p.delivery_day = p.order_day + r.lead_time_days;
  p.count = static_cast<double>(r.count);
  p.cost_usd = f.hashrate_th_total * r.usd_per_th;
  p.deposit_usd = p.cost_usd * r.deposit_fraction;
  f.in_service_from_day = p.delivery_day;
  f.in_service_day = p.delivery_day;  // also the day its nameplate is billed from
  f.depreciation_usd_per_day = r.depreciation_years > 0 ? p.cost_usd / (r.depreciation_years * kDaysPerYear) : p.cost_usd;
  p.entry = plan.fleet.size();
  plan.fleet.push_back(f);
  p.replaced_entry = kNoIndex;
  if (!r.replaces.empty()) {
    for (std::size_t i = 0; i < scenario.fleet.size() && p.replaced_entry == kNoIndex; ++i)
      if (scenario.fleet[i].machine == r.replaces && scenario.fleet[i].site == r.site) p.replaced_entry = i;
    assert(p.replaced_entry != kNoIndex && "make_plan: a refresh replaces a model not at its site");
    PlanFleet& old = plan.fleet[p.replaced_entry];
    const double surviving = fleet_survival(old, p.delivery_day);
    old.in_service_until_day = std::min(old.in_service_until_day, p.delivery_day);
    old.retire_day = std::min(old.retire_day, p.delivery_day);
    p.replaced_count = static_cast<double>(scenario.fleet[p.replaced_entry].count) * surviving;
    p.replaced_sale_usd = old.hashrate_th_total * surviving * r.replaced_usd_per_th;
  }
  plan.refreshes.push_back(p);
}

// The availability table (FirmPlan::fleet_availability_by_day): each entry's undisturbed share, then
// each [[downtime]] event multiplies the days it covers at its site by (1 − fraction offline).
void plan_fleet_availability(const Scenario& scenario, FirmPlan& plan) {
  const std::size_t entries = plan.fleet.size();
  plan.fleet_availability_by_day.resize(static_cast<std::size_t>(std::max(0, plan.horizon_days)) * entries);
  for (int day = 0; day < plan.horizon_days; ++day) {
    for (std::size_t i = 0; i < entries; ++i)
      plan.fleet_availability_by_day[static_cast<std::size_t>(day) * entries + i] =
          fleet_available_undisturbed(plan.fleet[i], day);
  }
  plan.site_deployed_mw_by_day.assign(static_cast<std::size_t>(std::max(0, plan.horizon_days)) * plan.sites.size(), 0.0);
  for (int day = 0; day < plan.horizon_days; ++day) {
    for (const PlanFleet& f : plan.fleet)
      if (day >= f.in_service_day && day < f.retire_day)
        plan.site_deployed_mw_by_day[static_cast<std::size_t>(day) * plan.sites.size() + f.site] += f.nameplate_mw;
  }
  for (const Downtime& event : scenario.downtime) {
    const std::size_t site = event.site.empty() ? kNoIndex : index_by_name(scenario.sites, event.site);
    const int first = std::max(0, static_cast<int>(event.from - scenario.run.start_date));
    const int last = std::min(plan.horizon_days - 1, static_cast<int>(event.to - scenario.run.start_date));
    for (int day = first; day <= last; ++day) {
      for (std::size_t i = 0; i < entries; ++i)
        if (site == kNoIndex || plan.fleet[i].site == site)
          plan.fleet_availability_by_day[static_cast<std::size_t>(day) * entries + i] *= 1.0 - event.fraction_offline;
    }
  }
}

// Each site's fleet entries, most efficient (lowest J/TH, so highest break-even power price) first:
// the order in which a take-or-pay floor is filled and the last to be switched off.
void plan_merit_order(FirmPlan& plan) {
  for (std::size_t i = 0; i < plan.fleet.size(); ++i) plan.sites[plan.fleet[i].site].merit_order.push_back(i);
  for (PlanSite& site : plan.sites)
    std::stable_sort(site.merit_order.begin(), site.merit_order.end(), [&](std::size_t a, std::size_t b) {
      return plan.fleet[a].efficiency_j_per_th < plan.fleet[b].efficiency_j_per_th;
    });
}

PlanDebt plan_debt(const Debt& debt, DayNumber start, bool refinance) {
  PlanDebt d{};
  d.kind = debt.kind;
  d.principal_usd = debt.principal_usd;
  d.rate_annual = debt.rate_annual;
  d.maturity_day = static_cast<int>(debt.maturity - start);
  d.linear = debt.amortization == Amortization::kLinear;
  d.collateral_btc = d.kind == DebtKind::kBtcBacked ? debt.collateral_btc : 0.0;
  d.ltv_call = debt.ltv_call;
  d.ltv_liquidation = debt.ltv_liquidation;
  d.ltv_target = debt.ltv_target;
  d.conversion_price_usd = debt.conversion_price_usd;
  d.conversion_price_usd_per_share = debt.conversion_price_usd_per_share;
  d.limit_usd = d.kind == DebtKind::kRevolver ? debt.limit_usd : 0.0;
  d.covenant_min_cash_usd = debt.covenant_min_cash_usd;
  if (refinance && debt.refinance) {
    const Refinancing& r = *debt.refinance;
    d.refinance_max_rolls = r.max_rolls;
    d.refinance_tenor_days = r.tenor_days;
    d.refinance_rate_annual = r.rate_annual;
    d.refinance_max_ltv = r.max_ltv;
    d.refinance_min_interest_coverage = r.min_interest_coverage;
    d.refinance_fee_fraction = r.fee_fraction;
  }
  return d;
}

PlanSale plan_sale(const Scenario& scenario, const OneOffSale& sale) {
  PlanSale p{};
  p.day = static_cast<int>(sale.date - scenario.run.start_date);
  p.btc = sale.btc;
  p.use = sale.use;
  p.debt = sale.use == SaleUse::kRepayDebt ? index_by_name(scenario.debts, sale.repay_debt) : kNoIndex;
  return p;
}

// k × σ_daily / sqrt(V_daily); 0 when the coefficient (or the volume) is 0.
double sale_impact_per_sqrt_btc(const MarketImpact& impact) {
  if (impact.coefficient <= 0.0 || impact.daily_volume_btc <= 0.0) return 0.0;
  return impact.coefficient * impact.daily_volatility / std::sqrt(impact.daily_volume_btc);
}

// The option legs of a strategy's hedges (a collar is a put bought and a call sold), leaving out
// those of zero notional.
void plan_hedges(const Scenario& scenario, const Strategy& s, FirmPlan& plan) {
  plan.hedge_volatility_annual = scenario.hedge_market.implied_volatility_annual;
  plan.hedge_rate_annual = scenario.hedge_market.risk_free_rate_annual;
  const auto add_leg = [&](const Hedge& h, bool call, double position, double strike) {
    if (!h.trades()) return;
    assert(plan.hedge_leg_count < kMaxHedgeLegs && "make_plan: more hedge legs than kMaxHedgeLegs");
    assert(strike > 0.0 && h.tenor_days >= 1 && "make_plan: a hedge without a strike or a tenor");
    const int buy_day = static_cast<int>(h.date - scenario.run.start_date);
    assert(buy_day >= 0 && buy_day + h.tenor_days < plan.horizon_days && "make_plan: a hedge outside the horizon");
    plan.hedge_legs[plan.hedge_leg_count++] = {call, position, strike, h.notional_btc, buy_day, buy_day + h.tenor_days,
                                               static_cast<double>(h.tenor_days) / kDaysPerYear};
  };
  for (const Hedge& h : s.hedges) {
    if (h.kind == HedgeKind::kPut || h.kind == HedgeKind::kCollar) add_leg(h, false, 1.0, h.put_strike_usd_per_btc);
    if (h.kind == HedgeKind::kCollar || h.kind == HedgeKind::kCoveredCall) add_leg(h, true, -1.0, h.call_strike_usd_per_btc);
  }
}

// The scenario's shares and the strategy's ATM programme (firm/equity.hpp). A programme of size 0
// sells nothing: the plan is left as without it.
void plan_equity(const Scenario& scenario, const Strategy& s, FirmPlan& plan) {
  const Equity& e = scenario.equity;
  plan.shares_outstanding = e.has_shares() ? e.shares_outstanding : 0.0;
  plan.nav_multiple = e.nav_multiple;
  if (!s.atm || !(s.atm->size_usd > 0.0) || !e.has_shares()) return;
  const AtmProgramme& atm = *s.atm;
  plan.has_atm = true;
  plan.atm_from_day = static_cast<int>(atm.date - scenario.run.start_date);
  plan.atm_size_usd = atm.size_usd;
  plan.atm_raise_usd = std::min(atm.raise_usd, atm.size_usd);
  plan.atm_max_shares_per_day = atm.max_volume_share * e.daily_volume_shares;
  plan.atm_discount = atm.discount;
  plan.atm_fee = atm.fee;
  plan.atm_floor_usd_per_share = atm.floor_usd_per_share;
  plan.atm_min_market_cap_usd = atm.min_market_cap_usd;
  plan.atm_remedy = atm.remedy;
}

// The legs of a strategy's hashprice forwards (one per calendar month) and power swaps (one each),
// leaving out those of zero size. A forward's initial margin is the fraction of each month's
// notional value (fixed × PH/s × days), all posted over the contract's first to last settlement day.
void plan_swaps(const Scenario& scenario, const Strategy& s, FirmPlan& plan) {
  const DayNumber start = scenario.run.start_date;
  const auto add_leg = [&](const PlanSwapLeg& leg) {
    assert(plan.swap_leg_count < kMaxSwapLegs && "make_plan: more forward months and swaps than kMaxSwapLegs");
    assert(leg.start_day >= 0 && leg.start_day < leg.end_day && leg.end_day <= plan.horizon_days &&
           leg.fixed_price > 0.0 && "make_plan: a forward or swap outside the horizon or without a fixed price");
    plan.swap_legs[plan.swap_leg_count++] = leg;
  };
  for (const Hedge& h : s.hedges) {
    const int first_day = static_cast<int>(h.date - start);
    const int end_day = static_cast<int>(tenor_end(h) - start);
    if (h.kind == HedgeKind::kPowerSwap && h.trades()) {
      const std::size_t site = index_by_name(scenario.sites, h.site);
      assert(plan.sites[site].index_power && "make_plan: a power swap at a site without an index price");
      add_leg({true, site, h.power_mw, h.fixed_usd_per_mwh, first_day, end_day, 0.0, 0, 0});
    }
    if (h.kind != HedgeKind::kHashpriceForward || !h.trades()) continue;
    const double margin_per_day =
        scenario.hedge_market.forward_initial_margin_fraction * h.fixed_usd_per_ph_day * h.notional_ph_s;
    int month_start = first_day;
    for (int m = 1; m <= h.tenor_months; ++m) {
      Hedge months = h;
      months.tenor_months = m;
      const int month_end = static_cast<int>(tenor_end(months) - start);
      add_leg({false, kNoIndex, h.notional_ph_s, h.fixed_usd_per_ph_day, month_start, month_end,
               margin_per_day * static_cast<double>(month_end - month_start), first_day, end_day - 1});
      month_start = month_end;
    }
  }
}

void plan_strategy(const Scenario& scenario, const Strategy& s, FirmPlan& plan) {
  plan_hedges(scenario, s, plan);
  plan_equity(scenario, s, plan);
  plan_swaps(scenario, s, plan);
  plan.sell_policy = s.sell_policy;
  plan.sell_fraction = s.sell_fraction;
  plan.cash_floor_months = s.cash_floor_months;
  plan.curtail_policy = s.curtail_policy;
  plan.pivot_policy = s.pivot_policy;
  plan.sell_displaced = s.sell_displaced;
  plan.pivot_site = kNoIndex;
  plan.pivot_day = -1;
  if (s.pivot_policy == PivotPolicy::kNone) return;
  plan.pivot_site = index_by_name(scenario.sites, s.pivot_site);
  assert(plan.sites[plan.pivot_site].has_conversion && "make_plan: the pivot site has no [sites.conversion]");
  plan.pivot_mw = s.pivot_mw;
  PlanSite& pivot_site = plan.sites[plan.pivot_site];
  pivot_site.tenant_funded_fraction = s.pivot_tenant_funded_fraction.value_or(pivot_site.tenant_funded_fraction);
  pivot_site.project_debt_loan_to_cost =
      s.pivot_project_debt_loan_to_cost.value_or(pivot_site.project_debt_loan_to_cost);
  pivot_site.project_debt_rate_annual = s.pivot_project_debt_rate_annual.value_or(pivot_site.project_debt_rate_annual);
  if (s.pivot_policy == PivotPolicy::kSchedule) {
    assert(s.pivot_date && "make_plan: a scheduled pivot without pivot_date");
    plan.pivot_day = static_cast<int>(*s.pivot_date - scenario.run.start_date);
  }
  plan.pivot_hashprice_below_usd_per_ph_day = s.pivot_hashprice_below_usd_per_ph_day;
  plan.pivot_trigger_days = s.pivot_trigger_days;
}

}  // namespace

FirmPlan make_plan(const Scenario& scenario, std::size_t strategy) {
  assert(strategy < scenario.strategies.size() && "make_plan: strategy index out of range");
  const DayNumber start = scenario.run.start_date;
  FirmPlan plan{};

  plan.sites.reserve(scenario.sites.size());
  for (const Site& site : scenario.sites) plan.sites.push_back(plan_site(site, start, scenario.run.discount_rate_annual));
  plan.fleet.reserve(scenario.fleet.size());
  for (const FleetEntry& entry : scenario.fleet) plan.fleet.push_back(plan_fleet_entry(scenario, entry, plan.sites));
  plan.horizon_days = horizon_days(scenario);
  plan_fleet_events(scenario, plan);
  for (const Refresh& r : scenario.strategies[strategy].refreshes) plan_refresh(scenario, r, plan);
  plan_fleet_availability(scenario, plan);
  plan_merit_order(plan);

  plan.debts.reserve(scenario.debts.size());
  const Strategy& s = scenario.strategies[strategy];
  for (const Debt& debt : scenario.debts) plan.debts.push_back(plan_debt(debt, start, s.refinance));
  plan.sales.reserve(s.sales.size());
  for (const OneOffSale& sale : s.sales) plan.sales.push_back(plan_sale(scenario, sale));

  plan.opening_cash_usd = scenario.treasury.cash_usd;
  plan.opening_free_btc = scenario.treasury.btc;
  plan.opening_price_usd_per_btc = scenario.market.btc_price_usd;
  plan.tax_rate = scenario.treasury.tax_rate;
  plan.pool_fee = scenario.treasury.pool_fee;
  plan.sga_usd_per_day = scenario.treasury.sga_usd_per_year / kDaysPerYear;
  plan.sale_impact_per_sqrt_btc = sale_impact_per_sqrt_btc(scenario.market_impact);
  plan_strategy(scenario, s, plan);
  plan.live = live_rules(plan);
  return plan;
}

FirmPlan::LiveRules live_rules(const FirmPlan& plan) {
  const auto any_site = [&](auto has) { return std::any_of(plan.sites.begin(), plan.sites.end(), has); };
  const auto any_debt = [&](auto has) { return std::any_of(plan.debts.begin(), plan.debts.end(), has); };
  FirmPlan::LiveRules live;
  live.site_decisions = any_site([](const PlanSite& site) { return site.site_level_decision; });
  live.conversions = plan.pivot_policy != PivotPolicy::kNone;
  live.refinancing = any_debt([](const PlanDebt& d) { return d.refinance_max_rolls > 0; });
  live.covenants = any_debt([](const PlanDebt& d) { return d.covenant_min_cash_usd > 0.0; });
  live.revolvers = any_debt([](const PlanDebt& d) { return d.kind == DebtKind::kRevolver; });
  live.share_price = plan.has_atm || any_debt([](const PlanDebt& d) {
                       return d.kind == DebtKind::kConvertible && d.conversion_price_usd_per_share > 0.0;
                     });
  return live;
}

}  // namespace hashpivot::firm
