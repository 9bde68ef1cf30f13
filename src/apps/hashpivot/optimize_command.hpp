#pragma once
// `hashpivot optimize SCENARIO.toml`: a strategy's parameters searched on common random numbers (study/optimizer.hpp).

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "hashpivot/study/optimizer.hpp"

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

/// What `hashpivot optimize --json` prints (also the Python bindings' optimize).
[[nodiscard]] nlohmann::json optimization_json(const study::OptimizationResult& result,
                                               const study::OptimizerSettings& settings);

void add_optimize_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
