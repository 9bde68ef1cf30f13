#include "optimize_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.hpp"
#include "hashpivot/report/format.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/study/optimizer.hpp"
#include "hashpivot/firm/strategy_parameters.hpp"
#include "hashpivot/io/scenario_reader.hpp"

namespace hashpivot::cli {
namespace {

/// The flags that set the optimizer's settings (cli_support.hpp, ParameterFlag).
constexpr ParameterFlag kOptimizeFlags[] = {
    {"objective", "--objective"},       {"ranges", "--vary"},
    {"paths", "--paths"},               {"out_of_sample_paths", "--oos-paths"},
    {"max_evaluations", "--max-evaluations"}, {"max_default_prob", "--max-default-prob"},
    {"threads", "--threads"},
};

struct OptimizeCommandOptions {
  std::string scenario;
  std::string strategy;
  std::vector<std::string> vary;      // PARAM=LO:HI
  std::string objective = "npv";
  double max_default_prob = -1;       // < 0: no constraint
  double wealth_usd = -1;             // < 0: the opening equity
  std::int64_t paths = 4000;
  std::int64_t seed = -1;             // -1: the scenario's
  std::int64_t oos_seed = -1;         // -1: seed + kOutOfSampleSeedOffset
  std::int64_t oos_paths = 0;         // 0: --paths
  unsigned threads = 0;               // 0: every core
  int max_evaluations = 80;
  double xtol = 1e-3;
  std::string algorithm = "neldermead";
  bool json = false;
  bool strict = false;  // --strict: implausible input is an error
  bool yes = false;  // run even when estimated over an hour
  bool variance_reduction = false;
};

// Fresh paths for the out-of-sample check: another seed of the counter-based generator draws
// independent numbers for every (stream, path, day), so any other seed will do; +1 is documented.
constexpr std::uint64_t kOutOfSampleSeedOffset = 1;

double parse_double(std::string_view text, const std::string& flag, const std::string& what) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    bad_flag(flag, fmt::format("expected {} as a number, got \"{}\"", what, text));
  return value;
}

firm::SearchRange parse_vary(const std::string& text) {
  const auto eq = text.find('=');
  const auto colon = text.find(':', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || colon == std::string::npos || eq == 0)
    bad_flag("--vary", fmt::format("expected PARAM=LO:HI (e.g. sale_btc=1000:6000), got \"{}\"", text));
  const std::string name = text.substr(0, eq);
  const std::string_view rest(text);
  const double low = parse_double(rest.substr(eq + 1, colon - eq - 1), "--vary", "LO of " + name);
  const double high = parse_double(rest.substr(colon + 1), "--vary", "HI of " + name);
  if (!(low < high)) bad_flag("--vary", fmt::format("{}: expected LO < HI, got {} and {}", name, low, high));
  return {name, low, high};
}

std::size_t find_strategy(const firm::Scenario& s, const std::string& name) {
  if (name.empty()) {
    if (s.strategies.size() == 1) return 0;
    std::string names;
    for (const auto& st : s.strategies) names += (names.empty() ? "" : ", ") + st.name;
    bad_flag("--strategy", fmt::format("the scenario has {} strategies; name one of: {}", s.strategies.size(), names));
  }
  for (std::size_t i = 0; i < s.strategies.size(); ++i)
    if (s.strategies[i].name == name) return i;
  std::string names;
  for (const auto& st : s.strategies) names += (names.empty() ? "" : ", ") + st.name;
  bad_flag("--strategy", fmt::format("no strategy named \"{}\" (the scenario has: {})", name, names));
}

study::SearchAlgorithm parse_algorithm(const std::string& text) {
  if (text == "neldermead") return study::SearchAlgorithm::kNelderMead;
  if (text == "cobyla") return study::SearchAlgorithm::kCobyla;
  return study::SearchAlgorithm::kSubplex;  // CLI::IsMember admits only the three
}

using report::millions;
// Probabilities to two decimals: a default limit binds at the second decimal (4.97% against 5%).
std::string percent_with_2_decimals(double p) { return report::percent(p, 2); }

bool is_integer_parameter(const std::string& name) {
  for (const firm::StrategyParameter& p : firm::strategy_parameters())
    if (p.name == name) return p.integer;
  return false;
}

std::string parameter_value(const std::string& name, double value) {
  return is_integer_parameter(name) ? fmt::format("{:.0f}", value) : fmt::format("{:.4g}", value);
}

nlohmann::json point_json(const study::OptimizationResult& r, const study::PointEvaluation& e) {
  nlohmann::json params = nlohmann::json::object();
  for (std::size_t i = 0; i < r.ranges.size(); ++i) params[r.ranges[i].parameter] = e.parameters.at(i);
  return {{"parameters", params},
          {"objective", e.objective.value},
          {"objective_se", e.objective.standard_error},
          {"mean_npv_usd", e.mean_npv_usd.value},
          {"mean_npv_se_usd", e.mean_npv_usd.standard_error},
          {"cvar5_usd", e.cvar_usd.value},
          {"cvar5_se_usd", e.cvar_usd.standard_error},
          {"p_default", e.p_default.value},
          {"p_default_se", e.p_default.standard_error},
          {"constraint_satisfied", e.feasible}};
}


void print_table(const study::OptimizationResult& r, const study::OptimizerSettings& s, const firm::Scenario& scenario,
                 const std::string& path, double seconds) {
  const std::string objective = study::objective_name(s.objective);
  const std::int64_t oos_paths = s.out_of_sample_paths > 0 ? s.out_of_sample_paths : s.paths;
  fmt::print("Optimizing \"{}\" of {} ({})\n", r.strategy, scenario.run.name, path);
  fmt::print("  objective {} (maximized), {}; {} paths, seed {} (common random numbers); {} evaluations, {:.1f} s\n",
             objective, s.max_default_prob ? fmt::format("P(default) <= {}", percent_with_2_decimals(*s.max_default_prob)) : "no default limit",
             s.paths, s.seed, r.evaluations, seconds);
  if (s.objective.kind == study::ObjectiveKind::kCrra)
    fmt::print("  CRRA wealth outside the firm: ${}M\n", millions(s.objective.wealth_offset_usd));
  fmt::print("\n");
  const std::size_t label = 30, width = 16;
  auto row = [&](const std::string& name, const std::string& a, const std::string& b, const std::string& c,
                 const std::string& d) {
    fmt::print("{:<{}}{:>{}}{:>{}}{:>{}}{:>{}}\n", name, label, a, width, b, width, c, width, d, width);
  };
  row("", "declared", "optimum", "declared", "optimum");
  row("", "(same paths)", "(same paths)", "(fresh paths)", "(fresh paths)");
  for (std::size_t i = 0; i < r.ranges.size(); ++i) {
    const std::string& name = r.ranges[i].parameter;
    row(fmt::format("{} [{}, {}]", name, parameter_value(name, r.ranges[i].low), parameter_value(name, r.ranges[i].high)),
        parameter_value(name, r.declared.parameters[i]), parameter_value(name, r.best.parameters[i]), "", "");
  }
  auto est = [](const study::Estimate& e) { return fmt::format("{} ± {}", millions(e.value), millions(e.standard_error)); };
  auto pct = [](const study::Estimate& e) { return fmt::format("{} ± {}", percent_with_2_decimals(e.value), percent_with_2_decimals(e.standard_error)); };
  row(fmt::format("objective {} ($M)", objective), est(r.declared.objective), est(r.best.objective),
      est(r.declared_out_of_sample.objective), est(r.best_out_of_sample.objective));
  row("mean NPV ($M)", est(r.declared.mean_npv_usd), est(r.best.mean_npv_usd), est(r.declared_out_of_sample.mean_npv_usd),
      est(r.best_out_of_sample.mean_npv_usd));
  row("CVaR 5% ($M)", est(r.declared.cvar_usd), est(r.best.cvar_usd), est(r.declared_out_of_sample.cvar_usd),
      est(r.best_out_of_sample.cvar_usd));
  row("P(default)", pct(r.declared.p_default), pct(r.best.p_default), pct(r.declared_out_of_sample.p_default),
      pct(r.best_out_of_sample.p_default));
  fmt::print("(± one Monte Carlo standard error; fresh paths: seed {}, {} paths)\n\n", s.out_of_sample_seed, oos_paths);

  // In words: what the optimum gains, which constraint binds, which parameter sits at a bound.
  fmt::print("The optimum {} the objective by ${}M on the search's paths and by ${}M on fresh ones; P(default) {} -> {} "
             "(fresh: {} -> {}).\n",
             r.best.objective.value >= r.declared.objective.value ? "raises" : "lowers",
             millions(std::abs(r.best.objective.value - r.declared.objective.value)),
             millions(r.best_out_of_sample.objective.value - r.declared_out_of_sample.objective.value),
             percent_with_2_decimals(r.declared.p_default.value), percent_with_2_decimals(r.best.p_default.value),
             percent_with_2_decimals(r.declared_out_of_sample.p_default.value), percent_with_2_decimals(r.best_out_of_sample.p_default.value));
  if (s.max_default_prob) {
    const double limit = *s.max_default_prob;
    if (!r.best.feasible) {
      fmt::print("No point searched met P(default) <= {}: the one shown defaults least.\n", percent_with_2_decimals(limit));
    } else if (r.best.p_default.value >= limit - 2 * std::max(r.best.p_default.standard_error, 1.0 / static_cast<double>(s.paths))) {
      fmt::print("The default limit binds: the optimum defaults on {} of paths, within two SE of the limit {}; a looser "
                 "limit buys more objective. A point chosen at the limit of one sample tends to exceed it on another:\n"
                 "ask for a margin below the level you can accept.\n",
                 percent_with_2_decimals(r.best.p_default.value), percent_with_2_decimals(limit));
    } else {
      fmt::print("The default limit does not bind ({} against {}).\n", percent_with_2_decimals(r.best.p_default.value), percent_with_2_decimals(limit));
    }
    fmt::print("Out of sample the limit {} ({}).\n", r.best_out_of_sample.feasible ? "holds" : "is exceeded",
               pct(r.best_out_of_sample.p_default));
  }
  for (std::size_t i = 0; i < r.ranges.size(); ++i) {
    if (!r.at_bound[i]) continue;
    const bool low = std::abs(r.best.parameters[i] - r.ranges[i].low) <= std::abs(r.best.parameters[i] - r.ranges[i].high);
    fmt::print("{} sits at its {} bound {}: the objective wants it {}; widen the range (--vary) to look further.\n",
               r.ranges[i].parameter, low ? "lower" : "upper",
               parameter_value(r.ranges[i].parameter, low ? r.ranges[i].low : r.ranges[i].high), low ? "lower" : "higher");
  }
  // Overfitting shows in the gain over the declared strategy, not in the level: both points' levels
  // move together from one sample to another.
  const double gain_in = r.best.objective.value - r.declared.objective.value;
  const double gain_out = r.best_out_of_sample.objective.value - r.declared_out_of_sample.objective.value;
  if (gain_in > 0) {
    fmt::print("On fresh paths the gain over the declared strategy is {} ({:.0f}% of the ${}M found in sample){}.\n",
               fmt::format("${}M", millions(gain_out)), kPercentPerUnit * gain_out / gain_in, millions(gain_in),
               gain_out > 0.5 * gain_in ? ": it holds up" : ": much of it was the search's sample, not the strategy");
  }
}

void run_optimize(const OptimizeCommandOptions& o, const sim::ProcessGroup& group) {
  const firm::Scenario scenario = read_scenario_checked(o.scenario, o.strict, group.is_root()).scenario;
  const std::size_t strategy = find_strategy(scenario, o.strategy);
  study::OptimizerSettings s;
  s.objective = study::parse_objective(o.objective);
  if (s.objective.kind == study::ObjectiveKind::kCrra) {
    s.objective.wealth_offset_usd = o.wealth_usd >= 0 ? o.wealth_usd : study::opening_equity_usd(scenario);
    if (s.objective.gamma > 0 && !(s.objective.wealth_offset_usd > 0))
      bad_flag("--wealth-usd", fmt::format("CRRA with gamma > 0 needs wealth > 0 (the opening equity is ${}M); give "
                                           "--wealth-usd",
                                           millions(s.objective.wealth_offset_usd)));
  }
  if (o.max_default_prob >= 0) s.max_default_prob = o.max_default_prob;
  const firm::Strategy& st = scenario.strategies[strategy];
  if (!o.vary.empty()) {
    for (const std::string& v : o.vary) s.ranges.push_back(parse_vary(v));
  } else {
    s.ranges = st.search;
    if (s.ranges.empty()) {
      std::string names;
      for (const std::string& n : firm::parameters_of(scenario, strategy)) names += (names.empty() ? "" : ", ") + n;
      bad_flag("--vary", fmt::format("strategy \"{}\" declares no [strategies.search] ranges; give --vary PARAM=LO:HI "
                                     "for some of: {}",
                                     st.name, names.empty() ? "(it has no parameters)" : names));
    }
  }
  // Each range naming a parameter the strategy uses, once, with both ends valid: the optimizer checks
  // them (ParameterError "ranges", which kOptimizeFlags names --vary).
  s.paths = o.paths;
  s.seed = o.seed >= 0 ? static_cast<std::uint64_t>(o.seed) : scenario.run.seed;
  s.out_of_sample_seed = o.oos_seed >= 0 ? static_cast<std::uint64_t>(o.oos_seed) : s.seed + kOutOfSampleSeedOffset;
  if (s.out_of_sample_seed == s.seed) bad_flag("--oos-seed", "must differ from the search's seed");
  s.out_of_sample_paths = o.oos_paths;
  s.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  s.variance_reduction = o.variance_reduction;
  s.max_evaluations = o.max_evaluations;
  s.x_tolerance = o.xtol;
  s.algorithm = parse_algorithm(o.algorithm);
  s.group = &group;
  const model::MarketModel market = io::load_market_model(scenario);
  {
    // Each evaluation simulates the one strategy searched (study::optimize_strategy), as the pilot does.
    firm::Scenario searched = scenario;
    searched.strategies = {scenario.strategies[strategy]};
    const std::int64_t oos_paths = s.out_of_sample_paths > 0 ? s.out_of_sample_paths : s.paths;
    const double runs = s.max_evaluations + 2.0 * static_cast<double>(oos_paths) / static_cast<double>(s.paths);
    confirm_simulation_time(searched, market, s.paths, runs, s.threads, o.yes, "--paths",
                            fmt::format("at most {} evaluations of {} paths, then 2 re-runs of {}", s.max_evaluations,
                                        with_thousands(s.paths), with_thousands(oos_paths)));
  }

  const bool terminal = group.is_root() && isatty(fileno(stderr)) != 0;
  const auto started = std::chrono::steady_clock::now();
  bool shown = false;
  if (terminal) {
    s.progress = [&](int done, int total, double best) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (elapsed < kProgressAfterSeconds && !shown) return;
      shown = true;
      fmt::print(stderr, "\revaluation {} of at most {}, best so far ${}M, {:.0f} s   ", done, total, millions(best), elapsed);
      std::fflush(stderr);
    };
  }
  const study::OptimizationResult result = study::optimize_strategy(scenario, market, strategy, s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (shown) fmt::print(stderr, "\r{:80}\r", "");
  if (!group.is_root()) return;
  if (o.json) {
    std::cout << optimization_json(result, s).dump(2) << "\n";
  } else {
    print_table(result, s, scenario, o.scenario, seconds);
  }
}

}  // namespace

