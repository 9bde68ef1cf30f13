// End-to-end tests of `hashpivot optimize`: the JSON contract, the optimum re-checked with
// `hashpivot run`, the declared ranges, the table, and bad input.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/cli_runner.hpp"
#include "support/temp_file.hpp"
#include "support/test_scenario.hpp"

namespace {

using namespace hashpivot::testing;

// Test inputs, not a calibrated case: a treasury of 1,000 BTC, a loan due on the last day, and a
// one-off sale on day 0 (tests/engine/optimizer_test.cpp derives its optimum in closed form).
std::string scenario_text(double sale_btc, const std::string& extra_strategy_lines = "") {
  return hashpivot::testing::sell_then_hold_toml(hashpivot::testing::scenario_toml("cli optimize", 1, 300, 9, "", 0),
                                                 0.5, 1000, 65e6, sale_btc, extra_strategy_lines);
}

const std::string kFlags = " --paths 300 --max-evaluations 12 --threads 2";

TEST(OptimizeCli, json_has_the_documented_keys_and_its_optimum_is_what_run_reports) {
  const TempFile file("optimize_json.toml", scenario_text(500));
  const std::string path = file.string();
  const auto j =
      json_output(run_cli("optimize " + path + " --vary sale_btc=1:999 --max-default-prob 0.1 --json" + kFlags));
  for (const char* key : {"strategy", "best", "objective", "objective_se", "p_default", "out_of_sample", "evaluations"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["strategy"], "sell_then_hold");
  ASSERT_TRUE(j["best"].contains("sale_btc"));
  EXPECT_TRUE(j["out_of_sample"].contains("objective"));
  EXPECT_TRUE(j["out_of_sample"].contains("p_default"));
  EXPECT_LE(j["evaluations"].get<int>(), 12);
  const double sale = j["best"]["sale_btc"].get<double>();
  EXPECT_GE(sale, 1.0);
  EXPECT_LE(sale, 999.0);
  if (j["constraint_satisfied"].get<bool>()) {
    EXPECT_LE(j["p_default"].get<double>(), 0.1);
  }

  // The reported optimum, written into the scenario and run by `hashpivot run` on the same seed and
  // paths, gives the same mean NPV and P(default): the optimizer's numbers are the engine's.
  const TempFile at_best_file("optimize_at_best.toml", scenario_text(sale));
  const std::string at_best = at_best_file.string();
  const auto rj = json_output(run_cli("run " + at_best + " --no-record --json --paths 300 --seed 9 --threads 1"));
  const double npv = rj["strategies"][0]["npv_usd"]["mean"].get<double>();
  EXPECT_NEAR(j["objective"].get<double>(), npv, 1e-9 * std::abs(npv));
  EXPECT_DOUBLE_EQ(j["p_default"].get<double>(), rj["strategies"][0]["p_default"].get<double>());
  // And the out-of-sample numbers are the same point on the next seed.
  const auto fj = json_output(run_cli("run " + at_best + " --no-record --json --paths 300 --seed 10 --threads 1"));
  const double fresh_npv = fj["strategies"][0]["npv_usd"]["mean"].get<double>();
  EXPECT_NEAR(j["out_of_sample"]["objective"].get<double>(), fresh_npv, 1e-9 * std::abs(fresh_npv));
}

// --variance-reduction: each evaluation is run --variance-reduction's; at the declared point (the same
// parameters either way) the mean NPV's SE is below the plain one, and the numbers are the run's.
TEST(OptimizeCli, variance_reduction_evaluates_as_run_does_with_a_smaller_se) {
  const TempFile file("optimize_vr.toml", scenario_text(500));
  const std::string path = file.string();
  const std::string args = "optimize " + path + " --vary sale_btc=1:999 --json --seed 9" + kFlags;
  const auto plain = json_output(run_cli(args));
  const auto reduced = json_output(run_cli(args + " --variance-reduction"));
  EXPECT_LT(reduced["declared"]["mean_npv_se_usd"].get<double>(), plain["declared"]["mean_npv_se_usd"].get<double>());
  const auto rj = json_output(
      run_cli("run " + path + " --no-record --json --paths 300 --seed 9 --threads 1 --variance-reduction"));
  EXPECT_EQ(reduced["declared"]["mean_npv_usd"], rj["strategies"][0]["npv_usd"]["mean"]);
  EXPECT_EQ(reduced["declared"]["mean_npv_se_usd"], rj["strategies"][0]["npv_usd"]["se"]);
}

TEST(OptimizeCli, without_vary_it_searches_the_declared_ranges_and_prints_the_table) {
  const TempFile file("optimize_declared.toml", scenario_text(500, "search.sale_btc = { low = 100, high = 900 }\n"));
  const std::string path = file.string();
  const auto j = json_output(run_cli("optimize " + path + " --json" + kFlags));
  EXPECT_EQ(j["ranges"]["sale_btc"][0].get<double>(), 100.0);
  EXPECT_EQ(j["ranges"]["sale_btc"][1].get<double>(), 900.0);
  const auto table = run_cli("optimize " + path + kFlags);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("declared"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("fresh paths"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("sale_btc [100, 900]"), std::string::npos) << table.out;
}

TEST(OptimizeCli, bad_input_exits_2_and_names_the_flag) {
  const TempFile file("optimize_bad.toml", scenario_text(500));
  const std::string path = file.string();
  const auto expect_bad = [&](const std::string& args, const std::string& flag) {
    const auto r = run_cli("optimize " + path + " " + args + kFlags);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(flag), std::string::npos) << args << "\n" << r.err;
  };
  expect_bad("", "--vary");                                 // no --vary and no declared ranges
  expect_bad("--vary sale_btc=5", "--vary");                // not LO:HI
  expect_bad("--vary sale_btc=9:2", "--vary");              // LO >= HI
  expect_bad("--vary pivot_mw=1:2", "pivot_mw");            // a parameter the strategy does not use
  expect_bad("--vary sale_btc=1:x", "--vary");
  expect_bad("--vary sale_btc=1:9 --objective cvar", "--objective");
  expect_bad("--vary sale_btc=1:9 --objective mean-cvar:2", "--objective");
  expect_bad("--vary sale_btc=1:9 --strategy nope", "--strategy");
  expect_bad("--vary sale_btc=1:9 --max-default-prob 1.5", "--max-default-prob");
}

}  // namespace
