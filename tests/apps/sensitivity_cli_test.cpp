// End-to-end tests of `hashpivot sensitivity`: the JSON contract, the table, bad input.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/cli_runner.hpp"
#include "support/test_market.hpp"

namespace {

using hashpivot::testing::run_cli;
using hashpivot::testing::temp_path;
using Result = hashpivot::testing::CliResult;

// Test inputs, not a calibrated case: two sites at different power prices, one convertible.
const std::string kScenario = R"([scenario]
name = "sensitivity cli miner"
start_date = 2026-02-01
horizon_years = 1
paths = 100000
seed = 3
discount_rate_annual = 0.1

)" + hashpivot::testing::test_market_toml("btc_price_model = \"gbm\"") + R"(
[[machines]]
name = "S21"
hashrate_th = 200
power_w = 3500
release_year = 2023

[[sites]]
name = "site"
capacity_mw = 40
power_price_usd_per_mwh = 45

[[sites]]
name = "owned"
capacity_mw = 10
power_price_usd_per_mwh = 60
[sites.conversion]
capex_usd_per_mw = 9e6
lead_time_months = 6
lease_usd_per_mw_year = 1.5e6
term_years = 10
noi_margin = 0.85

[[fleet]]
machine = "S21"
site = "site"
count = 10000

[[fleet]]
machine = "S21"
site = "owned"
count = 2500

[treasury]
btc = 500
cash_usd = 20e6
sga_usd_per_year = 5e6

[[strategies]]
name = "hold"

[[strategies]]
name = "convert"
pivot = "schedule"
pivot_site = "owned"
pivot_mw = 5
pivot_date = 2026-03-01
)";

std::filesystem::path write_scenario(const std::string& name) {
  const auto path = temp_path(name);
  std::ofstream(path) << kScenario;
  return path;
}

TEST(SensitivityCli, json_has_a_sorted_tornado_with_the_bumped_values_and_break_evens) {
  const auto path = write_scenario("sensitivity_cli_json.toml");
  const Result r = run_cli("sensitivity " + path.string() + " --strategy convert --paths 128 --seed 4 --threads 2 --json");
  std::filesystem::remove(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
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
  const auto path = write_scenario("sensitivity_cli_table.toml");
  const Result r = run_cli("sensitivity " + path.string() + " --paths 64 --threads 1 --no-break-even");
  std::filesystem::remove(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* word : {"btc_price_drift", "btc_price_volatility", "hashrate_growth", "power_price", "fees",
                           "conversion_capex", "lease_rate", "hold:", "convert:", "swing"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
  EXPECT_EQ(r.out.find("Break-even BTC price"), std::string::npos);
}

TEST(SensitivityCli, no_break_even_gives_null_break_evens_in_json) {
  const auto path = write_scenario("sensitivity_cli_nobe.toml");
  const Result r = run_cli("sensitivity " + path.string() + " --strategy hold --paths 32 --no-break-even --json");
  std::filesystem::remove(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["strategies"][0]["break_even_btc_price_usd"].is_null());
  EXPECT_EQ(j["runs"], 15);  // the base and 7 inputs low and high
}

TEST(SensitivityCli, bad_input_exits_2_naming_the_flag) {
  const auto path = write_scenario("sensitivity_cli_bad.toml");
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
