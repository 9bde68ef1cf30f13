// End-to-end tests of `hashpivot runs list | show | export`: a small scenario is simulated and
// recorded through the library (io::record_run, the call `hashpivot run` makes), then read back
// through the command line. Also: the record built from a RunResult, and the store over PostgreSQL.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_scenario.hpp"
#include "apps/cli_runner.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/io/run_record.hpp"
#include "hashpivot/sim/metrics.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/io/result_store.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "support/postgres_server.hpp"

namespace hashpivot {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::json_output;
using testing::slurp;
using Result = testing::CliResult;

const std::string kScenario = testing::s21_miner_toml(testing::scenario_toml("runs, test miner", 2, 64, 5), 45) +
                              testing::treasury_toml(500, 2e6, 5e6) +
                              testing::term_debt_toml("term", 30e6, 0.1, "2027-06-01") + testing::hold_and_sell_all_toml();

struct Simulated {
  firm::Scenario scenario;
  sim::RunResult result;
};

Simulated simulate(const fs::path& scenario_path, std::uint64_t seed) {
  firm::Scenario scenario = io::read_scenario(scenario_path.string());
  const model::MarketModel market = io::load_market_model(scenario);
  sim::RunOptions options;
  options.paths = scenario.run.paths;
  options.seed = seed;
  options.threads = 2;
  sim::RunResult result = sim::run_simulation(scenario, market, options);
  return {std::move(scenario), std::move(result)};
}

const auto kStarted = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + std::chrono::hours{10} +
                      std::chrono::milliseconds{1250};
const auto kFinished = kStarted + std::chrono::milliseconds{2500};

class RunsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("hashpivot_runs_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    scenario_path_ = dir_ / "scenario.toml";
    std::ofstream(scenario_path_) << kScenario;
    db_ = (dir_ / "runs.sqlite").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Simulates and records one run; returns its record as built (id filled in).
  io::RunRecord record(std::uint64_t seed, const std::string& db) {
    const Simulated s = simulate(scenario_path_, seed);
    io::RunRecord r = io::make_run_record(s.scenario, kScenario, s.result, kStarted, kFinished, "9.9.9");
    r.run.id = io::record_run(db, s.scenario, kScenario, s.result, kStarted, kFinished, "9.9.9");
    return r;
  }

  fs::path dir_;
  fs::path scenario_path_;
  std::string db_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Splits a CSV line without quoted fields.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t comma = line.find(',', begin);
    out.push_back(line.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin));
    if (comma == std::string::npos) return out;
    begin = comma + 1;
  }
}

double number_cell(const std::string& cell) {
  return cell.empty() ? std::nan("") : std::strtod(cell.c_str(), nullptr);
}

