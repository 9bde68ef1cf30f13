// End-to-end tests of `hashpivot run`: the JSON contract, the table, determinism across threads,
// bad input, and the bundled scenarios.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/test_scenario.hpp"
#include "apps/cli_runner.hpp"

namespace {

using namespace hashpivot::testing;
using Result = CliResult;

namespace t = hashpivot::testing;
const std::string kScenario = t::s21_miner_toml(t::scenario_toml("cli test miner", 2, 100000, 3), 45) +
                              t::treasury_toml(500, 20e6, 5e6) + t::term_debt_toml("term", 30e6, 0.1, "2027-06-01") +
                              t::hold_and_sell_all_toml();

TEST(RunCli, json_has_the_issue_keys_and_sane_values) {
  const auto j = json_output(run_on_scenario("run", kScenario, "--paths 300 --seed 9 --threads 2 --json --no-record"));
  EXPECT_EQ(j["seed"], 9);
  EXPECT_EQ(j["paths"], 300);
  ASSERT_EQ(j["strategies"].size(), 2u);
  for (const auto& s : j["strategies"]) {
    for (const char* key : {"name", "p_default", "npv_usd", "cvar5_usd", "btc_mined", "btc_held_end", "cost_per_btc_usd",
                            "hashcost_usd_per_ph_day", "btc_sold", "p_margin_call", "p_margin_call_se"})
      EXPECT_TRUE(s.contains(key)) << key;
    // The shapes of the first layout, unchanged.
    EXPECT_TRUE(s["hashcost_usd_per_ph_day"].is_number());
    ASSERT_TRUE(s["npv_vs_first_usd"]["ci95"].is_array());
    EXPECT_EQ(s["npv_vs_first_usd"]["ci95"].size(), 2u);
    EXPECT_EQ(s["npv_vs_first_usd"].size(), 3u);  // mean, ci95, p_better
    EXPECT_EQ(s["cost_per_btc_usd"].size(), 5u);  // cash, all_in; energy, fixed_hosting, other (schema 4)
    EXPECT_EQ(s["npv_usd"].size(), 8u);           // mean, se, p5 … p95, se_plain (schema 9)
    EXPECT_EQ(s["npv_usd"]["se_plain"], s["npv_usd"]["se"]);  // no variance reduction asked
    EXPECT_TRUE(s["btc_sold"]["mean"].is_number());
    EXPECT_TRUE(s["btc_sold"]["se"].is_number());
    // Only a term loan: no BTC-backed loan to call, on any path.
    EXPECT_EQ(s["p_margin_call"].get<double>(), 0.0);
    EXPECT_EQ(s["p_margin_call_se"].get<double>(), 0.0);
    for (const char* key : {"mean", "p5", "p50", "p95"}) EXPECT_TRUE(s["npv_usd"][key].is_number()) << key;
    EXPECT_TRUE(s["btc_mined"]["mean"].is_number());
    EXPECT_TRUE(s["btc_held_end"]["mean"].is_number());
    EXPECT_TRUE(s["cost_per_btc_usd"]["cash"].is_number());
    EXPECT_TRUE(s["cost_per_btc_usd"]["all_in"].is_number());
    const double p = s["p_default"];
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
    EXPECT_LE(s["npv_usd"]["p5"].get<double>(), s["npv_usd"]["p50"].get<double>());
    EXPECT_LE(s["npv_usd"]["p50"].get<double>(), s["npv_usd"]["p95"].get<double>());
    EXPECT_LE(s["cvar5_usd"].get<double>(), s["npv_usd"]["mean"].get<double>());
    EXPECT_GE(s["cost_per_btc_usd"]["all_in"].get<double>(), s["cost_per_btc_usd"]["cash"].get<double>());
  }
  // 10,000 S21 at 200 TH/s: 2 EH/s of the network's 866 EH/s, about 0.23% of ~52,600 blocks a year
  // of 3.125 BTC plus fees, for two years. A loose band around that arithmetic.
  const double mined = j["strategies"][0]["btc_mined"]["mean"];
  const double share = 2.0 / 866.2;
  const double expected_rough = share * 144 * 730 * 3.14;
  EXPECT_GT(mined, 0.6 * expected_rough);
  EXPECT_LT(mined, 1.2 * expected_rough);
  // The first strategy against itself.
  EXPECT_EQ(j["strategies"][0]["npv_vs_first_usd"]["mean"], 0.0);
  // sell_all sells every BTC it mines each day, and remedies may sell more: on every path the BTC
  // sold is at least the BTC mined, so the means too (up to rounding).
  const auto& sell_all = j["strategies"][1];
  ASSERT_EQ(sell_all["name"], "sell_all");
  EXPECT_GE(sell_all["btc_sold"]["mean"].get<double>(), sell_all["btc_mined"]["mean"].get<double>() * (1 - 1e-12));
  EXPECT_GT(sell_all["btc_sold"]["mean"].get<double>(), 0.0);
}

TEST(RunCli, output_is_identical_for_any_thread_count) {
  const auto path = write_temp_file("run_cli_threads.toml", kScenario);
  // Not recorded: a store would number the three runs differently.
  const Result one = run_cli("run " + path.string() + " --paths 600 --threads 1 --json --no-record");
  const Result two = run_cli("run " + path.string() + " --paths 600 --threads 2 --json --no-record");
  const Result three = run_cli("run " + path.string() + " --paths 600 --threads 3 --json --no-record");
  std::filesystem::remove(path);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(one.out, three.out);
}

// --variance-reduction: the JSON says so, and each strategy's npv_usd carries the reduced SE and the
// plain one of the same paths (the reduced one smaller); any thread count prints the same bytes;
// the table says what was done and how much it gained.
TEST(RunCli, variance_reduction_reports_both_standard_errors) {
  const auto path = write_temp_file("run_cli_vr.toml", kScenario);
  const std::string args = " --paths 600 --seed 4 --variance-reduction --json --no-record";
  const Result one = run_cli("run " + path.string() + args + " --threads 1");
  const Result two = run_cli("run " + path.string() + args + " --threads 2");
  const Result table = run_cli("run " + path.string() + " --paths 300 --variance-reduction --no-record");
  const Result plain = run_cli("run " + path.string() + " --paths 300 --no-record");
  std::filesystem::remove(path);
  const auto j = json_output(one);
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(j["variance_reduction"], true);
  for (const auto& s : j["strategies"]) {
    const double se = s["npv_usd"]["se"];
    const double se_plain = s["npv_usd"]["se_plain"];
    EXPECT_GT(se, 0.0) << s["name"];
    EXPECT_LT(se, se_plain) << s["name"];
  }
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("Variance reduction: antithetic pairs of paths and control variates"), std::string::npos)
      << table.out;
  EXPECT_EQ(plain.out.find("Variance reduction"), std::string::npos);
}

