#pragma once
// `hashpivot bench [SCENARIO]`: the engine's throughput in path-days per second (one strategy's firm
// on one path for one day, network and markets included), its scaling over threads, a one-factor
// GBM generator as the floor, and the peak resident memory. bench/hashpivot_bench.cpp runs the same.

#include <CLI/CLI.hpp>

#include "hashpivot/firm/lanes.hpp"
#include "hashpivot/sim/process_group.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hashpivot::cli {

struct BenchOptions {
  std::string scenario = "scenarios/cango.toml";
  unsigned threads = 0;        // 0: every core
  std::int64_t paths = 2048;
  int years = 0;               // 0: the scenario's horizon_years
  bool json = false;
  bool commands = false;       // --commands: time optimize, sensitivity and options --site instead
  /// --block-step: "auto" (sim::RunOptions' defaults), "off" (path by path), or the copy of the block
  /// step to time: "baseline", "avx2", "avx512" (firm::lanes::InstructionSet).
  std::string block_step = "auto";
};

struct BenchResult {
  std::string scenario;
  std::int64_t paths = 0;
  int days = 0;
  std::size_t strategies = 0;
  unsigned threads = 1;
  double path_days_per_second_one_thread = 0;
  /// The block step (sim::RunOptions::block_step): whether this build uses it, and 1 thread's
  /// path-days per second with the other choice (the same run, the same bits).
  bool block_step = false;
  firm::lanes::InstructionSet lane_set = firm::lanes::InstructionSet::kBaseline;  // the copy timed
  double path_days_per_second_one_thread_other_step = 0;
  double path_days_per_second = 0;               // with `threads`
  double gbm_path_steps_per_second_per_core = 0;
  /// Where 1 thread's time goes, on `split_paths` paths (0 when the store of their markets would
  /// exceed its budget): the market's, per path and day (simulated once for all the strategies), and
  /// one strategy's firm's, per path-day, timed as the run again on markets read from a store
  /// (sim::MarketReplay); `split_seconds_one_thread` is the simulated run's time they split.
  std::int64_t split_paths = 0;
  double split_seconds_one_thread = 0;
  double market_ns_per_path_day = 0;
  double firm_ns_per_path_day = 0;
  double peak_rss_mib = 0;
  /// Variance reduction (sim::RunOptions::variance_reduction) on the same paths and `threads`, for the
  /// strategy it helps least: the SE of its mean NPV plain and reduced, the wall times, and the
  /// effective speed-up (variance ratio × time ratio): how many times fewer seconds the same SE takes.
  std::string variance_reduction_strategy;
  double se_plain_usd = 0;
  double se_reduced_usd = 0;
  double seconds_plain = 0;
  double seconds_reduced = 0;
  [[nodiscard]] double variance_ratio() const { return (se_plain_usd * se_plain_usd) / (se_reduced_usd * se_reduced_usd); }
  [[nodiscard]] double time_ratio() const { return seconds_plain / seconds_reduced; }
  [[nodiscard]] double effective_speedup() const { return variance_ratio() * time_ratio(); }
};

[[nodiscard]] BenchResult run_benchmark(const BenchOptions& options);

/// The options of the measurement, shared by `hashpivot bench` and the hashpivot-bench program.
void configure_bench_options(CLI::App& command, BenchOptions& options);
/// Runs the measurement and prints it (a table, or JSON with options.json).
void print_benchmark(const BenchOptions& options);

/// One command that users wait on, run with its default settings as a child process of this
/// binary (`--json`), timed from start to exit.
struct CommandTiming {
  std::string name;        // "optimize", "sensitivity", "options --site", "optimize --variance-reduction", ...
  std::string arguments;   // after the binary's name
  double seconds = 0;      // wall time
  std::string se_of;       // which estimate's standard error `se` is
  double se = 0;           // in the estimate's unit (USD)
  double peak_rss_mib = 0; // the largest child's resident set so far (getrusage RUSAGE_CHILDREN)
};

/// Times `optimize` (the first strategy with [strategies.search] ranges; SE of the optimum's
/// objective), `sensitivity` (the first strategy; SE of the base run's mean NPV) and `options --site`
/// (the first site with a conversion; SE of the option to idle and restart) on options.scenario with
/// their default settings and options.threads; then optimize and sensitivity again with
/// --variance-reduction (the same work, a smaller SE). Throws InputError when the scenario lacks what a command
/// needs, and std::runtime_error when a command fails.
[[nodiscard]] std::vector<CommandTiming> time_commands(const BenchOptions& options);

void add_bench_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