bool same_number(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

TEST(RunStoreRecord, built_from_a_run_result_with_every_series_and_month) {
  const fs::path path = testing::temp_path("runs_record.toml");
  std::ofstream(path) << kScenario;
  const Simulated s = simulate(path, 5);
  fs::remove(path);
  const io::RunRecord r = io::make_run_record(s.scenario, kScenario, s.result, kStarted, kFinished, "1.2.3");
  const std::size_t months = s.result.months.size();
  const std::size_t strategies = s.result.strategies.size();
  ASSERT_EQ(months, 24u);
  ASSERT_EQ(strategies, 2u);

  EXPECT_EQ(r.run.scenario_name, "runs, test miner");
  EXPECT_EQ(r.run.scenario_path, path.string());
  EXPECT_EQ(r.run.seed, 5u);
  EXPECT_EQ(r.run.paths, 64);
  EXPECT_EQ(r.run.threads, s.result.threads);
  EXPECT_EQ(r.run.version, "1.2.3");
  EXPECT_EQ(r.run.started_at, "2026-03-04T10:00:01.250Z");
  EXPECT_EQ(r.run.finished_at, "2026-03-04T10:00:03.750Z");
  EXPECT_EQ(r.run.start_date, "2026-02-01");
  EXPECT_EQ(r.run.horizon_days, 730);
  EXPECT_EQ(r.scenario_text, kScenario);
  EXPECT_EQ(r.market_description, s.result.market_description);

  ASSERT_EQ(r.strategies.size(), strategies);
  for (std::size_t k = 0; k < strategies; ++k) {
    const sim::StrategyStatistics& st = s.result.strategies[k];
    const io::StrategySummary& summary = r.strategies[k];
    EXPECT_EQ(summary.strategy, st.name);
    EXPECT_EQ(summary[sim::metric_index("p_default")], st.defaulted.probability());
    EXPECT_EQ(summary[sim::metric_index("npv_mean_usd")], st.npv_usd.mean());
    EXPECT_EQ(summary[sim::metric_index("npv_p50_usd")], st.npv_quantiles.quantile(0.5));
    EXPECT_EQ(summary[sim::metric_index("cvar5_usd")], st.cvar_usd());
    EXPECT_EQ(summary[sim::metric_index("btc_mined_mean_btc")], st.btc_mined.mean());
    EXPECT_EQ(summary[sim::metric_index("hashcost_usd_per_ph_day")], st.hashcost_usd_per_ph_day());
    EXPECT_TRUE(same_number(summary[sim::metric_index("p_better")], st.npv_vs_first.candidate_wins().probability()));
    EXPECT_EQ(summary[sim::metric_index("btc_sold_mean_btc")], st.btc_sold.mean());
    EXPECT_EQ(summary[sim::metric_index("p_margin_call")], st.margin_called.probability());
    // A term loan only: no margin call on any path.
    EXPECT_EQ(summary[sim::metric_index("p_margin_call")], 0.0);
  }
  EXPECT_EQ(r.strategies[0][sim::metric_index("npv_vs_first_mean_usd")], 0.0);

  // Market series first (no strategy), then each strategy's month-end balances.
  ASSERT_EQ(r.monthly_quantiles.size(), months * 4 + strategies * months * 4);
  EXPECT_FALSE(r.monthly_quantiles.front().strategy.has_value());
  EXPECT_EQ(r.monthly_quantiles[0].series, "btc_price_usd");
  EXPECT_EQ(r.monthly_quantiles[0].month, "2026-02");
  EXPECT_EQ(r.monthly_quantiles[0].p50, s.result.market_series.quantile(0, 0, 0, 0.5));
  EXPECT_EQ(r.monthly_quantiles[0].mean, s.result.market_series.moments(0, 0, 0).mean());
  const io::MonthlyQuantiles& cash = r.monthly_quantiles[months * 4];
  EXPECT_EQ(cash.strategy, "hold");
  EXPECT_EQ(cash.series, "cash_usd");
  for (const io::MonthlyQuantiles& q : r.monthly_quantiles) {
    if (std::isnan(q.p5)) continue;
    EXPECT_LE(q.p5, q.p50) << q.series << " " << q.month;
    EXPECT_LE(q.p50, q.p95) << q.series << " " << q.month;
  }
  std::vector<std::string> series;
  for (std::size_t i = 0; i < 4; ++i) series.push_back(r.monthly_quantiles[i].series);
  EXPECT_EQ(series, (std::vector<std::string>{"btc_price_usd", "hashprice_usd_per_ph_day", "difficulty_t",
                                              "fees_btc_per_block"}));

  EXPECT_EQ(r.monthly_accounts.size(), strategies * months * sim::MonthlyAccounts::kFields);
  EXPECT_EQ(r.monthly_accounts[0].field, "mining_revenue_usd");

  ASSERT_EQ(r.default_months.size(), strategies * months);
  for (std::size_t k = 0; k < strategies; ++k) {
    std::int64_t defaulted = 0;
    for (const io::DefaultMonth& d : r.default_months)
      if (d.strategy == s.result.strategies[k].name) defaulted += d.paths_defaulted;
    EXPECT_EQ(static_cast<std::uint64_t>(defaulted), s.result.strategies[k].defaulted.events());
  }
}

TEST_F(RunsCli, list_shows_every_run) {
  const io::RunRecord first = record(5, db_);
  const io::RunRecord second = record(6, db_);
  const Result text = run_cli("runs list --db " + db_);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* expected : {"ID", "started (UTC)", "runs, test miner", "hold, sell_all", "2026-03-04 10:00:01",
                               "9.9.9", "2 runs in"})
    EXPECT_NE(text.out.find(expected), std::string::npos) << expected << "\n" << text.out;

  const auto j = json_output(run_cli("runs list --json --db " + db_));
  EXPECT_EQ(j["engine"], "sqlite");
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["id"], first.run.id);
  EXPECT_EQ(j["runs"][1]["id"], second.run.id);
  EXPECT_EQ(j["runs"][1]["seed"], 6);
  EXPECT_EQ(j["runs"][0]["paths"], 64);
  EXPECT_EQ(j["runs"][0]["strategies"], nlohmann::json({"hold", "sell_all"}));
  EXPECT_EQ(j["runs"][0]["started_at"], "2026-03-04T10:00:01.250Z");
}