// A run is recorded in the store it is given, and its report can be written then or later.
TEST(RunCli, records_the_run_and_writes_the_report_now_or_from_the_store) {
  const auto path = write_temp_file("run_cli_record.toml", kScenario);
  const auto db = temp_path("run_cli_record.sqlite");
  const auto now_html = temp_path("run_cli_report_now.html");
  const auto later_html = temp_path("run_cli_report_later.html");
  for (const auto& p : {db, now_html, later_html}) std::filesystem::remove(p);
  const auto j = json_output(run_cli("run " + path.string() + " --paths 128 --json --db " + db.string() + " --report " +
                           now_html.string()));
  ASSERT_TRUE(j["run_id"].is_number_integer());
  const std::string id = std::to_string(j["run_id"].get<std::int64_t>());
  EXPECT_TRUE(std::filesystem::exists(now_html));
  const Result show = run_cli("runs show " + id + " --db " + db.string() + " --json");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("sell_all"), std::string::npos);
  const Result later = run_cli("report " + id + " --html " + later_html.string() + " --db " + db.string());
  ASSERT_EQ(later.exit_code, 0) << later.err;
  // The same record gives the same page, whether written at the run or from the store.
  EXPECT_EQ(hashpivot::testing::slurp(now_html), hashpivot::testing::slurp(later_html));
  const Result unknown = run_cli("report 999 --html " + later_html.string() + " --db " + db.string());
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  for (const auto& p : {path, db, now_html, later_html}) std::filesystem::remove(p);
}

