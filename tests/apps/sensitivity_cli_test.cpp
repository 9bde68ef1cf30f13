// End-to-end tests of `hashpivot sensitivity`: the JSON contract, the table, bad input.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/cli_runner.hpp"
#include "support/test_scenario.hpp"

namespace {

using namespace hashpivot::testing;
using Result = CliResult;

// Test inputs, not a calibrated case: two sites at different power prices, one convertible.
namespace t = hashpivot::testing;
const std::string kScenario =
    t::scenario_toml("sensitivity cli miner", 1, 100000, 3) +
    t::test_market_toml("btc_price_model = \"gbm\"") + t::s21_machine_toml() + t::site_toml("site", 40, 45) +
    t::site_toml("owned", 10, 60, t::conversion_toml(9e6, 6, 1.5e6)) + t::fleet_toml("S21", "site", 10000) +
    t::fleet_toml("S21", "owned", 2500) +
    t::treasury_toml(500, 20e6, 5e6) + t::strategy_toml("hold") +
    t::strategy_toml("convert", "pivot = \"schedule\"\npivot_site = \"owned\"\npivot_mw = 5\npivot_date = 2026-03-01\n");

TEST(SensitivityCli, json_has_a_sorted_tornado_with_the_bumped_values_and_break_evens) {
  const auto j = json_output(run_on_scenario("sensitivity", kScenario, "--strategy convert --paths 128 --seed 4 --threads 2 --json"));
  EXPECT_EQ(j["paths"], 128);
  EXPECT_EQ(j["seed"], 4);
  EXPECT_EQ(j["relative_bump"], 0.2);
  ASSERT_EQ(j["strategies"].size(), 1u);
  const auto& st = j["strategies"][0];
  EXPECT_EQ(st["name"], "convert");
  ASSERT_EQ(st["tornado"].size(), 7u);
  double previous = INFINITY;
  for (const auto& bar : st["tornado"]) {
    const double swing = bar["npv_swing_usd"];
    EXPECT_LE(std::abs(swing), previous) << bar["input"];
    previous = std::abs(swing);
    EXPECT_DOUBLE_EQ(swing, bar["at_high"]["npv_usd"]["mean"].get<double>() - bar["at_low"]["npv_usd"]["mean"].get<double>());
    if (bar["input"] == "power_price") {
      // The capacity-weighted mean of the scenario's site prices, ±20%.
      const double mean = (40 * 45 + 10 * 60) / 50.0;
      EXPECT_NEAR(bar["base"].get<double>(), mean, 1e-9);
      EXPECT_NEAR(bar["low"].get<double>(), 0.8 * mean, 1e-9);
      EXPECT_NEAR(bar["high"].get<double>(), 1.2 * mean, 1e-9);
      EXPECT_EQ(bar["basis"], "relative");
      EXPECT_LT(swing, 0);
    }
    if (bar["input"] == "lease_rate") {
      EXPECT_NEAR(bar["high"].get<double>(), 1.2 * 1.5e6, 1e-3);
    }
    if (bar["input"] == "btc_price_drift") {
      EXPECT_EQ(bar["basis"], "calibration_se");
    }
  }
  for (const char* key : {"break_even_btc_price_usd", "break_even_power_price_usd_per_mwh"}) {
    ASSERT_TRUE(st[key].is_object()) << key;
    const auto& be = st[key];
    ASSERT_EQ(be["bracket"].size(), 2u);
    if (be["found"]) {
      EXPECT_GE(be["value"].get<double>(), be["bracket"][0].get<double>()) << key;
      EXPECT_LE(be["value"].get<double>(), be["bracket"][1].get<double>()) << key;
    }
  }
  EXPECT_NEAR(st["break_even_btc_price_usd"]["bracket"][0].get<double>(), 0.1 * 78702.39, 1e-6);
}

TEST(SensitivityCli, table_names_every_input_and_the_break_evens_and_every_strategy_by_default) {
  const Result r = run_on_scenario("sensitivity", kScenario, "--paths 64 --threads 1 --no-break-even");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* word : {"btc_price_drift", "btc_price_volatility", "hashrate_growth", "power_price", "fees",
                           "conversion_capex", "lease_rate", "hold:", "convert:", "swing"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
  EXPECT_EQ(r.out.find("Break-even BTC price"), std::string::npos);
}

TEST(SensitivityCli, no_break_even_gives_null_break_evens_in_json) {
  const auto j =
      json_output(run_on_scenario("sensitivity", kScenario, "--strategy hold --paths 32 --no-break-even --json"));
  EXPECT_TRUE(j["strategies"][0]["break_even_btc_price_usd"].is_null());
  EXPECT_EQ(j["runs"], 15);  // the base and 7 inputs low and high
}

// --variance-reduction: every run's mean NPV on antithetic pairs with the price controls; on the same
// paths the base run's SE is below the plain one.
TEST(SensitivityCli, variance_reduction_shrinks_the_base_runs_se) {
  const std::string args = "--strategy hold --paths 256 --seed 4 --no-break-even --json";
  const auto plain = json_output(run_on_scenario("sensitivity", kScenario, args));
  const auto reduced = json_output(run_on_scenario("sensitivity", kScenario, args + " --variance-reduction"));
  const double se_plain = plain["strategies"][0]["base"]["npv_usd"]["se"];
  const double se_reduced = reduced["strategies"][0]["base"]["npv_usd"]["se"];
  EXPECT_GT(se_reduced, 0.0);
  EXPECT_LT(se_reduced, se_plain);
}

TEST(SensitivityCli, bad_input_exits_2_naming_the_flag) {
  const auto path = write_temp_file("sensitivity_cli_bad.toml", kScenario);
  const Result unknown = run_cli("sensitivity " + path.string() + " --strategy nope --paths 8");
  const Result bump = run_cli("sensitivity " + path.string() + " --bump 1.5 --paths 8");
  std::filesystem::remove(path);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--strategy"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("hold, convert"), std::string::npos) << unknown.err;
  EXPECT_EQ(bump.exit_code, 2);
  EXPECT_NE(bump.err.find("--bump"), std::string::npos) << bump.err;
  const Result missing = run_cli("sensitivity /nonexistent/scenario.toml --paths 8");
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
