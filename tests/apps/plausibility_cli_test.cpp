// Plausibility warnings through the command line: each of the cases prints a located
// warning and goes on (exit 0), --strict makes it an error (exit 2, still located); a run records
// its warnings (runs show, --json, the HTML report); a bundled scenario prints none.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/cli_runner.hpp"
#include "support/test_scenario.hpp"

namespace hashpivot {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::run_cli;

// A small plausible miner (no warning): 10,000 S21 at a 40 MW site, 100 BTC, a sale of 50 BTC.
std::string plausible_scenario(const std::string& market_lines = "") {
  return testing::s21_miner_toml(testing::scenario_toml("plausibility", 1, 200, 7), 40.0, market_lines) +
         testing::treasury_toml(100, 1e6, 0) +
         testing::strategy_toml("sell", "[[strategies.sales]]\ndate = 2026-06-01\nbtc = 50\n");
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::size_t line_of(const std::string& text, const std::string& key) {
  const auto at = text.find(key);
  return static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1;
}

/// Runs `hashpivot run` on `text` without and with --strict: the first warns at `key`'s line and
/// exits 0, the second exits 2 with the same location as an error.
void expect_warned_then_refused(const std::string& text, const std::string& field, const std::string& line_key) {
  const std::string where =
      fmt::format("{}:{}: {}: ", testing::temp_path("run_scenario.toml").string(), line_of(text, line_key), field);
  const CliResult warned = testing::run_on_scenario("run", text, "--no-record");
  EXPECT_EQ(warned.exit_code, 0) << warned.err;
  EXPECT_NE(warned.err.find("hashpivot: warning: " + where), std::string::npos) << warned.err;
  const CliResult refused = testing::run_on_scenario("run", text, "--no-record --strict");
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("hashpivot: error: " + where), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--strict refuses implausible input"), std::string::npos) << refused.err;
  EXPECT_TRUE(refused.out.empty()) << refused.out;  // refused before the work starts
}

TEST(PlausibilityCli, a_plausible_scenario_prints_no_warning) {
  const CliResult r = testing::run_on_scenario("run", plausible_scenario(), "--no-record --strict");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST(PlausibilityCli, a_btc_price_in_thousands_warns_and_strict_refuses_it) {
  expect_warned_then_refused(replaced(plausible_scenario(), "btc_price_usd = 78702.39", "btc_price_usd = 78.70"),
                             "market.btc_price_usd", "btc_price_usd");
}

TEST(PlausibilityCli, a_height_of_another_era_warns_and_strict_refuses_it) {
  expect_warned_then_refused(replaced(plausible_scenario(), "height = 934542", "height = 0"), "market.height",
                             "height = 0");
}

TEST(PlausibilityCli, a_sale_larger_than_all_btc_held_warns_and_strict_refuses_it) {
  expect_warned_then_refused(replaced(plausible_scenario(), "btc = 50\n", "btc = 1000000\n"),
                             "strategies[1].sales[1].btc", "btc = 1000000");
}

TEST(PlausibilityCli, a_block_bootstrap_over_the_whole_history_warns_and_strict_refuses_it) {
  const std::string text =
      plausible_scenario("btc_price_model = \"block_bootstrap\"\nhistory = \"" + testing::kHistoryCsv + "\"");
  const std::string where = fmt::format("{}:{}: market.history: ", testing::temp_path("run_scenario.toml").string(),
                                        line_of(text, "history ="));
  const CliResult warned = testing::run_on_scenario("run", text, "--no-record");
  EXPECT_EQ(warned.exit_code, 0) << warned.err;
  EXPECT_NE(warned.err.find("hashpivot: warning: " + where + "block_bootstrap resamples"), std::string::npos)
      << warned.err;
  const CliResult refused = testing::run_on_scenario("run", text, "--no-record --strict");
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("hashpivot: error: " + where), std::string::npos) << refused.err;
}

TEST(PlausibilityCli, a_one_day_price_spike_in_a_history_warns_calibrate_and_strict_refuses_it) {
  // The bundled history with 2025-06-02's price set to 8.4e9: the warning names its line and column.
  std::ifstream in(testing::kHistoryCsv);
  std::string text, line;
  std::size_t spike_line = 0, number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.starts_with("2025-06-02,")) {
      const auto first = line.find(',');
      line = line.substr(0, first + 1) + "8400000000" + line.substr(line.find(',', first + 1));
      spike_line = number;
    }
    text += line + "\n";
  }
  ASSERT_GT(spike_line, 0u);
  const fs::path history = testing::temp_path("spike_history.csv");
  std::ofstream(history) << text;
  const std::string where = fmt::format("{}:{}:2: PriceUSD: ", history.string(), spike_line);
  const std::string args = history.string() + " --from 2024-04-20 --to 2026-01-31";
  const CliResult warned = run_cli("calibrate " + args);
  EXPECT_EQ(warned.exit_code, 0) << warned.err;
  EXPECT_NE(warned.err.find("hashpivot: warning: " + where + "8,400,000,000 is outside"), std::string::npos)
      << warned.err;
  EXPECT_NE(warned.err.find("daily log return"), std::string::npos) << warned.err;
  const CliResult refused = run_cli("calibrate --strict " + args);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find(fmt::format("hashpivot: error: {}:{}: PriceUSD: ", history.string(), spike_line)),
            std::string::npos)
      << refused.err;
  fs::remove(history);
}

