// hashpivot.run: sim::run_simulation on a scenario document, with the GIL released and Ctrl-C
// polled after each chunk of paths; the result is kept as the run's record (io::make_run_record,
// what `hashpivot run` prints and records) plus each strategy's statistics (for the per-path
// distributions and paired differences). Also the metric table itself.

#include <pybind11/numpy.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "handles.hpp"
#include "record_columns.hpp"
#include "scenario_document.hpp"
#include "hashpivot/core/cancellation.hpp"
#include "hashpivot/core/date.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/io/peers.hpp"
#include "hashpivot/io/run_record.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/report/ranking.hpp"
#include "hashpivot/sim/metrics.hpp"
#include "hashpivot/sim/simulation.hpp"

namespace hashpivot::python {
namespace {

/// Runs `simulate(options)` (returning a sim::RunResult) with the GIL released and Ctrl-C polled after
/// each chunk of paths merged (it stops the run after the blocks in progress); keeps its record,
/// made from `scenario` and `text` (io::make_run_record), and statistics. `scenario` gives the
/// paths and the seed.
template <class Simulate>
std::shared_ptr<RunHandle> simulate_into_handle(const firm::Scenario& scenario, const std::string& text,
                                                std::optional<unsigned> threads, const Simulate& simulate,
                                                bool variance_reduction = false) {
  sim::RunOptions options;
  options.paths = scenario.run.paths;
  options.seed = scenario.run.seed;
  options.threads = threads_or_all(threads);
  options.variance_reduction = variance_reduction;
  Interruption interruption;
  options.progress = [&interruption](std::int64_t, std::int64_t) { interruption.poll(); };
  options.stop_signal = interruption.stop_signal();
  auto handle = std::make_shared<RunHandle>();
  try {
    const py::gil_scoped_release release;
    const auto started_at = std::chrono::system_clock::now();
    sim::RunResult result = simulate(options);
    const auto finished_at = std::chrono::system_clock::now();
    handle->record = io::make_run_record(scenario, text, result, started_at, finished_at, HASHPIVOT_VERSION);
    handle->strategies = std::move(result.strategies);
    handle->months = std::move(result.months);
    handle->seconds = result.seconds;
  } catch (const Cancelled&) {
    interruption.raise_kept();
  }
  return handle;
}

std::shared_ptr<RunHandle> run(const ScenarioDocument& document, std::optional<std::int64_t> paths,
                               std::optional<std::uint64_t> seed, std::optional<unsigned> threads,
                               bool variance_reduction) {
  firm::Scenario scenario = document.scenario();
  if (paths) scenario.run.paths = *paths;
  if (seed) scenario.run.seed = *seed;
  auto handle = simulate_into_handle(
      scenario, document.text(), threads,
      [&](const sim::RunOptions& options) { return sim::run_simulation(scenario, io::load_market_model(scenario), options); },
      variance_reduction);
  for (const InputWarning& w : document.warnings()) handle->record.warnings.push_back(w.message());
  return handle;
}

/// hashpivot.peers: one strategy of each document on the same markets (sim::run_peers), checked as
/// `hashpivot peers` checks them; the record's strategies are the firms, named by `labels`.
std::shared_ptr<RunHandle> peers(const std::vector<std::shared_ptr<ScenarioDocument>>& documents,
                                 const std::vector<std::string>& strategies, const std::vector<std::string>& labels,
                                 std::optional<std::int64_t> paths, std::optional<std::uint64_t> seed,
                                 std::optional<unsigned> threads) {
  if (documents.empty() || strategies.size() != documents.size() || labels.size() != documents.size())
    throw InputError("peers", 0, "scenarios", "give at least one scenario, with one strategy and one label each");
  std::vector<firm::Scenario> scenarios;
  std::string text;
  std::string paths_text;
  for (const auto& d : documents) {
    scenarios.push_back(d->scenario());
    text += "# ---- " + d->source() + " ----\n" + d->text() + "\n";
    paths_text += (paths_text.empty() ? "" : " ") + d->source();
  }
  io::check_peer_scenarios(scenarios);
  std::vector<sim::RunFirm> firms;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    if (paths) scenarios[i].run.paths = *paths;
    if (seed) scenarios[i].run.seed = *seed;
  }
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j)
      if (labels[j] == labels[i]) throw InputError("peers", 0, "labels", "two firms are labelled " + labels[i]);
    firms.push_back({&scenarios[i], io::peer_strategy_index(scenarios[i], strategies[i]), labels[i]});
  }
  const std::string name =
      "Peer group of " + std::to_string(firms.size()) + " firms, " + format_date(scenarios.front().run.start_date);
  auto handle = simulate_into_handle(scenarios.front(), text, threads, [&](const sim::RunOptions& options) {
    return sim::run_peers(name, firms, io::load_peer_market_model(scenarios), options);
  });
  handle->record.run.scenario_path = paths_text;
  for (const auto& d : documents)
    for (const InputWarning& w : d->warnings()) handle->record.warnings.push_back(w.message());
  return handle;
}

