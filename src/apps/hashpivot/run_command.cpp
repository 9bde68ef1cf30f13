#include "run_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
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
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/io/run_record.hpp"
#include "hashpivot/io/result_store.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/report/html_report.hpp"

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
};

constexpr double kProgressAfterSeconds = 1.0;  // quiet for short runs

double quantile(const sim::StrategyStatistics& s, double q) { return s.npv_quantiles.quantile(q); }

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

nlohmann::json to_json(const sim::RunResult& r) {
  nlohmann::json strategies = nlohmann::json::array();
  for (std::size_t k = 0; k < r.strategies.size(); ++k) {
    const sim::StrategyStatistics& s = r.strategies[k];
    const stats::ConfidenceInterval ci = s.npv_vs_first.confidence_interval_95();
    strategies.push_back({
        {"name", s.name},
        {"p_default", s.defaulted.probability()},
        {"p_default_se", s.defaulted.standard_error()},
        {"npv_usd",
         {{"mean", s.npv_usd.mean()},
          {"se", s.npv_usd.standard_error()},
          {"p5", quantile(s, 0.05)},
          {"p25", quantile(s, 0.25)},
          {"p50", quantile(s, 0.50)},
          {"p75", quantile(s, 0.75)},
          {"p95", quantile(s, 0.95)}}},
        {"cvar5_usd", s.cvar_usd()},
        {"btc_mined", {{"mean", s.btc_mined.mean()}, {"se", s.btc_mined.standard_error()}}},
        {"btc_held_end", {{"mean", s.btc_held_end.mean()}, {"se", s.btc_held_end.standard_error()}}},
        {"cost_per_btc_usd", {{"cash", s.cash_cost_usd_per_btc()}, {"all_in", s.all_in_cost_usd_per_btc()}}},
        {"hashcost_usd_per_ph_day", s.hashcost_usd_per_ph_day()},
        {"ebitda_usd_per_year", {{"mean", s.ebitda_usd_per_year.mean()}}},
        {"npv_vs_first_usd",
         {{"mean", s.npv_vs_first.difference().mean()},
          {"ci95", {ci.lower, ci.upper}},
          {"p_better", s.npv_vs_first.candidate_wins().probability()}}},
        {"months", strategy_months(r, k)},
    });
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

std::string millions(double usd) { return std::isfinite(usd) ? fmt::format("{:.1f}", usd / 1e6) : "-"; }
std::string dollars(double usd) { return std::isfinite(usd) ? fmt::format("{:.0f}", usd) : "-"; }
std::string percent(double p) { return std::isfinite(p) ? fmt::format("{:.1f}%", 100 * p) : "-"; }

void print_table(const sim::RunResult& r, const std::string& path) {
  fmt::print("{} ({}): {} paths, seed {}, {} + {} days, {} thread{}, {:.1f} s\n", r.scenario_name, path, r.paths, r.seed,
             format_date(r.start_day), r.horizon_days, r.threads, r.threads == 1 ? "" : "s", r.seconds);
  for (const std::string& line : r.market_description) fmt::print("  {}\n", line);
  fmt::print("\n");

  std::size_t label_width = 34;
  std::size_t width = 12;
  for (const auto& s : r.strategies) width = std::max(width, s.name.size() + 2);
  auto row = [&](const std::string& label, auto cell) {
    std::string line = fmt::format("{:<{}}", label, label_width);
    for (const auto& s : r.strategies) line += fmt::format("{:>{}}", cell(s), width);
    fmt::print("{}\n", line);
  };
  using S = sim::StrategyStatistics;
  row("", [](const S& s) { return s.name; });
  row("P(default)", [](const S& s) { return percent(s.defaulted.probability()); });
  row("NPV to equity, mean ($M)", [](const S& s) { return millions(s.npv_usd.mean()); });
  row("  standard error ($M)", [](const S& s) { return millions(s.npv_usd.standard_error()); });
  row("  5th percentile ($M)", [](const S& s) { return millions(quantile(s, 0.05)); });
  row("  median ($M)", [](const S& s) { return millions(quantile(s, 0.50)); });
  row("  95th percentile ($M)", [](const S& s) { return millions(quantile(s, 0.95)); });
  row("CVaR 5%: mean of worst 5% ($M)", [](const S& s) { return millions(s.cvar_usd()); });
  row("BTC mined", [](const S& s) { return fmt::format("{:.0f}", s.btc_mined.mean()); });
  row("BTC held at the horizon", [](const S& s) { return fmt::format("{:.0f}", s.btc_held_end.mean()); });
  row("Cash cost per BTC mined ($)", [](const S& s) { return dollars(s.cash_cost_usd_per_btc()); });
  row("All-in cost per BTC mined ($)", [](const S& s) { return dollars(s.all_in_cost_usd_per_btc()); });
  row("Hashcost ($/PH/day)", [](const S& s) { return fmt::format("{:.2f}", s.hashcost_usd_per_ph_day()); });
  row("EBITDA per year ($M)", [](const S& s) { return millions(s.ebitda_usd_per_year.mean()); });

  if (r.strategies.size() > 1) {
    fmt::print("\nAgainst \"{}\" on the same paths (NPV difference):\n", r.strategies.front().name);
    fmt::print("{:<{}}{:>14}{:>26}{:>14}\n", "", label_width, "mean ($M)", "95% CI ($M)", "P(better)");
    for (std::size_t i = 1; i < r.strategies.size(); ++i) {
      const auto& d = r.strategies[i].npv_vs_first;
      const stats::ConfidenceInterval ci = d.confidence_interval_95();
      fmt::print("{:<{}}{:>14}{:>26}{:>14}\n", r.strategies[i].name, label_width, millions(d.difference().mean()),
                 fmt::format("[{}, {}]", millions(ci.lower), millions(ci.upper)),
                 percent(d.candidate_wins().probability()));
    }
  }
  if (r.strategies.size() > 1) {
    std::size_t best = 0, safest = 0;
    for (std::size_t i = 1; i < r.strategies.size(); ++i) {
      if (r.strategies[i].npv_usd.mean() > r.strategies[best].npv_usd.mean()) best = i;
      if (r.strategies[i].defaulted.probability() < r.strategies[safest].defaulted.probability()) safest = i;
    }
    const auto& b = r.strategies[best];
    const auto& s = r.strategies[safest];
    fmt::print("\nHighest mean NPV: {} (${}M); lowest probability of default: {} ({}).", b.name, millions(b.npv_usd.mean()),
               s.name, percent(s.defaulted.probability()));
    if (best != safest) {
      fmt::print(" The choice trades value against survival: {} defaults on {} of paths, {} has ${}M less mean NPV.",
                 b.name, percent(b.defaulted.probability()), s.name, millions(b.npv_usd.mean() - s.npv_usd.mean()));
    }
    fmt::print("\n");
  }
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
                 100.0 * static_cast<double>(done) / static_cast<double>(total), elapsed, left);
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
  if (!o.report.empty()) report::write_html_report(record, o.report);
  if (o.json) {
    nlohmann::json j = to_json(result);
    if (!o.no_record) j["run_id"] = record.run.id;
    std::cout << j.dump(2) << "\n";
  } else {
    print_table(result, o.scenario);
    if (!o.no_record) fmt::print("Recorded as run {} in {} (hashpivot runs show {}).\n", record.run.id,
                                 io::redact_store_location(db), record.run.id);
    if (!o.report.empty()) fmt::print("Report: {}\n", o.report);
  }
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  auto options = std::make_shared<RunCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run every strategy of a scenario on the same simulated markets (common random numbers) and compare them:\n"
      "probability of default, NPV to equity (mean, percentiles, CVaR 5%), BTC mined and held, cost per BTC,\n"
      "hashcost and EBITDA, and each strategy's paired NPV difference against the first.\n"
      "The same seed gives bit-identical results for any --threads, and under `mpirun -n K` (docs/cluster.md),\n"
      "where each rank uses --threads threads and rank 0 alone prints and records. Progress shows on a\n"
      "terminal for runs over a second. Exit codes: 0 ok, 2 bad input (file:line: key: problem), 3 internal error.");
  cmd->add_option("SCENARIO", options->scenario, "Scenario file (TOML; see docs/scenario.md)")->required();
  cmd->add_option("--paths", options->paths, "Monte Carlo paths (default: the scenario's)")->check(CLI::Range(1, 1'000'000'000));
  cmd->add_option("--seed", options->seed, "Seed of every random draw (default: the scenario's)")
      ->check(CLI::Range(static_cast<std::int64_t>(0), std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--threads", options->threads, "Worker threads (default: every core)")->check(CLI::Range(1u, 1024u));
  cmd->add_flag("--json", options->json, "Print one JSON object instead of the table");
  cmd->add_option("--db", options->db,
                  "Result store the run is recorded in: a SQLite file, or postgresql://… "
                  "(default: $HASHPIVOT_DB, else hashpivot.sqlite in the current directory)");
  cmd->add_flag("--no-record", options->no_record, "Do not record the run in the result store");
  cmd->add_option("--report", options->report, "Also write the run's self-contained HTML report to this file");
  cmd->callback([options, &exit_code, &group] {
    run_run(*options, group);
    exit_code = kExitOk;
  });
}

}  // namespace hashpivot::cli
