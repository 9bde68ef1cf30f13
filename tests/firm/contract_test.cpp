// Power contracts, partial curtailment and the dated fleet (firm/scenario.hpp Site, FleetEntry,
// Downtime; firm/day_steps.hpp power_day, mine_fleet_entry, mine_site, site_costs), each against a
// hand computation or a brute-force sum written here, independently of the code under test.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/day_steps.hpp"
#include "hashpivot/firm/plan.hpp"

namespace hashpivot::firm {
namespace {

const DayNumber kStart = *parse_date("2026-01-01");

MachineModel machine(const char* name, double hashrate_th, double power_w) {
  MachineModel m{};
  m.name = name;
  m.hashrate_th = hashrate_th;
  m.power_w = power_w;
  return m;
}

FleetEntry entry(const char* machine_name, std::int64_t count) {
  FleetEntry f{};
  f.machine = machine_name;
  f.site = "site";
  f.count = count;
  f.uptime = 1.0;
  f.depreciation_years = 3;
  return f;
}

// One fixed-price site of 10 MW, PUE 1, $50/MWh, no pool fee, three machine models of 100 TH/s at
// 15, 20 and 30 J/TH (1.5, 2.0, 3.0 kW), 1,000 of each: 6.5 MW, 300 PH/s.
Scenario three_machine_scenario(CurtailPolicy curtail) {
  Scenario s{};
  s.run.start_date = kStart;
  s.run.horizon_years = 1;
  s.market.btc_price_usd = 100'000;
  s.machines = {machine("m15", 100, 1500), machine("m20", 100, 2000), machine("m30", 100, 3000)};
  Site site{};
  site.name = "site";
  site.capacity_mw = 10;
  site.pue = 1.0;
  site.power_price_usd_per_mwh = 50;
  s.sites = {site};
  // File order is not merit order: the least efficient first.
  s.fleet = {entry("m30", 1000), entry("m15", 1000), entry("m20", 1000)};
  s.treasury.cash_usd = 1e9;
  Strategy st{};
  st.name = "s";
  st.curtail_policy = curtail;
  s.strategies = {st};
  return s;
}

DayMarket day_market(double hashprice_usd) {
  DayMarket m{};
  m.price_usd_per_btc = 100'000;
  m.hashprice_usd_per_ph_day = hashprice_usd;
  m.hashprice_btc_per_ph_day = hashprice_usd / m.price_usd_per_btc;
  return m;
}

DayAccounts one_day(const Scenario& s, const DayMarket& m, int day = 0) {
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  step_day(plan, day, m, state, a);
  return a;
}

// Break-even of a machine of e J/TH at PUE 1 and no pool fee: hashprice / (e × 0.024) USD/MWh.
double breakeven(double hashprice_usd, double j_per_th) { return hashprice_usd / (j_per_th * 0.024); }

TEST(Contract, partial_curtailment_switches_off_the_least_efficient_first) {
  // At $30/PH/day: break-evens 83.3 (15 J/TH), 62.5 (20), 41.7 (30) against $50/MWh: the two
  // efficient models run, the 30 J/TH one is off. By hand: 200 PH/s run of 300; 3.5 MW × 24 h drawn,
  // 3 MW × 24 h curtailed; 200 PH/s × $30 / $100k = 0.06 BTC.
  ASSERT_GT(breakeven(30, 20), 50);
  ASSERT_LT(breakeven(30, 30), 50);
  const DayAccounts a = one_day(three_machine_scenario(CurtailPolicy::kEconomic), day_market(30));
  EXPECT_DOUBLE_EQ(a.available_hashrate_th, 300'000);
  EXPECT_DOUBLE_EQ(a.running_hashrate_th, 200'000);
  EXPECT_NEAR(a.energy_mwh, 3.5 * 24, 1e-9);
  EXPECT_NEAR(a.curtailed_mwh, 3.0 * 24, 1e-9);
  EXPECT_NEAR(a.power_cost_usd, 3.5 * 24 * 50, 1e-6);
  EXPECT_NEAR(a.btc_mined, 200 * 30 / 100'000.0, 1e-12);
  EXPECT_DOUBLE_EQ(a.hosting_fixed_usd, 0.0);
  // At $22: only the 15 J/TH model (break-even 61.1) runs; at $17: none (47.2 < 50).
  EXPECT_DOUBLE_EQ(one_day(three_machine_scenario(CurtailPolicy::kEconomic), day_market(22)).running_hashrate_th,
                   100'000);
  EXPECT_DOUBLE_EQ(one_day(three_machine_scenario(CurtailPolicy::kEconomic), day_market(17)).running_hashrate_th, 0);
}

TEST(Contract, curtailment_decides_on_the_energy_part_of_a_split_all_in_price) {
  // $80 all-in, a quarter of it a capacity charge: energy $60/MWh, fixed 0.25 × 80 × 24 h a day on
  // the contracted 6.5 MW (the nameplate in service, not the site's 10 MW).
  Scenario s = three_machine_scenario(CurtailPolicy::kEconomic);
  s.sites[0].power_price_usd_per_mwh = 80;
  s.sites[0].fixed_share = 0.25;
  // At $30/PH/day the 20 J/TH model breaks even at $62.5: above the $60 energy part (it runs), below
  // the $80 all-in rate (it would be off if the whole rate were avoidable).
  const DayAccounts a = one_day(s, day_market(30));
  const double fixed = 0.25 * 80 * 24 * 6.5;
  EXPECT_DOUBLE_EQ(a.running_hashrate_th, 200'000);
  EXPECT_NEAR(a.hosting_fixed_usd, fixed, 1e-9);
  EXPECT_NEAR(a.power_cost_usd, fixed + 3.5 * 24 * 60, 1e-6);
  s.sites[0].fixed_share = 0.0;  // all energy at $80: only the 15 J/TH model (83.3) runs
  EXPECT_DOUBLE_EQ(one_day(s, day_market(30)).running_hashrate_th, 100'000);
}

TEST(Contract, a_take_or_pay_contract_costs_the_same_whether_the_fleet_runs_or_not) {
  Scenario s = three_machine_scenario(CurtailPolicy::kEconomic);
  s.sites[0].take_or_pay_fraction = 1.0;  // all the contracted 6.5 MW × 24 h paid
  s.sites[0].hosting_fee_usd_per_kw_month = 5;
  const double expected = 50 * 6.5 * 24 + 5 * 6'500 * 12 / 365.0;
  const DayAccounts running = one_day(s, day_market(30));
  EXPECT_DOUBLE_EQ(running.running_hashrate_th, 300'000);  // within the floor energy is free: all run
  Scenario off = s;
  Downtime all_off{"", kStart, kStart, 1.0};
  off.downtime = {all_off};
  const DayAccounts idle = one_day(off, day_market(30));
  EXPECT_DOUBLE_EQ(idle.running_hashrate_th, 0);
  EXPECT_NEAR(running.power_cost_usd, expected, 1e-6);
  EXPECT_NEAR(idle.power_cost_usd, expected, 1e-6);
  EXPECT_NEAR(running.hosting_fixed_usd, expected, 1e-6);
  // A hashprice of 0 earns nothing: economic curtailment switches everything off, same bill.
  EXPECT_NEAR(one_day(s, day_market(0)).power_cost_usd, expected, 1e-6);
  s.strategies[0].curtail_policy = CurtailPolicy::kNever;
  EXPECT_NEAR(one_day(s, day_market(30)).power_cost_usd, expected, 1e-6);
}

TEST(Contract, the_fixed_part_ends_with_the_contracts_term) {
  Scenario s = three_machine_scenario(CurtailPolicy::kEconomic);
  s.sites[0].take_or_pay_fraction = 1.0;
  s.sites[0].hosting_fee_usd_per_kw_month = 5;
  s.sites[0].fixed_charges_until = kStart + 3;
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  step_day(plan, 2, day_market(17), state, a);  // in the term: the floor runs the fleet, fee and floor paid
  EXPECT_NEAR(a.power_cost_usd, 50 * 6.5 * 24 + 5 * 6'500 * 12 / 365.0, 1e-6);
  step_day(plan, 3, day_market(17), state, a);  // after it: energy only, and nothing covers $50 at $17
  EXPECT_DOUBLE_EQ(a.power_cost_usd, 0.0);
  EXPECT_DOUBLE_EQ(a.hosting_fixed_usd, 0.0);
  EXPECT_DOUBLE_EQ(a.running_hashrate_th, 0.0);
}

TEST(Contract, a_take_or_pay_floor_runs_the_site_at_least_up_to_the_floor_in_merit_order) {
  // Floor 0.4 × 6.5 MW × 24 h = 62.4 MWh. At $17/PH/day no model covers $50 (all break-evens < 50)
  // but every one covers the zero credit, so the floor's energy runs, most efficient first: the
  // 15 J/TH model (1.5 MW × 24 = 36 MWh), then 26.4 of the 20 J/TH model's 48 MWh.
  Scenario s = three_machine_scenario(CurtailPolicy::kEconomic);
  s.sites[0].take_or_pay_fraction = 0.4;
  const DayAccounts a = one_day(s, day_market(17));
  EXPECT_NEAR(a.energy_mwh, 62.4, 1e-9);
  EXPECT_NEAR(a.running_hashrate_th, 100'000 + 100'000 * 26.4 / 48.0, 1e-6);
  EXPECT_NEAR(a.power_cost_usd, 62.4 * 50, 1e-6);
  EXPECT_NEAR(a.curtailed_mwh, 6.5 * 24 - 62.4, 1e-9);
  // At $30 the two efficient models run in full (break-evens 83.3, 62.5 > 50): 84 MWh, past the
  // floor, paid per MWh; nothing of the floor is left for the 30 J/TH model (41.7 < 50): off.
  const DayAccounts b = one_day(s, day_market(30));
  EXPECT_NEAR(b.energy_mwh, 84, 1e-9);
  EXPECT_NEAR(b.power_cost_usd, 84 * 50, 1e-6);
  EXPECT_DOUBLE_EQ(b.running_hashrate_th, 200'000);
  // At $45 all break-evens exceed 50 (45 / 0.72 = 62.5 for 30 J/TH): everything runs, 156 MWh.
  const DayAccounts c = one_day(s, day_market(45));
  EXPECT_NEAR(c.energy_mwh, 156, 1e-9);
  EXPECT_NEAR(c.power_cost_usd, 156 * 50, 1e-6);
  EXPECT_NEAR(c.hosting_fixed_usd, 62.4 * 50, 1e-6);
}

TEST(Contract, hourly_switching_at_a_pass_through_site_equals_a_brute_force_sum_over_hours) {
  Scenario s = three_machine_scenario(CurtailPolicy::kEconomic);
  s.sites[0].power_contract = PowerContract::kPassThrough;
  s.sites[0].energy_margin_usd_per_mwh = 4;
  s.sites[0].curtailment_credit_usd_per_mwh = 3;
  s.sites[0].demand_response_credit_usd_per_mwh = 2;
  std::vector<double> hourly(24);
  for (std::size_t h = 0; h < 24; ++h) hourly[h] = 20 + 60 * std::sin(static_cast<double>(h) / 24 * 6.283) * 0.9 + 40;
  const std::vector<double> daily{50};
  DayMarket m = day_market(33);
  m.power_usd_per_mwh = daily;
  m.hourly_power_usd_per_mwh = hourly;
  const DayAccounts a = one_day(s, m);
  // Brute force: every model, every hour: run when index + margin + credits < break-even.
  double energy = 0, cost = 0, credit = 0, ph_hours = 0;
  for (const auto& [j_per_th, mw] : {std::pair{15.0, 1.5}, std::pair{20.0, 2.0}, std::pair{30.0, 3.0}}) {
    for (const double p : hourly) {
      if (p + 4 + 5 < breakeven(33, j_per_th)) {
        energy += mw;
        cost += mw * (p + 4);
        ph_hours += 100;
      } else {
        credit += mw * 5;
      }
    }
  }
  ASSERT_GT(energy, 0);
  ASSERT_GT(credit, 0);
  EXPECT_NEAR(a.energy_mwh, energy, 1e-9);
  EXPECT_NEAR(a.power_cost_usd, cost, 1e-6);
  EXPECT_NEAR(a.curtailment_credit_usd, credit, 1e-6);
  EXPECT_NEAR(a.running_hashrate_th, ph_hours / 24 * 1000, 1e-6);
  EXPECT_NEAR(a.btc_mined, ph_hours / 24 * 33 / 100'000.0, 1e-12);
}

TEST(Contract, curtailment_rights_cap_the_full_site_hours_a_contract_year) {
  // One model, always below break-even at $17: economic curtailment would switch it off every day.
  Scenario s = three_machine_scenario(CurtailPolicy::kEconomic);
  s.fleet = {entry("m20", 1000)};
  s.sites[0].max_curtailed_hours_per_year = 30;
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  step_day(plan, 0, day_market(17), state, a);
  EXPECT_DOUBLE_EQ(a.running_hashrate_th, 0);  // 24 of 30 hours used
  step_day(plan, 1, day_market(17), state, a);
  EXPECT_DOUBLE_EQ(a.running_hashrate_th, 100'000);  // 48 > 30: runs in full
  step_day(plan, 365, day_market(17), state, a);
  EXPECT_DOUBLE_EQ(a.running_hashrate_th, 0);  // a new contract year
}

TEST(Contract, the_dated_fleet_and_downtime_make_the_availability_table) {
  Scenario s = three_machine_scenario(CurtailPolicy::kNever);
  s.fleet[0].in_service = kStart + 10;
  s.fleet[1].retire = kStart + 20;
  s.fleet[2].repair_failure_rate_annual = 3.65;  // 0.01 a day
  s.fleet[2].repair_days = 5;                    // 1 / (1 + 0.05) up
  s.downtime = {Downtime{"site", kStart + 15, kStart + 16, 0.5}, Downtime{"", kStart + 16, kStart + 16, 0.2}};
  const FirmPlan plan = make_plan(s, 0);
  const auto available = [&](std::size_t i, int day) { return fleet_availability(plan, i, day); };
  EXPECT_EQ(available(0, 9), 0.0);
  EXPECT_EQ(available(0, 10), 1.0);
  EXPECT_EQ(available(1, 19), 1.0);
  EXPECT_EQ(available(1, 20), 0.0);
  EXPECT_DOUBLE_EQ(available(2, 3), 1.0 / 1.05);
  EXPECT_DOUBLE_EQ(available(0, 15), 0.5);
  EXPECT_DOUBLE_EQ(available(0, 16), 0.5 * 0.8);
  EXPECT_DOUBLE_EQ(available(0, 17), 1.0);
  EXPECT_EQ(available(1, 400), 0.0);  // past the horizon: from the dates
  // The nameplate in service, what fixed charges are billed on: the 30 J/TH lot (3 MW) from day 10,
  // the 15 J/TH lot (1.5 MW) until day 20; the downtime does not change it.
  EXPECT_DOUBLE_EQ(site_deployed_mw(plan, 0, 9), 3.5);
  EXPECT_DOUBLE_EQ(site_deployed_mw(plan, 0, 15), 6.5);
  EXPECT_DOUBLE_EQ(site_deployed_mw(plan, 0, 20), 5.0);
  EXPECT_DOUBLE_EQ(site_deployed_mw(plan, 0, 400), 5.0);
  const DayAccounts a = one_day(s, day_market(30), 12);
  EXPECT_NEAR(a.running_hashrate_th, 100'000 + 100'000 + 100'000 / 1.05, 1e-6);
}

TEST(Contract, the_balance_sheet_balances_every_day_with_every_contract_term) {
  Scenario s = three_machine_scenario(CurtailPolicy::kEconomic);
  s.sites[0].take_or_pay_fraction = 0.3;
  s.sites[0].hosting_fee_usd_per_kw_month = 4;
  s.sites[0].power_price_usd_per_mwh = 70;
  s.sites[0].fixed_share = 0.2;
  s.sites[0].max_curtailed_hours_per_year = 200;
  s.fleet[0].in_service = kStart + 30;
  s.fleet[1].book_value_usd = 2e6;
  s.downtime = {Downtime{"", kStart + 40, kStart + 45, 0.6}};
  s.treasury.cash_usd = 1e6;
  s.treasury.btc = 10;
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  for (int day = 0; day < 120; ++day) {
    const double hashprice = 25 + 20 * std::sin(day * 0.3);
    step_day(plan, day, day_market(hashprice), state, a);
    const BalanceSheet b = balance_sheet(state);
    ASSERT_NEAR(b.assets_usd, b.liabilities_usd + b.equity_usd, 1e-6 * (1 + b.assets_usd)) << "day " << day;
    ASSERT_LE(a.hosting_fixed_usd, a.power_cost_usd + 1e-9) << "day " << day;
    ASSERT_LE(a.running_hashrate_th, a.available_hashrate_th) << "day " << day;
  }
}

}  // namespace
}  // namespace hashpivot::firm
