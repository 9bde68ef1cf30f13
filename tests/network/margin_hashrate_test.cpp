#include "hashpivot/network/margin_hashrate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "hashpivot/core/error.hpp"

namespace hashpivot::network {
namespace {

const std::string kCbeci = std::string(HASHPIVOT_TEST_DATA_DIR) + "/network/asic_miners_cbeci_2014_2020.csv";
constexpr DayNumber kStart = 19000;

MarginHashrateParams flat_frontier_params(double j_per_th) {
  EfficiencyFrontier f;
  f.j_per_th_at_reference = j_per_th;
  f.reference_day = kStart;
  f.log_decline_per_year = 0.0;
  return MarginHashrateParams::defaults(f);
}

TEST(MarginHashrate, break_even_is_hashprice_over_power_cost_per_j_per_th) {
  // At 1.1 overhead and 50 USD/MWh a machine of e J/TH burns 0.024·e·1.1·50 = 1.32·e USD per PH/s a day.
  EXPECT_DOUBLE_EQ(power_cost_usd_per_ph_day(40, 1.1, 50), 52.8);
  EXPECT_NEAR(breakeven_j_per_th(52.8, 1.1, 50), 40.0, 1e-12);
}

TEST(MarginHashrate, machines_above_the_break_even_switch_off_and_come_back_when_profitable) {
  MarginHashrateParams p = flat_frontier_params(15);
  p.supply_ehs_per_day = 0;  // no joiners here
  const std::vector<Vintage> fleet{{kStart - 400, 20.0, 100.0, false}, {kStart - 900, 60.0, 50.0, false}};
  MarginHashrate m(p, kStart, fleet);
  // Break-even 40 J/TH: the 60 J/TH cohort leaves.
  MarginDayReport day = m.step({power_cost_usd_per_ph_day(40, 1.1, 50)});
  EXPECT_NEAR(day.breakeven_j_per_th, 40, 1e-9);
  EXPECT_DOUBLE_EQ(day.running_ehs, 100.0);
  EXPECT_DOUBLE_EQ(day.installed_ehs, 150.0);
  // Break-even 70 J/TH: both run.
  day = m.step({power_cost_usd_per_ph_day(70, 1.1, 50)});
  EXPECT_DOUBLE_EQ(day.running_ehs, 150.0);
  // A dearer power price (given for the day) turns the old cohort off again: 70·50/100 = 35 J/TH.
  day = m.step({power_cost_usd_per_ph_day(70, 1.1, 50), 100.0});
  EXPECT_NEAR(day.breakeven_j_per_th, 35, 1e-9);
  EXPECT_DOUBLE_EQ(day.running_ehs, 100.0);
  // Below everyone's break-even: nothing runs.
  day = m.step({power_cost_usd_per_ph_day(10, 1.1, 50)});
  EXPECT_DOUBLE_EQ(day.running_ehs, 0.0);
}

TEST(MarginHashrate, joiners_arrive_only_after_the_pipeline_lag_and_at_the_supply_rate) {
  MarginHashrateParams p = flat_frontier_params(20);
  p.pipeline_lag_days = 90;
  p.supply_ehs_per_day = 2.0;
  MarginHashrate m(p, kStart, std::vector<Vintage>{{kStart - 100, 20.0, 500.0, false}});
  // Revenue 4x the frontier's power cost: ratio − 1 − hurdle = 2 >= ramp, so full supply is ordered.
  const double hashprice = 4 * power_cost_usd_per_ph_day(20, 1.1, 50);
  for (int d = 0; d < 200; ++d) {
    const MarginDayReport r = m.step({hashprice});
    EXPECT_DOUBLE_EQ(r.ordered_ehs, 2.0);
    EXPECT_DOUBLE_EQ(r.arrived_ehs, d < 90 ? 0.0 : 2.0) << d;
    // Closed form: 500 + 2 per day from day 90 on.
    EXPECT_NEAR(r.running_ehs, 500.0 + 2.0 * std::max(0, d - 89), 1e-9) << d;
  }
  EXPECT_NEAR(m.pipeline_ehs(), 90 * 2.0, 1e-9);
}

TEST(MarginHashrate, orders_ramp_linearly_between_the_hurdle_and_full_supply) {
  MarginHashrateParams p = flat_frontier_params(20);
  p.supply_ehs_per_day = 1.0;
  p.entry_hurdle = 1.0;
  p.entry_ramp = 1.0;
  MarginHashrate m(p, kStart, std::vector<Vintage>{});
  const double cost = power_cost_usd_per_ph_day(20, 1.1, 50);
  EXPECT_DOUBLE_EQ(m.step({1.9 * cost}).ordered_ehs, 0.0);
  EXPECT_NEAR(m.step({2.5 * cost}).ordered_ehs, 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(m.step({3.5 * cost}).ordered_ehs, 1.0);
}

TEST(MarginHashrate, cohorts_retire_five_years_after_release_and_pivots_leave_pro_rata) {
  MarginHashrateParams p = flat_frontier_params(20);
  p.supply_ehs_per_day = 0;
  p.ai_pivots = {{kStart + 10, 30.0}};
  const std::vector<Vintage> fleet{{kStart - 5 * 365 + 2, 30.0, 40.0, false}, {kStart - 10, 20.0, 120.0, false}};
  MarginHashrate m(p, kStart, fleet);
  const double hashprice = power_cost_usd_per_ph_day(100, 1.1, 50);
  double retired = 0;
  int retire_day = -1;
  for (int d = 0; d < 10; ++d) {
    const MarginDayReport r = m.step({hashprice});
    if (r.retired_ehs > 0 && retire_day < 0) retire_day = d;
    retired += r.retired_ehs;
  }
  EXPECT_EQ(retire_day, 3);  // day − release > 5·365 first on the 4th day
  EXPECT_DOUBLE_EQ(retired, 40.0);
  const MarginDayReport pivot_day = m.step({hashprice});
  EXPECT_DOUBLE_EQ(pivot_day.pivoted_ehs, 30.0);
  EXPECT_DOUBLE_EQ(pivot_day.running_ehs, 90.0);
}

TEST(MarginHashrate, the_update_is_a_pure_function_of_state_and_inputs) {
  EfficiencyFrontier f = fit_efficiency_frontier(kCbeci, FrontierFit::kEnvelope);
  MarginHashrateParams p = MarginHashrateParams::defaults(f);
  const auto fleet = fleet_grown_at(p, kStart, 400.0, 0.5);
  double total = 0;
  for (const auto& v : fleet) total += v.installed_ehs;
  EXPECT_NEAR(total, 400.0, 1e-9);
  MarginHashrate a(p, kStart, fleet);
  for (int d = 0; d < 50; ++d) (void)a.step({60.0 + d});
  MarginHashrate b = a;  // a value: copies evolve identically
  for (int d = 0; d < 300; ++d) {
    const MarginDayReport ra = a.step({80.0});
    const MarginDayReport rb = b.step({80.0});
    ASSERT_EQ(ra.running_ehs, rb.running_ehs);
    ASSERT_EQ(ra.ordered_ehs, rb.ordered_ehs);
  }
}

TEST(EfficiencyFrontier, the_cbeci_list_improves_exponentially) {
  const EfficiencyFrontier all = fit_efficiency_frontier(kCbeci, FrontierFit::kAllModels);
  const EfficiencyFrontier envelope = fit_efficiency_frontier(kCbeci, FrontierFit::kEnvelope);
  EXPECT_EQ(all.models_used, 84);  // the 90 rows less CBECI's 6 CPU/GPU/FPGA/early-ASIC placeholders
  // Each a new best when listed: S3, S5, S7, S9, R4, Ebit E10, 8 Nano Pro, E11++, S17 Pro 53 and 50 Th,
  // Whatsminer M30S, S19 Pro.
  EXPECT_EQ(envelope.models_used, 12);
  for (const auto& f : {all, envelope}) {
    EXPECT_GT(f.log_decline_per_year, 0.2);
    EXPECT_LT(f.log_decline_per_year, 1.0);
    EXPECT_GT(f.log_decline_se, 0.0);
    EXPECT_LT(f.log_decline_se, 0.15);
    EXPECT_NEAR(f.j_per_th(f.reference_day), f.j_per_th_at_reference, 1e-12);
  }
  // Fitted since the S9 (June 2016): slower, as the node shrinks slowed.
  const EfficiencyFrontier recent = fit_efficiency_frontier(kCbeci, FrontierFit::kEnvelope, 16953 /*2016-06-01*/);
  EXPECT_LT(recent.log_decline_per_year, envelope.log_decline_per_year);
  EXPECT_THROW((void)fit_efficiency_frontier("/nonexistent/cbeci.csv", FrontierFit::kAllModels), InputError);
}

}  // namespace
}  // namespace hashpivot::network