TEST_F(RunsCli, empty_store_lists_nothing) {
  (void)io::open_result_store(db_);  // created, no runs
  const Result r = run_cli("runs list --db " + db_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no runs recorded"), std::string::npos) << r.out;
}

TEST_F(RunsCli, show_prints_the_comparison_and_json_keeps_the_numbers) {
  const io::RunRecord r = record(5, db_);
  const std::string id = std::to_string(r.run.id);
  const Result text = run_cli("runs show " + id + " --db " + db_);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* expected : {"runs, test miner", "64 paths, seed 5, 1 thread", "2026-02-01 + 730 days",
                               "hashpivot 9.9.9", "(2.5 s)", "hold", "sell_all", "P(default)", "NPV to equity, mean",
                               "CVaR 5%", "BTC sold over the horizon", "P(at least one margin call)",
                               "Against \"hold\"", "95% CI", "Defaults by year", "year 2 (2027-02 to 2028-01)",
                               "Market, median", "2028-01"})
    EXPECT_NE(text.out.find(expected), std::string::npos) << expected << "\n" << text.out;
  for (const std::string& line : r.market_description)
    EXPECT_NE(text.out.find(line), std::string::npos) << line << "\n" << text.out;

  const auto j = json_output(run_cli("runs show " + id + " --json --db " + db_));
  EXPECT_EQ(j["id"], r.run.id);
  EXPECT_EQ(j["scenario"], "runs, test miner");
  EXPECT_EQ(j["variance_reduction"], false);
  ASSERT_EQ(j["strategies"].size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const io::StrategySummary& s = r.strategies[k];
    const auto& js = j["strategies"][k];
    EXPECT_EQ(js["name"], s.strategy);
    EXPECT_EQ(js["p_default"].get<double>(), s[sim::metric_index("p_default")]);
    EXPECT_EQ(js["npv_usd"]["mean"].get<double>(), s[sim::metric_index("npv_mean_usd")]);
    EXPECT_EQ(js["npv_usd"]["p95"].get<double>(), s[sim::metric_index("npv_p95_usd")]);
    EXPECT_EQ(js["cvar5_usd"].get<double>(), s[sim::metric_index("cvar5_usd")]);
    EXPECT_EQ(js["cost_per_btc_usd"]["all_in"].get<double>(), s[sim::metric_index("all_in_cost_usd_per_btc")]);
    EXPECT_EQ(js["npv_vs_first_usd"]["mean"].get<double>(), s[sim::metric_index("npv_vs_first_mean_usd")]);
    EXPECT_EQ(js["npv_vs_first_usd"]["ci95"][1].get<double>(), s[sim::metric_index("npv_vs_first_ci95_high_usd")]);
    EXPECT_EQ(js["btc_sold"]["mean"].get<double>(), s[sim::metric_index("btc_sold_mean_btc")]);
    EXPECT_EQ(js["btc_sold"]["se"].get<double>(), s[sim::metric_index("btc_sold_se_btc")]);
    EXPECT_EQ(js["p_margin_call"].get<double>(), s[sim::metric_index("p_margin_call")]);
    EXPECT_EQ(js["p_margin_call_se"].get<double>(), s[sim::metric_index("p_margin_call_se")]);
  }
}

