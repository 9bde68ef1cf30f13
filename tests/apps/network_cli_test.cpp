// End-to-end tests of `hashpivot network`: the backtest's JSON and text, the hashrate fit, the starting state of
// a day against the CSV files recomputed by brute force, the bundled scenarios against that state, bad input.

#include <gtest/gtest.h>

#include "apps/cli_runner.hpp"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace hashpivot::testing;
using Result = CliResult;

TEST(NetworkCli, backtest_json_reports_days_and_both_errors) {
  const auto j = json_output(run_cli("network backtest " + kHistoryCsv + " --from 2016-01-01 --to 2020-07-27 --seed 1 --paths 64 --json"));
  for (const char* key : {"days", "blocks_mape_pct", "difficulty_mape_pct", "start_height", "start_bits", "paths",
                          "days_skipped", "blocks_total_error_pct", "by_year"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["days"], 1657);
  EXPECT_EQ(j["start_bits"], "0x1809b31b");
  EXPECT_LT(j["blocks_mape_pct"].get<double>(), 7.8);
  EXPECT_LT(j["difficulty_mape_pct"].get<double>(), 0.95);
}

TEST(NetworkCli, backtest_prints_a_readable_table_by_default) {
  const Result r = run_cli("network backtest " + kHistoryCsv + " --from 2019-01-01 --to 2019-12-31 --paths 8");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("difficulty MAPE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2019"), std::string::npos);
}

