#pragma once
// `hashpivot optimize` (being written).

#include <CLI/CLI.hpp>

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

void add_optimize_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
