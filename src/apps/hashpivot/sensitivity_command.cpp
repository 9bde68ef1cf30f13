#include "sensitivity_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.hpp"
#include "hashpivot/report/format.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/study/sensitivity.hpp"
#include "hashpivot/io/scenario_reader.hpp"

namespace hashpivot::cli {
namespace {

/// The flags that set the study's options (cli_support.hpp, ParameterFlag).
constexpr ParameterFlag kSensitivityFlags[] = {{"paths", "--paths"}, {"relative_bump", "--bump"}, {"threads", "--threads"}};

// ASSUMPTION (docs/sensitivity.md): 2,000 paths keep the default run near a minute on the bundled
// Cango scenario with 2 cores; common random numbers make the swings far more precise than the
// means' own SEs.
constexpr std::int64_t kDefaultSensitivityPaths = 2000;
// ASSUMPTION (docs/sensitivity.md): ±20%, about the half-widths of docs/model.md §4's ranges for capex
// ($8–11M per MW around $9.5M: ±16%) and lease rates ($1.2–2.3M per MW-year around $1.75M: ±31%).
constexpr double kDefaultBump = 0.2;

struct SensitivityCommandOptions {
  std::string scenario;
  std::string strategy;     // "": every strategy
  std::int64_t paths = kDefaultSensitivityPaths;
  std::int64_t seed = -1;   // -1: the scenario's
  unsigned threads = 0;     // 0: every core
  double bump = kDefaultBump;
  bool json = false;
  bool strict = false;  // --strict: implausible input is an error
  bool yes = false;  // run even when estimated over an hour
  bool no_break_even = false;
  bool variance_reduction = false;
};

std::string basis_name(study::BumpBasis basis) {
  switch (basis) {
    case study::BumpBasis::kCalibrationSe: return "calibration_se";
    case study::BumpBasis::kRelative: return "relative";
    case study::BumpBasis::kAbsent: return "absent";
  }
  return "?";
}

using report::number_or_null;

nlohmann::json outcome_json(const study::SensitivityOutcome& o) {
  return {{"npv_usd", {{"mean", o.npv_mean_usd}, {"se", o.npv_se_usd}}},
          {"p_default", {{"value", o.p_default}, {"se", o.p_default_se}}},
          {"ebitda_usd_per_year", {{"mean", o.ebitda_usd_per_year}, {"se", o.ebitda_se_usd_per_year}}}};
}

nlohmann::json break_even_json(const std::optional<study::BreakEven>& b) {
  if (!b) return nullptr;
  return {{"found", b->found},
          {"value", number_or_null(b->value)},
          {"se", number_or_null(b->se)},
          {"factor", number_or_null(b->factor)},
          {"bracket", {b->bracket_low, b->bracket_high}},
          {"runs", b->evaluations}};
}


using report::millions;
using report::percent;

std::string input_value_text(study::SensitivityInput input, double x) {
  if (!std::isfinite(x)) return "-";
  switch (input) {
    case study::SensitivityInput::kPowerPrice: return fmt::format("{:.2f}", x);
    case study::SensitivityInput::kFees: return fmt::format("{:.5f}", x);
    case study::SensitivityInput::kConversionCapex:
    case study::SensitivityInput::kLeaseRate: return fmt::format("{:.3f}M", x / kMillion);
    default: return fmt::format("{:.3f}", x);
  }
}

std::string basis_text(const study::InputBump& b) {
  switch (b.basis) {
    case study::BumpBasis::kCalibrationSe: return "1 SE";
    case study::BumpBasis::kRelative:
      return b.input <= study::SensitivityInput::kHashrateGrowth ? fmt::format("{:.0f}% of |base|", kPercentPerUnit * b.shift / std::abs(b.base))
                                                                  : fmt::format("{:.0f}%", kPercentPerUnit * b.shift);
    case study::BumpBasis::kAbsent: return "absent";
  }
  return "?";
}

std::string break_even_text(const study::BreakEven& b, const char* unit, const char* format_value, double base,
                            const char* base_name) {
  if (!b.found)
    return fmt::format("none in [{}, {}] {}", fmt::format(fmt::runtime(format_value), b.bracket_low),
                       fmt::format(fmt::runtime(format_value), b.bracket_high), unit);
  return fmt::format("{} {} (SE {}), {:.2f}x {} {} ({} runs)", fmt::format(fmt::runtime(format_value), b.value), unit,
                     fmt::format(fmt::runtime(format_value), b.se), b.factor, base_name,
                     fmt::format(fmt::runtime(format_value), base), b.evaluations);
}

void print_table(const study::SensitivityResult& r, const std::string& path, unsigned threads, double opening_price_usd,
                 double mean_power_usd_per_mwh) {
  fmt::print("{} ({}): sensitivity on {} paths, seed {}, {} runs, {} thread{}, {:.1f} s\n", r.scenario_name, path,
             r.paths, r.seed, r.runs, threads, threads == 1 ? "" : "s", r.seconds);
  fmt::print("Every run uses the same seed and paths (common random numbers). Bumps: 1 SE of the calibration where it\n"
             "reports one (price drift and volatility of the {} model, hashrate growth), else ±{:.0f}%.\n",
             r.price_model, kPercentPerUnit * r.relative_bump);
  for (const study::StrategySensitivity& st : r.strategies) {
    fmt::print("\n{}: NPV to equity ${}M (SE {}), P(default) {}, EBITDA ${}M a year\n", st.strategy,
               millions(st.base.npv_mean_usd), millions(st.base.npv_se_usd), percent(st.base.p_default),
               millions(st.base.ebitda_usd_per_year));
    fmt::print("{:<22}{:>11}{:>11}{:>11}{:>17}{:>12}{:>12}{:>12}{:>10}{:>10}\n", "input", "unit", "low", "high", "bump",
               "NPV low", "NPV high", "swing", "P(def)", "P(def)");
    fmt::print("{:<22}{:>11}{:>11}{:>11}{:>17}{:>12}{:>12}{:>12}{:>10}{:>10}\n", "", "", "", "", "", "($M)", "($M)",
               "($M)", "low", "high");
    for (const study::TornadoBar& b : st.bars) {
      fmt::print("{:<22}{:>11}{:>11}{:>11}{:>17}{:>12}{:>12}{:>12}{:>10}{:>10}\n",
                 study::sensitivity_input_name(b.bump.input), study::sensitivity_input_unit(b.bump.input),
                 input_value_text(b.bump.input, b.bump.low), input_value_text(b.bump.input, b.bump.high),
                 basis_text(b.bump), millions(b.low.npv_mean_usd), millions(b.high.npv_mean_usd),
                 millions(b.npv_swing_usd()), percent(b.low.p_default), percent(b.high.p_default));
    }
    if (st.btc_price_usd)
      fmt::print("Break-even BTC price:   {}\n",
                 break_even_text(*st.btc_price_usd, "USD/BTC", "{:.0f}", opening_price_usd, "the opening"));
    if (st.power_price_usd_per_mwh)
      fmt::print("Break-even power price: {}\n", break_even_text(*st.power_price_usd_per_mwh, "USD/MWh", "{:.2f}",
                                                               mean_power_usd_per_mwh, "the mean"));
  }
  fmt::print("\nSwing: NPV at the high value minus NPV at the low value, sorted by size. Break-even: the opening BTC\n"
             "price (every path scaled) or every site's power price (one factor) at which the strategy's operations,\n"
             "without its debt (no path defaults), have zero mean EBITDA over the horizon; SE by the delta method.\n");
}

void run_sensitivity_command(const SensitivityCommandOptions& o, const sim::ProcessGroup& group) {
  if (!(o.bump >= 0 && o.bump < 1)) throw InputError("command line", 0, "--bump", "expected a relative bump in [0, 1)");
  firm::Scenario scenario = read_scenario_checked(o.scenario, o.strict, group.is_root()).scenario;
  const model::MarketInputs inputs = io::read_market_inputs(scenario);
  const model::MarketModel market = model::build_market_model(scenario, inputs);
  const study::CalibrationErrors errors = study::calibration_errors(scenario, inputs.calibration);

  study::SensitivityOptions options;
  options.paths = o.paths;
  options.seed = o.seed >= 0 ? static_cast<std::uint64_t>(o.seed) : scenario.run.seed;
  options.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  options.variance_reduction = o.variance_reduction;
  options.group = &group;
  options.relative_bump = o.bump;
  options.break_evens = !o.no_break_even;
  if (!o.strategy.empty()) {
    std::string names;
    for (std::size_t k = 0; k < scenario.strategies.size(); ++k) {
      if (scenario.strategies[k].name == o.strategy) options.strategies.push_back(k);
      names += (k == 0 ? "" : ", ") + scenario.strategies[k].name;
    }
    if (options.strategies.empty())
      throw InputError("command line", 0, "--strategy",
                       fmt::format("no strategy \"{}\" in {} (it has: {})", o.strategy, o.scenario, names));
  }

  // The number of runs is known only inside the analysis (a tornado of 2 per bumped input, then the
  // break-evens' root searches): the estimate is of its first run alone, a lower bound.
  confirm_simulation_time(scenario, market, options.paths, 1, options.threads, o.yes, "--paths",
                          fmt::format("its first run alone, of {} paths; the tornado and break-evens make dozens",
                                      with_thousands(options.paths)));
  const bool terminal = group.is_root() && !o.json && isatty(fileno(stderr)) != 0;
  const auto started = std::chrono::steady_clock::now();
  bool shown = false;
  if (terminal) {
    options.progress = [&](const std::string& label, int done, int tornado_runs) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (elapsed < kProgressAfterSeconds && !shown) return;
      shown = true;
      const std::string of = done < tornado_runs ? fmt::format("{} of {}", done + 1, tornado_runs)
                                                 : fmt::format("{}", done + 1);
      fmt::print(stderr, "\r{:100}\rrun {} ({}), {:.1f} s", "", of, label, elapsed);
      std::fflush(stderr);
    };
  }
  const study::SensitivityResult result = study::run_sensitivity(scenario, market, errors, options);
  if (shown) fmt::print(stderr, "\r{:100}\r", "");
  if (!group.is_root()) return;
  const double mean_power = study::mean_power_price_usd_per_mwh(scenario);
  if (o.json) {
    std::cout << sensitivity_json(result, market.btc_price_usd, mean_power).dump(2) << "\n";
  } else {
    print_table(result, o.scenario, options.threads, market.btc_price_usd, mean_power);
  }
}

}  // namespace

