#include "bench_command.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_support.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/market/btc_price.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::cli {
namespace {

/// The GBM floor's path length: ten years of daily steps.
constexpr auto kGbmFloorDays = static_cast<std::uint32_t>(10 * kDaysPerYear);
constexpr double kKibPerMib = 1024.0;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / kKibPerMib;  // Linux reports KiB
}

// The floor to compare against: one GBM factor, one Philox normal pair per two steps, no firm.
double gbm_path_steps_per_second(std::uint32_t paths, std::uint32_t days) {
  const random::CounterRng rng(1);
  const market::GbmPrice gbm{0.2, 0.6};
  double checksum = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint32_t p = 0; p < paths; ++p) {
    double log_price = std::log(78'702.39);
    for (std::uint32_t d = 0; d + 1 < days; d += 2) {
      const std::array<double, 2> z = rng.normals({random::Stream::kBtcPrice, p, d / 2});
      log_price += gbm.log_return(z[0]) + gbm.log_return(z[1]);
    }
    checksum += log_price;
  }
  const double elapsed = seconds_since(start);
  if (!std::isfinite(checksum)) throw std::runtime_error("GBM benchmark produced a non-finite price");
  return static_cast<double>(paths) * static_cast<double>(days) / elapsed;
}

}  // namespace

BenchResult run_benchmark(const BenchOptions& o) {
  firm::Scenario scenario = io::read_scenario(o.scenario);
  if (o.years > 0) scenario.run.horizon_years = o.years;
  const model::MarketModel market = io::load_market_model(scenario);
  BenchResult r;
  r.scenario = o.scenario;
  r.paths = o.paths;
  r.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  r.strategies = scenario.strategies.size();
  const auto timed = [&](unsigned threads, sim::RunResult& out) {
    const auto start = std::chrono::steady_clock::now();
    out = sim::run_simulation(scenario, market, {o.paths, scenario.run.seed, threads, {}});
    return seconds_since(start);
  };
  sim::RunResult result = sim::run_simulation(scenario, market, {sim::kPathsPerBlock, 1, 1, {}});  // warm-up
  r.days = result.horizon_days;
  const double path_days = static_cast<double>(o.paths) * r.days * static_cast<double>(r.strategies);
  r.path_days_per_second_one_thread = path_days / timed(1, result);
  r.path_days_per_second = r.threads == 1 ? r.path_days_per_second_one_thread : path_days / timed(r.threads, result);
  r.gbm_path_steps_per_second_per_core = gbm_path_steps_per_second(static_cast<std::uint32_t>(o.paths), kGbmFloorDays);
  r.peak_rss_mib = peak_rss_mib();
  return r;
}

void configure_bench_options(CLI::App& cmd, BenchOptions& options) {
  cmd.add_option("SCENARIO", options.scenario, "Scenario file")->capture_default_str();
  cmd.add_option("--threads", options.threads, "Threads for the parallel measurement (default: every core)")
      ->transform(count_in_range("threads", 1, 1024));
  cmd.add_option("--paths", options.paths, "Paths per measurement")->capture_default_str()->transform(count_in_range("paths", 256, 100'000'000));
  cmd.add_option("--years", options.years, "Horizon in years instead of the scenario's")->transform(count_in_range("years", 1, 10));
  cmd.add_flag("--json", options.json, "Print one JSON object");
}

void print_benchmark(const BenchOptions& options) {
  const BenchResult r = run_benchmark(options);
  const double per_core = r.path_days_per_second / r.threads;
  // The full model's one-thread speed over the GBM floor's, both measured in this run: a path-day
  // of the model against a path-step of one GBM factor (issue 17's target is 0.8).
  const double ratio_to_gbm_floor = r.path_days_per_second_one_thread / r.gbm_path_steps_per_second_per_core;
  if (options.json) {
    const nlohmann::json j{{"scenario", r.scenario},
                           {"paths", r.paths},
                           {"days", r.days},
                           {"strategies", r.strategies},
                           {"threads", r.threads},
                           {"path_days_per_second", r.path_days_per_second},
                           {"path_days_per_second_one_thread", r.path_days_per_second_one_thread},
                           {"path_days_per_second_per_core", per_core},
                           {"speedup", r.path_days_per_second / r.path_days_per_second_one_thread},
                           {"gbm_path_steps_per_second_per_core", r.gbm_path_steps_per_second_per_core},
                           {"ratio_to_gbm_floor", ratio_to_gbm_floor},
                           {"peak_rss_mib", r.peak_rss_mib}};
    std::cout << j.dump(2) << "\n";
    return;
  }
  fmt::print("{}: {} strategies x {} paths x {} days\n", r.scenario, r.strategies, r.paths, r.days);
  fmt::print("  1 thread      {:>8.2f} M path-days/s\n", r.path_days_per_second_one_thread / kMillion);
  fmt::print("  {} thread{}    {:>8.2f} M path-days/s ({:.2f}x), {:.2f} M per core\n", r.threads, r.threads == 1 ? " " : "s",
             r.path_days_per_second / kMillion, r.path_days_per_second / r.path_days_per_second_one_thread, per_core / kMillion);
  fmt::print("  GBM floor     {:>8.2f} M path-steps/s per core (one factor, Philox + Box-Muller)\n",
             r.gbm_path_steps_per_second_per_core / kMillion);
  fmt::print("  model / floor {:>8.2f}x (1 thread's path-days against the floor's path-steps)\n", ratio_to_gbm_floor);
  fmt::print("  peak memory   {:>8.1f} MiB\n", r.peak_rss_mib);
}

constexpr const char* kBenchHelp =
    R"(Measure the engine: path-days per second (one strategy's firm on one path for one day, network and markets
included) with 1 thread and with --threads, per core, against a single-factor GBM path generator as the floor,
and the peak resident memory. bench/hashpivot_bench.cpp builds the same measurement as hashpivot-bench.)";

void add_bench_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& /*group*/) {
  const auto [cmd, options] = add_command<BenchOptions>(app, exit_code, "bench", kBenchHelp,
      [](BenchOptions& o) { print_benchmark(o); });
  configure_bench_options(*cmd, *options);
}

}  // namespace hashpivot::cli
