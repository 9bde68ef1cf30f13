// End-to-end tests of `hashpivot options --american-put`: the JSON contract, the check against the
// tree that users can rerun, determinism, and bad input (exit 2, naming the flag).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/cli_runner.hpp"

namespace {

using namespace hashpivot::testing;
using Result = CliResult;

// Longstaff & Schwartz (2001) Table 1, first row: S = 36, K = 40, r = 0.06, σ = 0.2, T = 1.
const std::string kPut = "options --american-put --spot 36 --strike 40 --rate 0.06 --vol 0.2 --maturity 1";

TEST(OptionsCli, american_put_json_has_value_se_and_the_tree_beside_it) {
  const auto j = json_output(run_cli(kPut + " --paths 20000 --fit-paths 20000 --json"));
  const double value = j.at("value").get<double>();
  const double se = j.at("se").get<double>();
  const double tree = j.at("tree").get<double>();
  EXPECT_NEAR(tree, 4.4867, 2e-4);  // the converged American value (the paper's FD: 4.478)
  // The same 50 exercise dates as the LSM: what it estimates, less the regression rule's bias.
  const double bermudan = j.at("tree_bermudan").get<double>();
  EXPECT_NEAR(bermudan, 4.4779, 5e-4);
  EXPECT_LE(value, bermudan + 3 * se);
  EXPECT_GE(value, bermudan - 3 * se - 0.012);
  EXPECT_GT(se, 0.0);
  EXPECT_LT(se, 0.03);
  // Low-biased (Bermudan exercise, a regression rule): within 3 SE above, 3 SE + 0.02 below.
  EXPECT_LE(value, tree + 3 * se);
  EXPECT_GE(value, tree - 3 * se - 0.02);
  EXPECT_NEAR(j.at("european").get<double>(), 3.8443, 1e-4);
  EXPECT_NEAR(j.at("early_exercise_premium").get<double>(), value - j.at("european").get<double>(), 1e-12);
  EXPECT_NEAR(j.at("value_of_waiting").get<double>(), value - 4.0, 1e-12);
  EXPECT_FALSE(j.at("exercise_now").get<bool>());
  EXPECT_EQ(j.at("paths"), 20000);
  EXPECT_EQ(j.at("fit_paths"), 20000);
  EXPECT_EQ(j.at("exercise_dates"), 50);
  EXPECT_EQ(j.at("seed"), 1);
  EXPECT_TRUE(j.at("in_sample").at("value").is_number());
  EXPECT_TRUE(j.at("in_sample").at("se").is_number());
  ASSERT_EQ(j.at("boundary").at("t").size(), 50u);
  ASSERT_EQ(j.at("boundary").at("spot").size(), 50u);
  EXPECT_NEAR(j.at("boundary").at("t").back().get<double>(), 1.0, 1e-12);
  EXPECT_NEAR(j.at("boundary").at("spot").back().get<double>(), 40.0, 0.05);
  EXPECT_EQ(j.at("boundary").at("exercise").front(), "below");
}

TEST(OptionsCli, american_put_text_names_every_reference) {
  const Result r = run_cli(kPut + " --paths 4000 --fit-paths 4000 --steps-per-year 20");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* expected : {"LSM value", "LSM in-sample", "tree, American", "tree, Bermudan", "European (Black-Scholes)",
                               "early exercise premium", "value of waiting", "exercise boundary", "20 exercise dates"})
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
}

TEST(OptionsCli, same_seed_same_output_other_seed_other_value) {
  const std::string args = kPut + " --paths 4000 --fit-paths 4000 --json";
  const Result a = run_cli(args + " --seed 5");
  const Result b = run_cli(args + " --seed 5");
  const Result c = run_cli(args + " --seed 6");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(nlohmann::json::parse(a.out).at("value"), nlohmann::json::parse(c.out).at("value"));
}

