// End-to-end tests of `hashpivot network`: the backtest's JSON and text, the hashrate fit, bad input.

#include <gtest/gtest.h>

#include "apps/cli_runner.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

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

}  // namespace