const sim::StrategyStatistics& strategy_named(const RunHandle& h, const std::string& name) {
  for (const sim::StrategyStatistics& s : h.strategies)
    if (s.name == name) return s;
  std::string names;
  for (const sim::StrategyStatistics& s : h.strategies) names += (names.empty() ? "\"" : ", \"") + s.name + "\"";
  throw py::key_error(fmt::format("no strategy named \"{}\" in this run; its strategies are {}", name, names));
}

/// Every path's value as the sketch keeps it, ascending: the exact minimum and maximum, and in
/// between each path's bucket's value (within the sketch's relative error; statistics.hpp).
py::array_t<double> sketch_values(const stats::QuantileSketch& sketch) {
  const std::uint64_t n = sketch.count();
  py::array_t<double> out(static_cast<py::ssize_t>(n));
  double* data = out.mutable_data();
  std::uint64_t rank = 0;
  for (const std::uint32_t count : sketch.bucket_counts()) {
    double inner = std::numeric_limits<double>::quiet_NaN();
    bool have_inner = false;
    for (std::uint32_t i = 0; i < count; ++i, ++rank) {
      if (rank == 0) {
        data[rank] = sketch.min();
      } else if (rank + 1 == n) {
        data[rank] = sketch.max();
      } else {
        // Any rank inside the bucket gives its value: (rank + ½)/n is the q whose nearest rank is `rank`.
        if (!have_inner) inner = sketch.quantile((static_cast<double>(rank) + 0.5) / static_cast<double>(n));
        have_inner = true;
        data[rank] = inner;
      }
    }
  }
  return out;
}

/// The worst ⌈α·n⌉ values (the CVaR's tail), exact, ascending.
py::array_t<double> tail_values(const stats::TailMean& tail) {
  std::vector<double> kept = tail.kept_values();
  std::sort(kept.begin(), kept.end());
  kept.resize(std::min<std::size_t>(kept.size(), tail.tail_count()));
  return py::array_t<double>(static_cast<py::ssize_t>(kept.size()), kept.data());
}

std::size_t strategy_position(const RunHandle& h, const std::string& name) {
  const sim::StrategyStatistics& found = strategy_named(h, name);
  return static_cast<std::size_t>(&found - h.strategies.data());
}

/// `candidate` against `baseline` on the same paths (StrategyStatistics::npv_vs_each).
py::dict paired(const RunHandle& h, const std::string& baseline, const std::string& candidate) {
  const stats::PairedDifference& d = strategy_named(h, candidate).npv_vs_each.against(strategy_position(h, baseline));
  const stats::ConfidenceInterval ci = d.confidence_interval_95();
  py::dict out;
  out["mean_usd"] = d.difference().mean();
  out["se_usd"] = d.difference().standard_error();
  out["ci95_low_usd"] = ci.lower;
  out["ci95_high_usd"] = ci.upper;
  out["p_better"] = d.candidate_wins().probability();
  out["p_better_se"] = d.candidate_wins().standard_error();
  out["paths"] = d.difference().count();
  return out;
}

py::list metric_table() {
  py::list rows;
  for (const sim::Metric& m : sim::kMetrics) {
    py::dict row;
    row["column"] = std::string(m.column);
    row["json_pointer"] = std::string(m.json);
    row["unit"] = std::string(sim::unit_name(m.unit));
    row["label"] = std::string(m.label);
    row["store_version"] = m.store_version;
    rows.append(row);
  }
  return rows;
}

}  // namespace

py::dict summary_columns(const std::vector<io::StrategySummary>& strategies) {
  py::list names, columns, values;
  for (const sim::Metric& m : sim::kMetrics) columns.append(std::string(m.column));
  for (const io::StrategySummary& s : strategies) {
    names.append(s.strategy);
    values.append(py::cast(std::vector<double>(s.values.begin(), s.values.end())));
  }
  py::dict out;
  out["strategy"] = names;
  out["columns"] = columns;
  out["values"] = values;
  return out;
}

