#include "hashpivot/firm/plan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hashpivot/core/date.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/rules.hpp"

namespace hashpivot::firm {
namespace {

template <class T>
std::size_t index_by_name(const std::vector<T>& items, std::string_view name, std::string_view what) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].name == name) return i;
  }
  throw std::invalid_argument("make_plan: unknown " + std::string(what) + " '" + std::string(name) + "'");
}

[[noreturn]] void unknown(std::string_view field, std::string_view value) {
  throw std::invalid_argument("make_plan: unknown " + std::string(field) + " '" + std::string(value) + "'");
}

int days_from_months(double months) {
  return static_cast<int>(std::lround(months * kDaysPerYear / 12.0));
}

}  // namespace

FirmPlan make_plan(const Scenario& scenario, std::size_t strategy) {
  if (strategy >= scenario.strategies.size()) throw std::invalid_argument("make_plan: strategy index out of range");
  const Strategy& s = scenario.strategies[strategy];
  const DayNumber start = scenario.run.start_date;
  FirmPlan plan{};

  plan.sites.reserve(scenario.sites.size());
  for (const Site& site : scenario.sites) {
    PlanSite p{};
    p.capacity_mw = site.capacity_mw;
    p.pue = site.pue;
    if (site.power_contract == "fixed") {
      p.index_power = false;
    } else if (site.power_contract == "index") {
      p.index_power = true;
    } else {
      unknown("power_contract", site.power_contract);
    }
    p.fixed_power_price_usd_per_mwh = site.power_price_usd_per_mwh;
    p.curtailment_credit_usd_per_mwh = site.curtailment_credit_usd_per_mwh;
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
    }
    plan.sites.push_back(p);
  }

  plan.fleet.reserve(scenario.fleet.size());
  for (const FleetEntry& entry : scenario.fleet) {
    const MachineModel& machine = scenario.machines[index_by_name(scenario.machines, entry.machine, "machine")];
    PlanFleet f{};
    const auto count = static_cast<double>(entry.count);
    f.hashrate_th_total = count * machine.hashrate_th;
    f.power_w_total = count * machine.power_w;
    f.uptime = entry.uptime;
    f.efficiency_j_per_th = machine.efficiency_j_per_th();
    f.failure_rate_annual = entry.failure_rate_annual;
    f.log_survival_per_day = std::log1p(-entry.failure_rate_annual) / kDaysPerYear;
    f.book_value_usd = entry.book_value_usd;
    f.depreciation_usd_per_day = entry.depreciation_years > 0
                                     ? entry.book_value_usd / (entry.depreciation_years * kDaysPerYear)
                                     : entry.book_value_usd;
    f.site = index_by_name(scenario.sites, entry.site, "site");
    const PlanSite& site = plan.sites[f.site];
    f.load_mw_all_running = f.power_w_total * f.uptime * site.pue / 1e6;
    f.btc_per_day_per_hashprice = fpps_btc_per_day(f.hashrate_th_total, f.uptime, 1.0, scenario.treasury.pool_fee);
    f.breakeven_usd_per_mwh_per_hashprice_usd =
        breakeven_power_price_usd_per_mwh(1.0, f.efficiency_j_per_th, site.pue, scenario.treasury.pool_fee);
    plan.sites[f.site].mining_it_mw += f.power_w_total / 1e6;
    plan.fleet.push_back(f);
  }
  plan.horizon_days = static_cast<int>(add_years(start, scenario.run.horizon_years) - start);
  plan.fleet_survival_by_day.resize(static_cast<std::size_t>(std::max(0, plan.horizon_days)) * plan.fleet.size());
  for (int day = 0; day < plan.horizon_days; ++day) {
    for (std::size_t i = 0; i < plan.fleet.size(); ++i)
      plan.fleet_survival_by_day[static_cast<std::size_t>(day) * plan.fleet.size() + i] =
          fleet_survival(plan.fleet[i], day);
  }

  plan.debts.reserve(scenario.debts.size());
  for (const Debt& debt : scenario.debts) {
    PlanDebt d{};
    if (debt.kind == "term") {
      d.kind = DebtKind::kTerm;
    } else if (debt.kind == "btc_backed") {
      d.kind = DebtKind::kBtcBacked;
    } else if (debt.kind == "convertible") {
      d.kind = DebtKind::kConvertible;
    } else if (debt.kind == "revolver") {
      d.kind = DebtKind::kRevolver;
    } else {
      unknown("debt kind", debt.kind);
    }
    d.principal_usd = debt.principal_usd;
    d.rate_annual = debt.rate_annual;
    d.maturity_day = static_cast<int>(debt.maturity - start);
    if (debt.amortization == "linear") {
      d.linear = true;
    } else if (debt.amortization == "bullet" || debt.amortization.empty()) {
      d.linear = false;
    } else {
      unknown("amortization", debt.amortization);
    }
    d.collateral_btc = d.kind == DebtKind::kBtcBacked ? debt.collateral_btc : 0.0;
    d.ltv_call = debt.ltv_call;
    d.ltv_liquidation = debt.ltv_liquidation;
    d.ltv_target = debt.ltv_target;
    d.conversion_price_usd = debt.conversion_price_usd;
    d.limit_usd = d.kind == DebtKind::kRevolver ? debt.limit_usd : 0.0;
    d.covenant_min_cash_usd = debt.covenant_min_cash_usd;
    plan.debts.push_back(d);
  }

  plan.sales.reserve(s.sales.size());
  for (const OneOffSale& sale : s.sales) {
    PlanSale p{};
    p.day = static_cast<int>(sale.date - start);
    p.btc = sale.btc;
    p.debt = kNoIndex;
    if (sale.use == "cash" || sale.use.empty()) {
      p.use = SaleUse::kCash;
    } else if (sale.use == "capex") {
      p.use = SaleUse::kCapex;
    } else if (sale.use.starts_with("repay:")) {
      p.use = SaleUse::kRepayDebt;
      p.debt = index_by_name(scenario.debts, std::string_view(sale.use).substr(6), "debt");
    } else {
      unknown("sale use", sale.use);
    }
    plan.sales.push_back(p);
  }

  plan.opening_cash_usd = scenario.treasury.cash_usd;
  plan.opening_free_btc = scenario.treasury.btc;
  plan.opening_price_usd_per_btc = scenario.market.btc_price_usd;
  plan.tax_rate = scenario.treasury.tax_rate;
  plan.pool_fee = scenario.treasury.pool_fee;
  plan.sga_usd_per_day = scenario.treasury.sga_usd_per_year / kDaysPerYear;

  if (s.sell_policy == "hold" || s.sell_policy.empty()) {
    plan.sell_policy = SellPolicy::kHold;
  } else if (s.sell_policy == "sell_all_mined") {
    plan.sell_policy = SellPolicy::kSellAllMined;
  } else if (s.sell_policy == "sell_fraction") {
    plan.sell_policy = SellPolicy::kSellFraction;
  } else if (s.sell_policy == "cash_floor") {
    plan.sell_policy = SellPolicy::kCashFloor;
  } else {
    unknown("sell policy", s.sell_policy);
  }
  plan.sell_fraction = s.sell_fraction;
  plan.cash_floor_months = s.cash_floor_months;

  if (s.curtail_policy == "never" || s.curtail_policy.empty()) {
    plan.curtail_policy = CurtailPolicy::kNever;
  } else if (s.curtail_policy == "economic") {
    plan.curtail_policy = CurtailPolicy::kEconomic;
  } else {
    unknown("curtail policy", s.curtail_policy);
  }

  plan.pivot_site = kNoIndex;
  plan.pivot_day = -1;
  if (s.pivot_policy == "none" || s.pivot_policy.empty()) {
    plan.pivot_policy = PivotPolicy::kNone;
  } else if (s.pivot_policy == "schedule" || s.pivot_policy == "trigger") {
    plan.pivot_policy = s.pivot_policy == "schedule" ? PivotPolicy::kSchedule : PivotPolicy::kTrigger;
    plan.pivot_site = index_by_name(scenario.sites, s.pivot_site, "site");
    if (!plan.sites[plan.pivot_site].has_conversion) {
      throw std::invalid_argument("make_plan: pivot site '" + s.pivot_site + "' has no [sites.conversion]");
    }
    plan.pivot_mw = s.pivot_mw;
    if (plan.pivot_policy == PivotPolicy::kSchedule) {
      if (!s.pivot_date) throw std::invalid_argument("make_plan: schedule pivot without pivot_date");
      plan.pivot_day = static_cast<int>(*s.pivot_date - start);
    }
    plan.pivot_hashprice_below_usd_per_ph_day = s.pivot_hashprice_below_usd_per_ph_day;
    plan.pivot_trigger_days = s.pivot_trigger_days;
  } else {
    unknown("pivot policy", s.pivot_policy);
  }
  return plan;
}

}  // namespace hashpivot::firm
