// Each step of firm::step_day (firm/day_steps.hpp) on its own, against numbers worked out by hand
// in the comments; the plan and the state are built here field by field, so a test sees only the
// step it names. Then the member table of DayAccounts (firm/accounts.hpp).

#include "hashpivot/firm/day_steps.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::firm {
namespace {

using namespace day_steps;

// ---- Builders ------------------------------------------------------------------------------------

// A site of 10 MW at a fixed $50/MWh, PUE 1, no machines (mining_it_mw 0 until a fleet says so).
PlanSite site() {
  PlanSite s{};
  s.capacity_mw = 10;
  s.pue = 1;
  s.fixed_power_price_usd_per_mwh = 50;
  return s;
}

// 1,000 machines of 100 TH/s at 2,000 W (20 J/TH) at site 0, full uptime, no failures, no pool fee:
// 100 PH/s and 2 MW. btc_per_day_per_hashprice = 100 (PH/s); the break-even is linear in the
// hashprice: 1 / (20 J/TH × 0.024) = 2.0833 USD/MWh per USD/PH/day.
PlanFleet fleet_entry() {
  PlanFleet f{};
  f.hashrate_th_total = 100'000;
  f.power_w_total = 2e6;
  f.uptime = 1;
  f.efficiency_j_per_th = 20;
  f.book_value_usd = 3650;
  f.depreciation_usd_per_day = 10;
  f.site = 0;
  f.load_mw_all_running = 2;
  f.btc_per_day_per_hashprice = 100;
  f.breakeven_usd_per_mwh_per_hashprice_usd = 1.0 / (20 * 0.024);
  return f;
}

FirmPlan mining_plan() {
  FirmPlan plan{};
  plan.sites = {site()};
  plan.sites[0].mining_it_mw = 2;
  plan.fleet = {fleet_entry()};
  return plan;
}

PlanDebt debt(DebtKind kind, double principal_usd, int maturity_day) {
  PlanDebt d{};
  d.kind = kind;
  d.principal_usd = principal_usd;
  d.rate_annual = 0.0365;  // 1e-4 a day
  d.maturity_day = maturity_day;
  return d;
}

PlanDebt btc_loan(double principal_usd, double collateral_btc) {
  PlanDebt d = debt(DebtKind::kBtcBacked, principal_usd, 1000);
  d.collateral_btc = collateral_btc;
  d.ltv_target = 0.5;
  d.ltv_call = 0.6;
  d.ltv_liquidation = 0.8;
  return d;
}

// The opening state of `plan` with the given cash and free BTC.
FirmState state_of(const FirmPlan& plan, double cash_usd, double free_btc) {
  FirmState s{};
  s.cash_usd = cash_usd;
  s.free_btc = free_btc;
  for (const PlanDebt& d : plan.debts) s.debts.push_back({d.principal_usd, d.collateral_btc, d.maturity_day, d.rate_annual});
  for (const PlanFleet& f : plan.fleet) s.fleet.push_back({f.book_value_usd});
  s.sites.assign(plan.sites.size(), SiteState{0, 0, -1, -1, kTenantNeverDefaults, 0, -1});
  s.default_day = -1;
  return s;
}

DayMarket market(double price, double hashprice_usd) {
  DayMarket m{};
  m.price_usd_per_btc = price;
  m.hashprice_usd_per_ph_day = hashprice_usd;
  m.hashprice_btc_per_ph_day = hashprice_usd / price;
  return m;
}

// ---- 1. Re-mark -----------------------------------------------------------------------------------

TEST(DaySteps, remark_btc_revalues_free_and_pledged_btc_to_the_day_price) {
  FirmPlan plan{};
  plan.debts = {btc_loan(1e6, 5)};
  FirmState s = state_of(plan, 0, 10);
  s.btc_mark_price_usd = 50'000;
  DayAccounts a{};
  remark_btc(60'000, s, a);
  EXPECT_EQ(a.btc_revaluation_gain_usd, 15 * 10'000.0);  // (10 free + 5 pledged) × $10,000
  EXPECT_EQ(s.btc_mark_price_usd, 60'000);
}

// ---- 2. Pivot decision ----------------------------------------------------------------------------

TEST(DaySteps, decide_pivot_on_schedule_converts_on_the_day_and_starts_revenue_after_the_lead_time) {
  FirmPlan plan{};
  plan.sites = {site(), site()};
  plan.sites[1].lead_time_days = 90;
  plan.pivot_policy = PivotPolicy::kSchedule;
  plan.pivot_site = 1;
  plan.pivot_mw = 4;
  plan.pivot_day = 7;
  FirmState s = state_of(plan, 0, 0);
  const DayMarket m = market(90'000, 50);
  decide_pivot(plan, 6, m, s);
  EXPECT_EQ(s.sites[1].conversion_decision_day, -1);
  decide_pivot(plan, 7, m, s);
  EXPECT_EQ(s.sites[1].converted_mw, 4);
  EXPECT_EQ(s.sites[1].conversion_decision_day, 7);
  EXPECT_EQ(s.sites[1].conversion_revenue_day, 97);
  EXPECT_EQ(s.sites[0].converted_mw, 0);
  decide_pivot(plan, 8, m, s);  // decided once
  EXPECT_EQ(s.sites[1].conversion_decision_day, 7);
}

TEST(DaySteps, decide_pivot_on_trigger_counts_consecutive_days_below_and_restarts_above) {
  FirmPlan plan{};
  plan.sites = {site()};
  plan.pivot_policy = PivotPolicy::kTrigger;
  plan.pivot_site = 0;
  plan.pivot_mw = 3;
  plan.pivot_hashprice_below_usd_per_ph_day = 40;
  plan.pivot_trigger_days = 3;
  FirmState s = state_of(plan, 0, 0);
  // Below, below, at the level (not below: the count restarts), below × 3: decided on day 5.
  const std::array<double, 6> hashprice{39, 30, 40, 39, 39, 39};
  for (int day = 0; day < 6; ++day) {
    decide_pivot(plan, day, market(90'000, hashprice[static_cast<std::size_t>(day)]), s);
    EXPECT_EQ(s.sites[0].conversion_decision_day, day == 5 ? 5 : -1) << day;
  }
  EXPECT_EQ(s.trigger_days_below, 3);
  EXPECT_EQ(s.sites[0].converted_mw, 3);
}

// ---- 3. Mining and power --------------------------------------------------------------------------

// 100 PH/s at hashprice $50 and $100,000/BTC: 100 × 0.0005 = 0.05 BTC; 2 MW × 24 h = 48 MWh at $50.
TEST(DaySteps, mine_and_pay_power_mines_fpps_and_pays_the_fixed_price_for_every_hour) {
  const FirmPlan plan = mining_plan();
  FirmState s = state_of(plan, 0, 1);
  DayAccounts a{};
  mine_and_pay_power(plan, 0, market(100'000, 50), s, a);
  EXPECT_DOUBLE_EQ(a.btc_mined, 0.05);
  EXPECT_DOUBLE_EQ(a.mining_revenue_usd, 5000);
  EXPECT_DOUBLE_EQ(s.free_btc, 1.05);
  EXPECT_DOUBLE_EQ(a.running_hashrate_th, 100'000);
  EXPECT_DOUBLE_EQ(a.energy_mwh, 48);
  EXPECT_DOUBLE_EQ(a.power_cost_usd, 2400);
  EXPECT_EQ(a.curtailment_credit_usd, 0);
}

// Under PPLNS the pool paid 1.3 times the FPPS amount: 0.065 BTC, 0.015 of it the pool's luck; the
// power is what it was. With luck 0 (no block found) nothing is mined, and the power is still paid.
TEST(DaySteps, mine_and_pay_power_pays_the_fpps_amount_times_the_pools_luck) {
  const FirmPlan plan = mining_plan();
  FirmState s = state_of(plan, 0, 1);
  DayAccounts a{};
  DayMarket m = market(100'000, 50);
  m.pool_luck = 1.3;
  mine_and_pay_power(plan, 0, m, s, a);
  EXPECT_DOUBLE_EQ(a.btc_mined, 0.065);
  EXPECT_DOUBLE_EQ(a.btc_pool_luck, 0.015);
  EXPECT_DOUBLE_EQ(a.mining_revenue_usd, 6500);
  EXPECT_DOUBLE_EQ(s.free_btc, 1.065);
  EXPECT_DOUBLE_EQ(a.power_cost_usd, 2400);
  a = DayAccounts{};
  m.pool_luck = 0.0;
  mine_and_pay_power(plan, 0, m, s, a);
  EXPECT_EQ(a.btc_mined, 0.0);
  EXPECT_DOUBLE_EQ(a.btc_pool_luck, -0.05);
  EXPECT_DOUBLE_EQ(a.power_cost_usd, 2400);
}

// Half the site's 2 IT MW converted: its machines run at half; all converted or none there: nothing.
TEST(DaySteps, mining_share_is_what_conversion_leaves_of_the_sites_machines) {
  PlanSite p = site();
  p.mining_it_mw = 2;
  SiteState s{0, 0, -1, -1, kTenantNeverDefaults, 0, -1};
  EXPECT_EQ(mining_share(p, s), 1.0);
  s.converted_mw = 1;
  EXPECT_DOUBLE_EQ(mining_share(p, s), 0.5);
  s.converted_mw = 5;  // more than the machines: nothing mines
  EXPECT_EQ(mining_share(p, s), 0.0);
  s.converted_mw = 0;
  p.mining_it_mw = 0;
  EXPECT_EQ(mining_share(p, s), 0.0);
}

// Survival and conversion multiply: 10% of the machines fail a year, half the site converted.
TEST(DaySteps, mine_fleet_entry_mines_with_survivors_of_the_unconverted_share) {
  FirmPlan plan = mining_plan();
  plan.fleet[0].failure_rate_annual = 0.1;
  plan.fleet[0].log_survival_per_day = std::log(0.9) / 365;
  FirmState s = state_of(plan, 0, 0);
  s.sites[0].converted_mw = 1;
  DayAccounts a{};
  mine_fleet_entry(plan, 0, 365, market(100'000, 50), s, a);  // past the (empty) survival table
  EXPECT_NEAR(a.btc_mined, 0.05 * 0.9 * 0.5, 1e-15);
  EXPECT_NEAR(a.power_cost_usd, 2400 * 0.9 * 0.5, 1e-9);
}

// Break-even at hashprice $50: 50 / 0.48 = 104.17 USD/MWh.
TEST(DaySteps, power_day_curtails_economically_all_day_on_the_daily_price_or_hour_by_hour) {
  FirmPlan plan = mining_plan();
  const PlanFleet& f = plan.fleet[0];
  PlanSite& p = plan.sites[0];
  const DayMarket m = market(100'000, 50);
  const PowerDay never = power_day(CurtailPolicy::kNever, f, p, m);
  EXPECT_EQ(never.running_hours, 24);
  EXPECT_EQ(never.energy_cost_usd_per_mw, 50 * 24);
  const CurtailPolicy economic = CurtailPolicy::kEconomic;
  p.curtailment_credit_usd_per_mwh = 60;  // 50 + 60 >= 104.17: off all day
  const PowerDay off = power_day(economic, f, p, m);
  EXPECT_EQ(off.running_hours, 0);
  EXPECT_EQ(off.running_fraction, 0);
  EXPECT_EQ(off.energy_cost_usd_per_mw, 0);
  EXPECT_EQ(off.credit_usd_per_mw, 60 * 24);
  p.curtailment_credit_usd_per_mwh = 50;  // 50 + 50 < 104.17: on all day
  EXPECT_EQ(power_day(economic, f, p, m).running_hours, 24);
  // An index site with hourly prices: 8 hours at $100 (100 + 10 >= 104.17: off), 16 at $20.
  p.index_power = true;
  p.curtailment_credit_usd_per_mwh = 10;
  std::array<double, 24> hourly{};
  for (std::size_t h = 0; h < 24; ++h) hourly[h] = h < 8 ? 100 : 20;
  const std::array<double, 1> daily{45};
  DayMarket indexed = m;
  indexed.power_usd_per_mwh = daily;
  indexed.hourly_power_usd_per_mwh = hourly;
  const PowerDay hours = power_day(economic, f, p, indexed);
  EXPECT_EQ(hours.running_hours, 16);
  EXPECT_DOUBLE_EQ(hours.running_fraction, 16.0 / 24);
  EXPECT_EQ(hours.energy_cost_usd_per_mw, 16 * 20);
  EXPECT_EQ(hours.credit_usd_per_mw, 8 * 10);
  // Without hourly prices the index site runs on its daily price.
  indexed.hourly_power_usd_per_mwh = {};
  EXPECT_EQ(power_day(CurtailPolicy::kNever, f, p, indexed).energy_cost_usd_per_mw, 45 * 24);
}

TEST(DaySteps, mine_fleet_entry_adds_the_curtailed_day_scaled_by_the_load) {
  FirmPlan plan = mining_plan();
  plan.curtail_policy = CurtailPolicy::kEconomic;
  plan.sites[0].index_power = true;
  std::array<double, 24> hourly{};
  for (std::size_t h = 0; h < 24; ++h) hourly[h] = h < 6 ? 500 : 30;  // 18 hours run
  DayMarket m = market(100'000, 50);
  m.hourly_power_usd_per_mwh = hourly;
  FirmState s = state_of(plan, 0, 0);
  DayAccounts a{};
  mine_fleet_entry(plan, 0, 0, m, s, a);
  EXPECT_DOUBLE_EQ(a.btc_mined, 0.05 * 18 / 24);
  EXPECT_DOUBLE_EQ(a.running_hashrate_th, 100'000 * 18 / 24.0);
  EXPECT_DOUBLE_EQ(a.energy_mwh, 2 * 18);
  EXPECT_DOUBLE_EQ(a.power_cost_usd, 2 * 18 * 30);
  EXPECT_EQ(s.free_btc, 0);  // the entry's BTC is credited by mine_and_pay_power
}

// ---- 4. Site costs --------------------------------------------------------------------------------

TEST(DaySteps, site_costs_charge_opex_on_the_unconverted_mw_and_the_day_of_sga) {
  FirmPlan plan{};
  plan.sites = {site(), site()};
  plan.sites[0].opex_usd_per_mw_day = 100;
  plan.sites[1].opex_usd_per_mw_day = 200;
  plan.sga_usd_per_day = 1234;
  FirmState s = state_of(plan, 0, 0);
  s.sites[1].converted_mw = 4;
  DayAccounts a{};
  site_costs(plan, 0, s, a);
  EXPECT_EQ(a.opex_usd, 100 * 10 + 200 * 6);
  EXPECT_EQ(a.sga_usd, 1234);
}

// ---- 5. HPC lease, conversion capex, depreciation -------------------------------------------------

// 4 MW decided on day 10 with 100 days of lead time, capex $1M/MW of which the tenant funds 25%:
// $3M paid at $30,000 a day on days 10..109; from day 110, for the 730-day term, the plan's lease
// of the contract year ($1,000 then $2,000 per MW per day) × 4 MW × NOI 0.5, and the capex
// depreciates at $3M / 730 a day.
TEST(DaySteps, lease_and_convert_site_pays_capex_in_the_lead_time_then_earns_and_depreciates) {
  FirmPlan plan{};
  plan.sites = {site()};
  PlanSite& p = plan.sites[0];
  p.has_conversion = true;
  p.capex_usd_per_mw = 1e6;
  p.tenant_funded_fraction = 0.25;
  p.lead_time_days = 100;
  p.term_days = 730;
  p.noi_margin = 0.5;
  p.lease_usd_per_mw_day_by_contract_year = {1000, 2000};
  FirmState s = state_of(plan, 0, 0);
  s.sites[0] = {0, 4, 10, 110, 400, 0, -1};
  DayAccounts a{};
  lease_and_convert_site(plan, 0, 50, s, a);
  EXPECT_DOUBLE_EQ(a.capex_usd, 30'000);
  EXPECT_EQ(a.hpc_revenue_usd, 0);
  EXPECT_EQ(a.depreciation_usd, 0);
  s.sites[0].conversion_book_usd = 3e6;  // all the capex paid
  a = DayAccounts{};
  lease_and_convert_site(plan, 0, 110, s, a);
  EXPECT_EQ(a.capex_usd, 0);
  EXPECT_DOUBLE_EQ(a.hpc_revenue_usd, 1000 * 4 * 0.5);
  EXPECT_DOUBLE_EQ(a.depreciation_usd, 3e6 / 730);
  EXPECT_DOUBLE_EQ(s.sites[0].conversion_book_usd, 3e6 - 3e6 / 730);
  a = DayAccounts{};
  lease_and_convert_site(plan, 0, 110 + 365, s, a);  // contract year 2
  EXPECT_DOUBLE_EQ(a.hpc_revenue_usd, 2000 * 4 * 0.5);
  a = DayAccounts{};
  lease_and_convert_site(plan, 0, 110 + 400, s, a);  // the tenant defaulted after 400 days of revenue
  EXPECT_EQ(a.hpc_revenue_usd, 0);
  EXPECT_DOUBLE_EQ(a.depreciation_usd, 3e6 / 730);
  a = DayAccounts{};
  lease_and_convert_site(plan, 0, 110 + 730, s, a);  // after the term
  EXPECT_EQ(a.depreciation_usd, 0);
}

TEST(DaySteps, depreciate_runs_the_fleet_down_to_zero_and_books_ppe) {
  FirmPlan plan = mining_plan();
  FirmState s = state_of(plan, 0, 0);
  s.fleet[0].book_usd = 25;
  s.ppe_book_usd = 1000;
  DayAccounts a{};
  a.capex_usd = 50;
  a.depreciation_usd = 7;  // a conversion's, earlier in the day
  depreciate(plan, s, a);
  EXPECT_EQ(s.fleet[0].book_usd, 15);
  EXPECT_EQ(a.depreciation_usd, 17);
  EXPECT_EQ(s.ppe_book_usd, 1000 + 50 - 17);
  s.fleet[0].book_usd = 4;  // less than a day's $10
  a = DayAccounts{};
  depreciate(plan, s, a);
  EXPECT_EQ(s.fleet[0].book_usd, 0);
  EXPECT_EQ(a.depreciation_usd, 4);
}

// ---- 5b. Refresh and resale ------------------------------------------------------------------------

// A hand schedule: 1,000 machines bought for $1.2M, ordered on day 2 with a 25% deposit ($300,000),
// delivered on day 5 (balance $900,000), depreciating $1.2M / (3 × 365) = $1,095.89 a day from day 5.
// They replace entry 0 (book $3,650, $10 a day), which sells on day 5 for $2,000: book then
// 3,650 − 5 × 10 = $3,600, so a loss of $1,600.
TEST(DaySteps, a_refresh_pays_its_deposit_then_its_balance_and_sells_what_it_replaces) {
  FirmPlan plan = mining_plan();
  plan.fleet.push_back(fleet_entry());
  plan.fleet[1].book_value_usd = 0;
  plan.fleet[1].depreciation_usd_per_day = 1.2e6 / (3 * 365.0);
  plan.refreshes = {{2, 5, 1, 1000, 1.2e6, 3e5, 0, 1000, 2000}};
  FirmState s = state_of(plan, 0, 0);
  s.ppe_book_usd = 3650;
  const double depreciation = 1.2e6 / (3 * 365.0);
  for (int day = 0; day <= 6; ++day) {
    DayAccounts a{};
    const double cash_before = s.cash_usd;
    refresh_fleet(plan, day, s, a);
    depreciate(plan, s, a);
    const double capex = day == 2 ? 3e5 : day == 5 ? 9e5 : 0.0;
    EXPECT_EQ(a.capex_usd, capex) << day;
    EXPECT_EQ(a.machines_bought, day == 5 ? 1000 : 0) << day;
    EXPECT_EQ(a.machines_sold, day == 5 ? 1000 : 0) << day;
    EXPECT_EQ(a.machine_sale_proceeds_usd, day == 5 ? 2000 : 0) << day;
    EXPECT_EQ(a.machine_sale_gain_usd, day == 5 ? 2000 - 3600 : 0) << day;
    EXPECT_EQ(s.cash_usd - cash_before, day == 5 ? 2000 : 0) << day;  // capex leaves cash in step 7
    // Depreciation: the old entry's $10 through day 4, the new entry's from day 5 (delivery).
    EXPECT_NEAR(a.depreciation_usd, day < 5 ? 10.0 : depreciation, 1e-9) << day;
    EXPECT_NEAR(s.fleet[1].book_usd, day < 5 ? 0.0 : 1.2e6 - (day - 4) * depreciation, 1e-6) << day;
  }
  EXPECT_EQ(s.fleet[0].book_usd, 0.0);
  // PP&E: 3,650 − 50 of depreciation + 1.2M − 3,600 sold − 2 days of the new machines' depreciation.
  EXPECT_NEAR(s.ppe_book_usd, 3650 - 50 + 1.2e6 - 3600 - 2 * depreciation, 1e-6);
}

// A pivot decided on day 3 converts 1 of the site's 2 mining MW: with sell_displaced, half of the
// 1,000 machines (100 PH/s, book $3,650) sell at $5/TH: 50,000 TH × 5 = $250,000 for $1,825 of book,
// a gain of $248,175; the other half stays and depreciates at half the rate ($5 a day).
TEST(DaySteps, a_pivot_that_sells_its_displaced_machines_sells_the_converted_share_at_the_tier_price) {
  FirmPlan plan = mining_plan();
  plan.fleet[0].machine_count = 1000;
  plan.fleet[0].secondary_usd_per_th = 5;
  plan.pivot_site = 0;
  plan.sell_displaced = true;
  FirmState s = state_of(plan, 0, 0);
  s.ppe_book_usd = 3650;
  s.sites[0].converted_mw = 1;
  s.sites[0].conversion_decision_day = 3;
  DayAccounts a{};
  sell_displaced_machines(plan, 2, s, a);  // not the decision day
  EXPECT_EQ(a.machines_sold, 0.0);
  sell_displaced_machines(plan, 3, s, a);
  EXPECT_DOUBLE_EQ(a.machine_sale_proceeds_usd, 250'000);
  EXPECT_DOUBLE_EQ(a.machine_sale_gain_usd, 250'000 - 1825);
  EXPECT_DOUBLE_EQ(a.machines_sold, 500);
  EXPECT_DOUBLE_EQ(s.cash_usd, 250'000);
  EXPECT_DOUBLE_EQ(s.fleet[0].book_usd, 1825);
  EXPECT_DOUBLE_EQ(s.ppe_book_usd, 1825);
  depreciate(plan, s, a);
  EXPECT_DOUBLE_EQ(a.depreciation_usd, 5);
  // Without the flag nothing is sold.
  plan.sell_displaced = false;
  FirmState idle = state_of(plan, 0, 0);
  idle.sites[0] = s.sites[0];
  DayAccounts b{};
  sell_displaced_machines(plan, 3, idle, b);
  EXPECT_EQ(b.machines_sold, 0.0);
  EXPECT_EQ(idle.fleet[0].book_usd, 3650);
}

// ---- 6. Debt service ------------------------------------------------------------------------------

TEST(DaySteps, service_debt_charges_interest_amortizes_repays_and_converts_at_maturity) {
  FirmPlan plan{};
  plan.debts = {debt(DebtKind::kTerm, 1e6, 9), debt(DebtKind::kTerm, 2e6, 5), debt(DebtKind::kConvertible, 3e6, 5),
                debt(DebtKind::kConvertible, 4e6, 5)};
  plan.debts[0].linear = true;
  plan.debts[2].conversion_price_usd = 80'000;   // converts at $90,000
  plan.debts[3].conversion_price_usd = 100'000;  // repaid in cash
  FirmState s = state_of(plan, 10e6, 0);
  DayAccounts a{};
  service_debt(plan, 5, 90'000, s, a);
  // Interest 1e-4 a day on 1 + 2 + 3 + 4 = $10M; the linear loan repays 1e6 / (9 − 5 + 1) on day 5.
  EXPECT_NEAR(a.interest_usd, 1000, 1e-9);
  EXPECT_DOUBLE_EQ(s.debts[0].principal_usd, 1e6 - 2e5);
  EXPECT_EQ(s.debts[1].principal_usd, 0);
  EXPECT_EQ(s.debts[2].principal_usd, 0);
  EXPECT_EQ(s.debts[3].principal_usd, 0);
  EXPECT_DOUBLE_EQ(a.debt_repaid_usd, 2e5 + 2e6 + 4e6);
  EXPECT_EQ(a.debt_converted_to_equity_usd, 3e6);
  EXPECT_EQ(s.paid_in_capital_usd, 3e6);
  EXPECT_DOUBLE_EQ(s.cash_usd, 10e6 - 2e5 - 2e6 - 4e6);  // interest is paid by income_and_tax
}

// ---- 7. Income statement and tax ------------------------------------------------------------------

TEST(DaySteps, income_and_tax_builds_the_income_statement_and_moves_operating_cash) {
  FirmPlan plan{};
  plan.tax_rate = 0.2;
  FirmState s = state_of(plan, 1000, 0);
  DayAccounts a{};
  a.mining_revenue_usd = 500;
  a.hpc_revenue_usd = 300;
  a.curtailment_credit_usd = 20;
  a.power_cost_usd = 200;
  a.opex_usd = 50;
  a.sga_usd = 70;
  a.depreciation_usd = 100;
  a.interest_usd = 100;
  a.btc_revaluation_gain_usd = -1000;  // not taxed, not cash
  a.capex_usd = 40;
  income_and_tax(plan, s, a);
  EXPECT_EQ(a.ebitda_usd, 500 + 300 + 20 - 200 - 50 - 70);         // 500
  EXPECT_EQ(a.pretax_income_usd, 500 - 100 - 100 - 1000);          // -700
  EXPECT_DOUBLE_EQ(a.tax_usd, 0.2 * 300);                          // on 500 − 100 − 100
  EXPECT_DOUBLE_EQ(a.net_income_usd, -700 - 60);
  EXPECT_DOUBLE_EQ(a.operating_cash_flow_usd, 300 + 20 - 200 - 50 - 70 - 100 - 60);  // -160
  EXPECT_DOUBLE_EQ(s.cash_usd, 1000 - 160 - 40);
}

// ---- 8. One-off sales -----------------------------------------------------------------------------

TEST(DaySteps, one_off_sales_sell_on_their_day_and_repay_the_named_debt) {
  FirmPlan plan{};
  plan.debts = {debt(DebtKind::kTerm, 1e6, 100)};
  plan.sales = {{3, 5, SaleUse::kCash, kNoIndex}, {4, 20, SaleUse::kRepayDebt, 0}, {4, 50, SaleUse::kCapex, kNoIndex}};
  FirmState s = state_of(plan, 0, 40);
  DayAccounts a{};
  one_off_sales(plan, 3, 100'000, s, a);
  EXPECT_EQ(a.btc_sold, 5);
  EXPECT_EQ(s.cash_usd, 5e5);
  a = DayAccounts{};
  // Day 4: 20 BTC = $2M, $1M repays the loan and $1M stays as cash; then the capex sale finds only
  // the 15 BTC left.
  one_off_sales(plan, 4, 100'000, s, a);
  EXPECT_EQ(s.debts[0].principal_usd, 0);
  EXPECT_EQ(a.debt_repaid_usd, 1e6);
  EXPECT_EQ(a.btc_sold, 35);
  EXPECT_EQ(s.free_btc, 0);
  EXPECT_EQ(s.cash_usd, 5e5 + 3.5e6 - 1e6);
}

// 2 free BTC then collateral: the loan owes $3M = 30 BTC at $100,000, so a 50 BTC sale takes 28 BTC
// of collateral, the loan's close releases the other 72, and 20 more free BTC are sold for cash.
TEST(DaySteps, make_sale_repaying_a_btc_backed_loan_takes_collateral_after_free_btc) {
  FirmPlan plan{};
  plan.debts = {btc_loan(3e6, 100)};
  FirmState s = state_of(plan, 0, 2);
  DayAccounts a{};
  make_sale(plan, {0, 50, SaleUse::kRepayDebt, 0}, 100'000, s, a);
  EXPECT_EQ(s.debts[0], (DebtState{0, 0, plan.debts[0].maturity_day, plan.debts[0].rate_annual}));
  EXPECT_DOUBLE_EQ(a.btc_sold, 50);
  EXPECT_DOUBLE_EQ(a.btc_released, 72);
  EXPECT_DOUBLE_EQ(s.free_btc, 2 + 100 - 50);
  EXPECT_DOUBLE_EQ(s.cash_usd, 50 * 1e5 - 3e6);
}

// With impact c = 1e-4 per sqrt(BTC) at $100,000: a cash sale of 100 BTC fills at 100,000 × (1 − 1e-4 ×
// 10) = $99,900: $9.99M to cash and $10,000 of slippage, which the close takes out of net income.
TEST(DaySteps, a_sale_under_market_impact_fills_below_the_price_and_the_slippage_leaves_income) {
  FirmPlan plan{};
  plan.sale_impact_per_sqrt_btc = 1e-4;
  plan.sales = {{0, 100, SaleUse::kCash, kNoIndex}};
  FirmState s = state_of(plan, 0, 150);
  DayAccounts a{};
  one_off_sales(plan, 0, 100'000, s, a);
  EXPECT_DOUBLE_EQ(s.cash_usd, 9.99e6);
  EXPECT_DOUBLE_EQ(a.btc_sale_proceeds_usd, 9.99e6);
  EXPECT_NEAR(a.slippage_usd, 1e4, 1e-6);
  EXPECT_EQ(a.btc_sold, 100);
  // A second sale the same day starts from the 100 BTC already sold: 44 BTC raise
  // 1e5 × (144 − 1e-4 × 144^1.5) − 9.99e6 = 100,000 × 43.9272 = $4,392,720.
  sell_free(s, 44, 100'000, plan.sale_impact_per_sqrt_btc, a);
  EXPECT_NEAR(s.cash_usd, 9.99e6 + 4'392'720, 1e-3);
  EXPECT_NEAR(a.slippage_usd, 1e5 * 1e-4 * std::pow(144, 1.5), 1e-6);
  a.net_income_usd = 0;
  a.pretax_income_usd = 0;
  close_day(s, a);
  EXPECT_NEAR(a.net_income_usd, -17'280, 1e-6);
  EXPECT_NEAR(a.pretax_income_usd, -17'280, 1e-6);
}

// Remedies under impact raise exactly the shortfall: −$1M at $100,000 with c = 1e-4 sells the q with
// q × 1e5 × (1 − 1e-4 sqrt(q)) = 1e6, q = 10.00316 BTC (more than the 10 BTC without impact).
TEST(DaySteps, remedies_under_market_impact_sell_what_raises_the_shortfall) {
  FirmPlan plan{};
  plan.sale_impact_per_sqrt_btc = 1e-4;
  FirmState s = state_of(plan, -1e6, 20);
  DayAccounts a{};
  remedies(plan, 0, 1e5, s, a);
  EXPECT_NEAR(s.cash_usd, 0, 1e-6);
  EXPECT_NEAR(a.btc_sold, 10.00316, 1e-5);
  EXPECT_NEAR(a.btc_sold * 1e5 * (1 - 1e-4 * std::sqrt(a.btc_sold)), 1e6, 1e-6);
}

// ---- 9. Sell policy -------------------------------------------------------------------------------

TEST(DaySteps, sell_policy_sells_what_each_policy_says) {
  FirmPlan plan{};
  DayAccounts a{};
  a.btc_mined = 2;
  const auto sold = [&](SellPolicy policy, double cash_usd) {
    plan.sell_policy = policy;
    FirmState s = state_of(plan, cash_usd, 10);
    DayAccounts day = a;
    sell_policy(plan, 50'000, s, day);
    EXPECT_EQ(day.btc_sold_forced, 0.0) << "a policy's sale is not forced";
    return day.btc_sold;
  };
  EXPECT_EQ(sold(SellPolicy::kHold, 0), 0);
  EXPECT_EQ(sold(SellPolicy::kSellAllMined, 0), 2);
  plan.sell_fraction = 0.25;
  EXPECT_EQ(sold(SellPolicy::kSellFraction, 0), 0.5);
  // Cash floor of 2 months of $1,200 a day of cash costs: 2 × 365/12 × 1200 = $73,000; with $23,000
  // in cash, $50,000 = 1 BTC is sold; with $80,000, nothing.
  a.power_cost_usd = 600;
  a.opex_usd = 300;
  a.sga_usd = 200;
  a.interest_usd = 100;
  plan.cash_floor_months = 2;
  EXPECT_NEAR(sold(SellPolicy::kCashFloor, 23'000), 1.0, 1e-12);
  EXPECT_EQ(sold(SellPolicy::kCashFloor, 80'000), 0);
}

// ---- 10. BTC-backed loans and covenants -----------------------------------------------------------

// $3M on 100 BTC: LTV 0.5 at $60,000 (no call), 0.6667 at $45,000 (call: top up to 0.5, i.e. to
// 3e6 / (0.5 × 45,000) = 133.33 BTC), 0.857 at $35,000 without free BTC (liquidated: 85.71 BTC sold).
TEST(DaySteps, service_btc_loans_tops_up_a_margin_call_and_liquidates_above_the_liquidation_ltv) {
  FirmPlan plan{};
  plan.debts = {btc_loan(3e6, 100)};
  EXPECT_FALSE(margin_called(plan.debts[0], {3e6, 100, plan.debts[0].maturity_day, plan.debts[0].rate_annual}, 60'000));
  EXPECT_TRUE(margin_called(plan.debts[0], {3e6, 100, plan.debts[0].maturity_day, plan.debts[0].rate_annual}, 45'000));
  EXPECT_FALSE(margin_called(plan.debts[0], {3e6, 100, plan.debts[0].maturity_day, plan.debts[0].rate_annual}, 0));
  FirmState s = state_of(plan, 0, 50);
  DayAccounts a{};
  service_btc_loans(plan, 45'000, s, a);
  EXPECT_NEAR(a.btc_topped_up, 3e6 / (0.5 * 45'000) - 100, 1e-9);
  EXPECT_NEAR(s.debts[0].collateral_btc, 3e6 / (0.5 * 45'000), 1e-9);
  EXPECT_NEAR(s.free_btc, 50 - a.btc_topped_up, 1e-9);
  EXPECT_EQ(a.btc_liquidated, 0);

  FirmState dry = state_of(plan, 0, 0);
  a = DayAccounts{};
  service_btc_loans(plan, 35'000, dry, a);
  EXPECT_NEAR(a.btc_liquidated, 3e6 / 35'000, 1e-9);
  EXPECT_NEAR(a.debt_repaid_by_collateral_usd, 3e6, 1e-6);
  EXPECT_NEAR(a.btc_released, 100 - 3e6 / 35'000, 1e-9);
  EXPECT_EQ(dry.debts[0], (DebtState{0, 0, plan.debts[0].maturity_day, plan.debts[0].rate_annual}));
}

TEST(DaySteps, covenants_accelerate_a_debt_when_cash_is_below_its_minimum) {
  FirmPlan plan{};
  plan.debts = {debt(DebtKind::kTerm, 1e6, 100), debt(DebtKind::kTerm, 2e6, 100)};
  plan.debts[0].covenant_min_cash_usd = 5e5;
  plan.debts[1].covenant_min_cash_usd = 5e6;
  FirmState s = state_of(plan, 3e6, 0);
  DayAccounts a{};
  covenants(plan, s, a);
  EXPECT_EQ(s.debts[0].principal_usd, 1e6);  // 3M >= 0.5M
  EXPECT_EQ(s.debts[1].principal_usd, 0);    // 3M < 5M: accelerated
  EXPECT_EQ(s.cash_usd, 1e6);
  EXPECT_EQ(a.debt_repaid_usd, 2e6);
}

// ---- 11. Remedies ---------------------------------------------------------------------------------

// Cash −$5M at $100,000: 10 free BTC ($1M), then the BTC loan's collateral above its target
// (100 − 3e6 / (0.5 × 1e5) = 40 BTC, $4M, all needed), so the revolver is not drawn.
TEST(DaySteps, remedies_sell_free_btc_then_excess_collateral_then_draw_revolvers) {
  FirmPlan plan{};
  plan.debts = {btc_loan(3e6, 100), debt(DebtKind::kRevolver, 1e6, 100)};
  plan.debts[1].limit_usd = 5e6;
  FirmState s = state_of(plan, -5e6, 10);
  DayAccounts a{};
  a.btc_sold = 7;  // sold earlier in the day (a policy or one-off sale): not forced
  remedies(plan, 0, 1e5, s, a);
  EXPECT_NEAR(s.cash_usd, 0, 1e-6);
  EXPECT_NEAR(a.btc_sold, 7 + 50, 1e-9);
  EXPECT_NEAR(a.btc_sold_forced, 50, 1e-9);  // the remedies' sales, and only those
  EXPECT_NEAR(a.btc_released, 40, 1e-9);
  EXPECT_NEAR(s.debts[0].collateral_btc, 60, 1e-9);
  EXPECT_EQ(a.debt_drawn_usd, 0);
  // −$10M: $5M from BTC as above; then the loan ($3M) is repaid from 30 of its 60 BTC left and the
  // other 30 are released and sold ($3M); the last $2M from the revolver's $4M of headroom.
  FirmState short_state = state_of(plan, -10e6, 10);
  a = DayAccounts{};
  remedies(plan, 0, 1e5, short_state, a);
  EXPECT_EQ(short_state.debts[0].principal_usd, 0.0);
  EXPECT_EQ(short_state.debts[0].collateral_btc, 0.0);
  EXPECT_NEAR(a.btc_sold, 10 + 40 + 30 + 30, 1e-9);
  EXPECT_NEAR(a.btc_sold_forced, a.btc_sold, 1e-9);  // the loan repaid from its collateral is forced too
  EXPECT_NEAR(a.debt_drawn_usd, 2e6, 1e-6);
  EXPECT_NEAR(short_state.debts[1].principal_usd, 3e6, 1e-6);
  EXPECT_NEAR(short_state.cash_usd, 0, 1e-6);
  // A matured revolver is not drawn.
  FirmState matured = state_of(plan, -10e6, 10);
  a = DayAccounts{};
  remedies(plan, 100, 1e5, matured, a);
  EXPECT_EQ(a.debt_drawn_usd, 0);
}

// The rounding a cover sale leaves (cash at −$10⁻⁸) is not a shortfall: no BTC is sold, no collateral
// released, no loan repaid, no revolver drawn, and the firm does not default; a cent short is one.
TEST(DaySteps, a_cash_rounding_residue_is_not_a_shortfall_a_cent_is) {
  FirmPlan plan{};
  plan.debts = {btc_loan(3e6, 100), debt(DebtKind::kRevolver, 1e6, 100)};
  plan.debts[1].limit_usd = 5e6;
  FirmState residue = state_of(plan, -1e-8, 0);
  DayAccounts a{};
  remedies(plan, 0, 1e5, residue, a);
  default_if_short(0, residue, a);
  EXPECT_EQ(a.btc_sold, 0.0);
  EXPECT_EQ(a.btc_released, 0.0);
  EXPECT_EQ(a.debt_drawn_usd, 0.0);
  EXPECT_EQ(residue.debts[0].principal_usd, 3e6);
  EXPECT_EQ(residue.cash_usd, -1e-8);
  EXPECT_FALSE(residue.defaulted);
  EXPECT_FALSE(cash_short(residue));
  FirmState cent = state_of(plan, -0.01, 0);
  a = DayAccounts{};
  remedies(plan, 0, 1e5, cent, a);
  EXPECT_NEAR(a.btc_released, 0.01 / 1e5, 1e-15);  // the collateral above target covers it
  EXPECT_NEAR(cent.cash_usd, 0, 1e-6);
  EXPECT_EQ(cent.debts[0].principal_usd, 3e6);
}

// A repayment that leaves rounding owed (a sale sized to repay the loan raises its principal to about
// 10^−7 USD) closes the loan and frees its collateral; a cent still owed keeps it pledged.
TEST(DaySteps, a_loan_repaid_but_for_rounding_is_closed_and_its_collateral_freed) {
  FirmPlan plan{};
  plan.debts = {btc_loan(3e6, 100)};
  FirmState rounding = state_of(plan, 3e6, 0);
  DayAccounts a{};
  repay_cash(rounding, 0, 3e6 - 1e-7, a);
  EXPECT_EQ(rounding.debts[0].principal_usd, 0.0);
  EXPECT_EQ(rounding.debts[0].collateral_btc, 0.0);
  EXPECT_EQ(rounding.free_btc, 100.0);
  EXPECT_EQ(a.btc_released, 100.0);
  FirmState cent = state_of(plan, 3e6, 0);
  a = DayAccounts{};
  repay_cash(cent, 0, 3e6 - 0.01, a);
  EXPECT_NEAR(cent.debts[0].principal_usd, 0.01, 1e-9);
  EXPECT_EQ(cent.debts[0].collateral_btc, 100.0);
  EXPECT_EQ(a.btc_released, 0.0);
}

// A loan under water ($3M on 100 BTC at $20,000 = $2M) is not repaid from its collateral: nothing
// would be left to free, so the lender keeps it and the shortfall stays (the firm defaults).
TEST(DaySteps, remedies_leave_a_loan_under_water_to_its_lender) {
  FirmPlan plan{};
  plan.debts = {btc_loan(3e6, 100)};
  FirmState s = state_of(plan, -1e6, 0);
  DayAccounts a{};
  remedies(plan, 0, 20'000, s, a);
  EXPECT_EQ(s.debts[0].principal_usd, 3e6);
  EXPECT_EQ(s.debts[0].collateral_btc, 100);
  EXPECT_EQ(a.btc_sold, 0);
  EXPECT_EQ(s.cash_usd, -1e6);
}

// ---- Totals and 12. Default -----------------------------------------------------------------------

TEST(DaySteps, close_day_totals_cash_flows_and_retains_net_income) {
  FirmState s{};
  s.retained_earnings_usd = 100;
  DayAccounts a{};
  a.operating_cash_flow_usd = 10;
  a.btc_sale_proceeds_usd = 7;
  a.capex_usd = 3;
  a.debt_drawn_usd = 5;
  a.debt_repaid_usd = 2;
  a.net_income_usd = -40;
  close_day(s, a);
  EXPECT_EQ(a.investing_cash_flow_usd, 4);
  EXPECT_EQ(a.financing_cash_flow_usd, 3);
  EXPECT_EQ(a.total_cash_flow_usd, 17);
  EXPECT_EQ(s.retained_earnings_usd, 60);
}

TEST(DaySteps, default_if_short_defaults_below_the_rounding_tolerance_only) {
  FirmState s{};
  s.default_day = -1;
  DayAccounts a{};
  s.cash_usd = -0.5e-6;
  default_if_short(9, s, a);
  EXPECT_FALSE(s.defaulted);
  s.cash_usd = -2e-6;
  default_if_short(9, s, a);
  EXPECT_TRUE(s.defaulted);
  EXPECT_EQ(s.default_day, 9);
  EXPECT_TRUE(a.defaulted_today);
}

// ---- The member table of DayAccounts --------------------------------------------------------------

// Counts an aggregate's members: the most initializers it takes.
struct AnyField {
  template <class T>
  operator T() const;  // NOLINT: only in unevaluated brace-initialization
};
template <class T, class... Fields>
constexpr std::size_t member_count() {
  if constexpr (requires { T{Fields{}..., AnyField{}}; }) {
    return member_count<T, Fields..., AnyField>();
  } else {
    return sizeof...(Fields);
  }
}

// Every member but the flag defaulted_today is a row: a field added without its row fails here.
static_assert(member_count<DayAccounts>() == kDayAccountsFields.size() + 1);

TEST(DayAccountsFields, rows_are_the_members_in_declaration_order_under_their_own_names) {
  // Written out by hand: each name with the member it must point to.
  using A = DayAccounts;
  const std::vector<std::pair<std::string_view, double A::*>> expected{
      {"mining_revenue_usd", &A::mining_revenue_usd},
      {"hpc_revenue_usd", &A::hpc_revenue_usd},
      {"power_cost_usd", &A::power_cost_usd},
      {"curtailment_credit_usd", &A::curtailment_credit_usd},
      {"opex_usd", &A::opex_usd},
      {"sga_usd", &A::sga_usd},
      {"ebitda_usd", &A::ebitda_usd},
      {"depreciation_usd", &A::depreciation_usd},
      {"interest_usd", &A::interest_usd},
      {"btc_revaluation_gain_usd", &A::btc_revaluation_gain_usd},
      {"slippage_usd", &A::slippage_usd},
      {"pretax_income_usd", &A::pretax_income_usd},
      {"tax_usd", &A::tax_usd},
      {"net_income_usd", &A::net_income_usd},
      {"operating_cash_flow_usd", &A::operating_cash_flow_usd},
      {"btc_sale_proceeds_usd", &A::btc_sale_proceeds_usd},
      {"capex_usd", &A::capex_usd},
      {"investing_cash_flow_usd", &A::investing_cash_flow_usd},
      {"debt_drawn_usd", &A::debt_drawn_usd},
      {"debt_repaid_usd", &A::debt_repaid_usd},
      {"financing_cash_flow_usd", &A::financing_cash_flow_usd},
      {"total_cash_flow_usd", &A::total_cash_flow_usd},
      {"debt_repaid_by_collateral_usd", &A::debt_repaid_by_collateral_usd},
      {"debt_converted_to_equity_usd", &A::debt_converted_to_equity_usd},
      {"btc_mined", &A::btc_mined},
      {"btc_sold", &A::btc_sold},
      {"btc_sold_forced", &A::btc_sold_forced},
      {"btc_topped_up", &A::btc_topped_up},
      {"btc_released", &A::btc_released},
      {"btc_liquidated", &A::btc_liquidated},
      {"margin_calls", &A::margin_calls},
      {"btc_pool_luck", &A::btc_pool_luck},
      {"machine_sale_proceeds_usd", &A::machine_sale_proceeds_usd},
      {"machine_sale_gain_usd", &A::machine_sale_gain_usd},
      {"machines_bought", &A::machines_bought},
      {"machines_sold", &A::machines_sold},
      {"hedge_cash_flow_usd", &A::hedge_cash_flow_usd},
      {"margin_cash_flow_usd", &A::margin_cash_flow_usd},
      {"running_hashrate_th", &A::running_hashrate_th},
      {"energy_mwh", &A::energy_mwh},
      {"available_hashrate_th", &A::available_hashrate_th},
      {"curtailed_mwh", &A::curtailed_mwh},
      {"hosting_fixed_usd", &A::hosting_fixed_usd},
      {"equity_issued_usd", &A::equity_issued_usd},
      {"equity_issue_fees_usd", &A::equity_issue_fees_usd},
      {"shares_issued", &A::shares_issued},
  };
  ASSERT_EQ(kDayAccountsFields.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(kDayAccountsFields[i].name, expected[i].first) << i;
    EXPECT_TRUE(kDayAccountsFields[i].member == expected[i].second) << kDayAccountsFields[i].name;
    const std::string_view unit = kDayAccountsFields[i].unit;
    EXPECT_TRUE(unit == "USD" || unit == "BTC" || unit == "TH/s" || unit == "MWh" || unit == "count") << unit;
  }
  // The fields the simulation keeps monthly: run --json's and the store's keys, in their order.
  std::vector<std::string_view> monthly;
  for (const DayAccountsField& f : kDayAccountsFields)
    if (f.monthly) monthly.emplace_back(f.name);
  EXPECT_EQ(monthly, (std::vector<std::string_view>{
                         "mining_revenue_usd", "hpc_revenue_usd", "power_cost_usd", "curtailment_credit_usd",
                         "opex_usd", "sga_usd", "ebitda_usd", "depreciation_usd", "interest_usd", "slippage_usd", "tax_usd",
                         "net_income_usd", "operating_cash_flow_usd", "investing_cash_flow_usd",
                         "financing_cash_flow_usd", "btc_mined", "btc_sold", "btc_sold_forced", "btc_liquidated", "btc_pool_luck", "machines_bought",
                         "machines_sold"}));
}

DayAccounts random_day(std::uint32_t block) {
  const random::CounterRng rng(11);
  const auto u = [&](std::uint32_t k) { return rng.uniforms({random::Stream::kTest, block, 0, k})[0] * 1e6 - 3e5; };
  DayAccounts a{};
  std::uint32_t k = 0;
  a.mining_revenue_usd = u(k++);
  a.hpc_revenue_usd = u(k++);
  a.power_cost_usd = u(k++);
  a.curtailment_credit_usd = u(k++);
  a.opex_usd = u(k++);
  a.sga_usd = u(k++);
  a.ebitda_usd = u(k++);
  a.depreciation_usd = u(k++);
  a.interest_usd = u(k++);
  a.btc_revaluation_gain_usd = u(k++);
  a.pretax_income_usd = u(k++);
  a.tax_usd = u(k++);
  a.net_income_usd = u(k++);
  a.operating_cash_flow_usd = u(k++);
  a.btc_sale_proceeds_usd = u(k++);
  a.capex_usd = u(k++);
  a.investing_cash_flow_usd = u(k++);
  a.debt_drawn_usd = u(k++);
  a.debt_repaid_usd = u(k++);
  a.financing_cash_flow_usd = u(k++);
  a.total_cash_flow_usd = u(k++);
  a.debt_repaid_by_collateral_usd = u(k++);
  a.debt_converted_to_equity_usd = u(k++);
  a.btc_mined = u(k++);
  a.btc_sold = u(k++);
  a.btc_topped_up = u(k++);
  a.btc_released = u(k++);
  a.btc_liquidated = u(k++);
  a.margin_calls = u(k++);
  a.running_hashrate_th = u(k++);
  a.energy_mwh = u(k++);
  a.slippage_usd = u(k++);
  a.btc_pool_luck = u(k++);
  a.machine_sale_proceeds_usd = u(k++);
  a.machine_sale_gain_usd = u(k++);
  a.machines_bought = u(k++);
  a.machines_sold = u(k++);
  a.defaulted_today = block % 2 == 1;
  return a;
}

TEST(DayAccountsFields, add_accounts_equals_the_field_by_field_sums_of_random_days) {
  const DayAccounts x = random_day(0), y = random_day(1);
  DayAccounts s = x;
  add_accounts(s, y);
  EXPECT_EQ(s.mining_revenue_usd, x.mining_revenue_usd + y.mining_revenue_usd);
  EXPECT_EQ(s.hpc_revenue_usd, x.hpc_revenue_usd + y.hpc_revenue_usd);
  EXPECT_EQ(s.power_cost_usd, x.power_cost_usd + y.power_cost_usd);
  EXPECT_EQ(s.curtailment_credit_usd, x.curtailment_credit_usd + y.curtailment_credit_usd);
  EXPECT_EQ(s.opex_usd, x.opex_usd + y.opex_usd);
  EXPECT_EQ(s.sga_usd, x.sga_usd + y.sga_usd);
  EXPECT_EQ(s.ebitda_usd, x.ebitda_usd + y.ebitda_usd);
  EXPECT_EQ(s.depreciation_usd, x.depreciation_usd + y.depreciation_usd);
  EXPECT_EQ(s.interest_usd, x.interest_usd + y.interest_usd);
  EXPECT_EQ(s.btc_revaluation_gain_usd, x.btc_revaluation_gain_usd + y.btc_revaluation_gain_usd);
  EXPECT_EQ(s.pretax_income_usd, x.pretax_income_usd + y.pretax_income_usd);
  EXPECT_EQ(s.tax_usd, x.tax_usd + y.tax_usd);
  EXPECT_EQ(s.net_income_usd, x.net_income_usd + y.net_income_usd);
  EXPECT_EQ(s.operating_cash_flow_usd, x.operating_cash_flow_usd + y.operating_cash_flow_usd);
  EXPECT_EQ(s.btc_sale_proceeds_usd, x.btc_sale_proceeds_usd + y.btc_sale_proceeds_usd);
  EXPECT_EQ(s.capex_usd, x.capex_usd + y.capex_usd);
  EXPECT_EQ(s.investing_cash_flow_usd, x.investing_cash_flow_usd + y.investing_cash_flow_usd);
  EXPECT_EQ(s.debt_drawn_usd, x.debt_drawn_usd + y.debt_drawn_usd);
  EXPECT_EQ(s.debt_repaid_usd, x.debt_repaid_usd + y.debt_repaid_usd);
  EXPECT_EQ(s.financing_cash_flow_usd, x.financing_cash_flow_usd + y.financing_cash_flow_usd);
  EXPECT_EQ(s.total_cash_flow_usd, x.total_cash_flow_usd + y.total_cash_flow_usd);
  EXPECT_EQ(s.debt_repaid_by_collateral_usd, x.debt_repaid_by_collateral_usd + y.debt_repaid_by_collateral_usd);
  EXPECT_EQ(s.debt_converted_to_equity_usd, x.debt_converted_to_equity_usd + y.debt_converted_to_equity_usd);
  EXPECT_EQ(s.btc_mined, x.btc_mined + y.btc_mined);
  EXPECT_EQ(s.btc_sold, x.btc_sold + y.btc_sold);
  EXPECT_EQ(s.btc_topped_up, x.btc_topped_up + y.btc_topped_up);
  EXPECT_EQ(s.btc_released, x.btc_released + y.btc_released);
  EXPECT_EQ(s.btc_liquidated, x.btc_liquidated + y.btc_liquidated);
  EXPECT_EQ(s.running_hashrate_th, x.running_hashrate_th + y.running_hashrate_th);
  EXPECT_EQ(s.energy_mwh, x.energy_mwh + y.energy_mwh);
  EXPECT_EQ(s.slippage_usd, x.slippage_usd + y.slippage_usd);
  EXPECT_EQ(s.btc_pool_luck, x.btc_pool_luck + y.btc_pool_luck);
  EXPECT_EQ(s.machine_sale_proceeds_usd, x.machine_sale_proceeds_usd + y.machine_sale_proceeds_usd);
  EXPECT_EQ(s.machine_sale_gain_usd, x.machine_sale_gain_usd + y.machine_sale_gain_usd);
  EXPECT_EQ(s.machines_bought, x.machines_bought + y.machines_bought);
  EXPECT_EQ(s.machines_sold, x.machines_sold + y.machines_sold);
  EXPECT_TRUE(s.defaulted_today);  // y defaulted
}

TEST(DayAccountsFields, add_accounts_of_the_monthly_rows_sums_those_and_leaves_the_others) {
  const DayAccounts x = random_day(2), y = random_day(3);
  DayAccounts s = x;
  add_accounts<&DayAccountsField::monthly>(s, y);
  EXPECT_EQ(s.mining_revenue_usd, x.mining_revenue_usd + y.mining_revenue_usd);  // monthly
  EXPECT_EQ(s.btc_liquidated, x.btc_liquidated + y.btc_liquidated);              // monthly
  EXPECT_EQ(s.pretax_income_usd, x.pretax_income_usd);                          // not monthly
  EXPECT_EQ(s.energy_mwh, x.energy_mwh);                                        // not monthly
  for (const DayAccountsField& f : kDayAccountsFields)
    EXPECT_EQ(s.*f.member, f.monthly ? x.*f.member + y.*f.member : x.*f.member) << f.name;
}

}  // namespace
}  // namespace hashpivot::firm