TEST(RunCli, table_names_every_strategy_and_metric) {
  const Result r = run_on_scenario("run", kScenario, "--paths 200 --no-record");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* text : {"hold", "sell_all", "P(default)", "NPV to equity, mean", "CVaR 5%", "BTC mined",
                           "BTC held at the horizon", "Cash cost per BTC", "All-in cost per BTC", "Hashcost",
                           "EBITDA per year", "BTC sold over the horizon", "P(at least one margin call)", "95% CI",
                           "P(better)"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
  // Not a terminal: no progress line.
  EXPECT_EQ(r.err.find("paths ("), std::string::npos) << r.err;
}

TEST(RunCli, bad_input_names_file_line_and_key_and_prints_nothing) {
  std::string text = kScenario;
  text.replace(text.find("capacity_mw = 40"), 16, "capacity_mw = -40");
  const auto path = write_temp_file("run_cli_bad.toml", text);
  const Result r = run_cli("run " + path.string() + " --paths 10");
  ASSERT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path.string() + ":"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("capacity_mw"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  const Result missing = run_cli("run /nonexistent/scenario.toml");
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  const Result zero = run_cli("run " + path.string() + " --paths 0");
  EXPECT_EQ(zero.exit_code, 2) << zero.err;
  std::filesystem::remove(path);
}

TEST(RunCli, every_bundled_scenario_runs) {
  int scenarios = 0;
  for (const auto& entry : std::filesystem::directory_iterator(HASHPIVOT_SCENARIOS_DIR)) {
    if (entry.path().extension() != ".toml") continue;
    const Result r = run_cli("run " + entry.path().string() + " --paths 64 --json --no-record");
    ASSERT_EQ(r.exit_code, 0) << entry.path() << "\n" << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_GE(j["strategies"].size(), 2u) << entry.path();
    ++scenarios;
  }
  EXPECT_GE(scenarios, 3);  // cango and two contrasting firms
}

}  // namespace

namespace {

// The benchmark's JSON contract (no timing is asserted: speed is measured, not tested).
TEST(BenchCli, json_has_the_issue_keys) {
  const auto j = json_output(run_on_scenario("bench", kScenario, "--paths 256 --threads 2 --json"));
  for (const char* key : {"path_days_per_second", "threads", "path_days_per_second_per_core",
                          "gbm_path_steps_per_second_per_core", "ratio_to_gbm_floor", "peak_rss_mib"})
    EXPECT_TRUE(j[key].is_number()) << key;
  EXPECT_EQ(j["threads"], 2);
  EXPECT_GT(j["peak_rss_mib"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(j["ratio_to_gbm_floor"].get<double>(), j["path_days_per_second_one_thread"].get<double>() /
                                                              j["gbm_path_steps_per_second_per_core"].get<double>());
  // The one-thread time split into the market's (per path and day) and the firms' (per path-day):
  // together the split run's seconds (the market's part is a difference of two timings, so no sign
  // is asserted: speed is measured, not tested).
  const auto& split = j["time_split"];
  EXPECT_EQ(split["paths"], 256);
  const double market_ns = split["market_ns_per_path_day"].get<double>();
  const double firm_ns = split["firm_ns_per_path_day"].get<double>();
  EXPECT_GT(firm_ns, 0.0);
  const double paths_days = split["paths"].get<double>() * j["days"].get<double>();
  EXPECT_NEAR((market_ns * paths_days + firm_ns * paths_days * j["strategies"].get<double>()) * 1e-9,
              split["seconds_one_thread"].get<double>(), 1e-9);
  // Variance reduction on the same paths: the effective speed-up is the variance ratio times the time ratio.
  const auto& vr = j["variance_reduction"];
  for (const char* key : {"npv_se_plain_usd", "npv_se_usd", "seconds_plain", "seconds", "variance_ratio", "time_ratio",
                          "effective_speedup"})
    EXPECT_TRUE(vr[key].is_number()) << key;
  EXPECT_TRUE(vr["strategy"].is_string());
  EXPECT_NEAR(vr["variance_ratio"].get<double>(),
              std::pow(vr["npv_se_plain_usd"].get<double>() / vr["npv_se_usd"].get<double>(), 2), 1e-9);
  EXPECT_NEAR(vr["effective_speedup"].get<double>(), vr["variance_ratio"].get<double>() * vr["time_ratio"].get<double>(),
              1e-9 * vr["effective_speedup"].get<double>());
}

// bench --commands times optimize and options --site, so it needs a strategy with search ranges and a
// site with a conversion: without them it stops before running anything, naming the key (exit 2).
TEST(BenchCli, commands_name_what_the_scenario_lacks) {
  const Result r = run_on_scenario("bench", kScenario, "--commands --threads 1");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("strategies.search"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// --block-step picks how the firms step: off steps path by path and times the baseline copy's block
// step as the other way; a name that is no copy is refused, naming the option and the choices.
TEST(BenchCli, block_step_picks_the_way_the_firms_step) {
  const Result r =
      run_cli("bench " + std::string(HASHPIVOT_SCENARIOS_DIR) + "/cango.toml --paths 256 --threads 1 --years 1 "
              "--block-step off --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out)["block_step"];
  EXPECT_EQ(j["used"], false);
  EXPECT_TRUE(j["instruction_set"].is_string());
  EXPECT_GT(j["path_days_per_second_one_thread_other"].get<double>(), 0.0);
  const Result bad = run_cli("bench --block-step sse4 --paths 256");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--block-step"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("avx512"), std::string::npos) << bad.err;
}

// --years replaces the scenario's horizon: 2026-02-01 to 2036-02-01 holds the leap days of 2028 and
// 2032 (2036's falls after February 1).
TEST(BenchCli, years_replace_the_horizon) {
  const Result r = run_cli("bench " + std::string(HASHPIVOT_SCENARIOS_DIR) + "/cango.toml --paths 256 --threads 1 --years 10 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["days"], 10 * 365 + 2);
  EXPECT_EQ(run_cli("bench --years 11 --paths 256").exit_code, 2);
}

}  // namespace