nlohmann::json sensitivity_json(const study::SensitivityResult& r, double opening_price_usd, double mean_power_usd_per_mwh) {
  nlohmann::json strategies = nlohmann::json::array();
  for (const study::StrategySensitivity& st : r.strategies) {
    nlohmann::json bars = nlohmann::json::array();
    for (const study::TornadoBar& b : st.bars) {
      bars.push_back({{"input", std::string(study::sensitivity_input_name(b.bump.input))},
                      {"unit", std::string(study::sensitivity_input_unit(b.bump.input))},
                      {"basis", basis_name(b.bump.basis)},
                      {"base", number_or_null(b.bump.base)},
                      {"low", number_or_null(b.bump.low)},
                      {"high", number_or_null(b.bump.high)},
                      {"at_low", outcome_json(b.low)},
                      {"at_high", outcome_json(b.high)},
                      {"npv_swing_usd", b.npv_swing_usd()}});
    }
    strategies.push_back({{"name", st.strategy},
                          {"base", outcome_json(st.base)},
                          {"tornado", bars},
                          {"break_even_btc_price_usd", break_even_json(st.btc_price_usd)},
                          {"break_even_power_price_usd_per_mwh", break_even_json(st.power_price_usd_per_mwh)}});
  }
  return {{"scenario", r.scenario_name},
          {"paths", r.paths},
          {"seed", r.seed},
          {"relative_bump", r.relative_bump},
          {"price_model", r.price_model},
          {"opening_btc_price_usd", opening_price_usd},
          {"mean_power_price_usd_per_mwh", mean_power_usd_per_mwh},
          {"runs", r.runs},
          {"seconds", r.seconds},
          {"strategies", strategies}};
}


