#pragma once
// A run record (io::RunRecord: what `hashpivot run` records, and what a Result and a stored run
// hold) as dicts of columns for the package's frames. Shared by run_bindings.cpp and
// store_bindings.cpp, so that a fresh run and a stored one come out alike.

#include "bindings.hpp"
#include "hashpivot/io/result_store.hpp"

namespace hashpivot::python {

/// {"strategy": [names], "columns": [the metric table's store columns], "values": [[one row per strategy]]}.
[[nodiscard]] py::dict summary_columns(const std::vector<io::StrategySummary>& strategies);
/// The run's identification: id, scenario, scenario_path, seed, paths, threads, version, started_at,
/// finished_at, start_date, horizon_days.
[[nodiscard]] py::dict run_info(const io::RunInfo& run);
/// Columns strategy (None: a market series), month, series, p5, p25, p50, p75, p95, mean.
[[nodiscard]] py::dict monthly_quantile_columns(const io::RunRecord& record);
/// Columns strategy, month, field, mean.
[[nodiscard]] py::dict monthly_account_columns(const io::RunRecord& record);
/// Columns strategy, month, paths_defaulted.
[[nodiscard]] py::dict default_month_columns(const io::RunRecord& record);

}  // namespace hashpivot::python
