#include "run_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/io/run_record.hpp"
#include "hashpivot/io/result_store.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/report/format.hpp"
#include "hashpivot/report/html_report.hpp"
#include "hashpivot/report/strategy_table.hpp"

namespace hashpivot::cli {
namespace {

struct RunCommandOptions {
  std::string scenario;
  std::int64_t paths = 0;   // 0: the scenario's
  std::int64_t seed = -1;   // -1: the scenario's
  unsigned threads = 0;     // 0: every core
  bool json = false;
  std::string db;           // "": io::default_result_store()
  bool no_record = false;
  std::string report;       // HTML report file, "" for none
  bool yes = false;         // run even when estimated over an hour
};

constexpr double kProgressAfterSeconds = 1.0;  // quiet for short runs

nlohmann::json band(const stats::MonthlySeries& series, std::size_t strategy, std::size_t month, std::size_t which) {
  return {{"p5", series.quantile(strategy, month, which, 0.05)},
          {"p25", series.quantile(strategy, month, which, 0.25)},
          {"p50", series.quantile(strategy, month, which, 0.50)},
          {"p75", series.quantile(strategy, month, which, 0.75)},
          {"p95", series.quantile(strategy, month, which, 0.95)}};
}

/// Per month: mean monthly accounts, month-end balance quantiles, cumulative default probability.
nlohmann::json strategy_months(const sim::RunResult& r, std::size_t k) {
  nlohmann::json months = nlohmann::json::array();
  for (std::size_t m = 0; m < r.months.size(); ++m) {
    nlohmann::json month{{"month", r.months[m]}};
    for (std::size_t f = 0; f < sim::MonthlyAccounts::kFields; ++f) {
      const auto field = static_cast<sim::AccountsField>(f);
      month[sim::accounts_field_name(field)] = r.accounts.at(k, m, field).mean();
    }
    using sim::FirmSeries;
    month["cash_usd"] = band(r.firm_series, k, m, static_cast<std::size_t>(FirmSeries::kCashUsd));
    month["btc_held"] = band(r.firm_series, k, m, static_cast<std::size_t>(FirmSeries::kBtcHeld));
    month["debt_usd"] = band(r.firm_series, k, m, static_cast<std::size_t>(FirmSeries::kDebtUsd));
    month["equity_usd"] = band(r.firm_series, k, m, static_cast<std::size_t>(FirmSeries::kEquityUsd));
    month["p_default_cumulative"] = r.strategies[k].default_month.cumulative(m).probability();
    months.push_back(std::move(month));
  }
  return months;
}

nlohmann::json market_months(const sim::RunResult& r) {
  nlohmann::json months = nlohmann::json::array();
  using sim::MarketSeries;
  for (std::size_t m = 0; m < r.months.size(); ++m) {
    months.push_back({{"month", r.months[m]},
                      {"btc_price_usd", band(r.market_series, 0, m, static_cast<std::size_t>(MarketSeries::kBtcPriceUsd))},
                      {"hashprice_usd_per_ph_day",
                       band(r.market_series, 0, m, static_cast<std::size_t>(MarketSeries::kHashpriceUsdPerPhDay))},
                      {"difficulty_t", band(r.market_series, 0, m, static_cast<std::size_t>(MarketSeries::kDifficultyT))},
                      {"fees_btc_per_block",
                       band(r.market_series, 0, m, static_cast<std::size_t>(MarketSeries::kFeesBtcPerBlock))}});
  }
  return months;
}

/// The strategies' metrics from the record (the metric table), the monthly series from the result.
nlohmann::json to_json(const sim::RunResult& r, const io::RunRecord& record) {
  nlohmann::json strategies = nlohmann::json::array();
  for (std::size_t k = 0; k < r.strategies.size(); ++k) {
    nlohmann::json strategy = report::strategy_json(record.strategies[k]);
    strategy["months"] = strategy_months(r, k);
    strategies.push_back(std::move(strategy));
  }
  return {{"scenario", r.scenario_name},
          {"seed", r.seed},
          {"paths", r.paths},
          {"start_date", format_date(r.start_day)},
          {"horizon_days", r.horizon_days},
          {"strategies", strategies},
          {"market_months", market_months(r)},
          {"market", r.market_description}};
}

/// Which strategy has the highest mean NPV and which the lowest probability of default.
void print_verdict(const std::vector<io::StrategySummary>& strategies) {
  constexpr std::size_t kNpv = sim::metric_index("npv_mean_usd");
  constexpr std::size_t kDefault = sim::metric_index("p_default");
  std::size_t best = 0, safest = 0;
  for (std::size_t i = 1; i < strategies.size(); ++i) {
    if (strategies[i][kNpv] > strategies[best][kNpv]) best = i;
    if (strategies[i][kDefault] < strategies[safest][kDefault]) safest = i;
  }
  const io::StrategySummary& b = strategies[best];
  const io::StrategySummary& s = strategies[safest];
  fmt::print("\nHighest mean NPV: {} (${}M); lowest probability of default: {} ({}).", b.strategy, report::millions(b[kNpv]),
             s.strategy, report::percent(s[kDefault]));
  if (best != safest) {
    fmt::print(" The choice trades value against survival: {} defaults on {} of paths, {} has ${}M less mean NPV.",
               b.strategy, report::percent(b[kDefault]), s.strategy, report::millions(b[kNpv] - s[kNpv]));
  }
  fmt::print("\n");
}

void print_table(const sim::RunResult& r, const io::RunRecord& record, const std::string& path) {
  fmt::print("{} ({}): {} paths, seed {}, {} + {} days, {} thread{}, {:.1f} s\n", r.scenario_name, path, r.paths, r.seed,
             format_date(r.start_day), r.horizon_days, r.threads, r.threads == 1 ? "" : "s", r.seconds);
  for (const std::string& line : r.market_description) fmt::print("  {}\n", line);
  fmt::print("\n{}", report::comparison_text(record.strategies));
  if (record.strategies.size() > 1) print_verdict(record.strategies);
  fmt::print("\nNPV to equity: what holders own at the horizon (cash + BTC at market − debt + terminal value), "
             "discounted; 0 on paths that default.\n");
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void run_run(const RunCommandOptions& o, const sim::ProcessGroup& group) {
  firm::Scenario scenario = io::read_scenario(o.scenario);
  const std::string scenario_text = read_text(o.scenario);
  const auto started_at = std::chrono::system_clock::now();
  if (o.paths > 0) scenario.run.paths = o.paths;
  if (o.seed >= 0) scenario.run.seed = static_cast<std::uint64_t>(o.seed);
  const model::MarketModel market = io::load_market_model(scenario);
  // Open the store before simulating, so an unusable --db fails at once, not after the run. Under
  // MPI every rank computes the same result; only the root records, writes and prints it.
  const std::string db = o.db.empty() ? io::default_result_store() : o.db;
  std::unique_ptr<io::ResultStore> store;
  if (!o.no_record && group.is_root()) store = io::open_result_store(db);
  sim::RunOptions options;
  options.paths = scenario.run.paths;
  options.seed = scenario.run.seed;
  options.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  options.group = &group;
  confirm_simulation_time(scenario, market, options.paths, 1, options.threads, o.yes, "--paths",
                          fmt::format("{} paths", with_thousands(options.paths)));
  const bool terminal = isatty(fileno(stderr)) != 0;
  const auto started = std::chrono::steady_clock::now();
  bool shown = false;
  if (terminal) {
    options.progress = [&](std::int64_t done, std::int64_t total) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (elapsed < kProgressAfterSeconds && !shown) return;
      shown = true;
      const double left = elapsed * static_cast<double>(total - done) / static_cast<double>(std::max<std::int64_t>(done, 1));
      fmt::print(stderr, "\r{} of {} paths ({:.0f}%), {:.1f} s, about {:.0f} s left   ", done, total,
                 kPercentPerUnit * static_cast<double>(done) / static_cast<double>(total), elapsed, left);
      std::fflush(stderr);
    };
  }
  const sim::RunResult result = sim::run_simulation(scenario, market, options);
  if (!group.is_root()) return;
  if (shown) fmt::print(stderr, "\r{:80}\r", "");
  const auto finished_at = std::chrono::system_clock::now();
  // Record the run (one transaction), then write the report from the same record.
  io::RunRecord record =
      io::make_run_record(scenario, scenario_text, result, started_at, finished_at, HASHPIVOT_VERSION);
  if (store) record.run.id = store->save(record);
  if (!o.report.empty()) report::write_html_report(record, o.report, "--report");
  if (o.json) {
    nlohmann::json j = to_json(result, record);
    if (!o.no_record) j["run_id"] = record.run.id;
    std::cout << j.dump(2) << "\n";
  } else {
    print_table(result, record, o.scenario);
    if (!o.no_record) fmt::print("Recorded as run {} in {} (hashpivot runs show {}).\n", record.run.id,
                                 io::redact_store_location(db), record.run.id);
    if (!o.report.empty()) fmt::print("Report: {}\n", o.report);
  }
}

}  // namespace

constexpr const char* kRunHelp =
    R"(Run every strategy of a scenario on the same simulated markets (common random numbers) and compare them:
probability of default, NPV to equity (mean, percentiles, CVaR 5%), BTC mined and held, cost per BTC,
hashcost and EBITDA, and each strategy's paired NPV difference against the first.
The same seed gives bit-identical results for any --threads, and under `mpirun -n K` (docs/cluster.md),
where each rank uses --threads threads and rank 0 alone prints and records. Progress shows on a
terminal for runs over a second. Exit codes: 0 ok, 2 bad input (file:line: key: problem), 3 internal error.)";

