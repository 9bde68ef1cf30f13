#include "run_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <iostream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.hpp"
#include "hashpivot/core/atomic_file.hpp"
#include "hashpivot/core/cancellation.hpp"
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
  bool strict = false;  // --strict: implausible input is an error
  std::string db;           // "": io::default_result_store()
  bool no_record = false;
  std::string report;       // HTML report file, "" for none
  bool yes = false;         // run even when estimated over an hour
  bool variance_reduction = false;  // antithetic pairs and control variates for the mean NPV
};

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
          {"variance_reduction", r.variance_reduction},
          {"strategies", strategies},
          {"market_months", market_months(r)},
          {"market", r.market_description},
          {"warnings", record.warnings}};
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
             "discounted; 0 on paths that default or end under water.\n");
  if (r.variance_reduction) {
    constexpr std::size_t kSe = sim::metric_index("npv_se_usd");
    constexpr std::size_t kSePlain = sim::metric_index("npv_se_plain_usd");
    const io::StrategySummary& first = record.strategies.front();
    const std::size_t controls = r.strategies.front().npv_controlled.controls();
    fmt::print("Variance reduction: antithetic pairs of paths{}. SE of {}'s mean NPV ${}M, against ${}M on "
               "independent paths: {:.1f} times fewer paths for the same SE.\n",
               controls > 0 ? " and control variates (the BTC price on the last day, its mean over the horizon and its log)" : "",
               first.strategy, report::millions(first[kSe]), report::millions(first[kSePlain]),
               (first[kSePlain] * first[kSePlain]) / (first[kSe] * first[kSe]));
  }
}

void run_run(const RunCommandOptions& o, const sim::ProcessGroup& group) {
  // SIGINT and SIGTERM stop the run cleanly: polled below, between blocks of paths and before the
  // outputs are committed. Under MPI the root decides (only it polls; its Cancelled aborts the rest).
  const cancellation::Listening listening;
  const std::string db = o.db.empty() ? io::default_result_store() : o.db;
  // Every output path is checked before any work, so one that cannot be written fails at once.
  if (group.is_root()) {
    if (!o.report.empty()) check_output_path(o.report, "--report");
    if (!o.no_record && !io::is_postgres_url(db)) check_output_path(db, "--db", OutputWrite::kUpdatedInPlace);
  }
  io::ScenarioInput input = read_scenario_checked(o.scenario, o.strict, group.is_root());
  firm::Scenario& scenario = input.scenario;
  const std::string scenario_text = read_text(o.scenario);
  const auto started_at = std::chrono::system_clock::now();
  if (o.paths > 0) scenario.run.paths = o.paths;
  if (o.seed >= 0) scenario.run.seed = static_cast<std::uint64_t>(o.seed);
  const model::MarketModel market = io::load_market_model(scenario);
  if (group.is_root()) cancellation::throw_if_requested();
  // Open the store before simulating, so an unusable --db fails at once, not after the run. Under
  // MPI every rank computes the same result; only the root records, writes and prints it.
  std::unique_ptr<io::ResultStore> store;
  if (!o.no_record && group.is_root()) store = io::open_result_store(db);
  sim::RunOptions options;
  options.paths = scenario.run.paths;
  options.seed = scenario.run.seed;
  options.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  options.group = &group;
  options.variance_reduction = o.variance_reduction;
  if (group.is_root()) options.stop_signal = &cancellation::stop_signal();
  confirm_simulation_time(scenario, market, options.paths, 1, options.threads, o.yes, "--paths",
                          fmt::format("{} paths", with_thousands(options.paths)));
  ProgressLine progress(options);
  const sim::RunResult result = progress.run([&] { return sim::run_simulation(scenario, market, options); });
  if (!group.is_root()) return;
  const auto finished_at = std::chrono::system_clock::now();
  io::RunRecord record =
      io::make_run_record(scenario, scenario_text, result, started_at, finished_at, HASHPIVOT_VERSION);
  for (const InputWarning& w : input.warnings) record.warnings.push_back(w.message());
  commit_run_outputs(record, store.get(), o.report);
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

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Commits the run's outputs together: its record in the store (unless --no-record) and its
/// report (with --report); on any failure or a stop asked for before the commit, neither.
///
/// The order, and why. The report shows the run's id, which the store assigns inside its
/// transaction, so the report is rendered and written to its temporary file there, after the rows;
/// a stop (SIGINT/SIGTERM) is checked once more, then signals are held back, the transaction
/// commits, and the report is renamed into place. Renaming after the commit, not before: the one
/// window no handler can close (SIGKILL or a power cut between the commit and the rename) then
/// leaves a recorded run whose report is missing, which `hashpivot report ID` writes again, plus
/// a ".NAME.PID.partial" temporary; the other order would leave a report naming a run id the
/// store never committed, and would hand to the next run. A rename that fails after the commit
/// (the folder was checked before the run, so hardly ever) deletes the record again.
ProgressLine::ProgressLine(sim::RunOptions& options) : started_(std::chrono::steady_clock::now()) {
  if (isatty(fileno(stderr)) == 0) return;
  options.progress = [this](std::int64_t done, std::int64_t total) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (elapsed < kProgressAfterSeconds && !shown_) return;
    shown_ = true;
    const double left = elapsed * static_cast<double>(total - done) / static_cast<double>(std::max<std::int64_t>(done, 1));
    fmt::print(stderr, "\r{} of {} paths ({:.0f}%), {:.1f} s, about {:.0f} s left   ", done, total,
               kPercentPerUnit * static_cast<double>(done) / static_cast<double>(total), elapsed, left);
    std::fflush(stderr);
  };
}