nlohmann::json optimization_json(const study::OptimizationResult& r, const study::OptimizerSettings& s) {
  nlohmann::json best = nlohmann::json::object();
  nlohmann::json ranges = nlohmann::json::object();
  for (std::size_t i = 0; i < r.ranges.size(); ++i) {
    best[r.ranges[i].parameter] = r.best.parameters.at(i);
    ranges[r.ranges[i].parameter] = {r.ranges[i].low, r.ranges[i].high};
  }
  nlohmann::json j{
      {"strategy", r.strategy},
      {"best", best},
      {"objective", r.best.objective.value},
      {"objective_se", r.best.objective.standard_error},
      {"p_default", r.best.p_default.value},
      {"p_default_se", r.best.p_default.standard_error},
      {"out_of_sample",
       {{"objective", r.best_out_of_sample.objective.value},
        {"objective_se", r.best_out_of_sample.objective.standard_error},
        {"p_default", r.best_out_of_sample.p_default.value},
        {"p_default_se", r.best_out_of_sample.p_default.standard_error},
        {"constraint_satisfied", r.best_out_of_sample.feasible},
        {"seed", s.out_of_sample_seed},
        {"paths", s.out_of_sample_paths > 0 ? s.out_of_sample_paths : s.paths},
        {"declared", point_json(r, r.declared_out_of_sample)}}},
      {"evaluations", r.evaluations},
      {"objective_name", study::objective_name(s.objective)},
      {"max_default_prob", s.max_default_prob ? nlohmann::json(*s.max_default_prob) : nlohmann::json(nullptr)},
      {"constraint_satisfied", r.best.feasible},
      {"ranges", ranges},
      {"optimum", point_json(r, r.best)},
      {"declared", point_json(r, r.declared)},
      {"paths", s.paths},
      {"seed", s.seed},
  };
  if (s.objective.kind == study::ObjectiveKind::kCrra) j["wealth_offset_usd"] = s.objective.wealth_offset_usd;
  return j;
}


