// The HTML report: self-contained, every number of the run in its table, and, in headless
// Chromium, a page that loads without errors and draws data in every chart (with a screenshot).

#include "hashpivot/report/html_report.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>
#include <vector>
#include <sstream>
#include <string>

#include "support/test_scenario.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/io/run_record.hpp"
#include "hashpivot/sim/metrics.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/io/scenario_reader.hpp"

namespace hashpivot::report {
namespace {

// Test inputs, not a calibrated case: a small miner with a BTC-backed loan, two strategies.
const std::string kScenario =
    testing::s21_miner_toml(testing::scenario_toml("report test miner </script> & co", 2, 128, 5), 70) +
    testing::treasury_toml(100, 5e6, 10e6) + testing::btc_backed_debt_toml("loan", 20e6, 0.09, "2027-02-01", 450, 0.6) +
    testing::hold_and_sell_all_toml();

io::RunRecord make_record() {
  // One file per process: ctest runs these tests in parallel processes.
  const auto path = std::filesystem::temp_directory_path() / ("html_report_test_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << kScenario;
  const firm::Scenario scenario = io::read_scenario(path.string());
  std::filesystem::remove(path);
  const model::MarketModel market = io::load_market_model(scenario);
  const auto started = std::chrono::system_clock::now();
  const sim::RunResult result = sim::run_simulation(scenario, market, {128, 5, 2, {}});
  return io::make_run_record(scenario, kScenario, result, started, std::chrono::system_clock::now(), "test");
}

std::string attribute(const std::string& html, const std::string& name) {
  const std::string key = name + "=\"";
  const auto at = html.find(key);
  if (at == std::string::npos) return "";
  const auto end = html.find('"', at + key.size());
  return html.substr(at + key.size(), end - at - key.size());
}

TEST(HtmlReport, is_self_contained_and_carries_the_runs_numbers) {
  const io::RunRecord record = make_record();
  const std::string html = render_html(record);
  EXPECT_NE(html.find("uPlot"), std::string::npos);  // the chart library is inlined
  for (const char* external : {"src=\"http", "href=\"http", "src=\"//", "<link"})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  for (const io::StrategySummary& s : record.strategies) EXPECT_NE(html.find("<th>" + s.strategy + "</th>"), std::string::npos);
  // The scenario name is escaped in the page and cannot close the data script.
  EXPECT_NE(html.find("report test miner &lt;/script&gt; &amp; co"), std::string::npos);
  const auto data_at = html.find("<script id=\"hp-data\"");
  const auto data_end = html.find("</script>", data_at);
  EXPECT_EQ(html.substr(data_at, data_end - data_at).find("</"), std::string::npos);
  // The comparison table shows the run's probability of default, formatted as the table does.
  char p_default[32];
  std::snprintf(p_default, sizeof p_default, "%.1f%%", 100 * record.strategies[0][sim::metric_index("p_default")]);
  EXPECT_NE(html.find(p_default), std::string::npos) << p_default;
  // The metrics added by one row of the table each: their rows carry every strategy's value.
  const auto row_cells = [&](const std::string& label) {
    const auto at = html.find("<th>" + label + "</th>");
    return at == std::string::npos ? std::string() : html.substr(at, html.find("</tr>", at) - at);
  };
  const std::string sold = row_cells("BTC sold over the horizon");
  const std::string called = row_cells("P(at least one margin call)");
  ASSERT_FALSE(sold.empty());
  ASSERT_FALSE(called.empty());
  for (const io::StrategySummary& s : record.strategies) {
    char text[64];
    std::snprintf(text, sizeof text, "<td>%.0f</td>", s[sim::metric_index("btc_sold_mean_btc")]);
    EXPECT_NE(sold.find(text), std::string::npos) << text << " in " << sold;
    std::snprintf(text, sizeof text, "<td>%.1f%%</td>", 100 * s[sim::metric_index("p_margin_call")]);
    EXPECT_NE(called.find(text), std::string::npos) << text << " in " << called;
  }
  EXPECT_NE(html.find("95% CI ($M)"), std::string::npos);
}

TEST(HtmlReport, an_unrecorded_run_says_so_and_a_recorded_one_gives_its_id) {
  io::RunRecord record = make_record();
  ASSERT_EQ(record.run.id, 0);
  std::string html = render_html(record);
  EXPECT_NE(html.find("<p class=\"meta\">not recorded &middot;"), std::string::npos);
  EXPECT_EQ(html.find("<p class=\"meta\">run 0"), std::string::npos);
  record.run.id = 42;
  html = render_html(record);
  EXPECT_NE(html.find("<p class=\"meta\">run 42 &middot;"), std::string::npos);
}

// How the mean NPV was estimated is in the header: said only when variance reduction was on.
TEST(HtmlReport, the_header_says_when_the_mean_npv_was_variance_reduced) {
  io::RunRecord record = make_record();
  const std::string said = " paths (antithetic pairs, control variates) &middot;";
  record.run.variance_reduction = false;
  EXPECT_EQ(render_html(record).find(said), std::string::npos);
  record.run.variance_reduction.reset();  // an older record: unknown, nothing claimed
  EXPECT_EQ(render_html(record).find(said), std::string::npos);
  record.run.variance_reduction = true;
  EXPECT_NE(render_html(record).find(said), std::string::npos);
}

TEST(HtmlReport, the_inputs_are_summarized_and_the_file_is_kept_behind_a_details) {
  const io::RunRecord record = make_record();
  const std::string html = render_html(record);
  // 10,000 S21 of 200 TH/s at 3500 W: 2 EH/s at 17.5 J/TH, 35 MW; the site pays $70/MWh.
  EXPECT_NE(html.find("Fleet: <b>2 EH/s</b> at <b>17.5 J/TH</b> (hashrate-weighted), 35.0 MW at the meter."),
            std::string::npos);
  EXPECT_NE(html.find("<tr><th>site</th><td>40.0</td><td>fixed</td><td>70.00</td>"), std::string::npos);
  EXPECT_NE(html.find("<tr><th>loan</th><td>btc_backed</td><td>20.0</td><td>9.00%</td><td>2027-02-01</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<li><b>hold</b>: Keeps every BTC it mines;"), std::string::npos);
  EXPECT_NE(html.find("<li><b>sell_all</b>: Sells every BTC the day it is mined;"), std::string::npos);
  // The file as run, whole, but folded away.
  const auto details = html.find("<details id=\"scenario-text\">");
  ASSERT_NE(details, std::string::npos);
  EXPECT_GT(html.find("sell_all_mined", details), details);
}

TEST(HtmlReport, a_scenario_that_no_longer_reads_leaves_the_raw_file_and_a_note) {
  io::RunRecord record = make_record();
  record.scenario_text = "[scenario]\nname = 1\n";
  const std::string html = render_html(record);
  EXPECT_NE(html.find("id=\"inputs-unread\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"inputs-summary\""), std::string::npos);
  EXPECT_NE(html.find("name = 1"), std::string::npos);
}

TEST(HtmlReport, the_monthly_accounts_table_shows_each_months_means) {
  const io::RunRecord record = make_record();
  const std::string html = render_html(record);
  const auto accounts = html.find("<div id=\"accounts\">");
  ASSERT_NE(accounts, std::string::npos);
  EXPECT_NE(html.find("<th>mining_revenue ($M)</th>", accounts), std::string::npos);
  // The first strategy's first month: its mining revenue mean, in $M with two decimals.
  const io::MonthlyAccount* revenue = nullptr;
  for (const io::MonthlyAccount& a : record.monthly_accounts)
    if (revenue == nullptr && a.field == "mining_revenue_usd") revenue = &a;
  ASSERT_NE(revenue, nullptr);
  char cell[64];
  std::snprintf(cell, sizeof cell, "<td>%.2f</td>", revenue->mean / 1e6);
  const auto row = html.find("<tr><th>" + revenue->month + "</th>", accounts);
  ASSERT_NE(row, std::string::npos);
  EXPECT_NE(html.substr(row, html.find("</tr>", row) - row).find(cell), std::string::npos) << cell;
  for (const io::StrategySummary& s : record.strategies)
    EXPECT_NE(html.find("<summary>" + s.strategy + "</summary>", accounts), std::string::npos);
}

TEST(HtmlReport, the_page_data_carries_each_strategys_hashcost_and_the_axis_room) {
  const io::RunRecord record = make_record();
  const std::string html = render_html(record);
  const auto data_at = html.find('>', html.find("<script id=\"hp-data\"")) + 1;
  const nlohmann::json data = nlohmann::json::parse(html.substr(data_at, html.find("</script>", data_at) - data_at));
  EXPECT_EQ(data["layout"]["y_axis_min_size_px"], 72);
  ASSERT_EQ(data["strategies"].size(), record.strategies.size());
  for (std::size_t k = 0; k < record.strategies.size(); ++k)
    EXPECT_DOUBLE_EQ(data["strategies"][k]["hashcost_usd_per_ph_day"].get<double>(),
                     record.strategies[k][sim::metric_index("hashcost_usd_per_ph_day")]);
  // The charts are laid out for it: the default chart and the cost chart full width.
  EXPECT_NE(html.find("<div id=\"defaults\" class=\"wide\">"), std::string::npos);
  EXPECT_NE(html.find("<div id=\"cost\" class=\"wide\">"), std::string::npos);
}

TEST(HtmlReport, the_tail_rows_are_the_survivors_net_worth_and_npvs_own_tail_is_gone_from_the_table) {
  const io::RunRecord record = make_record();
  const std::string html = render_html(record);
  EXPECT_EQ(html.find("<th>&nbsp;&nbsp;5th percentile ($M)</th>"), std::string::npos);
  EXPECT_EQ(html.find("CVaR 5%: mean of worst 5%"), std::string::npos);
  const auto row = html.find("<th>Net worth if it survives: 5th percentile ($M)</th>");
  ASSERT_NE(row, std::string::npos);
  for (const io::StrategySummary& s : record.strategies) {
    char cell[64];
    std::snprintf(cell, sizeof cell, "<td>%.1f</td>", s[sim::metric_index("net_worth_survivors_p5_usd")] / 1e6);
    EXPECT_NE(html.substr(row, html.find("</tr>", row) - row).find(cell), std::string::npos) << cell;
  }
  EXPECT_NE(html.find("<th>&nbsp;&nbsp;CVaR 5%: mean of the worst 5% ($M)</th>"), std::string::npos);
}

/// The metrics of a run of `toml` (written to a temporary file and read as the CLI reads it).
std::vector<io::StrategySummary> summaries_of(const std::string& toml, std::int64_t paths) {
  const firm::Scenario scenario = testing::read_test_scenario("tail_test.toml", toml);
  const sim::RunResult result = sim::run_simulation(scenario, io::load_market_model(scenario), {paths, 3, 2, {}});
  const auto now = std::chrono::system_clock::now();
  return io::make_run_record(scenario, toml, result, now, now, "test").strategies;
}

// The survivors' net worth against NPV, its reference: where every path survives above water the two
// see the same values, so their tails are equal to the bit; where more than 5% of paths default, NPV's
// tail is 0 for every strategy and the survivors' net worth still tells the strategies apart.
TEST(SurvivorTail, equals_npvs_tail_when_all_survive_above_water_and_discriminates_when_many_default) {
  constexpr std::size_t kDefault = sim::metric_index("p_default");
  constexpr std::size_t kP5 = sim::metric_index("npv_p5_usd");
  constexpr std::size_t kCvar = sim::metric_index("cvar5_usd");
  constexpr std::size_t kSurvivorP5 = sim::metric_index("net_worth_survivors_p5_usd");
  constexpr std::size_t kSurvivorCvar = sim::metric_index("net_worth_survivors_cvar5_usd");
  // Test inputs: a debt-free S21 miner with cheap power (no default, nothing under water)...
  const std::string safe = testing::s21_miner_toml(testing::scenario_toml("safe", 2, 0, 3), 30) +
                           testing::treasury_toml(100, 50e6, 1e6) + testing::hold_and_sell_all_toml();
  for (const io::StrategySummary& s : summaries_of(safe, 512)) {
    ASSERT_EQ(s[kDefault], 0.0) << s.strategy;
    ASSERT_GT(s[kSurvivorCvar], 0.0) << s.strategy << ": some path ends under water; the inputs need retuning";
    EXPECT_EQ(s[kSurvivorP5], s[kP5]) << s.strategy;
    EXPECT_EQ(s[kSurvivorCvar], s[kCvar]) << s.strategy;
  }
  // ...and one that owes $40M a year in, more than it holds unless BTC rises.
  const std::string levered = testing::s21_miner_toml(testing::scenario_toml("levered", 2, 0, 3), 50) +
                              testing::treasury_toml(100, 5e6, 1e6) +
                              testing::term_debt_toml("bullet", 40e6, 0.08, "2027-02-01") + testing::hold_and_sell_all_toml();
  const std::vector<io::StrategySummary> strategies = summaries_of(levered, 512);
  for (const io::StrategySummary& s : strategies) {
    ASSERT_GT(s[kDefault], 0.05) << s.strategy << ": too few defaults; the inputs need retuning";
    ASSERT_LT(s[kDefault], 0.95) << s.strategy << ": too many defaults; the inputs need retuning";
    EXPECT_EQ(s[kP5], 0.0) << s.strategy;
    EXPECT_EQ(s[kCvar], 0.0) << s.strategy;
    ASSERT_TRUE(std::isfinite(s[kSurvivorP5])) << s.strategy;
    // The mean of the worst 5% is at most the 5th percentile (up to the sketch's 1% error).
    EXPECT_LE(s[kSurvivorCvar], s[kSurvivorP5] + 0.01 * std::abs(s[kSurvivorP5])) << s.strategy;
  }
  EXPECT_NE(strategies[0][kSurvivorP5], strategies[1][kSurvivorP5]);
  EXPECT_NE(strategies[0][kSurvivorCvar], strategies[1][kSurvivorCvar]);
}

TEST(HtmlReport, write_leaves_no_partial_file_when_the_folder_is_missing) {
  const io::RunRecord record = make_record();
  EXPECT_ANY_THROW(write_html_report(record, "/nonexistent-folder/report.html", "--html"));
  EXPECT_FALSE(std::filesystem::exists("/nonexistent-folder/report.html.partial"));
}

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    const std::string probe = std::string("command -v ") + name + " >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return name;
  }
  return "";
}

std::string run_capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) out += buffer.data();
  pclose(pipe);
  return out;
}

