#include "bench_command.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "cli_support.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/lanes.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/sim/market_replay.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/market/btc_price.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::cli {
namespace {

/// The GBM floor's path length: ten years of daily steps.
constexpr auto kGbmFloorDays = static_cast<std::uint32_t>(10 * kDaysPerYear);
constexpr double kKibPerMib = 1024.0;
constexpr double kNanosecondsPerSecond = 1e9;
/// The time split's paths (at most) and timings of each run (the least kept).
constexpr std::int64_t kSplitPaths = 1024;
constexpr int kSplitRounds = 2;

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

// --block-step's copy of the block step (CLI::IsMember admits only these).
firm::lanes::InstructionSet lane_instruction_set_of(const std::string& name) {
  for (const auto set : {firm::lanes::InstructionSet::kAvx2, firm::lanes::InstructionSet::kAvx512})
    if (name == firm::name_of(set)) return set;
  return firm::lanes::InstructionSet::kBaseline;
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
  r.block_step = sim::RunOptions{}.block_step;
  r.lane_set = sim::RunOptions{}.lane_instruction_set;
  if (o.block_step == "off") {
    r.block_step = false;
  } else if (o.block_step != "auto") {
    r.block_step = true;
    r.lane_set = lane_instruction_set_of(o.block_step);
    if (!firm::lane_instruction_set_available(r.lane_set))
      throw std::invalid_argument("--block-step " + o.block_step + ": this build or processor has no copy for it");
  }
  const auto timed = [&](unsigned threads, bool variance_reduction, sim::RunResult& out, bool block_step) {
    sim::RunOptions options{o.paths, scenario.run.seed, threads, {}};
    options.variance_reduction = variance_reduction;
    options.block_step = block_step;
    options.lane_instruction_set = r.lane_set;
    const auto start = std::chrono::steady_clock::now();
    out = sim::run_simulation(scenario, market, options);
    return seconds_since(start);
  };
  sim::RunResult result = sim::run_simulation(scenario, market, {sim::kPathsPerBlock, 1, 1, {}});  // warm-up
  r.days = result.horizon_days;
  const double path_days = static_cast<double>(o.paths) * r.days * static_cast<double>(r.strategies);
  const double one_thread_seconds = timed(1, false, result, r.block_step);
  r.path_days_per_second_one_thread = path_days / one_thread_seconds;
  {
    sim::RunResult other = result;
    r.path_days_per_second_one_thread_other_step = path_days / timed(1, false, other, !r.block_step);
    if (other.strategies.front().npv_usd.mean() != result.strategies.front().npv_usd.mean())
      throw std::runtime_error("bench: the run with the block step differs from the run path by path");
  }
  r.seconds_plain = r.threads == 1 ? one_thread_seconds : timed(r.threads, false, result, r.block_step);
  r.path_days_per_second = path_days / r.seconds_plain;
  sim::RunResult reduced = result;
  r.seconds_reduced = timed(r.threads, true, reduced, r.block_step);
  // The strategy whose variance the reduction cuts least: the figure to quote.
  double least = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < result.strategies.size(); ++k) {
    const double plain = result.strategies[k].npv_usd.standard_error();
    const double cut = reduced.strategies[k].npv_se_usd();
    if (!(plain > 0 && cut > 0)) continue;
    if (plain / cut < least) {
      least = plain / cut;
      r.variance_reduction_strategy = result.strategies[k].name;
      r.se_plain_usd = plain;
      r.se_reduced_usd = cut;
    }
  }
  r.gbm_path_steps_per_second_per_core = gbm_path_steps_per_second(static_cast<std::uint32_t>(o.paths), kGbmFloorDays);
  r.peak_rss_mib = peak_rss_mib();  // before the store below, which holds its paths' markets
  // Where the one-thread time goes: the same run on 1 thread again, its markets read from a store
  // that a first run filled (sim::MarketReplay, the same bits) instead of simulated, is the firms'
  // time; the difference is the market's, simulated once per path for all the strategies. A
  // difference of two timings: on up to kSplitPaths paths, each timed twice, alternated, the least
  // of each kept, so that a change in the host's load between them moves it less.
  const std::int64_t split_paths = std::min(o.paths, kSplitPaths);
  if (std::optional<sim::MarketReplay> store = sim::MarketReplay::within_budget(
          market, scenario, scenario.run.seed, split_paths, false, sim::kDefaultMarketReplayBudgetBytes)) {
    sim::RunOptions options{split_paths, scenario.run.seed, r.threads, {}};
    options.block_step = r.block_step;
    options.lane_instruction_set = r.lane_set;
    options.market_replay = &*store;
    [[maybe_unused]] const sim::RunResult filled = sim::run_simulation(scenario, market, options);
    options.threads = 1;
    sim::RunOptions simulating = options;
    simulating.market_replay = nullptr;
    double simulated_seconds = std::numeric_limits<double>::infinity();
    double replayed_seconds = std::numeric_limits<double>::infinity();
    for (int round = 0; round < kSplitRounds; ++round) {
      auto start = std::chrono::steady_clock::now();
      const sim::RunResult simulated = sim::run_simulation(scenario, market, simulating);
      simulated_seconds = std::min(simulated_seconds, seconds_since(start));
      start = std::chrono::steady_clock::now();
      const sim::RunResult replayed = sim::run_simulation(scenario, market, options);
      replayed_seconds = std::min(replayed_seconds, seconds_since(start));
      if (replayed.strategies.front().npv_usd.mean() != simulated.strategies.front().npv_usd.mean())
        throw std::runtime_error("bench: the run on the stored markets differs from the simulated run");
    }
    const double paths_days = static_cast<double>(split_paths) * r.days;
    r.split_paths = split_paths;
    r.firm_ns_per_path_day = replayed_seconds / (paths_days * static_cast<double>(r.strategies)) * kNanosecondsPerSecond;
    r.market_ns_per_path_day = (simulated_seconds - replayed_seconds) / paths_days * kNanosecondsPerSecond;
    r.split_seconds_one_thread = simulated_seconds;
  }
  return r;
}

