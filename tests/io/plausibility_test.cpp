// Plausibility warnings: valid values far outside what the world has seen are warned about at their
// file:line:key (each of the cases and the siblings), and the bundled scenarios, history and
// calibrations give none (so the bounds are not too tight).

#include "hashpivot/io/plausibility.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hashpivot/io/calibration_reader.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/market/history.hpp"
#include "support/test_scenario.hpp"

namespace hashpivot::io {
namespace {

namespace fs = std::filesystem;

const std::string kBundledHistory = std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv";

// A plausible miner (no warning): 10,000 S21 at a 40 MW site, 100 BTC, a sale of 50 BTC in a year.
std::string plausible_scenario(const std::string& market_lines = "") {
  return testing::s21_miner_toml(testing::scenario_toml("plausible", 2, 1000, 1), 40.0, market_lines) +
         testing::treasury_toml(100, 1e6, 0) +
         testing::strategy_toml("sell", "[[strategies.sales]]\ndate = 2027-02-01\nbtc = 50\n");
}

/// The line of the text's first `key`, counted from 1.
std::size_t line_of(const std::string& text, const std::string& key) {
  const auto at = text.find(key);
  EXPECT_NE(at, std::string::npos) << key;
  return static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

/// Every warning of scenario `text` (as a file) and of the files it names.
std::vector<InputWarning> warnings_of(const std::string& text) {
  const fs::path path = testing::write_temp_file("plausibility_test.toml", text);
  ScenarioInput input = read_scenario_input(path.string());
  fs::remove(path);
  for (const InputWarning& w : input.warnings) EXPECT_FALSE(w.source.empty());
  return input.warnings;
}

/// The one warning of `text`, which must name `field` at the line of `line_key` and contain `words`.
void expect_one_warning(const std::string& text, const std::string& field, const std::string& line_key,
                        const std::string& words) {
  const std::vector<InputWarning> found = warnings_of(text);
  ASSERT_EQ(found.size(), 1u) << (found.empty() ? "none" : found[0].message());
  EXPECT_EQ(found[0].field, field);
  EXPECT_EQ(found[0].line, line_of(text, line_key));
  EXPECT_NE(found[0].problem.find(words), std::string::npos) << found[0].problem;
}

TEST(Plausibility, the_plausible_test_scenario_has_no_warning) {
  EXPECT_TRUE(warnings_of(plausible_scenario()).empty());
}

TEST(Plausibility, a_btc_price_in_thousands_is_warned_with_the_range_and_the_hint) {
  const std::string text = replaced(plausible_scenario(), "btc_price_usd = 78702.39", "btc_price_usd = 78.70");
  expect_one_warning(text, "market.btc_price_usd", "btc_price_usd",
                     "78.7 is outside the plausible range 1,000–1,000,000 USD/BTC (a price in thousands of USD?)");
}

TEST(Plausibility, a_height_in_another_halving_era_than_the_start_date_is_warned) {
  // Height 0 in 2026: the 10-minute schedule puts 2026-02-01 at (6238 days + 0.24) x 144 = ~898,272
  // blocks, era 4; height 0 is era 0 (50 BTC).
  const std::string text = replaced(plausible_scenario(), "height = 934542", "height = 0");
  expect_one_warning(text, "market.height", "height = 0", "height 0 (halving era 0, subsidy 50 BTC)");
  const std::string message = warnings_of(text)[0].problem;
  EXPECT_NE(message.find("(era 4)"), std::string::npos) << message;
  // 52,500 blocks either way is plausible: 934,542 is +36,000 off; 840,000 (era 4's first) is -58,000.
  EXPECT_EQ(warnings_of(replaced(plausible_scenario(), "height = 934542", "height = 940000")).size(), 0u);
  EXPECT_EQ(warnings_of(replaced(plausible_scenario(), "height = 934542", "height = 1000000")).size(), 1u);
}

TEST(Plausibility, a_sale_of_more_btc_than_the_firm_can_have_is_warned) {
  // 100 BTC held; 10,000 S21 (2 EH/s) of 866.2 EH/s mine 2/866.2 x 144 x (3.125 + 0.019) = ~1.05 BTC a
  // day, ~383 BTC in the year to the sale: ~483 BTC at most.
  const std::string text = replaced(plausible_scenario(), "btc = 50\n", "btc = 1000000\n");
  expect_one_warning(text, "strategies[1].sales[1].btc", "btc = 1000000", "1,000,000 BTC sold by 2027-02-01");
  EXPECT_TRUE(warnings_of(replaced(plausible_scenario(), "btc = 50\n", "btc = 450\n")).empty());
  EXPECT_EQ(warnings_of(replaced(plausible_scenario(), "btc = 50\n", "btc = 520\n")).size(), 1u);
}

TEST(Plausibility, a_block_bootstrap_over_earlier_halving_eras_is_warned) {
  const std::string text = plausible_scenario("btc_price_model = \"block_bootstrap\"\nhistory = \"" + kBundledHistory + "\"");
  // The bundled history's first price is 2010-07-18 (era 0); 2026-02-01 is in era 4 (from 2024-04-20).
  expect_one_warning(text, "market.history", "history =",
                     "from 2010-07-18 to 2026-01-31: 5 is outside the plausible range 1 halving era(s) spanned");
  EXPECT_NE(warnings_of(text)[0].problem.find("give a history that starts on or after 2024-04-20"), std::string::npos);
}

TEST(Plausibility, the_siblings_of_a_wrong_unit_are_warned_at_their_keys) {
  const std::string base = plausible_scenario();
  expect_one_warning(replaced(base, "power_price_usd_per_mwh = 40", "power_price_usd_per_mwh = 4"),
                     "sites[1].power_price_usd_per_mwh", "power_price_usd_per_mwh", "(a price in cents/kWh?)");
  expect_one_warning(replaced(base, "capacity_mw = 40", "capacity_mw = 40000"), "sites[1].capacity_mw", "capacity_mw",
                     "a capacity in kW?");
  // A hashrate in PH/s read as TH/s: 3500 W for 2 TH/s.
  expect_one_warning(replaced(base, "hashrate_th = 200", "hashrate_th = 2"), "machines[1].power_w", "power_w",
                     "1,750 is outside the plausible range 8–300 J/TH");
  expect_one_warning(replaced(base, "fees_btc_per_block = 0.019", "fees_btc_per_block = 25"),
                     "market.fees_btc_per_block", "fees_btc_per_block", "a day's fees, or sat?");
  // 866.2 EH/s in PH/s would be an error (over 100,000); in ZH/s, 0.8662:
  const std::string zh = replaced(base, "network_hashrate_ehs = 866.2", "network_hashrate_ehs = 0.8662");
  const std::vector<InputWarning> found = warnings_of(zh);
  ASSERT_EQ(found.size(), 2u);  // the hashrate, and the bits against it (1,046 EH/s is 1,208x 0.8662)
  EXPECT_EQ(found[0].field, "market.network_hashrate_ehs");
  EXPECT_EQ(found[1].field, "market.bits");
  // bits 0x1701fca1 is difficulty 1.4616e14: x 2^32 / 600 s = 1,046 EH/s against 866.2: plausible.
  expect_one_warning(replaced(base, "bits = \"0x1701fca1\"", "bits = \"0x1d00ffff\""), "market.bits", "bits",
                     "as a ratio");
  expect_one_warning(replaced(base, "horizon_years = 2", "horizon_years = 10"), "scenario.horizon_years",
                     "horizon_years", "10 is outside the plausible range 1–8 years");
  expect_one_warning(replaced(base, "paths = 1000", "paths = 10"), "scenario.paths", "paths = 10",
                     "too few for the probabilities to mean much");
}

TEST(Plausibility, a_calibrated_drift_of_a_broken_history_is_warned) {
  const std::string text = "[market.btc_price.gbm]\nmu_annual = 74.6\nsigma_annual = 0.45\n\n"
                           "[market.hashrate.exogenous]\ndrift_annual = 0.14\nsigma_annual = 30\n";
  const fs::path path = testing::write_temp_file("plausibility_calibration.toml", text);
  std::vector<InputWarning> found;
  (void)read_calibration_toml(path.string(), found);
  fs::remove(path);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].field, "market.btc_price.gbm.mu_annual");
  EXPECT_EQ(found[0].line, 2u);
  EXPECT_NE(found[0].problem.find("74.6 is outside the plausible range -3–3 per year"), std::string::npos)
      << found[0].problem;
  EXPECT_EQ(found[1].field, "market.hashrate.exogenous.sigma_annual");
  EXPECT_EQ(found[1].line, 7u);
}

// The network's daily shock: the margin-driven fleet's sigma_per_day at 0.2 is warned where it stands
// (file, line, key); the fitted 0.0165 and the bound 0.1 are not.
TEST(Plausibility, a_network_daily_shock_that_kills_the_simulated_network_is_warned) {
  const auto warnings_for = [](const std::string& sigma) {
    const std::string text = "[market.hashrate.margin_driven]\npower_price_median_usd_per_mwh = 21.5\n"
                             "sigma_per_day = " + sigma + "\n";
    const fs::path path = testing::write_temp_file("plausibility_calibration.toml", text);
    std::vector<InputWarning> found;
    (void)read_calibration_toml(path.string(), found);
    fs::remove(path);
    return found;
  };
  const std::vector<InputWarning> found = warnings_for("0.2");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].field, "market.hashrate.margin_driven.sigma_per_day");
  EXPECT_EQ(found[0].line, 3u);
  EXPECT_NE(found[0].problem.find("0.2 is outside the plausible range"), std::string::npos) << found[0].problem;
  EXPECT_TRUE(warnings_for("0.0165").empty());
  EXPECT_TRUE(warnings_for("0.1").empty());
}

