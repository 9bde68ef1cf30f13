#pragma once
// `hashpivot runs list | show ID | export ID (--csv DIR | --json)`: the runs recorded in a result
// store (io/result_store.hpp).

#include <CLI/CLI.hpp>

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

void add_runs_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