TEST(NetworkCli, backtest_exits_2_on_a_malformed_date_naming_the_flag) {
  const Result r = run_cli("network backtest " + kHistoryCsv + " --from 2016-13-45 --json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--from"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

// The backtest's option checks name the library's parameters; the command maps them to its flags.
TEST(NetworkCli, backtest_exits_2_on_a_range_outside_the_history_naming_the_flag) {
  Result r = run_cli("network backtest " + kHistoryCsv + " --to 2000-01-01 --json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("command line: --to: before the history's first day"), std::string::npos) << r.err;
  r = run_cli("network backtest " + kHistoryCsv + " --from 2040-01-01 --json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("command line: --from:"), std::string::npos) << r.err;
}

TEST(NetworkCli, backtest_exits_2_on_a_malformed_history_naming_file_line_and_column) {
  const auto path = temp_path("bad_history.csv");
  std::ofstream(path) << "time,PriceUSD,DiffMean,BlkCnt,HashRate\n2016-01-01,400,1e11,144,1e6\n2016-01-02,400,lots,144,1e6\n";
  const Result r = run_cli("network backtest " + path.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path.string() + ":3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("DiffMean"), std::string::npos) << r.err;
  std::filesystem::remove(path);
}

TEST(NetworkCli, backtest_exits_2_on_a_missing_file_and_a_bad_driver) {
  EXPECT_EQ(run_cli("network backtest /nonexistent/history.csv").exit_code, 2);
  EXPECT_EQ(run_cli("network backtest " + kHistoryCsv + " --driver median").exit_code, 2);
}

TEST(NetworkCli, calibrate_reports_the_exogenous_hashrate_fit) {
  const auto j = json_output(run_cli("network calibrate " + kHistoryCsv + " --from 2016-01-01 --to 2020-07-27 --json"));
  const auto& fit = j["hashrate"]["exogenous"];
  for (const char* key : {"drift_annual", "sigma_annual", "price_beta", "price_lag_days"})
    EXPECT_TRUE(fit.contains(key)) << key;
  EXPECT_TRUE(fit["se"]["drift_annual"].is_number());
}

// ---- network state ------------------------------------------------------------------------------

const std::string kHeightsCsv = std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_heights.csv";
const std::string kEpochsCsv = std::string(HASHPIVOT_TEST_DATA_DIR) + "/chain/btc_difficulty_epochs.csv";

/// A CSV file's rows keyed by their first column, each cell by its header's name.
std::map<std::string, std::map<std::string, std::string>> rows_by_first_column(const std::string& path) {
  std::ifstream in(path);
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
    return cells;
  };
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split(line);
  std::map<std::string, std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = split(line);
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) rows[cells[0]][header[i]] = cells[i];
  }
  return rows;
}

std::vector<std::string> days_before(const std::string& day, int count) {
  // The window of 2026-02-01 lies in January 2026: its days are written out, not computed by the code under test.
  EXPECT_EQ(day, "2026-02-01");
  std::vector<std::string> days;
  for (int d = 32 - count; d <= 31; ++d) days.push_back(fmt::format("2026-01-{:02d}", d));
  return days;
}

// Every value of the state at the start of 2026-02-01, recomputed from the three CSV files: the height after the
// last of 2026-01-31, the epoch holding it, the price of the day before, fees and the hashrates over the window.
TEST(NetworkStateCli, json_on_2026_02_01_matches_a_brute_force_recomputation_from_the_csv_files) {
  const auto j = json_output(run_cli("network state " + kHistoryCsv + " --date 2026-02-01 --json"));
  const auto history = rows_by_first_column(kHistoryCsv);
  const auto heights = rows_by_first_column(kHeightsCsv);
  const auto epochs = rows_by_first_column(kEpochsCsv);

  const std::int64_t height = std::stoll(heights.at("2026-01-31").at("last_height")) + 1;
  EXPECT_EQ(j["height"], height);
  const auto& epoch = epochs.at(std::to_string(height / 2016));
  EXPECT_EQ(j["bits"], epoch.at("nbits_hex"));
  EXPECT_EQ(j["epoch_first_block_time_unix"], std::stoll(epoch.at("start_time_unix")));
  EXPECT_FALSE(j["epoch_start_estimated"].get<bool>());
  const double difficulty = std::stod(epoch.at("difficulty"));
  EXPECT_NEAR(j["difficulty"].get<double>(), difficulty, 1e-12 * difficulty);
  EXPECT_EQ(j["btc_price_usd"].get<double>(), std::stod(history.at("2026-01-31").at("PriceUSD")));

  const int window = j["window_days"].get<int>();
  EXPECT_EQ(window, 14);  // forecast-check's state_window_days
  double fees = 0, blocks = 0, epoch_blocks = 0;
  int epoch_days = 0;
  for (const std::string& day : days_before("2026-02-01", window)) {
    const auto& row = history.at(day);
    fees += std::stod(row.at("FeeTotNtv"));
    blocks += std::stod(row.at("BlkCnt"));
    if (std::abs(std::stod(row.at("DiffMean")) - difficulty) < 1) {  // a day wholly in the epoch in force
      epoch_blocks += std::stod(row.at("BlkCnt"));
      ++epoch_days;
    }
  }
  EXPECT_NEAR(j["fees_btc_per_block"].get<double>(), fees / blocks, 1e-15);
  EXPECT_EQ(j["fee_days"], window);
  EXPECT_EQ(epoch_days, 9);  // 2026-01-23..31: epoch 463 began on 2026-01-22
  EXPECT_EQ(j["epoch_days"], epoch_days);
  EXPECT_TRUE(j["implied_from_epoch"].get<bool>());
  const double two_32 = 4294967296.0;
  const double implied_ehs = difficulty * two_32 * epoch_blocks / (epoch_days * 86400.0) / 1e18;
  EXPECT_NEAR(j["implied_hashrate_ehs"].get<double>(), implied_ehs, 1e-9 * implied_ehs);
  EXPECT_NEAR(j["implied_hashrate_ehs"].get<double>(), 859.95, 0.01);
  const double spacing_ehs = difficulty * two_32 / 600.0 / 1e18;
  EXPECT_NEAR(j["target_spacing_hashrate_ehs"].get<double>(), spacing_ehs, 1e-9 * spacing_ehs);
  EXPECT_NEAR(j["target_spacing_hashrate_ehs"].get<double>(), 1014.10, 0.01);
  double hashrate_ths = 0;
  for (const std::string& day : days_before("2026-02-01", 7)) hashrate_ths += std::stod(history.at(day).at("HashRate"));
  EXPECT_NEAR(j["mean_7d_hashrate_ehs"].get<double>(), hashrate_ths / 7 / 1e6, 1e-9);
  EXPECT_EQ(j["hashrate_from"], "difficulty");
  EXPECT_EQ(j["network_hashrate_ehs"].get<double>(), j["target_spacing_hashrate_ehs"].get<double>());
}

/// The [market] values of a scenario file, as written (comments and quotes dropped).
std::map<std::string, std::string> market_values(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, std::string> values;
  bool market = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("[")) market = line.starts_with("[market]");
    const auto equals = line.find('=');
    if (!market || line.starts_with("#") || equals == std::string::npos) continue;
    auto trim = [](std::string text) {
      text = text.substr(0, text.find('#'));
      const auto first = text.find_first_not_of(" \t\""), last = text.find_last_not_of(" \t\"");
      return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
    };
    values[trim(line.substr(0, equals))] = trim(line.substr(equals + 1));
  }
  return values;
}

