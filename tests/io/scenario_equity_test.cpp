// [firm] shares_outstanding, [equity], [strategies.atm] and convertibles priced per share
// (docs/scenario.md): what the reader builds, the plan it flattens into, and bad input named by
// file:line:key.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "hashpivot/core/error.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "support/test_scenario.hpp"

namespace hashpivot::testing {
namespace {

const std::string kShares = "[firm]\nshares_outstanding = 10e6\n";
const std::string kEquity = "[equity]\nnav_multiple = 1.2\nnav_multiple_dispersion = 0.3\ndaily_volume_shares = 2e6\n";
const std::string kAtm = "[strategies.atm]\nsize_usd = 50e6\nraise_usd = 20e6\nmax_volume_share = 0.1\n";

// A one-year S21 miner with 100 BTC and $10M, then `tables` ([firm], [equity], [[debt]]), a "hold"
// strategy and an "issuer" one with `strategy_lines` inside it.
std::string equity_scenario(const std::string& tables, const std::string& strategy_lines) {
  return s21_miner_toml(scenario_toml("equity", 1, 100, 7), 50) + treasury_toml(100, 1e7, 0) + tables +
         strategy_toml("hold") + strategy_toml("issuer", strategy_lines);
}

TEST(ScenarioEquity, reads_shares_the_multiple_and_an_atm_programme) {
  const firm::Scenario s = read_test_scenario(
      "equity_read.toml", equity_scenario(kShares + kEquity, kAtm + "date = 2026-03-01\ndiscount = 0.02\nfee = 0.01\n"
                                                                     "floor_usd_per_share = 1\nremedy = \"before_btc\"\n"));
  EXPECT_EQ(s.equity.shares_outstanding, 10e6);
  EXPECT_EQ(s.equity.nav_multiple, 1.2);
  EXPECT_EQ(s.equity.nav_multiple_dispersion, 0.3);
  ASSERT_TRUE(s.strategies[1].atm.has_value());
  EXPECT_FALSE(s.strategies[0].atm.has_value());
  const firm::FirmPlan plan = firm::make_plan(s, 1);
  EXPECT_TRUE(plan.has_atm);
  EXPECT_EQ(plan.atm_from_day, 28);
  EXPECT_EQ(plan.atm_max_shares_per_day, 0.1 * 2e6);
  EXPECT_EQ(plan.atm_raise_usd, 20e6);
  EXPECT_EQ(plan.atm_discount, 0.02);
  EXPECT_EQ(plan.atm_fee, 0.01);
  EXPECT_EQ(plan.atm_remedy, firm::AtmRemedy::kBeforeBtc);
  EXPECT_EQ(plan.shares_outstanding, 10e6);
  EXPECT_FALSE(firm::make_plan(s, 0).has_atm);
}

TEST(ScenarioEquity, the_defaults_are_the_stated_ones) {
  const firm::Scenario s = read_test_scenario(
      "equity_defaults.toml", equity_scenario(kShares + "[equity]\ndaily_volume_shares = 1e6\n", kAtm));
  EXPECT_EQ(s.equity.nav_multiple, 1.0);
  EXPECT_EQ(s.equity.nav_multiple_dispersion, 0.0);
  const firm::AtmProgramme& atm = *s.strategies[1].atm;
  EXPECT_EQ(atm.fee, 0.03);       // MARA 2025: up to 3%
  EXPECT_EQ(atm.discount, 0.0);
  EXPECT_EQ(atm.remedy, firm::AtmRemedy::kAfterBtc);
  EXPECT_EQ(atm.date, s.run.start_date);
  // No [firm]: no shares, and the plan has none.
  const firm::Scenario plain = read_test_scenario("equity_none.toml", equity_scenario("", ""));
  EXPECT_FALSE(plain.equity.has_shares());
  EXPECT_EQ(firm::make_plan(plain, 1).shares_outstanding, 0.0);
}

TEST(ScenarioEquity, a_convertible_takes_one_conversion_price) {
  const std::string per_share = "[[debt]]\nname = \"notes\"\nkind = \"convertible\"\nprincipal_usd = 5e6\n"
                                "rate_annual = 0\nmaturity = 2026-12-01\nconversion_price_usd_per_share = 12\n";
  const firm::Scenario s = read_test_scenario("equity_convert.toml", equity_scenario(kShares + per_share, ""));
  EXPECT_EQ(s.debts[0].conversion_price_usd_per_share, 12.0);
  EXPECT_EQ(s.debts[0].conversion_price_usd, 0.0);
  EXPECT_EQ(firm::make_plan(s, 0).debts[0].conversion_price_usd_per_share, 12.0);
}

// Reads `text` and returns the error as "key: problem", checking it names the file and the line of
// `expected_at`.
std::string equity_error(const std::string& text, const std::string& expected_at) {
  const std::filesystem::path path = write_temp_file("equity_bad.toml", text);
  try {
    (void)io::read_scenario(path.string());
  } catch (const InputError& e) {
    std::filesystem::remove(path);
    EXPECT_EQ(e.source(), path.string());
    const auto at = text.find(expected_at);
    EXPECT_NE(at, std::string::npos) << expected_at;
    EXPECT_EQ(e.line(),
              static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1)
        << e.what();
    return e.field() + ": " + e.problem();
  }
  std::filesystem::remove(path);
  return "no error";
}

void expect_error(const std::string& text, const std::string& at, const std::string& contains) {
  const std::string error = equity_error(text, at);
  EXPECT_NE(error.find(contains), std::string::npos) << error;
}

TEST(ScenarioEquity, bad_input_names_file_line_and_key) {
  const std::string volume = "[equity]\ndaily_volume_shares = 1e6\n";
  expect_error(equity_scenario("[firm]\nshares_outstanding = 0\n", ""), "shares_outstanding = 0",
               "firm.shares_outstanding: ");
  expect_error(equity_scenario("[firm]\nshares_outstanding = -5\n", ""), "shares_outstanding = -5",
               "firm.shares_outstanding: ");
  expect_error(equity_scenario("", kAtm), "size_usd = 50e6", "shares outstanding missing");
  expect_error(equity_scenario(kEquity, ""), "nav_multiple = 1.2", "shares outstanding missing");
  expect_error(equity_scenario(kShares + "[equity]\nnav_multiple = 0\n", ""), "nav_multiple = 0",
               "equity.nav_multiple: ");
  expect_error(equity_scenario("[[debt]]\nname = \"n\"\nkind = \"convertible\"\nprincipal_usd = 1\nrate_annual = 0\n"
                               "maturity = 2026-12-01\nconversion_price_usd_per_share = 12\n",
                               ""),
               "conversion_price_usd_per_share", "shares outstanding missing");
  expect_error(equity_scenario(kShares + volume, "[strategies.atm]\nsize_usd = 1e6\nmax_volume_share = 0\n"),
               "max_volume_share = 0", "strategies[2].atm.max_volume_share: ");
  expect_error(equity_scenario(kShares + volume, "[strategies.atm]\nsize_usd = 1e6\nmax_volume_share = 1.5\n"),
               "max_volume_share = 1.5", "strategies[2].atm.max_volume_share: ");
  expect_error(equity_scenario(kShares + volume, kAtm + "discount = 1\n"), "discount = 1", "atm.discount: ");
  expect_error(equity_scenario(kShares + volume, kAtm + "fee = -0.01\n"), "fee = -0.01", "atm.fee: ");
  expect_error(equity_scenario(kShares + volume, kAtm + "floor_usd_per_share = -1\n"), "floor_usd_per_share = -1",
               "atm.floor_usd_per_share: ");
  expect_error(equity_scenario(kShares, kAtm), "max_volume_share", "daily_volume_shares");
  expect_error(equity_scenario(kShares + volume, "[strategies.atm]\nsize_usd = 1e6\nraise_usd = 2e6\nmax_volume_share = 0.1\n"),
               "raise_usd = 2e6", "raises");
}

}  // namespace
}  // namespace hashpivot::testing
