#pragma once
// `hashpivot options` (being written).

#include <CLI/CLI.hpp>

namespace hashpivot::cli {

void add_options_command(CLI::App& app, int& exit_code);

}  // namespace hashpivot::cli
