// The outputs generated from the metric table: a strategy's JSON in the shape `run --json` has
// always had, and the human tables.

#include "hashpivot/report/strategy_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace hashpivot::report {
namespace {

/// Every metric a different value: 1, 2, 3, … in table order, scaled.
io::StrategySummary numbered(const std::string& name, double scale) {
  io::StrategySummary s;
  s.strategy = name;
  for (std::size_t i = 0; i < sim::kMetricCount; ++i) s.values[i] = scale * static_cast<double>(i + 1);
  return s;
}

// The shape written by hand before the metric table (keys and nesting), with the metrics added since.
TEST(StrategyJson, has_the_shape_of_run_json) {
  const nlohmann::json expected = {
      {"name", "hold"},
      {"p_default", 1.0},
      {"p_default_se", 2.0},
      {"npv_usd",
       {{"mean", 3.0}, {"se", 4.0}, {"p5", 5.0}, {"p25", 6.0}, {"p50", 7.0}, {"p75", 8.0}, {"p95", 9.0}, {"se_plain", 52.0}}},
      {"cvar5_usd", 10.0},
      {"btc_mined", {{"mean", 11.0}, {"se", 12.0}}},
      {"btc_held_end", {{"mean", 13.0}, {"se", 14.0}}},
      {"cost_per_btc_usd", {{"cash", 15.0}, {"all_in", 16.0}, {"energy", 29.0}, {"fixed_hosting", 30.0}, {"other", 31.0}}},
      {"hashcost_usd_per_ph_day", 17.0},
      {"ebitda_usd_per_year", {{"mean", 18.0}}},
      {"npv_vs_first_usd", {{"mean", 19.0}, {"ci95", {20.0, 21.0}}, {"p_better", 22.0}}},
      {"btc_sold", {{"mean", 23.0}, {"se", 24.0}}},
      {"p_margin_call", 25.0},
      {"p_margin_call_se", 26.0},
      {"running_fraction", 27.0},
      {"curtailed_mwh", {{"mean", 28.0}}},
      {"slippage_usd", {{"mean", 32.0}}},
      {"machines_bought", {{"mean", 33.0}}},
      {"machines_sold", {{"mean", 34.0}}},
      {"net_worth_survivors_usd", {{"p5", 35.0}, {"cvar5", 36.0}}},
      {"hedge_pnl_usd", {{"mean", 37.0}, {"se", 38.0}}},
      {"npv_per_share_usd",
       {{"mean", 39.0}, {"se", 40.0}, {"p5", 41.0}, {"p25", 42.0}, {"p50", 43.0}, {"p75", 44.0}, {"p95", 45.0}}},
      {"shares_issued", {{"mean", 46.0}, {"p50", 47.0}, {"p95", 48.0}}},
      {"margin_posted_usd", {{"mean", 49.0}, {"p95", 50.0}}},
      {"refinancings", {{"mean", 51.0}}},
  };
  EXPECT_EQ(strategy_json(numbered("hold", 1)), expected) << strategy_json(numbered("hold", 1)).dump(2);
}

TEST(StrategyJson, unknown_values_are_null_and_keep_their_place) {
  io::StrategySummary s = numbered("hold", 1);
  s[sim::metric_index("npv_vs_first_ci95_low_usd")] = std::numeric_limits<double>::quiet_NaN();
  s[sim::metric_index("btc_sold_mean_btc")] = std::numeric_limits<double>::infinity();
  const nlohmann::json j = strategy_json(s);
  EXPECT_TRUE(j["npv_vs_first_usd"]["ci95"][0].is_null());
  EXPECT_EQ(j["npv_vs_first_usd"]["ci95"][1], 21.0);
  EXPECT_TRUE(j["btc_sold"]["mean"].is_null());
}

TEST(StrategyTable, a_row_per_shown_metric_a_column_per_strategy) {
  const std::vector<io::StrategySummary> strategies = {numbered("hold", 1e6), numbered("sell", 2e6)};
  const TextTable table = strategy_table(strategies);
  EXPECT_EQ(table.header, (std::vector<std::string>{"", "hold", "sell"}));
  std::vector<std::string> labels;
  for (const auto& row : table.rows) {
    ASSERT_EQ(row.size(), 3u);
    labels.push_back(row.front());
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"P(default)", "NPV to equity, mean ($M)", "  standard error ($M)",
                                              "  median ($M)", "  95th percentile ($M)", "BTC mined",
                                              "BTC held at the horizon",
                                              "Cash cost per BTC mined ($)", "All-in cost per BTC mined ($)",
                                              "Hashcost ($/PH/day)", "EBITDA per year ($M)",
                                              "BTC sold over the horizon", "P(at least one margin call)",
                                              "Running fraction (after curtailment)", "Curtailed MWh over the horizon",
                                              "Cash cost per BTC: energy, net of credits ($)",
                                              "Cash cost per BTC: fixed hosting ($)",
                                              "Cash cost per BTC: other, site opex ($)",
                                              "Slippage on BTC sales ($M)", "Machines bought (refresh)",
                                              "Machines sold (replaced)",
                                              "Net worth if it survives: 5th percentile ($M)",
                                              "  CVaR 5%: mean of the worst 5% ($M)", "NPV per share, mean ($)",
                                              "  median ($)", "Shares issued, mean"}));
  // p_default = 1e6 (a fraction, as a percentage), npv mean = 3e6 ($M), BTC sold = 23e6 (whole),
  // P(margin call) = 25e6 for "hold"; twice those for "sell".
  EXPECT_EQ(table.rows[0][1], "100000000.0%");
  EXPECT_EQ(table.rows[1][1], "3.0");
  EXPECT_EQ(table.rows[1][2], "6.0");
  EXPECT_EQ(table.rows[11][2], "46000000");
  EXPECT_EQ(table.rows[10][1], "18.0");
  // The survivors' net worth, 5th percentile and CVaR 5% (35e6 and 36e6 for "hold"), in $M.
  EXPECT_EQ(table.rows[table.rows.size() - 5][1], "35.0");
  EXPECT_EQ(table.rows[table.rows.size() - 4][1], "36.0");
  // NPV per share, mean (39e6, two decimals) and shares issued (46e6, whole).
  EXPECT_EQ(table.rows[table.rows.size() - 3][1], "39000000.00");
  EXPECT_EQ(table.rows.back()[1], "46000000");
}