namespace {

/// The path of this program, for its own commands as children.
std::string own_binary() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) throw std::runtime_error("bench --commands: cannot find this program (/proc/self/exe): " + error.message());
  return self.string();
}

/// Runs `binary arguments` (arguments already shell-safe), returns its stdout; throws with its
/// exit status when it fails.
std::string run_child(const std::string& binary, const std::string& arguments) {
  const std::string command = "'" + binary + "' " + arguments + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("bench --commands: cannot start " + command);
  std::string out;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) out.append(buffer.data(), n);
  const int status = pclose(pipe.release());
  if (status != 0) throw std::runtime_error(fmt::format("bench --commands: `{}` failed (status {})", command, status));
  return out;
}

double children_peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_maxrss) / kKibPerMib;
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::vector<CommandTiming> time_commands(const BenchOptions& o) {
  const firm::Scenario scenario = io::read_scenario(o.scenario);
  const auto searched = std::find_if(scenario.strategies.begin(), scenario.strategies.end(),
                                     [](const firm::Strategy& s) { return !s.search.empty(); });
  if (searched == scenario.strategies.end())
    throw InputError(o.scenario, 0, "strategies.search", "bench --commands needs a strategy with search ranges");
  const auto site = std::find_if(scenario.sites.begin(), scenario.sites.end(),
                                 [](const firm::Site& s) { return s.conversion.has_value(); });
  if (site == scenario.sites.end())
    throw InputError(o.scenario, 0, "sites.conversion", "bench --commands needs a site with a [sites.conversion]");
  const unsigned threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  const std::string common = fmt::format("{} --json --threads {}", quoted(o.scenario), threads);
  const std::string binary = own_binary();
  std::vector<CommandTiming> out;
  const auto timed = [&](CommandTiming t, const auto& se_from_json) {
    const auto start = std::chrono::steady_clock::now();
    const nlohmann::json j = nlohmann::json::parse(run_child(binary, t.arguments));
    t.seconds = seconds_since(start);
    t.se = se_from_json(j);
    t.peak_rss_mib = children_peak_rss_mib();
    out.push_back(std::move(t));
  };
  const auto optimum_se = [](const nlohmann::json& j) { return j.at("optimum").at("objective_se").get<double>(); };
  const auto base_se = [](const nlohmann::json& j) {
    return j.at("strategies").at(0).at("base").at("npv_usd").at("se").get<double>();
  };
  timed({"optimize", fmt::format("optimize {} --strategy {}", common, quoted(searched->name)), 0,
         "the optimum's objective", 0, 0},
        optimum_se);
  timed({"sensitivity", fmt::format("sensitivity {} --strategy {}", common, quoted(scenario.strategies.front().name)),
         0, "the base run's mean NPV", 0, 0},
        base_se);
  // With variance reduction (run --variance-reduction): the same work, a smaller SE.
  timed({"optimize --variance-reduction", fmt::format("optimize {} --strategy {} --variance-reduction", common, quoted(searched->name)), 0,
         "the optimum's objective", 0, 0},
        optimum_se);
  timed({"sensitivity --variance-reduction",
         fmt::format("sensitivity {} --strategy {} --variance-reduction", common, quoted(scenario.strategies.front().name)),
         0, "the base run's mean NPV", 0, 0},
        base_se);
  // The option to idle and restart: the convert option's SE is 0 where its rule never converts.
  timed({"options --site", fmt::format("options {} --site {}", common, quoted(site->name)), 0,
         "the option to idle and restart", 0, 0},
        [](const nlohmann::json& j) { return j.at("shutdown").at("se").get<double>(); });
  return out;
}