constexpr const char* kOptimizeHelp =
    R"(Search a strategy's named parameters (sale size and day, pivot MW, day or trigger, sell fraction, cash floor)
for the best objective subject to a ceiling on P(default), with a derivative-free optimizer (NLopt) on common
random numbers; then re-run the optimum and the declared strategy on fresh paths. Without --vary, the
ranges the scenario declares in [strategies.search]. docs/optimize.md explains the output.
Exit codes: 0 ok, 2 bad input, 3 internal error.)";

void add_optimize_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  const auto [cmd, options] = add_command<OptimizeCommandOptions>(app, exit_code, "optimize", kOptimizeHelp,
      [&group](OptimizeCommandOptions& o) { run_with_flags(kOptimizeFlags, [&] { run_optimize(o, group); }); });
  cmd->add_option("SCENARIO", options->scenario, "Scenario file (TOML; see docs/scenario.md)")->required();
  cmd->add_option("--strategy", options->strategy, "The strategy to optimize (required when the scenario has several)");
  cmd->add_option("--vary", options->vary,
                  "PARAM=LO:HI, repeatable: a parameter and its search range, in its unit (e.g. sale_btc=1000:6000)");
  cmd->add_option("--objective", options->objective,
                  "npv (mean NPV), mean-cvar:LAMBDA ((1-LAMBDA) mean + LAMBDA CVaR 5%) or crra:GAMMA (certainty "
                  "equivalent NPV)")
      ->capture_default_str();
  cmd->add_option("--max-default-prob", options->max_default_prob, "Ceiling on P(default), in [0, 1] (default: none)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--wealth-usd", options->wealth_usd,
                  "crra: the holder's wealth outside the firm, USD (default: the opening equity at the start price)")
      ->check(CLI::Range(0.0, 1e15));
  cmd->add_option("--paths", options->paths, "Paths per evaluation")->capture_default_str()->transform(count_in_range("paths", 1, 100'000'000));
  cmd->add_option("--seed", options->seed, "Seed of every evaluation (default: the scenario's)")
      ->transform(count_in_range("", 0, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--oos-seed", options->oos_seed, "Seed of the out-of-sample re-run (default: --seed + 1)")
      ->transform(count_in_range("", 0, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--oos-paths", options->oos_paths, "Paths of the out-of-sample re-run (default: --paths)")
      ->transform(count_in_range("paths", 1, 100'000'000));
  cmd->add_option("--threads", options->threads, "Worker threads (default: every core)")->transform(count_in_range("threads", 1, 1024));
  cmd->add_option("--max-evaluations", options->max_evaluations, "Most evaluations of the search")
      ->capture_default_str()
      ->transform(count_in_range("evaluations", 1, 100'000));
  cmd->add_option("--xtol", options->xtol, "Stop when steps fall below this share of each range")
      ->capture_default_str()
      ->check(CLI::Range(1e-9, 0.5));
  cmd->add_option("--algorithm", options->algorithm, "NLopt local search: neldermead, cobyla or subplex")
      ->capture_default_str()
      ->check(CLI::IsMember({"neldermead", "cobyla", "subplex"}));
  cmd->add_flag("--json", options->json, "Print one JSON object instead of the table");
  add_variance_reduction_flag(*cmd, options->variance_reduction);
  add_strict_flag(*cmd, options->strict);
  cmd->add_flag("--yes", options->yes, "Run even when estimated to take over an hour (otherwise asked, or exit 2 off a terminal)");
}

}  // namespace hashpivot::cli