TEST(OptionsCli, deep_in_the_money_put_is_exercised_at_once) {
  const Result r = run_cli(
      "options --american-put --spot 20 --strike 40 --rate 0.06 --vol 0.2 --maturity 1 --paths 2000 --fit-paths 2000 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j.at("exercise_now").get<bool>());
  EXPECT_DOUBLE_EQ(j.at("value").get<double>(), 20.0);
  EXPECT_LT(j.at("value_of_waiting").get<double>(), 0.0);
}

void expect_bad_flag(const std::string& args, const std::string& flag) {
  SCOPED_TRACE(args);
  const Result r = run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find(flag), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(OptionsCli, bad_numbers_exit_2_naming_the_flag) {
  const std::string base = "options --american-put --strike 40 --rate 0.06 --maturity 1 --paths 1000";
  expect_bad_flag(base + " --spot 36 --vol -0.2", "--vol");
  expect_bad_flag(base + " --spot 36 --vol 0", "--vol");
  expect_bad_flag(base + " --spot 0 --vol 0.2", "--spot");
  expect_bad_flag(base + " --spot -5 --vol 0.2", "--spot");
  expect_bad_flag("options --american-put --spot 36 --strike 40 --rate 0.06 --vol 0.2 --maturity 0", "--maturity");
  expect_bad_flag("options --american-put --spot 36 --strike 40 --rate 0.06 --vol 0.2 --maturity -1", "--maturity");
  expect_bad_flag("options --american-put --spot 36 --strike 0 --rate 0.06 --vol 0.2 --maturity 1", "--strike");
  expect_bad_flag("options --american-put --spot 36 --strike 40 --rate 6 --vol 0.2 --maturity 1", "--rate");
  expect_bad_flag("options --american-put --spot 36 --strike 40 --rate 0.06 --vol 0.2 --maturity 1 --spot abc", "--spot");
  expect_bad_flag("options --american-put --spot 36 --strike 40 --rate 0.06 --vol 0.2 --maturity 1 --paths 0", "--paths");
  expect_bad_flag(kPut + " --steps-per-year 0", "--steps-per-year");
}

TEST(OptionsCli, missing_contract_flags_exit_2_naming_the_flag) {
  expect_bad_flag("options --american-put --spot 36 --rate 0.06 --vol 0.2 --maturity 1", "--strike");
  expect_bad_flag("options --american-put --spot 36 --strike 40 --rate 0.06 --maturity 1", "--vol");
}

TEST(OptionsCli, without_a_mode_it_explains_what_exists) {
  const Result r = run_cli("options");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--american-put"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--site"), std::string::npos) << r.err;
}

// ---- The real options of a scenario's site ---------------------------------------------------

const std::string kCango = std::string(HASHPIVOT_SCENARIOS_DIR) + "/cango.toml";
const std::string kSmall = " --paths 300 --fit-paths 300";

TEST(OptionsCli, site_json_has_the_documented_shape_and_consistent_values) {
  const auto j = json_output(run_cli("options " + kCango + " --site georgia --json" + kSmall));
  EXPECT_EQ(j.at("site"), "georgia");
  EXPECT_EQ(j.at("paths"), 300);
  EXPECT_EQ(j.at("fit_paths"), 300);
  EXPECT_EQ(j.at("seed"), 20260201);  // the scenario's seed by default
  EXPECT_EQ(j.at("months"), 60);
  const auto& c = j.at("convert");
  EXPECT_EQ(c.at("mw"), 15.0);  // the scenario's pivot_mw on georgia
  const double value = c.at("value").get<double>();
  const double now = c.at("convert_now").get<double>();
  const double cont = c.at("continuation").get<double>();
  EXPECT_TRUE(value == now || value == cont);
  EXPECT_NEAR(c.at("waiting").get<double>(), value - std::max(0.0, now), 1e-6 * std::abs(value) + 1e-9);
  // A zero SE only when the rule never converts on the valued paths (as on Cango: converting is
  // worth about −$50M), and then the option is worth exactly nothing over mining on.
  const double se = c.at("se").get<double>();
  EXPECT_GE(se, 0.0);
  if (se == 0.0) {
    EXPECT_EQ(value, 0.0);
  }
  EXPECT_TRUE(c.at("in_sample").at("value").is_number());
  ASSERT_EQ(c.at("boundary").size(), 60u);
  EXPECT_EQ(c.at("boundary").front().at("month"), "2026-02");
  EXPECT_TRUE(c.at("boundary").front().contains("hashprice_usd_per_ph_day"));
  const auto& s = j.at("shutdown");
  EXPECT_NEAR(s.at("value").get<double>(), s.at("flexible").get<double>() - s.at("always_running").get<double>(),
              1e-6 * std::abs(s.at("always_running").get<double>()));
  EXPECT_EQ(s.at("boundary").size(), 60u);
  EXPECT_EQ(s.at("shutdown_usd_per_mw"), 3000.0);
}