TEST(PlausibilityCli, a_run_records_its_warnings_for_runs_show_json_and_the_report) {
  const std::string text = replaced(plausible_scenario(), "btc_price_usd = 78702.39", "btc_price_usd = 78.70");
  const fs::path db = testing::temp_path("plausibility_runs.sqlite");
  const fs::path report = testing::temp_path("plausibility_report.html");
  fs::remove(db);
  const CliResult r =
      testing::run_on_scenario("run", text, "--json --db " + db.string() + " --report " + report.string());
  const nlohmann::json j = testing::json_output(r);
  ASSERT_EQ(j["warnings"].size(), 1u);
  const std::string warning = j["warnings"][0];
  EXPECT_NE(warning.find(": market.btc_price_usd: 78.7 is outside the plausible range 1,000–1,000,000 USD/BTC"),
            std::string::npos)
      << warning;
  const CliResult show = run_cli("runs show 1 --db " + db.string());
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("  warnings   " + warning), std::string::npos) << show.out;
  const nlohmann::json shown = testing::json_output(run_cli("runs show 1 --json --db " + db.string()));
  EXPECT_EQ(shown["warnings"], j["warnings"]);
  const std::string html = testing::slurp(report);
  EXPECT_NE(html.find("<div class=\"warnings\" id=\"warnings\"><b>1 implausible input</b>"), std::string::npos);
  EXPECT_NE(html.find(warning), std::string::npos);
  // A run without warnings shows none: no box, an empty array, no line.
  const CliResult clean = testing::run_on_scenario(
      "run", plausible_scenario(), "--json --db " + db.string() + " --report " + report.string());
  EXPECT_TRUE(testing::json_output(clean)["warnings"].empty());
  EXPECT_EQ(testing::slurp(report).find("id=\"warnings\""), std::string::npos);
  EXPECT_EQ(run_cli("runs show 2 --db " + db.string()).out.find("warnings"), std::string::npos);
  fs::remove(db);
  fs::remove(report);
}

TEST(PlausibilityCli, the_bundled_scenarios_print_no_warning) {
  for (const char* name : {"cango.toml", "hydro_no_debt.toml", "levered_btc_backed.toml"}) {
    const CliResult r =
        run_cli(std::string("run ") + HASHPIVOT_SCENARIOS_DIR + "/" + name + " --paths 64 --no-record --strict");
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.err, "") << name;
  }
}

}  // namespace
}  // namespace hashpivot
