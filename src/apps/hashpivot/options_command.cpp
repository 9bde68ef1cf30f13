#include "options_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/engine/lsm.hpp"

namespace hashpivot::cli {
namespace {

constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();

struct OptionsCommandOptions {
  std::string scenario;  // reserved: the real options of a scenario's site
  std::string site;
  bool american_put = false;
  double spot = kUnset;
  double strike = kUnset;
  double rate = kUnset;
  double vol = kUnset;
  double maturity = kUnset;
  std::uint64_t paths = 100000;
  std::uint64_t fit_paths = 50000;
  std::uint64_t seed = 1;
  double steps_per_year = 50;
  int degree = 3;
  std::uint64_t tree_steps = 5000;
  bool json = false;
};

[[noreturn]] void bad_flag(const std::string& flag, const std::string& problem) {
  throw InputError("command line", 0, flag, problem);
}

double required(double value, const std::string& flag, const std::string& what) {
  if (std::isnan(value)) bad_flag(flag, "missing: --american-put needs " + what);
  if (!std::isfinite(value)) bad_flag(flag, "must be finite");
  return value;
}

engine::PutContract read_contract(const OptionsCommandOptions& o) {
  const engine::PutContract put{required(o.spot, "--spot", "the stock price today, > 0"),
                                required(o.strike, "--strike", "the strike, > 0"),
                                required(o.rate, "--rate", "the continuously compounded rate per year, e.g. 0.06"),
                                required(o.vol, "--vol", "the volatility per √year, e.g. 0.2"),
                                required(o.maturity, "--maturity", "the maturity in years, > 0")};
  if (!(put.spot > 0)) bad_flag("--spot", fmt::format("must be > 0 (got {})", put.spot));
  if (!(put.strike > 0)) bad_flag("--strike", fmt::format("must be > 0 (got {})", put.strike));
  if (!(put.volatility > 0))
    bad_flag("--vol", fmt::format("must be > 0 (a volatility per √year, e.g. 0.2; got {})", put.volatility));
  if (!(put.maturity > 0)) bad_flag("--maturity", fmt::format("must be > 0 years (got {})", put.maturity));
  if (!(std::abs(put.rate) < 1))
    bad_flag("--rate", fmt::format("must be between -1 and 1 (a rate per year, e.g. 0.06 for 6%; got {})", put.rate));
  if (put.maturity > 100) bad_flag("--maturity", fmt::format("must be at most 100 years (got {})", put.maturity));
  return put;
}

void check_run_size(const OptionsCommandOptions& o, const engine::PutContract& put) {
  if (!(o.steps_per_year > 0) || !std::isfinite(o.steps_per_year))
    bad_flag("--steps-per-year", "must be > 0 (exercise dates per year; Longstaff & Schwartz use 50)");
  const double dates = std::max(1.0, std::round(put.maturity * o.steps_per_year));
  if (dates > 10000) bad_flag("--steps-per-year", fmt::format("gives {} exercise dates; at most 10000", dates));
  // The fitting paths are stored: 16 bytes per path and date.
  if (static_cast<double>(o.fit_paths) * dates > 1.0e8)
    bad_flag("--fit-paths", fmt::format("{} paths × {} exercise dates would store more than 1.6 GB; lower it", o.fit_paths, dates));
  // The CRR tree needs its risk-neutral probability in (0, 1): |r|·√Δt < σ.
  if (std::abs(put.rate) * std::sqrt(put.maturity / static_cast<double>(o.tree_steps)) >= put.volatility)
    bad_flag("--tree-steps", "too few for this rate and volatility (needs |rate|·√(T/steps) < vol)");
}

/// Where the rule exercises relative to the boundary spot: "below", "above", "never", "always".
const char* side_name(engine::LsmBoundary::Side side) {
  switch (side) {
    case engine::LsmBoundary::Side::kBelow: return "below";
    case engine::LsmBoundary::Side::kAbove: return "above";
    case engine::LsmBoundary::Side::kNone: return "never";
    case engine::LsmBoundary::Side::kEverywhere: return "always";
  }
  return "never";
}

void run_american_put(const OptionsCommandOptions& o) {
  const engine::PutContract put = read_contract(o);
  check_run_size(o, put);
  engine::AmericanPutLsmOptions lsm_options;
  lsm_options.paths = o.paths;
  lsm_options.fit_paths = o.fit_paths;
  lsm_options.seed = o.seed;
  lsm_options.exercise_dates_per_year = o.steps_per_year;
  lsm_options.lsm.degree = o.degree;

  const engine::AmericanPutLsm lsm = engine::lsm_american_put(put, lsm_options);
  const double tree = engine::american_put_binomial(put, o.tree_steps);
  // The same exercise dates as the LSM on a tree with a whole number of steps per period: the value
  // the LSM estimates without the gap between 50-a-year (say) and continuous exercise.
  const std::size_t per_period = std::max<std::size_t>(1, (o.tree_steps + lsm.exercise_dates - 1) / lsm.exercise_dates);
  const double tree_bermudan = engine::binomial_put(put, per_period * lsm.exercise_dates, engine::ExerciseStyle::kBermudan,
                                                    lsm.exercise_dates);
  const double european = engine::black_scholes_put(put);
  const engine::LsmResult& v = lsm.value;
  const double dt = put.maturity / static_cast<double>(lsm.exercise_dates);

  if (o.json) {
    nlohmann::json boundary_t = nlohmann::json::array();
    nlohmann::json boundary_spot = nlohmann::json::array();
    nlohmann::json boundary_side = nlohmann::json::array();
    for (std::size_t m = 0; m < lsm.in_sample.boundary.size(); ++m) {
      const engine::LsmBoundary& b = lsm.in_sample.boundary[m];
      boundary_t.push_back(static_cast<double>(m + 1) * dt);
      boundary_spot.push_back(std::isfinite(b.state) ? nlohmann::json(b.state) : nlohmann::json(nullptr));
      boundary_side.push_back(side_name(b.side));
    }
    const nlohmann::json out{
        {"value", v.value},
        {"se", v.standard_error},
        {"tree", tree},
        {"tree_bermudan", tree_bermudan},
        {"european", european},
        {"early_exercise_premium", v.value - european},
        {"value_of_waiting", v.value_of_waiting},
        {"exercise_now", v.exercise_now},
        {"exercise_now_value", v.exercise_now_value},
        {"in_sample", {{"value", lsm.in_sample.value}, {"se", lsm.in_sample.standard_error}}},
        {"inputs",
         {{"spot", put.spot}, {"strike", put.strike}, {"rate", put.rate}, {"vol", put.volatility}, {"maturity", put.maturity}}},
        {"paths", v.paths},
        {"fit_paths", lsm.in_sample.paths},
        {"seed", o.seed},
        {"exercise_dates", lsm.exercise_dates},
        {"steps_per_year", o.steps_per_year},
        {"degree", o.degree},
        {"tree_steps", o.tree_steps},
        {"boundary", {{"t", boundary_t}, {"spot", boundary_spot}, {"exercise", boundary_side}}}};
    std::cout << out.dump() << '\n';
    return;
  }

  fmt::print("American put   spot {:g}  strike {:g}  rate {:g}  vol {:g}  maturity {:g} y\n", put.spot, put.strike, put.rate,
             put.volatility, put.maturity);
  fmt::print("               {} exercise dates ({:g} a year), {} pricing + {} fitting paths (antithetic), seed {}\n",
             lsm.exercise_dates, o.steps_per_year, v.paths, lsm.in_sample.paths, o.seed);
  // label, value, "± SE" (when there is one), note
  const auto row = [](const char* label, double value, double se, const std::string& note) {
    const std::string error = std::isnan(se) ? std::string() : fmt::format(" ± {:.4f} SE", se);
    if (note.empty()) fmt::print("{:<26}{:>10.4f}{}\n", label, value, error);
    else fmt::print("{:<26}{:>10.4f}{:<16} {}\n", label, value, error, note);
  };
  const auto versus = [&v](double reference) {
    return fmt::format("LSM - tree = {:+.4f} ({:+.1f} SE)", v.value - reference, (v.value - reference) / v.standard_error);
  };
  row("LSM value", v.value, v.standard_error, "the rule fitted on other paths, valued out of sample (low-biased)");
  row("LSM in-sample", lsm.in_sample.value, lsm.in_sample.standard_error,
      "Longstaff-Schwartz's estimator (the rule on its own paths)");
  row("tree, American", tree, kUnset,
      fmt::format("CRR, {} and {} steps averaged; {}", o.tree_steps, o.tree_steps + 1, versus(tree)));
  row("tree, Bermudan", tree_bermudan, kUnset,
      fmt::format("the LSM's {} exercise dates, {} steps; {}", lsm.exercise_dates, per_period * lsm.exercise_dates,
                  versus(tree_bermudan)));
  row("European (Black-Scholes)", european, kUnset, "");
  row("early exercise premium", v.value - european, kUnset, "LSM - European");
  row("value of waiting", v.value_of_waiting, kUnset,
      fmt::format("continuation - exercise now ({:.4f}): {}", v.exercise_now_value, v.exercise_now ? "exercise now" : "hold"));
  const auto& b = lsm.in_sample.boundary;
  if (!b.empty()) {
    std::vector<std::size_t> shown{0, b.size() / 2, b.size() >= 2 ? b.size() - 2 : 0, b.size() - 1};
    std::string line;
    std::size_t previous = b.size();
    for (const std::size_t m : shown) {
      if (m == previous) continue;
      previous = m;
      if (!line.empty()) line += ", ";
      const double t = static_cast<double>(m + 1) * dt;
      switch (b[m].side) {
        case engine::LsmBoundary::Side::kBelow: line += fmt::format("S < {:.2f} at t {:.2f} y", b[m].state, t); break;
        case engine::LsmBoundary::Side::kAbove: line += fmt::format("S > {:.2f} at t {:.2f} y", b[m].state, t); break;
        case engine::LsmBoundary::Side::kNone: line += fmt::format("never at t {:.2f} y", t); break;
        case engine::LsmBoundary::Side::kEverywhere: line += fmt::format("always at t {:.2f} y", t); break;
      }
    }
    fmt::print("{:<26}exercise when {}\n", "exercise boundary", line);
  }
}

void run_options(const OptionsCommandOptions& o) {
  if (!o.scenario.empty() || !o.site.empty())
    // Reserved for the real options of a scenario's site (convert MW to AI/HPC, shut down), valued by
    // the same engine (engine::lsm_fit / lsm_evaluate) on the run's simulated market.
    throw InputError(o.scenario.empty() ? "command line" : o.scenario, 0, o.scenario.empty() ? "--site" : "SCENARIO",
                     "real options on a scenario's site are not available yet; this version values the "
                     "validation case: hashpivot options --american-put --spot S --strike K --rate R --vol V "
                     "--maturity T");
  if (!o.american_put)
    throw InputError("command line", 0, "--american-put",
                     "nothing to value: give --american-put with --spot, --strike, --rate, --vol and --maturity");
  run_american_put(o);
}

}  // namespace

void add_options_command(CLI::App& app, int& exit_code, const engine::ProcessGroup& group) {
  static_cast<void>(group);
  auto options = std::make_shared<OptionsCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "options",
      "Real options by least-squares Monte Carlo (Longstaff & Schwartz 2001); --american-put values the validation "
      "case against a fine binomial tree");
  cmd->add_option("SCENARIO", options->scenario, "Reserved: a scenario whose site's options to value (not yet available)");
  cmd->add_option("--site", options->site, "Reserved: the scenario's site (not yet available)");
  cmd->add_flag("--american-put", options->american_put, "Value an American put (no dividends) by LSM and by a tree");
  cmd->add_option("--spot", options->spot, "Stock price today");
  cmd->add_option("--strike", options->strike, "Strike price");
  cmd->add_option("--rate", options->rate, "Risk-free rate, continuously compounded per year (0.06 = 6%)");
  cmd->add_option("--vol", options->vol, "Volatility per square root of a year (0.2 = 20%)");
  cmd->add_option("--maturity", options->maturity, "Maturity in years");
  cmd->add_option("--paths", options->paths, "Pricing paths (rounded up to whole antithetic pairs)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{2}, std::uint64_t{100'000'000}));
  cmd->add_option("--fit-paths", options->fit_paths, "Paths the exercise rule is fitted on (independent of the pricing paths)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{100}, std::uint64_t{10'000'000}));
  cmd->add_option("--seed", options->seed, "Seed of every random draw")->capture_default_str();
  cmd->add_option("--steps-per-year", options->steps_per_year, "Exercise dates per year (Longstaff & Schwartz use 50)")
      ->capture_default_str();
  cmd->add_option("--degree", options->degree, "Degree of the regression polynomial in the stock price")
      ->capture_default_str()
      ->check(CLI::Range(1, engine::LsmOptions::kMaxDegree));
  cmd->add_option("--tree-steps", options->tree_steps, "Binomial tree steps (the mean of N and N+1 steps is reported)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{10}, std::uint64_t{20'000}));
  cmd->add_flag("--json", options->json, "Print one JSON object: value, se, tree, european, and more");
  cmd->callback([options, &exit_code] {
    run_options(*options);
    exit_code = kExitOk;
  });
}

}  // namespace hashpivot::cli
