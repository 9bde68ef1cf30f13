#pragma once
// `hashpivot calibrate HISTORY.csv`: fits every market and network process to real history.

#include <CLI/CLI.hpp>

#include "hashpivot/engine/process_group.hpp"

namespace hashpivot::cli {

void add_calibrate_command(CLI::App& app, int& exit_code, const engine::ProcessGroup& group);

}  // namespace hashpivot::cli