// A run recorded before a metric existed (read from an older store: NaN) shows "-" and null.
TEST_F(RunsCli, metrics_unknown_to_an_older_run_show_as_a_dash_and_null) {
  const Simulated sim_run = simulate(scenario_path_, 5);
  io::RunRecord r = io::make_run_record(sim_run.scenario, kScenario, sim_run.result, kStarted, kFinished, "0.1.0");
  for (io::StrategySummary& s : r.strategies)
    for (std::size_t i = 0; i < sim::kMetricCount; ++i)
      if (sim::kMetrics[i].store_version > 2) s[i] = std::nan("");
  r.run.variance_reduction.reset();  // nor did it say how its mean NPV was estimated
  const std::string id = std::to_string(io::open_result_store(db_)->save(r));
  const Result text = run_cli("runs show " + id + " --db " + db_);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  int rows = 0;
  for (const std::string& line : lines_of(text.out)) {
    if (!line.starts_with("BTC sold over the horizon") && !line.starts_with("P(at least one margin call)")) continue;
    ++rows;
    const std::string cells_text = line.substr(34);  // after the label column
    EXPECT_EQ(cells_text.find_first_not_of(" -"), std::string::npos) << line;
    EXPECT_NE(cells_text.find('-'), std::string::npos) << line;
  }
  EXPECT_EQ(rows, 2) << text.out;
  const Result json = run_cli("runs show " + id + " --json --db " + db_);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json document = nlohmann::json::parse(json.out);  // the loop must not outlive it
  EXPECT_TRUE(document["variance_reduction"].is_null()) << json.out;
  for (const auto& js : document["strategies"]) {
    EXPECT_TRUE(js["btc_sold"]["mean"].is_null()) << js.dump();
    EXPECT_TRUE(js["p_margin_call"].is_null()) << js.dump();
    EXPECT_TRUE(js["npv_usd"]["mean"].is_number()) << js.dump();
  }
}

TEST_F(RunsCli, export_csv_writes_every_file_with_units) {
  const io::RunRecord r = record(5, db_);
  const fs::path out = dir_ / "export" / "run";
  const Result e = run_cli("runs export " + std::to_string(r.run.id) + " --csv " + out.string() + " --db " + db_);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  for (const char* name : {"run.csv", "strategy_summaries.csv", "monthly_quantiles.csv", "monthly_accounts.csv",
                           "default_months.csv", "scenario.toml"}) {
    EXPECT_TRUE(fs::exists(out / name)) << name;
    EXPECT_NE(e.out.find(name), std::string::npos) << e.out;
  }
  for (const auto& entry : fs::directory_iterator(out))
    EXPECT_EQ(entry.path().filename().string().find(".partial"), std::string::npos) << entry.path();
  EXPECT_EQ(slurp(out / "scenario.toml"), kScenario);

  const auto run_lines = lines_of(slurp(out / "run.csv"));
  ASSERT_EQ(run_lines.size(), 2u);
  EXPECT_EQ(run_lines[0],
            "id,scenario_name,scenario_path,seed,paths,threads,version,started_at_utc,finished_at_utc,start_date,"
            "horizon_days,variance_reduction");
  EXPECT_NE(run_lines[1].find("\"runs, test miner\""), std::string::npos) << run_lines[1];

  const auto summaries = lines_of(slurp(out / "strategy_summaries.csv"));
  ASSERT_EQ(summaries.size(), 3u);
  const auto header = cells(summaries[0]);
  EXPECT_EQ(header.size(), 1 + sim::kMetricCount);
  // The columns of the first layout keep their places; later metrics follow.
  EXPECT_EQ(header[1], "p_default_fraction");
  EXPECT_EQ(header[3], "npv_mean_usd");
  EXPECT_EQ(header[22], "p_better_fraction");
  for (const char* column : {"cvar5_usd", "btc_mined_mean_btc", "cash_cost_usd_per_btc", "hashcost_usd_per_ph_day",
                             "ebitda_mean_usd_per_year", "npv_vs_first_ci95_high_usd", "btc_sold_mean_btc",
                             "btc_sold_se_btc", "p_margin_call_fraction", "p_margin_call_se_fraction"})
    EXPECT_NE(std::find(header.begin(), header.end(), column), header.end()) << column;
  const auto hold = cells(summaries[1]);
  ASSERT_EQ(hold.size(), header.size());
  EXPECT_EQ(hold[0], "hold");
  for (std::size_t i = 0; i < sim::kMetricCount; ++i)
    EXPECT_TRUE(same_number(number_cell(hold[i + 1]), r.strategies[0][i])) << header[i + 1] << " " << hold[i + 1];

  const auto quantiles = lines_of(slurp(out / "monthly_quantiles.csv"));
  ASSERT_EQ(quantiles.size(), r.monthly_quantiles.size() + 1);
  EXPECT_EQ(quantiles[0], "strategy,month,series,unit,p5,p25,p50,p75,p95,mean");
  const auto first = cells(quantiles[1]);
  ASSERT_EQ(first.size(), 10u);
  EXPECT_EQ(first[0], "");  // a market series
  EXPECT_EQ(first[2], "btc_price_usd");
  EXPECT_EQ(first[3], "USD per BTC");
  EXPECT_TRUE(same_number(number_cell(first[6]), r.monthly_quantiles[0].p50)) << first[6];

  const auto accounts = lines_of(slurp(out / "monthly_accounts.csv"));
  ASSERT_EQ(accounts.size(), r.monthly_accounts.size() + 1);
  EXPECT_EQ(accounts[0], "strategy,month,field,unit,mean_over_paths");
  const auto defaults = lines_of(slurp(out / "default_months.csv"));
  ASSERT_EQ(defaults.size(), r.default_months.size() + 1);
  EXPECT_EQ(defaults[0], "strategy,month,paths_defaulted,defaulted_fraction_of_paths");

  // Exporting again replaces the files whole.
  const Result again = run_cli("runs export " + std::to_string(r.run.id) + " --csv " + out.string() + " --db " + db_);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(lines_of(slurp(out / "monthly_quantiles.csv")).size(), quantiles.size());
}