void configure_bench_options(CLI::App& cmd, BenchOptions& options) {
  cmd.add_option("SCENARIO", options.scenario, "Scenario file")->capture_default_str();
  cmd.add_option("--threads", options.threads, "Threads for the parallel measurement (default: every core)")
      ->transform(count_in_range("threads", 1, 1024));
  cmd.add_option("--paths", options.paths, "Paths per measurement")->capture_default_str()->transform(count_in_range("paths", 256, 100'000'000));
  cmd.add_option("--years", options.years, "Horizon in years instead of the scenario's")->transform(count_in_range("years", 1, 10));
  cmd.add_flag("--json", options.json, "Print one JSON object");
  cmd.add_option("--block-step", options.block_step,
                 "How the firms of a run step: auto (4 paths at once in the widest copy this processor runs, "
                 "where that pays), off (path by path), or one copy: baseline, avx2, avx512")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "off", "baseline", "avx2", "avx512"}));
  cmd.add_flag("--commands", options.commands,
               "Time optimize, sensitivity and options --site with their default settings instead (seconds, SE, "
               "SE x sqrt(seconds): the SE one second of that command would give)");
}

void print_command_timings(const BenchOptions& options) {
  const std::vector<CommandTiming> timings = time_commands(options);
  if (options.json) {
    nlohmann::json commands = nlohmann::json::array();
    for (const CommandTiming& t : timings)
      commands.push_back({{"command", t.name},
                          {"arguments", t.arguments},
                          {"seconds", t.seconds},
                          {"se_of", t.se_of},
                          {"se_usd", t.se},
                          {"se_usd_times_sqrt_seconds", t.se * std::sqrt(t.seconds)},
                          {"peak_rss_mib", t.peak_rss_mib}});
    std::cout << nlohmann::json{{"scenario", options.scenario}, {"commands", commands}}.dump(2) << "\n";
    return;
  }
  fmt::print("{}: the commands users wait on, default settings\n", options.scenario);
  fmt::print("  {:<34} {:>8} {:>9} {:>13}  {}\n", "command", "seconds", "SE ($M)", "SE x sqrt(s)", "SE of");
  for (const CommandTiming& t : timings)
    fmt::print("  {:<34} {:>8.1f} {:>9.2f} {:>13.2f}  {}\n", t.name, t.seconds, t.se / kMillion,
               t.se * std::sqrt(t.seconds) / kMillion, t.se_of);
  fmt::print("  peak memory of the children {:.1f} MiB\n", timings.back().peak_rss_mib);
}

