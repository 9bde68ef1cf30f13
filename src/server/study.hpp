#pragma once
// The dashboard's Study page (POST /api/studies/sensitivity, /api/studies/optimize): `hashpivot
// sensitivity` and `hashpivot optimize` as jobs of the server's queue, their results as JSON.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/server/job_queue.hpp"
#include "hashpivot/server/server.hpp"

namespace hashpivot::server {

struct SensitivityRequest {
  firm::Scenario scenario;            // as read; run.paths and run.seed are the study's
  std::vector<std::size_t> strategies;  // indices into scenario.strategies; empty: all
  bool break_evens = false;           // the root searches cost dozens of runs more
};

/// Runs the tornado (and break-evens when asked) on `threads` threads, reporting runs done as the
/// job's progress; a cancelled job stops before its next run (hashpivot::Cancelled). The JSON is
/// `hashpivot sensitivity --json`'s shape (docs/sensitivity.md).
[[nodiscard]] nlohmann::json run_sensitivity_study(const SensitivityRequest& request, unsigned threads, JobContext& context,
                                                   const SensitivityJson& to_json);

struct OptimizeRequest {
  firm::Scenario scenario;   // as read; run.paths and run.seed are the search's
  std::size_t strategy = 0;  // index into scenario.strategies; it declares [strategies.search] ranges
  int max_evaluations = 10;  // of the search; two out-of-sample runs come on top
};

/// `hashpivot optimize --strategy NAME` with the scenario's search ranges, the NPV objective and no
/// constraint, on `threads` threads; the out-of-sample check on the same path count with seed + 1 (as
/// the CLI's defaults). Reports evaluations done as the job's progress; a cancelled job stops after
/// its current evaluation. The JSON is what `to_json` makes of it (the CLI's optimization_json).
[[nodiscard]] nlohmann::json run_optimize_study(const OptimizeRequest& request, unsigned threads, JobContext& context,
                                                const OptimizationJson& to_json);

}  // namespace hashpivot::server
