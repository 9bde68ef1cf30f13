#include "peers_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.hpp"
#include "run_command.hpp"
#include "hashpivot/core/atomic_file.hpp"
#include "hashpivot/core/cancellation.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/io/peers.hpp"
#include "hashpivot/io/result_store.hpp"
#include "hashpivot/io/run_record.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/report/format.hpp"
#include "hashpivot/report/ranking.hpp"
#include "hashpivot/report/strategy_table.hpp"
#include "hashpivot/sim/metrics.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/study/history_backtest.hpp"
#include "hashpivot/study/peer_stress.hpp"

namespace hashpivot::cli {
namespace {

struct PeersCommandOptions {
  std::vector<std::string> scenarios;
  std::int64_t paths = 0;   // 0: the first scenario's
  std::int64_t seed = -1;   // -1: the scenarios' (they share it)
  unsigned threads = 0;     // 0: every core
  bool json = false;
  bool strict = false;
  bool stress = false;
  std::string history;      // the daily history replay_2022 reads
  std::string db;
  bool no_record = false;
  std::string report;
  bool yes = false;
};

// The metric table's columns the peer table reads (sim/metrics.hpp).
constexpr std::size_t kPDefault = sim::metric_index("p_default");
constexpr std::size_t kPerShareMean = sim::metric_index("npv_per_share_mean_usd");
constexpr std::size_t kBtcSold = sim::metric_index("btc_sold_mean_btc");
constexpr std::size_t kSharesIssued = sim::metric_index("shares_issued_mean");
constexpr std::size_t kHashcost = sim::metric_index("hashcost_usd_per_ph_day");

/// The monthly mean hashprice's 5/50/95% quantiles across paths, averaged over the months.
struct HashpriceFan {
  double p5 = 0, p50 = 0, p95 = 0;
};
HashpriceFan hashprice_fan(const sim::RunResult& r) {
  HashpriceFan fan;
  const auto which = static_cast<std::size_t>(sim::MarketSeries::kHashpriceUsdPerPhDay);
  for (std::size_t m = 0; m < r.months.size(); ++m) {
    fan.p5 += r.market_series.quantile(0, m, which, 0.05);
    fan.p50 += r.market_series.quantile(0, m, which, 0.50);
    fan.p95 += r.market_series.quantile(0, m, which, 0.95);
  }
  const auto months = static_cast<double>(r.months.size());
  return {fan.p5 / months, fan.p50 / months, fan.p95 / months};
}

struct StressRow {
  std::string name;
  std::string description;
  std::vector<study::PeerStressOutcome> firms;  // in the run's order
  double first_hashprice_usd_per_ph_day = 0;    // the stress market's first day (the start's)
};

std::vector<StressRow> run_stresses(std::span<const firm::Scenario> scenarios, std::span<const sim::RunFirm> firms,
                                    const market::DailyHistory* history, int days) {
  std::vector<StressRow> rows;
  const firm::Scenario& first = scenarios.front();
  for (const study::PeerStressInfo& info : study::kPeerStresses) {
    const market::DailyHistory market =
        study::stress_history(info.stress, first.market, first.run.start_date, days, history);
    StressRow row{std::string(info.name), std::string(info.description), {},
                  study::history_market_days(market, first.run.start_date, first.run.start_date)
                      .front()
                      .hashprice_usd_per_ph_day};
    for (const sim::RunFirm& f : firms) row.firms.push_back(study::run_peer_stress(*f.scenario, f.strategy, market));
    rows.push_back(std::move(row));
  }
  return rows;
}

/// USD in millions with the sign before the currency: "−$38M", "$1,234.5M" style of report::millions.
std::string usd_millions_text(double usd, int decimals) {
  return fmt::format("{}${}M", usd < 0 ? "−" : "", report::millions(std::abs(usd), decimals));
}

std::string dilution_text(double shares_issued, double shares_outstanding) {
  if (shares_outstanding <= 0 || std::isnan(shares_issued)) return "—";
  return fmt::format("{:+.1f}%", kPercentPerUnit * shares_issued / shares_outstanding);
}

std::string per_share_text(const io::StrategySummary& s, const report::RankedStrategy& f) {
  const double mean = s[kPerShareMean];
  if (std::isnan(mean)) return "—";
  const double half = f.npv_per_share_ci95_half_usd;
  return fmt::format("{:.2f} [{:.2f}, {:.2f}]", mean, mean - half, mean + half);
}

void print_tables(const sim::RunResult& r, const io::RunRecord& record, const std::vector<report::RankedStrategy>& ranked,
                  const std::vector<StressRow>& stresses,
                  std::span<const sim::RunFirm> run_firms, const std::optional<study::Replay2022Hashprice>& replay) {
  fmt::print("{}: {} firms on the same {} paths, seed {}, {} + {} days, {} thread{}, {:.1f} s\n", r.scenario_name,
             r.strategies.size(), r.paths, r.seed, format_date(r.start_day), r.horizon_days, r.threads,
             r.threads == 1 ? "" : "s", r.seconds);
  for (const std::string& line : r.market_description) fmt::print("  {}\n", line);
  const HashpriceFan fan = hashprice_fan(r);
  fmt::print("  hashprice over the horizon (monthly mean, averaged over the months): p5 ${:.1f}, median ${:.1f}, "
             "p95 ${:.1f} per PH/s per day\n\n",
             fan.p5, fan.p50, fan.p95);
  fmt::print("{:>4}  {:<22} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>24} {:>10} {:>7}\n", "rank", "firm", "P(default)",
             "median", "BTC sold", "of which", "BTC liq.", "dilution", "NPV per share $ (95% CI)", "hashcost", "AI/HPC");
  fmt::print("{:>4}  {:<22} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>24} {:>10} {:>7}\n", "", "", "", "default", "(mean)",
             "forced", "(mean)", "(mean)", "", "$/PH/day", "revenue");
  for (const report::RankedStrategy& f : ranked) {
    const std::size_t k = f.index;
    const io::StrategySummary& s = record.strategies[k];
    fmt::print("{:>4}  {:<22} {:>10} {:>9} {:>9.0f} {:>9.0f} {:>9.0f} {:>9} {:>24} {:>10.1f} {:>7}\n", f.rank,
               run_firms[k].label, report::percent(s[kPDefault]), f.median_default_month.value_or("—"),
               s[kBtcSold], f.btc_sold_forced_mean, f.btc_liquidated_mean,
               dilution_text(s[kSharesIssued], run_firms[k].scenario->equity.shares_outstanding), per_share_text(s, f),
               s[kHashcost], report::percent(f.hpc_revenue_share, 0));
  }
  fmt::print("\nRanked by P(default), then mean NPV per share. BTC sold: by the firm's policy, one-off sales and, "
             "forced, to cover cash shortfalls;\nBTC liq.: taken by its lenders. Dilution: shares issued (ATM sales, "
             "conversions) over the shares at the start.\n");
  if (ranked.size() > 1) {
    fmt::print("\nPaired NPV differences, each firm against the next in the ranking (same paths):\n");
    for (std::size_t rank = 0; rank + 1 < ranked.size(); ++rank) {
      const std::size_t a = ranked[rank].index, b = ranked[rank + 1].index;
      const stats::PairedDifference& d = r.strategies[a].npv_vs_each.against(b);
      const stats::ConfidenceInterval ci = d.confidence_interval_95();
      fmt::print("  {} − {}: {} [{}, {}], {} better on {} of paths\n", run_firms[a].label, run_firms[b].label,
                 usd_millions_text(d.difference().mean(), 1), usd_millions_text(ci.lower, 1),
                 usd_millions_text(ci.upper, 1), run_firms[a].label,
                 report::percent(d.candidate_wins().probability()));
    }
  }
  if (!stresses.empty()) {
    fmt::print("\nStress markets (deterministic, from the start date over the horizon; docs/peers.md):\n");
    for (const StressRow& row : stresses) fmt::print("  {}: {}\n", row.name, row.description);
    fmt::print("  (2022's USD hashprice went from ${:.1f} per PH/s per day on 2022-01-01 to a low of ${:.1f} on {}; "
               "the start's is ${:.1f}.)\n\n",
               replay->first_usd_per_ph_day, replay->low_usd_per_ph_day, format_date(replay->low_day),
               stresses.front().first_hashprice_usd_per_ph_day);
    fmt::print("  {:<22}", "firm");
    for (const StressRow& row : stresses) fmt::print(" {:>22}", row.name);
    fmt::print("\n");
    for (const report::RankedStrategy& f : ranked) {
      const std::size_t k = f.index;
      fmt::print("  {:<22}", run_firms[k].label);
      for (const StressRow& row : stresses) {
        const study::PeerStressOutcome& o = row.firms[k];
        const std::string cell = o.default_day ? "default " + format_date(*o.default_day)
                                               : fmt::format("{}, forced {:.0f}", usd_millions_text(o.equity_value_end_usd, 0),
                                                             o.btc_sold_forced);
        fmt::print(" {:>22}", cell);
      }
      fmt::print("\n");
    }
    fmt::print("  A survivor's cell: what its equity holders own on the last day, undiscounted (cash + BTC at "
               "market − debt + the terminal value a run gives its horizon), and the BTC it was forced to sell.\n");
  }
  fmt::print("\nThe full metric table, firm by firm:\n\n{}", report::comparison_text(record.strategies));
}

nlohmann::json stress_json(const std::vector<StressRow>& stresses, std::span<const sim::RunFirm> firms) {
  nlohmann::json out = nlohmann::json::array();
  for (const StressRow& row : stresses) {
    nlohmann::json firms_json = nlohmann::json::array();
    for (std::size_t k = 0; k < firms.size(); ++k) {
      const study::PeerStressOutcome& o = row.firms[k];
      firms_json.push_back({{"firm", firms[k].label},
                            {"defaulted", o.default_day.has_value()},
                            {"default_date", o.default_day ? nlohmann::json(format_date(*o.default_day)) : nlohmann::json()},
                            {"btc_mined", o.btc_mined},
                            {"btc_sold", o.btc_sold},
                            {"btc_sold_forced", o.btc_sold_forced},
                            {"btc_liquidated", o.btc_liquidated},
                            {"equity_value_end_usd", o.equity_value_end_usd}});
    }
    out.push_back({{"name", row.name},
                   {"description", row.description},
                   {"first_hashprice_usd_per_ph_day", row.first_hashprice_usd_per_ph_day},
                   {"firms", firms_json}});
  }
  return out;
}

nlohmann::json to_json(const sim::RunResult& r, const io::RunRecord& record, const std::vector<report::RankedStrategy>& ranked,
                       const std::vector<StressRow>& stresses,
                       std::span<const sim::RunFirm> run_firms, const std::optional<study::Replay2022Hashprice>& replay) {
  std::vector<const report::RankedStrategy*> of_firm(ranked.size());
  for (const report::RankedStrategy& f : ranked) of_firm[f.index] = &f;
  nlohmann::json firms_json = nlohmann::json::array();
  for (std::size_t k = 0; k < run_firms.size(); ++k) {
    const report::RankedStrategy& f = *of_firm[k];
    nlohmann::json j = report::strategy_json(record.strategies[k]);
    j["firm"] = run_firms[k].label;
    j["scenario"] = run_firms[k].scenario->source;
    j["scenario_name"] = run_firms[k].scenario->run.name;
    j["strategy"] = run_firms[k].scenario->strategies[run_firms[k].strategy].name;
    j["rank"] = f.rank;
    j["shares_outstanding"] = run_firms[k].scenario->equity.shares_outstanding;
    j["default_month_median"] = f.median_default_month ? nlohmann::json(*f.median_default_month) : nlohmann::json();
    j["btc_liquidated"] = {{"mean", f.btc_liquidated_mean}};
    j["btc_sold_forced"] = {{"mean", f.btc_sold_forced_mean}};
    j["hpc_revenue_share"] = f.hpc_revenue_share;
    nlohmann::json paired = nlohmann::json::array();
    for (std::size_t other = 0; other < run_firms.size(); ++other) {
      const stats::PairedDifference& d = r.strategies[k].npv_vs_each.against(other);
      const stats::ConfidenceInterval ci = d.confidence_interval_95();
      paired.push_back({{"against", run_firms[other].label},
                        {"mean", d.difference().mean()},
                        {"ci95", {ci.lower, ci.upper}},
                        {"p_better", d.candidate_wins().probability()}});
    }
    j["npv_vs_firm_usd"] = paired;
    firms_json.push_back(std::move(j));
  }
  const HashpriceFan fan = hashprice_fan(r);
  return {{"peer_group", r.scenario_name},
          {"seed", r.seed},
          {"paths", r.paths},
          {"start_date", format_date(r.start_day)},
          {"horizon_days", r.horizon_days},
          {"firms", firms_json},
          {"hashprice_usd_per_ph_day", {{"p5", fan.p5}, {"p50", fan.p50}, {"p95", fan.p95}}},
          {"stress", stress_json(stresses, run_firms)},
          {"replay_2022_hashprice_usd_per_ph_day",
           replay ? nlohmann::json{{"first", replay->first_usd_per_ph_day},
                                   {"low", replay->low_usd_per_ph_day},
                                   {"low_date", format_date(replay->low_day)}}
                  : nlohmann::json()},
          {"market", r.market_description},
          {"warnings", record.warnings}};
}

void run_peers_command(const PeersCommandOptions& o, const sim::ProcessGroup& group) {
  const cancellation::Listening listening;
  const std::string db = o.db.empty() ? io::default_result_store() : o.db;
  if (group.is_root()) {
    if (!o.report.empty()) check_output_path(o.report, "--report");
    if (!o.no_record && !io::is_postgres_url(db)) check_output_path(db, "--db", OutputWrite::kUpdatedInPlace);
  }
  if (o.stress && o.history.empty())
    throw InputError("command line", 0, "--history", "--stress needs the daily history that replay_2022 replays");
  const std::vector<io::PeerArgument> arguments = io::parse_peer_arguments(o.scenarios);
  std::vector<firm::Scenario> scenarios;
  std::vector<InputWarning> warnings;
  std::string scenario_text;
  std::string scenario_paths;
  for (const io::PeerArgument& a : arguments) {
    io::ScenarioInput input = read_scenario_checked(a.path, o.strict, group.is_root());
    warnings.insert(warnings.end(), input.warnings.begin(), input.warnings.end());
    scenarios.push_back(std::move(input.scenario));
    scenario_text += fmt::format("# ---- {} ----\n{}\n", a.path, read_text(a.path));
    scenario_paths += (scenario_paths.empty() ? "" : " ") + a.path;
  }
  io::check_peer_scenarios(scenarios);
  for (firm::Scenario& s : scenarios) {
    if (o.paths > 0) s.run.paths = o.paths;
    if (o.seed >= 0) s.run.seed = static_cast<std::uint64_t>(o.seed);
  }
  std::vector<sim::RunFirm> firms;
  for (std::size_t i = 0; i < arguments.size(); ++i)
    firms.push_back({&scenarios[i], io::peer_strategy_index(scenarios[i], arguments[i].strategy), arguments[i].label});
  std::optional<market::DailyHistory> history;
  if (o.stress) history = read_history_checked(o.history, o.strict);
  const model::MarketModel market = io::load_peer_market_model(scenarios);
  if (group.is_root()) cancellation::throw_if_requested();
  std::unique_ptr<io::ResultStore> store;
  if (!o.no_record && group.is_root()) store = io::open_result_store(db);

  sim::RunOptions options;
  options.paths = scenarios.front().run.paths;
  options.seed = scenarios.front().run.seed;
  options.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  options.group = &group;
  if (group.is_root()) options.stop_signal = &cancellation::stop_signal();
  // The estimate times one scenario's strategies; a peer run steps one strategy per firm.
  confirm_simulation_time(scenarios.front(), market, options.paths, 1, options.threads, o.yes, "--paths",
                          fmt::format("{} paths", with_thousands(options.paths)));
  ProgressLine progress(options);
  const auto started_at = std::chrono::system_clock::now();
  const std::string name = fmt::format("Peer group of {} firms, {}", firms.size(),
                                       format_date(scenarios.front().run.start_date));
  const sim::RunResult result = progress.run([&] { return sim::run_peers(name, firms, market, options); });
  if (!group.is_root()) return;
  const std::vector<StressRow> stresses =
      o.stress ? run_stresses(scenarios, firms, &*history, result.horizon_days) : std::vector<StressRow>{};
  const std::optional<study::Replay2022Hashprice> replay =
      o.stress ? std::optional(study::replay_2022_hashprice(*history)) : std::nullopt;

  io::RunRecord record = io::make_run_record(scenarios.front(), scenario_text, result, started_at,
                                             std::chrono::system_clock::now(), HASHPIVOT_VERSION);
  record.run.scenario_path = scenario_paths;
  for (const InputWarning& w : warnings) record.warnings.push_back(w.message());
  commit_run_outputs(record, store.get(), o.report);

  const std::vector<report::RankedStrategy> ranked = report::rank_strategies(record);
  if (o.json) {
    nlohmann::json j = to_json(result, record, ranked, stresses, firms, replay);
    if (!o.no_record) j["run_id"] = record.run.id;
    std::cout << j.dump(2) << "\n";
  } else {
    print_tables(result, record, ranked, stresses, firms, replay);
    if (!o.no_record)
      fmt::print("Recorded as run {} in {} (hashpivot runs show {}).\n", record.run.id, io::redact_store_location(db),
                 record.run.id);
    if (!o.report.empty()) fmt::print("Report: {}\n", o.report);
  }
}

}  // namespace

constexpr const char* kPeersHelp =
    R"(Run several listed miners on the same simulated markets (common random numbers) and rank them: probability
of default and its median month, BTC sold (forced by cash shortfalls or not) and liquidated, dilution, NPV per share with its 95% CI, hashcost
against the hashprice fan, the AI/HPC share of revenue, and paired NPV differences between firms.
Each SCENARIO is a firm's scenario file, FILE or FILE:STRATEGY (default: its first strategy); the scenarios
must share the [scenario] start date, horizon and seed and every [market] key (scenarios/peers/ holds
ten listed miners as of February 2026; with scenarios/cango.toml, the eleven of the README's peer group).
A firm's figures are the same as in `hashpivot run` of its own scenario with the same paths and seed.
--stress also runs every firm on four deterministic stress markets (replay of 2022, BTC −50% in a quarter,
the halving at a flat price, a 20% hashrate surge; docs/peers.md).
Bit-identical for any --threads and under `mpirun -n K`. Recorded in the result store as one run whose
strategies are the firms. Exit codes: 0 ok, 2 bad input (file:line: key: problem), 3 internal error,
130/143 stopped by SIGINT/SIGTERM.)";

void add_peers_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  const auto [cmd, options] = add_command<PeersCommandOptions>(app, exit_code, "peers", kPeersHelp,
      [&group](PeersCommandOptions& o) { run_peers_command(o, group); });
  cmd->add_option("SCENARIO", options->scenarios, "Firms' scenario files, FILE or FILE:STRATEGY")->required();
  cmd->add_option("--paths", options->paths, "Monte Carlo paths (default: the first scenario's)")
      ->transform(count_in_range("paths", 1, 1'000'000'000));
  cmd->add_option("--seed", options->seed, "Seed of every random draw (default: the scenarios')")
      ->transform(count_in_range("", 0, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--threads", options->threads, "Worker threads (default: every core)")
      ->transform(count_in_range("threads", 1, 1024));
  cmd->add_flag("--stress", options->stress, "Also run the four named stress markets (needs --history)");
  cmd->add_option("--history", options->history,
                  "Daily history in calibrate's format, for the replay_2022 stress "
                  "(data/history/btc_daily_history_coinmetrics_format.csv)");
  cmd->add_flag("--json", options->json, "Print one JSON object instead of the tables");
  add_strict_flag(*cmd, options->strict);
  cmd->add_flag("--yes", options->yes, "Run even when estimated to take over an hour");
  add_record_options(*cmd, options->db, options->no_record, options->report);
}

}  // namespace hashpivot::cli
