// [[strategies.hedges]] and [hedges] (docs/scenario.md): what the reader builds, the legs the plan
// flattens them into, that a zero-notional hedge leaves the daily step bit for bit as without it,
// and bad input named by file:line:key.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include "hashpivot/core/error.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "support/test_scenario.hpp"

namespace hashpivot::testing {
namespace {

// A one-year S21 miner (2026-02-01 to 2027-02-01) with 100 BTC and $10M, a "hold" strategy and a
// "hedged" one with `hedge_lines` inside it; `extra` goes at the end (e.g. a [hedges] table).
std::string hedged_scenario(const std::string& hedge_lines, const std::string& extra = "") {
  return s21_miner_toml(scenario_toml("hedges", 1, 100, 7), 50) + treasury_toml(100, 1e7, 0) + strategy_toml("hold") +
         strategy_toml("hedged", hedge_lines) + extra;
}

TEST(ScenarioHedges, reads_puts_collars_and_covered_calls_with_their_strikes) {
  const firm::Scenario s = read_test_scenario(
      "hedges_read.toml",
      hedged_scenario("[[strategies.hedges]]\nkind = \"put\"\ntenor_days = 180\nnotional_btc = 50\n"
                      "strike_fraction = 0.8\n"
                      "[[strategies.hedges]]\nkind = \"collar\"\ndate = 2026-03-01\ntenor_days = 90\nnotional_btc = 20\n"
                      "strike_usd_per_btc = 60000\ncall_strike_fraction = 1.5\n"
                      "[[strategies.hedges]]\nkind = \"covered_call\"\ntenor_days = 30\nnotional_btc = 10\n"
                      "call_strike_usd_per_btc = 100000\n",
                      "[hedges]\nimplied_volatility_annual = 0.5\nrisk_free_rate_annual = 0.035\n"));
  ASSERT_EQ(s.strategies[1].hedges.size(), 3u);
  const firm::Hedge& put = s.strategies[1].hedges[0];
  EXPECT_EQ(put.kind, firm::HedgeKind::kPut);
  EXPECT_EQ(put.date, s.run.start_date);
  EXPECT_DOUBLE_EQ(put.put_strike_usd_per_btc, 0.8 * 78702.39);
  EXPECT_DOUBLE_EQ(s.strategies[1].hedges[1].call_strike_usd_per_btc, 1.5 * 78702.39);
  EXPECT_DOUBLE_EQ(s.hedge_market.implied_volatility_annual, 0.5);
  EXPECT_DOUBLE_EQ(s.hedge_market.risk_free_rate_annual, 0.035);

  const firm::FirmPlan plan = firm::make_plan(s, 1);
  ASSERT_EQ(plan.hedge_leg_count, 4u);  // put; collar = put bought + call sold; covered call = call sold
  EXPECT_EQ(plan.hedge_legs[1].buy_day, 28);  // 2026-03-01
  EXPECT_EQ(plan.hedge_legs[1].expiry_day, 28 + 90);
  EXPECT_FALSE(plan.hedge_legs[1].call);
  EXPECT_TRUE(plan.hedge_legs[2].call);
  EXPECT_EQ(plan.hedge_legs[2].position, -1.0);
  EXPECT_EQ(plan.hedge_legs[3].position, -1.0);
  EXPECT_DOUBLE_EQ(plan.hedge_legs[3].maturity_years, 30.0 / 365.0);
  EXPECT_EQ(firm::make_plan(s, 0).hedge_leg_count, 0u);
}

TEST(ScenarioHedges, the_defaults_are_the_stated_assumptions) {
  const firm::Scenario s = read_test_scenario("hedges_defaults.toml", hedged_scenario(""));
  EXPECT_DOUBLE_EQ(s.hedge_market.implied_volatility_annual, 0.45);
  EXPECT_DOUBLE_EQ(s.hedge_market.risk_free_rate_annual, 0.04);
}

// Every field of the day's accounts and the state, bit for bit, over a year of a price path that
// falls and recovers, for the strategy without hedges and the one with a zero-notional put.
TEST(ScenarioHedges, a_zero_notional_hedge_runs_bit_for_bit_as_none) {
  const firm::Scenario s = read_test_scenario(
      "hedges_zero.toml",
      hedged_scenario("[[strategies.hedges]]\ntenor_days = 180\nnotional_btc = 0\nstrike_fraction = 0.9\n"));
  const firm::FirmPlan without = firm::make_plan(s, 0);
  const firm::FirmPlan with = firm::make_plan(s, 1);
  EXPECT_EQ(with.hedge_leg_count, 0u);
  firm::FirmState a_state = firm::make_state(without);
  firm::FirmState b_state = firm::make_state(with);
  firm::DayAccounts a{};
  firm::DayAccounts b{};
  for (int day = 0; day < without.horizon_days; ++day) {
    const double price = 78702.39 * (1.0 - 0.4 * std::sin(day / 60.0));
    const firm::DayMarket market{price, 5e-7, 5e-7 * price, {}, {}, 1.0};
    firm::step_day(without, day, market, a_state, a);
    firm::step_day(with, day, market, b_state, b);
    for (const firm::DayAccountsField& field : firm::kDayAccountsFields)
      ASSERT_EQ(std::memcmp(&(a.*field.member), &(b.*field.member), sizeof(double)), 0) << field.name << " day " << day;
    ASSERT_EQ(a.defaulted_today, b.defaulted_today);
    ASSERT_TRUE(a_state.cash_usd == b_state.cash_usd && a_state.free_btc == b_state.free_btc) << "day " << day;
  }
}

// Reads `text` and returns the error as "key: problem", checking it names the file and the line of
// `expected_at`.
std::string hedge_error(const std::string& text, const std::string& expected_at) {
  const std::filesystem::path path = write_temp_file("hedges_bad.toml", text);
  try {
    (void)io::read_scenario(path.string());
  } catch (const InputError& e) {
    std::filesystem::remove(path);
    EXPECT_EQ(e.source(), path.string());
    const auto at = text.find(expected_at);
    EXPECT_NE(at, std::string::npos);
    EXPECT_EQ(e.line(), static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1)
        << e.what();
    return e.field() + ": " + e.problem();
  }
  std::filesystem::remove(path);
  return "no error";
}

TEST(ScenarioHedges, bad_input_names_file_line_and_key) {
  const std::string put = "[[strategies.hedges]]\ntenor_days = 180\nnotional_btc = 10\n";
  EXPECT_NE(hedge_error(hedged_scenario(put + "strike_usd_per_btc = 0\n"), "strike_usd_per_btc")
                .find("strategies[2].hedges[1].strike_usd_per_btc: "),
            std::string::npos);
  EXPECT_NE(hedge_error(hedged_scenario("[[strategies.hedges]]\ntenor_days = 400\nnotional_btc = 10\nstrike_fraction = 0.8\n"),
                        "tenor_days = 400")
                .find("past the horizon"),
            std::string::npos);
  EXPECT_NE(hedge_error(hedged_scenario("[[strategies.hedges]]\ntenor_days = 30\nnotional_btc = -1\nstrike_fraction = 0.8\n"),
                        "notional_btc = -1")
                .find("strategies[2].hedges[1].notional_btc: "),
            std::string::npos);
  EXPECT_NE(hedge_error(hedged_scenario(put + "strike_fraction = 0.8\nstrike_usd_per_btc = 60000\n"), "strike_fraction")
                .find("give the strike once"),
            std::string::npos);
  EXPECT_NE(hedge_error(hedged_scenario("[[strategies.hedges]]\nkind = \"collar\"\ntenor_days = 30\nnotional_btc = 1\n"
                                        "strike_fraction = 0.8\ncall_strike_fraction = 0.7\n"),
                        "[[strategies.hedges]]")
                .find("above its put strike"),
            std::string::npos);
  EXPECT_NE(hedge_error(hedged_scenario("", "[hedges]\nimplied_volatility_annual = 0\n"), "implied_volatility_annual")
                .find("hedges.implied_volatility_annual: "),
            std::string::npos);
}

}  // namespace
}  // namespace hashpivot::testing
