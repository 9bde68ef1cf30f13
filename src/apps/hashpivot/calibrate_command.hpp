#pragma once
// `hashpivot calibrate HISTORY.csv`: fits every market and network process to real history.

#include <CLI/CLI.hpp>

namespace hashpivot::cli {

void add_calibrate_command(CLI::App& app, int& exit_code);

}  // namespace hashpivot::cli