// A scenario without shares: the per-share rows are unknown for every strategy and left out; known
// for one strategy, they show ("-" for the other).
TEST(StrategyTable, per_share_rows_unknown_for_every_strategy_are_left_out) {
  std::vector<io::StrategySummary> strategies = {numbered("hold", 1), numbered("sell", 2)};
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  for (io::StrategySummary& s : strategies) {
    s[sim::metric_index("npv_per_share_mean_usd")] = nan;
    s[sim::metric_index("npv_per_share_p50_usd")] = nan;
    s[sim::metric_index("shares_issued_mean")] = nan;
  }
  const std::vector<io::StrategySummary> known = {numbered("hold", 1)};
  const std::size_t full = strategy_table(known).rows.size();
  EXPECT_EQ(strategy_table(strategies).rows.size(), full - 3);
  strategies[1][sim::metric_index("npv_per_share_mean_usd")] = 4.25;
  const TextTable table = strategy_table(strategies);
  ASSERT_EQ(table.rows.size(), full - 2);
  EXPECT_EQ(table.rows.back(), (std::vector<std::string>{"NPV per share, mean ($)", "-", "4.25"}));
}

TEST(StrategyTable, later_strategies_against_the_first_with_the_interval_in_one_cell) {
  const std::vector<io::StrategySummary> strategies = {numbered("hold", 1e6), numbered("sell", 2e6),
                                                       numbered("convert", 3e6)};
  const TextTable table = against_first_table(strategies);
  EXPECT_EQ(table.header, (std::vector<std::string>{"", "mean ($M)", "95% CI ($M)", "P(better)"}));
  ASSERT_EQ(table.rows.size(), 2u);
  // sell: mean 19 × 2e6, CI [20, 21] × 2e6, P(better) 22 × 2e6.
  EXPECT_EQ(table.rows[0], (std::vector<std::string>{"sell", "38.0", "[40.0, 42.0]", "4400000000.0%"}));
  EXPECT_EQ(table.rows[1][0], "convert");
  EXPECT_TRUE(against_first_table({strategies.data(), 1}).rows.empty());
}

TEST(StrategyTable, text_aligns_columns_and_names_the_first_strategy) {
  const std::vector<io::StrategySummary> strategies = {numbered("hold", 1e6), numbered("a much longer name", 2e6)};
  const std::string text = comparison_text(strategies);
  EXPECT_NE(text.find("Against \"hold\" on the same paths"), std::string::npos) << text;
  // Every line of the strategy table is as long, and the long name has two spaces before it.
  const std::string table = text.substr(0, text.find("\n\n"));
  std::size_t begin = 0, lines = 0;
  const std::size_t width = table.find('\n');
  while (begin < table.size()) {
    const std::size_t end = std::min(table.find('\n', begin), table.size());
    EXPECT_EQ(end - begin, width) << table.substr(begin, end - begin);
    begin = end + 1;
    ++lines;
  }
  EXPECT_EQ(lines, 27u);  // the header and 26 metrics
  EXPECT_NE(table.find("  a much longer name\n"), std::string::npos) << table;
  EXPECT_EQ(comparison_text({strategies.data(), 1}).find("Against"), std::string::npos);
  EXPECT_EQ(table_text({{"", "x"}, {{"label", "-"}}}, 10, 4), std::string(10, ' ') + "   x\nlabel        -\n");
}

}  // namespace
}  // namespace hashpivot::report
