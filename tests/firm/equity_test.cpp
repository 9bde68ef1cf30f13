// Shares, the share price, ATM equity and convertibles into shares (firm/equity.hpp and the steps of
// step_day that use it), each against a hand computation on a firm of cash (and BTC) only.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/equity.hpp"
#include "hashpivot/firm/plan.hpp"

namespace hashpivot::firm {
namespace {

constexpr double kBtcPrice = 100'000.0;

// A firm with nothing but `cash` and `btc` free BTC, `shares` shares and NAV multiple `multiple`.
FirmPlan equity_plan(double cash, double btc, double shares, double multiple) {
  FirmPlan plan{};
  plan.horizon_days = 30;
  plan.opening_cash_usd = cash;
  plan.opening_free_btc = btc;
  plan.opening_price_usd_per_btc = kBtcPrice;
  plan.pivot_site = kNoIndex;
  plan.pivot_day = -1;
  plan.shares_outstanding = shares;
  plan.nav_multiple = multiple;
  return plan;
}

// An ATM of `size` gross, raising `raise` from day 0, capped at `max_shares_per_day`.
void add_atm(FirmPlan& plan, double size, double raise, double max_shares_per_day, double discount, double fee) {
  plan.has_atm = true;
  plan.atm_size_usd = size;
  plan.atm_raise_usd = raise;
  plan.atm_max_shares_per_day = max_shares_per_day;
  plan.atm_discount = discount;
  plan.atm_fee = fee;
  plan.atm_remedy = AtmRemedy::kAfterBtc;
}

DayMarket market_at(double price) { return DayMarket{price, 0.0, 0.0, {}, {}, 1.0}; }

TEST(SharePrice, is_the_multiple_times_nav_over_the_shares) {
  // NAV = 100M cash + 1,000 BTC × 100k = 200M; × 1.5 / 10M shares = $30.
  const FirmPlan plan = equity_plan(100e6, 1000, 10e6, 1.5);
  FirmState state = make_state(plan);
  DayAccounts a{};
  step_day(plan, 0, market_at(kBtcPrice), state, a);
  EXPECT_DOUBLE_EQ(state.share_price_usd, 30.0);
  // The next day at 80k: NAV 180M → $27.
  step_day(plan, 1, market_at(80'000.0), state, a);
  EXPECT_DOUBLE_EQ(state.share_price_usd, 27.0);
}

TEST(SharePrice, is_floored_at_zero_and_its_multiple_has_mean_level) {
  EXPECT_EQ(share_price_usd(2.0, -5e6, 1e6), 0.0);
  EXPECT_EQ(nav_multiple_on_path(1.3, 0.0, 2.5), 1.3);
  EXPECT_DOUBLE_EQ(nav_multiple_on_path(1.0, 0.5, 0.0), std::exp(-0.125));
  // E[level × exp(σZ − σ²/2)] = level: a fine midpoint rule over the normal density.
  double mean = 0.0;
  const double dz = 1e-3;
  for (double z = -10.0; z < 10.0; z += dz)
    mean += nav_multiple_on_path(2.0, 0.7, z + dz / 2) * std::exp(-(z + dz / 2) * (z + dz / 2) / 2) * dz;
  EXPECT_NEAR(mean / std::sqrt(2 * std::numbers::pi), 2.0, 1e-9);
}

// Cash 100M, 10M shares at multiple 1: $10 on day 0. The ATM sells at most 100,000 shares a day at a
// 5% discount ($9.50) with a 3% fee, until 2.5M gross is raised.
TEST(Atm, proceeds_and_dilution_follow_the_hand_schedule_with_the_cap_binding) {
  FirmPlan plan = equity_plan(100e6, 0, 10e6, 1.0);
  add_atm(plan, 10e6, 2.5e6, 100'000, 0.05, 0.03);
  FirmState state = make_state(plan);
  DayAccounts a{};
  double cash = 100e6;
  double shares = 10e6;
  double gross_sold = 0.0;
  for (int day = 0; day < 5; ++day) {
    const double price = cash / shares;  // NAV = cash (the firm has nothing else)
    const double sale_price = price * 0.95;
    const double gross = std::min(100'000 * sale_price, 2.5e6 - gross_sold);  // the cap binds on days 0 and 1
    step_day(plan, day, market_at(kBtcPrice), state, a);
    EXPECT_DOUBLE_EQ(state.share_price_usd, price) << day;
    EXPECT_NEAR(a.shares_issued, gross / sale_price, 1e-6) << day;
    EXPECT_NEAR(a.equity_issue_fees_usd, 0.03 * gross, 1e-6) << day;
    EXPECT_NEAR(a.equity_issued_usd, 0.97 * gross, 1e-6) << day;
    EXPECT_NEAR(a.financing_cash_flow_usd, 0.97 * gross, 1e-6) << day;
    cash += 0.97 * gross;
    shares += gross / sale_price;
    gross_sold += gross;
    EXPECT_NEAR(state.cash_usd, cash, 1e-6) << day;
    EXPECT_NEAR(state.shares_outstanding, shares, 1e-6) << day;
  }
  EXPECT_NEAR(gross_sold, 2.5e6, 1e-6);
  EXPECT_NEAR(state.paid_in_capital_usd, 0.97 * 2.5e6, 1e-6);
  const BalanceSheet bs = balance_sheet(state);
  EXPECT_NEAR(bs.assets_usd - bs.liabilities_usd, bs.equity_usd, 1e-6);
}

TEST(Atm, sells_nothing_below_the_floor_price_or_the_minimum_market_cap) {
  for (const bool by_floor : {true, false}) {
    FirmPlan plan = equity_plan(100e6, 0, 10e6, 1.0);  // $10 a share, $100M market cap
    add_atm(plan, 10e6, 2.5e6, 100'000, 0.0, 0.03);
    if (by_floor) plan.atm_floor_usd_per_share = 10.01;
    else plan.atm_min_market_cap_usd = 100.01e6;
    FirmState state = make_state(plan);
    DayAccounts a{};
    step_day(plan, 0, market_at(kBtcPrice), state, a);
    EXPECT_EQ(a.shares_issued, 0.0) << by_floor;
    EXPECT_EQ(state.cash_usd, 100e6) << by_floor;
  }
}

// SG&A of $1M a day against $0.5M cash: without an ATM the firm defaults on day 0; an ATM remedy
// sells the shares that net the shortfall.
FirmPlan short_of_cash_plan(double btc) {
  FirmPlan plan = equity_plan(0.5e6, btc, 1e6, 1.0);
  plan.sga_usd_per_day = 1e6;
  return plan;
}

TEST(Atm, as_a_remedy_nets_the_shortfall_and_saves_the_firm) {
  FirmPlan plan = short_of_cash_plan(0);
  FirmState none = make_state(plan);
  DayAccounts a{};
  step_day(plan, 0, market_at(kBtcPrice), none, a);
  EXPECT_TRUE(none.defaulted);

  add_atm(plan, 10e6, 0.0, 10e6, 0.0, 0.03);
  FirmState state = make_state(plan);
  step_day(plan, 0, market_at(kBtcPrice), state, a);
  EXPECT_FALSE(state.defaulted);
  EXPECT_NEAR(state.cash_usd, 0.0, 1e-6);
  EXPECT_NEAR(a.equity_issued_usd, 0.5e6, 1e-6);
  EXPECT_NEAR(a.shares_issued, 0.5e6 / 0.97 / 0.5, 1e-6);  // at $0.50 a share (NAV 0.5M / 1M shares)
}

TEST(Atm, remedy_before_btc_keeps_the_btc_and_after_btc_sells_it_first) {
  for (const AtmRemedy remedy : {AtmRemedy::kBeforeBtc, AtmRemedy::kAfterBtc}) {
    FirmPlan plan = short_of_cash_plan(100);
    add_atm(plan, 10e6, 0.0, 10e6, 0.0, 0.03);
    plan.atm_remedy = remedy;
    FirmState state = make_state(plan);
    DayAccounts a{};
    step_day(plan, 0, market_at(kBtcPrice), state, a);
    EXPECT_FALSE(state.defaulted);
    if (remedy == AtmRemedy::kBeforeBtc) {
      EXPECT_EQ(a.btc_sold, 0.0);
      EXPECT_NEAR(a.equity_issued_usd, 0.5e6, 1e-6);
    } else {
      EXPECT_NEAR(a.btc_sold, 5.0, 1e-9);  // 0.5M at 100k
      EXPECT_EQ(a.shares_issued, 0.0);
    }
  }
}

// A cap of 0 shares a day sells nothing: every state and account as without the programme.
TEST(Atm, a_zero_cap_programme_is_the_run_without_it_bit_for_bit) {
  const FirmPlan without = short_of_cash_plan(3);
  FirmPlan with = without;
  add_atm(with, 10e6, 5e6, 0.0, 0.05, 0.03);
  FirmState s0 = make_state(without);
  FirmState s1 = make_state(with);
  DayAccounts a0{};
  DayAccounts a1{};
  for (int day = 0; day < 3; ++day) {
    step_day(without, day, market_at(kBtcPrice - 1000.0 * day), s0, a0);
    step_day(with, day, market_at(kBtcPrice - 1000.0 * day), s1, a1);
    for (const DayAccountsField& f : kDayAccountsFields)
      EXPECT_EQ(std::bit_cast<std::uint64_t>(a0.*(f.member)), std::bit_cast<std::uint64_t>(a1.*(f.member)))
          << f.name << " day " << day;
    EXPECT_EQ(s0.cash_usd, s1.cash_usd);
    EXPECT_EQ(s0.free_btc, s1.free_btc);
    EXPECT_EQ(s0.defaulted, s1.defaulted);
    EXPECT_EQ(s0.shares_outstanding, s1.shares_outstanding);
  }
  EXPECT_TRUE(s1.defaulted);  // the test's firm does run short
}

// A $20M convertible at $12 a share, maturing on day 1, against 10M shares and $100M cash:
// NAV = 80M. At multiple 1.5 the share is $12 (>= 12): it converts into 20M / 12 shares; at 1.4
// it is $11.20 and the note is repaid in cash.
TEST(Convertible, converts_into_shares_on_the_share_price_rule) {
  for (const double multiple : {1.5, 1.4}) {
    FirmPlan plan = equity_plan(100e6, 0, 10e6, multiple);
    PlanDebt note{};
    note.kind = DebtKind::kConvertible;
    note.principal_usd = 20e6;
    note.maturity_day = 1;
    note.conversion_price_usd_per_share = 12.0;
    plan.debts.push_back(note);
    FirmState state = make_state(plan);
    DayAccounts a{};
    step_day(plan, 0, market_at(kBtcPrice), state, a);
    step_day(plan, 1, market_at(kBtcPrice), state, a);
    EXPECT_DOUBLE_EQ(state.share_price_usd, multiple * 80e6 / 10e6);
    EXPECT_EQ(state.debts[0].principal_usd, 0.0);
    if (multiple == 1.5) {
      EXPECT_DOUBLE_EQ(a.shares_issued, 20e6 / 12.0);
      EXPECT_DOUBLE_EQ(state.shares_outstanding, 10e6 + 20e6 / 12.0);
      EXPECT_EQ(a.debt_converted_to_equity_usd, 20e6);
      EXPECT_EQ(state.cash_usd, 100e6);
    } else {
      EXPECT_EQ(a.shares_issued, 0.0);
      EXPECT_EQ(state.shares_outstanding, 10e6);
      EXPECT_EQ(a.debt_repaid_usd, 20e6);
      EXPECT_EQ(state.cash_usd, 80e6);
    }
  }
}

}  // namespace
}  // namespace hashpivot::firm
