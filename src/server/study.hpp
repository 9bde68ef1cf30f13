#pragma once
// The dashboard's Study page (POST /api/studies/sensitivity): `hashpivot sensitivity` as a job of
// the server's queue, its tornado and break-evens as JSON.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <vector>

#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/server/job_queue.hpp"

namespace hashpivot::server {

struct SensitivityRequest {
  firm::Scenario scenario;            // as read; run.paths and run.seed are the study's
  std::vector<std::size_t> strategies;  // indices into scenario.strategies; empty: all
  bool break_evens = false;           // the root searches cost dozens of runs more
};

/// Runs the tornado (and break-evens when asked) on `threads` threads, reporting runs done as the
/// job's progress; a cancelled job stops before its next run (hashpivot::Cancelled). The JSON is
/// `hashpivot sensitivity --json`'s shape (docs/sensitivity.md).
[[nodiscard]] nlohmann::json run_sensitivity_study(const SensitivityRequest& request, unsigned threads, JobContext& context);

}  // namespace hashpivot::server
