// The studies over a scenario, as the command line's backtest, calibrate, optimize and
// sensitivity run them (src/apps/hashpivot/*_command.cpp), with the GIL released while they run.
// Each returns what the command's --json prints, built by the command's own function (so the two
// cannot drift apart), as Python values; the package shapes them into frames.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "backtest_command.hpp"
#include "calibrate_command.hpp"
#include "optimize_command.hpp"
#include "sensitivity_command.hpp"
#include "scenario_document.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/firm/strategy_parameters.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/study/history_backtest.hpp"
#include "hashpivot/study/optimizer.hpp"
#include "hashpivot/study/sensitivity.hpp"

namespace hashpivot::python {
namespace {

/// The index of the strategy named `name` (empty: `fallback`, when there is one); an unknown name is
/// an InputError on the argument `strategy` that lists the scenario's strategies.
std::size_t strategy_index(const firm::Scenario& scenario, const std::string& name, std::optional<std::size_t> fallback) {
  std::string names;
  for (std::size_t i = 0; i < scenario.strategies.size(); ++i) {
    if (!name.empty() && scenario.strategies[i].name == name) return i;
    names += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", scenario.strategies[i].name);
  }
  if (name.empty() && fallback) return *fallback;
  if (name.empty())
    throw InputError("argument", 0, "strategy",
                     fmt::format("the scenario has {} strategies; name one of {}", scenario.strategies.size(), names));
  throw InputError("argument", 0, "strategy", fmt::format("no strategy named \"{}\"; the scenario's are {}", name, names));
}

/// A JSON value as Python values (dicts, lists, numbers, strings, None), through Python's json module.
py::object to_python(const nlohmann::json& value) {
  return py::module_::import("json").attr("loads")(value.dump());
}

// --- backtest ---

py::object backtest(const ScenarioDocument& document, const std::string& history_path, const py::object& from,
                    const py::object& to, const std::string& strategy_name, const std::optional<std::string>& compare) {
  const DayNumber first = day_argument(from, "from_date");
  const DayNumber last = day_argument(to, "to_date");
  if (first > last)
    throw InputError("argument", 0, "from_date", fmt::format("{} is after to_date {}", format_date(first), format_date(last)));
  const firm::Scenario scenario = document.scenario();
  const std::size_t strategy = strategy_index(scenario, strategy_name, 0);
  nlohmann::json out;
  {
    const py::gil_scoped_release release;
    const market::DailyHistory history = market::read_daily_history_csv(history_path);
    study::HistoryBacktest r;
    try {
      r = study::run_history_backtest(scenario, strategy, history, first, last);
    } catch (const InputError& e) {
      // The library names the command line's flags; here they are the arguments.
      if (e.source() != "command line") throw;
      throw InputError("argument", 0, e.field() == "--to" ? "to_date" : "from_date", e.problem());
    }
    std::vector<study::MonthComparison> comparison;
    if (compare) comparison = study::compare_production(r, study::read_reported_production(*compare));
    out = cli::backtest_json(r, {document.source(), history_path, compare.value_or("")}, comparison);
  }
  return to_python(out);
}

// --- calibrate ---

py::object calibrate(const std::string& history_path, const py::object& from, const py::object& to,
                     const std::optional<std::string>& energy, const std::string& energy_column,
                     const std::optional<std::string>& gpu_prices, const std::vector<std::string>& asic_lists,
                     const py::object& margin_from) {
  cli::CalibrationInputs inputs{history_path, "", "", energy.value_or(""), energy_column, gpu_prices.value_or(""),
                                asic_lists, ""};
  if (!margin_from.is_none()) inputs.margin_from = format_date(day_argument(margin_from, "margin_from"));
  std::optional<DayNumber> first, last;
  if (!from.is_none()) {
    first = day_argument(from, "from_date");
    inputs.from = format_date(*first);
  }
  if (!to.is_none()) {
    last = day_argument(to, "to_date");
    inputs.to = format_date(*last);
  }
  if (first && last && *first > *last) throw InputError("argument", 0, "from_date", "must not be after to_date");
  py::dict out;
  nlohmann::json fits;
  std::string toml;
  {
    const py::gil_scoped_release release;
    const market::DailyHistory history = market::read_daily_history_csv(history_path, first, last);
    const std::vector<market::FitReport> reports =
        cli::calibrate_all(history, inputs, first || last ? "from_date/to_date" : "history");
    fits = cli::calibration_json(reports, history, history_path);
    // What `calibrate --toml calibration.toml` would write; Calibration.save_toml(path) names its own path.
    toml = cli::calibration_toml(reports, history, inputs, "{toml_out}");
  }
  out["json"] = to_python(fits);
  out["toml"] = toml;
  return out;
}

// --- optimize ---

study::SearchAlgorithm algorithm_named(const std::string& name) {
  if (name == "neldermead") return study::SearchAlgorithm::kNelderMead;
  if (name == "cobyla") return study::SearchAlgorithm::kCobyla;
  if (name == "subplex") return study::SearchAlgorithm::kSubplex;
  throw InputError("argument", 0, "algorithm", fmt::format("expected neldermead, cobyla or subplex, got \"{}\"", name));
}

struct OptimizeArguments {
  std::string strategy;
  std::vector<firm::SearchRange> vary;
  std::string objective;
  std::optional<double> max_default_prob;
  std::optional<double> wealth_usd;
  std::int64_t paths = 0;
  std::optional<std::uint64_t> seed, oos_seed;
  std::optional<std::int64_t> oos_paths;
  std::optional<unsigned> threads;
  int max_evaluations = 0;
  double xtol = 0;
  std::string algorithm;
};

// Fresh paths for the out-of-sample check: the command line's default, its seed + 1.
constexpr std::uint64_t kOutOfSampleSeedOffset = 1;

/// The optimizer's settings as `hashpivot optimize` makes them from its flags (optimize_command.cpp).
study::OptimizerSettings optimizer_settings(const firm::Scenario& scenario, std::size_t strategy, const OptimizeArguments& a) {
  study::OptimizerSettings s;
  s.objective = study::parse_objective(a.objective);
  if (s.objective.kind == study::ObjectiveKind::kCrra) {
    s.objective.wealth_offset_usd = a.wealth_usd.value_or(study::opening_equity_usd(scenario));
    if (s.objective.gamma > 0 && !(s.objective.wealth_offset_usd > 0))
      throw InputError("argument", 0, "wealth_usd",
                       fmt::format("CRRA with gamma > 0 needs wealth > 0 (the opening equity is {} USD); give wealth_usd",
                                   s.objective.wealth_offset_usd));
  }
  s.max_default_prob = a.max_default_prob;
  s.ranges = a.vary.empty() ? scenario.strategies[strategy].search : a.vary;
  if (s.ranges.empty()) {
    std::string names;
    for (const std::string& n : firm::parameters_of(scenario, strategy)) names += (names.empty() ? "" : ", ") + n;
    throw InputError("argument", 0, "vary",
                     fmt::format("strategy \"{}\" declares no [strategies.search] ranges; give vary={{PARAM: (LO, HI)}} "
                                 "for some of: {}",
                                 scenario.strategies[strategy].name, names.empty() ? "(it has no parameters)" : names));
  }
  s.paths = a.paths;
  s.seed = a.seed.value_or(scenario.run.seed);
  s.out_of_sample_seed = a.oos_seed.value_or(s.seed + kOutOfSampleSeedOffset);
  if (s.out_of_sample_seed == s.seed) throw InputError("argument", 0, "oos_seed", "must differ from the search's seed");
  s.out_of_sample_paths = a.oos_paths.value_or(0);
  s.threads = threads_or_all(a.threads);
  s.max_evaluations = a.max_evaluations;
  s.x_tolerance = a.xtol;
  s.algorithm = algorithm_named(a.algorithm);
  return s;
}

py::object optimize(const ScenarioDocument& document, const OptimizeArguments& a) {
  const firm::Scenario scenario = document.scenario();
  const std::size_t strategy = strategy_index(scenario, a.strategy,
                                              scenario.strategies.size() == 1 ? std::optional<std::size_t>(0) : std::nullopt);
  study::OptimizerSettings s = optimizer_settings(scenario, strategy, a);
  s.progress = [](int, int, double) { check_signals(); };  // between evaluations: no engine thread runs
  nlohmann::json out;
  {
    const py::gil_scoped_release release;
    const model::MarketModel market = io::load_market_model(scenario);
    out = cli::optimization_json(study::optimize_strategy(scenario, market, strategy, s), s);
  }
  return to_python(out);
}

// --- sensitivity ---

py::object sensitivity(const ScenarioDocument& document, const std::string& strategy, std::int64_t paths,
                       std::optional<std::uint64_t> seed, std::optional<unsigned> threads, double relative_bump,
                       bool break_even) {
  const firm::Scenario scenario = document.scenario();
  study::SensitivityOptions options;
  options.paths = paths;
  options.seed = seed.value_or(scenario.run.seed);
  options.threads = threads_or_all(threads);
  options.relative_bump = relative_bump;
  options.break_evens = break_even;
  if (!strategy.empty()) options.strategies.push_back(strategy_index(scenario, strategy, std::nullopt));
  // Called before each run: Ctrl-C stops the study between runs.
  options.progress = [](const std::string&, int, int) { check_signals(); };
  nlohmann::json out;
  {
    const py::gil_scoped_release release;
    const model::MarketInputs inputs = io::read_market_inputs(scenario);
    const model::MarketModel market = model::build_market_model(scenario, inputs);
    const study::CalibrationErrors errors = study::calibration_errors(scenario, inputs.calibration);
    const study::SensitivityResult r = study::run_sensitivity(scenario, market, errors, options);
    out = cli::sensitivity_json(r, market.btc_price_usd, study::mean_power_price_usd_per_mwh(scenario));
  }
  return to_python(out);
}

std::vector<firm::SearchRange> search_ranges(const py::dict& vary) {
  std::vector<firm::SearchRange> ranges;
  for (const auto& [name, range] : vary) {
    const auto [low, high] = range.cast<std::pair<double, double>>();
    ranges.push_back({name.cast<std::string>(), low, high});
  }
  return ranges;
}

}  // namespace

void bind_studies(py::module_& m) {
  m.def("backtest", &backtest, py::arg("scenario"), py::arg("history"), py::arg("from_date"), py::arg("to_date"),
        py::arg("strategy"), py::arg("compare"));
  m.def("calibrate", &calibrate, py::arg("history"), py::arg("from_date"), py::arg("to_date"), py::arg("energy"),
        py::arg("energy_column"), py::arg("gpu_prices"), py::arg("asic_lists"), py::arg("margin_from"));
  m.def(
      "optimize",
      [](const ScenarioDocument& document, const std::string& strategy, const py::dict& vary, const std::string& objective,
         std::optional<double> max_default_prob, std::optional<double> wealth_usd, std::int64_t paths,
         std::optional<std::uint64_t> seed, std::optional<std::uint64_t> oos_seed, std::optional<std::int64_t> oos_paths,
         std::optional<unsigned> threads, int max_evaluations, double xtol, const std::string& algorithm) {
        const OptimizeArguments a{strategy, search_ranges(vary), objective, max_default_prob, wealth_usd, paths, seed,
                                  oos_seed, oos_paths, threads, max_evaluations, xtol, algorithm};
        return optimize(document, a);
      },
      py::arg("scenario"), py::arg("strategy"), py::arg("vary"), py::arg("objective"), py::arg("max_default_prob"),
      py::arg("wealth_usd"), py::arg("paths"), py::arg("seed"), py::arg("oos_seed"), py::arg("oos_paths"),
      py::arg("threads"), py::arg("max_evaluations"), py::arg("xtol"), py::arg("algorithm"));
  m.def("sensitivity", &sensitivity, py::arg("scenario"), py::arg("strategy"), py::arg("paths"), py::arg("seed"),
        py::arg("threads"), py::arg("relative_bump"), py::arg("break_even"));
}

}  // namespace hashpivot::python