constexpr const char* kSensitivityHelp =
    R"(Tornado of a strategy's mean NPV to equity and probability of default over the main inputs (BTC price
drift and volatility, hashrate growth, power price, fees, conversion capex per MW, lease rate), each moved
low and high on the same random paths, and the break-even BTC price and power price (mean EBITDA = 0).
Drift, volatility and hashrate growth move by 1 standard error of the calibration; the others by --bump.
See docs/sensitivity.md. Exit codes: 0 ok, 2 bad input, 3 internal error.)";

void add_sensitivity_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  const auto [cmd, options] = add_command<SensitivityCommandOptions>(app, exit_code, "sensitivity", kSensitivityHelp,
      [&group](SensitivityCommandOptions& o) {
        run_with_flags(kSensitivityFlags, [&] { run_sensitivity_command(o, group); });
      });
  cmd->add_option("SCENARIO", options->scenario, "Scenario file (TOML; see docs/scenario.md)")->required();
  cmd->add_option("--strategy", options->strategy, "The strategy to analyse (default: every strategy of the scenario)");
  cmd->add_option("--paths", options->paths, "Monte Carlo paths of every run (default 2000)")
      ->transform(count_in_range("paths", 1, 1'000'000'000));
  cmd->add_option("--seed", options->seed, "Seed of every random draw (default: the scenario's)")
      ->transform(count_in_range("", 0, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--threads", options->threads, "Worker threads (default: every core)")->transform(count_in_range("threads", 1, 1024));
  cmd->add_option("--bump", options->bump,
                  "Relative bump of the inputs without a calibrated standard error, in [0, 1) (default 0.2 = ±20%)");
  cmd->add_flag("--no-break-even", options->no_break_even, "Skip the break-even BTC and power prices");
  cmd->add_flag("--json", options->json, "Print one JSON object instead of the table (shape: docs/sensitivity.md)");
  add_variance_reduction_flag(*cmd, options->variance_reduction);
  add_strict_flag(*cmd, options->strict);
  cmd->add_flag("--yes", options->yes, "Run even when estimated to take over an hour (otherwise asked, or exit 2 off a terminal)");
}

}  // namespace hashpivot::cli