TEST(OptionsCli, site_without_conversion_values_the_shutdown_option_only) {
  Result r = run_cli("options " + kCango + " --site hosted --json" + kSmall);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j.at("convert").is_null());
  EXPECT_NE(j.at("convert_note").get<std::string>().find("no [sites.conversion]"), std::string::npos);
  EXPECT_TRUE(j.at("shutdown").at("value").is_number());
  r = run_cli("options " + kCango + " --site hosted" + kSmall);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("only the shut-down option"), std::string::npos) << r.out;
}

TEST(OptionsCli, site_text_names_values_units_and_boundaries) {
  const Result r = run_cli("options " + kCango + " --site georgia" + kSmall);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* expected : {"option to convert ($M)", "convert now ($M)", "value of waiting ($M)",
                               "value of the flexibility ($M)", "USD/PH/day", "2026-02", "2030-12"})
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
}

TEST(OptionsCli, site_same_seed_same_output_for_any_thread_count) {
  const Result a = run_cli("options " + kCango + " --site georgia --json --seed 3 --threads 1" + kSmall);
  const Result b = run_cli("options " + kCango + " --site georgia --json --seed 3 --threads 3" + kSmall);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST(OptionsCli, unknown_site_exits_2_naming_it_and_the_known_ones) {
  const Result r = run_cli("options " + kCango + " --site texas" + kSmall);
  EXPECT_EQ(r.exit_code, 2);
  // The valuation names its parameter "site"; the command prints the flag the user typed.
  EXPECT_NE(r.err.find("command line: --site: no site named \"texas\""), std::string::npos) << r.err;
  for (const char* expected : {"hosted", "georgia"}) EXPECT_NE(r.err.find(expected), std::string::npos) << expected << "\n" << r.err;
  EXPECT_TRUE(r.out.empty());
}

// A calibration parameter outside its domain (a stay probability of 1.5): exit 2 naming the
// calibration file and the parameter's key in it, not an internal error.
TEST(OptionsCli, a_bad_calibration_parameter_exits_2_naming_its_file_and_key) {
  const std::string data_calibration = std::string(HASHPIVOT_TEST_DATA_DIR) + "/calibration/halving_2024_market.toml";
  std::string calibration = slurp(data_calibration);
  const std::size_t section = calibration.find("[market.btc_price.regime_switching]");
  const std::size_t key = calibration.find("p_stay_bull_daily = ", section);
  ASSERT_NE(key, std::string::npos);
  const std::size_t value = key + std::string("p_stay_bull_daily = ").size();
  calibration.replace(value, calibration.find('\n', value) - value, "1.5");
  const auto calibration_path = temp_path("bad_calibration.toml");
  std::ofstream(calibration_path) << calibration;
  std::string scenario = slurp(kCango);
  const std::string relative = "../data/calibration/halving_2024_market.toml";
  ASSERT_NE(scenario.find(relative), std::string::npos);
  scenario.replace(scenario.find(relative), relative.size(), calibration_path.string());
  const auto scenario_path = temp_path("bad_calibration_scenario.toml");
  std::ofstream(scenario_path) << scenario;
  const Result r = run_cli("options " + scenario_path.string() + " --site georgia --json" + kSmall);
  std::filesystem::remove(calibration_path);
  std::filesystem::remove(scenario_path);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(calibration_path.string() + ": market.btc_price.regime_switching.p_stay_bull_daily:"),
            std::string::npos)
      << r.err;
}

TEST(OptionsCli, bad_site_flags_exit_2_naming_the_flag) {
  expect_bad_flag("options " + kCango + " --site georgia --mw 100" + kSmall, "--mw");
  expect_bad_flag("options " + kCango + " --site georgia --mw -1" + kSmall, "--mw");
  expect_bad_flag("options " + kCango + " --site hosted --mw 5" + kSmall, "--mw");
  expect_bad_flag("options " + kCango + " --site georgia --restart-usd-per-mw -5" + kSmall, "--restart-usd-per-mw");
  expect_bad_flag("options " + kCango + kSmall, "--site");
  expect_bad_flag("options --site georgia" + kSmall, "SCENARIO");
}

}  // namespace
