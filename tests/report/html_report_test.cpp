// The HTML report: self-contained, every number of the run in its table, and, in headless
// Chromium, a page that loads without errors and draws data in every chart (with a screenshot).

#include "hashpivot/report/html_report.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
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

// The page in a real browser: it must load without a console error, draw data points in every
// chart, and leave a screenshot (build/tests/report_screenshot.png) for a person to look at.
TEST(HtmlReport, headless_chromium_loads_it_without_errors_and_every_chart_has_points) {
  const std::string chromium = find_chromium();
  if (chromium.empty()) GTEST_SKIP() << "no Chromium on PATH (scripts/setup.sh installs Debian's chromium)";
  const io::RunRecord record = make_record();
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