// The bundled scenarios start from the data: each [market] starting value is the command's, to the precision it
// prints (fees over January 2026, hence --window-days 31), so a scenario cannot drift from the history.
TEST(NetworkStateCli, bundled_scenarios_start_from_the_command_s_state_of_2026_02_01) {
  const auto j = json_output(run_cli("network state " + kHistoryCsv + " --date 2026-02-01 --window-days 31 --json"));
  const std::map<std::string, std::string> expected{
      {"network_hashrate_ehs", fmt::format("{:.1f}", j["network_hashrate_ehs"].get<double>())},
      {"btc_price_usd", fmt::format("{:.2f}", j["btc_price_usd"].get<double>())},
      {"fees_btc_per_block", fmt::format("{:.5f}", j["fees_btc_per_block"].get<double>())},
      {"height", std::to_string(j["height"].get<std::int64_t>())},
      {"bits", j["bits"].get<std::string>()},
      {"epoch_first_block_time_unix", std::to_string(j["epoch_first_block_time_unix"].get<std::int64_t>())}};
  for (const char* name : {"cango.toml", "hydro_no_debt.toml", "levered_btc_backed.toml"}) {
    const auto values = market_values(std::string(HASHPIVOT_SCENARIOS_DIR) + "/" + name);
    for (const auto& [key, value] : expected) {
      ASSERT_TRUE(values.contains(key)) << name << ": " << key;
      EXPECT_EQ(values.at(key), value) << name << ": " << key;
    }
  }
}

TEST(NetworkStateCli, prints_the_three_hashrates_and_the_toml_lines_by_default) {
  const Result r = run_cli("network state " + kHistoryCsv + " --date 2026-02-01");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* text : {"1014.1 EH/s at 10-minute blocks", "860.0 EH/s implied", "866.2 EH/s mean HashRate",
                           "[market]\n", "network_hashrate_ehs = 1014.1\n", "height = 934542\n",
                           "bits = \"0x1701fca1\"\n", "epoch_first_block_time_unix = 1769110282\n"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
  const auto implied = json_output(run_cli("network state " + kHistoryCsv + " --date 2026-02-01 --hashrate-from implied --json"));
  EXPECT_EQ(implied["network_hashrate_ehs"].get<double>(), implied["implied_hashrate_ehs"].get<double>());
}

// Coin Metrics has no FeeTotNtv from 2024-04-28 to 2025-08-10: the fees are unknown, the rest of the state is not.
TEST(NetworkStateCli, a_day_without_fees_reports_them_unknown_and_the_rest) {
  const auto j = json_output(run_cli("network state " + kHistoryCsv + " --date 2025-01-01 --json"));
  EXPECT_TRUE(j["fees_btc_per_block"].is_null());
  EXPECT_EQ(j["fee_days"], 0);
  EXPECT_NE(j["fees_note"].get<std::string>().find("2024-04-28..2025-08-10"), std::string::npos);
  EXPECT_GT(j["height"].get<std::int64_t>(), 870000);
  EXPECT_GT(j["implied_hashrate_ehs"].get<double>(), 500);
  EXPECT_NE(j["toml"].get<std::string>().find("# fees_btc_per_block: unknown"), std::string::npos);
}

TEST(NetworkStateCli, exits_2_on_a_date_outside_the_history_naming_date) {
  for (const char* date : {"2000-01-01", "2040-01-01", "2026-13-01"}) {
    const Result r = run_cli("network state " + kHistoryCsv + " --date " + date + " --json");
    EXPECT_EQ(r.exit_code, 2) << date;
    EXPECT_NE(r.err.find("command line: --date:"), std::string::npos) << date << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << date;
  }
  const Result missing = run_cli("network state " + kHistoryCsv + " --json");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--date"), std::string::npos) << missing.err;
}

// Inside the price history but past the block heights (the heights end before the prices do): the heights file
// and its column are named.
TEST(NetworkStateCli, exits_2_naming_the_heights_file_past_its_last_day) {
  const Result r = run_cli("network state " + kHistoryCsv + " --date 2026-08-01 --json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("btc_daily_heights.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("last_height"), std::string::npos) << r.err;
}

TEST(NetworkStateCli, exits_2_on_a_bad_window_or_hashrate_rule_naming_the_flag) {
  Result r = run_cli("network state " + kHistoryCsv + " --date 2026-02-01 --window-days 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--window-days"), std::string::npos) << r.err;
  r = run_cli("network state " + kHistoryCsv + " --date 2026-02-01 --hashrate-from median");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--hashrate-from"), std::string::npos) << r.err;
}

}  // namespace
