#pragma once
// `hashpivot run` (being written).

#include <CLI/CLI.hpp>

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

void add_run_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
