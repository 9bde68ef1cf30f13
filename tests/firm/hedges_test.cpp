// BTC option hedges (firm/options_pricing.hpp, PlanHedgeLeg, day_steps::settle_hedges): premiums
// against a published Black–Scholes example and put-call parity, and on GBM paths of the engine's
// own price process (market::GbmPrice on the Philox draws) with drift at the risk-free rate, the
// mean discounted payoff the daily step pays equals the premium it charged, within 3 standard errors.
// Hashprice forwards and power swaps (PlanSwapLeg, day_steps::settle_swaps): settlements and margin
// against a schedule computed by hand.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/day_steps.hpp"
#include "hashpivot/firm/options_pricing.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/market/btc_price.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::firm {
namespace {

// Hull, Options, Futures, and Other Derivatives (8th ed., Example 14.6): S = 42, K = 40, r = 10%,
// σ = 20%, T = 0.5: c = 4.76, p = 0.81, printed to the cent.
TEST(OptionsPricing, matches_hulls_published_example) {
  const OptionTerms terms{42.0, 40.0, 0.10, 0.20, 0.5};
  EXPECT_NEAR(black_scholes_call_usd(terms), 4.76, 0.005);
  EXPECT_NEAR(black_scholes_put_usd(terms), 0.81, 0.005);
}

// C − P = S − K e^{−rT} for any strike, rate, volatility and maturity (no dividends).
TEST(OptionsPricing, satisfies_put_call_parity) {
  for (const double strike : {40'000.0, 70'000.0, 90'000.0, 150'000.0})
    for (const double volatility : {0.2, 0.45, 0.9})
      for (const double maturity : {30.0 / kDaysPerYear, 1.0, 3.0}) {
        const OptionTerms terms{90'000.0, strike, 0.04, volatility, maturity};
        const double parity = terms.spot_usd_per_btc - strike * std::exp(-terms.rate_annual * maturity);
        EXPECT_NEAR(black_scholes_call_usd(terms) - black_scholes_put_usd(terms), parity, 1e-9 * terms.spot_usd_per_btc)
            << strike << " " << volatility << " " << maturity;
      }
}

// A firm with nothing but cash and the given option legs: every day's cash flow is a hedge's.
FirmPlan hedge_only_plan(int horizon_days, double volatility, double rate) {
  FirmPlan plan{};
  plan.horizon_days = horizon_days;
  plan.opening_cash_usd = 1e9;
  plan.opening_price_usd_per_btc = 90'000.0;
  plan.pivot_site = kNoIndex;
  plan.pivot_day = -1;
  plan.hedge_volatility_annual = volatility;
  plan.hedge_rate_annual = rate;
  return plan;
}

struct PathHedgeStatistics {
  double premium_usd;           // what the step charged on day 0 (the same on every path)
  double mean_discounted_payoff_usd;
  double standard_error_usd;
};

// Runs `paths` GBM paths (μ = r, σ = the implied volatility, from `spot`) through step_day for days
// 0 … the last leg's expiry and collects the day-0 premium and the discounted expiry payoffs.
PathHedgeStatistics run_paths(const FirmPlan& plan, double spot, int expiry_day, std::uint32_t paths) {
  const market::GbmPrice gbm{plan.hedge_rate_annual, plan.hedge_volatility_annual};
  const random::CounterRng rng(20261203);
  const double discount = std::exp(-plan.hedge_rate_annual * static_cast<double>(expiry_day) / kDaysPerYear);
  double premium = 0.0;
  double sum = 0.0;
  double sum_squares = 0.0;
  DayAccounts a{};
  for (std::uint32_t path = 0; path < paths; ++path) {
    FirmState state = make_state(plan);
    double price = spot;
    for (int day = 0; day <= expiry_day; ++day) {
      if (day > 0) price = gbm.step(price, market::draw_btc_price(rng, path, static_cast<std::uint32_t>(day)).z);
      step_day(plan, day, DayMarket{price, 0.0, 0.0, {}, {}, 1.0}, state, a);
      if (day == 0) premium = -a.hedge_cash_flow_usd;
      if (day == expiry_day) {
        const double discounted = discount * a.hedge_cash_flow_usd;
        sum += discounted;
        sum_squares += discounted * discounted;
      }
    }
  }
  const double n = static_cast<double>(paths);
  const double mean = sum / n;
  return {premium, mean, std::sqrt((sum_squares / n - mean * mean) / (n - 1.0))};
}

TEST(Hedges, a_puts_premium_is_its_mean_discounted_payoff_on_gbm_paths) {
  const double spot = 90'000.0;
  const int tenor = 182;
  FirmPlan plan = hedge_only_plan(400, 0.45, 0.04);
  plan.hedge_legs[0] = {false, 1.0, 0.8 * spot, 10.0, 0, tenor, tenor / kDaysPerYear};
  plan.hedge_leg_count = 1;
  const PathHedgeStatistics s = run_paths(plan, spot, tenor, 20'000);
  const double closed_form = 10.0 * black_scholes_put_usd({spot, 0.8 * spot, 0.04, 0.45, tenor / kDaysPerYear});
  EXPECT_NEAR(s.premium_usd, closed_form, 1e-12 * closed_form);
  EXPECT_GT(s.premium_usd, 0.0);
  EXPECT_NEAR(s.mean_discounted_payoff_usd, s.premium_usd, 3.0 * s.standard_error_usd)
      << "premium " << s.premium_usd << " SE " << s.standard_error_usd;
}

// A collar (put bought at 80%, call sold at 130%): the net premium is put − call, and the sold call's
// payoff leaves cash at expiry, so the net discounted payoff's mean is that net premium.
TEST(Hedges, a_collars_net_premium_is_its_mean_discounted_net_payoff) {
  const double spot = 90'000.0;
  const int tenor = 365;
  FirmPlan plan = hedge_only_plan(400, 0.45, 0.04);
  plan.hedge_legs[0] = {false, 1.0, 0.8 * spot, 5.0, 0, tenor, tenor / kDaysPerYear};
  plan.hedge_legs[1] = {true, -1.0, 1.3 * spot, 5.0, 0, tenor, tenor / kDaysPerYear};
  plan.hedge_leg_count = 2;
  const PathHedgeStatistics s = run_paths(plan, spot, tenor, 20'000);
  const double put = black_scholes_put_usd({spot, 0.8 * spot, 0.04, 0.45, 1.0});
  const double call = black_scholes_call_usd({spot, 1.3 * spot, 0.04, 0.45, 1.0});
  EXPECT_NEAR(s.premium_usd, 5.0 * (put - call), 1e-9 * spot);
  EXPECT_NEAR(s.mean_discounted_payoff_usd, s.premium_usd, 3.0 * s.standard_error_usd)
      << "premium " << s.premium_usd << " SE " << s.standard_error_usd;
}

// The accounts: the premium leaves cash on the trade day as an investing flow and a realized loss
// before tax; at expiry an in-the-money put's payoff, K − S per BTC, comes back the same way.
TEST(Hedges, premium_and_payoff_go_through_cash_income_and_investing) {
  FirmPlan plan = hedge_only_plan(30, 0.45, 0.04);
  plan.hedge_legs[0] = {false, 1.0, 80'000.0, 2.0, 1, 11, 10.0 / kDaysPerYear};
  plan.hedge_leg_count = 1;
  FirmState state = make_state(plan);
  DayAccounts a{};
  step_day(plan, 0, DayMarket{90'000.0, 0.0, 0.0, {}, {}, 1.0}, state, a);
  EXPECT_EQ(a.hedge_cash_flow_usd, 0.0);
  step_day(plan, 1, DayMarket{90'000.0, 0.0, 0.0, {}, {}, 1.0}, state, a);
  const double premium = 2.0 * black_scholes_put_usd({90'000.0, 80'000.0, 0.04, 0.45, 10.0 / kDaysPerYear});
  // The same formula inlined into the step may round its last bits differently (contraction).
  const double tolerance = 1e-12 * premium;
  EXPECT_NEAR(a.hedge_cash_flow_usd, -premium, tolerance);
  EXPECT_EQ(a.investing_cash_flow_usd, a.hedge_cash_flow_usd);
  EXPECT_EQ(a.pretax_income_usd, a.hedge_cash_flow_usd);
  EXPECT_EQ(state.cash_usd, 1e9 + a.hedge_cash_flow_usd);
  const double cash_after_premium = state.cash_usd;
  step_day(plan, 11, DayMarket{70'000.0, 0.0, 0.0, {}, {}, 1.0}, state, a);
  EXPECT_DOUBLE_EQ(a.hedge_cash_flow_usd, 2.0 * 10'000.0);
  EXPECT_DOUBLE_EQ(state.cash_usd, cash_after_premium + 20'000.0);
}


// A forward sold on 10 PH/s at $40/PH/day over two months (days 0–30 and 31–58) with 35% initial
// margin, on a hand-made index: 45 on days 0–9, 30 on days 10–30, 50 in the second month.
// By hand: initial margin 0.35 × 40 × 10 × (31 + 28) = 8,260, posted on day 0 and returned on day
// 58 with the last settlement. Month 1 accrues (40 − 45) × 10 = −50 a day to −500 on day 9, then
// +100 a day: variation margin is that loss (500 on day 9, 400 on day 10, 0 from day 14) and the
// month settles +1,600 on day 30 (−500 + 21 × 100). Month 2 accrues −100 a day: 2,700 of variation
// margin on day 57, and settles −2,800 on day 58, when all margin comes back.
TEST(HashpriceForward, settlement_and_margin_follow_the_hand_schedule) {
  FirmPlan plan = hedge_only_plan(70, 0.45, 0.04);
  const double im1 = 0.35 * 40.0 * 10.0 * 31.0;
  const double im2 = 0.35 * 40.0 * 10.0 * 28.0;
  plan.swap_legs[0] = {false, kNoIndex, 10.0, 40.0, 0, 31, im1, 0, 58};
  plan.swap_legs[1] = {false, kNoIndex, 10.0, 40.0, 31, 59, im2, 0, 58};
  plan.swap_leg_count = 2;
  const auto index = [](int day) { return day < 10 ? 45.0 : day < 31 ? 30.0 : 50.0; };
  const auto expected_margin = [&](int day) {
    if (day >= 58) return 0.0;
    double vm = 0.0;
    if (day <= 9) vm = 50.0 * (day + 1);
    else if (day < 30) vm = std::max(0.0, 500.0 - 100.0 * (day - 9));
    else if (day >= 31) vm = 100.0 * (day - 30);
    return 8'260.0 + vm;
  };
  FirmState state = make_state(plan);
  DayAccounts a{};
  double margin_before = 0.0;
  double settled = 0.0;
  double peak = 0.0;
  for (int day = 0; day < 70; ++day) {
    step_day(plan, day, DayMarket{90'000.0, 0.0, index(day), {}, {}, 1.0}, state, a);
    const double expected_settlement = day == 30 ? 1'600.0 : day == 58 ? -2'800.0 : 0.0;
    EXPECT_NEAR(a.hedge_cash_flow_usd, expected_settlement, 1e-9) << "day " << day;
    EXPECT_NEAR(state.margin_posted_usd, expected_margin(day), 1e-9) << "day " << day;
    EXPECT_NEAR(a.margin_cash_flow_usd, margin_before - expected_margin(day), 1e-9) << "day " << day;
    // Margin is cash moved aside, not income: only the settlement reaches pre-tax income.
    EXPECT_EQ(a.pretax_income_usd, a.hedge_cash_flow_usd) << "day " << day;
    EXPECT_EQ(a.investing_cash_flow_usd, a.hedge_cash_flow_usd + a.margin_cash_flow_usd) << "day " << day;
    // The balance sheet counts margin posted as an asset beside cash.
    const BalanceSheet bs = balance_sheet(state);
    EXPECT_NEAR(bs.assets_usd, state.cash_usd + state.margin_posted_usd, 1e-6);
    EXPECT_NEAR(bs.assets_usd - bs.liabilities_usd, bs.equity_usd, 1e-6) << "day " << day;
    margin_before = expected_margin(day);
    settled += expected_settlement;
    peak = std::max(peak, state.margin_posted_usd);
    EXPECT_NEAR(state.cash_usd + state.margin_posted_usd, 1e9 + settled, 1e-6) << "day " << day;
  }
  EXPECT_EQ(im1 + im2, 8'260.0);
  EXPECT_NEAR(peak, 8'260.0 + 2'700.0, 1e-9);
  EXPECT_NEAR(state.cash_usd, 1e9 + 1'600.0 - 2'800.0, 1e-6);
}

// A power swap at an index site, 5 MW at a fixed $50/MWh, settles each day (index − 50) × 5 × 24:
// +$1,440 at an index of $62, −$1,200 at $40; nothing outside its days, and no margin.
TEST(PowerSwap, settles_index_less_fixed_times_mw_times_24_hours_each_day) {
  FirmPlan plan = hedge_only_plan(30, 0.45, 0.04);
  plan.sites.push_back(PlanSite{});
  plan.sites[0].index_power = true;
  plan.swap_legs[0] = {true, 0, 5.0, 50.0, 2, 10, 0.0, 0, 0};
  plan.swap_leg_count = 1;
  FirmState state = make_state(plan);
  DayAccounts a{};
  const auto settle = [&](int day, double index_usd_per_mwh) {
    const std::array<double, 1> power{index_usd_per_mwh};
    a = DayAccounts{};
    const double cash_before = state.cash_usd;
    day_steps::settle_swaps(plan, day, DayMarket{90'000.0, 0.0, 40.0, power, {}, 1.0}, state, a);
    EXPECT_EQ(state.cash_usd - cash_before, a.hedge_cash_flow_usd);
    EXPECT_EQ(a.margin_cash_flow_usd, 0.0);
    return a.hedge_cash_flow_usd;
  };
  EXPECT_EQ(settle(1, 62.0), 0.0);
  EXPECT_DOUBLE_EQ(settle(2, 62.0), 12.0 * 5.0 * 24.0);
  EXPECT_DOUBLE_EQ(settle(9, 40.0), -10.0 * 5.0 * 24.0);
  EXPECT_EQ(settle(10, 62.0), 0.0);
  EXPECT_EQ(state.margin_posted_usd, 0.0);
}

}  // namespace
}  // namespace hashpivot::firm
