#include "hashpivot/firm/accounts.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <span>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/firm/rules.hpp"
#include "hashpivot/firm/strategy_parameters.hpp"
#include "hashpivot/random/philox.hpp"
#include "support/allocation_counter.hpp"
#include "support/random_firm.hpp"

namespace hashpivot::firm {
namespace {

using random::CounterRng;
using random::DrawAddress;
using random::Stream;
using namespace test_firms;

// One site at a fixed $45/MWh with 10,000 S21 (200 TH/s, 3,500 W); no debt, no tax.
Scenario simple_scenario() {
  Scenario s{};
  s.run.start_date = kStart;
  s.run.horizon_years = 3;
  s.market.btc_price_usd = 90'000;
  s.machines = {machine("S21", 200, 3500)};
  s.sites = {site("tx", 50, 1.05, PowerContract::kFixed, 45)};
  s.fleet = {fleet("S21", "tx", 10'000, 0.95, 30e6)};
  s.treasury.btc = 100;
  s.treasury.cash_usd = 20e6;
  s.treasury.sga_usd_per_year = 0;
  s.treasury.tax_rate = 0;
  s.treasury.pool_fee = 0.02;
  s.strategies = {strategy(SellPolicy::kHold)};
  return s;
}

DayMarket constant_market(double price, double hashprice_usd) {
  DayMarket m{};
  m.price_usd_per_btc = price;
  m.hashprice_usd_per_ph_day = hashprice_usd;
  m.hashprice_btc_per_ph_day = hashprice_usd / price;
  return m;
}

double rel_diff(double a, double b, double scale) { return std::abs(a - b) / std::max(1.0, scale); }

// ---- Random scenarios: the identities every day --------------------------------------------------

TEST(Accounts, random_scenarios_balance_every_day_and_conserve_cash_and_btc) {
  constexpr int kDays = 3 * 365;
  int topped_up = 0, liquidated = 0, defaulted = 0, hpc = 0, converted = 0, drawn = 0, slipped = 0, refreshed = 0, displaced_sold = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    const RandomCase c = random_case(seed, kDays);
    Scenario scenario = c.scenario;
    // Every fourth seed refreshes site a: 3,000 S21 at $7.5/TH ordered on day 200 with a 30% deposit,
    // delivered 60 days later, replacing the S21 there, sold at $5/TH.
    if (seed % 4 == 1) {
      Refresh r{};
      r.date = kStart + 200;
      r.machine = "S21";
      r.count = 3000;
      r.site = "a";
      r.lead_time_days = 60;
      r.deposit_fraction = 0.3;
      r.usd_per_th = 7.5;
      r.replaces = "S21";
      r.replaced_usd_per_th = 5.0;
      scenario.strategies[0].refreshes = {r};
    }
    // Every third seed (from 2) deploys 500 more S21 at site a on day 150 for $2M, and moves site b's
    // machines to site a on day 400, 10 days offline, for $0.5M (the entries io::read_scenario writes).
    if (seed % 3 == 2) {
      FleetEntry lot = fleet("S21", "a", 500, 0.95, 0.0);
      lot.in_service = kStart + 150;
      lot.capex_usd = 2e6;
      scenario.fleet[1].relocate = Relocation{"a", kStart + 400, 10, 0.5e6};
      const FleetEntry moved = split_relocation(scenario.fleet[1]);
      scenario.fleet.push_back(lot);
      scenario.fleet.push_back(moved);
    }
    // Every fifth seed sells what its pivot displaces, at $5/TH.
    for (MachineModel& m : scenario.machines) m.tier_usd_per_th = 5.0;
    scenario.strategies[0].sell_displaced = seed % 5 == 2;
    FirmPlan plan = make_plan(scenario, 0);
    // Every third seed sells with a strong market impact (c = 2e-3 per sqrt(BTC): 2% on 100 BTC), so
    // the identities also hold with slippage.
    if (seed % 3 == 0) plan.sale_impact_per_sqrt_btc = 2e-3;
    FirmState state = make_state(plan);
    {
      const BalanceSheet open = balance_sheet(state);
      ASSERT_NEAR(open.assets_usd, open.liabilities_usd + open.equity_usd, 1e-9 * open.assets_usd);
    }
    DayAccounts a{};
    bool seen_hpc = false;
    for (int day = 0; day < kDays; ++day) {
      const FirmState before = state;
      step_day(plan, day, market_of(c, static_cast<std::size_t>(day)), state, a);
      const BalanceSheet bs = balance_sheet(state);
      const double scale = std::abs(bs.assets_usd) + std::abs(bs.liabilities_usd) + std::abs(bs.equity_usd);
      ASSERT_LE(rel_diff(bs.assets_usd, bs.liabilities_usd + bs.equity_usd, scale), 1e-9)
          << "seed " << seed << " day " << day;
      ASSERT_LE(rel_diff(state.cash_usd - before.cash_usd, a.total_cash_flow_usd,
                         std::abs(before.cash_usd) + a.btc_sale_proceeds_usd + a.debt_repaid_usd + a.debt_drawn_usd),
                1e-9)
          << "seed " << seed << " day " << day;
      ASSERT_NEAR(total_btc(state) - total_btc(before), a.btc_mined - a.btc_sold - a.btc_liquidated,
                  1e-9 * (1.0 + total_btc(before)))
          << "seed " << seed << " day " << day;
      ASSERT_NEAR(a.operating_cash_flow_usd + a.investing_cash_flow_usd + a.financing_cash_flow_usd,
                  a.total_cash_flow_usd, 1e-6);
      ASSERT_GE(state.free_btc, 0.0);
      if (before.defaulted) {
        ASSERT_EQ(state.cash_usd, before.cash_usd);
        ASSERT_EQ(state.free_btc, before.free_btc);
        ASSERT_EQ(state.debts, before.debts);  // principal and collateral
        ASSERT_EQ(state.ppe_book_usd, before.ppe_book_usd);
        ASSERT_EQ(state.retained_earnings_usd, before.retained_earnings_usd);
        ASSERT_EQ(state.default_day, before.default_day);
        ASSERT_EQ(a.net_income_usd, 0.0);
        ASSERT_EQ(a.total_cash_flow_usd, 0.0);
        ASSERT_EQ(a.btc_mined, 0.0);
      } else {
        ASSERT_GE(state.cash_usd, state.defaulted ? -1e300 : -1e-6) << "seed " << seed << " day " << day;
      }
      topped_up += a.btc_topped_up > 0;
      liquidated += a.btc_liquidated > 0;
      defaulted += a.defaulted_today;
      converted += a.debt_converted_to_equity_usd > 0;
      drawn += a.debt_drawn_usd > 0;
      slipped += a.slippage_usd > 0;
      refreshed += a.machines_bought > 0 && a.machines_sold > 0;
      displaced_sold += a.machines_sold > 0 && a.machines_bought == 0;
      seen_hpc = seen_hpc || a.hpc_revenue_usd > 0;
    }
    hpc += seen_hpc;
  }
  // The seeds exercise every branch the identities are meant to cover.
  EXPECT_GT(topped_up, 0);
  EXPECT_GT(liquidated, 0);
  EXPECT_GT(defaulted, 0);
  EXPECT_GT(hpc, 0);
  EXPECT_GT(converted, 0);
  EXPECT_GT(slipped, 0);
  EXPECT_GT(refreshed, 0);
  EXPECT_GT(displaced_sold, 0);
  EXPECT_GT(drawn, 0);
  std::printf("top-ups %d, liquidations %d, defaults %d, paths with HPC revenue %d, conversions %d, draws %d\n",
              topped_up, liquidated, defaulted, hpc, converted, drawn);
}

// The rules make_plan marks dead (FirmPlan::LiveRules) are skipped by step_day: brute force, the same
// random firms stepped with every rule live give the same days and states to the bit. The seeds turn
// each flag on and off: covenants, refinancing terms, a take-or-pay site, no revolver, no pivot,
// shares with an ATM that covers shortfalls or a convertible priced per share (or neither).
TEST(Accounts, skipping_the_rules_a_plan_cannot_act_on_gives_the_day_of_every_rule_run) {
  constexpr int kDays = 3 * 365;
  std::array<std::array<int, 2>, 6> seen{};  // [flag][value]: plans seen with each flag off and on
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    const RandomCase c = random_case(seed, kDays);
    Scenario scenario = c.scenario;
    if (seed % 2 == 0) scenario.debts[0].covenant_min_cash_usd = 2e6;
    if (seed % 3 == 0) {
      scenario.debts[1].refinance = Refinancing{0.1, 365, 0.7, 1.5, 0.01, 2};
      scenario.strategies[0].refinance = true;
    }
    if (seed % 4 == 0) scenario.sites[0].take_or_pay_fraction = 0.6;
    if (seed % 5 == 0) scenario.debts.erase(scenario.debts.begin() + 2);  // the revolver
    if (seed % 7 == 0) scenario.strategies[0].pivot_policy = PivotPolicy::kNone;
    if (seed % 3 != 1) {
      // Shares, read by an ATM that sells into shortfalls or by a convertible priced per share, or by
      // neither. Seed 2's convertible converts and seed 3's ATM sells: each fails this test when its
      // half of the share_price flag is dropped.
      scenario.equity.shares_outstanding = 2e6;
      scenario.equity.daily_volume_shares = 1e6;
      if (seed % 3 == 0) scenario.strategies[0].atm = AtmProgramme{kStart, 50e6, 0, 0.5, 0, 0.03};
      if (seed % 9 == 2) {
        scenario.debts[3].conversion_price_usd = 0;
        scenario.debts[3].conversion_price_usd_per_share = 12.5;
      }
    }
    const FirmPlan plan = make_plan(scenario, 0);
    const FirmPlan::LiveRules live = plan.live;
    const std::array<bool, 6> flags{live.site_decisions, live.conversions, live.refinancing, live.covenants,
                                    live.revolvers,       live.share_price};
    for (std::size_t f = 0; f < flags.size(); ++f) ++seen[f][flags[f] ? 1 : 0];
    FirmPlan every_rule = plan;
    every_rule.live = FirmPlan::LiveRules{};
    FirmState skipped = make_state(plan);
    FirmState full = make_state(every_rule);
    DayAccounts a{};
    DayAccounts b{};
    for (int day = 0; day < kDays; ++day) {
      const DayMarket m = market_of(c, static_cast<std::size_t>(day));
      step_day(plan, day, m, skipped, a);
      step_day(every_rule, day, m, full, b);
      for (const DayAccountsField& field : kDayAccountsFields)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(a.*field.member), std::bit_cast<std::uint64_t>(b.*field.member))
            << field.name << ", seed " << seed << " day " << day;
      ASSERT_EQ(a.defaulted_today, b.defaulted_today);
      ASSERT_EQ(std::bit_cast<std::uint64_t>(skipped.cash_usd), std::bit_cast<std::uint64_t>(full.cash_usd))
          << "seed " << seed << " day " << day;
      ASSERT_EQ(skipped.free_btc, full.free_btc);
      ASSERT_EQ(skipped.debts, full.debts);
      ASSERT_EQ(skipped.sites, full.sites);
      ASSERT_EQ(skipped.fleet, full.fleet);
      ASSERT_EQ(skipped.retained_earnings_usd, full.retained_earnings_usd);
      ASSERT_EQ(skipped.refinancings, full.refinancings);
      ASSERT_EQ(skipped.shares_outstanding, full.shares_outstanding);
      ASSERT_EQ(skipped.paid_in_capital_usd, full.paid_in_capital_usd);
    }
  }
  for (std::size_t f = 0; f < seen.size(); ++f) {
    EXPECT_GT(seen[f][0], 0) << "flag " << f << " never off";
    EXPECT_GT(seen[f][1], 0) << "flag " << f << " never on";
  }
}

// Each flag of live_rules is on exactly when the plan has what its rule acts on.
TEST(Accounts, live_rules_are_on_for_the_plans_that_have_what_each_rule_acts_on) {
  Scenario s = simple_scenario();
  const auto live = [&] { return make_plan(s, 0).live; };
  FirmPlan::LiveRules none = live();
  EXPECT_FALSE(none.site_decisions || none.conversions || none.refinancing || none.covenants || none.revolvers ||
               none.share_price);
  const FirmPlan::LiveRules field_by_field = FirmPlan{}.live;
  EXPECT_TRUE(field_by_field.site_decisions && field_by_field.conversions && field_by_field.refinancing &&
              field_by_field.covenants && field_by_field.revolvers && field_by_field.share_price);
  s.sites[0].max_curtailed_hours_per_year = 200;
  EXPECT_TRUE(live().site_decisions);
  s.sites[0].conversion = conversion(6);
  EXPECT_FALSE(live().conversions);  // terms alone convert nothing: the pivot does
  s.strategies[0].pivot_policy = PivotPolicy::kTrigger;
  s.strategies[0].pivot_site = "tx";
  EXPECT_TRUE(live().conversions);
  s.debts = {debt("term", DebtKind::kTerm, 1e6, 0.1, 400, Amortization::kBullet)};
  EXPECT_FALSE(live().refinancing || live().covenants || live().revolvers);
  s.debts[0].refinance = Refinancing{0.1, 365};
  EXPECT_FALSE(live().refinancing);  // terms without a strategy that refinances
  s.strategies[0].refinance = true;
  EXPECT_TRUE(live().refinancing);
  s.debts[0].covenant_min_cash_usd = 1e6;
  EXPECT_TRUE(live().covenants);
  s.debts.push_back(debt("rcf", DebtKind::kRevolver, 0, 0.08, 900, Amortization::kBullet));
  EXPECT_TRUE(live().revolvers);
  EXPECT_FALSE(live().share_price);
  s.equity.shares_outstanding = 1e6;
  EXPECT_FALSE(live().share_price);  // shares alone: nothing sells or converts into them
  s.debts.push_back(debt("cvt", DebtKind::kConvertible, 1e6, 0.04, 600, Amortization::kBullet));
  s.debts.back().conversion_price_usd = 100'000;
  EXPECT_FALSE(live().share_price);  // converts on the BTC price
  s.debts.back().conversion_price_usd = 0;
  s.debts.back().conversion_price_usd_per_share = 12;
  EXPECT_TRUE(live().share_price);
  s.debts.pop_back();
  s.strategies[0].atm = AtmProgramme{kStart, 0, 0, 0.5, 0, 0.03};
  EXPECT_FALSE(live().share_price);  // a programme of size 0 sells nothing
  s.strategies[0].atm->size_usd = 5e6;
  EXPECT_TRUE(live().share_price);
}

TEST(Accounts, step_day_does_not_allocate) {
  const RandomCase c = random_case(3, 3 * 365);
  Scenario s = c.scenario;
  s.strategies[0].curtail_policy = CurtailPolicy::kEconomic;
  s.strategies[0].sell_policy = SellPolicy::kCashFloor;
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  const std::uint64_t before = testing::heap_allocations();
  for (int day = 0; day < 3 * 365; ++day) step_day(plan, day, market_of(c, static_cast<std::size_t>(day)), state, a);
  EXPECT_EQ(testing::heap_allocations(), before);
}

// ---- Closed forms ------------------------------------------------------------------------------

TEST(Accounts, a_debt_free_fleet_at_constant_hashprice_mines_n_days_of_fpps) {
  const Scenario s = simple_scenario();
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  const DayMarket m = constant_market(90'000, 50);
  const double per_day = fpps_btc_per_day(10'000 * 200.0, 0.95, m.hashprice_btc_per_ph_day, 0.02);
  DayAccounts a{};
  double mined = 0;
  constexpr int kDays = 400;
  for (int day = 0; day < kDays; ++day) {
    step_day(plan, day, m, state, a);
    EXPECT_DOUBLE_EQ(a.btc_mined, per_day);
    mined += a.btc_mined;
  }
  EXPECT_NEAR(mined, kDays * per_day, 1e-12 * kDays * per_day);
  EXPECT_NEAR(state.free_btc, 100 + kDays * per_day, 1e-12 * state.free_btc);
  // The fleet's book value (30e6 over 3 years) depreciates linearly.
  EXPECT_NEAR(state.ppe_book_usd, 30e6 * (1 - kDays / (3 * 365.0)), 1e-6);
}

TEST(Accounts, sell_all_mined_keeps_free_btc_and_converts_revenue_at_the_price) {
  Scenario s = simple_scenario();
  s.strategies[0].sell_policy = SellPolicy::kSellAllMined;
  s.sites[0].opex_usd_per_mw_year = 36'500;
  s.treasury.sga_usd_per_year = 3.65e6;
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  const double price = 80'000;
  const DayMarket m = constant_market(price, 50);
  const double mined = fpps_btc_per_day(2e6, 0.95, m.hashprice_btc_per_ph_day, 0.02);
  const double power = energy_mwh(10'000 * 3500.0 * 0.95, 1.05, 24) * 45;
  const double opex = 50 * 100.0, sga = 10'000;
  DayAccounts a{};
  constexpr int kDays = 200;
  for (int day = 0; day < kDays; ++day) {
    step_day(plan, day, m, state, a);
    EXPECT_NEAR(a.btc_sale_proceeds_usd, mined * price, 1e-6);
    EXPECT_NEAR(a.power_cost_usd, power, 1e-6);
  }
  EXPECT_NEAR(state.free_btc, 100, 1e-9);
  EXPECT_NEAR(state.cash_usd, 20e6 + kDays * (mined * price - power - opex - sga), 1e-6 * kDays);
}

TEST(Accounts, a_linear_term_loan_is_repaid_at_maturity_with_closed_form_interest) {
  for (const Amortization amortization : {Amortization::kLinear, Amortization::kBullet}) {
    Scenario s = simple_scenario();
    constexpr int kMaturity = 500;
    const double principal = 10e6, rate = 0.08;
    s.debts = {debt("term", DebtKind::kTerm, principal, rate, kMaturity, amortization)};
    const FirmPlan plan = make_plan(s, 0);
    FirmState state = make_state(plan);
    const DayMarket m = constant_market(90'000, 50);
    DayAccounts a{};
    double interest = 0, repaid = 0;
    for (int day = 0; day < kMaturity + 30; ++day) {
      step_day(plan, day, m, state, a);
      interest += a.interest_usd;
      repaid += a.debt_repaid_usd;
      if (day < kMaturity) {
        EXPECT_GT(state.debts[0].principal_usd, 0.0) << day;
      }
    }
    EXPECT_EQ(state.debts[0].principal_usd, 0.0);
    EXPECT_NEAR(repaid, principal, 1e-6);
    // Linear: payments on days 0..M of P/(M+1); the opening principal of day d is P(M+1−d)/(M+1), so
    // interest = r/365 · P · (M+2)/2. Bullet: r/365 · P · (M+1).
    const double expected = amortization == Amortization::kLinear
                                ? rate / 365 * principal * (kMaturity + 2) / 2.0
                                : rate / 365 * principal * (kMaturity + 1);
    EXPECT_NEAR(interest, expected, 1e-9 * expected) << keyword(amortization);
    EXPECT_FALSE(state.defaulted);
  }
}

TEST(Accounts, a_scheduled_conversion_earns_nothing_before_the_lead_time_then_lease_times_margin) {
  Scenario s = simple_scenario();
  s.sites[0].conversion = conversion(12);
  s.treasury.cash_usd = 100e6;
  Strategy& st = s.strategies[0];
  st.pivot_policy = PivotPolicy::kSchedule;
  st.pivot_site = "tx";
  st.pivot_mw = 7;
  constexpr int kDecision = 30, kLead = 365;  // 12 months = 365 days
  st.pivot_date = kStart + kDecision;
  const FirmPlan plan = make_plan(s, 0);
  ASSERT_EQ(plan.sites[0].lead_time_days, kLead);
  FirmState state = make_state(plan);
  const DayMarket m = constant_market(90'000, 50);
  const double capex_per_day = 7 * 9e6 * (1 - 0.4) / kLead;
  const double year1 = 1.8e6 / 365 * 7 * 0.85;
  const double mining_it_mw = 10'000 * 3500.0 / 1e6;
  DayAccounts a{};
  double capex = 0;
  for (int day = 0; day < kDecision + kLead + 400; ++day) {
    step_day(plan, day, m, state, a);
    capex += a.capex_usd;
    if (day < kDecision) {
      EXPECT_EQ(a.capex_usd, 0.0);
      EXPECT_DOUBLE_EQ(a.running_hashrate_th, 2e6);
    } else {
      EXPECT_NEAR(a.running_hashrate_th, 2e6 * (1 - 7 / mining_it_mw), 1e-6) << day;
    }
    if (day >= kDecision && day < kDecision + kLead) {
      EXPECT_NEAR(a.capex_usd, capex_per_day, 1e-6) << day;
    }
    if (day < kDecision + kLead) {
      EXPECT_EQ(a.hpc_revenue_usd, 0.0) << day;
    } else if (day < kDecision + kLead + 365) {
      EXPECT_NEAR(a.hpc_revenue_usd, year1, 1e-9) << day;
      EXPECT_EQ(a.capex_usd, 0.0);
    } else {
      EXPECT_NEAR(a.hpc_revenue_usd, year1 * 1.03, 1e-9) << day;
    }
  }
  EXPECT_NEAR(capex, 7 * 9e6 * 0.6, 1e-3);
  EXPECT_EQ(state.sites[0].conversion_revenue_day, kDecision + kLead);
}

TEST(Accounts, a_btc_backed_loan_is_topped_up_to_target_then_liquidated) {
  Scenario s = simple_scenario();
  s.debts = {debt("btc", DebtKind::kBtcBacked, 30e6, 0.07, 700, Amortization::kBullet)};
  s.debts[0].collateral_btc = 1000;  // LTV 1/3 at 90,000
  s.debts[0].ltv_target = 0.5;
  s.debts[0].ltv_call = 0.6;
  s.debts[0].ltv_liquidation = 0.8;
  s.treasury.btc = 2000;
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  step_day(plan, 0, constant_market(60'000, 50), state, a);  // LTV 0.5 < call: nothing
  EXPECT_EQ(a.btc_topped_up, 0.0);
  step_day(plan, 1, constant_market(45'000, 50), state, a);  // LTV 0.667 > call
  const double expected = 30e6 / (0.5 * 45'000) - 1000;
  EXPECT_NEAR(a.btc_topped_up, expected, 1e-9);
  EXPECT_NEAR(loan_to_value(state.debts[0].principal_usd, state.debts[0].collateral_btc, 45'000), 0.5, 1e-12);
  EXPECT_EQ(a.btc_liquidated, 0.0);

  // Without free BTC the loan is liquidated at 0.8: the lender sells loan / price and returns the rest.
  Scenario dry = s;
  dry.treasury.btc = 0;
  dry.strategies[0].sell_policy = SellPolicy::kSellAllMined;
  const FirmPlan dry_plan = make_plan(dry, 0);
  FirmState dry_state = make_state(dry_plan);
  step_day(dry_plan, 0, constant_market(35'000, 50), dry_state, a);  // LTV 0.857 > liquidation
  EXPECT_NEAR(a.btc_liquidated, 30e6 / 35'000, 1e-9);
  EXPECT_NEAR(a.btc_released, 1000 - 30e6 / 35'000, 1e-9);
  EXPECT_NEAR(a.debt_repaid_by_collateral_usd, 30e6, 1e-6);
  EXPECT_EQ(dry_state.debts[0].principal_usd, 0.0);
  EXPECT_EQ(dry_state.debts[0].collateral_btc, 0.0);
  EXPECT_NEAR(dry_state.free_btc, 1000 - 30e6 / 35'000, 1e-9);
}

// Cango's February 2026 sale repaid a BTC-collateralized loan with pledged BTC: a sale that repays
// a BTC-backed loan sells free BTC first, then the loan's collateral (no more than it owes); what
// the repayment released is sold for the rest of the sale.
TEST(Accounts, a_sale_repaying_a_btc_backed_loan_sells_free_btc_then_collateral) {
  Scenario s = simple_scenario();
  s.debts = {debt("btc", DebtKind::kBtcBacked, 30e6, 0.07, 700, Amortization::kBullet)};
  s.debts[0].collateral_btc = 1000;
  s.debts[0].ltv_target = 0.5;
  s.debts[0].ltv_call = 0.6;
  s.debts[0].ltv_liquidation = 0.8;
  s.treasury.btc = 100;
  s.strategies[0].sales = {{s.run.start_date, 800, SaleUse::kRepayDebt, "btc"}};
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  const double cash_before = state.cash_usd;
  step_day(plan, 0, constant_market(60'000, 50), state, a);
  // 30M / 60,000 = 500 BTC repay the loan (100 free + the day's mining + collateral); the loan's
  // release frees the remaining collateral, and 300 more BTC are sold for cash: 800 in all.
  EXPECT_NEAR(a.btc_sold, 800.0, 1e-9);
  EXPECT_EQ(state.debts[0].principal_usd, 0.0);
  EXPECT_EQ(state.debts[0].collateral_btc, 0.0);
  const double mined = a.btc_mined;
  EXPECT_NEAR(state.free_btc, 1000 + 100 + mined - 800, 1e-9);
  EXPECT_NEAR(a.btc_released, 1000 - (500 - 100 - mined), 1e-9);
  EXPECT_NEAR(a.debt_repaid_usd, 30e6, 1e-6);
  EXPECT_NEAR(state.cash_usd - cash_before, 300 * 60'000.0 + a.operating_cash_flow_usd, 1e-3);
  const BalanceSheet bs = balance_sheet(state);
  EXPECT_NEAR(bs.assets_usd, bs.liabilities_usd + bs.equity_usd, 1e-6 * bs.assets_usd);

  // A smaller sale repays part of the loan from collateral and keeps the rest pledged.
  s.strategies[0].sales = {{s.run.start_date, 300, SaleUse::kRepayDebt, "btc"}};
  const FirmPlan partial_plan = make_plan(s, 0);
  FirmState partial = make_state(partial_plan);
  step_day(partial_plan, 0, constant_market(60'000, 50), partial, a);
  const double from_collateral = 300 - 100 - a.btc_mined;
  EXPECT_NEAR(partial.debts[0].collateral_btc, 1000 - from_collateral, 1e-9);
  EXPECT_NEAR(partial.debts[0].principal_usd, 30e6 - 300 * 60'000.0, 1e-3);
}

// When cash runs out, a BTC lender releases the collateral above what keeps the loan at its target
// LTV (here 1000 − 30M / (0.6 × 60,000) = 166.67 BTC); the firm sells it, then repays the loan from
// 500 more BTC and sells the 333.33 released: all 1,000 BTC, $30M of equity, before defaulting.
TEST(Accounts, remedies_sell_excess_collateral_then_repay_the_loan_from_it_before_defaulting) {
  Scenario s = simple_scenario();
  s.debts = {debt("btc", DebtKind::kBtcBacked, 30e6, 0.07, 700, Amortization::kBullet)};
  s.debts[0].collateral_btc = 1000;
  s.debts[0].ltv_target = 0.6;
  s.debts[0].ltv_call = 0.7;
  s.debts[0].ltv_liquidation = 0.85;
  s.treasury.btc = 0;
  s.treasury.cash_usd = 0;
  s.treasury.sga_usd_per_year = 40e6 * 365;  // $40M a day: more than the excess collateral is worth
  s.strategies[0].sell_policy = SellPolicy::kHold;
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  step_day(plan, 0, constant_market(60'000, 50), state, a);
  const double repaid_from_collateral = 30e6 / 60'000.0;
  EXPECT_NEAR(a.btc_released, 1000 - repaid_from_collateral, 1e-9);
  EXPECT_EQ(state.debts[0].principal_usd, 0.0);
  EXPECT_EQ(state.debts[0].collateral_btc, 0.0);
  EXPECT_NEAR(a.btc_sold, 1000 + a.btc_mined, 1e-9);  // the day's mining, the release, the loan's collateral
  EXPECT_TRUE(state.defaulted);

  // With a cost the excess covers, the firm survives at the target LTV or below.
  s.treasury.sga_usd_per_year = 5e6 * 365;
  const FirmPlan small = make_plan(s, 0);
  FirmState survivor = make_state(small);
  step_day(small, 0, constant_market(60'000, 50), survivor, a);
  EXPECT_FALSE(survivor.defaulted);
  EXPECT_NEAR(survivor.cash_usd, 0.0, 1e-6);
  EXPECT_LE(loan_to_value(survivor.debts[0].principal_usd, survivor.debts[0].collateral_btc, 60'000), 0.6 + 1e-12);
}

TEST(Accounts, economic_curtailment_with_hourly_prices_follows_curtail_hourly) {
  Scenario s = simple_scenario();
  s.sites[0].power_contract = PowerContract::kIndex;
  s.sites[0].curtailment_credit_usd_per_mwh = 5;
  s.strategies[0].curtail_policy = CurtailPolicy::kEconomic;
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  std::array<double, 24> hourly{};
  for (std::size_t h = 0; h < 24; ++h) hourly[h] = h % 3 == 0 ? 150.0 : 30.0;
  const std::array<double, 1> daily{80.0};
  DayMarket m = constant_market(90'000, 50);
  m.power_usd_per_mwh = daily;
  m.hourly_power_usd_per_mwh = hourly;
  DayAccounts a{};
  step_day(plan, 0, m, state, a);
  const double breakeven = breakeven_power_price_usd_per_mwh(50, 17.5, 1.05, 0.02);
  const CurtailedDay c = curtail_hourly(hourly, breakeven, 5);
  const double load_mw = 10'000 * 3500.0 * 0.95 * 1.05 / 1e6;
  EXPECT_EQ(c.running_hours, 16.0);
  EXPECT_NEAR(a.power_cost_usd, load_mw * c.energy_cost_usd_per_mw, 1e-6);
  EXPECT_NEAR(a.curtailment_credit_usd, load_mw * c.credit_usd_per_mw, 1e-6);
  EXPECT_NEAR(a.btc_mined, fpps_btc_per_day(2e6 * 16 / 24, 0.95, m.hashprice_btc_per_ph_day, 0.02), 1e-15);
}

// ---- Strategies as points in a parameter space (docs/model.md §5) ------------------------------------

Scenario scenario_with_every_parameter() {
  Scenario s = simple_scenario();
  s.sites[0].conversion = conversion(12);
  Strategy sell = strategy(SellPolicy::kSellFraction);
  sell.sell_fraction = 0.25;
  sell.sales = {{kStart + 10, 50, SaleUse::kCash, ""}};
  sell.pivot_policy = PivotPolicy::kSchedule;
  sell.pivot_site = "tx";
  sell.pivot_mw = 10;
  sell.pivot_date = kStart + 100;
  Strategy trigger = strategy(SellPolicy::kCashFloor);
  trigger.cash_floor_months = 3;
  trigger.pivot_policy = PivotPolicy::kTrigger;
  trigger.pivot_site = "tx";
  trigger.pivot_mw = 20;
  trigger.pivot_hashprice_below_usd_per_ph_day = 35;
  trigger.pivot_trigger_days = 30;
  s.strategies = {sell, trigger};
  return s;
}

TEST(StrategyParameters, read_and_write_by_name_and_reach_the_plan) {
  Scenario s = scenario_with_every_parameter();
  EXPECT_EQ(parameters_of(s, 0),
            (std::vector<std::string>{"sell_fraction", "sale_btc", "sale_day", "pivot_mw", "pivot_day"}));
  EXPECT_EQ(parameters_of(s, 1), (std::vector<std::string>{"cash_floor_months", "pivot_mw",
                                                           "pivot_hashprice_below_usd_per_ph_day", "pivot_trigger_days"}));
  EXPECT_EQ(get_strategy_parameter(s, 0, "sale_day"), 10.0);
  EXPECT_EQ(get_strategy_parameter(s, 1, "pivot_trigger_days"), 30.0);
  set_strategy_parameter(s, 0, "sell_fraction", 0.6);
  set_strategy_parameter(s, 0, "sale_btc", 80);
  set_strategy_parameter(s, 0, "sale_day", 19.6);  // rounded to day 20
  set_strategy_parameter(s, 0, "pivot_mw", 12.5);
  set_strategy_parameter(s, 0, "pivot_day", 200);
  set_strategy_parameter(s, 1, "pivot_hashprice_below_usd_per_ph_day", 28);
  set_strategy_parameter(s, 1, "pivot_trigger_days", 45);
  for (const std::string& name : parameters_of(s, 0)) EXPECT_TRUE(std::isfinite(get_strategy_parameter(s, 0, name)));
  const FirmPlan plan = make_plan(s, 0);
  EXPECT_EQ(plan.sell_fraction, 0.6);
  EXPECT_EQ(plan.sales[0].btc, 80.0);
  EXPECT_EQ(plan.sales[0].day, 20);
  EXPECT_EQ(plan.pivot_mw, 12.5);
  EXPECT_EQ(plan.pivot_day, 200);
  const FirmPlan trigger = make_plan(s, 1);
  EXPECT_EQ(trigger.pivot_hashprice_below_usd_per_ph_day, 28.0);
  EXPECT_EQ(trigger.pivot_trigger_days, 45);
}

TEST(StrategyParameters, unknown_unused_and_out_of_range_values_are_refused_by_name) {
  Scenario s = scenario_with_every_parameter();
  const auto message = [&](std::size_t k, const char* name, double value) -> std::string {
    try {
      set_strategy_parameter(s, k, name, value);
    } catch (const ParameterError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message(0, "sell_fractoin", 0.5).find("sell_fractoin"), std::string::npos);
  EXPECT_NE(message(1, "sale_btc", 10).find("does not use"), std::string::npos);  // no one-off sale
  EXPECT_NE(message(0, "sell_fraction", 1.5).find("outside"), std::string::npos);
  EXPECT_NE(message(0, "pivot_mw", 60).find("outside"), std::string::npos);        // the site has 50 MW
  EXPECT_NE(message(0, "pivot_day", 5000).find("outside"), std::string::npos);     // past the 3-year horizon
  EXPECT_NE(message(1, "pivot_trigger_days", 0).find("outside"), std::string::npos);
  EXPECT_THROW((void)get_strategy_parameter(s, 0, "pivot_trigger_days"), ParameterError);
  EXPECT_THROW((void)get_strategy_parameter(s, 5, "sell_fraction"), ParameterError);
}

// No look-ahead: a firm's decisions on day d use only markets up to day d. Two market paths equal up
// to day D and different after it give identical states and accounts through day D, whatever the
// policies (trigger pivot, cash floor, one-off sale, curtailment), and differ after.
TEST(StrategyParameters, decisions_use_no_information_after_their_day) {
  Scenario s = scenario_with_every_parameter();
  s.strategies[1].curtail_policy = CurtailPolicy::kEconomic;
  s.strategies[1].pivot_trigger_days = 5;
  constexpr int kSplitDay = 60;
  constexpr int kDays = 120;
  for (std::size_t k = 0; k < s.strategies.size(); ++k) {
    const FirmPlan plan = make_plan(s, k);
    FirmState a = make_state(plan);
    FirmState b = make_state(plan);
    bool differed_after = false;
    for (int d = 0; d < kDays; ++d) {
      // A falling hashprice that crosses the trigger level; after the split, path b crashes.
      const double hashprice = 45.0 - 0.2 * d;
      const DayMarket ma = constant_market(90'000, hashprice);
      const DayMarket mb = d <= kSplitDay ? ma : constant_market(30'000, hashprice / 3);
      DayAccounts da{}, db{};
      step_day(plan, d, ma, a, da);
      step_day(plan, d, mb, b, db);
      if (d <= kSplitDay) {
        ASSERT_EQ(da.btc_mined, db.btc_mined) << "strategy " << k << " day " << d;
        ASSERT_EQ(da.total_cash_flow_usd, db.total_cash_flow_usd) << "strategy " << k << " day " << d;
        ASSERT_EQ(a.cash_usd, b.cash_usd) << "strategy " << k << " day " << d;
        ASSERT_EQ(a.free_btc, b.free_btc) << "strategy " << k << " day " << d;
        ASSERT_EQ(a.sites[0].conversion_decision_day, b.sites[0].conversion_decision_day)
            << "strategy " << k << " day " << d;
      } else {
        differed_after = differed_after || da.mining_revenue_usd != db.mining_revenue_usd;
      }
    }
    EXPECT_TRUE(differed_after) << "strategy " << k;
  }
  // The trigger (hashprice below 35 for 5 days: from day 51) fired before the split, on day 55.
  const FirmPlan trigger = make_plan(s, 1);
  FirmState state = make_state(trigger);
  for (int d = 0; d <= kSplitDay; ++d) {
    DayAccounts a{};
    step_day(trigger, d, constant_market(90'000, 45.0 - 0.2 * d), state, a);
  }
  EXPECT_EQ(state.sites[0].conversion_decision_day, 55);
}

}  // namespace
}  // namespace hashpivot::firm

namespace hashpivot::testing {
namespace {

// The no-allocation tests are only meaningful if the counter sees allocations at all.
TEST(AllocationCounter, counts_an_allocation_made_with_new) {
  const std::uint64_t before = heap_allocations();
  // A volatile sink keeps the compiler from eliding the new/delete pair.
  std::vector<double>* volatile value = new std::vector<double>(16);
  EXPECT_GE(heap_allocations(), before + 2);  // the vector object and its buffer
  delete value;
}

}  // namespace
}  // namespace hashpivot::testing

namespace hashpivot::firm {
namespace {

// ---- Deployment capex and relocation (FleetEntry::capex_usd, relocate) -------------------------

// The balance identity after a day.
void expect_balanced(const FirmState& state, int day) {
  const BalanceSheet bs = balance_sheet(state);
  const double scale = std::abs(bs.assets_usd) + std::abs(bs.liabilities_usd) + std::abs(bs.equity_usd);
  EXPECT_LE(rel_diff(bs.assets_usd, bs.liabilities_usd + bs.equity_usd, scale), 1e-12) << "day " << day;
}

TEST(Accounts, a_deployment_capex_is_paid_on_its_day_and_depreciated_straight_line_from_it) {
  // 1,000 more S21 in service on day 10 for $3.65M over 1 year: $10,000 a day of depreciation from
  // day 10 (inclusive), $3.65M of cash out on day 10. Against the same firm without the capex.
  Scenario without = simple_scenario();
  FleetEntry lot = fleet("S21", "tx", 1'000, 0.95, 0.0);
  lot.depreciation_years = 1;
  lot.in_service = kStart + 10;
  without.fleet.push_back(lot);
  Scenario with = without;
  with.fleet[1].capex_usd = 3.65e6;
  const FirmPlan plan_without = make_plan(without, 0), plan_with = make_plan(with, 0);
  ASSERT_EQ(plan_with.deployments.size(), 1u);
  EXPECT_EQ(plan_with.deployments[0].day, 10);
  EXPECT_DOUBLE_EQ(plan_with.fleet[1].depreciation_usd_per_day, 10'000.0);
  FirmState s0 = make_state(plan_without), s1 = make_state(plan_with);
  const DayMarket m = constant_market(90'000, 50);
  DayAccounts a0{}, a1{};
  for (int day = 0; day < 60; ++day) {
    step_day(plan_without, day, m, s0, a0);
    step_day(plan_with, day, m, s1, a1);
    expect_balanced(s1, day);
    EXPECT_DOUBLE_EQ(a1.capex_usd, day == 10 ? 3.65e6 : 0.0) << day;
    EXPECT_NEAR(a1.depreciation_usd - a0.depreciation_usd, day >= 10 ? 10'000.0 : 0.0, 1e-6) << day;
    EXPECT_NEAR(s1.cash_usd - s0.cash_usd, day >= 10 ? -3.65e6 : 0.0, 1e-6) << day;
    const double book = day >= 10 ? 3.65e6 - 10'000.0 * (day - 9) : 0.0;
    EXPECT_NEAR(s1.fleet[1].book_usd, book, 1e-6) << day;
    EXPECT_NEAR(s1.ppe_book_usd - s0.ppe_book_usd, book, 1e-6) << day;
    EXPECT_NEAR(a1.net_income_usd - a0.net_income_usd, day >= 10 ? -10'000.0 : 0.0, 1e-6) << day;  // no tax
  }
}

TEST(Accounts, a_deployment_before_the_start_or_without_capex_leaves_the_plan_as_it_was) {
  Scenario base = simple_scenario();
  base.fleet[0].in_service = kStart - 30;
  Scenario history = base;
  history.fleet[0].capex_usd = 5e6;  // in history: in book_value_usd already
  const FirmPlan p0 = make_plan(base, 0), p1 = make_plan(history, 0);
  EXPECT_TRUE(p1.deployments.empty());
  EXPECT_EQ(p1.fleet[0].depreciation_usd_per_day, p0.fleet[0].depreciation_usd_per_day);
  EXPECT_EQ(p1.fleet[0].book_value_usd, p0.fleet[0].book_value_usd);
  Scenario dated = simple_scenario();
  dated.fleet[0].in_service = kStart + 5;  // capex 0: the same bits as without the key
  EXPECT_EQ(make_plan(dated, 0).fleet[0].depreciation_usd_per_day, make_plan(simple_scenario(), 0).fleet[0].depreciation_usd_per_day);
  EXPECT_TRUE(make_plan(dated, 0).deployments.empty());
}

TEST(Accounts, a_relocation_stops_the_machines_for_its_days_offline_then_pays_the_target_sites_price) {
  // 10,000 S21 leave tx ($45/MWh, PUE 1.05) on day 20 for ga ($30/MWh, PUE 1.1), 5 days offline,
  // the move costing $1M on day 20: as io::read_scenario writes it, two entries.
  Scenario s = simple_scenario();
  s.sites.push_back(site("ga", 50, 1.1, PowerContract::kFixed, 30));
  s.fleet[0].relocate = Relocation{"ga", kStart + 20, 5, 1e6};
  s.fleet.push_back(split_relocation(s.fleet[0]));
  ASSERT_EQ(s.fleet[0].retire, kStart + 20);
  ASSERT_EQ(s.fleet[1].in_service, kStart + 25);  // 5 days offline
  const FirmPlan plan = make_plan(s, 0);
  ASSERT_EQ(plan.relocations.size(), 1u);
  const FirmPlan unmoved_plan = make_plan(simple_scenario(), 0);
  FirmState state = make_state(plan), unmoved = make_state(unmoved_plan);
  const DayMarket m = constant_market(90'000, 50);
  const double per_day = fpps_btc_per_day(10'000 * 200.0, 0.95, m.hashprice_btc_per_ph_day, 0.02);
  const double power_tx = energy_mwh(10'000 * 3500.0 * 0.95, 1.05, 24) * 45;
  const double power_ga = energy_mwh(10'000 * 3500.0 * 0.95, 1.1, 24) * 30;
  DayAccounts a{}, b{};
  for (int day = 0; day < 40; ++day) {
    step_day(plan, day, m, state, a);
    step_day(unmoved_plan, day, m, unmoved, b);
    expect_balanced(state, day);
    const bool offline = day >= 20 && day < 25;
    EXPECT_DOUBLE_EQ(a.btc_mined, offline ? 0.0 : per_day) << day;
    EXPECT_NEAR(a.power_cost_usd, offline ? 0.0 : day < 20 ? power_tx : power_ga, 1e-6) << day;
    EXPECT_DOUBLE_EQ(a.opex_usd, day == 20 ? 1e6 : 0.0) << day;  // the sites have no fixed opex
    EXPECT_DOUBLE_EQ(a.capex_usd, 0.0);
    // The book stays with the first entry and depreciates as if the machines had not moved.
    EXPECT_DOUBLE_EQ(state.ppe_book_usd, unmoved.ppe_book_usd) << day;
    EXPECT_DOUBLE_EQ(state.fleet[1].book_usd, 0.0);
  }
}

}  // namespace
}  // namespace hashpivot::firm
