// The two newest rules of firm::step_day, against closed forms:
// - a minimum-cash covenant (Debt::covenant_min_cash_usd): when cash ends a day below it, the debt's
//   whole principal is repaid in cash that day, funded by the remedies (free BTC sold, revolvers
//   drawn) or else the firm defaults;
// - tenant default (SiteState::tenant_default_after_days): the lease pays for exactly that many days
//   of revenue and nothing after; the MW stay converted and the capex keeps depreciating.
// Every day also keeps assets = liabilities + equity (firm::balance_sheet).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/firm/rules.hpp"

namespace hashpivot::firm {
namespace {

const DayNumber kStart = *parse_date("2026-02-01");

// The test firm: one fixed-price site at $45/MWh (PUE 1.05) with 10,000 machines of 200 TH/s at
// 3,500 W and 95% uptime; 2% pool fee; no SG&A, no tax, no book value; sells nothing (hold), so
// mining revenue stays in BTC and the only cash flows are power, interest and what the rules do.
constexpr double kPrice = 90'000;         // USD per BTC, every day
constexpr double kHashpriceUsd = 50;      // USD per PH/s per day, every day
constexpr double kPowerPrice = 45;        // USD/MWh
constexpr double kPue = 1.05;
constexpr double kUptime = 0.95;
constexpr double kPoolFee = 0.02;
constexpr std::int64_t kMachines = 10'000;
constexpr double kMachineTh = 200;
constexpr double kMachineW = 3500;

Scenario base_scenario(double cash_usd, double btc) {
  Scenario s{};
  s.run.start_date = kStart;
  s.run.horizon_years = 5;
  s.market.btc_price_usd = kPrice;
  MachineModel m{};
  m.name = "S21";
  m.hashrate_th = kMachineTh;
  m.power_w = kMachineW;
  m.release_year = 2023;
  s.machines = {m};
  Site site{};
  site.name = "site";
  site.capacity_mw = 50;
  site.pue = kPue;
  site.power_contract = PowerContract::kFixed;
  site.power_price_usd_per_mwh = kPowerPrice;
  s.sites = {site};
  FleetEntry f{};
  f.machine = "S21";
  f.site = "site";
  f.count = kMachines;
  f.uptime = kUptime;
  f.depreciation_years = 3;
  s.fleet = {f};
  s.treasury.btc = btc;
  s.treasury.cash_usd = cash_usd;
  s.treasury.pool_fee = kPoolFee;
  Strategy st{};
  st.name = "hold";
  st.sell_policy = SellPolicy::kHold;
  st.curtail_policy = CurtailPolicy::kNever;
  st.pivot_policy = PivotPolicy::kNone;
  s.strategies = {st};
  return s;
}

Debt term_loan(const char* name, double principal_usd, double rate_annual, double covenant_usd) {
  Debt d{};
  d.name = name;
  d.kind = DebtKind::kTerm;
  d.principal_usd = principal_usd;
  d.rate_annual = rate_annual;
  d.maturity = kStart + 1000;
  d.amortization = Amortization::kBullet;
  d.covenant_min_cash_usd = covenant_usd;
  return d;
}

DayMarket market() {
  DayMarket m{};
  m.price_usd_per_btc = kPrice;
  m.hashprice_usd_per_ph_day = kHashpriceUsd;
  m.hashprice_btc_per_ph_day = kHashpriceUsd / kPrice;
  return m;
}

// The day's closed forms of the test firm at full mining share.
double power_cost_per_day() { return energy_mwh(static_cast<double>(kMachines) * kMachineW * kUptime, kPue, 24) * kPowerPrice; }
double mined_per_day() {
  return fpps_btc_per_day(static_cast<double>(kMachines) * kMachineTh, kUptime, kHashpriceUsd / kPrice, kPoolFee);
}

void expect_balanced(const FirmState& state, int day) {
  const BalanceSheet b = balance_sheet(state);
  EXPECT_NEAR(b.assets_usd, b.liabilities_usd + b.equity_usd, 1e-9 * std::max(1.0, std::abs(b.assets_usd))) << "day " << day;
}

// ---- Minimum-cash covenant ----------------------------------------------------------------------

// Cash falls by power + interest every day (the mined BTC is held). The covenant holds while cash
// ends each day at or above the floor; on the first day it ends below, the whole principal is repaid
// in cash, the shortfall is covered by selling free BTC at the day's price, and cash ends at zero.
TEST(Covenant, holds_above_the_floor_then_accelerates_the_whole_principal_on_the_first_day_below) {
  constexpr double kCash = 20e6, kPrincipal = 10e6, kRate = 0.08, kFloor = 5e6, kBtc = 500;
  Scenario s = base_scenario(kCash, kBtc);
  s.debts = {term_loan("loan", kPrincipal, kRate, kFloor)};
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  const double outflow = power_cost_per_day() + daily_interest_usd(kPrincipal, kRate);
  // The first day d with kCash − (d + 1) × outflow < kFloor.
  const auto breach_day = static_cast<int>(std::floor((kCash - kFloor) / outflow));
  ASSERT_LT(kCash - (breach_day + 1) * outflow, kFloor);
  ASSERT_GE(kCash - breach_day * outflow, kFloor);
  const DayMarket m = market();
  DayAccounts a{};
  for (int day = 0; day < breach_day; ++day) {
    step_day(plan, day, m, state, a);
    ASSERT_EQ(state.debts[0].principal_usd, kPrincipal) << "day " << day;
    ASSERT_EQ(a.debt_repaid_usd, 0.0) << "day " << day;
    ASSERT_EQ(a.btc_sold, 0.0) << "day " << day;
    ASSERT_NEAR(state.cash_usd, kCash - (day + 1) * outflow, 1e-6 * (day + 1)) << "day " << day;
    expect_balanced(state, day);
  }
  const double cash_before = kCash - (breach_day + 1) * outflow;  // the day's cash before the covenant
  const double free_before = kBtc + breach_day * mined_per_day();
  step_day(plan, breach_day, m, state, a);
  EXPECT_EQ(state.debts[0].principal_usd, 0.0);
  EXPECT_NEAR(a.debt_repaid_usd, kPrincipal, 1e-6);
  EXPECT_NEAR(a.financing_cash_flow_usd, -kPrincipal, 1e-6);
  // Repaying drove cash to cash_before − principal < 0: free BTC is sold for exactly the shortfall.
  const double shortfall = kPrincipal - cash_before;
  EXPECT_NEAR(a.btc_sold, shortfall / kPrice, 1e-9);
  EXPECT_NEAR(a.btc_sale_proceeds_usd, shortfall, 1e-6);
  EXPECT_NEAR(state.cash_usd, 0.0, 1e-6);
  EXPECT_NEAR(state.free_btc, free_before + mined_per_day() - shortfall / kPrice, 1e-9);
  EXPECT_FALSE(state.defaulted);
  expect_balanced(state, breach_day);
  // Repaid: no more interest and no second acceleration, although cash stays below the floor.
  step_day(plan, breach_day + 1, m, state, a);
  EXPECT_EQ(a.interest_usd, 0.0);
  EXPECT_EQ(a.debt_repaid_usd, 0.0);
  EXPECT_NEAR(a.btc_sold, power_cost_per_day() / kPrice, 1e-9);  // the remedies now pay the power
  EXPECT_FALSE(state.defaulted);
  expect_balanced(state, breach_day + 1);
}

// A floor of 0 is no covenant: the same firm never accelerates, whatever its cash.
TEST(Covenant, a_zero_floor_is_no_covenant) {
  Scenario s = base_scenario(1e6, 1'000);
  s.debts = {term_loan("loan", 10e6, 0.08, 0.0)};
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  for (int day = 0; day < 60; ++day) {
    step_day(plan, day, market(), state, a);
    ASSERT_EQ(state.debts[0].principal_usd, 10e6) << "day " << day;
    ASSERT_EQ(a.debt_repaid_usd, 0.0) << "day " << day;
  }
  EXPECT_FALSE(state.defaulted);
}

// Opening cash below the floor: the loan is accelerated on day 0. With enough free BTC the remedies
// fund it; the price of the sale is the day's.
TEST(Covenant, a_breach_on_day_zero_is_funded_by_selling_free_btc) {
  constexpr double kCash = 4e6, kPrincipal = 10e6, kRate = 0.08, kBtc = 100;
  Scenario s = base_scenario(kCash, kBtc);
  s.debts = {term_loan("loan", kPrincipal, kRate, 5e6)};
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  step_day(plan, 0, market(), state, a);
  const double cash_before = kCash - power_cost_per_day() - daily_interest_usd(kPrincipal, kRate);
  const double sold = (kPrincipal - cash_before) / kPrice;
  EXPECT_EQ(state.debts[0].principal_usd, 0.0);
  EXPECT_NEAR(a.debt_repaid_usd, kPrincipal, 1e-6);
  EXPECT_NEAR(a.btc_sold, sold, 1e-9);
  EXPECT_NEAR(state.free_btc, kBtc + mined_per_day() - sold, 1e-9);
  EXPECT_NEAR(state.cash_usd, 0.0, 1e-6);
  EXPECT_NEAR(a.total_cash_flow_usd, -kCash, 1e-6);
  EXPECT_FALSE(state.defaulted);
  expect_balanced(state, 0);
}

// Without enough free BTC the remedies draw a revolver for the rest.
TEST(Covenant, a_breach_beyond_the_free_btc_draws_the_revolver) {
  constexpr double kCash = 4e6, kPrincipal = 10e6, kRate = 0.08;
  Scenario s = base_scenario(kCash, 0);
  Debt revolver = term_loan("rcf", 0, 0.09, 0);
  revolver.kind = DebtKind::kRevolver;
  revolver.limit_usd = 20e6;
  s.debts = {term_loan("loan", kPrincipal, kRate, 5e6), revolver};
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  step_day(plan, 0, market(), state, a);
  const double cash_before = kCash - power_cost_per_day() - daily_interest_usd(kPrincipal, kRate);
  // The only free BTC is the day's production; it is sold, and the revolver covers the rest.
  const double draw = kPrincipal - cash_before - mined_per_day() * kPrice;
  EXPECT_EQ(state.debts[0].principal_usd, 0.0);
  EXPECT_NEAR(a.btc_sold, mined_per_day(), 1e-12);
  EXPECT_NEAR(state.free_btc, 0.0, 1e-12);
  EXPECT_NEAR(a.debt_drawn_usd, draw, 1e-6);
  EXPECT_NEAR(state.debts[1].principal_usd, draw, 1e-6);
  EXPECT_NEAR(state.cash_usd, 0.0, 1e-6);
  EXPECT_FALSE(state.defaulted);
  expect_balanced(state, 0);
}

// Nothing to fund it with: the firm defaults that day and is frozen from then on.
TEST(Covenant, a_breach_that_cannot_be_funded_is_a_default) {
  constexpr double kCash = 4e6, kPrincipal = 10e6, kRate = 0.08;
  Scenario s = base_scenario(kCash, 0);
  s.debts = {term_loan("loan", kPrincipal, kRate, 5e6)};
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  step_day(plan, 0, market(), state, a);
  const double cash_before = kCash - power_cost_per_day() - daily_interest_usd(kPrincipal, kRate);
  EXPECT_TRUE(a.defaulted_today);
  EXPECT_TRUE(state.defaulted);
  EXPECT_EQ(state.default_day, 0);
  EXPECT_EQ(state.debts[0].principal_usd, 0.0);  // accelerated and paid, which is what broke the firm
  EXPECT_NEAR(a.btc_sold, mined_per_day(), 1e-12);
  EXPECT_NEAR(state.cash_usd, cash_before - kPrincipal + mined_per_day() * kPrice, 1e-6);
  expect_balanced(state, 0);
  const FirmState frozen = state;
  step_day(plan, 1, market(), state, a);
  EXPECT_EQ(state.cash_usd, frozen.cash_usd);
  EXPECT_EQ(state.free_btc, frozen.free_btc);
  EXPECT_EQ(a.btc_mined, 0.0);
  EXPECT_EQ(state.default_day, 0);
}

// A BTC-backed loan with a covenant: repaid in cash, it releases its collateral, which the remedies
// may then sell.
TEST(Covenant, an_accelerated_btc_backed_loan_releases_its_collateral) {
  constexpr double kCash = 4e6, kPrincipal = 10e6, kRate = 0.08, kCollateral = 300;
  Scenario s = base_scenario(kCash, 0);
  Debt loan = term_loan("btc", kPrincipal, kRate, 5e6);
  loan.kind = DebtKind::kBtcBacked;
  loan.collateral_btc = kCollateral;  // LTV 0.37 at $90,000: no call
  loan.ltv_target = 0.5;
  loan.ltv_call = 0.6;
  loan.ltv_liquidation = 0.8;
  s.debts = {loan};
  const FirmPlan plan = make_plan(s, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  step_day(plan, 0, market(), state, a);
  const double cash_before = kCash - power_cost_per_day() - daily_interest_usd(kPrincipal, kRate);
  const double sold = (kPrincipal - cash_before) / kPrice;
  EXPECT_EQ(state.debts[0].principal_usd, 0.0);
  EXPECT_EQ(state.debts[0].collateral_btc, 0.0);
  EXPECT_NEAR(a.btc_released, kCollateral, 1e-12);
  EXPECT_EQ(a.btc_liquidated, 0.0);
  EXPECT_NEAR(a.btc_sold, sold, 1e-9);
  EXPECT_NEAR(state.free_btc, kCollateral + mined_per_day() - sold, 1e-9);
  EXPECT_NEAR(state.cash_usd, 0.0, 1e-6);
  EXPECT_FALSE(state.defaulted);
  expect_balanced(state, 0);
}

// ---- Tenant default -----------------------------------------------------------------------------

constexpr double kPivotMw = 7;
constexpr double kCapexPerMw = 9e6, kTenantShare = 0.4, kLease = 1.8e6, kEscalator = 0.03, kNoi = 0.85;
constexpr int kTermYears = 10;

// The test firm with 7 MW converted by schedule on `decision_day` with `lead_months` of lead time.
FirmPlan conversion_plan(int decision_day, int lead_months) {
  Scenario s = base_scenario(200e6, 0);
  Conversion c{};
  c.capex_usd_per_mw = kCapexPerMw;
  c.tenant_funded_fraction = kTenantShare;
  c.lead_time_months = lead_months;
  c.lease_usd_per_mw_year = kLease;
  c.escalator_annual = kEscalator;
  c.term_years = kTermYears;
  c.noi_margin = kNoi;
  s.sites[0].conversion = c;
  Strategy& st = s.strategies[0];
  st.pivot_policy = PivotPolicy::kSchedule;
  st.pivot_site = "site";
  st.pivot_mw = kPivotMw;
  st.pivot_date = kStart + decision_day;
  return make_plan(s, 0);
}

// Lease NOI of one day in contract year `year` (1-based).
double lease_per_day(int year) { return lease_usd_per_mw_year(kLease, kEscalator, year) / 365.0 * kPivotMw * kNoi; }

// The lease pays exactly `after` days from its first day of revenue, then nothing; depreciation of
// the conversion capex, the capex itself, the converted MW and the mining displaced are those of the
// same firm whose tenant never defaults, day by day.
TEST(TenantDefault, the_lease_pays_for_exactly_n_days_and_depreciation_runs_on_unchanged) {
  constexpr int kDecision = 30, kLeadMonths = 12, kLeadDays = 365;
  constexpr int kAfter = 500;  // into contract year 2, to see the escalator before the default
  const FirmPlan plan = conversion_plan(kDecision, kLeadMonths);
  ASSERT_EQ(plan.sites[0].lead_time_days, kLeadDays);
  FirmState defaulting = make_state(plan);
  FirmState paying = make_state(plan);
  defaulting.sites[0].tenant_default_after_days = kAfter;
  const int revenue_day = kDecision + kLeadDays;
  const double capex_total = kPivotMw * kCapexPerMw * (1 - kTenantShare);
  const double depreciation = capex_total / (kTermYears * 365.0);
  DayAccounts a{}, b{};
  double revenue = 0;
  const DayMarket m = market();
  for (int day = 0; day < revenue_day + kAfter + 400; ++day) {
    step_day(plan, day, m, defaulting, a);
    step_day(plan, day, m, paying, b);
    revenue += a.hpc_revenue_usd;
    if (day < revenue_day + kAfter) {
      ASSERT_EQ(a.hpc_revenue_usd, b.hpc_revenue_usd) << "day " << day;
    } else {
      ASSERT_EQ(a.hpc_revenue_usd, 0.0) << "day " << day;
      ASSERT_GT(b.hpc_revenue_usd, 0.0) << "day " << day;
    }
    ASSERT_EQ(a.depreciation_usd, b.depreciation_usd) << "day " << day;
    ASSERT_EQ(a.capex_usd, b.capex_usd) << "day " << day;
    ASSERT_EQ(a.running_hashrate_th, b.running_hashrate_th) << "day " << day;
    ASSERT_EQ(defaulting.sites[0].conversion_book_usd, paying.sites[0].conversion_book_usd) << "day " << day;
    ASSERT_EQ(defaulting.sites[0].converted_mw, day >= kDecision ? kPivotMw : 0.0) << "day " << day;  // irreversible
    if (day >= revenue_day) {
      // Straight line over the term from the first day of revenue (fleet book is 0 here).
      ASSERT_NEAR(a.depreciation_usd, depreciation, 1e-9) << "day " << day;
    }
    expect_balanced(defaulting, day);
  }
  // Closed form: 365 days of contract year 1 and kAfter − 365 of year 2.
  const double expected = 365 * lease_per_day(1) + (kAfter - 365) * lease_per_day(2);
  EXPECT_NEAR(revenue, expected, 1e-9 * expected);
  // The capex was paid in full and is depreciating: book = capex − depreciation of the days since revenue.
  const int days_depreciated = revenue_day + kAfter + 400 - revenue_day;
  EXPECT_NEAR(defaulting.sites[0].conversion_book_usd, capex_total - days_depreciated * depreciation, 1e-3);
  EXPECT_FALSE(defaulting.defaulted);
}

// A tenant that defaults before its first payment (0 days) pays nothing; the conversion still costs
// its capex and depreciates it, and without lead time the first day is the decision day.
TEST(TenantDefault, a_tenant_defaulting_at_once_pays_nothing_and_the_capex_still_depreciates) {
  const FirmPlan plan = conversion_plan(0, 0);
  ASSERT_EQ(plan.sites[0].lead_time_days, 0);
  FirmState state = make_state(plan);
  state.sites[0].tenant_default_after_days = 0;
  const double capex_total = kPivotMw * kCapexPerMw * (1 - kTenantShare);
  const double depreciation = capex_total / (kTermYears * 365.0);
  DayAccounts a{};
  double capex = 0;
  for (int day = 0; day < 800; ++day) {
    step_day(plan, day, market(), state, a);
    capex += a.capex_usd;
    ASSERT_EQ(a.hpc_revenue_usd, 0.0) << "day " << day;
    ASSERT_NEAR(a.depreciation_usd, depreciation, 1e-9) << "day " << day;
    expect_balanced(state, day);
  }
  EXPECT_NEAR(capex, capex_total, 1e-6);
  EXPECT_NEAR(state.sites[0].conversion_book_usd, capex_total - 800 * depreciation, 1e-3);
}

// The default time counts days of revenue, not calendar days: with lead time, revenue runs on
// [revenue day, revenue day + n) and a never-defaulting tenant pays through the term.
TEST(TenantDefault, days_are_counted_from_the_first_day_of_revenue) {
  constexpr int kDecision = 10, kAfter = 100;
  const FirmPlan plan = conversion_plan(kDecision, 6);
  const int revenue_day = kDecision + plan.sites[0].lead_time_days;
  FirmState state = make_state(plan);
  state.sites[0].tenant_default_after_days = kAfter;
  std::vector<int> paid_days;
  DayAccounts a{};
  for (int day = 0; day < revenue_day + kAfter + 50; ++day) {
    step_day(plan, day, market(), state, a);
    if (a.hpc_revenue_usd > 0) {
      EXPECT_NEAR(a.hpc_revenue_usd, lease_per_day(1), 1e-9) << "day " << day;
      paid_days.push_back(day);
    }
  }
  ASSERT_EQ(paid_days.size(), static_cast<std::size_t>(kAfter));
  EXPECT_EQ(paid_days.front(), revenue_day);
  EXPECT_EQ(paid_days.back(), revenue_day + kAfter - 1);
  EXPECT_EQ(make_state(plan).sites[0].tenant_default_after_days, kTenantNeverDefaults);
}

}  // namespace
}  // namespace hashpivot::firm