TEST(Plausibility, the_bundled_scenarios_history_and_calibrations_give_no_warning) {
  std::size_t scenarios = 0;
  for (const auto& entry : fs::directory_iterator(HASHPIVOT_SCENARIOS_DIR)) {
    if (entry.path().extension() != ".toml") continue;
    ++scenarios;
    for (const InputWarning& w : read_scenario_input(entry.path().string()).warnings) ADD_FAILURE() << w.message();
  }
  EXPECT_GE(scenarios, 3u);
  for (const auto& entry : fs::directory_iterator(std::string(HASHPIVOT_TEST_DATA_DIR) + "/calibration")) {
    std::vector<InputWarning> found;
    (void)read_calibration_toml(entry.path().string(), found);
    for (const InputWarning& w : found) ADD_FAILURE() << w.message();
  }
  for (const char* name : {"btc_daily_history_coinmetrics_format.csv", "btc_daily_inputs.csv"}) {
    const market::DailyHistory history =
        market::read_daily_history_csv(std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/" + name);
    EXPECT_GT(history.days(), 5000u);
    for (const InputWarning& w : history.warnings) ADD_FAILURE() << w.message();
  }
}

TEST(Plausibility, docs_list_every_range_of_the_table) {
  std::ifstream in(std::string(HASHPIVOT_SCENARIOS_DIR) + "/../docs/scenario.md");
  std::stringstream docs;
  docs << in.rdbuf();
  for (const PlausibleRange& range : kPlausibleRanges)
    EXPECT_NE(docs.str().find("| `" + std::string(range.key) + "` |"), std::string::npos) << range.key;
}

}  // namespace
}  // namespace hashpivot::io