/// The attributes of every chart box (<div class="chart" data-…>) in the dumped DOM.
std::vector<std::map<std::string, std::string>> chart_boxes(const std::string& dom) {
  std::vector<std::map<std::string, std::string>> boxes;
  for (auto at = dom.find("<div class=\"chart\""); at != std::string::npos; at = dom.find("<div class=\"chart\"", at + 1)) {
    const std::string tag = dom.substr(at, dom.find('>', at) - at);
    std::map<std::string, std::string> attributes;
    for (auto key = tag.find(" data-"); key != std::string::npos; key = tag.find(" data-", key + 1)) {
      const auto eq = tag.find("=\"", key);
      const auto end = tag.find('"', eq + 2);
      attributes[tag.substr(key + 1, eq - key - 1)] = tag.substr(eq + 2, end - eq - 2);
    }
    boxes.push_back(std::move(attributes));
  }
  return boxes;
}

// The page in a real browser: it must load without a console error, draw data points in every
// chart, and leave a screenshot (build/tests/report_screenshot.png) for a person to look at.
TEST(HtmlReport, headless_chromium_loads_it_without_errors_and_every_chart_has_points) {
  const std::string chromium = find_chromium();
  if (chromium.empty()) GTEST_SKIP() << "no Chromium on PATH (scripts/setup.sh installs Debian's chromium)";
  io::RunRecord record = make_record();
  // The first strategy's equity spans six decades (a log scale), its cash less than one (linear).
  for (io::MonthlyQuantiles& q : record.monthly_quantiles) {
    if (q.strategy != record.strategies[0].strategy) continue;
    if (q.series == "equity_usd") std::tie(q.p5, q.p25, q.p50, q.p75, q.p95) = std::tuple(0.0, 1e5, 1e6, 1e7, 4e8);
    if (q.series == "cash_usd") std::tie(q.p5, q.p25, q.p50, q.p75, q.p95) = std::tuple(1e6, 1.2e6, 1.4e6, 1.6e6, 2e6);
  }
  const auto html_path = std::filesystem::absolute("report_test.html");
  write_html_report(record, html_path.string(), "--html");
  const auto profile = std::filesystem::temp_directory_path() / "hashpivot-chromium-profile";
  const std::string flags = " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir=" +
                            profile.string() + " --enable-logging=stderr --v=0 ";
  const auto log_path = std::filesystem::absolute("report_test_chromium.log");
  const std::string dom =
      run_capture(chromium + flags + "--dump-dom file://" + html_path.string() + " 2>" + log_path.string());
  std::ifstream log_file(log_path);
  std::stringstream log;
  log << log_file.rdbuf();
  ASSERT_FALSE(dom.empty()) << log.str();
  const std::string expected = attribute(dom, "data-charts-expected");
  const std::string drawn = attribute(dom, "data-charts-drawn");
  EXPECT_EQ(attribute(dom, "data-errors"), "0") << log.str();
  ASSERT_FALSE(expected.empty()) << "the page's script did not finish\n" << log.str();
  // 1 default-time chart + 4 series x 2 strategies + 2 market fans + 1 cost chart.
  EXPECT_EQ(expected, "12");
  EXPECT_EQ(drawn, expected);
  EXPECT_EQ(log.str().find(":CONSOLE("), std::string::npos) << log.str();
  // Every chart's y axis got its room (at least the page's minimum, wider for long labels), and the
  // scale chosen as the page says.
  const std::vector<std::map<std::string, std::string>> charts = chart_boxes(dom);
  ASSERT_EQ(std::to_string(charts.size()), expected);
  const std::string hold = record.strategies[0].strategy;
  int log_charts = 0;
  for (const auto& chart : charts) {
    ASSERT_TRUE(chart.contains("data-y-axis-size")) << chart.at("data-title");
    EXPECT_GE(std::stoi(chart.at("data-y-axis-size")), 72) << chart.at("data-title");
    if (chart.at("data-scale") == "log") ++log_charts;
    if (chart.at("data-title").starts_with(hold + ": Equity")) {
      EXPECT_EQ(chart.at("data-scale"), "log");
      // The floor, four decades under 4e8 (the dumped attribute may escape "<").
      EXPECT_NE(chart.at("data-title").find("(log; "), std::string::npos) << chart.at("data-title");
      EXPECT_NE(chart.at("data-title").find(" $40.0k shown at it)"), std::string::npos) << chart.at("data-title");
    }
    if (chart.at("data-title").starts_with(hold + ": Cash")) {
      EXPECT_EQ(chart.at("data-scale"), "linear");
    }
  }
  EXPECT_GE(log_charts, 1);

  const auto screenshot = std::filesystem::absolute("report_screenshot.png");
  std::filesystem::remove(screenshot);
  (void)run_capture(chromium + flags + "--window-size=1280,3000 --screenshot=" + screenshot.string() + " file://" +
                    html_path.string() + " 2>/dev/null");
  ASSERT_TRUE(std::filesystem::exists(screenshot));
  EXPECT_GT(std::filesystem::file_size(screenshot), 10'000u);
  std::filesystem::remove_all(profile);
}

}  // namespace
}  // namespace hashpivot::report
