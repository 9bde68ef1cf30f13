// [[strategies.hedges]] and [hedges] (docs/scenario.md): what the reader builds, the legs the plan
// flattens them into (options; forwards month by month; power swaps), that a zero-size hedge of any
// kind leaves the daily step bit for bit as without it, and bad input named by file:line:key.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include "hashpivot/core/date.hpp"
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


// An index site beside the S21 miner's fixed-price "site", for power swaps.
const std::string kIndexSite = "[[sites]]\nname = \"texas\"\ncapacity_mw = 30\npower_price_usd_per_mwh = 40\n"
                               "power_contract = \"index\"\n";

TEST(ScenarioHedges, reads_forwards_month_by_month_and_power_swaps) {
  const firm::Scenario s = read_test_scenario(
      "hedges_forwards.toml",
      hedged_scenario("[[strategies.hedges]]\nkind = \"hashprice_forward\"\ndate = 2026-02-15\ntenor_months = 2\n"
                      "notional_ph_s = 100\nfixed_usd_per_ph_day = 40\n"
                      "[[strategies.hedges]]\nkind = \"power_swap\"\nsite = \"texas\"\ntenor_months = 3\n"
                      "power_mw = 20\nfixed_usd_per_mwh = 45\n",
                      "[hedges]\nforward_initial_margin_fraction = 0.3\n" + kIndexSite));
  EXPECT_DOUBLE_EQ(s.hedge_market.forward_initial_margin_fraction, 0.3);
  const firm::Hedge& forward = s.strategies[1].hedges[0];
  EXPECT_EQ(forward.kind, firm::HedgeKind::kHashpriceForward);
  EXPECT_EQ(firm::tenor_end(forward), *parse_date("2026-04-01"));
  const firm::FirmPlan plan = firm::make_plan(s, 1);
  ASSERT_EQ(plan.swap_leg_count, 3u);  // the forward's February (from the 15th) and March; the swap
  EXPECT_EQ(plan.hedge_leg_count, 0u);
  const firm::PlanSwapLeg& february = plan.swap_legs[0];
  const firm::PlanSwapLeg& march = plan.swap_legs[1];
  EXPECT_FALSE(february.power);
  EXPECT_EQ(february.start_day, 14);  // 2026-02-15
  EXPECT_EQ(february.end_day, 28);    // 2026-03-01
  EXPECT_EQ(march.start_day, 28);
  EXPECT_EQ(march.end_day, 59);       // 2026-04-01
  EXPECT_DOUBLE_EQ(february.quantity, 100.0);
  EXPECT_DOUBLE_EQ(february.fixed_price, 40.0);
  EXPECT_DOUBLE_EQ(february.initial_margin_usd, 0.3 * 40.0 * 100.0 * 14.0);
  EXPECT_DOUBLE_EQ(march.initial_margin_usd, 0.3 * 40.0 * 100.0 * 31.0);
  for (const firm::PlanSwapLeg* leg : {&february, &march}) {
    EXPECT_EQ(leg->margin_from_day, 14);
    EXPECT_EQ(leg->margin_until_day, 58);  // returned with the last settlement, on 2026-03-31
  }
  const firm::PlanSwapLeg& swap = plan.swap_legs[2];
  EXPECT_TRUE(swap.power);
  EXPECT_EQ(swap.site, 1u);
  EXPECT_EQ(swap.start_day, 0);
  EXPECT_EQ(swap.end_day, 28 + 31 + 30);  // February to April 2026
  EXPECT_DOUBLE_EQ(swap.quantity, 20.0);
  EXPECT_DOUBLE_EQ(swap.fixed_price, 45.0);
  EXPECT_EQ(swap.initial_margin_usd, 0.0);
  EXPECT_EQ(firm::make_plan(s, 0).swap_leg_count, 0u);
}

