// End-to-end tests of `hashpivot forecast-check`: the JSON's shape, identical output for any thread count,
// the HTML page, and bad options.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "apps/cli_runner.hpp"

namespace {

using namespace hashpivot::testing;
using Result = CliResult;

const std::string kShort = "forecast-check " + kHistoryCsv +
                           " --from 2020-01-01 --to 2020-03-01 --horizons 1,3 --paths 30 --price-model gbm";

TEST(ForecastCheckCli, json_has_the_documented_shape) {
  const auto j = json_output(run_cli(kShort + " --threads 1 --json"));
  EXPECT_EQ(j["origins"], 3);
  ASSERT_EQ(j["horizons"].size(), 2u);
  EXPECT_EQ(j["horizons"][0]["months"], 1);
  EXPECT_EQ(j["horizons"][1]["months"], 3);
  for (const auto& h : j["horizons"])
    for (const char* name : {"difficulty", "hashprice", "btc_price", "hashrate"}) {
      ASSERT_TRUE(h["series"].contains(name)) << name;
      const auto& s = h["series"][name];
      for (const char* key : {"coverage_50", "coverage_90", "crps", "pit"}) EXPECT_TRUE(s.contains(key)) << name << " " << key;
      EXPECT_EQ(s["pit"].size(), 10u);
      EXPECT_TRUE(s["baselines"]["random_walk"]["crps"].is_number()) << name;
      EXPECT_TRUE(s["baselines"]["random_walk"]["coverage_90"].is_number()) << name;
      EXPECT_TRUE(s["baselines"]["last_value"]["crps"].is_number()) << name;
      const double c90 = s["coverage_90"].get<double>();
      EXPECT_GE(c90, 0.0);
      EXPECT_LE(c90, 1.0);
    }
}

TEST(ForecastCheckCli, json_is_identical_for_one_and_two_threads_and_the_page_is_written) {
  const auto page = temp_path("forecast_check.html");
  const Result one = run_cli(kShort + " --threads 1 --json");
  const Result two = run_cli(kShort + " --threads 2 --json --report " + page.string());
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(one.out, two.out);
  const std::string html = slurp(page);
  std::filesystem::remove(page);
  EXPECT_NE(html.find("uPlot"), std::string::npos);
  EXPECT_NE(html.find("\"horizons\""), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);  // self-contained
}

// The margin-driven network, refitted at each origin on the four years before it: the same numbers for any
// thread count, and the JSON names the model.
TEST(ForecastCheckCli, margin_driven_runs_and_is_the_same_on_one_and_two_threads) {
  const std::string args = "forecast-check " + kHistoryCsv +
                           " --hashrate-model margin_driven --from 2021-01-01 --to 2021-03-01 --horizons 1,3 --paths 40 --json";
  const Result one = run_cli(args + " --threads 1");
  const Result two = run_cli(args + " --threads 2");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(one.out, two.out);
  const auto j = nlohmann::json::parse(one.out);
  EXPECT_EQ(j["settings"]["hashrate_model"], "margin_driven");
  EXPECT_EQ(j["origins"], 3);
  EXPECT_GT(j["horizons"][0]["series"]["hashrate"]["n"].get<int>(), 0);
}

TEST(ForecastCheckCli, bad_options_exit_2_naming_the_option) {
  Result r = run_cli("forecast-check " + kHistoryCsv + " --hashrate-model endogenous");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--hashrate-model"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("exogenous or margin_driven"), std::string::npos) << r.err;
  r = run_cli("forecast-check " + kHistoryCsv + " --hashrate-model margin_driven --asic-list /nonexistent/asics.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/asics.csv"), std::string::npos) << r.err;
  r = run_cli("forecast-check " + kHistoryCsv + " --from 2030-01-01 --to 2030-06-01");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--from"), std::string::npos) << r.err;
  r = run_cli("forecast-check " + kHistoryCsv + " --horizons 0,3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--horizons"), std::string::npos) << r.err;
  r = run_cli("forecast-check " + kHistoryCsv + " --price-model nonsense");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--price-model"), std::string::npos) << r.err;
}

}  // namespace
