#pragma once
// `hashpivot bench [SCENARIO]`: the engine's throughput in path-days per second (one strategy's firm
// on one path for one day, network and markets included), its scaling over threads, a one-factor
// GBM generator as the floor, and the peak resident memory. bench/hashpivot_bench.cpp runs the same.

#include <CLI/CLI.hpp>

#include "hashpivot/sim/process_group.hpp"

#include <cstdint>
#include <string>

namespace hashpivot::cli {

struct BenchOptions {
  std::string scenario = "scenarios/cango.toml";
  unsigned threads = 0;        // 0: every core
  std::int64_t paths = 2048;
  int years = 0;               // 0: the scenario's horizon_years
  bool json = false;
};

struct BenchResult {
  std::string scenario;
  std::int64_t paths = 0;
  int days = 0;
  std::size_t strategies = 0;
  unsigned threads = 1;
  double path_days_per_second_one_thread = 0;
  double path_days_per_second = 0;               // with `threads`
  double gbm_path_steps_per_second_per_core = 0;
  double peak_rss_mib = 0;
};

[[nodiscard]] BenchResult run_benchmark(const BenchOptions& options);

/// The options of the measurement, shared by `hashpivot bench` and the hashpivot-bench program.
void configure_bench_options(CLI::App& command, BenchOptions& options);
/// Runs the measurement and prints it (a table, or JSON with options.json).
void print_benchmark(const BenchOptions& options);

void add_bench_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