void ProgressLine::clear() {
  if (shown_) fmt::print(stderr, "\r{:80}\r", "");
}

void commit_run_outputs(io::RunRecord& record, io::ResultStore* store, const std::string& report_path) {
  std::optional<cancellation::Deferred> deferred;  // declared first: released after the temporary is gone
  std::optional<StagedFile> report;
  const auto stage = [&] {
    if (!report_path.empty()) report.emplace(report_path, report::render_html(record), "--report");
    cancellation::throw_if_requested();  // the last point a stop leaves nothing behind
    deferred.emplace();
  };
  if (store != nullptr) {
    store->save(record, [&](std::int64_t id) {
      record.run.id = id;
      stage();
    });
  } else {
    stage();
  }
  if (!report) return;
  try {
    report->commit();
  } catch (...) {
    if (store != nullptr) store->remove(record.run.id);
    throw;
  }
}

constexpr const char* kRunHelp =
    R"(Run every strategy of a scenario on the same simulated markets (common random numbers) and compare them:
probability of default, NPV to equity (mean, percentiles, CVaR 5%), BTC mined and held, cost per BTC,
hashcost and EBITDA, and each strategy's paired NPV difference against the first.
The same seed gives bit-identical results for any --threads, and under `mpirun -n K` (docs/cluster.md),
where each rank uses --threads threads and rank 0 alone prints and records. Progress shows on a
terminal for runs over a second. The record and the --report file are written together or not at all;
every output path is checked before the run starts. Ctrl-C (SIGINT) or SIGTERM stops a run cleanly: nothing
is recorded or written. Exit codes: 0 ok, 2 bad input (file:line: key: problem) or an output that cannot be
written, 3 internal error, 130 stopped by SIGINT, 143 stopped by SIGTERM.)";

void add_run_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  const auto [cmd, options] = add_command<RunCommandOptions>(app, exit_code, "run", kRunHelp,
      [&group](RunCommandOptions& o) { run_run(o, group); });
  cmd->add_option("SCENARIO", options->scenario, "Scenario file (TOML; see docs/scenario.md)")->required();
  cmd->add_option("--paths", options->paths, "Monte Carlo paths (default: the scenario's)")->transform(count_in_range("paths", 1, 1'000'000'000));
  cmd->add_option("--seed", options->seed, "Seed of every random draw (default: the scenario's)")
      ->transform(count_in_range("", 0, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--threads", options->threads, "Worker threads (default: every core)")->transform(count_in_range("threads", 1, 1024));
  cmd->add_flag("--json", options->json, "Print one JSON object instead of the table");
  add_variance_reduction_flag(*cmd, options->variance_reduction);
  add_strict_flag(*cmd, options->strict);
  cmd->add_flag("--yes", options->yes, "Run even when estimated to take over an hour (otherwise asked, or exit 2 off a terminal)");
  add_record_options(*cmd, options->db, options->no_record, options->report);
}

void add_record_options(CLI::App& cmd, std::string& db, bool& no_record, std::string& report) {
  cmd.add_option("--db", db,
                 "Result store the run is recorded in: a SQLite file, or postgresql://… "
                 "(default: $HASHPIVOT_DB, else hashpivot.sqlite in the current directory)");
  cmd.add_flag("--no-record", no_record, "Do not record the run in the result store");
  cmd.add_option("--report", report, "Also write the run's self-contained HTML report to this file");
}

}  // namespace hashpivot::cli
