// make_plan's per-day tables and coefficients against closed forms computed here, independently of
// the rules they replace in the daily step (firm/plan.hpp).

#include "hashpivot/firm/plan.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hashpivot/core/date.hpp"

namespace hashpivot::firm {
namespace {

constexpr double kFailureRate = 0.07;
constexpr double kLeaseUsdPerMwYear = 1.5e6;
constexpr double kEscalator = 0.03;
constexpr int kTermYears = 10;

// 2027-03-01 + 3 years spans the leap day of 2028: 3 × 365 + 1 days.
Scenario scenario() {
  Scenario s{};
  s.run.start_date = *parse_date("2027-03-01");
  s.run.horizon_years = 3;
  s.market.btc_price_usd = 80'000;
  MachineModel m{};
  m.name = "S21";
  m.hashrate_th = 200;
  m.power_w = 3500;
  s.machines = {m};
  Site site{};
  site.name = "tx";
  site.capacity_mw = 40;
  site.pue = 1.08;
  site.power_contract = PowerContract::kFixed;
  site.power_price_usd_per_mwh = 45;
  Conversion c{};
  c.capex_usd_per_mw = 9e6;
  c.lead_time_months = 12;
  c.lease_usd_per_mw_year = kLeaseUsdPerMwYear;
  c.escalator_annual = kEscalator;
  c.term_years = kTermYears;
  c.noi_margin = 0.85;
  site.conversion = c;
  s.sites = {site};
  FleetEntry f{};
  f.machine = "S21";
  f.site = "tx";
  f.count = 9'000;
  f.uptime = 0.96;
  f.failure_rate_annual = kFailureRate;
  f.book_value_usd = 20e6;
  f.depreciation_years = 3;
  s.fleet = {f};
  s.treasury.pool_fee = 0.025;
  Strategy hold{};
  hold.name = "hold";
  s.strategies = {hold};
  return s;
}

TEST(Plan, horizon_days_count_the_leap_day) {
  EXPECT_EQ(make_plan(scenario(), 0).horizon_days, 3 * 365 + 1);
}

TEST(Plan, survival_table_is_one_minus_f_to_the_years_inside_and_past_the_horizon) {
  const FirmPlan plan = make_plan(scenario(), 0);
  ASSERT_EQ(plan.fleet_availability_by_day.size(), static_cast<std::size_t>(plan.horizon_days));
  for (const int day : {0, 1, 200, 365, plan.horizon_days - 1, plan.horizon_days, plan.horizon_days + 500}) {
    const double expected = std::pow(1.0 - kFailureRate, day / 365.0);
    EXPECT_NEAR(fleet_availability(plan, 0, day), expected, 1e-14) << "day " << day;
  }
  // The table holds the bits the exp gives, so a run does not depend on the horizon it was planned for.
  for (int day = 0; day < plan.horizon_days; ++day)
    ASSERT_EQ(fleet_availability(plan, 0, day), fleet_survival(plan.fleet[0], day)) << "day " << day;
}

// A refresh of 9,000 S21 at $7.5/TH ordered on day 100, 45 days of lead time, 20% deposit, replacing
// the S21 fleet (sold at $4/TH): cost 9,000 × 200 × 7.5 = $13.5M, deposit $2.7M; the new entry is
// in service from day 145 and its survival counts from there; the old one stops on day 145, when
// 9,000 × (1 − f)^(145/365) of its machines are left to sell at 200 × $4 each.
TEST(Plan, a_refresh_appends_its_machines_from_delivery_and_retires_what_it_replaces) {
  Scenario s = scenario();
  Refresh r{};
  r.date = s.run.start_date + 100;
  r.machine = "S21";
  r.count = 9'000;
  r.site = "tx";
  r.lead_time_days = 45;
  r.deposit_fraction = 0.2;
  r.usd_per_th = 7.5;
  r.replaces = "S21";
  r.replaced_usd_per_th = 4.0;
  r.failure_rate_annual = kFailureRate;
  r.depreciation_years = 3;
  s.strategies[0].refreshes = {r};
  const FirmPlan plan = make_plan(s, 0);
  ASSERT_EQ(plan.fleet.size(), 2u);
  ASSERT_EQ(plan.refreshes.size(), 1u);
  const PlanRefresh& p = plan.refreshes[0];
  EXPECT_EQ(p.order_day, 100);
  EXPECT_EQ(p.delivery_day, 145);
  EXPECT_EQ(p.entry, 1u);
  EXPECT_DOUBLE_EQ(p.cost_usd, 13.5e6);
  EXPECT_DOUBLE_EQ(p.deposit_usd, 2.7e6);
  EXPECT_EQ(p.replaced_entry, 0u);
  const double left = std::pow(1.0 - kFailureRate, 145 / 365.0);
  EXPECT_NEAR(p.replaced_count, 9'000 * left, 1e-9);
  EXPECT_NEAR(p.replaced_sale_usd, 9'000 * left * 200 * 4.0, 1e-6);
  EXPECT_EQ(plan.fleet[1].book_value_usd, 0.0);
  EXPECT_NEAR(plan.fleet[1].depreciation_usd_per_day, 13.5e6 / (3 * 365.0), 1e-9);
  for (const int day : {0, 144, 145, 146, 500}) {
    EXPECT_NEAR(fleet_availability(plan, 0, day), day < 145 ? std::pow(1.0 - kFailureRate, day / 365.0) : 0.0, 1e-14) << day;
    EXPECT_NEAR(fleet_availability(plan, 1, day), day < 145 ? 0.0 : std::pow(1.0 - kFailureRate, (day - 145) / 365.0),
                1e-14)
        << day;
  }
}

TEST(Plan, lease_table_escalates_each_contract_year) {
  const FirmPlan plan = make_plan(scenario(), 0);
  const auto& per_day = plan.sites[0].lease_usd_per_mw_day_by_contract_year;
  ASSERT_EQ(per_day.size(), static_cast<std::size_t>(kTermYears));
  double lease = kLeaseUsdPerMwYear;
  for (int year = 1; year <= kTermYears; ++year) {
    EXPECT_NEAR(per_day[static_cast<std::size_t>(year - 1)], lease / 365.0, 1e-9) << "year " << year;
    lease *= 1.0 + kEscalator;
  }
}

TEST(Plan, fleet_coefficients_are_the_rules_at_unit_hashprice) {
  const FirmPlan plan = make_plan(scenario(), 0);
  const PlanFleet& f = plan.fleet[0];
  // 9,000 × 3,500 W × 0.96 uptime × 1.08 PUE.
  EXPECT_NEAR(f.load_mw_all_running, 9'000 * 3'500.0 * 0.96 * 1.08 / 1e6, 1e-12);
  // 1.8 EH/s = 1.8e6 TH/s = 1,800 PH/s; × uptime × (1 − fee) BTC per unit of BTC/PH/day hashprice.
  EXPECT_NEAR(f.btc_per_day_per_hashprice, 1'800 * 0.96 * 0.975, 1e-9);
  // 17.5 J/TH: a PH/s-day draws 17.5 × 0.024 = 0.42 MWh of IT power, 0.42 × 1.08 at the meter.
  EXPECT_NEAR(f.breakeven_usd_per_mwh_per_hashprice_usd, 0.975 / (0.42 * 1.08), 1e-12);
}

}  // namespace
}  // namespace hashpivot::firm