// A zero-size forward and swap: every field of the accounts and the state bit for bit as none, on
// a falling and recovering price and hashprice and a moving index price.
TEST(ScenarioHedges, a_zero_size_forward_or_swap_runs_bit_for_bit_as_none) {
  const firm::Scenario s = read_test_scenario(
      "hedges_zero_swaps.toml",
      hedged_scenario("[[strategies.hedges]]\nkind = \"hashprice_forward\"\ntenor_months = 6\nnotional_ph_s = 0\n"
                      "fixed_usd_per_ph_day = 40\n"
                      "[[strategies.hedges]]\nkind = \"power_swap\"\nsite = \"texas\"\ntenor_months = 6\npower_mw = 0\n"
                      "fixed_usd_per_mwh = 45\n",
                      kIndexSite));
  const firm::FirmPlan without = firm::make_plan(s, 0);
  const firm::FirmPlan with = firm::make_plan(s, 1);
  EXPECT_EQ(with.swap_leg_count, 0u);
  firm::FirmState a_state = firm::make_state(without);
  firm::FirmState b_state = firm::make_state(with);
  firm::DayAccounts a{};
  firm::DayAccounts b{};
  for (int day = 0; day < without.horizon_days; ++day) {
    const double price = 78702.39 * (1.0 - 0.4 * std::sin(day / 60.0));
    const std::array<double, 2> power{40.0, 40.0 + 20.0 * std::sin(day / 7.0)};
    const firm::DayMarket market{price, 5e-7, 5e-7 * price, power, {}, 1.0};
    firm::step_day(without, day, market, a_state, a);
    firm::step_day(with, day, market, b_state, b);
    for (const firm::DayAccountsField& field : firm::kDayAccountsFields)
      ASSERT_EQ(std::memcmp(&(a.*field.member), &(b.*field.member), sizeof(double)), 0) << field.name << " day " << day;
    ASSERT_EQ(a.defaulted_today, b.defaulted_today);
    ASSERT_TRUE(a_state.cash_usd == b_state.cash_usd && a_state.free_btc == b_state.free_btc &&
                a_state.margin_posted_usd == b_state.margin_posted_usd)
        << "day " << day;
  }
}

TEST(ScenarioHedges, bad_forwards_and_swaps_name_file_line_and_key) {
  const std::string forward = "[[strategies.hedges]]\nkind = \"hashprice_forward\"\nnotional_ph_s = 10\n";
  EXPECT_NE(hedge_error(hedged_scenario(forward + "tenor_months = 3\nfixed_usd_per_ph_day = 0\n"), "fixed_usd_per_ph_day")
                .find("strategies[2].hedges[1].fixed_usd_per_ph_day: "),
            std::string::npos);
  // The horizon is 2026-02-01 to 2027-02-01: twelve months fit, a thirteenth ends on 2027-02-28.
  EXPECT_NE(hedge_error(hedged_scenario(forward + "tenor_months = 13\nfixed_usd_per_ph_day = 40\n"), "tenor_months = 13")
                .find("past the horizon"),
            std::string::npos);
  EXPECT_EQ(hedge_error(hedged_scenario(forward + "tenor_months = 12\nfixed_usd_per_ph_day = 40\n"), ""), "no error");
  EXPECT_NE(hedge_error(hedged_scenario("[[strategies.hedges]]\nkind = \"hashprice_forward\"\nnotional_ph_s = -1\n"
                                        "tenor_months = 3\nfixed_usd_per_ph_day = 40\n"),
                        "notional_ph_s = -1")
                .find("strategies[2].hedges[1].notional_ph_s: "),
            std::string::npos);
  const std::string swap = "[[strategies.hedges]]\nkind = \"power_swap\"\npower_mw = 10\n";
  EXPECT_NE(hedge_error(hedged_scenario(swap + "site = \"texas\"\ntenor_months = 3\nfixed_usd_per_mwh = 0\n", kIndexSite),
                        "fixed_usd_per_mwh")
                .find("strategies[2].hedges[1].fixed_usd_per_mwh: "),
            std::string::npos);
  EXPECT_NE(hedge_error(hedged_scenario(swap + "site = \"texas\"\ntenor_months = 14\nfixed_usd_per_mwh = 45\n", kIndexSite),
                        "tenor_months = 14")
                .find("past the horizon"),
            std::string::npos);
  EXPECT_NE(hedge_error(hedged_scenario(swap + "site = \"site\"\ntenor_months = 3\nfixed_usd_per_mwh = 45\n"),
                        "site = \"site\"\ntenor_months")
                .find("strategies[2].hedges[1].site: site \"site\" buys power at a fixed price"),
            std::string::npos);
  EXPECT_NE(hedge_error(hedged_scenario(swap + "site = \"nowhere\"\ntenor_months = 3\nfixed_usd_per_mwh = 45\n"),
                        "site = \"nowhere\"")
                .find("no [[sites]] entry is named \"nowhere\""),
            std::string::npos);
  EXPECT_NE(hedge_error(hedged_scenario("[[strategies.hedges]]\nkind = \"power_swap\"\npower_mw = 31\nsite = \"texas\"\n"
                                        "tenor_months = 3\nfixed_usd_per_mwh = 45\n",
                                        kIndexSite),
                        "power_mw = 31")
                .find("more than the site's capacity"),
            std::string::npos);
  // An option's key on a forward is not a forward's term.
  EXPECT_NE(hedge_error(hedged_scenario(forward + "tenor_months = 3\nfixed_usd_per_ph_day = 40\nstrike_fraction = 0.8\n"),
                        "strike_fraction")
                .find("strike_fraction"),
            std::string::npos);
  EXPECT_NE(hedge_error(hedged_scenario("", "[hedges]\nforward_initial_margin_fraction = 1.5\n"),
                        "forward_initial_margin_fraction")
                .find("hedges.forward_initial_margin_fraction: "),
            std::string::npos);
}