void print_benchmark(const BenchOptions& options) {
  if (options.commands) {
    print_command_timings(options);
    return;
  }
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
                           {"block_step", {{"used", r.block_step},
                                           {"instruction_set", firm::name_of(r.lane_set)},
                                           {"path_days_per_second_one_thread_other", r.path_days_per_second_one_thread_other_step}}},
                           {"time_split", {{"paths", r.split_paths},
                                           {"seconds_one_thread", r.split_seconds_one_thread},
                                           {"market_ns_per_path_day", r.market_ns_per_path_day},
                                           {"firm_ns_per_path_day", r.firm_ns_per_path_day}}},
                           {"variance_reduction", {{"strategy", r.variance_reduction_strategy},
                                                   {"npv_se_plain_usd", r.se_plain_usd},
                                                   {"npv_se_usd", r.se_reduced_usd},
                                                   {"seconds_plain", r.seconds_plain},
                                                   {"seconds", r.seconds_reduced},
                                                   {"variance_ratio", r.variance_ratio()},
                                                   {"time_ratio", r.time_ratio()},
                                                   {"effective_speedup", r.effective_speedup()}}},
                           {"peak_rss_mib", r.peak_rss_mib}};
    std::cout << j.dump(2) << "\n";
    return;
  }
  fmt::print("{}: {} strateg{} x {} paths x {} days\n", r.scenario, r.strategies, r.strategies == 1 ? "y" : "ies", r.paths,
             r.days);
  fmt::print("  1 thread      {:>8.2f} M path-days/s\n", r.path_days_per_second_one_thread / kMillion);
  if (r.threads > 1)
    fmt::print("  {} threads    {:>8.2f} M path-days/s ({:.2f}x), {:.2f} M per core\n", r.threads,
               r.path_days_per_second / kMillion, r.path_days_per_second / r.path_days_per_second_one_thread, per_core / kMillion);
  fmt::print("  GBM floor     {:>8.2f} M path-steps/s per core (one factor, Philox + Box-Muller)\n",
             r.gbm_path_steps_per_second_per_core / kMillion);
  fmt::print("  model / floor {:>8.2f}x (1 thread's path-days against the floor's path-steps)\n", ratio_to_gbm_floor);
  // The other way of stepping the firms (sim::RunOptions::block_step), the same run on 1 thread.
  if (r.block_step)
    fmt::print("  path by path  {:>8.2f} M path-days/s on 1 thread (the run above steps {} paths at once, {})\n",
               r.path_days_per_second_one_thread_other_step / kMillion, firm::lanes::kLanes, firm::name_of(r.lane_set));
  else
    fmt::print("  {} at once     {:>8.2f} M path-days/s on 1 thread ({}; the run above steps path by path)\n",
               firm::lanes::kLanes, r.path_days_per_second_one_thread_other_step / kMillion, firm::name_of(r.lane_set));
  if (r.firm_ns_per_path_day > 0)
    fmt::print("  where 1 thread's time goes ({} paths, run again on their stored markets):\n"
               "    market {:.0f} ns a path's day (once for the {} strateg{}), each firm {:.0f} ns a path-day\n",
               r.split_paths, r.market_ns_per_path_day, r.strategies, r.strategies == 1 ? "y" : "ies",
               r.firm_ns_per_path_day);
  else
    fmt::print("  where 1 thread's time goes: not measured (storing the markets of {} paths would exceed {:.0f} MiB)\n",
               std::min(r.paths, kSplitPaths), static_cast<double>(sim::kDefaultMarketReplayBudgetBytes) / kKibPerMib / kKibPerMib);
  fmt::print("  variance reduction, least helped strategy ({}):\n", r.variance_reduction_strategy);
  fmt::print("    SE of mean NPV ${:.2f}M plain in {:.2f} s, ${:.2f}M reduced in {:.2f} s\n", r.se_plain_usd / kMillion,
             r.seconds_plain, r.se_reduced_usd / kMillion, r.seconds_reduced);
  fmt::print("    variance ratio {:.2f} x time ratio {:.2f} = {:.2f}x effective speed-up (SE at equal time x {:.2f})\n",
             r.variance_ratio(), r.time_ratio(), r.effective_speedup(), 1.0 / std::sqrt(r.effective_speedup()));
  fmt::print("  peak memory   {:>8.1f} MiB\n", r.peak_rss_mib);
}

constexpr const char* kBenchHelp =
    R"(Measure the engine: path-days per second (one strategy's firm on one path for one day, network and markets
included) with 1 thread and with --threads, per core, against a single-factor GBM path generator as the floor;
one thread with the firms stepped the other way (4 paths at once, or path by path: a run does the first where
the processor has AVX2 or AVX-512; --block-step picks);
where 1 thread's time goes (the market per path and day, shared by the strategies, and each firm per path-day:
the run again on markets read from a store instead of simulated); variance reduction's effective speed-up;
and the peak resident memory. bench/hashpivot_bench.cpp builds the same measurement as hashpivot-bench.)";

void add_bench_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& /*group*/) {
  const auto [cmd, options] = add_command<BenchOptions>(app, exit_code, "bench", kBenchHelp,
      [](BenchOptions& o) { print_benchmark(o); });
  configure_bench_options(*cmd, *options);
}

}  // namespace hashpivot::cli
