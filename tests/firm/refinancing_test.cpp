// Refinancing a maturing debt (firm/refinancing.hpp, day_steps::refinance_maturing): the trailing
// EBITDA against its closed form, and the daily step on a firm holding one BTC-backed loan, against
// hand schedules: rolled with collateral topped up to max_ltv and the fee paid; repaid when the
// free BTC cannot meet the LTV test or the coverage test fails; repaid at the rolled maturity once
// max_rolls is used.

#include <gtest/gtest.h>

#include <cmath>

#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/firm/refinancing.hpp"

namespace hashpivot::firm {
namespace {

// A constant EBITDA is its own average; a step from 0 to 1 reaches 1 − (1 − 1/91)^n after n days.
TEST(TrailingEbitda, matches_the_exponential_average_in_closed_form) {
  double constant = 0.0;
  for (int day = 0; day < 200; ++day) constant = trailing_ebitda_usd_per_day(constant, 5'000.0, day);
  EXPECT_DOUBLE_EQ(constant, 5'000.0);
  double step = trailing_ebitda_usd_per_day(0.0, 0.0, 0);
  for (int day = 1; day <= 30; ++day) step = trailing_ebitda_usd_per_day(step, 1.0, day);
  EXPECT_NEAR(step, 1.0 - std::pow(1.0 - 1.0 / kTrailingEbitdaDays, 30), 1e-14);
}

TEST(InterestCoverage, passes_at_the_ratio_and_fails_below_it) {
  // $10k a day is $3.65M a year: covers $1.825M of interest twice, not $1.9M.
  EXPECT_TRUE(passes_interest_coverage(10'000.0, kDaysPerYear, 1.825e6, 2.0));
  EXPECT_FALSE(passes_interest_coverage(10'000.0, kDaysPerYear, 1.9e6, 2.0));
  EXPECT_TRUE(passes_interest_coverage(-1.0, kDaysPerYear, 1.9e6, 0.0));  // no test
}

constexpr double kPrincipalUsd = 60e6;
constexpr int kMaturityDay = 2;

// A firm with cash, free BTC and one BTC-backed loan of $60M on 1,000 BTC due on day 2, rolled for
// 10 days at 9% with a 1% fee up to LTV 0.6; no sites, so EBITDA is 0 unless a test sets SG&A.
FirmPlan one_loan_plan(double free_btc, int max_rolls) {
  FirmPlan plan{};
  plan.horizon_days = 40;
  plan.opening_cash_usd = 100e6;
  plan.opening_free_btc = free_btc;
  plan.opening_price_usd_per_btc = 90'000.0;
  plan.pivot_site = kNoIndex;
  plan.pivot_day = -1;
  PlanDebt d{};
  d.kind = DebtKind::kBtcBacked;
  d.principal_usd = kPrincipalUsd;
  d.rate_annual = 0.08;
  d.maturity_day = kMaturityDay;
  d.collateral_btc = 1'000.0;
  d.ltv_target = 0.5;
  d.ltv_call = 0.7;
  d.ltv_liquidation = 0.85;
  d.refinance_max_rolls = max_rolls;
  d.refinance_tenor_days = 10;
  d.refinance_rate_annual = 0.09;
  d.refinance_max_ltv = 0.6;
  d.refinance_fee_fraction = 0.01;
  plan.debts.push_back(d);
  return plan;
}

DayMarket at_price(double price) { return DayMarket{price, 0.0, 0.0, {}, {}, 1.0}; }

TEST(Refinancing, rolls_a_loan_whose_ltv_test_passes_after_a_top_up_from_free_btc) {
  const FirmPlan plan = one_loan_plan(500.0, 1);
  FirmState state = make_state(plan);
  DayAccounts a{};
  for (int day = 0; day < 2; ++day) step_day(plan, day, at_price(90'000.0), state, a);
  // At $80k the pledge must be 60e6 / (0.6 × 80,000) = 1,250 BTC: 250 come from the free BTC.
  const double cash_before = state.cash_usd;
  step_day(plan, 2, at_price(80'000.0), state, a);
  const DebtState& debt = state.debts[0];
  EXPECT_EQ(debt.principal_usd, kPrincipalUsd);
  EXPECT_DOUBLE_EQ(debt.collateral_btc, 1'250.0);
  EXPECT_DOUBLE_EQ(state.free_btc, 250.0);
  EXPECT_EQ(debt.maturity_day, 12);
  EXPECT_EQ(debt.rate_annual, 0.09);
  EXPECT_EQ(state.refinancings, 1);
  // Today's interest is on the rolled terms, plus the 1% fee, both out of cash.
  const double fee = 0.01 * kPrincipalUsd;
  const double interest = kPrincipalUsd * 0.09 / kDaysPerYear;
  EXPECT_NEAR(a.interest_usd, fee + interest, 1e-6);
  EXPECT_NEAR(state.cash_usd, cash_before - fee - interest, 1e-6);
}

TEST(Refinancing, repays_in_cash_when_the_free_btc_cannot_meet_the_ltv_test) {
  const FirmPlan plan = one_loan_plan(200.0, 1);  // 250 BTC short at $80k
  FirmState state = make_state(plan);
  DayAccounts a{};
  for (int day = 0; day < 2; ++day) step_day(plan, day, at_price(90'000.0), state, a);
  const double cash_before = state.cash_usd;
  step_day(plan, 2, at_price(80'000.0), state, a);
  EXPECT_EQ(state.debts[0].principal_usd, 0.0);
  EXPECT_EQ(state.refinancings, 0);
  EXPECT_DOUBLE_EQ(state.free_btc, 1'200.0);  // the whole pledge released, nothing topped up
  EXPECT_NEAR(state.cash_usd, cash_before - kPrincipalUsd - kPrincipalUsd * 0.08 / kDaysPerYear, 1e-6);
}

TEST(Refinancing, repays_when_trailing_ebitda_does_not_cover_the_interest) {
  FirmPlan plan = one_loan_plan(500.0, 1);
  plan.debts[0].refinance_min_interest_coverage = 1.0;
  plan.sga_usd_per_day = 1'000.0;  // EBITDA −$1k a day: no coverage
  FirmState state = make_state(plan);
  DayAccounts a{};
  for (int day = 0; day <= 2; ++day) step_day(plan, day, at_price(90'000.0), state, a);
  EXPECT_EQ(state.debts[0].principal_usd, 0.0);
  EXPECT_EQ(state.refinancings, 0);
  EXPECT_DOUBLE_EQ(state.trailing_ebitda_usd_per_day, -1'000.0);
}

TEST(Refinancing, repays_at_the_rolled_maturity_once_the_rolls_are_used) {
  const FirmPlan plan = one_loan_plan(500.0, 1);
  FirmState state = make_state(plan);
  DayAccounts a{};
  for (int day = 0; day < 12; ++day) step_day(plan, day, at_price(90'000.0), state, a);
  EXPECT_EQ(state.debts[0].principal_usd, kPrincipalUsd);
  step_day(plan, 12, at_price(90'000.0), state, a);
  EXPECT_EQ(state.debts[0].principal_usd, 0.0);
  EXPECT_EQ(state.refinancings, 1);
}

TEST(Refinancing, a_debt_without_terms_is_repaid_at_maturity_as_before) {
  const FirmPlan plan = one_loan_plan(500.0, 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  for (int day = 0; day <= 2; ++day) step_day(plan, day, at_price(90'000.0), state, a);
  EXPECT_EQ(state.debts[0].principal_usd, 0.0);
  EXPECT_EQ(state.refinancings, 0);
}

}  // namespace
}  // namespace hashpivot::firm