// The miner holds 100 BTC at the start: options open together may cover no more, unless
// [hedges] allow_exceeding_btc_held = true.
TEST(ScenarioHedges, option_notional_above_the_btc_held_is_an_error_unless_allowed) {
  const std::string put_150 = "[[strategies.hedges]]\ntenor_days = 90\nnotional_btc = 150\nstrike_fraction = 0.8\n";
  EXPECT_NE(hedge_error(hedged_scenario(put_150), "notional_btc = 150")
                .find("strategies[2].hedges[1].notional_btc: 150 BTC of puts, collars and covered calls open on "
                      "2026-02-01 is more than the 100 BTC held at the start"),
            std::string::npos);
  // 60 + 41 overlap on 2026-03-01 (the put runs 90 days from 2026-02-01): the second is named.
  const std::string overlapping = "[[strategies.hedges]]\ntenor_days = 90\nnotional_btc = 60\nstrike_fraction = 0.8\n"
                                  "[[strategies.hedges]]\nkind = \"covered_call\"\ndate = 2026-03-01\ntenor_days = 30\n"
                                  "notional_btc = 41\ncall_strike_fraction = 1.3\n";
  EXPECT_NE(hedge_error(hedged_scenario(overlapping), "notional_btc = 41").find("101 BTC"), std::string::npos);
  // The same call after the put expired (2026-05-02) covers BTC the put no longer does.
  const std::string after = "[[strategies.hedges]]\ntenor_days = 90\nnotional_btc = 60\nstrike_fraction = 0.8\n"
                            "[[strategies.hedges]]\nkind = \"covered_call\"\ndate = 2026-05-02\ntenor_days = 30\n"
                            "notional_btc = 41\ncall_strike_fraction = 1.3\n";
  EXPECT_EQ(hedge_error(hedged_scenario(after), ""), "no error");
  const firm::Scenario allowed =
      read_test_scenario("hedges_allowed.toml", hedged_scenario(put_150, "[hedges]\nallow_exceeding_btc_held = true\n"));
  EXPECT_TRUE(allowed.hedge_market.allow_exceeding_btc_held);
  EXPECT_DOUBLE_EQ(allowed.strategies[1].hedges[0].notional_btc, 150.0);
}


// A strike of 0 and a tenor past the horizon are errors for every option kind (the forward and
// swap kinds: bad_forwards_and_swaps_name_file_line_and_key).
TEST(ScenarioHedges, every_option_kind_rejects_a_zero_strike_and_a_tenor_past_the_horizon) {
  for (const std::string kind : {"put", "collar", "covered_call"}) {
    const std::string head = "[[strategies.hedges]]\nkind = \"" + kind + "\"\nnotional_btc = 10\n";
    const std::string put_strike = kind == "covered_call" ? "" : "strike_fraction = 0.8\n";
    const std::string call_strike = kind == "put" ? "" : "call_strike_fraction = 1.3\n";
    const std::string zero_key = kind == "put" ? "strike_usd_per_btc" : "call_strike_usd_per_btc";
    const std::string zero_strike = kind == "put" ? "strike_usd_per_btc = 0\n" : put_strike + "call_strike_usd_per_btc = 0\n";
    EXPECT_NE(hedge_error(hedged_scenario(head + "tenor_days = 30\n" + zero_strike), zero_key + " = 0")
                  .find("strategies[2].hedges[1]." + zero_key + ": "),
              std::string::npos)
        << kind;
    EXPECT_NE(hedge_error(hedged_scenario(head + "tenor_days = 365\n" + put_strike + call_strike), "tenor_days = 365")
                  .find("past the horizon"),
              std::string::npos)
        << kind;
  }
}

}  // namespace
}  // namespace hashpivot::testing