py::dict run_info(const io::RunInfo& r) {
  py::dict out;
  out["id"] = r.id;
  out["scenario"] = r.scenario_name;
  out["scenario_path"] = r.scenario_path;
  out["seed"] = r.seed;
  out["paths"] = r.paths;
  out["threads"] = r.threads;
  out["version"] = r.version;
  out["started_at"] = r.started_at;
  out["finished_at"] = r.finished_at;
  out["start_date"] = r.start_date;
  out["horizon_days"] = r.horizon_days;
  return out;
}

py::dict monthly_quantile_columns(const io::RunRecord& record) {
  py::list strategy, month, series, p5, p25, p50, p75, p95, mean;
  for (const io::MonthlyQuantiles& q : record.monthly_quantiles) {
    strategy.append(q.strategy ? py::object(py::str(*q.strategy)) : py::object(py::none()));
    month.append(q.month);
    series.append(q.series);
    p5.append(q.p5);
    p25.append(q.p25);
    p50.append(q.p50);
    p75.append(q.p75);
    p95.append(q.p95);
    mean.append(q.mean);
  }
  py::dict out;
  out["strategy"] = strategy;
  out["month"] = month;
  out["metric"] = series;
  out["p5"] = p5;
  out["p25"] = p25;
  out["p50"] = p50;
  out["p75"] = p75;
  out["p95"] = p95;
  out["mean"] = mean;
  return out;
}

py::dict monthly_account_columns(const io::RunRecord& record) {
  py::list strategy, month, field, mean;
  for (const io::MonthlyAccount& a : record.monthly_accounts) {
    strategy.append(a.strategy);
    month.append(a.month);
    field.append(a.field);
    mean.append(a.mean);
  }
  py::dict out;
  out["strategy"] = strategy;
  out["month"] = month;
  out["field"] = field;
  out["mean"] = mean;
  return out;
}

py::dict default_month_columns(const io::RunRecord& record) {
  py::list strategy, month, defaulted;
  for (const io::DefaultMonth& d : record.default_months) {
    strategy.append(d.strategy);
    month.append(d.month);
    defaulted.append(d.paths_defaulted);
  }
  py::dict out;
  out["strategy"] = strategy;
  out["month"] = month;
  out["paths_defaulted"] = defaulted;
  return out;
}

void bind_run(py::module_& m) {
  py::class_<RunHandle, std::shared_ptr<RunHandle>>(m, "RunHandle", "A run's record and statistics (see hashpivot.Result).")
      .def_property_readonly("info", [](const RunHandle& h) { return run_info(h.record.run); })
      .def_property_readonly("seconds", [](const RunHandle& h) { return h.seconds; })
      .def_property_readonly("months", [](const RunHandle& h) { return h.months; })
      .def_property_readonly("market", [](const RunHandle& h) { return h.record.market_description; })
      .def_property_readonly("scenario_text", [](const RunHandle& h) { return h.record.scenario_text; })
      .def_property_readonly("warnings", [](const RunHandle& h) { return h.record.warnings; })
      .def("summary", [](const RunHandle& h) { return summary_columns(h.record.strategies); })
      .def("monthly_quantiles", [](const RunHandle& h) { return monthly_quantile_columns(h.record); })
      .def("monthly_accounts", [](const RunHandle& h) { return monthly_account_columns(h.record); })
      .def("default_months", [](const RunHandle& h) { return default_month_columns(h.record); })
      .def("npv_values", [](const RunHandle& h, const std::string& s) { return sketch_values(strategy_named(h, s).npv_quantiles); },
           py::arg("strategy"))
      .def("npv_tail_values", [](const RunHandle& h, const std::string& s) { return tail_values(strategy_named(h, s).npv_worst); },
           py::arg("strategy"))
      .def("paired", &paired, py::arg("baseline"), py::arg("candidate"))
      .def("ranking", [](const RunHandle& h) { return py::module_::import("json").attr("loads")(report::ranking_json(h.record).dump()); });
  m.def("run", &run, py::arg("scenario"), py::arg("paths") = py::none(), py::arg("seed") = py::none(),
        py::arg("threads") = py::none(), py::arg("variance_reduction") = false,
        "Runs every strategy of the scenario (a ScenarioDocument) on the same simulated markets.");
  m.def("peers", &peers, py::arg("scenarios"), py::arg("strategies"), py::arg("labels"), py::arg("paths") = py::none(),
        py::arg("seed") = py::none(), py::arg("threads") = py::none(),
        "Runs one strategy of each scenario (ScenarioDocuments) on the same simulated markets, as `hashpivot peers`.");
  m.def("metric_table", &metric_table, "The metric table (sim::kMetrics): one dict per metric, in its order.");
}

}  // namespace hashpivot::python
