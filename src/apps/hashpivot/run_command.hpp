#pragma once
// `hashpivot run` (being written).

#include <CLI/CLI.hpp>

namespace hashpivot::cli {

void add_run_command(CLI::App& app, int& exit_code);

}  // namespace hashpivot::cli