TEST_F(RunsCli, export_json_has_every_row) {
  const io::RunRecord r = record(5, db_);
  const auto j = json_output(run_cli("runs export " + std::to_string(r.run.id) + " --json --db " + db_));
  EXPECT_EQ(j["scenario_text"], kScenario);
  EXPECT_EQ(j["monthly_quantiles"].size(), r.monthly_quantiles.size());
  EXPECT_EQ(j["monthly_accounts"].size(), r.monthly_accounts.size());
  EXPECT_EQ(j["default_months"].size(), r.default_months.size());
  EXPECT_TRUE(j["monthly_quantiles"][0]["strategy"].is_null());
  EXPECT_EQ(j["monthly_quantiles"][0]["unit"], "USD per BTC");
  EXPECT_EQ(j["strategies"].size(), 2u);
}

TEST_F(RunsCli, unknown_id_or_unreadable_store_exits_2) {
  const io::RunRecord r = record(5, db_);
  const Result unknown = run_cli("runs show 999 --db " + db_);
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_NE(unknown.err.find("no run 999"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find(db_), std::string::npos) << unknown.err;
  EXPECT_TRUE(unknown.out.empty()) << unknown.out;
  EXPECT_EQ(run_cli("runs export 999 --json --db " + db_).exit_code, 2);

  const std::string missing = (dir_ / "missing.sqlite").string();
  const Result none = run_cli("runs list --db " + missing);
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("no result store"), std::string::npos) << none.err;
  EXPECT_FALSE(fs::exists(missing));

  const fs::path garbage = dir_ / "garbage.sqlite";
  std::ofstream(garbage) << "this is not a database, not even close; it is long enough to have a header\n";
  const Result bad = run_cli("runs list --db " + garbage.string());
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find(garbage.string()), std::string::npos) << bad.err;

  const std::string id = std::to_string(r.run.id);
  EXPECT_EQ(run_cli("runs export " + id + " --db " + db_).exit_code, 2);  // neither --csv nor --json
  EXPECT_EQ(run_cli("runs export " + id + " --json --csv " + (dir_ / "x").string() + " --db " + db_).exit_code, 2);
  EXPECT_EQ(run_cli("runs show 0 --db " + db_).exit_code, 2);
  EXPECT_EQ(run_cli("runs show abc --db " + db_).exit_code, 2);
  EXPECT_EQ(run_cli("runs --db " + db_).exit_code, 2);  // no subcommand
}