void add_run_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  const auto [cmd, options] = add_command<RunCommandOptions>(app, exit_code, "run", kRunHelp,
      [&group](RunCommandOptions& o) { run_run(o, group); });
  cmd->add_option("SCENARIO", options->scenario, "Scenario file (TOML; see docs/scenario.md)")->required();
  cmd->add_option("--paths", options->paths, "Monte Carlo paths (default: the scenario's)")->transform(count_in_range("paths", 1, 1'000'000'000));
  cmd->add_option("--seed", options->seed, "Seed of every random draw (default: the scenario's)")
      ->transform(count_in_range("", 0, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--threads", options->threads, "Worker threads (default: every core)")->transform(count_in_range("threads", 1, 1024));
  cmd->add_flag("--json", options->json, "Print one JSON object instead of the table");
  cmd->add_flag("--yes", options->yes, "Run even when estimated to take over an hour (otherwise asked, or exit 2 off a terminal)");
  cmd->add_option("--db", options->db,
                  "Result store the run is recorded in: a SQLite file, or postgresql://… "
                  "(default: $HASHPIVOT_DB, else hashpivot.sqlite in the current directory)");
  cmd->add_flag("--no-record", options->no_record, "Do not record the run in the result store");
  cmd->add_option("--report", options->report, "Also write the run's self-contained HTML report to this file");
}

}  // namespace hashpivot::cli
