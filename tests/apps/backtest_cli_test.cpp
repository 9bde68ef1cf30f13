// End-to-end tests of `hashpivot backtest`: the JSON contract, the table, the filled-day counts, bad
// input (history row, scenario key, strategy, window) and the bundled Cango scenario over 2025.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "apps/cli_runner.hpp"
#include "support/test_scenario.hpp"

namespace {

using namespace hashpivot::testing;
using Result = CliResult;

// Test inputs, not a calibrated case: 50 EH/s at 22.5 J/TH, 44 EH/s operating, $75.8/MWh.
// (The backtest reads no calibration: the market table's is there for the reader only.)
namespace t = hashpivot::testing;
const std::string kScenario =
    t::scenario_toml("backtest cli miner", 1, 0, 1) + t::test_market_toml() +
    t::xp_machine_toml("S19 XP") + t::site_toml("hosted", 1200, 75.8) +
    t::fleet_toml("S19 XP", "hosted", 357143, "uptime = 0.88\n") + t::treasury_toml(7000, 100e6, 40e6) +
    t::hold_and_sell_all_toml();

TEST(BacktestCli, json_has_the_issue_keys_and_months_sum_to_the_total) {
  const auto scenario = write_temp_file("bt_scenario.toml", kScenario);
  const auto j = json_output(run_cli("backtest " + scenario.string() + " --history " + kHistoryCsv +
                           " --from 2025-09-01 --to 2025-11-30 --json"));
  for (const char* key : {"btc_mined", "revenue_usd", "months", "filled_days", "fill_rule", "strategy"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["strategy"], "hold");
  ASSERT_EQ(j["months"].size(), 3u);
  EXPECT_EQ(j["months"][0]["month"], "2025-09");
  EXPECT_EQ(j["months"][2]["month"], "2025-11");
  double btc = 0, revenue = 0;
  for (const auto& m : j["months"]) {
    for (const char* key : {"month", "btc_mined", "revenue_usd", "hashprice_usd_per_ph_day", "power_cost_usd"})
      EXPECT_TRUE(m.contains(key)) << key;
    EXPECT_GT(m["btc_mined"].get<double>(), 0);
    EXPECT_GT(m["hashprice_usd_per_ph_day"].get<double>(), 0);
    btc += m["btc_mined"].get<double>();
    revenue += m["revenue_usd"].get<double>();
  }
  EXPECT_NEAR(btc, j["btc_mined"].get<double>(), 1e-9 * btc);
  EXPECT_NEAR(revenue, j["revenue_usd"].get<double>(), 1e-9 * revenue);
  // Every column is known in this window.
  for (const auto& [input, days] : j["filled_days"].items()) EXPECT_EQ(days.get<int>(), 0) << input;
  // Power: 357,143 × 3,150 W = 1,125 MW for every hour of 91 days at $75.8/MWh (uptime 0.88).
  const double power = 357143 * 3150e-6 * 0.88 * 24 * 91 * 75.8;
  EXPECT_NEAR(j["power_cost_usd"].get<double>(), power, 1e-9 * power);
  std::filesystem::remove(scenario);
}

TEST(BacktestCli, strategy_by_name_and_a_readable_table_with_fill_counts) {
  const auto scenario = write_temp_file("bt_scenario_table.toml", kScenario);
  const Result r = run_cli("backtest " + scenario.string() + " --history " + kHistoryCsv +
                           " --from 2025-07-01 --to 2025-09-30 --strategy sell_all");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("strategy \"sell_all\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2025-08"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total"), std::string::npos) << r.out;
  // July 1 to August 10: fees and block counts unknown (41 days), difficulty to August 9 (40 days: August 10 lies
  // wholly in epoch 451), filled by the stated rule.
  EXPECT_NE(r.out.find("difficulty 40, issuance per block 41, fees per block 41 (of 92)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rule:"), std::string::npos) << r.out;
  std::filesystem::remove(scenario);
}

TEST(BacktestCli, help_states_the_fill_rule_and_assumptions) {
  const Result r = run_cli("backtest --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Fill rule"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("index sites pay"), std::string::npos) << r.out;
}

TEST(BacktestCli, malformed_history_row_exits_2_naming_file_line_and_column) {
  const auto scenario = write_temp_file("bt_scenario_badcsv.toml", kScenario);
  const auto history = write_temp_file("bt_bad_history.csv",
                                  "time,PriceUSD,DiffMean,BlkCnt,HashRate,FeeTotNtv,SplyCur\n"
                                  "2025-09-01,100000,1.3e14,144,,4.0,19900000\n"
                                  "2025-09-02,101000,1.3e14,144,,4.0,19900450\n"
                                  "2025-09-03,102000,1.3e14,144,,four,19900900\n");
  const Result r = run_cli("backtest " + scenario.string() + " --history " + history.string() +
                           " --from 2025-09-01 --to 2025-09-03 --json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(history.string() + ":4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("FeeTotNtv"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  std::filesystem::remove(scenario);
  std::filesystem::remove(history);
}

TEST(BacktestCli, bad_scenario_key_exits_2_naming_file_line_and_key) {
  std::string text = kScenario;
  text.replace(text.find("uptime = 0.88"), 13, "uptme = 0.88");
  const auto scenario = write_temp_file("bt_scenario_badkey.toml", text);
  // The line of the misspelled key, counted here.
  int line = 1;
  for (std::size_t i = 0; i < text.find("uptme"); ++i) line += text[i] == '\n' ? 1 : 0;
  const Result r =
      run_cli("backtest " + scenario.string() + " --history " + kHistoryCsv + " --from 2025-09-01 --to 2025-09-30");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(scenario.string() + ":" + std::to_string(line)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("uptme"), std::string::npos) << r.err;
  std::filesystem::remove(scenario);
}

TEST(BacktestCli, unknown_strategy_exits_2_listing_the_names) {
  const auto scenario = write_temp_file("bt_scenario_strategy.toml", kScenario);
  const Result r = run_cli("backtest " + scenario.string() + " --history " + kHistoryCsv +
                           " --from 2025-09-01 --to 2025-09-30 --strategy hodl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--strategy"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"hold\", \"sell_all\""), std::string::npos) << r.err;
  std::filesystem::remove(scenario);
}

TEST(BacktestCli, bad_windows_exit_2_naming_the_flag) {
  const auto scenario = write_temp_file("bt_scenario_window.toml", kScenario);
  const std::string base = "backtest " + scenario.string() + " --history " + kHistoryCsv;
  const Result reversed = run_cli(base + " --from 2025-10-01 --to 2025-09-01");
  EXPECT_EQ(reversed.exit_code, 2);
  EXPECT_NE(reversed.err.find("--from"), std::string::npos) << reversed.err;
  const Result before = run_cli(base + " --from 2008-01-01 --to 2025-09-01");
  EXPECT_EQ(before.exit_code, 2);
  EXPECT_NE(before.err.find("--from"), std::string::npos) << before.err;
  const Result after = run_cli(base + " --from 2025-09-01 --to 2031-01-01");
  EXPECT_EQ(after.exit_code, 2);
  EXPECT_NE(after.err.find("--to"), std::string::npos) << after.err;
  const Result malformed = run_cli(base + " --from 2025-02-30 --to 2025-09-01");
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.err.find("--from"), std::string::npos) << malformed.err;
  // Fees unknown on every day of the window: the column is named.
  const Result no_fees = run_cli(base + " --from 2025-01-01 --to 2025-03-31");
  EXPECT_EQ(no_fees.exit_code, 2);
  EXPECT_NE(no_fees.err.find("FeeTotNtv"), std::string::npos) << no_fees.err;
  std::filesystem::remove(scenario);
}

// ---- The bundled Cango scenario over 2025 ---------------------------------------------------

// The history's own reading of 2025, independent of the backtest: BTC issued over the year (change
// of SplyCur), fees as a share of it (over the days where FeeTotNtv is known) and the mean network
// hashrate of the days where HashRate is known, TH/s.
struct Year2025 {
  double issued_btc = 0;
  double fee_share = 0;
  double mean_network_ths = 0;
};

Year2025 history_2025() {
  std::ifstream in(kHistoryCsv);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF line ends
  EXPECT_EQ(line, "time,PriceUSD,DiffMean,BlkCnt,HashRate,FeeTotNtv,SplyCur");
  double supply_end_2024 = 0, supply_end_2025 = 0, previous_supply = 0, hashrate_sum = 0, fees = 0, issued_with_fees = 0;
  int hashrate_days = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string c;
    while (std::getline(s, c, ',')) cells.push_back(c);
    while (cells.size() < 7) cells.emplace_back();
    const std::string& day = cells[0];
    const double supply = cells[6].empty() ? 0.0 : std::stod(cells[6]);
    if (day == "2024-12-31") supply_end_2024 = supply;
    if (day == "2025-12-31") supply_end_2025 = supply;
    if (day.starts_with("2025-")) {
      if (!cells[4].empty()) {
        hashrate_sum += std::stod(cells[4]);
        ++hashrate_days;
      }
      if (!cells[5].empty()) {
        fees += std::stod(cells[5]);
        issued_with_fees += supply - previous_supply;
      }
    }
    previous_supply = supply;
  }
  return {supply_end_2025 - supply_end_2024, fees / issued_with_fees, hashrate_sum / hashrate_days};
}

TEST(BacktestCli, cango_2025_on_real_history_reports_twelve_months_of_plausible_btc) {
  const std::string cango = std::string(HASHPIVOT_SCENARIOS_DIR) + "/cango.toml";
  ASSERT_TRUE(std::filesystem::exists(cango)) << cango;
  const auto j = json_output(run_cli("backtest " + cango + " --history " + kHistoryCsv + " --from 2025-01-01 --to 2025-12-31 --json"));
  ASSERT_EQ(j["months"].size(), 12u);
  for (std::size_t m = 0; m < 12; ++m) {
    EXPECT_EQ(j["months"][m]["month"], "2025-" + std::string(m < 9 ? "0" : "") + std::to_string(m + 1));
    EXPECT_GE(j["months"][m]["btc_mined"].get<double>(), 0) << m;
  }
  EXPECT_TRUE(j["default_day"].is_null());
  // The fleet's operating hashrate and pool fee, from the scenario file itself.
  const toml::table doc = toml::parse_file(cango);
  double operating_th = 0;
  for (const auto& f : *doc["fleet"].as_array()) {
    const auto& entry = *f.as_table();
    double machine_th = 0;
    for (const auto& m : *doc["machines"].as_array())
      if (m.as_table()->at("name").value<std::string>() == entry.at("machine").value<std::string>())
        machine_th = m.as_table()->at("hashrate_th").value<double>().value();
    operating_th += entry.at("count").value<double>().value() * machine_th * entry["uptime"].value_or(1.0);
  }
  const double pool_fee = doc["treasury"]["pool_fee"].value_or(0.0);
  // Plausible: the fleet's share of the network's hashrate times what the network earned in 2025
  // (issuance and fees). The BTC mined cannot exceed the operating fleet's share (economic
  // curtailment only lowers it) and must match the share of the hashrate it actually ran (the
  // effective hashrate of the report). 10% covers the expected revenue at each day's difficulty
  // against the realized issuance (the year's block-time drift, a percent or two), annual means
  // against days (the fleet ran when the network was smaller), and 114 days of difficulty carried
  // forward (within 5% of the real one).
  const Year2025 y = history_2025();
  ASSERT_GT(y.issued_btc, 0);
  const double network_btc = y.issued_btc * (1.0 + y.fee_share) * (1.0 - pool_fee);
  const double mined = j["btc_mined"].get<double>();
  const double effective_th = j["effective_hashrate_ehs"].get<double>() * 1e6;
  EXPECT_LE(effective_th, operating_th * (1 + 1e-9));
  EXPECT_LT(mined, 1.1 * operating_th / y.mean_network_ths * network_btc);
  EXPECT_GT(mined, 0.9 * effective_th / y.mean_network_ths * network_btc);
  EXPECT_LT(mined, 1.1 * effective_th / y.mean_network_ths * network_btc);
  // The fleet ran most of the year (hashprice was above its power cost until the autumn).
  EXPECT_GT(effective_th, 0.5 * operating_th);
}

}  // namespace