TEST_F(RunsCli, db_defaults_to_hashpivot_db_then_a_file_in_the_current_directory) {
  const io::RunRecord r = record(5, db_);
  const char* saved = std::getenv("HASHPIVOT_DB");
  const std::string before = saved != nullptr ? saved : "";
  ::setenv("HASHPIVOT_DB", db_.c_str(), 1);
  const Result from_env = run_cli("runs list --json");
  ASSERT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_EQ(nlohmann::json::parse(from_env.out)["runs"].size(), 1u);

  ::unsetenv("HASHPIVOT_DB");
  const fs::path here = dir_ / "here";
  fs::create_directories(here);
  (void)record(7, (here / io::kDefaultResultStoreFile).string());
  const fs::path cwd = fs::current_path();
  fs::current_path(here);
  const Result local = run_cli("runs list --json");
  fs::current_path(cwd);
  if (saved != nullptr) ::setenv("HASHPIVOT_DB", before.c_str(), 1);
  ASSERT_EQ(local.exit_code, 0) << local.err;
  const auto j = nlohmann::json::parse(local.out);
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["seed"], 7);
  EXPECT_EQ(j["store"], io::kDefaultResultStoreFile);
}

TEST_F(RunsCli, help_names_the_default_store) {
  for (const char* command : {"runs --help", "runs list --help", "runs export --help"}) {
    const Result r = run_cli(command);
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_NE(r.out.find("HASHPIVOT_DB"), std::string::npos) << command << "\n" << r.out;
    EXPECT_NE(r.out.find("hashpivot.sqlite"), std::string::npos) << command << "\n" << r.out;
  }
}

// Once `hashpivot run` takes --db, a run on the command line lands in the store.
TEST_F(RunsCli, run_with_db_is_listed) {
  if (run_cli("run --help").out.find("--db") == std::string::npos) GTEST_SKIP() << "hashpivot run has no --db yet";
  const Result run = run_cli("run " + scenario_path_.string() + " --paths 64 --db " + db_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = json_output(run_cli("runs list --json --db " + db_));
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["scenario"], "runs, test miner");
  EXPECT_EQ(j["runs"][0]["paths"], 64);
  const Result show = run_cli("runs show 1 --json --db " + db_);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(nlohmann::json::parse(show.out)["strategies"].size(), 2u);
  // How the mean NPV was estimated is recorded with the run.
  ASSERT_EQ(run_cli("run " + scenario_path_.string() + " --paths 64 --variance-reduction --db " + db_).exit_code, 0);
  const auto both = json_output(run_cli("runs list --json --db " + db_));
  ASSERT_EQ(both["runs"].size(), 2u);
  EXPECT_EQ(both["runs"][0]["variance_reduction"], false);
  EXPECT_EQ(both["runs"][1]["variance_reduction"], true);
  const std::string reduced = run_cli("runs show 2 --db " + db_).out;
  const std::size_t sampling = reduced.find("  sampling   64 paths, seed 5");
  ASSERT_NE(sampling, std::string::npos) << reduced;
  EXPECT_EQ(reduced.substr(reduced.find('\n', sampling) - 20, 20), ", variance reduction") << reduced;
  EXPECT_EQ(run_cli("runs show 1 --db " + db_).out.find("variance reduction"), std::string::npos);
}

TEST_F(RunsCli, postgres_store_lists_shows_and_exports) {
  HASHPIVOT_START_POSTGRES_OR_SKIP(server);
  const std::string url = server->create_database("runs_cli");
  const io::RunRecord r = record(5, url);
  EXPECT_EQ(r.run.id, 1);
  const auto j = json_output(run_cli("runs list --json --db " + url));
  EXPECT_EQ(j["engine"], "postgresql");
  ASSERT_EQ(j["runs"].size(), 1u);
  const Result show = run_cli("runs show 1 --json --db " + url);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(nlohmann::json::parse(show.out)["strategies"][1]["npv_usd"]["mean"].get<double>(),
            r.strategies[1][sim::metric_index("npv_mean_usd")]);
  const Result exported = run_cli("runs export 1 --json --db " + url);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(nlohmann::json::parse(exported.out)["monthly_quantiles"].size(), r.monthly_quantiles.size());
  EXPECT_EQ(run_cli("runs show 2 --db " + url).exit_code, 2);
  EXPECT_EQ(run_cli("runs list --db 'postgresql://postgres@127.0.0.1:1/none?connect_timeout=5'").exit_code, 2);
}

}  // namespace
}  // namespace hashpivot
